"""Human-readable and JSON output for the CLI."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (UTF-8, stable key order)."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(rows: list[list[str]], headers: list[str]) -> None:
    """Print a simple aligned table (CJK characters count as two columns)."""
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    columns = [headers, *rows]
    sizes = [max(width(str(r[i])) for r in columns) for i in range(len(headers))]
    for n, row in enumerate(columns):
        print("  ".join(str(c) + " " * (sizes[i] - width(str(c))) for i, c in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * s for s in sizes))


def warning(message: str) -> None:
    """A warning on stderr (the command goes on)."""
    print(f"warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    """One clear sentence on stderr."""
    print(f"error: {message}", file=sys.stderr)


def run_summary(summary: dict[str, Any]) -> None:
    """The summary of one run."""
    mode = " (dry run: nothing was written)" if summary.get("dry_run") else ""
    print(f"Run #{summary['run_id']} of '{summary['recipe']}': {summary['status']}{mode}")
    if summary.get("catch_up_since"):
        print(f"  catching up:    {summary['seen']:,} records changed while paused "
              f"(since {summary['catch_up_since']})")
    print(f"  records seen:   {summary['seen']}  (already processed, skipped: {summary['duplicates']})")
    print(f"  succeeded:      {summary['succeeded']}  (writes sent: {summary['writes']}, "
          f"unchanged: {summary['unchanged']})")
    print(f"  filtered out:   {summary['filtered']}")
    print(f"  failed:         {summary['failed']}  (will retry later: {summary['retrying']})")
    print(f"  time:           {summary['seconds']:.2f} s")
    for preview in summary.get("previews", [])[:50]:
        changes = ", ".join(f"{c['field']}: {c['current']!r} → {c['new']!r}" for c in preview["changes"]) or \
            "no change"
        print(f"  would write {preview['action']} for record {preview['record']}: {changes}")
    if summary.get("echoes") or summary.get("no_change"):
        print(f"  not changes:    {summary.get('echoes', 0)} echoes of OrderSync's own writes, "
              f"{summary.get('no_change', 0)} without a change of the watched field")
    if summary.get("tripped"):
        print(f"  paused:         the first {summary['failed']} records all failed the same way; the recipe is "
              "paused (fix it, switch it on, then: ordersync retry --all-failed)")
    if summary.get("error"):
        print(f"  error: {summary['error']}")


def compact(data: Any, *, limit: int = 300) -> str:
    """One-line JSON, trimmed."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"
