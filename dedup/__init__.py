"""dedup: find syndicated copies of news stories and point each story to its canonical source."""

__version__ = "0.1.0"
