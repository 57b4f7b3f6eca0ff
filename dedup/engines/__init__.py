"""Engines: where a scan's work runs on this machine (``local``: its cores). The Dask
engine, which spreads it over a cluster, is ``dedup.dask_engine``."""
