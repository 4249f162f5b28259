"""B12 supplement products: discrete units of crystalline B12 (a DataFrame indexed by id)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import resources
from .table import (
    check_columns,
    check_ids,
    check_text,
    describe_rows,
    parse_numbers,
    raise_problems,
    read_csv_text,
)

ROUTES = ("oral", "sublingual", "chewable")
REQUIRED_COLUMNS = ("id", "name", "b12_ug_per_unit", "route", "units_per_pack",
                    "price_per_pack")
OPTIONAL_COLUMNS = ("currency", "price_source", "aisle")
NUMERIC_RANGES = {"b12_ug_per_unit": (0.1, 5000.0), "units_per_pack": (1.0, 10_000.0),
                  "price_per_pack": (0.0, 10_000.0)}


def load_supplements(path: Path | str | None = None) -> pd.DataFrame:
    """Load and check a supplement table; the packaged ``supplements.csv`` by default."""
    path = Path(path) if path is not None else resources.default_supplements()
    frame = read_csv_text(path)
    problems = check_columns(frame, path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    raise_problems(path, problems, "supplement table")
    for column, default in {"currency": "USD", "price_source": "", "aisle": "pharmacy"}.items():
        if column not in frame.columns:
            frame[column] = default
    table = pd.DataFrame({"id": frame["id"].str.strip(), "name": frame["name"].str.strip()})
    problems = check_ids(frame, path)
    problems += check_text(frame, ("name", "price_source", "aisle", "currency"), path)
    for column, (low, high) in NUMERIC_RANGES.items():
        table[column], found = parse_numbers(frame, column, path, low, high)
        problems += found
    table["route"] = frame["route"].str.strip().str.lower()
    bad_route = ~table["route"].isin(ROUTES)
    if bad_route.any():
        problems.append(f"{path}: route must be one of {', '.join(ROUTES)} at "
                        f"{describe_rows(frame, bad_route)} (injections are not eaten: "
                        "set b12.injection_ug in the constraints instead)")
    whole = table["units_per_pack"] % 1 != 0
    if whole.any():
        problems.append(f"{path}: units_per_pack must be a whole number at "
                        f"{describe_rows(frame, whole)}")
    for column in OPTIONAL_COLUMNS:
        table[column] = frame[column].str.strip()
    raise_problems(path, problems, "supplement table")
    return table.set_index("id", drop=False).rename_axis(None)
