"""A week of library meals as a Plan: the options, the day model and the week search
(``options.py``, ``day.py``, ``search.py``) turned into what every view and check reads.

Each food item keeps its grams (portions scale within the food's NHANES range, not by whole
servings) and the meal it belongs to: the library meal's id, its name, how often people ate
it, and whether it was adapted (substitutions) or served without its drinks.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from typing import Any

import pandas as pd

from .checks import verify
from .config import apply_override, build_config, parse_override
from .day import DayModel, MealRules, build_day, day_rules
from .errors import OutOfTime, PlannerError, VerificationError
from .leftovers import tied_week
from .library import load_library
from .master import DayMenu, SearchError, weekly_rules
from .needs import available_nutrients, targets
from .options import Options, build_options, leftover_occasions, with_leftovers
from .plan import Plan
from .recent import Recent
from .schema import Config
from .search import SearchTimeout, Week, search_week
from .week_alternatives import other_weeks

ITEM_COLUMNS = ["day", "occasion", "food", "servings", "grams", "meal", "meal_name",
                "meal_seen", "meal_kind"]


SEARCH_META = {"solver": "highs", "core": "meal library",   # what every plan's meta says
               "bound_method": "days x the week's mean-day LP"}
ENERGY_STEPS = (1.0, 0.8, 0.6)   # shares of the mean day's energy reach a diagnosis tries
BUDGET_MARGIN = 1.05    # room a suggested budget keeps above the week found without it
TARGET_MARGIN = 0.95    # room a suggested B12 target keeps below the week found without it


class NoWeekError(PlannerError):
    """No week of library meals keeps the rules; the message names what falls short."""

    exit_code = 3


class ProvenNoWeek(NoWeekError):
    """No week can keep the rules: the mean day itself cannot (the diagnosis names why)."""


def make_plan(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
              progress: Any = None, meta: dict[str, Any] | None = None,
              alternatives: int = 0) -> Plan:
    """The week (and up to ``alternatives`` other weeks), each verified independently;
    NoWeekError with the diagnosis when none is found."""
    plan = _verified(plan_meals(foods, supplements, config, progress, meta, alternatives))
    for other in plan.alternatives:
        _verified(other)
    return plan


def _verified(plan: Plan) -> Plan:
    problems = verify(plan)
    if problems:
        raise VerificationError("the plan failed independent verification (a planner bug): "
                                + "; ".join(problems[:10]))
    return plan


def plan_meals(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
               progress: Any = None, meta: dict[str, Any] | None = None,
               alternatives: int = 0) -> Plan:
    """The week of library meals with its proven bound, as a Plan (not yet verified), with
    up to ``alternatives`` other weeks; NoWeekError with the diagnosis when none is found."""
    started = time.perf_counter()
    stop = config.plan.stop_after_s
    deadline = time.monotonic() + stop if stop > 0 else None
    model = meal_model(foods, supplements, config)
    options = model.options
    finish = functools.partial(tied_week, foods=foods, supplements=supplements,
                               options=options, config=config, model=model,
                               deadline=deadline) \
        if leftover_occasions(config) and config.meals.leftovers else None
    try:
        week = search_week(foods, supplements, options, config, model, deadline=deadline,
                           progress=_ticker(progress), finish=finish)
    except SearchTimeout:
        raise OutOfTime(f"no plan found within the time limit of {stop:g} s",
                        "raise --time-limit (or leave it out: the search then stops by its "
                        "work limits)") from None
    except SearchError as exc:
        text, proven = diagnosis(model, foods, config, str(exc), supplements, exc.short)
        raise (ProvenNoWeek if proven else NoWeekError)(text) from None
    plans = [week.menus] + (other_weeks(week, foods, supplements, options, config, model,
                                        alternatives) if alternatives else [])
    if finish is not None:
        plans = plans[:1] + [tied for tied in map(finish, plans[1:]) if tied is not None]
    seconds = round(time.perf_counter() - started, 3)
    out = [_week_plan(menus, week, foods, supplements, options, config,
                      {**(meta or {}), "solve_seconds": seconds}) for menus in plans]
    for number, other in enumerate(out[1:], start=2):
        other.meta["alternative"] = number
        out[0].alternatives.append(other)
    return out[0]


def budget_that_plans(foods: pd.DataFrame, supplements: pd.DataFrame,
                      config: Config) -> float | None:
    """A weekly budget under which the search finds a week: the cost per 7 days of the week
    it finds with no budget (a budget that does not bind leaves its path unchanged), with
    ``BUDGET_MARGIN`` of room, rounded up to a cent (None when it finds no week at all)."""
    free = dataclasses.replace(
        config, budget=dataclasses.replace(config.budget, max_per_week=0.0),
        plan=dataclasses.replace(config.plan, stop_after_s=0.0))
    try:
        plan = plan_meals(foods, supplements, free)
    except NoWeekError:
        return None
    week = float(plan.totals()["cost"]) * 7 / config.plan.days
    return math.ceil(week * BUDGET_MARGIN * 100) / 100


def target_that_plans(foods: pd.DataFrame, supplements: pd.DataFrame,
                      config: Config) -> float | None:
    """An absorbed-B12 target under which the search finds a week: what the week it finds
    without a target absorbs on its lowest day (less the profile's extra), less
    ``TARGET_MARGIN``, rounded down to 0.01 ug (None when it finds no week at all)."""
    free = dataclasses.replace(
        config, b12=dataclasses.replace(config.b12, target_absorbed_ug=0.0, daily_floor_ug=0.0),
        plan=dataclasses.replace(config.plan, stop_after_s=0.0))
    try:
        plan = plan_meals(foods, supplements, free)
    except NoWeekError:
        return None
    days = plan.days()["absorbed_b12_ug"]
    lowest = float(days.mean() if config.b12.target_period == "week" else days.min())
    reached = lowest - config.profile().extra_target_ug
    return math.floor(reached * TARGET_MARGIN * 100) / 100 if reached > 0 else None


_MODELS: Recent[DayModel] = Recent(2)


def meal_model(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> DayModel:
    """The day model over every library option the rules allow at each occasion (built once
    for the same table, supplements and rules objects: a command and the plans it derives
    share them; no caller changes a model)."""
    return _MODELS.get((foods, supplements, config), None,
                       lambda: _meal_model(foods, supplements, config))


def _meal_model(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> DayModel:
    settings = MealRules.from_config(config)
    options = with_leftovers(build_options(foods, load_library(), config, settings.min_seen),
                             config, foods)
    _check_every_occasion(options, config)
    return build_day(foods, supplements, options, config,
                     day_rules(config, targets(config, available_nutrients(foods)), settings))


def _week_plan(menus: list[DayMenu], week: Week, foods: pd.DataFrame,
               supplements: pd.DataFrame, options: Options, config: Config,
               meta: dict[str, Any]) -> Plan:
    """One week's Plan with the gap to the search's bound."""
    objective = sum(m.cost for m in menus)
    gap = max(0.0, (objective - week.bound) / objective) if objective > 0 else 0.0
    status = "optimal" if gap <= config.plan.mip_gap else "feasible"
    return Plan(config=config, foods=foods, supplements=supplements,
                food_items=food_items(menus, options, foods, config),
                supplement_items=supplement_items(menus),
                meta={**meta, **SEARCH_META, "status": status, "mip_gap": round(gap, 6),
                      "objective": round(objective, 6), "bound": round(week.bound, 6),
                      "search": {"rounds": week.rounds, "day_menus": week.columns,
                                 "stopped": week.stopped}})


def food_items(menus: list[DayMenu], options: Options, foods: pd.DataFrame,
               config: Config) -> pd.DataFrame:
    """One row per food of each day's meals, in occasion order, with grams and the meal."""
    position = {o.name: i for i, o in enumerate(config.occasions)}
    meals, parts = options.meals, options.parts
    serving = foods["serving_g"].astype(float).to_dict()
    low = parts["low"].astype(float).to_dict()
    rows = []
    for day, menu in enumerate(menus, start=1):
        grams = dict(menu.grams)
        for option in menu.options:
            meal = meals.loc[option]
            for part in parts.index[parts["option"] == option]:
                food = str(parts.loc[part, "food"])
                amount = float(grams.get(int(part), low[part]))
                rows.append({"day": day, "occasion": str(meal["occasion"]), "food": food,
                             "servings": amount / serving[food],
                             "grams": amount, "meal": str(meal["key"]),
                             "meal_name": meal_name(str(meal["name"]), str(meal["kind"]), day),
                             "meal_seen": int(str(meal["seen"])),
                             "meal_kind": str(meal["kind"]),
                             "_pos": position[str(meal["occasion"])]})
    table = pd.DataFrame(rows, columns=[*ITEM_COLUMNS, "_pos"])
    return table.sort_values(["day", "_pos"], kind="stable").drop(columns="_pos") \
        .reset_index(drop=True)


def meal_name(name: str, kind: str, day: int) -> str:
    """A meal's name as a plan shows it (a leftover names the dinner it is)."""
    return f"leftovers of day {day - 1}'s dinner: {name}" if kind == "leftover" else name


def supplement_items(menus: list[DayMenu]) -> pd.DataFrame:
    rows = [{"day": day, "window": int(window), "supplement": product, "units": int(units)}
            for day, menu in enumerate(menus, start=1) for window, product, units in menu.units]
    table = pd.DataFrame(rows, columns=["day", "window", "supplement", "units"])
    return table.sort_values(["day", "window", "supplement"]).reset_index(drop=True)


def _check_every_occasion(options: Options, config: Config) -> None:
    """Every occasion has at least one library meal the rules allow."""
    empty = [o.name for o in config.occasions if options.of(o.name).empty]
    if empty:
        raise NoWeekError(
            f"no library meal fits occasion(s) {', '.join(empty)} under diet "
            f"{config.diet.pattern!r} and the occasions' limits",
            "lower meals.min_seen, loosen the occasion's limits (max_solids_g, max_sugars_g, "
            "min_protein_g), or plan from single foods (--set meals.source=\"composed\")")


def diagnosis(model: DayModel, foods: pd.DataFrame, config: Config, shortfall: str,
              supplements: pd.DataFrame | None = None,
              short: tuple[tuple[str, float], ...] = ()) -> tuple[str, bool]:
    """Why there is no week: the rules no week can keep (proven by the elastic LP of the
    mean day; True), else the search's own shortfall (False) with the keys that would let
    it keep them (``short``: the rules its best week breaks). Given ``supplements``, a
    budget or B12 target at fault, or the keys of a shortfall, also get values that plan."""
    from .week_diagnosis import causes, describe

    found = causes(model, weekly_rules(model, config, foods), config.plan.days)
    needs = {t.nutrient: t.value for t in targets(config, available_nutrients(foods))
             if t.kind == "need" and t.scope == "total"}
    short_needs = tuple(c.label.removeprefix("need:") for c in found
                        if c.family == "mean" and c.label.startswith("need:"))
    lines = [describe(c, config, needs, short_needs) for c in found] if found else [
        f"the best week found: {shortfall}",
        _shortfall_advice(foods, supplements, config, short)]
    if supplements is not None and config.budget.max_per_week > 0:
        floor = next((config.budget.max_per_week + c.amount * 7 for c in found
                      if c.family == "mean" and c.label == "budget"), None)
        advice = _budget_advice(foods, supplements, config, floor)
        if advice:
            lines = [line for line in lines if not line.startswith("budget:")] if found \
                else []
            lines.append(advice)
    if supplements is not None and any(c.family in ("b12_target", "b12_floor") for c in found):
        lines += _target_advice(foods, supplements, config)
    energy = next((c for c in found if c.family == "energy"), None)
    if supplements is not None and energy is not None:
        lines = [_energy_advice(foods, supplements, config, energy) if line.startswith(
            "energy per day:") else line for line in lines]
    head = "no plan satisfies every rule." if found else (
        "no week was found that keeps every rule (a week may exist: the search is not "
        "exhaustive).")
    return "\n  ".join([head, *lines]), bool(found)


GENERIC_ADVICE = ("raise [meals] search_rounds, lower meals.min_seen (more meals) or the "
                  "distinct-meal minimums, or allow supplements")


def shortfall_keys(config: Config, short: tuple[tuple[str, float], ...]) -> dict[str, str]:
    """The keys (as ``--set`` values) that would leave out what the best week misses of the
    weekly counts it breaks: a group's uses, meals with meat or seafood, vegetables and fruit
    ({} when it breaks none of those)."""
    days, out = config.plan.days, {}
    for name, amount in short:
        kind, _, what = name.partition(":")
        missed = math.ceil(amount * 7 / days - 1e-9)
        if kind == "group" and what in config.variety.group_uses_per_week:
            low, high = config.variety.group_uses_per_week[what]
            out[f"variety.group_uses_per_week.{what}"] = \
                f"[{max(0, math.floor(low) - missed)},{high:g}]"
        elif name in ("fped:meat_poultry_oz", "fped:seafood_oz"):
            key = "meat_poultry_meals_min" if what == "meat_poultry_oz" else "seafood_meals_min"
            out[f"meals.{key}"] = str(max(0, int(getattr(config.meals, key)) - missed))
        elif name in ("fped:vegetables_cup", "fped:fruit_cup"):
            key = f"{what}_min"
            value = float(getattr(config.meals, key)) - amount / days
            out[f"meals.{key}"] = f"{max(0.0, math.floor(value * 10) / 10):g}"
    return out


def _with_keys(config: Config, keys: dict[str, str]) -> Config:
    """The configuration with the ``shortfall_keys`` applied as the ``--set`` they are
    printed as (and no clock)."""
    data = config.to_dict()
    for key, value in keys.items():
        item = f"{key}={value}"
        parts, parsed = parse_override(item)
        apply_override(data, parts, parsed, item)
    changed = build_config(data, {}, "the diagnosis's --set", config.files)
    return dataclasses.replace(changed, plan=dataclasses.replace(changed.plan,
                                                                 stop_after_s=0.0))


def _shortfall_advice(foods: pd.DataFrame, supplements: pd.DataFrame | None, config: Config,
                      short: tuple[tuple[str, float], ...]) -> str:
    """The keys that leave out what the best week misses, said with ``--set`` and whether
    the search then finds a week (it is run again); else the general advice."""
    keys = shortfall_keys(config, short)
    if not keys:
        return GENERIC_ADVICE
    sets = " ".join(f"--set {k}={v}" for k, v in keys.items())
    if supplements is None:
        return f"ask less of what it misses: {sets}; or {GENERIC_ADVICE}"
    try:
        plan_meals(foods, supplements, _with_keys(config, keys))
    except NoWeekError:
        return (f"ask less of what it misses: {sets} (the search finds no week with it "
                f"either); or {GENERIC_ADVICE}")
    return f"ask less of what it misses: {sets} (a week was found with it)"


def _budget_advice(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                   floor: float | None) -> str:
    """The budget that plans, in words ('' when the week without a budget fits it too)."""
    budget, enough = config.budget.max_per_week, budget_that_plans(foods, supplements, config)
    if enough is None or enough <= budget:
        return ""
    least = f"; no week can cost less than {floor:.2f}" if floor is not None else ""
    return (f"budget: the week of library meals found without the budget costs "
            f"{enough / BUDGET_MARGIN:.2f} a week, more than budget.max_per_week = {budget:g} "
            f"- raise it to {enough:.2f} (that week and {BUDGET_MARGIN - 1:.0%} of room)"
            f"{least}, or allow cheaper meals")


def energy_that_plans(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                      cause: Any) -> tuple[float, float] | None:
    """An energy range under which the search finds a week: the side the rules miss at the
    mean day's reach (``week_diagnosis.energy_range``) times each of ``ENERGY_STEPS`` in
    turn, the first that plans (None when none does)."""
    from .week_diagnosis import energy_range

    low, high = config.nutrients.energy_kcal
    reach_low, reach_high = energy_range(cause, config)
    for share in ENERGY_STEPS:
        wanted = (math.floor(reach_low * share / 10) * 10, high) if cause.side == "lower" \
            else (low, math.ceil(reach_high / share / 10) * 10)
        trial = dataclasses.replace(
            config, nutrients=dataclasses.replace(config.nutrients, energy_kcal=wanted),
            plan=dataclasses.replace(config.plan, stop_after_s=0.0))
        try:
            plan_meals(foods, supplements, trial)
        except NoWeekError:
            continue
        return wanted
    return None


def _energy_advice(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                   cause: Any) -> str:
    """The energy range that plans, in words."""
    from .week_diagnosis import energy_words

    wanted = energy_that_plans(foods, supplements, config, cause)
    return energy_words(cause, config, wanted, planned=wanted is not None)


def _target_advice(foods: pd.DataFrame, supplements: pd.DataFrame,
                   config: Config) -> list[str]:
    """The absorbed-B12 target that plans, in words (none when no week is found at all)."""
    reached = target_that_plans(foods, supplements, config)
    if reached is None or reached >= config.b12.target_absorbed_ug:
        return []
    return [f"absorbed B12: the week found without the target absorbs "
            f"{reached / TARGET_MARGIN:.2f} ug/day on its lowest day - lower "
            f"b12.target_absorbed_ug to {reached:.2f} for a plan"]


def _ticker(progress: Any) -> Any:
    if progress is None:
        return None

    def tell(rounds: int, blend: float | None, bound: float) -> None:
        found = "no blend of the day menus found keeps every weekly rule yet" if blend is None \
            else f"the day menus found blend to {blend:.2f} (the week is chosen from them last)"
        progress(f"round {rounds}: {found}; bound {bound:.2f}")
    return tell

