"""A saved plan (JSON from `planner plan`): read with bounded size and depth
(``load_plan_json``), then checked against the tables it was made with: its grams must pass
the rules it was made with, and every number it states must be the one its grams give;
otherwise it was edited after it was made."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .checks import verify
from .config import build_config
from .errors import ConfigError, DataError
from .plan import SCHEMA_VERSION, Plan
from .schema import without_removed
from .search import STOPS

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


def edits(data: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Where the saved numbers and names differ from those the servings give (``fresh``:
    the plan's ``to_dict``)."""
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


def meta_edits(data: dict[str, Any], plan: Plan, saved: Any = None) -> list[str]:
    """Where the saved disclaimer, objective, bound, gap or status differ from what the
    plan's servings and its rules give. The bound is derived again (the days times the mean
    day's LP) and must not be above the plan's own objective."""
    from . import DISCLAIMER
    from .bound import mean_day_lp, mean_week_bound, week_gap
    from .master import weekly_rules
    from .meal_swap import saved_week, week_objective

    meta = data["meta"]
    found = []
    if meta.get("disclaimer") != DISCLAIMER:
        found.append("meta: the disclaimer is not the planner's")
    stated = meta.get("objective")
    if not isinstance(stated, int | float) or isinstance(stated, bool):
        return found
    saved = saved or saved_week(plan)
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
    if status != ("optimal" if right <= plan.config.plan.mip_gap else "feasible"):
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
    """The saved plan as made, or DataError naming the first edit: every field of the file
    must be the one its items give under its rules and tables (meta: what the search said
    of itself, within what a search can say)."""
    from .meal_swap import saved_week

    plan = plan_from_data(data, path, foods, supplements)
    saved = saved_week(plan)
    plan = dataclasses.replace(plan, food_items=_meals_as_in_library(plan.food_items, saved))
    fresh = plan.to_dict()
    found = edits(data, fresh) + meta_edits(data, plan, saved)
    if not found:
        found = document_edits(data, fresh) + search_edits(data["meta"], plan)
    if found:
        many = f"{len(found)} differences" if len(found) > 1 else "1 difference"
        raise DataError(f"{path}: the plan was edited after it was made ({many}; first: "
                        f"{found[0]})",
                        "re-plan with `planner plan`, or use the file as it was written")
    return plan


def _meals_as_in_library(items: pd.DataFrame, saved: Any) -> pd.DataFrame:
    """The items with each meal's name, times seen and kind from the options (the library,
    the person's own meals), not from the file."""
    from .meal_week import meal_name

    meals = saved.options.meals
    out = items.copy()
    for row in out.index:
        day, occasion = int(str(out.at[row, "day"])), str(out.at[row, "occasion"])
        meal = meals.loc[saved.chosen[day - 1][occasion]]
        out.at[row, "meal_name"] = meal_name(str(meal["name"]), str(meal["kind"]), day)
        out.at[row, "meal_seen"] = int(str(meal["seen"]))
        out.at[row, "meal_kind"] = str(meal["kind"])
    return out


MISSING = object()
NUMBER_TOLERANCE = 1e-3   # relative (absolute below 1): the file's rounding, no more


