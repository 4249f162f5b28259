"""Solve a built model: solver choice, limits, status, extraction, and infeasibility diagnosis.

``make_plan`` runs the whole flow: build -> solve -> extract -> verify. When no plan
satisfies every rule, an elastic re-solve finds the smallest relaxation and
``InfeasibleError`` names the rules in conflict with numbers and a fix.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .absorption import injection_per_day_ug
from .config import Config
from .errors import PlannerError
from .model import ELASTIC_WEIGHTS, ENERGY_FREE_KCAL, Model, build_model
from .plan import Plan, VerificationError, verify
from .program import Solution
from .relaxation import solve_relaxation

Progress = Callable[[str], None]
VARIETY_WEIGHT = 0.05    # currency units per pair of days that share a food
MIN_DAY_SECONDS = 5.0    # time a day gets when its shortlist fails
SHORTLIST_PER_GROUP = 1  # and per occasion and food group, so group rules can be met
SHORTLIST_EXTRA = 6      # foods per occasion beyond the LP's own, for the integer search
BOUND_SHARE = 0.2        # of the time limit, kept for the week's lower bound
SHORTLIST_LP_GAP = 0.02  # the shortlist's LP only ranks foods: 2 % from its optimum will do
BOUND_LP_GAP = 0.005     # the week's bound is the proven one, within 0.5 % of the LP's


class InfeasibleError(PlannerError):
    """No plan satisfies every rule; the message is the diagnosis."""

    exit_code = 3


class SolverError(PlannerError):
    """The solver failed or found no plan within its limits."""


@contextlib.contextmanager
def ticker(progress: Progress | None, label: str, after_s: float = 1.5) -> Iterator[None]:
    """Report elapsed time through ``progress`` while a long step runs."""
    if progress is None:
        yield
        return
    done = threading.Event()
    start = time.monotonic()

    def tick() -> None:
        if done.wait(after_s):
            return
        while not done.wait(1.0):
            progress(f"{label} ... {time.monotonic() - start:.0f} s")

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def run(model: Model, solver_name: str, time_limit_s: float, mip_gap: float,
        mip: bool = True, progress: Progress | None = None) -> Solution:
    """Solve the model; the solution is kept on the model for ``extract``."""
    with ticker(progress, "solving"):
        model.solution = model.lp.solve(solver_name, time_limit_s, mip_gap, mip)
    return model.solution


def extract(model: Model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Servings per slot and tablets per window from the solution (rounded to integers)."""
    values = model.solution.values if model.solution is not None else np.zeros(0)
    slots = model.slots
    chosen = slots.assign(servings=np.rint(values[model.n]).astype(int))
    chosen = chosen[chosen["servings"] > 0]
    food_items = chosen[["day", "occasion", "occasion_pos", "food", "servings"]] \
        .sort_values(["day", "occasion_pos", "food"]).drop(columns="occasion_pos") \
        .reset_index(drop=True)
    table = model.supplement_slots
    if table.empty:
        tabs = pd.DataFrame(columns=["day", "window", "supplement", "units"])
    else:
        tabs = table.assign(units=np.rint(values[model.u]).astype(int))
        tabs = tabs[tabs["units"] > 0][["day", "window", "supplement", "units"]] \
            .sort_values(["day", "window", "supplement"]).reset_index(drop=True)
    return food_items, tabs


def file_sha256(path: Path | None, fallback: Path) -> str:
    return hashlib.sha256((path or fallback).read_bytes()).hexdigest()


@dataclass
class DayPlan:
    """One day's servings and tablets, with its cost and the foods it uses."""

    items: pd.DataFrame
    tabs: pd.DataFrame
    cost: float
    foods: frozenset[str]
    absorbed_ug: float


