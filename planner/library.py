"""The meal library: meals people ate (NHANES 2007-2012), as shipped in ``planner/data``.

Four tables, built by ``scripts/build_meals.py`` (``recalls.py``): ``meals.csv`` (one row per
meal: occasion, how often seen and by how many people, how often its mix of WWEIA categories
was seen at that occasion, diet flags and the diets it fits), ``meal_items.csv`` (its foods as
FNDDS 2017-18 codes with the median grams eaten), ``meal_foods.csv`` (each food's name,
category, flags and NHANES portion quantiles p10-p99 over all reports of it) and
``meal_mixes.csv`` (how often each mix of WWEIA categories was seen at each occasion).

>>> library = load_library()
>>> library.meals.loc["B0001", "occasion"]
'breakfast'
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import resources
from .errors import DataError
from .recalls import (
    FOOD_COLUMNS,
    ITEM_COLUMNS,
    MEAL_COLUMNS,
    MEAL_OCCASIONS,
    MIX_COLUMNS,
    QUANTILES,
    diets_allowing,
)

FILES = {"meals": "meals.csv", "items": "meal_items.csv", "foods": "meal_foods.csv",
         "mixes": "meal_mixes.csv"}
PROVENANCE = "meals_provenance.json"


class UnknownMeal(DataError):
    """A meal id that is not in the library."""


@dataclass(frozen=True)
class Library:
    """Meals indexed by ``meal_id``; their items; their foods indexed by ``fndds_code``; how
    often each mix of WWEIA categories was seen, by occasion and mix."""

    meals: pd.DataFrame
    items: pd.DataFrame
    foods: pd.DataFrame
    mixes: dict[tuple[str, str], int]

    def mix_seen(self, occasion: str, categories: Iterable[int]) -> int:
        """How often people ate foods of exactly these WWEIA categories together at the
        occasion (0 when fewer than twice)."""
        return self.mixes.get((occasion, ";".join(sorted({str(c) for c in categories}))), 0)

    @functools.cached_property
    def grams_by_meal(self) -> dict[str, dict[str, float]]:
        """Per meal, the grams of each of its foods (FNDDS code) as people ate it."""
        out: dict[str, dict[str, float]] = {}
        for meal, code, grams in zip(self.items["meal_id"], self.items["fndds_code"],
                                     self.items["grams"], strict=True):
            out.setdefault(str(meal), {})[str(code)] = float(grams)
        return out

    def foods_of(self, meal_id: str) -> pd.DataFrame:
        """The foods of one meal, largest first: code, name, grams, liquid, portion range."""
        rows = self.items[self.items["meal_id"] == meal_id]
        table = rows.join(self.foods, on="fndds_code")
        return table.reset_index(drop=True)

    def provenance(self) -> dict[str, Any]:
        """What the shipped library was built from (sources with SHA-256, counts)."""
        data: dict[str, Any] = json.loads(
            resources.data_path(PROVENANCE).read_text(encoding="utf-8"))
        return data


@functools.cache
def load_library(folder: Path | None = None) -> Library:
    """The library in ``folder`` (default: the shipped one), checked."""
    base = folder or resources.data_path("")
    text = {"fndds_code": str, "meal_id": str, "flags": str, "diets": str, "categories": str}
    tables = {}
    for key, name in FILES.items():
        try:
            tables[key] = pd.read_csv(base / name, dtype=text, keep_default_na=False,
                                      na_values={c: [""] for c in QUANTILES})
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise DataError(f"{base / name}: the meal library cannot be read ({exc})",
                            "rebuild it with `python scripts/build_meals.py`") from None
    check_library(tables, base)
    meals = tables["meals"].set_index("meal_id")
    foods = tables["foods"].set_index("fndds_code")
    mixes = tables["mixes"]
    return Library(meals, tables["items"], foods,
                   {(str(o), str(c)): int(n) for o, c, n in
                    zip(mixes["occasion"], mixes["categories"], mixes["seen"], strict=True)})


def check_library(tables: dict[str, pd.DataFrame], base: Path) -> None:
    """Columns present, ids unique, every item's meal and food known."""
    wanted = {"meals": MEAL_COLUMNS, "items": ITEM_COLUMNS, "foods": FOOD_COLUMNS,
              "mixes": MIX_COLUMNS}
    for key, columns in wanted.items():
        missing = [c for c in columns if c not in tables[key].columns]
        if missing:
            raise DataError(f"{base / FILES[key]}: missing columns {', '.join(missing)}",
                            "rebuild it with `python scripts/build_meals.py`")
    meals, items, foods = tables["meals"], tables["items"], tables["foods"]
    for key, column in (("meals", "meal_id"), ("foods", "fndds_code")):
        repeated = tables[key][column][tables[key][column].duplicated()]
        if len(repeated):
            raise DataError(f"{base / FILES[key]}: {column} {repeated.iloc[0]!r} is repeated")
    unknown = set(items["meal_id"]) - set(meals["meal_id"])
    strange = set(items["fndds_code"]) - set(foods["fndds_code"])
    if unknown or strange:
        what = f"meal {sorted(unknown)[0]!r}" if unknown else f"food {sorted(strange)[0]!r}"
        raise DataError(f"{base / FILES['items']}: names {what}, which the library lacks")
    bad = meals[~meals["occasion"].isin(MEAL_OCCASIONS)]
    if len(bad):
        raise DataError(f"{base / FILES['meals']}: meal {bad['meal_id'].iloc[0]} has occasion "
                        f"{bad['occasion'].iloc[0]!r}; one of {', '.join(MEAL_OCCASIONS)}")


