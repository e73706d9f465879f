#!/usr/bin/env python
"""Write README's unseen-survey results table from a ``benchmarks/unseen.py`` report.

Usage::

    python benchmarks/compare.py --unseen --out docs/runs/unseen/report.md
    python benchmarks/readme_results.py docs/runs/unseen/report.md [--readme README.md] [--check]

The report's "Mean over the N unseen surveys" table and its "Margin of the default
method" table are rewritten as README's table between the markers
``<!-- unseen-results:begin -->`` and ``<!-- unseen-results:end -->``: the best figure
of each pattern in bold, the margins in one line under it, the report's date and
command named.  Nothing is typed by hand, so README and the benchmark cannot drift;
``--check`` exits 1 (and prints the difference) when README is not what the report
gives; a test runs it on the recorded report, ``docs/runs/unseen/report.md``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

BEGIN = "<!-- unseen-results:begin -->"
END = "<!-- unseen-results:end -->"

#: Pattern names in the report's column headers -> README's column headers.
PATTERN_LABELS = {
    "random50": "random 50 %",
    "regular2": "every 2nd",
    "gap8": "gap 8",
    "random70": "random 70 %",
    "gap16": "gap 16",
}


def _table_after(lines: list[str], heading_prefix: str) -> list[list[str]]:
    """Rows (cells stripped, header first, separator dropped) of the first table after a heading."""
    start = next((i for i, line in enumerate(lines) if line.lstrip("#").strip().startswith(heading_prefix)), None)
    if start is None:
        raise SystemExit(f"readme_results: no heading starting {heading_prefix!r} in the report")
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            break
    if len(rows) < 2:
        raise SystemExit(f"readme_results: the table under {heading_prefix!r} is empty")
    return rows


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace("−", "-").strip("*"))
    except ValueError:
        return None


def _fmt(cell: str) -> str:
    """Report cell -> README cell (typographic minus)."""
    return cell.replace("-", "−") if _number(cell) is not None else cell


def render(report: str) -> str:
    """The README block (markers included) for a report's text."""
    lines = report.splitlines()
    means = _table_after(lines, "Mean over the")
    margins = _table_after(lines, "Margin of the default method")
    n_surveys = re.search(r"#+ Mean over the (\d+)", report)
    date = re.search(r"^Date: (.+?)\s*$", report, flags=re.M)
    command = re.search(r"^Command: `(.+?)`", report, flags=re.M)
    header, body = means[0], means[1:]
    columns = range(1, len(header))
    best = {}
    for c in columns:
        values = [v for v in (_number(row[c]) for row in body) if v is not None]
        best[c] = max(values) if values else None
    out = [BEGIN, ""]
    out.append(
        f"Mean missing-trace SNR (dB) over the {n_surveys.group(1) if n_surveys else '?'} surveys no "
        f"shipped model saw, from `{command.group(1) if command else 'python benchmarks/compare.py --unseen'}`"
        f" ({date.group(1) if date else 'undated'}; written by `python benchmarks/readme_results.py`; "
        "per-survey tables in [docs/benchmarks.md](docs/benchmarks.md)):"
    )
    out.append("")
    out.append("| " + " | ".join([header[0]] + [PATTERN_LABELS.get(h, h) for h in header[1:]]) + " |")
    out.append("|" + "---|" * len(header))
    for row in body:
        cells = [row[0]]
        for c in columns:
            v = _number(row[c])
            text = _fmt(row[c])
            cells.append(f"**{text}**" if v is not None and v == best[c] else text)
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    margin_text = []
    for row in margins[1:]:
        pattern, default, best_classical, mean_margin, worst = row[:5]
        margin_text.append(
            f"{PATTERN_LABELS.get(pattern, pattern)} {_fmt(mean_margin)} dB over {best_classical.split()[0]}"
            f" (worst survey {_fmt(worst.split()[0])})"
        )
    out.append("Margin of the default over the best classical method per pattern: " + "; ".join(margin_text) + ".")
    out.extend(["", END])
    return "\n".join(out)


def rewrite(readme: str, block: str) -> str:
    """README text with the block between the markers replaced."""
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"readme_results: README has no {BEGIN} ... {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("report", type=Path, help="markdown report written by benchmarks/unseen.py --out")
    p.add_argument("--readme", type=Path, default=Path(__file__).resolve().parents[1] / "README.md")
    p.add_argument("--check", action="store_true", help="do not write; exit 1 if README differs")
    args = p.parse_args(argv)
    old = args.readme.read_text()
    new = rewrite(old, render(args.report.read_text()))
    if args.check:
        if new != old:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "README", "report"))
            return 1
        return 0
    if new != old:
        tmp = args.readme.with_suffix(".md.tmp")
        tmp.write_text(new)
        tmp.replace(args.readme)
    print(f"{args.readme}: unseen-results table {'rewritten' if new != old else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
