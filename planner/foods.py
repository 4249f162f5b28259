"""The food table: load, validate and describe it (a DataFrame indexed by food id).

Values are per 100 g edible portion as eaten. Diet patterns come from the flag columns only,
never from group names or keywords.

>>> foods = load_foods()
>>> bool(foods.loc["boiled-egg", "egg"])
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import resources
from .products import COLUMNS as PRODUCT_COLUMNS
from .table import (
    check_columns,
    check_ids,
    check_text,
    describe_rows,
    parse_booleans,
    parse_numbers,
    raise_problems,
    read_csv_text,
)
from .vocabulary import (
    FLAGS,
    GROUPS,
    NUTRIENT_RANGES,
    NUTRIENTS,
    OCCASION_TOKENS,
    PATTERNS,
    POPULARITY,
    ROLES,
)

NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "energy_kcal": (0, 950), "protein_g": (0, 100), "fat_g": (0, 100),
    "carbohydrate_g": (0, 100), "sugars_g": (0, 100), "fiber_g": (0, 100),
    "b12_ug": (0, 10_000), "b12_added_ug": (0, 10_000),
    "serving_g": (0.1, 2000), "min_servings": (0, 20), "max_servings": (1, 20),
    "price_per_kg": (0, 10_000), "package_g": (0.1, 100_000), "b12_matrix": (0, 1.5),
    "typical_g": (0.1, 5000), "nhanes_reports": (0, 10_000_000),
    "product_yield": (0.001, 100), "product_price_per_kg": (0, 10_000),
    **{p: (0, 10_000) for p in POPULARITY}, **NUTRIENT_RANGES,
}
REQUIRED_NUMBERS = ("energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "b12_ug",
                    "serving_g", "max_servings")
REQUIRED_COLUMNS = ("id", "name", "group", *FLAGS, *REQUIRED_NUMBERS)
OPTIONAL_COLUMNS = ("sugars_g", "fiber_g", "b12_added_ug", "b12_matrix", "serving_label",
                    "min_servings", "liquid", "occasions", "price_per_kg", "price_source",
                    "package_g", "package_label", "aisle", "source", "curated", "role",
                    "family", "typical_g", *POPULARITY, *NUTRIENTS, "fndds_code", "wweia_category",
                    "wweia_name", "nhanes_reports", *PRODUCT_COLUMNS, "currency")
COLUMNS = (*REQUIRED_COLUMNS[:3], *FLAGS, *REQUIRED_NUMBERS[:4], "sugars_g", "fiber_g",
           "b12_ug", "b12_added_ug", "b12_matrix", "serving_g", "serving_label", "min_servings",
           "max_servings", "liquid", "occasions", "price_per_kg", "price_source", "package_g",
           "package_label", "aisle", "source", "curated", "role", "family", "typical_g",
           *POPULARITY,
           *NUTRIENTS, "fndds_code", "wweia_category", "wweia_name", "nhanes_reports",
           *PRODUCT_COLUMNS)
TEXT_COLUMNS = ("serving_label", "price_source", "package_label", "aisle", "source", "role",
                "family",
                "fndds_code", "wweia_category", "wweia_name", "currency", "product",
                "product_name", "product_source")
DEFAULTS = {"sugars_g": "", "fiber_g": "", "b12_added_ug": "0", "b12_matrix": "",
            "serving_label": "", "min_servings": "1", "liquid": "false",
            "occasions": ";".join(OCCASION_TOKENS[:4]), "price_per_kg": "", "price_source": "",
            "package_g": "", "package_label": "", "aisle": "other", "source": "",
            "curated": "false", "role": "", "family": "", "typical_g": "", "fndds_code": "",
            "wweia_category": "", "wweia_name": "", "nhanes_reports": "", "currency": "",
            **{c: "" for c in PRODUCT_COLUMNS},
            **{p: "" for p in POPULARITY}, **{n: "" for n in NUTRIENTS}}


def load_foods(path: Path | str | None = None) -> pd.DataFrame:
    """Load and check a food table; the packaged ``foods.csv`` when no path is given."""
    path = Path(path) if path is not None else resources.default_foods()
    frame = read_csv_text(path)
    problems = check_columns(frame, path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    raise_problems(path, problems, "food table")
    if frame.empty:
        raise_problems(path, [f"{path}: the table has a header but no foods"], "food table")
    for column, default in DEFAULTS.items():
        if column not in frame.columns:
            frame[column] = default
    foods, problems = convert(frame, path)
    problems += check_ids(frame, path)
    problems += check_text(frame, ("name", *TEXT_COLUMNS, "occasions"), path)
    problems += check_groups(frame, path)
    problems += check_currency(frame, path)
    problems += check_roles(frame, path)
    problems += check_occasions(frame, path)
    problems += check_b12_parts(foods, frame, path)
    problems += check_servings(foods, frame, path)
    problems += check_curated_rows(foods, frame, path)
    problems += check_products(foods, frame, path)
    raise_problems(path, problems, "food table")
    return foods.set_index("id", drop=False).rename_axis(None)


def convert(frame: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Typed copy of the raw string table and the conversion problems."""
    foods = pd.DataFrame({"id": frame["id"].str.strip(), "name": frame["name"].str.strip(),
                          "group": frame["group"].str.strip().str.lower()})
    problems: list[str] = []
    for column, (low, high) in NUMERIC_RANGES.items():
        foods[column], found = parse_numbers(frame, column, path, low, high,
                                             required=column in REQUIRED_NUMBERS)
        problems += found
    for column in (*FLAGS, "liquid", "curated"):
        foods[column], found = parse_booleans(frame, column, path)
        problems += found
    foods["b12_added_ug"] = foods["b12_added_ug"].fillna(0.0)
    foods["min_servings"] = foods["min_servings"].fillna(1.0)
    for column in TEXT_COLUMNS:
        foods[column] = frame[column].str.strip()
    foods["typical_g"] = foods["typical_g"].fillna(foods["serving_g"])
    foods["family"] = foods["family"].where(foods["family"] != "", foods["id"])
    foods["aisle"] = foods["aisle"].replace("", "other")
    foods["occasions"] = frame["occasions"].str.strip().str.lower()
    return foods, problems


