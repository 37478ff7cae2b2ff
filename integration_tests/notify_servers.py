"""The servers --notify delivers to in the tests, real ones on loopback: a JSON webhook (http.server) and an SMTP
server (aiosmtpd), each keeping what it received."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from integration_tests.postgres_server import free_port


@dataclass
class Webhook:
    """Answers each POST with the next of `statuses` (200 once they run out) and keeps every body it got, with
    the status it answered."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # (status, path, body)
    port: int = 0

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def delivered(self) -> list[dict[str, Any]]:
        """The bodies it answered 200."""
        return [body for status, _, body in self.received if status == 200]


@contextmanager
def webhook(*statuses: int) -> Iterator[Webhook]:
    hook = Webhook(list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = hook.statuses.pop(0) if hook.statuses else 200
            hook.received.append((status, self.path, body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    """Every message the SMTP server accepted."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def url(self, sender: str, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from={sender}&to={to}&mode=insecure"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def texts(self) -> list[str]:
        """Each message's plain-text body."""
        return [message.get_body(("plain",)).get_content() for message in self.messages]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
