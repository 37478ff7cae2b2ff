"""Secrets: no output of spec, check, discover or read contains a secret, in any encoding, and no request
puts one in its URL.

All runs talk to a sandbox of the module's own that logs every request line it serves. The secrets are the
sandbox's own credentials (accepted: every command succeeds, also with LOG_LEVEL=debug) or unique markers
(rejected: every error path), plain or with the characters URL and JSON encodings change. Under faults, the
fault and malformed-answer tests check every run's output and every request line of their sandboxes, and
the crash test every run's output, for the sandbox's secrets.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from integration_tests.connector_runs import Run, catalog, read, run_connector, streams_of
from integration_tests.discovered import SANDBOX_SECRETS, SECRET_PATHS
from integration_tests.sandboxes import logged_sandbox
from integration_tests.scenarios import side_by_side

START = "2026-11-17"
SECRET_FIELDS = {
    "leadfeeder": "api_key",
    "insideview": "client_secret",
    "whitepages": "api_key",
    "leaf": "password",
}
PLAIN_MARKERS = {vendor: f"MARKER-{vendor}-7d2f9a1c3b5e" for vendor in SECRET_FIELDS}
# base64-like secrets hold + / =; passwords hold anything
ENCODED_MARKERS = {vendor: f'{vendor}MARK+/=&"%{index}x9' for index, vendor in enumerate(SECRET_FIELDS)}


def forms(secret: str) -> set[str]:
    """The secret as it would appear raw, in a URL or form body, or inside a JSON string."""
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}


def found(text: str, secrets: dict[str, str]) -> dict[str, list[str]]:
    """Per vendor, the forms of its secret that appear in the text."""
    hits = {vendor: sorted(form for form in forms(secret) if form in text) for vendor, secret in secrets.items()}
    return {vendor: forms_found for vendor, forms_found in hits.items() if forms_found}


@dataclass
class Runs:
    by_name: dict[str, Run] = field(default_factory=dict)
    access_log: str = ""
    spec: Run | None = None


def _with_secrets(config: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    for vendor, name in SECRET_FIELDS.items():
        config[vendor][name] = secrets[vendor]
    return config


@pytest.fixture(scope="module")
def runs(sandbox: Any) -> Runs:
    """spec, then check, discover and read with accepted and with rejected secrets, all logged."""
    with logged_sandbox(sandbox.seed, sandbox.size, sandbox.default_today) as (box, log):
        config = box.config(start_date=START)
        everything = catalog(streams_of())
        debug_env = {**os.environ, "LOG_LEVEL": "debug"}
        jobs: dict[str, Callable[[], Run]] = {
            "spec": partial(run_connector, "spec"),
            "check": partial(run_connector, "check", config=config),
            "discover": partial(run_connector, "discover", config=config),
            "read": partial(read, config),
            "read_debug": partial(run_connector, "read", config=config, catalog=everything, env=debug_env),
        }
        for label, markers in (("plain", PLAIN_MARKERS), ("encoded", ENCODED_MARKERS)):
            marked = _with_secrets(box.config(start_date=START), markers)
            jobs[f"check_{label}"] = partial(run_connector, "check", config=marked)
            jobs[f"read_{label}"] = partial(run_connector, "read", config=marked, catalog=everything)
        with side_by_side(jobs) as outcome:
            by_name = {name: outcome(name) for name in jobs}
        spec = by_name.pop("spec")
        return Runs(by_name, log.read_text(errors="replace"), spec)


# The sandbox's own credentials, by vendor, where the spec marks them secret.
SANDBOX = {path[0]: secret for path, secret in zip(SECRET_PATHS, SANDBOX_SECRETS, strict=True)}


def test_spec_marks_every_secret_field_as_airbyte_secret(runs: Runs) -> None:
    assert runs.spec is not None and runs.spec.exit_code == 0, runs.spec and runs.spec.describe()
    properties = runs.spec.spec()["connectionSpecification"]["properties"]
    for vendor, name in SECRET_FIELDS.items():
        assert properties[vendor]["properties"][name].get("airbyte_secret") is True, (vendor, name)
    marked = {
        f"{vendor}.{key}"
        for vendor, block in properties.items()
        if isinstance(block, dict) and "properties" in block
        for key, value in block["properties"].items()
        if value.get("airbyte_secret")
    }
    assert marked == {f"{vendor}.{name}" for vendor, name in SECRET_FIELDS.items()}


@pytest.mark.parametrize("name", ["check", "discover", "read", "read_debug"])
def test_no_output_contains_a_secret_the_vendors_accept(runs: Runs, name: str) -> None:
    run = runs.by_name[name]
    if name == "check":
        assert run.connection_status()["status"] == "SUCCEEDED", run.describe()
    else:
        assert run.succeeded, run.describe()
    assert found(run.text, SANDBOX) == {}


@pytest.mark.parametrize("name", ["check_plain", "read_plain"])
def test_no_error_output_contains_a_rejected_secret(runs: Runs, name: str) -> None:
    run = runs.by_name[name]
    assert not run.hung, run.describe()
    assert run.trace_errors() or run.connection_status()["status"] == "FAILED", run.describe()
    assert found(run.text, PLAIN_MARKERS) == {}


@pytest.mark.parametrize("vendor", list(SECRET_FIELDS))
def test_no_error_output_contains_a_rejected_secret_in_any_encoding(runs: Runs, vendor: str) -> None:
    secrets = {vendor: ENCODED_MARKERS[vendor]}
    assert found(runs.by_name["check_encoded"].text, secrets) == {}
    assert found(runs.by_name["read_encoded"].text, secrets) == {}


def test_no_request_puts_a_secret_in_its_url(runs: Runs) -> None:
    lines = runs.access_log.splitlines()
    assert len([line for line in lines if '"GET ' in line or '"POST ' in line]) > 50, runs.access_log[-2000:]
    for secrets in (SANDBOX, PLAIN_MARKERS, ENCODED_MARKERS):
        assert found(runs.access_log, secrets) == {}
