"""A saved plan (JSON from `planner plan`) checked against the tables it was made with:
its servings must pass the rules it was made with, and every number it states must be the
one its servings give; otherwise it was edited after it was made."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from .config import build_config, without_removed
from .errors import ConfigError, DataError
from .plan import Plan, verify

ITEM_NUMBERS = ("grams", "servings", "cost", "b12_food_bound_ug", "b12_crystalline_ug",
                "energy_kcal")
DAY_NUMBERS = ("absorbed_b12_ug", "cost", "energy_kcal")
TOLERANCE = 0.01   # the JSON rounds to 4 significant digits or so


def plan_from_data(data: dict[str, Any], path: Path, foods: pd.DataFrame,
                   supplements: pd.DataFrame) -> Plan:
    """The saved plan as a Plan under the rules it was made with, re-verified."""
    try:
        config = build_config(without_removed(data["meta"]["constraints"]), {},
                              f"{path} (meta.constraints)")
    except (KeyError, TypeError) as exc:
        raise DataError(f"{path}: the plan has no rules in meta.constraints ({exc!r})",
                        "use a file written by `planner plan --format json`") from None
    except ConfigError as exc:
        raise DataError(str(exc), "use a file written by `planner plan --format json`") \
            from None
    items = _food_items(data, foods, path)
    tabs = pd.DataFrame([(t["day"], t["window"], t["id"], t["units"])
                         for t in data.get("supplements") or []],
                        columns=["day", "window", "supplement", "units"])
    unknown = sorted(set(items["food"]) - set(foods.index)) + \
        sorted(set(tabs["supplement"]) - set(supplements.index))
    if unknown:
        raise DataError(f"{path}: {unknown[0]!r} is not in the food or supplement table",
                        "pass the tables the plan was made with (--foods, --supplements)")
    plan = Plan(config=config, foods=foods, supplements=supplements, food_items=items,
                supplement_items=tabs, meta=dict(data["meta"]))
    problems = verify(plan)
    if problems:
        raise DataError(f"{path}: the plan fails its own rules: {problems[0]}",
                        "use the plan as `planner plan` wrote it (re-plan if it was edited)")
    return plan


def _food_items(data: dict[str, Any], foods: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The food items of a saved plan: grams and the meal of each occasion (DataError for
    a plan of servings without meals, as an earlier version's composed core wrote them)."""
    if not any(isinstance(o.get("meal"), dict) for o in data["occasions"]):
        raise DataError(f"{path}: the plan has servings but no meals: it was made by an "
                        "earlier version of the planner (meals composed food by food), which "
                        "this one no longer reads", "plan again with `planner plan`")
    from .meal_week import ITEM_COLUMNS

    meal_rows = []
    for o in data["occasions"]:
        meal = o.get("meal") or {}
        for i in o["items"]:
            if i["kind"] != "food":
                continue
            if i["id"] not in foods.index:
                raise DataError(f"{path}: {i['id']!r} is not in the food table",
                                "pass the tables the plan was made with (--foods)")
            grams = float(i["grams"])
            meal_rows.append((o["day"], o["name"], i["id"],
                              grams / float(foods.loc[i["id"], "serving_g"]), grams,
                              str(meal.get("id", "")), str(meal.get("name", "")),
                              int(meal.get("seen", 0)), str(meal.get("kind", ""))))
    return pd.DataFrame(meal_rows, columns=ITEM_COLUMNS)


def edits(data: dict[str, Any], plan: Plan) -> list[str]:
    """Where the saved numbers and names differ from those the servings give."""
    fresh = plan.to_dict()
    found: list[str] = []
    stated = {(o["day"], o["name"], i["kind"], i["id"]): i for o in data["occasions"]
              for i in o["items"]}
    for occasion in fresh["occasions"]:
        for item in occasion["items"]:
            key = (occasion["day"], occasion["name"], item["kind"], item["id"])
            old = stated.get(key)
            where = f"day {key[0]} {key[1]} {key[3]}"
            if old is None:
                found.append(f"{where}: missing")
                continue
            if old.get("name") != item["name"]:
                found.append(f"{where}: name {str(old.get('name'))[:40]!r}, the table says "
                             f"{item['name'][:40]!r}")
            if "household" in item and old.get("household") != item["household"]:
                found.append(f"{where}: household {str(old.get('household'))[:40]!r}, its "
                             f"grams give {item['household']!r}")
            found += _numbers(where, old, item, ITEM_NUMBERS if item["kind"] == "food"
                              else ("units", "cost"))
    days = {d.get("day"): d for d in data["days"] if isinstance(d, dict)}
    for day in fresh["days"]:
        found += _numbers(f"day {day['day']}", days.get(day["day"], {}), day, DAY_NUMBERS)
    windows = {(w.get("day"), w.get("window")): w for w in data["windows"]}
    for window in fresh["windows"]:
        spot = (window["day"], window["window"])
        found += _numbers(f"day {spot[0]} window {spot[1]}", windows.get(spot, {}), window,
                          ("x_ug", "absorbed_ug"))
    if len(windows) != len(fresh["windows"]):
        found.append(f"{len(data['windows'])} B12 windows where the rules give "
                     f"{len(fresh['windows'])}")
    found += _numbers("totals", data["totals"], fresh["totals"],
                      ("cost", *(k for k in PURCHASE_NUMBERS if k in data["totals"])))
    if len(stated) != sum(len(o["items"]) for o in fresh["occasions"]):
        found.append(f"{len(stated)} items where the servings give "
                     f"{sum(len(o['items']) for o in fresh['occasions'])}")
    return found