def library_share(foods: pd.DataFrame, library: Library) -> float:
    """Share of the library's foods the table holds (by FNDDS code)."""
    if "fndds_code" not in foods.columns or library.foods.empty:
        return 0.0
    codes = set(foods["fndds_code"].dropna().astype(str))
    return len(codes & set(library.foods.index.astype(str))) / len(library.foods)


def fits(meals: pd.DataFrame, diet: str) -> pd.Series:
    """True for meals whose foods' flags the diet pattern allows."""
    return meals["flags"].map(lambda text: diet in diets_allowing(str(text)))


def select(library: Library, occasion: str | None = None, diet: str | None = None,
           food: str | None = None, min_seen: int = 1) -> pd.DataFrame:
    """Meals of an occasion and diet, seen at least ``min_seen`` times, holding a food (an
    FNDDS code, or words of its name), most often seen first."""
    meals = library.meals
    keep = meals["seen"] >= min_seen
    if occasion:
        keep &= meals["occasion"] == occasion
    if diet:
        keep &= fits(meals, diet)
    if food:
        codes = matching_foods(library, food)
        with_food = set(library.items.loc[library.items["fndds_code"].isin(codes), "meal_id"])
        keep &= meals.index.isin(with_food)
    return meals[keep]


def matching_foods(library: Library, food: str) -> list[str]:
    """FNDDS codes of foods named by a code or by words of their name (all words must occur)."""
    text = food.strip().lower()
    if text in library.foods.index:
        return [text]
    names = library.foods["description"].str.lower()
    keep = pd.Series(True, index=library.foods.index)
    for word in text.split():
        keep &= names.str.contains(word, regex=False)
    return list(library.foods.index[keep])


def meal(library: Library, meal_id: str) -> pd.Series:
    """One meal's row, or an error naming the closest ids."""
    key = meal_id.strip().upper()
    if key not in library.meals.index:
        close = difflib.get_close_matches(key, list(library.meals.index), n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else \
            "list meals with `planner meals list`"
        raise UnknownMeal(f"no meal {meal_id!r} in the library", hint)
    return library.meals.loc[[key]].iloc[0]
