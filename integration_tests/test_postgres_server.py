"""The tests' PostgreSQL server: it starts on loopback, accepts the URL's user, and leaves nothing behind."""

import subprocess

from integration_tests.postgres_server import PostgresServer, bin_dir


def test_postgres_server_serves_its_url_then_stops_and_removes_its_folder() -> None:
    with PostgresServer() as server:
        assert server.url.startswith("postgresql://usage@127.0.0.1:")
        query = "SELECT current_user, current_database(), inet_server_addr()"
        done = subprocess.run([str(bin_dir() / "psql"), server.url, "-Atc", query], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "usage|usage|127.0.0.1"
        folder, port = server.log_path.parent, server.port
    assert not folder.exists()
    again = subprocess.run([str(bin_dir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], check=False)
    assert again.returncode != 0, "the server still answers after the context closed"