def check_groups(frame: pd.DataFrame, path: Path) -> list[str]:
    bad = ~frame["group"].str.strip().str.lower().isin(GROUPS)
    if not bad.any():
        return []
    return [f"{path}: unknown group at {describe_rows(frame, bad)}; "
            f"use one of {', '.join(GROUPS)}"]


def check_currency(frame: pd.DataFrame, path: Path) -> list[str]:
    """A currency is an ISO 4217 code (three letters) or empty: it is printed in every view."""
    if "currency" not in frame.columns:
        return []
    code = frame["currency"].fillna("").astype(str).str.strip()
    bad = (code != "") & ~code.str.fullmatch(r"[A-Z]{3}")
    if not bad.any():
        return []
    return [f"{path}: currency is not an ISO 4217 code at {describe_rows(frame, bad)}; use "
            "three capital letters, e.g. USD or EUR (or leave it empty)"]


def check_roles(frame: pd.DataFrame, path: Path) -> list[str]:
    role = frame["role"].str.strip()
    bad = (role != "") & ~role.isin(ROLES)
    if not bad.any():
        return []
    return [f"{path}: unknown role at {describe_rows(frame, bad)}; use one of "
            f"{', '.join(ROLES)} (or leave it empty)"]


def check_occasions(frame: pd.DataFrame, path: Path) -> list[str]:
    def invalid(text: str) -> bool:
        tokens = [t.strip() for t in text.lower().split(";") if t.strip()]
        return not tokens or any(t not in OCCASION_TOKENS for t in tokens)

    bad = frame["occasions"].map(invalid)
    if not bad.any():
        return []
    return [f"{path}: column 'occasions' must list {', '.join(OCCASION_TOKENS)} separated by "
            f"';' at {describe_rows(frame, bad)}"]


def check_b12_parts(foods: pd.DataFrame, frame: pd.DataFrame, path: Path) -> list[str]:
    bad = foods["b12_added_ug"] > foods["b12_ug"] + 1e-9
    if not bad.any():
        return []
    return [f"{path}: b12_added_ug is larger than b12_ug at {describe_rows(frame, bad)}; "
            "the added (fortificant) part is included in the total"]


