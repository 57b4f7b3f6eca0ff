"""Engines: where the per-batch work of a scan runs (``local``: this machine's cores)."""
