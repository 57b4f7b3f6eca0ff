"""The Dask engine: ``driver`` (the client side of a scan: futures, the two shuffles, the
driver's bookkeeping) and ``tasks`` (what the workers run). Importing it imports Dask, an
optional extra (``pip install 'dedup[dask]'``); the pipeline imports it only for
``RunOptions(engine="dask")``."""
