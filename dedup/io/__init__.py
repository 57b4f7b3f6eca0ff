"""Readers and writers: the only modules that touch files.

Readers stream records from every supported format (``sources`` resolves paths and URLs,
``compression`` decompresses by content with caps, one module per format parses) and
quarantine bad ones as ``Reject``; writers replace their target atomically.
"""

from dedup.io.compression import DecompressionLimits
from dedup.io.fields import FieldMap
from dedup.io.readers import MAX_LINE_BYTES, MAX_PAGE_BYTES, ReadOptions, Record, read_records
from dedup.io.writers import atomic_output, write_json, write_jsonl, write_rejects

__all__ = [
    "MAX_LINE_BYTES",
    "MAX_PAGE_BYTES",
    "DecompressionLimits",
    "FieldMap",
    "ReadOptions",
    "Record",
    "atomic_output",
    "read_records",
    "write_json",
    "write_jsonl",
    "write_rejects",
]
