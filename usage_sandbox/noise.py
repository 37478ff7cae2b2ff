"""Deterministic randomness: every synthetic figure is a pure function of the parts it is keyed by."""

import random
import uuid
from hashlib import blake2b


def _key(parts: tuple[object, ...]) -> bytes:
    return "|".join(str(part) for part in parts).encode()


def rng(*parts: object) -> random.Random:
    """A generator seeded by the parts (string seeds hash with SHA-512, so runs and processes agree)."""
    return random.Random(_key(parts).decode())


def unit(*parts: object) -> float:
    """A number in [0, 1) fixed by the parts."""
    return int.from_bytes(blake2b(_key(parts), digest_size=8).digest(), "big") / 2**64


def stable_uuid(*parts: object) -> str:
    return str(uuid.UUID(bytes=blake2b(_key(parts), digest_size=16).digest(), version=4))


def stable_hex(length: int, *parts: object) -> str:
    return blake2b(_key(parts), digest_size=(length + 1) // 2).hexdigest()[:length]


def weekly(weekday: int) -> float:
    """How busy a weekday is compared with a Monday to Friday: quiet Saturdays, quieter Sundays."""
    return (1.0, 1.05, 1.1, 1.0, 0.85, 0.2, 0.08)[weekday]
