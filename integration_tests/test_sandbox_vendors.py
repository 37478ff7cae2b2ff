"""What a vendor module gives the sandbox, checked for every registered vendor, and a fifth vendor added as one
module and one line of registration, served by a real sandbox process with the layers every vendor passes
through: its credential and rate limit, its error format, the faults and the counters."""

import inspect
import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from usage_sandbox import connector_config, truth
from usage_sandbox.process import SandboxServer
from usage_sandbox.registry import VENDORS, api
from usage_sandbox.server import build_runtime
from usage_sandbox.vendor import ApiKey, SessionToken, VendorSpec

ROOT = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:1"
TODAY = date(2026, 11, 20)

# What a vendor package must provide (a type, or a function's parameters): in its light `__init__.py`, and in
# its `api.py`, the server's side.
REQUIRED = {"NAME": str, "STREAMS": tuple, "config_block": ("url",)}
REQUIRED_IN_API = {"build": ("runtime",), "truth": ("seed", "size", "start", "today", "options")}


def _check_provides(module: ModuleType, required: dict[str, Any]) -> None:
    for attribute, kind in required.items():
        value = getattr(module, attribute, None)
        if isinstance(kind, type):
            assert isinstance(value, kind), f"{module.__name__}.{attribute} must be a {kind.__name__}"
        else:
            assert callable(value), f"{module.__name__}.{attribute} must be a function"
            assert tuple(inspect.signature(value).parameters) == kind, f"{module.__name__}.{attribute}{kind}"


def _name(module: ModuleType) -> str:
    return module.NAME


@pytest.fixture(scope="module")
def specs() -> dict[str, VendorSpec]:
    return build_runtime(42, "small", TODAY).vendors


@pytest.mark.parametrize("module", VENDORS, ids=_name)
def test_sandbox_vendor_package_provides_its_name_streams_config_server_and_truth(module: ModuleType) -> None:
    _check_provides(module, REQUIRED)
    _check_provides(api(module), REQUIRED_IN_API)
    assert module.NAME == module.__name__.rsplit(".", 1)[-1]
    assert module.STREAMS and all(isinstance(stream, str) for stream in module.STREAMS)
    for stream in module.STREAMS:
        assert (ROOT / "schemas" / f"{stream}.json").is_file(), f"{stream} has no schema"


@pytest.mark.parametrize("module", VENDORS, ids=_name)
def test_sandbox_vendor_spec_mounts_routes_under_its_prefixes_with_a_declared_auth(
    module: ModuleType, specs: dict[str, VendorSpec]
) -> None:
    spec = specs[module.NAME]
    assert spec.name == module.NAME and spec.prefixes and spec.routes
    assert all(prefix.startswith(f"/{module.NAME}") for prefix in spec.prefixes)
    for route in spec.routes:
        assert route.path.startswith(tuple(f"{prefix}/" for prefix in spec.prefixes)), route.path
    logins = [route for route in spec.routes if route.is_login]
    if isinstance(spec.auth, SessionToken):
        assert logins, f"{module.NAME} takes session tokens but has no login route"
    else:
        assert isinstance(spec.auth, ApiKey) and not logins


@pytest.mark.parametrize("module", VENDORS, ids=_name)
def test_sandbox_vendor_config_block_points_at_its_prefix_and_is_what_connector_config_writes(
    module: ModuleType, specs: dict[str, VendorSpec]
) -> None:
    block = module.config_block(URL)
    assert block["base_url"] in {f"{URL}{prefix}" for prefix in specs[module.NAME].prefixes}
    assert connector_config.connector_config(URL, "2026-01-01", module.NAME)[module.NAME] == block


@pytest.mark.parametrize("module", VENDORS, ids=_name)
def test_sandbox_vendor_truth_holds_exactly_its_streams(module: ModuleType) -> None:
    records = api(module).truth(42, "small", date(2026, 10, 1), TODAY, {})
    assert tuple(records) == module.STREAMS
    assert all(isinstance(rows, list) for rows in records.values())


def test_sandbox_vendor_declarations_import_without_the_http_server() -> None:
    """connector_config (make sync, the tests' configs) and the credentials load no aiohttp and no vendor data."""
    probe = "import sys, usage_sandbox.connector_config, usage_sandbox.credentials; print(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "aiohttp" not in loaded and ".api'" not in loaded, loaded


def test_sandbox_streams_and_vendors_derive_from_the_registered_modules() -> None:
    assert truth.STREAMS == tuple(stream for module in VENDORS for stream in module.STREAMS)
    assert len(set(truth.STREAMS)) == len(truth.STREAMS), "two vendors claim one stream"
    assert connector_config.VENDORS == tuple(module.NAME for module in VENDORS)
    assert len(set(connector_config.VENDORS)) == len(VENDORS)


@pytest.mark.parametrize("module", VENDORS, ids=_name)
def test_sandbox_vendor_answers_the_layers_errors_as_json_with_their_status(
    module: ModuleType, specs: dict[str, VendorSpec], fresh_sandbox: Any
) -> None:
    spec = specs[module.NAME]
    for prefix in spec.prefixes:
        answer = requests.get(f"{fresh_sandbox.url}{prefix}/no/such/path", timeout=10)
        assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("application/json")
        assert f"{prefix}/no/such/path" in answer.text
    data_route = next(route for route in spec.routes if not route.is_login)
    path = data_route.path.replace("{contract_id}", "c").replace("{leaf_user_id}", "u")
    for profile, status in (("permanent_500", 500), ("429_no_retry_after", 429)):
        fresh_sandbox.set_faults({"name": profile, "vendor": module.NAME, "rate": 1.0, "max_streak": 99})
        answer = requests.request(data_route.method, f"{fresh_sandbox.url}{path}", timeout=10)
        assert answer.status_code == status, (profile, answer.text)
        assert isinstance(answer.json(), dict) and "Retry-After" not in answer.headers
    fresh_sandbox.set_faults("none")
    unauthenticated = requests.request(data_route.method, f"{fresh_sandbox.url}{path}", timeout=10)
    assert unauthenticated.status_code in (401, 403) and isinstance(unauthenticated.json(), dict)


