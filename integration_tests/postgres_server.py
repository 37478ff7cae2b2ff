"""A real PostgreSQL server for the tests: `initdb` in a temporary folder, a free loopback port, removed after.

`initdb` and `postgres` refuse to run as root (CI runs as root), so as root the server runs as an
unprivileged user: Debian's `postgres` when it exists, else `usage-pg`, created once as a system user.
Debian's package: postgresql-15 (listed in .ci/debian-packages). Override the binaries with $PG_BIN.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

BIN_GLOB = "/usr/lib/postgresql/*/bin"
UNPRIVILEGED_USERS = ("postgres", "usage-pg")
SUPERUSER = "usage"
DATABASE = "usage"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
PORT_ATTEMPTS = 3
# A throwaway server: durability off, small memory, no background noise.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "40",
    "log_min_messages": "warning",
}


class PostgresStartError(RuntimeError):
    """The server did not come up; the message says why and where its log is."""


def bin_dir() -> Path:
    """$PG_BIN, else the newest /usr/lib/postgresql/<version>/bin that holds `initdb`."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/").glob(BIN_GLOB.lstrip("/")), key=lambda path: int(path.parent.name))
    with_initdb = [path for path in found if (path / "initdb").exists()]
    if not with_initdb:
        raise PostgresStartError(
            "PostgreSQL's server binaries are missing: install Debian's postgresql-15 (make system) or set PG_BIN."
        )
    return with_initdb[-1]


def unprivileged_user() -> str | None:
    """None when not root; as root an existing unprivileged user, or `usage-pg` created for it."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    name = UNPRIVILEGED_USERS[-1]
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    return name


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """`with PostgresServer() as server:` a fresh server; `server.url` is postgresql://usage@127.0.0.1:PORT/usage."""

    def __init__(self, start_timeout: float = START_TIMEOUT_SECONDS) -> None:
        self.start_timeout = start_timeout
        self.url = ""
        self.port = 0
        self._bin = bin_dir()
        self._user = unprivileged_user()
        self._folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def log_path(self) -> Path:
        assert self._folder is not None, "the server has not been started"
        return self._folder / "postgres.log"

    def _run(self, *command: str) -> None:
        done = subprocess.run(command, user=self._user, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresStartError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()}")

    def start(self) -> Self:
        """initdb, then the server on a free port, then the database; stops and removes all when one fails."""
        self._folder = Path(tempfile.mkdtemp(prefix="usage-postgres-"))
        if self._user is not None:
            os.chown(self._folder, pwd.getpwnam(self._user).pw_uid, -1)
        data = self._folder / "data"
        try:
            self._run(str(self._bin / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync")  # fmt: skip
            for _ in range(PORT_ATTEMPTS):
                self.port = free_port()
                if self._serve(data):
                    break
            else:
                raise PostgresStartError(f"PostgreSQL did not start on loopback; see {self.log_path}.")
            self._run(str(self._bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, DATABASE)
        except BaseException:
            self.stop()
            raise
        self.url = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"
        return self

    def _serve(self, data: Path) -> bool:
        """Starts `postgres` on self.port; True once it accepts connections, False if it exited (port taken)."""
        options = [f"--{key}={value}" for key, value in {**SETTINGS, "port": str(self.port)}.items()]
        with open(self.log_path, "ab") as log:
            if self._user is not None:
                os.chown(self.log_path, pwd.getpwnam(self._user).pw_uid, -1)
            self._process = subprocess.Popen(
                [str(self._bin / "postgres"), "-D", str(data), *options],
                user=self._user, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        ready = [str(self._bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                return False
            if subprocess.run(ready, check=False).returncode == 0:
                return True
            time.sleep(0.1)
        raise PostgresStartError(
            f"PostgreSQL did not accept connections in {self.start_timeout:.0f} s; see {self.log_path}."
        )

    def stop(self) -> None:
        """Fast shutdown (SIGINT: open sessions are ended), then the folder is deleted."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self.url = ""


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL server per test session (per xdist worker); its URL. Tests use their own schemas."""
    with PostgresServer() as server:
        yield server.url
