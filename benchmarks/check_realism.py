#!/usr/bin/env python3
"""Is a planned week made of meals people eat? Checked from the NHANES 2007-2012 recalls and
FNDDS/FPED 2017-18 directly (`../shared/data/fndds`), not from the plan's or the library's
numbers: the issue "Real meals"'s bars.

Per week: the share of meals whose mix of WWEIA categories was seen at that occasion at least
5 times in NHANES 2007-12 (as served, and with adapted meals judged by the library meal they
adapt, as people ate it) and the median of those counts; foods above their NHANES p95 and p99
portion (over every report of the food); distinct breakfasts, lunches, dinners and days;
occasions with at least 1 oz-eq of meat or poultry and of seafood (FPED).

Usage: python benchmarks/check_realism.py [WEEKS.json] [--plans PLAN.json ...]
       [--data ../shared/data]
(WEEKS.json from `bench_meal_core.py --json`; PLAN.json from `planner plan --format json`.)
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {"breakfast": ("1", "10", "11"), "lunch": ("2", "5", "12"),
          "dinner": ("3", "4", "14"), "snack": ("6", "9", "13", "15", "16", "17", "18")}
WATER = {7702, 7704, 7502, 7504, 7506}   # plain water and alcohol: not part of a meal
MEAT_FPED = ["PF_MEAT (oz. eq.)", "PF_CUREDMEAT (oz. eq.)", "PF_POULT (oz. eq.)",
             "PF_ORGAN (oz. eq.)"]
SEAFOOD_FPED = ["PF_SEAFD_HI (oz. eq.)", "PF_SEAFD_LOW (oz. eq.)"]
OZ_EQ = 1.0
STAND_INS = {  # substitution targets from SR28, without an FNDDS code: the WWEIA category
    "tofu-firm": 2806, "tempeh": 2806,   # where FNDDS files tofu and soy products
    "fortified-soy-yogurt": 1820, "fortified-plant-spread": 8004}


def nhanes_tables(folder: Path) -> tuple[dict[tuple[str, frozenset[int]], int], pd.DataFrame]:
    """Counts of category mixes by occasion, and portion quantiles by FNDDS 2017-18 code."""
    items = pd.read_csv(folder / "nhanes_2007_2012_items.csv.gz",
                        dtype={"food_code": str, "seqn": str, "occasion_code": str})
    walk = pd.read_csv(folder / "nhanes0712_to_fndds1718_crosswalk.csv",
                       dtype={"old_code": str, "new_code": str})
    foods = pd.read_csv(folder / "fndds1718_foods_nutrients_prices.csv",
                        dtype={"Food code": str}).set_index("Food code")
    items = items[items["recall_status"] == 1]
    items["code"] = items["food_code"].map(walk.set_index("old_code")["new_code"])
    items["category"] = items["code"].map(foods["WWEIA Category number"])
    grouped = items.dropna(subset=["code"]).groupby("code")["grams"]
    portions = pd.DataFrame({0.95: grouped.quantile(0.95), 0.99: grouped.quantile(0.99)})
    occasion = pd.Series("", index=items.index)
    for name, codes in GROUPS.items():
        occasion[items["occasion_code"].isin(codes)] = name
    items = items.assign(occasion=occasion)
    items = items[(items["occasion"] != "") & ~items["category"].isin(WATER)]
    key = items["cycle"] + "|" + items["day"].astype(str) + "|" + items["seqn"] + "|" \
        + items["occasion"]
    mixes = items.groupby(key).agg(occasion=("occasion", "first"),
                                   mix=("category", lambda c: frozenset(
                                       int(x) for x in c.dropna())),
                                   unknown=("category", lambda c: c.isna().any()))
    mixes = mixes[~mixes["unknown"]]
    counts = mixes.groupby(["occasion", "mix"]).size()
    table: dict[tuple[str, frozenset[int]], int] = {
        (str(key[0]), frozenset(key[1])): int(n)  # type: ignore[index]
        for key, n in counts.to_dict().items()}
    return table, portions


def check(week: dict, counts: dict, portions: pd.DataFrame, categories: pd.Series,
          fped: pd.DataFrame) -> dict[str, object]:
    seen, over95, over99, items = [], 0, 0, 0
    as_eaten: list[int] = []
    distinct: dict[str, set[str]] = {}
    meat = seafood = 0
    for day in week["days"]:
        for meal in day:
            if meal["library"] == "drink":
                continue
            kinds = [int(c[6:]) if c.startswith("wweia:") else int(categories[c])
                     for c, _ in meal["foods"]]
            mix = frozenset(k for k in kinds if k not in WATER)
            seen.append(counts.get((meal["library"], mix), 0))
            eaten = meal.get("adapted_from")
            if eaten is not None:
                as_eaten.append(counts.get((meal["library"], frozenset(
                    k for k in (int(categories[c]) for c in eaten) if k not in WATER)), 0))
            else:
                as_eaten.append(seen[-1])
            distinct.setdefault(meal["library"], set()).add(meal["key"].split("~")[0])
            oz_meat = oz_sea = 0.0
            for code, grams in meal["foods"]:
                items += 1
                if code in portions.index:
                    over95 += grams > portions.loc[code, 0.95] + 1e-6
                    over99 += grams > portions.loc[code, 0.99] + 1e-6
                if code in fped.index:
                    oz_meat += float(fped.loc[code, MEAT_FPED].sum()) * grams / 100
                    oz_sea += float(fped.loc[code, SEAFOOD_FPED].sum()) * grams / 100
            meat += oz_meat >= OZ_EQ
            seafood += oz_sea >= OZ_EQ
    days = {tuple(m["key"] for m in day) for day in week["days"]}
    return {"preset": week["preset"], "meals": len(seen),
            "seen>=5": f"{sum(n >= 5 for n in seen) / max(len(seen), 1):.0%}",
            "median seen": statistics.median(seen) if seen else 0,
            "seen>=5, adapted as eaten": f"{sum(n >= 5 for n in as_eaten) / max(len(seen), 1):.0%}",
            ">p95": f"{over95 / max(items, 1):.0%}", ">p99": over99,
            "distinct b/l/d": "/".join(str(len(distinct.get(o, ()))) for o in
                                       ("breakfast", "lunch", "dinner")),
            "distinct days": len(days), "meat occasions": meat, "seafood occasions": seafood}


def week_of_plan(path: Path) -> dict[str, object]:
    """A plan written by `planner plan --format json` (library meals, packaged food table)
    as a week of this checker: per day and occasion the library occasion, meal id and each
    food's FNDDS code and grams."""
    from planner.config import build_config
    from planner.foods import load_foods
    from planner.options import occasion_source

    plan = json.loads(path.read_text(encoding="utf-8"))
    config = build_config(plan["meta"]["constraints"], {}, str(path))
    source = {o.name: occasion_source(o) for o in config.occasions}
    code = load_foods(None)["fndds_code"].fillna("").astype(str)
    items = pd.read_csv(ROOT / "planner" / "data" / "meal_items.csv",
                        dtype={"meal_id": str, "fndds_code": str})
    days: dict[int, list[dict[str, Any]]] = {}
    for occasion in plan["occasions"]:
        meal = occasion.get("meal")
        if not meal:
            continue
        foods = [[code[i["id"]] or f"wweia:{STAND_INS[i['id']]}", i["grams"]]
                 for i in occasion["items"] if i["kind"] == "food"]
        entry = {"occasion": occasion["name"], "library": source[occasion["name"]],
                 "key": meal["id"], "foods": foods}
        if meal["id"].endswith("~adapted") and not meal["id"].startswith("own:"):
            original = meal["id"].removesuffix("~adapted")
            entry["adapted_from"] = list(items.loc[items["meal_id"] == original, "fndds_code"])
        days.setdefault(occasion["day"], []).append(entry)
    return {"preset": path.stem, "pattern": config.diet.pattern,
            "days": [days[d] for d in sorted(days)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", type=Path, nargs="?",
                        help="weeks from bench_meal_core.py --json")
    parser.add_argument("--plans", type=Path, nargs="+", default=[],
                        help="plans written by `planner plan --format json` instead")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    folder = args.data / "fndds"
    counts, portions = nhanes_tables(folder)
    foods = pd.read_csv(folder / "fndds1718_foods_nutrients_prices.csv",
                        dtype={"Food code": str}).set_index("Food code")
    fped = pd.read_csv(folder / "fndds1718_fped.csv", dtype={"FOODCODE": str},
                       encoding="utf-8-sig").set_index("FOODCODE")
    weeks = json.loads(args.weeks.read_text(encoding="utf-8")) if args.weeks else []
    weeks += [week_of_plan(path) for path in args.plans]
    rows = [check(week, counts, portions, foods["WWEIA Category number"], fped)
            for week in weeks]
    columns = list(rows[0]) if rows else []
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