PURCHASE_NUMBERS = ("packages_cost", "leftover_value")   # older saved plans lack them
OBJECTIVE_TOLERANCE = 1e-3  # relative: the objective is saved to 6 decimals
GAP_TOLERANCE = 1e-4


def meta_edits(data: dict[str, Any], plan: Plan) -> list[str]:
    """Where the saved disclaimer, objective, bound, gap or status differ from what the
    plan's servings and its rules give. The bound is derived again (the days times the mean
    day's LP) and must not be above the plan's own objective."""
    from . import DISCLAIMER
    from .master import weekly_rules
    from .meal_swap import saved_week, week_objective
    from .search import mean_day_lp, mean_week_bound, week_gap

    meta = data["meta"]
    found = []
    if meta.get("disclaimer") != DISCLAIMER:
        found.append("meta: the disclaimer is not the planner's")
    stated = meta.get("objective")
    if not isinstance(stated, int | float) or isinstance(stated, bool):
        return found
    saved = saved_week(plan)
    value = week_objective(plan, saved)
    if abs(stated - value) > OBJECTIVE_TOLERANCE * max(1.0, abs(value)):
        found.append(f"meta: objective {stated!r}, its servings give {value:.6g}")
    bound, gap, status = meta.get("bound"), meta.get("mip_gap"), meta.get("status")
    if not isinstance(bound, int | float) or isinstance(bound, bool):
        return found
    days = plan.config.plan.days
    model = saved.model
    mean = mean_day_lp(model, weekly_rules(model, plan.config, plan.foods), days)
    derived = mean_week_bound(mean, days)
    if abs(bound - derived) > OBJECTIVE_TOLERANCE * max(1.0, abs(derived)):
        found.append(f"meta: bound {bound!r}, the rules give {derived:.6g} (the days x "
                     "the optimum of the week's mean-day LP)")
    if bound > value + OBJECTIVE_TOLERANCE * max(1.0, abs(value)):
        found.append(f"meta: bound {bound!r} is above the plan's own objective {value:.6g}")
    right = week_gap(value, float(bound))
    if not isinstance(gap, int | float) or abs(gap - right) > GAP_TOLERANCE:
        found.append(f"meta: mip_gap {gap!r}, the objective and bound give {right:.6f}")
    if status in ("optimal", "feasible") and status != (
            "optimal" if right <= plan.config.plan.mip_gap else "feasible"):
        found.append(f"meta: status {status!r} does not follow from the gap {right:.4f}")
    return found


def _numbers(where: str, old: dict[str, Any], new: dict[str, Any],
             keys: tuple[str, ...]) -> list[str]:
    out = []
    for key in keys:
        value, right = old.get(key), new.get(key)
        if not isinstance(right, int | float):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value) or abs(value - right) > TOLERANCE * max(1.0, abs(right)):
            out.append(f"{where}: {key} {value!r}, its servings give {right:g}")
    return out


def checked(data: dict[str, Any], path: Path, foods: pd.DataFrame, supplements: pd.DataFrame,
            ) -> Plan:
    """The saved plan as made, or DataError naming the first edit."""
    plan = plan_from_data(data, path, foods, supplements)
    found = edits(data, plan) + meta_edits(data, plan)
    if found:
        many = f"{len(found)} differences" if len(found) > 1 else "1 difference"
        raise DataError(f"{path}: the plan was edited after it was made ({many}; first: "
                        f"{found[0]})",
                        "re-plan with `planner plan`, or use the file as it was written")
    return plan
