"""`python -m local_sync`: sync every stream into a local DuckDB file with PyAirbyte (what `make sync` runs).

Without `--config` it starts the sandbox and syncs from it; with `--config` it syncs from the real vendors.
"""