def document_edits(data: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Every field of the file against the plan its items give (``fresh``, from
    ``Plan.to_dict``): the same fields, texts equal, numbers within the file's rounding."""
    found: list[str] = []
    for key in data.keys() - fresh.keys():
        found.append(f"{_shown(key)}: not a field of a plan")
    for key, value in fresh.items():
        if key == "meta":
            constraints = without_removed(data["meta"].get("constraints"))
            _differ("meta.constraints", constraints, value["constraints"], found)
            _differ("meta.planner_version", data["meta"].get("planner_version", MISSING),
                    __version__, found)
        else:
            _differ(key, data.get(key, MISSING), value, found)
    return found


def _differ(where: str, old: Any, new: Any, found: list[str]) -> None:
    if len(found) >= 20:
        return
    if isinstance(new, dict):
        if not isinstance(old, dict):
            found.append(f"{where}: {_shown(old)}, the plan gives an object")
            return
        for key in old.keys() - new.keys():
            found.append(f"{where}.{_shown(key)}: not a field the plan gives")
        for key, value in new.items():
            _differ(f"{where}.{key}", old.get(key, MISSING), value, found)
    elif isinstance(new, list):
        if not isinstance(old, list) or len(old) != len(new):
            found.append(f"{where}: {len(old) if isinstance(old, list) else _shown(old)} "
                         f"entries, the plan gives {len(new)}")
            return
        for number, (a, b) in enumerate(zip(old, new, strict=True), start=1):
            _differ(f"{where}[{number}]", a, b, found)
    elif isinstance(new, int | float) and not isinstance(new, bool):
        if isinstance(old, bool) or not isinstance(old, int | float) or not math.isfinite(
                old) or abs(old - new) > NUMBER_TOLERANCE * max(1.0, abs(new)):
            found.append(f"{where}: {_shown(old)}, the plan gives {new:g}")
    elif old is MISSING or type(old) is not type(new) or old != new:
        found.append(f"{where}: {_shown(old)}, the plan gives {_shown(new)}")


def _search_report(search: Any, stop_after_s: float) -> bool:
    """Whether ``search`` is what a search reports: whole rounds and day menus, a stop it
    knows (the time limit only with one)."""
    if not isinstance(search, dict) or set(search) != {"rounds", "day_menus", "stopped"}:
        return False
    counts = all(search[k] == 0 or _whole(search[k], 10**6) for k in ("rounds", "day_menus"))
    stopped = search["stopped"] in STOPS and (search["stopped"] != "deadline" or stop_after_s > 0)
    return counts and stopped


def _shown(value: Any) -> str:
    return "missing" if value is MISSING else repr(value)[:60]


META_KEYS = {"planner_version", "foods_sha256", "supplements_sha256", "solve_seconds",
             "solver", "core", "status", "mip_gap", "objective", "bound", "bound_method",
             "search", "constraints", "disclaimer", "alternative", "swapped", "replanned",
             "person", "inputs_sha256"}


def search_edits(meta: dict[str, Any], plan: Plan) -> list[str]:
    """What the file says of the search that made it, held to what a search can say: the
    planner's solver, core and bound method; whole numbers of rounds and day menus; a stop
    the search knows (the time limit only with one); no field a plan does not have."""
    from .meal_week import SEARCH_META

    found = [f"meta.{_shown(key)}: not a field of a plan" for key in meta.keys() - META_KEYS]
    found += [f"meta.{key}: {_shown(meta.get(key, MISSING))}, the planner says {value!r}"
              for key, value in SEARCH_META.items() if meta.get(key) != value]
    search = meta.get("search")
    if not _search_report(search, plan.config.plan.stop_after_s):
        found.append(f"meta.search: {_shown(search)} is not what a search reports")
    seconds = meta.get("solve_seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(
            seconds, int | float) or not 0 <= seconds < 10**6):
        found.append(f"meta.solve_seconds: {_shown(seconds)} is not a duration")
    for key in ("foods_sha256", "supplements_sha256", "inputs_sha256"):
        if key in meta and not (isinstance(meta[key], str)
                                and re.fullmatch(r"[0-9a-f]{64}", meta[key])):
            found.append(f"meta.{key}: {_shown(meta[key])} is not a SHA-256")
    if "alternative" in meta and not _whole(meta["alternative"], 100):
        found.append(f"meta.alternative: {_shown(meta['alternative'])} is not a week number")
    for key in ("swapped", "replanned"):
        if key in meta and not isinstance(meta[key], dict):
            found.append(f"meta.{key}: {_shown(meta[key])} is not what {key[:-2]} writes")
    return found


MAX_PLAN_BYTES = 50_000_000   # a 28-day plan of the shipped table is well under 1 MB
PLAN_KEYS = ("schema_version", "meta", "occasions", "windows", "days", "totals")
MAX_DAYS, MAX_WINDOWS = 28, 12    # plan.days and [[occasions]] at most
MAX_TEXT = 10_000                 # characters in one text field of a plan file
MAX_ITEMS = 100_000               # entries in one array or object of a plan file


MAX_PLAN_DEPTH = 32     # a plan's JSON nests 6 levels; deeper is not one


def _nesting(text: str) -> int:
    """How deep brackets nest in JSON text (those inside strings not counted)."""
    depth = deepest = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


