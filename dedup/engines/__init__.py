"""Engines: where a scan's work runs (``local``: this machine's cores; ``dask_engine``:
a Dask cluster, its tasks in ``dask_tasks``)."""
