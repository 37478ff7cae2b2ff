"""Session tokens of InsideView and Leaf: expiry in wall-clock time, and revocation."""

import itertools
import time
from dataclasses import dataclass

from usage_sandbox.noise import stable_hex, unit


@dataclass
class Token:
    vendor: str
    value: str
    expires_at: float
    uses: int = 0
    revoke_at_use: int | None = None
    revoked: bool = False


class TokenStore:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._tokens: dict[str, Token] = {}
        self._counter = itertools.count(1)

    def issue(self, vendor: str, lifetime_seconds: float) -> Token:
        value = stable_hex(40, self._seed, vendor, next(self._counter), time.time_ns())
        token = self._tokens[value] = Token(vendor, value, time.time() + lifetime_seconds)
        return token

    def valid(self, vendor: str, value: str | None) -> bool:
        token = self._tokens.get(value or "")
        if token is None or token.vendor != vendor or token.revoked:
            return False
        if time.time() >= token.expires_at:
            return False
        token.uses += 1
        return True

    def use_and_maybe_revoke(self, value: str | None, rate: float) -> bool:
        """Under the revoke_token fault each token is revoked once, at a seeded use (never its first); true when
        this use revoked it."""
        token = self._tokens.get(value or "")
        if token is None or token.revoked:
            return False
        if token.revoke_at_use is None:
            spread = max(0.0, 2.0 / max(rate, 1e-6) - 2.0)
            token.revoke_at_use = 1 + int(unit(self._seed, "revoke", token.value) * spread)
        if token.uses >= token.revoke_at_use:
            token.revoked = True
        return token.revoked

    def revoke_all_at_next_use(self) -> None:
        for token in self._tokens.values():
            if not token.revoked:
                token.revoke_at_use = token.uses

    def forget(self) -> None:
        self._tokens.clear()