def day_config(config: Config, others: dict[int, DayPlan], foods: pd.DataFrame) -> Config:
    """The one-day rules for a day given the other days of the week (fixed).

    Foods on max_days other days are left out; weekly rules (include, budget, a weekly B12
    target) become what remains for this day.
    """
    max_days = math.ceil(config.variety.max_days_per_food_per_week * config.plan.days / 7)
    counts = _usage(others)
    energy_free = set(foods.index[foods["energy_kcal"] < ENERGY_FREE_KCAL])
    full = {f for f, c in counts.items() if c >= max_days and f not in energy_free}
    used = set(counts)
    b12 = config.b12
    if b12.target_period == "week":
        remaining = config.target_ug() * config.plan.days - sum(
            p.absorbed_ug for p in others.values())
        unplanned = config.plan.days - len(others)
        need = max(b12.daily_floor_ug, remaining / max(unplanned, 1))
        b12 = dataclasses.replace(b12, target_period="day", target_absorbed_ug=max(
            need - config.profile().extra_target_ug, 0.0))
    budget = config.budget
    if budget.max_per_week:
        spent = sum(p.cost for p in others.values())
        total = budget.max_per_week * config.plan.days / 7
        share = (total - spent) / max(config.plan.days - len(others), 1)
        budget = dataclasses.replace(budget, max_per_week=max(share, 1e-6) * 7)
    return dataclasses.replace(
        config, plan=dataclasses.replace(config.plan, days=1), b12=b12, budget=budget,
        diet=dataclasses.replace(
            config.diet, exclude=tuple(sorted(set(config.diet.exclude) | full)),
            include=tuple(f for f in config.diet.include if f not in used)))


