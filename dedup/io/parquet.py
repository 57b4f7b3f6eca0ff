"""Parquet exports, read a batch of rows at a time (pyarrow, an optional extra).

Rows come back as plain JSON-able dicts (timestamps as ISO strings) so they map to
articles and write back to the annotated output like any JSON record.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from dedup.errors import InputError
from dedup.io.items import RAW_CHARS, Item

_BATCH_ROWS = 1024


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet
    except ImportError as exc:
        raise InputError(
            "Parquet input needs the 'parquet' extra: pip install 'dedup[parquet]'"
        ) from exc
    return pyarrow.parquet


def _jsonable(value: object) -> object:
    """A Parquet cell as JSON: datetimes as ISO text, decimals as text, bytes as text when
    they are UTF-8 (else base64), nested lists and structs kept."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def read_parquet(stream: BinaryIO) -> Iterator[Item]:
    """One item per row, numbered from 1 (unit ``row``). A file pyarrow cannot open is
    one problem item; damage found mid-file ends it after the rows read so far."""
    parquet = _pyarrow_parquet()
    try:
        table = parquet.ParquetFile(stream)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError or its own errors
        yield Item(0, problem=f"not a readable Parquet file: {exc}", unit="file")
        return
    number = 0
    try:
        for batch in table.iter_batches(batch_size=_BATCH_ROWS):
            for row in batch.to_pylist():
                number += 1
                value = {str(key): _jsonable(cell) for key, cell in row.items()}
                raw = json.dumps(value, ensure_ascii=False, default=str)[:RAW_CHARS]
                yield Item(number, value, raw, unit="row")
    except Exception as exc:
        reason = f"corrupt Parquet data after row {number}: {exc}"
        yield Item(number + 1, problem=reason, unit="row")
