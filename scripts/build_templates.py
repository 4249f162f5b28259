#!/usr/bin/env python3
"""Build ``planner/data/meal_templates.csv``: the meals people really eat, by occasion.

From the NHANES 2007-2012 24-hour recalls (``../shared/data/fndds``): every eating occasion of
a complete recall becomes the set of the roles of its foods (role from the food's WWEIA
category, ``planner/data/wweia.csv``; water left out). Occasions with a food whose category is
unknown are left out. A role set is a template of its occasion kind (breakfast, lunch, dinner,
snack, drink) when at least ``MIN_MEALS`` meals had it, it holds a food that is more than a
fat or condiment, and fats and spreads come with something they go on. Each template keeps
how many meals had it and its share of the occasion's meals.

Usage: python scripts/build_templates.py [--data ../shared/data] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from planner.output import write_output

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "planner" / "data" / "meal_templates.csv"
MIN_MEALS = 30
ADD_ONS = {"condiment", "spread-fat", "beverage"}
SPREAD_ON = {"bread", "starch", "vegetable", "main-dish", "protein-food", "cereal"}


def meals(data: Path) -> pd.Series:
    """Role set of every eating occasion (cycle, person, day, occasion group) in the recalls."""
    fndds = data / "fndds"
    items = pd.read_csv(fndds / "nhanes_2007_2012_items.csv.gz", dtype={"food_code": str})
    items = items[items["recall_status"] == 1]
    foods = pd.read_csv(fndds / "fndds1718_foods_nutrients_prices.csv",
                        dtype={"Food code": str})
    derived = pd.read_csv(fndds / "nhanes_0712_food_portions_occasions.csv",
                          dtype={"food_code": str})
    category = dict(zip(derived["food_code"], derived["WWEIA Category number"], strict=True))
    category.update(zip(foods["Food code"], foods["WWEIA Category number"], strict=True))
    roles = pd.read_csv(ROOT / "planner" / "data" / "wweia.csv").set_index("category")["role"]
    items = items.assign(role=items["food_code"].map(category).map(roles))
    keys = ["cycle", "seqn", "day", "occasion_group"]
    unknown = items.groupby(keys)["role"].apply(lambda r: r.isna().any())
    known = items.dropna(subset=["role"])
    sets = known.groupby(keys)["role"].agg(lambda r: "+".join(sorted(set(r) - {"water"})))
    sets = sets[~unknown.reindex(sets.index).to_numpy()]
    return sets[sets != ""]


def plausible(roles: str) -> bool:
    """More than fats and condiments; a fat or spread only with something it goes on."""
    parts = set(roles.split("+"))
    if not parts - ADD_ONS:
        return parts == {"beverage"}
    return "spread-fat" not in parts or bool(parts & SPREAD_ON)


def templates(sets: pd.Series) -> pd.DataFrame:
    rows = []
    for occasion in ("breakfast", "lunch", "dinner", "snack", "drink"):
        counts = sets.xs(occasion, level="occasion_group").value_counts()
        total = int(counts.sum())
        for roles, count in counts.items():
            if count >= MIN_MEALS and plausible(str(roles)):
                rows.append({"occasion": occasion, "roles": roles, "meals": int(count),
                             "share": round(count / total, 5)})
    table = pd.DataFrame(rows)
    return table.sort_values(["occasion", "meals", "roles"], ascending=[True, False, True],
                             kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    table = templates(meals(args.data))
    write_output(args.out, table.to_csv(index=False, lineterminator="\n"))
    print(f"wrote {len(table)} templates to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
