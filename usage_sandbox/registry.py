"""The vendors the sandbox serves. A fifth vendor is one package in `vendors/` and one line here.

A vendor package's `__init__.py` states what the connector's side needs and imports nothing heavy (`NAME`,
`STREAMS`, its credentials, `config_block(url)`), so `connector_config` stays light; its `api.py` holds the
server's side (`build(runtime)`, `truth(...)`), imported by `api()` only where a server or the truth runs.
"""

import importlib
from types import ModuleType

from usage_sandbox.vendors import insideview, leadfeeder, leaf, whitepages

VENDORS = (leadfeeder, insideview, whitepages, leaf)


def api(vendor: ModuleType) -> ModuleType:
    """The vendor's `api` module: its data, routes and handlers (`build`) and its ground truth (`truth`)."""
    return importlib.import_module(f"{vendor.__name__}.api")
