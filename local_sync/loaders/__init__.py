"""The databases a sync loads into (DuckDB, PostgreSQL): tables, states and windows, behind loaders/base.py."""