def load_plan_json(path: Path) -> dict[str, Any]:
    """A saved plan (schema version 1), checked enough to render and shop from."""
    from .errors import DataError
    from .inputs import InputRefused, read_bounded

    try:
        text = read_bounded(path, MAX_PLAN_BYTES).decode("utf-8-sig")
    except InputRefused as exc:
        raise DataError(str(exc), "name a plan written by `planner plan --format json`") \
            from None
    except FileNotFoundError:
        raise DataError(f"{path}: plan file not found",
                        "save one with `planner plan --format json -o FILE`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    depth = _nesting(text)
    if depth > MAX_PLAN_DEPTH:
        raise DataError(f"{path}: JSON nested {depth} levels deep; a plan is at most "
                        f"{MAX_PLAN_DEPTH}", "use a file written by `planner plan --format json`")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise DataError(f"{path}: not valid JSON ({str(exc)[:200]})",
                        "use a file written by `planner plan --format json`") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: a plan is a JSON object, not {type(data).__name__}")
    missing = [k for k in PLAN_KEYS if k not in data]
    if missing:
        raise DataError(f"{path}: not a plan file: missing {', '.join(missing)}",
                        "use a file written by `planner plan --format json`")
    for key, kind in (("meta", dict), ("occasions", list), ("windows", list), ("days", list),
                      ("totals", dict)):
        if not isinstance(data[key], kind):
            shape = "object" if kind is dict else "array"
            raise DataError(f"{path}: {key} must be a JSON {shape}")
    if data["schema_version"] != SCHEMA_VERSION:
        raise DataError(f"{path}: schema_version {data['schema_version']!r} is not supported",
                        f"this planner reads schema version {SCHEMA_VERSION}")
    _check_sizes(data, path)
    for number, occasion in enumerate(data["occasions"], start=1):
        if not isinstance(occasion, dict) or not isinstance(occasion.get("items"), list):
            raise DataError(f"{path}: occasions[{number}] has no items list")
        for item in occasion["items"]:
            if not isinstance(item, dict) or item.get("kind") not in ("food", "supplement") \
                    or not isinstance(item.get("id"), str):
                raise DataError(f"{path}: occasions[{number}] has an item without id and kind")
            amount = item.get("grams") if item["kind"] == "food" else item.get("units")
            if isinstance(amount, bool) or not isinstance(amount, int | float) \
                    or not 0 <= amount < 1e7:
                raise DataError(f"{path}: occasions[{number}] item {item['id']!r}: amount "
                                f"{amount!r} is not a number between 0 and 10000000")
    return data


def _check_sizes(data: dict[str, Any], path: Path) -> None:
    """Every field within what a plan can hold: days 1-28, windows 1-12 a day, text of at
    most ``MAX_TEXT`` characters, arrays of at most ``MAX_ITEMS`` entries."""
    fix = "use a file written by `planner plan --format json`"
    for key in ("days", "windows", "occasions"):
        for number, entry in enumerate(data[key], start=1):
            dated = isinstance(entry, dict) and (key != "occasions" or "day" in entry)
            if not isinstance(entry, dict) or (dated and not _whole(entry.get("day"), MAX_DAYS)):
                raise DataError(f"{path}: {key}[{number}]: day must be a whole number from 1 "
                                f"to {MAX_DAYS}", fix)
            if key == "windows" and not _whole(entry.get("window"), MAX_WINDOWS):
                raise DataError(f"{path}: windows[{number}]: window must be a whole number "
                                f"from 1 to {MAX_WINDOWS}", fix)
    stack: list[tuple[str, Any]] = [("plan", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise DataError(f"{path}: {where} is {len(value)} characters long; a plan's text "
                            f"fields hold at most {MAX_TEXT}", fix)
        if isinstance(value, list | dict) and len(value) > MAX_ITEMS:
            raise DataError(f"{path}: {where} has {len(value)} entries; at most {MAX_ITEMS}",
                            fix)
        if isinstance(value, dict):
            stack.extend((f"{where}.{k}"[:80], v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]"[:80], v) for i, v in enumerate(value, start=1))


def _whole(value: Any, most: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= most


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a plan")
