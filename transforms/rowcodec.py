"""Frame rows <-> self-describing bytes, for key-value stores (the history index keeps one blob per doc).

A blob is a JSON header (the row's scalar values, and the dtype and length of each list value) followed
by the lists' raw little-endian bytes. No pickle: a shared store cannot make a reader run code.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl

__all__ = ["encode_rows", "decode_rows"]

_NUMPY = {pl.UInt64: "<u8", pl.UInt32: "<u4", pl.Int64: "<i8", pl.Int32: "<i4", pl.Float64: "<f8"}


def _list_columns(schema: pl.Schema | dict) -> dict[str, str]:
    out = {}
    for name, dtype in schema.items():
        if isinstance(dtype, pl.List):
            inner = dtype.inner
            code = next((v for k, v in _NUMPY.items() if inner == k), None)
            if code is None:
                raise TypeError(f"column {name}: list of {inner} is not supported")
            out[name] = code
    return out


def encode_rows(df: pl.DataFrame) -> list[bytes]:
    """One blob per row, in row order."""
    lists = _list_columns(df.schema)
    scalar_cols = [c for c in df.columns if c not in lists]
    scalars = df.select(
        [
            pl.col(c).dt.epoch("us") if isinstance(df.schema[c], pl.Datetime) else pl.col(c)
            for c in scalar_cols
        ]
    ).rows()
    flat = {}
    for name, code in lists.items():
        col = df.get_column(name)
        lengths = col.list.len().fill_null(0).to_numpy()
        values = col.explode().drop_nulls().to_numpy().astype(code) if lengths.sum() else np.zeros(0, code)
        flat[name] = (values, np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64))
    blobs = []
    for i, row in enumerate(scalars):
        parts = [(name, values[offs[i] : offs[i + 1]]) for name, (values, offs) in flat.items()]
        header = json.dumps({"s": row, "l": [len(p) for _, p in parts]}, separators=(",", ":")).encode()
        blobs.append(len(header).to_bytes(4, "little") + header + b"".join(p.tobytes() for _, p in parts))
    return blobs


def decode_rows(blobs: list[bytes], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frame that ``encode_rows`` encoded, with ``schema`` (same columns, same order)."""
    lists = _list_columns(schema)
    scalar_cols = [c for c in schema if c not in lists]
    scalars: list[list] = []
    values: dict[str, list[np.ndarray]] = {name: [] for name in lists}
    for blob in blobs:
        n = int.from_bytes(blob[:4], "little")
        header = json.loads(blob[4 : 4 + n])
        scalars.append(header["s"])
        pos = 4 + n
        for (name, code), length in zip(lists.items(), header["l"], strict=True):
            size = np.dtype(code).itemsize * length
            values[name].append(np.frombuffer(blob, dtype=code, count=length, offset=pos))
            pos += size
    frame = pl.DataFrame(scalars, schema=[(c, _wire_dtype(schema[c])) for c in scalar_cols], orient="row")
    frame = frame.with_columns(
        [
            pl.from_epoch(pl.col(c), time_unit="us").dt.replace_time_zone(schema[c].time_zone)
            for c in scalar_cols
            if isinstance(schema[c], pl.Datetime)
        ]
    )
    for name in lists:
        frame = frame.with_columns(pl.Series(name, values[name], dtype=schema[name]))
    return frame.select(list(schema)).cast(schema)


def _wire_dtype(dtype: pl.DataType) -> pl.DataType:
    return pl.Int64() if isinstance(dtype, pl.Datetime) else dtype
