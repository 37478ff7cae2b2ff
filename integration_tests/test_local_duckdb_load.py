"""DuckDBLoad.commit on its own (no connector): last record of a key wins, a window too big for the lean
memory cap is committed again without it, and a value the schema's type cannot hold stops with a sentence."""

import json
from pathlib import Path

import pytest

from local_sync.connector.catalog import Stream
from local_sync.connector.progress import Progress
from local_sync.loaders.duckdb_load import DuckDBLoad
from local_sync.loaders.duckdb_sync import open_database, prepare
from local_sync.loaders.windows import LoadFailed

SCHEMA = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "request_count": {"type": "integer"},
        "areas": {"type": ["null", "array"]},
    },
}
STREAM = Stream("daily_usage", ("date",), SCHEMA, True)
STATE = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "daily_usage"}, "stream_state": {"date": "x"}}}


def _spool(path: Path, records: list[dict]) -> Path:
    lines = [
        json.dumps(
            {"type": "RECORD", "record": {"stream": "daily_usage", "data": data, "emitted_at": 1_796_000_000_000 + i}}
        )
        for i, data in enumerate(records)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _bytes(size: str) -> float:
    """DuckDB's printed size (`15.2 MiB`, `18.8 GiB`) in bytes."""
    number, unit = size.split()
    return float(number) * 1024 ** ["bytes", "KiB", "MiB", "GiB", "TiB"].index(unit)


def test_the_last_record_of_a_key_wins_even_past_the_memory_cap(tmp_path: Path) -> None:
    records = [
        {"date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "request_count": i, "areas": [{"a": 3.53}]}
        for i in range(20_000)
    ]
    with open_database(tmp_path / "usage.duckdb") as connection:
        prepare(connection, [STREAM])
        load = DuckDBLoad(connection, [STREAM], Progress())
        default = connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        connection.execute("SET memory_limit = '16MB'")  # below what the window needs
        capped = connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        load.commit(_spool(tmp_path / "w.jsonl", records), {"daily_usage": STATE}, {"daily_usage"})
        rows = dict(connection.execute("SELECT CAST(date AS VARCHAR), request_count FROM daily_usage").fetchall())
        areas = connection.execute("SELECT DISTINCT CAST(areas AS VARCHAR) FROM daily_usage").fetchall()
        state = connection.execute("SELECT state_json FROM _airbyte_state").fetchall()
        limit = connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    expected: dict[str, int] = {}
    for record in records:
        expected[record["date"]] = record["request_count"]
    assert rows == expected
    assert areas == [('[{"a":3.53}]',)]
    assert [json.loads(text) for (text,) in state] == [STATE]
    # the retry without the cap runs with DuckDB's own setting (printed with one decimal, so compared within 1 %)
    assert _bytes(capped) < _bytes(default) / 10 and abs(_bytes(limit) - _bytes(default)) <= _bytes(default) / 100


def test_a_value_the_column_type_cannot_hold_names_the_vendor_stream_and_field(tmp_path: Path) -> None:
    with open_database(tmp_path / "usage.duckdb") as connection:
        prepare(connection, [STREAM])
        spool = _spool(tmp_path / "w.jsonl", [{"date": "2026-11-20", "request_count": "many"}])
        with pytest.raises(
            LoadFailed, match=r"Whitepages's stream daily_usage sent a request_count that is not a BIGINT"
        ):
            DuckDBLoad(connection, [STREAM], Progress()).commit(spool, {"daily_usage": STATE}, {"daily_usage"})
        assert connection.execute("SELECT count(*) FROM daily_usage").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM _airbyte_state").fetchone() == (0,)