def _usage(days: dict[int, DayPlan]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for plan in days.values():
        for food in plan.foods:
            counts[food] = counts.get(food, 0) + 1
    return counts


def solve_day(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config, day: int,
              others: dict[int, DayPlan], seconds: float) -> tuple[DayPlan, float] | None:
    """The best plan for one day with the other days fixed, and its objective.

    None when no plan exists for the day; SolverError when none was found in time.
    """
    sub = day_config(config, others, foods)
    penalty = {f: VARIETY_WEIGHT * c for f, c in _variety_usage(others, foods).items()}
    shortlist = candidate_shortlist(foods, supplements, sub, penalty, seconds / 2)
    result = None
    if shortlist is not None:
        model = build_model(foods, supplements, sub, repeat_penalty=penalty,
                            shortlist=shortlist)
        result = run(model, config.plan.solver, seconds, config.plan.mip_gap)
    if result is None or result.status not in ("optimal", "time_limit"):
        model = build_model(foods, supplements, sub, repeat_penalty=penalty)
        result = run(model, config.plan.solver, max(seconds, MIN_DAY_SECONDS),
                     config.plan.mip_gap)
    if result.status == "infeasible":
        return None
    if result.status == "no_solution" or result.objective is None:
        raise _no_plan(config)
    items, tabs = extract(model)
    single = Plan(config=sub, foods=foods, supplements=supplements, food_items=items,
                  supplement_items=tabs)
    days = single.days()
    return (DayPlan(items=items.assign(day=day), tabs=tabs.assign(day=day),
                    cost=float(days["cost"].sum()), foods=frozenset(items["food"]),
                    absorbed_ug=float(days["absorbed_b12_ug"].sum())), result.objective)


def candidate_shortlist(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                        penalty: dict[str, float],
                        seconds: float) -> set[tuple[str, str]] | None:
    """(occasion, food) pairs worth an integer search: those the LP relaxation uses, plus
    the SHORTLIST_EXTRA cheapest others per occasion and SHORTLIST_PER_GROUP per occasion and
    food group, by reduced cost. None if the LP fails.
    """
    model = build_model(foods, supplements, config, relaxed=True, repeat_penalty=penalty)
    solution = solve_relaxation(model, config.plan.solver, seconds, SHORTLIST_LP_GAP)
    if solution.status not in ("optimal", "time_limit"):
        return None
    reduced = solution.reduced_costs if solution.reduced_costs is not None \
        else np.zeros(model.lp.num_cols)
    table = model.slots[["occasion", "food", "group", "shuffle"]].assign(
        value=solution.values[model.n], dj=reduced[model.n])
    used = table[table["value"] > 1e-6]
    chosen = set(zip(used["occasion"], used["food"], strict=True))
    rest = table[[(o, f) not in chosen for o, f in zip(table["occasion"], table["food"],
                                                        strict=True)]]
    rest = rest.sort_values(["dj", "shuffle"], kind="stable")
    for _occasion, part in rest.groupby("occasion", sort=True):
        chosen |= set(zip(part["occasion"].head(SHORTLIST_EXTRA),
                          part["food"].head(SHORTLIST_EXTRA), strict=True))
    for _key, part in rest.groupby(["occasion", "group"], sort=True):
        chosen |= set(zip(part["occasion"].head(SHORTLIST_PER_GROUP),
                          part["food"].head(SHORTLIST_PER_GROUP), strict=True))
    return chosen


def main_objective(config: Config, days: dict[int, DayPlan]) -> float:
    """The week's [plan] objective: cost, extra servings, or absorbed B12 (with 0.001 x cost
    as a tie-break for the last two)."""
    cost = sum(p.cost for p in days.values())
    if config.plan.objective == "cost":
        return cost
    if config.plan.objective == "deviation":
        extra = sum(float((p.items["servings"] - 1).sum()) for p in days.values())
        return extra + 0.001 * cost
    return sum(p.absorbed_ug for p in days.values()) + 0.001 * cost


def _gap_objective(config: Config, days: dict[int, DayPlan]) -> float:
    """What the stated gap measures: the main objective, but for deviation only its leading
    term (extra servings), whose relaxation bound is 0, without the cost tie-break."""
    if config.plan.objective == "deviation":
        return sum(float((p.items["servings"] - 1).sum()) for p in days.values())
    return main_objective(config, days)


def weekly_objective(config: Config, days: dict[int, DayPlan], foods: pd.DataFrame) -> float:
    """The week's objective: the main objective plus the variety term (VARIETY_WEIGHT per pair
    of days sharing a food that has energy)."""
    pairs = sum(c * (c - 1) / 2 for c in _variety_usage(days, foods).values())
    return main_objective(config, days) + VARIETY_WEIGHT * pairs


def _variety_usage(days: dict[int, DayPlan], foods: pd.DataFrame) -> dict[str, int]:
    """Days each food with energy is eaten on (water, tea, coffee do not count)."""
    energy_free = set(foods.index[foods["energy_kcal"] < ENERGY_FREE_KCAL])
    return {f: c for f, c in _usage(days).items() if f not in energy_free}


def trivial_bound(config: Config) -> float:
    """The bound every plan meets: nothing is negative; absorbed B12 meets its target."""
    if config.plan.objective == "b12_surplus":
        return (config.target_ug() - injection_per_day_ug(config)) * config.plan.days
    return 0.0


def lp_bound(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
             seconds: float) -> float | None:
    """The weekly LP relaxation's proven bound on the main objective (None if it fails)."""
    model = build_model(foods, supplements, config, relaxed=True)
    result = solve_relaxation(model, config.plan.solver, seconds, BOUND_LP_GAP)
    return result.best_bound() if result.status in ("optimal", "time_limit") else None


def start_bound(foods: pd.DataFrame, supplements: pd.DataFrame,
                config: Config) -> concurrent.futures.Future[float | None] | None:
    """The weekly LP bound, computed in a thread while the days are planned (HiGHS releases
    the GIL while it solves). None when the objective's own bound is all the gap needs."""
    if config.plan.objective == "deviation":
        return None
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    job = pool.submit(lp_bound, foods, supplements, config,
                      BOUND_SHARE * config.plan.time_limit_s)
    pool.shutdown(wait=False)
    return job


def lower_bound(config: Config, value: float,
                job: concurrent.futures.Future[float | None] | None) -> float:
    """No plan's main objective is lower: the trivial bound when it already closes the gap
    to ``value`` (the plan's), else the better of it and the weekly LP bound."""
    floor = trivial_bound(config)
    bound = job.result() if job is not None else None
    if bound is None or week_gap(value, floor) <= config.plan.mip_gap:
        return floor
    return max(floor, bound)


def week_gap(value: float, bound: float) -> float:
    """Relative gap of a week's main objective to its lower bound."""
    if value - bound <= 1e-9:
        return 0.0
    return (value - bound) / max(abs(value), 1e-9)


def solve_week(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
               progress: Progress | None = None) -> tuple[dict[int, DayPlan], int] | int:
    """Days planned in turn, then (plan.improve_passes) re-planned one at a time with the
    others fixed. Each step is an exact one-day MILP; an improvement is kept only when the
    week's objective falls. Returns the days and the passes run, or the number of the first
    day that has no plan.
    """
    n = config.plan.days
    budget = (1 - BOUND_SHARE) * config.plan.time_limit_s / (n * (config.plan.improve_passes + 1))
    days: dict[int, DayPlan] = {}
    for day in range(1, n + 1):
        found = solve_day(foods, supplements, config, day, days, budget)
        if found is None:
            return day
        days[day] = found[0]
        if progress:
            progress(f"planned day {day} of {n}")
    passes = 0
    for _ in range(config.plan.improve_passes):
        passes += 1
        improved = False
        for day in range(1, n + 1):
            others = {d: p for d, p in days.items() if d != day}
            before = weekly_objective(config, days, foods)
            found = solve_day(foods, supplements, config, day, others, budget)
            if found is None:
                continue
            trial = {**others, day: found[0]}
            if weekly_objective(config, trial, foods) < before - 1e-6:
                days, improved = dict(sorted(trial.items())), True
        if progress:
            progress(f"improvement pass {passes}: "
                     f"{weekly_objective(config, days, foods):.2f}")
        if not improved:
            break
    return days, passes


def make_plan(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
              progress: Progress | None = None,
              meta: dict[str, Any] | None = None) -> Plan:
    """Build, solve, extract and verify the plan; diagnose when none exists.

    One day is one exact MILP. A week is solved day by day with the other days fixed
    (coordinate descent), because the weekly MILP is symmetric across days and HiGHS cannot
    close its gap in interactive time; the weekly LP relaxation bounds the result.
    """
    started = time.perf_counter()
    if config.plan.days == 1:
        model = build_model(foods, supplements, config)
        result = run(model, config.plan.solver, config.plan.time_limit_s,
                     config.plan.mip_gap, progress=progress)
        if result.status == "infeasible":
            raise InfeasibleError(diagnose(foods, supplements, config))
        if result.status == "no_solution":
            raise _no_plan(config)
        food_items, tabs = extract(model)
        status, gap, objective = result.status, result.mip_gap, result.objective
    else:
        bound_job = start_bound(foods, supplements, config)
        with ticker(progress, "solving"):
            week = solve_week(foods, supplements, config, progress)
        if isinstance(week, int):  # day 1 fails on the daily rules alone: diagnose one day
            rules = day_config(config, {}, foods) if week == 1 else config
            raise InfeasibleError(diagnose(foods, supplements, rules))
        days, _passes = week
        food_items = pd.concat([p.items for p in days.values()], ignore_index=True)
        tabs = pd.concat([p.tabs for p in days.values()], ignore_index=True)
        objective = weekly_objective(config, days, foods)
        value = _gap_objective(config, days)
        bound = lower_bound(config, value, bound_job)
        gap = week_gap(value, bound)
        status = "optimal" if gap <= config.plan.mip_gap else "time_limit"
    plan = Plan(config=config, foods=foods, supplements=supplements,
                food_items=_ordered(food_items, config), supplement_items=_ordered_tabs(tabs),
                meta={**(meta or {}), "solver": config.plan.solver, "status": status,
                      "mip_gap": None if gap is None else round(gap, 6),
                      "objective": None if objective is None else round(objective, 6),
                      "solve_seconds": round(time.perf_counter() - started, 3)})
    problems = verify(plan)
    if problems:
        raise VerificationError("the plan failed independent verification (a planner bug): "
                                + "; ".join(problems[:10]))
    return plan


def _no_plan(config: Config) -> SolverError:
    return SolverError(f"no plan found within the time limit of {config.plan.time_limit_s:g} s",
                       "raise --time-limit or plan.mip_gap, or loosen the rules")


def _ordered(items: pd.DataFrame, config: Config) -> pd.DataFrame:
    position = {o.name: i for i, o in enumerate(config.occasions)}
    return items.assign(_pos=items["occasion"].map(position)) \
        .sort_values(["day", "_pos", "food"]).drop(columns="_pos").reset_index(drop=True)


def _ordered_tabs(tabs: pd.DataFrame) -> pd.DataFrame:
    if tabs.empty:
        return pd.DataFrame(columns=["day", "window", "supplement", "units"])
    return tabs.sort_values(["day", "window", "supplement"]).reset_index(drop=True)


# --- diagnosis ---------------------------------------------------------------------------

FIXES = {
    "b12_target": None,  # built from the configuration in _b12_fix
    "b12_floor": "lower b12.daily_floor_ug, or use target_period = \"day\"",
    "energy_min": "lower nutrients.energy_kcal's minimum, or allow more foods or servings",
    "energy_max": "raise nutrients.energy_kcal's maximum",
    "protein_min": "lower nutrients.protein_g_min, or allow protein-rich foods",
    "fluids_min": "lower nutrients.fluids_ml_min, or add drink occasions",
    "fiber_min": "lower nutrients.fiber_g_min",
    "sugars_max": "raise nutrients.sugars_g_max",
    "sugars_occasion_max": "raise the occasion's max_sugars_g",
    "solids_max": "raise the occasion's max_solids_g",
    "energy_share_min": "lower the occasion's energy_share minimum",
    "energy_share_max": "raise the occasion's energy_share maximum",
    "group_min": "lower variety.group_servings_per_day's minimum",
    "group_max": "raise variety.group_servings_per_day's maximum",
    "include": "remove the food from diet.include, or allow it",
    "budget": "raise budget.max_per_week",
    "supplement_required": "allow supplement products (b12.supplement_products)",
    "occasion_groups": "loosen the occasion's require_groups, or allow foods of those groups",
}
UNITS = {"b12_target": "ug", "b12_floor": "ug", "energy_min": "kcal", "energy_max": "kcal",
         "protein_min": "g", "fluids_min": "ml", "fiber_min": "g", "sugars_max": "g",
         "sugars_occasion_max": "g", "solids_max": "g", "group_min": "servings",
         "group_max": "servings", "include": "", "budget": "USD",
         "energy_share_min": "kcal", "energy_share_max": "kcal",
         "supplement_required": "tablets", "occasion_groups": "servings"}


def best_b12(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> float | None:
    """Upper bound on absorbed B12 per day under every other rule (LP relaxation)."""
    model = build_model(foods, supplements, config, relaxed=True, maximize_b12=True)
    result = run(model, config.plan.solver, config.plan.time_limit_s, 0.0, mip=False)
    if result.status != "optimal" or result.objective is None:
        return None
    return result.objective / config.plan.days + injection_per_day_ug(config)


def diagnose(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> str:
    """Name the smallest relaxation that would make a plan possible, with numbers and fixes."""
    model = build_model(foods, supplements, config, elastic=True)
    result = run(model, config.plan.solver, config.plan.time_limit_s, 0.05)
    lines = ["no plan satisfies every rule."]
    if result.status not in ("optimal", "time_limit"):
        lines.append("Even with every soft rule relaxed there is no plan: check the occasions "
                     "(which foods each may serve) and the diet's exclusions.")
        return "\n  ".join(lines)
    if result.status == "time_limit":
        lines.append("(the smallest relaxation found within the time limit; a smaller one may "
                     "exist)")
    relaxed = False
    values = result.values
    for family, items in sorted(model.slacks.items(),
                                key=lambda item: -ELASTIC_WEIGHTS[item[0]]):
        amounts = [(label, float(values[col])) for label, col in items]
        amounts = [(label, v) for label, v in amounts if v > 1e-6]
        if not amounts:
            continue
        relaxed = True
        lines.append(_describe(family, amounts, foods, supplements, config))
    if not relaxed:
        lines.append("the integer rules (servings, variety) leave no plan; raise "
                     "variety.max_days_per_food_per_week or max_foods_per_occasion")
    return "\n  ".join(lines)


def _describe(family: str, amounts: list[tuple[str, float]], foods: pd.DataFrame,
              supplements: pd.DataFrame, config: Config) -> str:
    worst = max(v for _, v in amounts)
    where = ", ".join(label.rsplit("_", 1)[-1] if family.startswith("b12") else label
                      for label, _ in amounts[:7])
    unit = UNITS.get(family, "")
    if family == "b12_target":
        return _b12_message(foods, supplements, config)
    fix = FIXES.get(family) or "relax this rule"
    return (f"{family.replace('_', ' ')}: short by up to {worst:.2f} {unit} ({where}) — {fix}")


def _b12_message(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> str:
    best = best_b12(foods, supplements, config)
    target = config.target_ug()
    diet = config.diet
    what = diet.pattern
    if not diet.fortified and config.b12.supplements == "none":
        what += " without fortified foods or supplements"
    elif not diet.fortified:
        what += " without fortified foods"
    elif config.b12.supplements == "none":
        what += " without supplements"
    fixes = []
    if config.b12.supplements == "none":
        fixes.append('allow supplements (`--set b12.supplements="allowed"`)')
    if not diet.fortified:
        fixes.append("fortified foods (`--set diet.fortified=true`)")
    if not fixes:
        fixes.append(f"lower b12.target_absorbed_ug (now {config.b12.target_absorbed_ug:g})")
    if best is not None and best >= target - 1e-6:
        return (f"absorbed B12 — target {target:.2f} ug/day: the rules allow up to "
                f"{best:.2f} with fractional servings, but not with whole servings under the "
                "variety rules — raise variety.max_days_per_food_per_week or "
                "max_servings_per_food_per_day, or allow more B12 sources")
    shown = "unknown" if best is None else f"{best:.2f}"
    return (f"absorbed B12 — {what}: at most {shown} ug/day absorbable, target "
            f"{target:.2f} — " + " or ".join(fixes))


# --- explanation -------------------------------------------------------------------------

@dataclass(frozen=True)
class Explanation:
    """What limits a plan: binding rule families, best B12, and the target's shadow price."""

    feasible: bool
    binding: list[tuple[str, int, float]]    # family, rows, summed dual value
    best_b12_ug: float | None
    target_ug: float
    shadow_price_per_0_1_ug: float | None    # currency per 0.1 ug/day more on every day
    lp_cost: float | None
    diagnosis: str = ""


def explain(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> Explanation:
    """Binding rules and shadow prices from the weekly LP relaxation."""
    best = best_b12(foods, supplements, config)
    model = build_model(foods, supplements, config, relaxed=True)
    result = run(model, config.plan.solver, config.plan.time_limit_s, 0.0, mip=False)
    if result.status != "optimal":
        return Explanation(False, [], best, config.target_ug(), None, None,
                           diagnose(foods, supplements, config))
    families: dict[str, list[float]] = {}
    price = 0.0
    duals = result.row_duals if result.row_duals is not None else np.zeros(model.lp.num_rows)
    weekly = config.b12.target_period == "week"
    for family, dual in zip(model.lp.row_families(), duals.tolist(), strict=True):
        if abs(dual) < 1e-7:
            continue
        families.setdefault(family, []).append(dual)
        if family == "b12_target":
            price += dual * 0.1 * (config.plan.days if weekly else 1)
        elif family == "b12_floor":
            price += dual * 0.1
    binding = sorted(((f, len(v), sum(v)) for f, v in families.items()),
                     key=lambda item: -abs(item[2]))
    return Explanation(True, binding, best, config.target_ug(), abs(price), result.objective)

