"""Readers and writers: the only modules that touch files.

Readers stream records and quarantine bad ones as ``Reject``; writers replace their
target atomically. Both depend on ``dedup.records`` and ``dedup.errors`` only.
"""

from dedup.io.fields import FieldMap
from dedup.io.readers import MAX_LINE_BYTES, Record, read_records
from dedup.io.writers import atomic_output, write_json, write_jsonl, write_rejects

__all__ = [
    "MAX_LINE_BYTES",
    "FieldMap",
    "Record",
    "atomic_output",
    "read_records",
    "write_json",
    "write_jsonl",
    "write_rejects",
]
