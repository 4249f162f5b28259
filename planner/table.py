"""Reading user CSV tables safely: encoding, shape and typed columns, with row-level messages.

Every loader (foods, supplements, pantry) reads through here so that a broken file gets the
same kind of message: the file, the line, the column and what would fix it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, did_you_mean
from .inputs import InputRefused, read_bounded
from .vocabulary import CONTROL_CHARACTERS

MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000
TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f", ""}


def _check_records(text: str, path: Path) -> None:
    """Every record has as many cells as the header, whose names are unique; read record by
    record (a table's rows are never all held as Python lists)."""
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(records, [])]
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            raise DataError(f"{path}: column(s) {', '.join(map(repr, twice))} appear more than "
                            "once", "keep one column of each name")
        for number, row in enumerate(records, start=2):
            if row and len(row) != len(header):
                raise DataError(f"{path}: malformed CSV: record {number} has {len(row)} cells, "
                                f"the header has {len(header)}",
                                "every line needs the same number of comma-separated cells")
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})",
                        "save the file as CSV with one record per line") from None


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV (BOM allowed) as strings, rejecting empty, binary or huge files."""
    try:
        raw = read_bounded(path, MAX_BYTES)
    except InputRefused as exc:
        raise DataError(str(exc), "split the table or keep only the foods you plan with; "
                        "name a regular file") from None
    except FileNotFoundError:
        raise DataError(f"{path}: file not found", "check the path") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a CSV file", "name a .csv file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise DataError(f"{path}: contains NUL bytes; this is not a text CSV file",
                        "export the table as CSV (UTF-8)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 (byte {exc.start}: {raw[exc.start]:#x})",
                        "save the file as UTF-8 CSV") from None
    if not text.strip():
        raise DataError(f"{path}: file is empty", "the first line must name the columns")
    _check_records(text, path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataError(f"{path}: malformed CSV ({str(exc).strip()})",
                        "every line needs the same number of comma-separated cells") from None
    if len(frame) > MAX_ROWS:
        raise DataError(f"{path}: {len(frame):,} rows; the limit is {MAX_ROWS:,}",
                        "keep only the rows you plan with")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def line_of(index: int) -> int:
    """CSV line number (header is line 1) of a 0-based row position."""
    return index + 2


def describe_rows(frame: pd.DataFrame, mask: pd.Series, id_column: str = "id",
                  limit: int = 5) -> str:
    """Short list of offending rows: ``line 4 (id 'x'), line 9 (id 'y') and 3 more``."""
    positions = [i for i, bad in enumerate(mask.to_numpy()) if bad]
    parts = []
    for pos in positions[:limit]:
        label = frame.iloc[pos][id_column] if id_column in frame.columns else ""
        parts.append(f"line {line_of(pos)} ({id_column} {label!r})" if label != "" else
                     f"line {line_of(pos)}")
    more = len(positions) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def check_columns(frame: pd.DataFrame, path: Path, required: Iterable[str],
                  optional: Iterable[str]) -> list[str]:
    """Problems with the header: missing, unknown or duplicate column names."""
    problems = []
    known = [*required, *optional]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(missing)}")
    for name in frame.columns:
        if name not in known:
            close = did_you_mean(str(name), known)
            hint = f" ({close})" if close else ""
            problems.append(f"{path}: unknown column {name!r}{hint}")
    return problems


def parse_numbers(frame: pd.DataFrame, column: str, path: Path, low: float, high: float,
                  required: bool = True, id_column: str = "id") -> tuple[pd.Series, list[str]]:
    """Column as floats within [low, high]; empty cells are NaN (an error when required)."""
    text = frame[column].str.strip()
    values = pd.to_numeric(text, errors="coerce")
    problems = []
    empty = text == ""
    not_number = ~empty & values.isna()
    if not_number.any():
        problems.append(f"{path}: column {column!r} is not a number at "
                        f"{describe_rows(frame, not_number, id_column)}")
    if required and empty.any():
        problems.append(f"{path}: column {column!r} is empty at "
                        f"{describe_rows(frame, empty, id_column)}")
    finite = pd.Series(~np.isinf(values.to_numpy(dtype=float)), index=values.index)
    if (~finite).any():
        problems.append(f"{path}: column {column!r} is infinite at "
                        f"{describe_rows(frame, ~finite, id_column)}")
    out_of_range = finite & values.notna() & ((values < low) | (values > high))
    if out_of_range.any():
        problems.append(f"{path}: column {column!r} must be between {low:g} and {high:g} at "
                        f"{describe_rows(frame, out_of_range, id_column)}")
    return values.astype(float), problems


def parse_booleans(frame: pd.DataFrame, column: str, path: Path,
                   id_column: str = "id") -> tuple[pd.Series, list[str]]:
    """Column as booleans from true/false, yes/no or 1/0 (empty is false)."""
    text = frame[column].str.strip().str.lower()
    bad = ~text.isin(TRUE_WORDS | FALSE_WORDS)
    problems = []
    if bad.any():
        problems.append(f"{path}: column {column!r} must be true or false at "
                        f"{describe_rows(frame, bad, id_column)}")
    return text.isin(TRUE_WORDS), problems


def check_ids(frame: pd.DataFrame, path: Path, id_column: str = "id") -> list[str]:
    """Ids must be present, unique and plain (no spaces, no formula characters)."""
    problems = []
    ids = frame[id_column].str.strip()
    empty = ids == ""
    if empty.any():
        problems.append(f"{path}: {id_column} is empty at {describe_rows(frame, empty, id_column)}")
    duplicated = ids.duplicated(keep=False) & ~empty
    if duplicated.any():
        problems.append(f"{path}: duplicate {id_column} at "
                        f"{describe_rows(frame, duplicated, id_column)}")
    odd = ~empty & ~ids.str.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
    if odd.any():
        problems.append(f"{path}: {id_column} must be letters, digits, '.', '_' or '-' "
                        f"(at most 80) at {describe_rows(frame, odd, id_column)}")
    return problems


def check_text(frame: pd.DataFrame, columns: Iterable[str], path: Path,
               id_column: str = "id") -> list[str]:
    """Text cells may not hold control characters (line breaks, escapes), bidirectional
    overrides or zero-width marks: they would forge lines or hide text in every output."""
    problems = []
    for column in columns:
        if column not in frame.columns:
            continue
        bad = frame[column].str.contains(CONTROL_CHARACTERS, regex=True)
        if bad.any():
            problems.append(f"{path}: column {column!r} holds a control, bidirectional or "
                            f"zero-width character at {describe_rows(frame, bad, id_column)}; "
                            "remove it")
    return problems


def raise_problems(path: Path, problems: list[str], what: str) -> None:
    """Raise one DataError listing every problem found, or return if there are none."""
    if problems:
        listing = "\n  ".join(problems)
        raise DataError(f"{path}: {len(problems)} problem(s) in the {what}:\n  {listing}",
                        f"correct the {what} and run `planner foods check {path}`"
                        if what == "food table" else f"correct the {what}")
