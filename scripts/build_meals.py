#!/usr/bin/env python3
"""Build the shipped meal library from the NHANES 2007-2012 recalls (``planner.recalls``).

Writes ``planner/data/meals.csv`` (one row per meal), ``meal_items.csv`` (its foods and
median grams), ``meal_foods.csv`` (each library food's FNDDS name, WWEIA category, diet flags
and NHANES portion quantiles), ``meal_mixes.csv`` (how often each mix of WWEIA categories
was seen at each occasion, the mixes seen at least twice) and ``meals_provenance.json``
(sources with SHA-256, counts).
The same sources always give the same files.

Usage: python scripts/build_meals.py [--data ../shared/data] [--out planner/data]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner.fndds import fndds_table
from planner.output import write_output
from planner.recalls import MIN_SEEN, build_library, diet_counts

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "planner" / "data")
    parser.add_argument("--min-seen", type=int, default=MIN_SEEN)
    args = parser.parse_args()
    folder = args.data / "fndds"
    foods, _ = fndds_table(folder)
    built = build_library(folder, foods, args.min_seen)
    built.provenance["diets_seen_2"] = diet_counts(built.meals, 2)
    built.provenance["diets_seen_5"] = diet_counts(built.meals, 5)
    write_output(args.out / "meals.csv", built.meals.to_csv(index=False, lineterminator="\n"))
    write_output(args.out / "meal_items.csv",
                 built.items.to_csv(index=False, lineterminator="\n"))
    write_output(args.out / "meal_foods.csv",
                 built.foods.to_csv(index=False, lineterminator="\n"))
    write_output(args.out / "meal_mixes.csv",
                 built.mixes.to_csv(index=False, lineterminator="\n"))
    write_output(args.out / "meals_provenance.json",
                 json.dumps(built.provenance, indent=1, sort_keys=True) + "\n")
    print(f"{len(built.meals)} meals, {len(built.items)} items, {len(built.foods)} foods "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
