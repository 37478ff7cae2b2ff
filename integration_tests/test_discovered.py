"""What the harness takes from the connector's discover and spec agrees with the sandbox the tests compare against."""

from integration_tests import discovered
from integration_tests.connector_runs import catalog
from usage_sandbox.connector_config import connector_config
from usage_sandbox.truth import STREAMS, truth


def test_the_connector_discovers_the_streams_the_sandbox_has_a_truth_for() -> None:
    assert list(discovered.PRIMARY_KEYS) == list(STREAMS)


def test_every_stream_belongs_to_exactly_one_vendor_of_the_spec() -> None:
    owned = [stream for streams in discovered.VENDOR_STREAMS.values() for stream in streams]
    assert sorted(owned) == sorted(discovered.PRIMARY_KEYS)
    assert set(discovered.VENDOR_STREAMS) == set(connector_config("http://127.0.0.1:1", "2026-01-01")) - {"start_date"}


def test_every_key_and_cursor_is_a_field_of_every_truth_record() -> None:
    records = truth(42, "small", "2026-11-20", "2026-10-01")
    for stream, key in discovered.PRIMARY_KEYS.items():
        fields = set(key) | {discovered.CURSORS[stream]} if stream in discovered.CURSORS else set(key)
        assert records[stream], stream
        assert all(fields <= set(record) for record in records[stream]), (stream, fields)


def test_the_sandbox_secrets_are_the_spec_secret_fields_of_its_config() -> None:
    config = connector_config("http://127.0.0.1:1", "2026-01-01")
    assert discovered.SECRET_PATHS and len(discovered.SANDBOX_SECRETS) == len(discovered.SECRET_PATHS)
    for (vendor, field), secret in zip(discovered.SECRET_PATHS, discovered.SANDBOX_SECRETS, strict=True):
        assert config[vendor][field] == secret != ""


def test_a_configured_catalog_is_a_copy_a_test_may_change() -> None:
    first = catalog(["daily_usage"])
    first["streams"][0]["stream"]["name"] = "changed"
    assert catalog(["daily_usage"])["streams"][0]["stream"]["name"] == "daily_usage"
    assert catalog(["daily_usage"])["streams"][0]["sync_mode"] == "incremental"
    assert catalog(["daily_usage"], full_refresh=True)["streams"][0]["sync_mode"] == "full_refresh"
