"""``wirewash explain PATH``: one document, each line marked kept or removed and by which rule."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import polars as pl

from flows.configs import clean_config, load_outlet_rules
from flows.params import CleanNewsParams
from flows.readers import SUFFIXES, ReadLimits, is_input_name, read_file
from flows.store import OutputLayout
from transforms.clean import clean_records, explained_lines, format_explain
from transforms.linestats import repeated_lines
from transforms.schema import RECORD_SCHEMA

__all__ = ["explain_path"]


def _root_for(path: Path, raw_root: Path) -> Path:
    path, raw_root = path.resolve(), raw_root.resolve()
    return raw_root if path.is_relative_to(raw_root) else path.parent


def _repeated_hashes(out_dir: Path, source: str, params: CleanNewsParams) -> frozenset[int]:
    """The outlet's boilerplate lines as the last runs learnt them (empty before the first run)."""
    lf = OutputLayout(out_dir).scan("_state/linestats")
    if lf is None:
        return frozenset()
    evidence = lf.filter(pl.col("source") == source).collect()
    return frozenset(repeated_lines(evidence, clean_config(params).linestats())["line_hash"].to_list())


def explain_path(
    path: Path,
    *,
    line: int | None,
    raw_root: Path,
    out_dir: Path,
    out: TextIO,
    params: CleanNewsParams | None = None,
) -> int:
    params = params or CleanNewsParams(raw_dir=str(raw_root), out_dir=str(out_dir))
    if not path.is_file():
        out.write(f"not a file: {path}\n")
        return 2
    root = _root_for(path, raw_root)
    if not is_input_name(path.name):  # as the run records it: never read
        out.write(f"{path}: rejected at reading: unsupported_type (not one of {', '.join(SUFFIXES)})\n")
        return 1
    rows, rejects = read_file(root, path.resolve(), ReadLimits())
    if line is not None:
        rows = [r for r in rows if r["source_line"] == line]
        rejects = [r for r in rejects if r["source_line"] in (line, None)]
    if not rows:
        for r in rejects:
            where = f":{r['source_line']}" if r["source_line"] else ""
            out.write(f"{r['source_path']}{where}: rejected at reading: {r['reason']} ({r['detail']})\n")
        if not rejects:
            out.write(f"{path}: no record{'' if line is None else f' at line {line}'}\n")
        return 1
    record = rows[0]
    config = clean_config(params)
    rules = load_outlet_rules(params.outlet_rules).get(record["source"] or "", ())
    repeated = _repeated_hashes(out_dir, record["source"] or "", params)
    frame = pl.DataFrame([record], schema=RECORD_SCHEMA, orient="row")
    repeated_frame = pl.DataFrame(
        {"source": [record["source"]] * len(repeated), "line_hash": list(repeated)},
        schema={"source": pl.String, "line_hash": pl.UInt64},
    )
    # the run's own cleaning of the record: the lines, the title and the verdict all come from this one row
    row = clean_records(frame, config, {record["source"]: rules} if rules else {}, repeated_frame).row(
        0, named=True
    )
    lines = explained_lines(record["raw_text"], {r["line"]: r["rule"] for r in row["removed"]})
    where = "" if record["source_line"] is None else f":{record['source_line']}"
    verdict = (
        f"REJECTED too_short: {row['reject_detail']}"
        if row["reject_detail"] is not None
        else f"kept, {row['clean_chars']} characters"
    )
    out.write(
        f"{record['source_path']}{where}  doc_id={record['doc_id']}  source={record['source']}  "
        f"format={record['format']}\n"
    )
    out.write(f"title: {row['title']!r}   verdict: {verdict}\n")
    out.write(
        f"kept {sum(e.kept for e in lines)} lines, removed {sum(bool(e.rule_id) for e in lines)}"
        f"  (+ kept, - removed with rule id, · blank)\n\n"
    )
    out.write(format_explain(lines) + "\n")
    return 0
