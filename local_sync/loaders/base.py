"""What every database a sync loads into shares: how a URL names PostgreSQL, and the errors a loader raises."""

from __future__ import annotations

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refuses the login; the message says where (never a password)."""


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)