# A fifth vendor: this package (its `__init__.py` and its `api.py`), and the one line in registry.py that
# `launch.py` stands in for.
FIFTH_VENDOR = '''
"""Acme: calls per day, behind one API key; its errors are {"fault": {"status", "text"}}."""

from typing import Any

NAME, PREFIX, STREAMS, API_KEY = "acme", "/acme", ("acme_calls",), "acme-sandbox-key"


def config_block(url: str) -> dict[str, Any]:
    return {"api_key": API_KEY, "base_url": f"{url}{PREFIX}"}
'''

FIFTH_VENDOR_API = """
from datetime import date, timedelta
from typing import Any

from acme import API_KEY, NAME, PREFIX
from aiohttp import web

from usage_sandbox.errors import BadRequest, Unauthorized, VendorError
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.vendor import ApiKey, Limit, Route, VendorSpec


def _calls(day: date) -> dict[str, Any]:
    return {"day": day.isoformat(), "calls": day.day * 3}


def render(error: VendorError, request: web.Request) -> web.Response:
    return json_reply({"fault": {"status": error.status, "text": error.detail}}, error.status, error.headers())


def build(runtime: Runtime) -> VendorSpec:
    async def calls(request: web.Request) -> web.Response:
        if "day" not in request.query:
            raise BadRequest("day is required")
        return json_reply({"calls": [_calls(date.fromisoformat(request.query["day"]))]})

    refused = lambda: Unauthorized("no key")  # noqa: E731
    auth = ApiKey("Acme-Key", API_KEY, missing=refused, invalid=refused)
    limit = Limit(kind="bucket", rate=0.01, burst=2.0)
    return VendorSpec(NAME, (PREFIX,), [Route("GET", f"{PREFIX}/v1/calls", "calls", calls)], render, auth, limit)


def truth(seed: int, size: str, start: date, today: date, options: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {"acme_calls": [_calls(start + timedelta(days=n)) for n in range((today - start).days + 1)]}
"""

LAUNCH = """
import sys

import acme
from usage_sandbox import registry

registry.VENDORS = (*registry.VENDORS, acme)  # the one line a fifth vendor adds to registry.py

from usage_sandbox.cli import main  # noqa: E402

main(sys.argv[1:])
"""


class FifthVendorSandbox(SandboxServer):
    def command(self) -> list[str]:
        return [sys.executable, "launch.py", *super().command()[3:]]


@pytest.fixture(scope="module")
def fifth_vendor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fifth_vendor")
    (folder / "acme").mkdir()
    (folder / "acme" / "__init__.py").write_text(FIFTH_VENDOR)
    (folder / "acme" / "api.py").write_text(FIFTH_VENDOR_API)
    (folder / "launch.py").write_text(textwrap.dedent(LAUNCH))
    return folder


def test_sandbox_fifth_vendor_is_one_module_and_one_line_of_registration(fifth_vendor: Path) -> None:
    with FifthVendorSandbox(today="2026-11-20", cwd=fifth_vendor) as server:
        http = requests.Session()
        assert "acme" in http.get(f"{server.url}/_sandbox/health", timeout=10).json()["vendors"]
        calls = f"{server.url}/acme/v1/calls"
        key = {"Acme-Key": "acme-sandbox-key"}
        refused = http.get(calls, params={"day": "2026-11-20"}, timeout=10)
        assert (refused.status_code, refused.json()) == (401, {"fault": {"status": 401, "text": "no key"}})
        answer = http.get(calls, params={"day": "2026-11-20"}, headers=key, timeout=10)
        assert answer.json() == {"calls": [{"day": "2026-11-20", "calls": 60}]}
        bad = http.get(calls, headers=key, timeout=10)
        assert bad.json() == {"fault": {"status": 400, "text": "day is required"}}
        throttled = http.get(calls, params={"day": "2026-11-19"}, headers=key, timeout=10)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 1
        unknown = http.get(f"{server.url}/acme/v2", timeout=10).json()
        assert unknown == {"fault": {"status": 404, "text": "No endpoint GET /acme/v2."}}
        http.post(f"{server.url}/_sandbox/limits", json={"acme": False}, timeout=10).raise_for_status()
        http.post(f"{server.url}/_sandbox/faults", json={"name": "permanent_500", "vendor": "acme"}, timeout=10)
        broken = http.get(calls, params={"day": "2026-11-20"}, headers=key, timeout=10)
        assert broken.json() == {"fault": {"status": 500, "text": "Internal Server Error"}}
        stats = http.get(f"{server.url}/_sandbox/stats", timeout=10).json()["vendors"]["acme"]
        assert stats == {"calls": {"200": 1, "400": 1, "401": 1, "429": 1, "500": 1}, "undocumented": {"404": 1}}
    printed = subprocess.run(
        [sys.executable, "launch.py", "truth", "--today", "2026-11-20", "--start-date", "2026-11-19"],
        cwd=fifth_vendor,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    acme = [json.loads(line)["data"] for line in printed if '"acme_calls"' in line]
    assert acme == [{"day": "2026-11-19", "calls": 57}, {"day": "2026-11-20", "calls": 60}]
