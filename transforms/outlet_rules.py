"""Extra line rules per outlet, from a TOML file users edit without touching code.

Format (see config/outlet_rules.toml)::

    [[outlet."presstv.ir"]]
    id = "presstv_roku"
    description = "Press TV app links in the footer"
    pattern = "^Press TV News (Roku|App)$"
    kind = "boilerplate"        # optional: boilerplate (default) | paywall | caption
    max_chars = 200             # optional: longer lines are never matched
"""

from __future__ import annotations

import re
import tomllib

from transforms.rules import KINDS, LineRule

__all__ = ["parse_outlet_rules"]

_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_KEYS = {"id", "description", "pattern", "kind", "max_chars"}


def parse_outlet_rules(toml_text: str) -> dict[str, tuple[LineRule, ...]]:
    """``{outlet: (LineRule, ...)}``; a malformed rule raises ValueError naming the outlet and the rule."""
    try:
        doc = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"outlet rules: not valid TOML: {exc}") from exc
    outlets = doc.get("outlet", {})
    if not isinstance(outlets, dict):
        raise ValueError('outlet rules: expected [[outlet."<name>"]] tables')
    out: dict[str, tuple[LineRule, ...]] = {}
    for outlet, entries in outlets.items():
        if not isinstance(entries, list):
            raise ValueError(f'outlet {outlet!r}: expected an array of tables [[outlet."{outlet}"]]')
        rules = []
        for n, entry in enumerate(entries, 1):
            rid = entry.get("id", f"#{n}")
            where = f"outlet {outlet!r}, rule {rid!r}"
            unknown = set(entry) - _KEYS
            if unknown:
                raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
            if not isinstance(rid, str) or not _ID.match(rid):
                raise ValueError(f"{where}: id must be lower_snake_case (2-64 chars)")
            pattern = entry.get("pattern")
            if not isinstance(pattern, str) or not pattern:
                raise ValueError(f"{where}: pattern (a regular expression) is required")
            kind = entry.get("kind", "boilerplate")
            if kind not in KINDS:
                raise ValueError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
            max_chars = entry.get("max_chars", 200)
            if not isinstance(max_chars, int) or not 1 <= max_chars <= 10_000:
                raise ValueError(f"{where}: max_chars must be an integer in 1..10000")
            try:
                rule = LineRule(rid, str(entry.get("description", "")), kind, pattern, max_chars=max_chars)
            except re.error as exc:
                raise ValueError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc
            rules.append(rule)
        out[str(outlet)] = tuple(rules)
    return out
