"""The person's own meals (``[diet] reference``): what they eat now, and what a plan changes.

A reference CSV lists, per food and occasion, the grams eaten and how many times a week:

    id,occasion,grams,times_per_week
    cereal-general-mills-cheerios,breakfast,28,5
    milk-nfs,breakfast,244,5

The plan departs from it as little as it can while meeting every rule (Optimeal-style), and
``changes`` says what it changed, in the words a dietitian would use: add, drop, swap, more
or less often, a larger or smaller portion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .config import Config
from .table import (
    check_columns,
    check_ids,
    describe_rows,
    parse_numbers,
    raise_problems,
    read_csv_text,
)

COLUMNS = ("id", "occasion", "grams", "times_per_week")
PORTION_CHANGE = 0.25   # a portion 25 % larger or smaller is worth saying


def resolve(config: Config) -> Path | None:
    """The reference file's path (made absolute when the constraint file was loaded)."""
    return Path(config.diet.reference) if config.diet.reference else None


def load_reference(path: Path, foods: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Load and check a reference CSV against the food table and the occasions."""
    frame = read_csv_text(path)
    raise_problems(path, check_columns(frame, path, COLUMNS, ()), "reference meals")
    problems = check_ids(frame.assign(key=frame["id"].str.strip() + "@"
                                      + frame["occasion"].str.strip()), path, "key")
    problems = [p.replace("key", "id@occasion") for p in problems if "duplicate" in p]
    grams, found = parse_numbers(frame, "grams", path, 0.1, 5000)
    problems += found
    times, found = parse_numbers(frame, "times_per_week", path, 0.1, 7)
    problems += found
    unknown = ~frame["id"].str.strip().isin(foods.index)
    if unknown.any():
        problems.append(f"{path}: food id not in the food table at "
                        f"{describe_rows(frame, unknown)}; see `planner foods list`")
    names = [o.name for o in config.occasions]
    odd = ~frame["occasion"].str.strip().isin(names)
    if odd.any():
        problems.append(f"{path}: occasion not in the plan at {describe_rows(frame, odd)}; "
                        f"occasions: {', '.join(names)}")
    raise_problems(path, problems, "reference meals")
    return pd.DataFrame({"id": frame["id"].str.strip(),
                         "occasion": frame["occasion"].str.strip(),
                         "grams": grams, "times_per_week": times})


def changes(items: pd.DataFrame, reference: pd.DataFrame, foods: pd.DataFrame,
            config: Config) -> list[dict[str, Any]]:
    """What the plan changes in the person's own meals, occasion by occasion."""
    days = config.plan.days
    names = {str(k): str(v) for k, v in foods["name"].items()}
    role = {str(k): str(v) for k, v in foods["role"].items()}
    plan = items.groupby(["occasion", "food"]).agg(days=("day", "nunique"),
                                                  grams=("grams", "mean"))
    out: list[dict[str, Any]] = []
    for occasion in (o.name for o in config.occasions):
        own = reference[reference["occasion"] == occasion]
        ate = plan.xs(occasion, level="occasion") if occasion in plan.index.get_level_values(
            "occasion") else plan.iloc[:0]
        eaten_days: dict[str, int] = {str(k): int(v) for k, v in ate["days"].items()}
        eaten_grams: dict[str, float] = {str(k): float(v) for k, v in ate["grams"].items()}
        dropped = [str(f) for f in own["id"] if f not in eaten_days]
        added = [f for f in eaten_days if f not in set(own["id"])]
        for food in list(dropped):
            partner = next((a for a in added if role[a] == role[food] and role[a] != ""), None)
            if partner is not None:
                added.remove(partner)
                dropped.remove(food)
                out.append(_change("swap", occasion, partner, eaten_days[partner], days, names,
                                   replaces=food))
        out += [_change("drop", occasion, f, 0, days, names) for f in dropped]
        out += [_change("add", occasion, f, eaten_days[f], days, names) for f in added]
        for food, usual_grams, times in zip(own["id"].astype(str), own["grams"].astype(float),
                                            own["times_per_week"].astype(float), strict=True):
            if food not in eaten_days:
                continue
            usual = round(times * days / 7)
            now = eaten_days[food]
            if now != usual:
                out.append(_change("more often" if now > usual else "less often", occasion,
                                   food, now, days, names, usual=usual))
            grams = eaten_grams[food]
            if abs(grams - usual_grams) > PORTION_CHANGE * usual_grams:
                out.append(_change("larger portion" if grams > usual_grams else
                                   "smaller portion", occasion, food, now, days, names,
                                   grams=(usual_grams, grams)))
    return out


def _change(kind: str, occasion: str, food: str, days: int, of: int, names: dict[str, str],
            replaces: str | None = None, usual: int | None = None,
            grams: tuple[float, float] | None = None) -> dict[str, Any]:
    name = names[food]
    when = f"{days} of {of} days"
    if kind == "swap" and replaces is not None:
        text = f"swap {names[replaces]} for {name} at {occasion} ({when})"
    elif kind == "add":
        text = f"add {name} at {occasion} ({when})"
    elif kind == "drop":
        text = f"drop {name} at {occasion}"
    elif grams is not None:
        text = f"{name} at {occasion}: {grams[0]:.0f} g -> {grams[1]:.0f} g"
    else:
        text = f"{name} at {occasion}: {usual} -> {days} of {of} days"
    entry: dict[str, Any] = {"change": kind, "occasion": occasion, "id": food, "days": days,
                             "text": text}
    if replaces is not None:
        entry["replaces"] = replaces
    return entry
