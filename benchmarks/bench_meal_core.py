#!/usr/bin/env python3
"""The meal-library core (issue "Real meals"), not yet behind `planner plan`: per preset, the
week the decomposed search finds from library meals, its proven bound and the time, and the
week itself in words (meals with grams and tablets), to read as a dietitian would.

Usage: python benchmarks/bench_meal_core.py [--presets omnivore vegan] [--foods FILE]
       [--weeks FILE.txt] [--json FILE.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from planner.config import load_config
from planner.day import MealRules, build_day, day_rules
from planner.foods import load_foods
from planner.library import load_library
from planner.master import SearchError
from planner.needs import available_nutrients, targets
from planner.options import build_options
from planner.search import Week, search_week
from planner.supplements import load_supplements

PRESETS = ["omnivore", "pescatarian", "lacto-vegetarian", "vegan", "post-rygb", "elderly",
           "pregnancy"]


def week_text(preset: str, week: Week, options: pd.DataFrame, parts: pd.DataFrame,
              foods: pd.DataFrame) -> str:
    lines = [f"== {preset}: objective {week.objective:.2f}, bound {week.bound:.2f} "
             f"(gap {week.gap:.1%}), {week.rounds} rounds, {week.columns} day menus"]
    for number, menu in enumerate(week.menus, start=1):
        lines.append(f"day {number}")
        grams = dict(menu.grams)
        for option in menu.options:
            row = options.loc[option]
            mine = parts[parts["option"] == option]
            foods_text = ", ".join(f"{foods.loc[f, 'name']} {grams.get(int(i), 0):.0f} g"
                                   for i, f in zip(mine.index, mine["food"], strict=True))
            lines.append(f"  {row['occasion']}: [{row['key']}, seen {row['seen']}] {foods_text}")
        if menu.units:
            lines.append("  tablets: " + ", ".join(f"{p} (window {w})" for w, p, _ in menu.units))
    return "\n".join(lines)


def week_data(preset: str, week: Week, options: pd.DataFrame, parts: pd.DataFrame,
              foods: pd.DataFrame) -> dict[str, object]:
    """The week as data for `check_realism.py`: per day and occasion, the library occasion
    and each food's FNDDS code and grams."""
    from planner.options import occasion_source

    config = load_config(preset)
    source = {o.name: occasion_source(o) for o in config.occasions}
    days = []
    for menu in week.menus:
        grams = dict(menu.grams)
        meals = []
        for option in menu.options:
            row = options.loc[option]
            mine = parts[parts["option"] == option]
            meals.append({"occasion": str(row["occasion"]), "library": source[row["occasion"]],
                          "key": str(row["key"]),
                          "foods": [[str(foods.loc[f, "fndds_code"]), grams.get(int(i), 0.0)]
                                    for i, f in zip(mine.index, mine["food"], strict=True)]})
        days.append(meals)
    return {"preset": preset, "pattern": config.diet.pattern, "days": days}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=PRESETS)
    parser.add_argument("--foods", type=Path, default=None)
    parser.add_argument("--weeks", type=Path, default=None, help="write the weeks here")
    parser.add_argument("--json", type=Path, default=None,
                        help="write the weeks as data here (for check_realism.py)")
    args = parser.parse_args()
    foods = load_foods(args.foods)
    supplements = load_supplements(None)
    library = load_library()
    settings = MealRules()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"highspy {version('highspy')}, pandas {version('pandas')}; "
          f"foods: {args.foods or 'packaged foods.csv'} ({len(foods)} foods)")
    print("| preset | options b/l/s/d | seconds | objective | bound | gap | rounds | result |")
    print("|---|---|---|---|---|---|---|---|")
    texts = []
    data = []
    for preset in args.presets:
        config = load_config(preset)
        start = time.perf_counter()
        options = build_options(foods, library, config, settings.min_seen)
        sizes = "/".join(str(len(options.of(o.name))) for o in config.occasions
                         if not o.name.startswith("drink"))
        model = build_day(foods, supplements, options, config,
                          day_rules(config, targets(config, available_nutrients(foods)),
                                    settings))
        try:
            week = search_week(foods, supplements, options, config, model)
        except SearchError as exc:
            print(f"| {preset} | {sizes} | {time.perf_counter() - start:.1f} | - | - | - | - "
                  f"| {exc} |")
            continue
        seconds = time.perf_counter() - start
        print(f"| {preset} | {sizes} | {seconds:.1f} | {week.objective:.2f} | "
              f"{week.bound:.2f} | {week.gap:.1%} | {week.rounds} | {week.stopped} |")
        texts.append(week_text(preset, week, options.meals, options.parts, foods))
        data.append(week_data(preset, week, options.meals, options.parts, foods))
    if args.weeks:
        args.weeks.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
