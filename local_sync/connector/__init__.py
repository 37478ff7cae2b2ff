"""The connector as a process: its config, catalog, run files, messages and progress, and the sandbox it may read."""
