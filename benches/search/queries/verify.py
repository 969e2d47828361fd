#!/usr/bin/env python3
"""Check the search query sets in this folder against their OpenAPI specs.

Usage: python3 verify.py [SPECS_DIR]

SPECS_DIR defaults to ../../../../shared/specs relative to this script
(i.e. /work/shared/specs). Every <stem>.tsv here is checked against the spec
file <stem>.json / <stem>.yaml / <stem>.yml in SPECS_DIR:

  * UTF-8, trailing newline, header line exactly "query<TAB>gold"
  * every row has exactly two tab-separated, non-empty fields
  * no duplicate queries (case- and whitespace-insensitive)
  * gold is one or more "METHOD /path" entries joined by " | ", with no
    entry repeated in a row, and every entry is an operation of the spec
    (methods get/put/post/delete/patch/head/options/trace under `paths`)

Prints one line per set and exits 1 on any problem. Python 3.11, stdlib only;
YAML specs are read with PyYAML when it is importable, otherwise with a small
indentation-based reader that only extracts the keys under `paths`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
HEADER = "query\tgold"
GOLD_SEP = " | "
ENTRY_RE = re.compile(r"^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) (/\S*)$")


# --------------------------------------------------------------------------
# spec loading


def _unquote(key: str) -> str:
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] == "'":
        return key[1:-1].replace("''", "'")
    if len(key) >= 2 and key[0] == key[-1] == '"':
        return json.loads(key)
    return key


def _split_key(line: str) -> str | None:
    """Return the mapping key of a block-style YAML line, or None."""
    s = line.strip()
    if not s or s.startswith("#") or s.startswith("- "):
        return None
    if s[0] in "'\"":
        q = s[0]
        i = 1
        while i < len(s):
            if s[i] == q:
                if q == "'" and i + 1 < len(s) and s[i + 1] == "'":
                    i += 2
                    continue
                if q == '"' and s[i - 1] == "\\":
                    i += 1
                    continue
                break
            i += 1
        rest = s[i + 1 :]
        if not rest.startswith(":"):
            return None
        return _unquote(s[: i + 1])
    m = re.match(r"^([^:#]+?):(\s|$)", s)
    return m.group(1) if m else None


def _yaml_paths_fallback(text: str) -> dict[str, set[str]]:
    """Extract {path: {methods}} from a block-style YAML OpenAPI document."""
    lines = text.splitlines()
    out: dict[str, set[str]] = {}
    in_paths = False
    path_indent = None
    method_indent = None
    current = None
    for raw in lines:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent == 0:
            in_paths = _split_key(raw) == "paths"
            path_indent = method_indent = current = None
            continue
        if not in_paths:
            continue
        if path_indent is None:
            path_indent = indent
        if indent < path_indent:
            continue
        if indent == path_indent:
            key = _split_key(raw)
            if key is not None:
                current = key
                out.setdefault(current, set())
                method_indent = None
            continue
        if current is None:
            continue
        if method_indent is None:
            method_indent = indent
        if indent == method_indent:
            key = _split_key(raw)
            if key is not None and key.lower() in METHODS and key == key.lower():
                out[current].add(key)
    return out


def load_operations(spec: Path) -> set[str]:
    text = spec.read_text(encoding="utf-8")
    if spec.suffix == ".json":
        doc = json.loads(text)
        paths = {p: {m for m in METHODS if m in (item or {})} for p, item in doc["paths"].items()}
    else:
        try:
            import yaml  # type: ignore

            doc = yaml.safe_load(text)
            paths = {
                str(p): {m for m in METHODS if m in (item or {})}
                for p, item in doc["paths"].items()
            }
        except ImportError:
            paths = _yaml_paths_fallback(text)
    return {f"{m.upper()} {p}" for p, ms in paths.items() for m in ms}


def find_spec(specs_dir: Path, stem: str) -> Path | None:
    for ext in (".json", ".yaml", ".yml"):
        cand = specs_dir / (stem + ext)
        if cand.is_file():
            return cand
    return None


# --------------------------------------------------------------------------
# checking


def check_set(tsv: Path, specs_dir: Path) -> tuple[list[str], str]:
    problems: list[str] = []
    name = tsv.name
    spec = find_spec(specs_dir, tsv.stem)
    if spec is None:
        return [f"{name}: no spec {tsv.stem}.json/.yaml/.yml in {specs_dir}"], ""
    ops = load_operations(spec)

    raw = tsv.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"{name}: not UTF-8 ({e})"], ""
    if text.startswith("\ufeff"):
        problems.append(f"{name}: starts with a byte-order mark")
        text = text[1:]
    if not text.endswith("\n"):
        problems.append(f"{name}: no trailing newline")
    if "\r" in text:
        problems.append(f"{name}: contains carriage returns")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        problems.append(f"{name}: header must be {HEADER!r}, got {lines[0] if lines else ''!r}")

    seen: dict[str, int] = {}
    n_queries = n_entries = 0
    distinct: set[str] = set()
    for lineno, line in enumerate(lines[1:], start=2):
        where = f"{name}:{lineno}"
        if not line.strip():
            problems.append(f"{where}: empty line")
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            problems.append(f"{where}: expected 2 tab-separated fields, got {len(fields)}")
            continue
        query, gold = fields
        if not query.strip() or query != query.strip():
            problems.append(f"{where}: empty query or surrounding whitespace")
        norm = " ".join(query.lower().split())
        if norm in seen:
            problems.append(f"{where}: duplicate query (first at line {seen[norm]}): {query!r}")
        else:
            seen[norm] = lineno
        n_queries += 1
        entries = gold.split(GOLD_SEP)
        if len(set(entries)) != len(entries):
            problems.append(f"{where}: repeated gold entry")
        for entry in entries:
            n_entries += 1
            if not ENTRY_RE.match(entry):
                problems.append(f"{where}: malformed gold entry {entry!r} (want 'METHOD /path')")
                continue
            if entry not in ops:
                problems.append(f"{where}: gold {entry!r} is not an operation of {spec.name}")
                continue
            distinct.add(entry)
    summary = (
        f"{tsv.stem}: {n_queries} queries, {n_entries} gold entries, "
        f"{len(distinct)} distinct ops, spec has {len(ops)} operations"
    )
    return problems, summary


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    specs_dir = Path(argv[1]) if len(argv) > 1 else (here / "../../../../shared/specs").resolve()
    if not specs_dir.is_dir():
        print(f"specs folder not found: {specs_dir}", file=sys.stderr)
        return 1
    sets = sorted(here.glob("*.tsv"))
    if not sets:
        print(f"no .tsv query sets in {here}", file=sys.stderr)
        return 1
    all_problems: list[str] = []
    for tsv in sets:
        problems, summary = check_set(tsv, specs_dir)
        status = "OK  " if not problems else "FAIL"
        print(f"{status} {summary or tsv.name}")
        all_problems += problems
    for p in all_problems:
        print(f"  problem: {p}", file=sys.stderr)
    if all_problems:
        print(f"{len(all_problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"all {len(sets)} sets pass")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
