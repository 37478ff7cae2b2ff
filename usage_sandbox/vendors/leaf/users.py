"""Leaf users, the growers' personal data and the machine-data provider credentials each embeds (providers.md,
Leaf: Users).

Besides its documented fields (`id`, `name`, `email`, `phone`, `address`, `externalId`, `apiOwnerUsername`) and
the timestamps of a Leaf resource (`createdTime`, `updatedTime`), a user carries personal fields no usage
answer needs, some in shapes Leaf does not document (an `address` object, `secondaryPhone`, a nested
`profile.phoneNumber`), standing in for fields Leaf may add: every personal value starts with `lfpersonal-`.

A user carries one `<provider>Credentials` key per provider: an object of the grower's secrets when
connected, `null` or no key at all when not. Every secret value starts with `lfsecret-`, so a grep of any
output for `provider_secrets(seed, size)` finds a leak.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from usage_sandbox.noise import rng, stable_hex, stable_uuid
from usage_sandbox.vendors.leaf import NAME, USERNAME

SECRET_PREFIX = "lfsecret-"
PERSONAL_PREFIX = "lfpersonal-"
CREDENTIALS_SUFFIX = "Credentials"
# The providers.md names and one it does not list (Leaf adds providers), with the secret fields of each.
_PROVIDERS = {
    "johnDeereCredentials": ("clientKey", "clientSecret", "tokenId", "tokenSecretKey"),
    "climateFieldViewCredentials": ("clientId", "clientSecret", "apiKey", "refreshToken"),
    "trimbleCredentials": ("userName", "password", "applicationId"),
    "cnhiCredentials": ("clientId", "clientSecret", "refreshToken", "clientEnvironment"),
    "ravenCredentials": ("apiKey", "accessKey", "sharedSecret"),
    "staraCredentials": ("username", "password", "apiKey"),
    "agLeaderCredentials": ("publicKey", "privateKey"),
    "ravenSlingshotCredentials": ("apiKey", "accessKey", "sharedSecret"),
    "lindsayCredentials": ("username", "password", "accessToken"),
    "valleyCredentials": ("clientId", "clientSecret", "accessToken", "refreshToken"),
    "agvanceCredentials": ("clientId", "clientSecret", "accessToken", "refreshToken"),
}
_UNLISTED = "agvanceCredentials"
_NESTED = "climateFieldViewCredentials"  # its tokens sit one object deeper
_FIRST = ("Ana", "Ben", "Carla", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kira", "Luis")
_LAST = ("Silva", "Moore", "Okafor", "Patel", "Schmidt", "Tanaka", "Lopez", "Novak", "Berg", "Costa")
_CONNECTED, _NULL = 0.3, 0.15  # shares of (user, provider) pairs connected, and set to null


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    external_id: str
    created_time: str
    updated_time: str
    personal: dict[str, Any]
    credentials: dict[str, dict[str, Any] | None]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            **self.personal,
            "externalId": self.external_id,
            "apiOwnerUsername": USERNAME,
            "createdTime": self.created_time,
            "updatedTime": self.updated_time,
            **self.credentials,
        }

    def personal_values(self) -> list[str]:
        """Every personal value the user carries (phone numbers, addresses), at any depth."""
        return list(_strings(self.personal))

    def connected_providers(self) -> list[str]:
        return sorted(snake_provider(key) for key, value in self.credentials.items() if value is not None)


def snake_provider(key: str) -> str:
    """`johnDeereCredentials` -> `john_deere`, `climateFieldViewCredentials` -> `climate_field_view`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key.removesuffix(CREDENTIALS_SUFFIX)).lower()


def users(seed: int, size: str, count: int) -> list[User]:
    return [_user(seed, size, index, count) for index in range(count)]


def _user(seed: int, size: str, index: int, count: int) -> User:
    draw = rng(seed, size, NAME, "user", index)
    first, last = draw.choice(_FIRST), draw.choice(_LAST)
    credentials: dict[str, dict[str, Any] | None] = {}
    for provider, fields in _PROVIDERS.items():
        state = draw.random()
        connected = state < _CONNECTED or (index == 0 and provider == _UNLISTED)
        if index == count - 1 and index > 0:  # one user has connected nothing
            connected = False
        if connected:
            credentials[provider] = _credential(seed, size, index, provider, fields)
        elif state < _CONNECTED + _NULL:
            credentials[provider] = None
    return User(
        stable_uuid(seed, size, NAME, "user", index),
        f"{first} {last}",
        f"{first}.{last}{index + 1}@example.com".lower(),
        f"ext-{index + 1}",
        f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}T08:{index % 60:02d}:00.000Z",
        f"2026-{1 + index % 10:02d}-{1 + index % 28:02d}T17:{index % 60:02d}:30.000Z",
        _personal(seed, size, index),
        credentials,
    )


def _personal(seed: int, size: str, index: int) -> dict[str, Any]:
    """The documented `phone` and `address`, and on some users undocumented shapes Leaf may send tomorrow."""

    def value(field: str) -> str:
        return PERSONAL_PREFIX + stable_hex(12, seed, size, NAME, "personal", index, field)

    personal: dict[str, Any] = {"phone": value("phone")}
    if index % 3 == 1:
        personal["address"] = {"street": value("street"), "city": value("city"), "zip": value("zip")}
        personal["secondaryPhone"] = value("secondaryPhone")
    else:
        personal["address"] = value("address")
    if index % 3 == 2:
        personal["profile"] = {"phoneNumber": value("phoneNumber"), "farm": {"address": value("farm")}}
    return personal


def _credential(seed: int, size: str, index: int, provider: str, fields: tuple[str, ...]) -> dict[str, Any]:
    secrets = {field: _secret(seed, size, index, provider, field) for field in fields}
    if provider == _NESTED:
        secrets["tokens"] = {
            name: _secret(seed, size, index, provider, name) for name in ("accessToken", "refreshToken")
        }
    return {"id": stable_uuid(seed, size, NAME, "credentials", index, provider), **secrets}


def _secret(seed: int, size: str, index: int, provider: str, field: str) -> str:
    return SECRET_PREFIX + stable_hex(32, seed, size, NAME, "secret", index, provider, field)


def secret_values(user: User) -> list[str]:
    return [
        value
        for credential in user.credentials.values()
        for value in _strings(credential)
        if value.startswith(SECRET_PREFIX)
    ]


def _strings(value: Any) -> Iterator[str]:
    """Every string inside `value`, at any depth of its objects."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
