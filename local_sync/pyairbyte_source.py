"""The connector as a PyAirbyte source (the PostgreSQL path), run as its own process from this venv."""

from typing import Any, Literal

import airbyte
from airbyte_protocol.models import ConfiguredAirbyteCatalog, SyncMode

from local_sync.connector_process import NAME, executable


class UsageSource(airbyte.Source):
    """PyAirbyte's Source, asking each stream only for a sync mode the stream supports.

    PyAirbyte 0.71 configures every stream as incremental; the Airbyte protocol allows only the modes a
    stream declares, so full-refresh streams are asked for full refresh (the connector would read them in
    full anyway, but the catalog then says what happens).
    """

    def get_configured_catalog(
        self, streams: Literal["*"] | list[str] | None = None, *, force_full_refresh: bool = False
    ) -> ConfiguredAirbyteCatalog:
        catalog = super().get_configured_catalog(streams, force_full_refresh=force_full_refresh)
        for configured in catalog.streams:
            if SyncMode.incremental not in (configured.stream.supported_sync_modes or []):
                configured.sync_mode = SyncMode.full_refresh
        return catalog


def usage_source(config: dict[str, Any]) -> UsageSource:
    """Every stream the config provides, selected."""
    plain = airbyte.get_source(NAME, config=config, local_executable=executable())
    source = UsageSource(executor=plain.executor, name=NAME, config=config)
    source.select_all_streams()
    return source
