"""`python -m local_sync`: sync every stream into a local DuckDB file (what `make sync` runs), or PostgreSQL.

Without `--config` it starts the sandbox and syncs from it; with `--config` it syncs from the real vendors.
The connector runs as its own process; DuckDB loads its records itself (docs/local-sync.md).
"""