def check_servings(foods: pd.DataFrame, frame: pd.DataFrame, path: Path) -> list[str]:
    bad = foods["min_servings"] > foods["max_servings"]
    whole = (foods["min_servings"] % 1 != 0) | (foods["max_servings"] % 1 != 0)
    problems = []
    if bad.any():
        problems.append(f"{path}: min_servings is larger than max_servings at "
                        f"{describe_rows(frame, bad)}")
    if whole.any():
        problems.append(f"{path}: min_servings and max_servings must be whole numbers at "
                        f"{describe_rows(frame, whole)}")
    return problems


def check_curated_rows(foods: pd.DataFrame, frame: pd.DataFrame, path: Path) -> list[str]:
    """Curated rows must carry their source, price, package and nutrient detail."""
    curated = foods["curated"]
    problems = []
    needs = {
        "source": foods["source"] == "",
        "price_per_kg": foods["price_per_kg"].isna(),
        "price_source": foods["price_source"] == "",
        "package_g": foods["package_g"].isna(),
        "sugars_g": foods["sugars_g"].isna(),
        "fiber_g": foods["fiber_g"].isna(),
    }
    for column, missing in needs.items():
        bad = curated & missing
        if bad.any():
            problems.append(f"{path}: curated row without {column} at "
                            f"{describe_rows(frame, bad)}")
    return problems


def check_products(foods: pd.DataFrame, frame: pd.DataFrame, path: Path) -> list[str]:
    """A food bought as a product needs its yield; foods of one product agree on how it is
    bought (name, package, aisle, price)."""
    named = foods["product"] != ""
    problems = []
    bad = named & foods["product_yield"].isna()
    if bad.any():
        problems.append(f"{path}: product without product_yield at {describe_rows(frame, bad)}")
    bad = ~named & foods["product_yield"].notna()
    if bad.any():
        problems.append(f"{path}: product_yield without a product at "
                        f"{describe_rows(frame, bad)}")
    shared = ["product_name", "package_g", "package_label", "aisle", "product_price_per_kg"]
    for product, rows in foods[named].groupby("product"):
        differ = [c for c in shared if rows[c].astype(str).nunique(dropna=False) > 1]
        if differ:
            mask = foods["product"] == product
            problems.append(f"{path}: the foods of product {product!r} differ in "
                            f"{', '.join(differ)} at {describe_rows(frame, mask)}; a product "
                            "is bought one way")
    return problems


def food_categories(foods: pd.DataFrame) -> pd.Series:
    """Each food's WWEIA category number (float; NaN where the table has none)."""
    column = foods.get("wweia_category", pd.Series(float("nan"), index=foods.index))
    return pd.to_numeric(column, errors="coerce").astype(float)


def diet_mask(foods: pd.DataFrame, pattern: str) -> pd.Series:
    """True for foods whose flags the diet pattern allows."""
    forbidden = [f for f in FLAGS if f not in PATTERNS[pattern]]
    if not forbidden:
        return pd.Series(True, index=foods.index)
    return ~foods[forbidden].any(axis=1)


def patterns_of(foods: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per diet pattern: may the food be used in it."""
    return pd.DataFrame({p: diet_mask(foods, p) for p in PATTERNS}, index=foods.index)


def occasion_tokens(foods: pd.DataFrame) -> pd.Series:
    """The set of occasion tokens of each food."""
    return foods["occasions"].map(lambda text: frozenset(t.strip() for t in text.split(";")))


def summary(foods: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Counts by group and by diet pattern, for `planner foods check`."""
    return {
        "groups": {str(k): int(v)
                   for k, v in foods["group"].value_counts().sort_index().items()},
        "patterns": {str(p): int(m.sum()) for p, m in patterns_of(foods).items()},
    }


def currency_of(foods: pd.DataFrame) -> str:
    """The currency of a food table's prices: its ``currency`` column when it names one
    currency (an import may add it), else USD (the shipped table's)."""
    if "currency" in foods.columns:
        names = set(foods["currency"].dropna().astype(str)) - {""}
        if len(names) == 1:
            return names.pop()
    return "USD"
