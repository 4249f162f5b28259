"""Text cells, tables and records as text, CSV or JSON: cleaning and escaping, wrapping to
the terminal, no plan (pure functions returning strings)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from .vocabulary import CONTROL_CHARACTERS

# Every writer cleans text first: control characters (CR, LF, ESC, BEL ...; the ANSI and
# OSC sequences of terminals start with them), bidirectional overrides and zero-width marks
# become a space. Then each format escapes its own markup.
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HIDDEN = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean(text: Any) -> str:
    """Text with control, bidirectional and zero-width characters replaced by spaces."""
    return CONTROL_CHARACTERS.sub(" ", str(text))


def safe_cell(value: Any) -> Any:
    """A text cell cleaned, and escaped (a leading ') when a spreadsheet would read it as a
    formula, even after leading spaces or with a full-width sign."""
    if isinstance(value, str):
        value = clean(value)
        if value.lstrip().startswith(FORMULA_START):
            return "'" + value
    return value


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


def terminal_width() -> int:
    """The width terminal views fit: ``COLUMNS`` when set to a number, else 100."""
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) >= 40 else 100


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


def text_table(rows: Sequence[dict[str, Any]], columns: Sequence[str],
               headers: Sequence[str] | None = None, width: int | None = None,
               shrink: Sequence[str] = (), drop: Sequence[str] = (), least: int = 24) -> str:
    """Fixed-width text table; numbers right-aligned. Given ``width``, the columns named in
    ``shrink`` are shortened (to ``least`` characters at least) and then those in ``drop``
    left out, in that order, until every line fits; the last resort shortens to 12."""
    named = dict(zip(columns, headers or columns, strict=True))
    cells = {c: [_format(row.get(c, "")) for row in rows] for c in columns}
    numeric = {c: rows != [] and all(isinstance(row.get(c), int | float)
                                     and not isinstance(row.get(c), bool) for row in rows)
               for c in columns}
    full = {c: max([len(named[c]), *map(len, cells[c])]) for c in columns}
    shown, widths = list(columns), dict(full)
    for dropped in range(len(drop) + 2 if width else 0):
        shown = [c for c in columns if c not in drop[:dropped]]
        widths = _shrunk({c: full[c] for c in shown}, [c for c in shrink if c in shown],
                         width or 0, least if dropped <= len(drop) else 12)
        if sum(widths.values()) + 2 * (len(shown) - 1) <= (width or 0):
            break

    def line(values: Sequence[str]) -> str:
        return "  ".join(shorten(v, widths[c]).rjust(widths[c]) if numeric[c]
                         else shorten(v, widths[c]).ljust(widths[c])
                         for v, c in zip(values, shown, strict=True)).rstrip()
    out = [line([named[c] for c in shown]), line(["-" * widths[c] for c in shown])]
    out += [line([cells[c][i] for c in shown]) for i in range(len(rows))]
    return "\n".join(out) + "\n"


def _shrunk(widths: dict[str, int], shrink: list[str], width: int,
            least: int) -> dict[str, int]:
    """Column widths with the shrinkable ones cut, widest first, until the line fits."""
    widths = dict(widths)
    excess = sum(widths.values()) + 2 * (len(widths) - 1) - width
    while excess > 0:
        room = [c for c in shrink if widths[c] > least]
        if not room:
            break
        widest = max(room, key=lambda c: widths[c])
        second = max([widths[c] for c in room if c != widest] + [least])
        cut = min(excess, widths[widest] - second) or 1
        widths[widest] -= cut
        excess -= cut
    return widths


def wrapped(text: str, width: int) -> str:
    """Lines longer than ``width`` wrapped at words; continuation lines keep a comment's
    ``#`` and indent under a list item or heading."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        lead = re.match(r"#\s*|\s*(?:- \[ \] |[-*] |\d+\. )?", line)
        prefix = lead.group() if lead else ""
        indent = ("#" + " " * (len(prefix) + 1) if prefix.startswith("#")
                  else " " * len(prefix) + "  ")
        out.append(textwrap.fill(line, width, subsequent_indent=indent,
                                 break_long_words=True, break_on_hyphens=False))
    return "\n".join(out)


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV with formula-like cells escaped."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: safe_cell(_csv_value(row.get(c))) for c in columns})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def json_text(data: Any) -> str:
    """Stable, indented JSON (NaN becomes null); characters that hide or reorder text
    (C1 controls, bidirectional overrides, zero-width marks) are written as \\uXXXX escapes,
    so the data stays the same and a viewer shows them."""
    text = json.dumps(_json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)
    return HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value


# --- plans (rendered from the plan's JSON data, so saved plans render the same) ------------
