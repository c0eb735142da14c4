"""``wirewash explain PATH``: one document, each line marked kept or removed and by which rule."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import polars as pl

from flows.configs import clean_config, load_outlet_rules
from flows.params import CleanNewsParams
from flows.readers import ReadLimits, read_file
from flows.store import OutputLayout
from transforms.clean import clean_frame, explain, format_explain
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
    lines = explain(
        record["raw_text"],
        title=record["title"],
        config=config,
        extra_rules=rules,
        repeated=repeated,
        fmt=record["format"],
    )
    frame = pl.DataFrame([record], schema=RECORD_SCHEMA, orient="row")
    repeated_frame = pl.DataFrame(
        {"source": [record["source"]] * len(repeated), "line_hash": list(repeated)},
        schema={"source": pl.String, "line_hash": pl.UInt64},
    )
    articles, rejected = clean_frame(
        frame, config, {record["source"]: rules} if rules else {}, repeated_frame
    )
    where = "" if record["source_line"] is None else f":{record['source_line']}"
    verdict = (
        f"REJECTED {rejected['reason'][0]}: {rejected['detail'][0]}"
        if rejected.height
        else f"kept, {articles['clean_chars'][0]} characters"
    )
    title = articles["title"][0] if articles.height else record["title"]
    out.write(
        f"{record['source_path']}{where}  doc_id={record['doc_id']}  source={record['source']}  "
        f"format={record['format']}\n"
    )
    out.write(f"title: {title!r}   verdict: {verdict}\n")
    out.write(
        f"kept {sum(e.kept for e in lines)} lines, removed {sum(bool(e.rule_id) for e in lines)}"
        f"  (+ kept, - removed with rule id, · blank)\n\n"
    )
    out.write(format_explain(lines) + "\n")
    return 0
