"""source_usage/declared.py reads from the manifest and spec what design.md's tables state."""

from __future__ import annotations

import copy
import subprocess
import sys

from airbyte_cdk.sources.declarative.parsers.manifest_component_transformer import ManifestComponentTransformer
from airbyte_cdk.sources.declarative.parsers.manifest_reference_resolver import ManifestReferenceResolver

from source_usage.declared import (
    CHECK_STREAMS,
    HEADER_SECRETS,
    MANIFEST,
    SECRETS,
    STREAMS,
    VENDORS,
    resolved,
    streams_of,
)


def test_the_vendors_their_required_fields_and_secrets_come_from_the_spec() -> None:
    assert {key: (vendor.title, vendor.required, vendor.secrets) for key, vendor in VENDORS.items()} == {
        "leadfeeder": ("Leadfeeder", ("api_key",), ("api_key",)),
        "insideview": ("InsideView", ("client_id", "client_secret"), ("client_secret",)),
        "whitepages": ("Whitepages", ("api_key",), ("api_key",)),
        "leaf": ("Leaf", ("username", "password"), ("password",)),
    }
    assert HEADER_SECRETS == (("leadfeeder", "api_key"), ("whitepages", "api_key"))
    assert SECRETS == (
        ("leadfeeder", "api_key"),
        ("insideview", "client_secret"),
        ("whitepages", "api_key"),
        ("leaf", "password"),
    )


def test_each_stream_has_the_vendor_and_cursor_of_the_design_table() -> None:
    assert {name: (stream.vendor, stream.cursor, stream.partitioned) for name, stream in STREAMS.items()} == {
        "accounts": ("leadfeeder", None, True),
        "api_usage": ("leadfeeder", "period", True),
        "credits": ("insideview", None, False),
        "api_transactions": ("insideview", "date", False),
        "daily_usage": ("whitepages", "date", False),
        "contracts": ("leaf", None, False),
        "contract_consumption": ("leaf", "date", True),
        "daily_consumption": ("leaf", "date", True),
        "leaf_users": ("leaf", None, False),
        "leaf_user_consumption": ("leaf", "date", True),
    }
    assert STREAMS["api_transactions"].formats == ("%Y-%m-%d", "%Y-%m", "%Y")


def test_check_reads_one_full_refresh_stream_of_every_vendor() -> None:
    assert CHECK_STREAMS == {
        "leadfeeder": "accounts",
        "insideview": "credits",
        "whitepages": "daily_usage",
        "leaf": "contracts",
    }


def test_the_own_resolver_gives_what_the_cdks_resolver_and_parameters_give() -> None:
    by_cdk = ManifestReferenceResolver().preprocess_manifest(copy.deepcopy(MANIFEST))
    assert resolved(MANIFEST) == by_cdk
    assert streams_of(ManifestComponentTransformer().propagate_types_and_parameters("", by_cdk, {})) == STREAMS
    assert list(STREAMS) == [
        "accounts",
        "api_usage",
        "credits",
        "api_transactions",
        "daily_usage",
        "contracts",
        "contract_consumption",
        "daily_consumption",
        "leaf_users",
        "leaf_user_consumption",
    ]


def test_the_declared_facts_load_without_the_cdk() -> None:
    code = "import sys, source_usage.declared, local_sync.report.text; print('airbyte_cdk' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
