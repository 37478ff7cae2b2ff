"""The `--notify` URLs read before any request: each a target Apprise speaks, or one sentence naming its scheme
(never the URL, which holds a secret: a webhook token, an SMTP password) and the fix."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

# Apprise's list of services and how each URL is written
SERVICES = "https://github.com/caronc/apprise/wiki"
EXAMPLES = "json://host/path, mailto://, slack://, or workflows:// for Microsoft Teams"
SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,31}")


class NotifyError(Exception):
    """A --notify URL no notifier can use; the message names its scheme, never the URL."""


@dataclass(frozen=True)
class Target:
    """One notification URL, ready to send: `number` is its place on the command line (messages say
    "json target 2"), `digest` what alerts_sent keeps of it."""

    number: int
    scheme: str
    digest: str
    notifier: Any = field(repr=False, compare=False)  # Apprise's plugin; its URL holds the secret

    @property
    def name(self) -> str:
        return f"{self.scheme} target {self.number}"


def quiet_apprise() -> None:
    """Apprise logs the URLs it reads and sends to, half masked: its records go nowhere, whatever the logging set."""
    import apprise

    logger = logging.getLogger(apprise.LOGGER_NAME)
    logger.propagate = False
    logger.handlers = [logging.NullHandler()]


def digest(url: str) -> str:
    """The target as alerts_sent keeps it: 16 hex digits of the URL's SHA-256."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def read(urls: list[str]) -> list[Target]:
    """Every distinct URL of `urls` as a Target, in order; NotifyError for the first one no notifier can use."""
    if not urls:
        return []
    import apprise
    from apprise.manager_plugins import NotificationManager

    quiet_apprise()
    spoken = NotificationManager().schemas(include_disabled=False)
    asset = apprise.AppriseAsset(storage_mode="memory")  # nothing written to disk
    targets: list[Target] = []
    for url in dict.fromkeys(url.strip() for url in urls):
        scheme = _scheme(url)
        if scheme not in spoken:
            raise NotifyError(
                f"No notifier speaks --notify scheme {scheme}://; use one Apprise speaks ({EXAMPLES}; {SERVICES})."
            )
        notifier = apprise.Apprise.instantiate(url, asset=asset, suppress_exceptions=True)
        if notifier is None:
            raise NotifyError(
                f"A --notify URL of scheme {scheme}:// cannot be read: a part it needs is missing or malformed; "
                f"write it as Apprise's page for {scheme}:// shows ({SERVICES})."
            )
        targets.append(Target(len(targets) + 1, scheme, digest(url), notifier))
    return targets


def _scheme(url: str) -> str:
    """The URL's scheme, lower case; NotifyError when there is none to read."""
    scheme, separator, _ = url.partition("://")
    if not separator:
        raise NotifyError(f"A --notify URL cannot be parsed: it has no scheme; write it as SCHEME://... ({EXAMPLES}).")
    if not SCHEME.fullmatch(scheme.lower()):
        raise NotifyError(
            "A --notify URL cannot be parsed: what comes before :// is not a scheme (a letter, then letters, digits, "
            f"+ - or .); write it as SCHEME://... ({EXAMPLES})."
        )
    return scheme.lower()
