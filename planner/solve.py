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
from typing import Any, NamedTuple, NoReturn

import numpy as np
import pandas as pd

from .absorption import injection_per_day_ug
from .config import ADEQUACY_NUTRIENTS, Config
from .errors import DataError, OutOfTime, PlannerError
from .meals import allowed, role_set
from .model import (
    ENERGY_FREE_KCAL,
    POPULARITY_SCALE,
    TEMPLATE_WEIGHT,
    Model,
    Prices,
    build_model,
    free_families,
    max_days,
    supplement_penalty,
)
from .needs import available_nutrients, targets
from .plan import Plan, VerificationError, verify
from .program import Array, Solution
from .reference import changes
from .relaxation import solve_relaxation
from .vocabulary import rule_words

Progress = Callable[[str], None]
VARIETY_WEIGHT = 0.05    # currency units per pair of days that share a food family
TYPICAL_VARIETY = 6.0    # ... times this for the typical objective (units of unpopularity)
MENU_SECONDS = 4.0       # a menu's shortlist MILP at most (the full share if it finds
#                          nothing): its incumbent comes in 1-2 s, the rest works on the bound.
#                          2 s gave the same preset weeks (omnivore 7.8 s, not 12.7), but
#                          on a loaded machine a menu then stops by time, not by its gap, and
#                          the same inputs gave different plans (the determinism test failed)
MIN_SOLVE_SECONDS = 0.2  # a solve that would get less than this before the deadline is not run
MIN_DAY_SECONDS = 5.0    # time a day gets when its shortlist fails
MIN_DIAGNOSIS_SECONDS = 1.0  # a diagnosis gets what is left of the time limit, at least this
SHORTLIST_EXTRA = 6      # foods per occasion beyond the LP's own, for the integer search.
#                          One more per occasion and food group and per occasion and role
#                          tripled the default week's time (353 slots, not 191) for no
#                          better weeks over the presets; 24 more when 6 found no plan was
#                          slower and worse than the whole day (vegan menu 2: 4 s, 92.9
#                          against 2.5 s, 81.5)
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
        mip: bool = True, progress: Progress | None = None,
        on_incumbent: Callable[[Array, float], None] | None = None) -> Solution:
    """Solve the model; the solution is kept on the model for ``extract``."""
    with ticker(progress, "solving"):
        model.solution = model.lp.solve(solver_name, time_limit_s, mip_gap, mip,
                                        on_incumbent=on_incumbent)
    return model.solution


def extract(model: Model, values: Array | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Servings per slot and tablets per window from the solution, or from ``values`` (rounded
    to integers)."""
    if values is None:
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
    """SHA-256 of a table file (DataError naming it when it cannot be read)."""
    try:
        return hashlib.sha256((path or fallback).read_bytes()).hexdigest()
    except OSError as exc:
        raise DataError(f"{path or fallback}: cannot be read ({exc.strerror})",
                        "check the path") from None


@dataclass
class DayPlan:
    """One day's servings and tablets, with its cost and the foods it uses."""

    items: pd.DataFrame
    tabs: pd.DataFrame
    cost: float
    foods: frozenset[str]
    absorbed_ug: float
    families: frozenset[str] = frozenset()
    group_uses: dict[str, int] = dataclasses.field(default_factory=dict)
    repeats: int = 1              # days of the week this day's menu is eaten
    penalty: float = 0.0          # objective units of its supplements beyond B12

    def on(self, day: int) -> DayPlan:
        """The same menu as one day of the week."""
        return dataclasses.replace(self, items=self.items.assign(day=day),
                                   tabs=self.tabs.assign(day=day), repeats=1)


def variety_weight(config: Config) -> float:
    """Currency (or unpopularity) units per pair of days that share a food family."""
    return VARIETY_WEIGHT * (TYPICAL_VARIETY if config.plan.objective == "typical" else 1.0)


def in_background(function: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
    """``function(*args)`` on a daemon thread: a HiGHS solve that overruns its own time
    limit (it can, deep in a sub-MIP's presolve) then holds up neither the plan nor the
    process's exit."""
    job: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def work() -> None:
        try:
            job.set_result(function(*args))
        except BaseException as exc:   # handed to whoever waits for the job
            job.set_exception(exc)

    threading.Thread(target=work, daemon=True).start()
    return job


def _seconds(config: Config, wanted: float, deadline: float) -> float:
    """``wanted`` seconds, or what is left before ``deadline``; SolverError when too little
    is left to start a solve."""
    left = deadline - time.perf_counter()
    if left < MIN_SOLVE_SECONDS:
        raise _no_plan(config)
    return min(wanted, left)


def day_config(config: Config, others: dict[int, DayPlan], foods: pd.DataFrame,
               repeats: int = 1, alongside: int = 0) -> Config:
    """The one-day rules for a menu eaten on ``repeats`` days, given the other menus of the
    week (fixed) and ``alongside`` days of a menu planned at the same time.

    Food families that would then be on more than max_days days are left out; weekly rules
    (include, budget, a weekly B12 target, group uses) become what remains for this day.
    A menu planned beside another (``alongside`` > 0) leads when ``alongside`` is its
    partner's days and ``repeats`` its own: the lead meets what both must still meet of
    ``[diet] include`` and group-use minimums, the partner (``alongside`` < 0, its lead's
    days) none of it, and the room left under group-use maximums is split between them.
    """
    partner = abs(alongside)
    counts = _family_usage(others)
    free = free_families(config, foods)
    families = {f for f, c in counts.items()
                if c + repeats + partner > max_days(config) and f not in free}
    full = set(foods.index[foods["family"].isin(families)
                           & (foods["energy_kcal"] >= ENERGY_FREE_KCAL)])
    used = {f for plan in others.values() for f in plan.foods}
    unplanned = max(config.plan.days - sum(p.repeats for p in others.values()), 1)
    b12 = config.b12
    if b12.target_period == "week":
        remaining = config.target_ug() * config.plan.days - sum(
            p.absorbed_ug * p.repeats for p in others.values())
        need = max(b12.daily_floor_ug, remaining / unplanned)
        b12 = dataclasses.replace(b12, target_period="day", target_absorbed_ug=max(
            need - config.profile().extra_target_ug, 0.0))
    budget = config.budget
    if budget.max_per_week:
        spent = sum(p.cost * p.repeats for p in others.values())
        share = (budget.max_per_week * config.plan.days / 7 - spent) / unplanned
        budget = dataclasses.replace(budget, max_per_week=max(share, 1e-6) * 7)
    uses = {}
    for group, (lo, hi) in config.variety.group_uses_per_week.items():
        done = sum(p.group_uses.get(group, 0) * p.repeats for p in others.values())
        need, room = group_use_share(lo * config.plan.days / 7 - done,
                                     hi * config.plan.days / 7 - done,
                                     unplanned - repeats - partner, repeats, alongside)
        uses[group] = (7.0 * need, 7.0 * room)   # a one-day model scales by 1/7
    include = tuple(f for f in config.diet.include if f not in used) if alongside >= 0 else ()
    return dataclasses.replace(
        config, plan=dataclasses.replace(config.plan, days=1), b12=b12, budget=budget,
        variety=dataclasses.replace(config.variety, group_uses_per_week=uses),
        diet=dataclasses.replace(
            config.diet, exclude=tuple(sorted(set(config.diet.exclude) | full)),
            include=include))


def group_use_share(short: float, room: float, later: int, repeats: int,
                    alongside: int = 0) -> tuple[int, int]:
    """Uses of a food group each day of this menu must have and may have, when the week
    still needs ``short`` uses and allows ``room`` more, and ``later`` days (counted on for
    one use each) come after this menu and its partner. Of a pair planned at the same time
    (``alongside``, as in ``day_config``) the lead takes all that is needed now, the partner
    none, and they share the room."""
    def up(value: float) -> int:
        return math.ceil(value - 1e-9)

    def down(value: float) -> int:
        return math.floor(max(value, 0.0) + 1e-9)

    need_now = max(0.0, short - later)
    if alongside == 0:
        need = up(need_now / repeats)
        return need, max(down(room / repeats), need)
    lead, partner = (repeats, alongside) if alongside > 0 else (-alongside, repeats)
    lead_need = up(need_now / lead)
    lead_room = max(lead_need, down(room / (lead + partner)))
    if alongside > 0:
        return lead_need, lead_room
    return 0, down((room - lead_room * lead) / partner)


def _family_usage(days: dict[int, DayPlan]) -> dict[str, int]:
    """Days each food family with energy is eaten on (water, tea, coffee do not count)."""
    counts: dict[str, int] = {}
    for plan in days.values():
        for family in plan.families:
            counts[family] = counts.get(family, 0) + plan.repeats
    return counts


def day_reference(reference: pd.DataFrame | None, others: dict[int, DayPlan],
                  days: int) -> dict[tuple[str, str], float]:
    """The person's own meals still to be kept on the days left: (occasion, food) -> grams,
    for each food not yet eaten at that occasion as often as they eat it (pro rata)."""
    if reference is None or reference.empty:
        return {}
    done: dict[tuple[str, str], int] = {}
    for plan in others.values():
        for key in set(zip(plan.items["occasion"], plan.items["food"], strict=True)):
            done[key] = done.get(key, 0) + plan.repeats
    out = {}
    for occasion, food, grams, times in zip(reference["occasion"], reference["id"],
                                            reference["grams"], reference["times_per_week"],
                                            strict=True):
        key = (str(occasion), str(food))
        if done.get(key, 0) < float(times) * days / 7 - 1e-9:
            out[key] = float(grams)
    return out


@dataclass
class DaySearch:
    """A menu's search prepared: its one-day rules, what each family costs it, the person's
    own meals still to keep, its shortlist, the families its LP relaxation eats and that
    LP's basis."""

    rules: Config
    penalty: dict[str, float]
    mine: dict[tuple[str, str], float]
    shortlist: set[tuple[str, str]] | None
    families: frozenset[str]
    basis: Any = None


def prepare_day(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                others: dict[int, DayPlan], seconds: float,
                reference: pd.DataFrame | None = None, repeats: int = 1,
                deadline: float = math.inf, alongside: int = 0,
                beside: DaySearch | None = None) -> DaySearch:
    """The rules, prices and shortlist of a menu for ``repeats`` days with the other menus
    fixed (``alongside``: a menu planned at the same time, see ``day_config``; ``beside``:
    that menu's search, whose LP relaxation's families are priced as if eaten on its days
    and whose basis starts this LP)."""
    sub = day_config(config, others, foods, repeats, alongside)
    weight = variety_weight(config)
    pairs = repeats * (repeats - 1) / 2
    usage = _family_usage(others)
    for family in beside.families if beside else ():
        usage[family] = usage.get(family, 0) + abs(alongside)
    penalty = {f: weight * (repeats * c + pairs) for f, c in usage.items()}
    mine = day_reference(reference, others, config.plan.days)
    try:
        found = candidate_shortlist(foods, supplements, sub, penalty,
                                    _seconds(config, seconds / 2, deadline), mine,
                                    deadline=deadline, basis=beside.basis if beside else None)
    except OutOfTime as exc:
        raise _no_plan(config) from exc   # the cause says: not even the LP was done in time
    if found is None:
        return DaySearch(sub, penalty, mine, None, frozenset())
    table = foods.loc[sorted(found.eaten)]
    families = frozenset(table.loc[table["energy_kcal"] >= ENERGY_FREE_KCAL, "family"])
    return DaySearch(sub, penalty, mine, found.pairs, families, found.basis)


def solve_day(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config, day: int,
              others: dict[int, DayPlan], seconds: float,
              reference: pd.DataFrame | None = None,
              repeats: int = 1, spare: float = 0.0,
              deadline: float = math.inf,
              search: DaySearch | None = None,
              guess: Callable[[Callable[[], DayPlan], float], None] | None = None,
              ) -> tuple[DayPlan, float] | None:
    """The best menu for ``repeats`` days of the week with the other menus fixed, and its
    objective; no solve runs past ``deadline`` (a ``time.perf_counter()`` value).
    ``search``: this menu's search when already prepared (``prepare_day``, which also
    plans a menu beside another). ``guess(menu, gap)``: told of each better menu the
    integer search finds (``menu()`` makes it) and its gap then.

    None when no plan exists for the day; SolverError when none was found in time.
    """
    if search is None:
        search = prepare_day(foods, supplements, config, others, seconds, reference, repeats,
                             deadline)
    sub, penalty, mine = search.rules, search.penalty, search.mine

    def told(model: Model) -> Callable[[Array, float], None] | None:
        if guess is None:
            return None
        return lambda values, gap: guess(
            lambda: day_plan(foods, supplements, sub, *extract(model, values), day, repeats),
            gap)

    try:
        result = None
        if search.shortlist is not None:
            model = build_model(foods, supplements, sub, repeat_penalty=penalty,
                                shortlist=search.shortlist, reference=mine, deadline=deadline)
            result = run(model, config.plan.solver, _seconds(config, seconds, deadline),
                         config.plan.mip_gap, on_incumbent=told(model))
        if result is None or result.status not in ("optimal", "time_limit"):
            model = build_model(foods, supplements, sub, repeat_penalty=penalty,
                                reference=mine, deadline=deadline)
            result = run(model, config.plan.solver,
                         _seconds(config, max(seconds, spare, MIN_DAY_SECONDS), deadline),
                         config.plan.mip_gap, on_incumbent=told(model))
    except OutOfTime as exc:
        raise _no_plan(config) from exc
    if result.status == "infeasible":
        return None
    if result.status == "no_solution" or result.objective is None:
        raise _no_plan(config)
    items, tabs = extract(model)
    return day_plan(foods, supplements, sub, items, tabs, day, repeats), result.objective


def day_plan(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
             items: pd.DataFrame, tabs: pd.DataFrame, day: int, repeats: int = 1) -> DayPlan:
    """A one-day model's servings and tablets (``config`` its one-day rules) as a menu for
    ``day``, with cost, absorbed B12, families and group uses recomputed from them."""
    single = Plan(config=config, foods=foods, supplements=supplements,
                  food_items=items.assign(day=1), supplement_items=tabs.assign(day=1))
    days = single.days()
    eaten = foods.loc[items["food"]]
    counted = eaten[eaten["energy_kcal"] >= ENERGY_FREE_KCAL]
    per_unit = supplement_penalty(supplements, config)
    units = float((tabs["units"] * tabs["supplement"].map(per_unit)).sum()) if not tabs.empty \
        else 0.0
    return DayPlan(items=items.assign(day=day), tabs=tabs.assign(day=day), penalty=units,
                   cost=float(days["cost"].sum()), foods=frozenset(items["food"]),
                   absorbed_ug=float(days["absorbed_b12_ug"].sum()),
                   families=frozenset(counted["family"]),
                   group_uses={str(k): int(v) for k, v in
                               eaten["group"].value_counts().items()}, repeats=repeats)


class Shortlist(NamedTuple):
    """A menu's integer search: its (occasion, food) pairs, the foods its LP relaxation
    eats and that LP's optimal basis (a start for a similar LP)."""

    pairs: set[tuple[str, str]]
    eaten: frozenset[str]
    basis: Any = None


def candidate_shortlist(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                        penalty: dict[str, float], seconds: float,
                        reference: dict[tuple[str, str], float] | None = None,
                        prices: Prices | None = None,
                        deadline: float = math.inf, basis: Any = None) -> Shortlist | None:
    """(occasion, food) pairs worth an integer search: those the LP relaxation uses, the
    person's own, plus the SHORTLIST_EXTRA cheapest others per occasion by reduced cost;
    with the foods the LP relaxation eats and its basis (``basis``: its start). None if
    the LP fails; OutOfTime if it has no solution within ``seconds``.
    """
    model = build_model(foods, supplements, config, relaxed=True, repeat_penalty=penalty,
                        reference=reference, prices=prices, deadline=deadline)
    solution = solve_relaxation(model, config.plan.solver, seconds, SHORTLIST_LP_GAP, basis)
    if solution.status == "no_solution":   # out of time: the whole model would be slower
        raise OutOfTime("the time limit passed before the LP relaxation had a solution")
    if solution.status not in ("optimal", "time_limit"):
        return None
    reduced = solution.reduced_costs if solution.reduced_costs is not None \
        else np.zeros(model.lp.num_cols)
    table = model.slots[["occasion", "food", "shuffle"]].assign(
        value=solution.values[model.n], dj=reduced[model.n])
    used = table[table["value"] > 1e-6]
    chosen = set(zip(used["occasion"], used["food"], strict=True))
    rest = table[[(o, f) not in chosen for o, f in zip(table["occasion"], table["food"],
                                                        strict=True)]]
    rest = rest.sort_values(["dj", "shuffle"], kind="stable")
    eaten = frozenset(used["food"])
    for _occasion, part in rest.groupby("occasion", sort=True):
        chosen |= set(zip(part["occasion"].head(SHORTLIST_EXTRA),
                          part["food"].head(SHORTLIST_EXTRA), strict=True))
    known = set(zip(model.slots["occasion"], model.slots["food"], strict=True))
    return Shortlist(chosen | (set(reference or {}) & known), eaten, solution.basis)


def main_objective(config: Config, days: dict[int, DayPlan], foods: pd.DataFrame) -> float:
    """The week's [plan] objective: departure from typical eating plus weighted cost, cost,
    extra servings, or absorbed B12 (with 0.001 x cost as a tie-break for the last two)."""
    cost = sum(p.cost for p in days.values())
    tablets = sum(p.penalty for p in days.values())
    if config.plan.objective == "typical":
        items = pd.concat([p.items for p in days.values()], ignore_index=True)
        return typical_score(config, items, foods) + config.plan.cost_weight * cost + tablets
    if config.plan.objective == "cost":
        return cost + tablets
    if config.plan.objective == "deviation":
        extra = sum(float((p.items["servings"] - 1).sum()) for p in days.values())
        return extra + 0.001 * cost + tablets
    return sum(p.absorbed_ug for p in days.values()) + 0.001 * cost + tablets


def typical_score(config: Config, items: pd.DataFrame, foods: pd.DataFrame) -> float:
    """Departure from typical eating, recomputed from the servings: each food's
    unpopularity at its occasion and each meal's template rarity."""
    if items.empty:
        return 0.0
    table = foods.loc[items["food"]]
    by_name = {o.name: o for o in config.occasions}
    occasion = items["occasion"].to_numpy()
    pop = np.zeros(len(items))
    for name in set(occasion.tolist()):
        mine = occasion == name
        columns = [f"pop_{t}" for t in by_name[name].tokens()]
        pop[mine] = np.nan_to_num(table[columns].to_numpy(dtype=float)[mine]).max(axis=1)
    score = float(np.log10((POPULARITY_SCALE + 1) / (pop + 1)).sum())
    if config.plan.meal_structure == "nhanes" and (table["role"] != "").all():
        meals = items.assign(role=table["role"].to_numpy()).groupby(["day", "occasion"])
        rarities: dict[str, dict[tuple[str, ...], float]] = {}
        for (_day, name), part in meals:
            if str(name) not in rarities:
                rarities[str(name)] = {t.roles: t.rarity() for t in allowed(by_name[str(name)])}
            score += TEMPLATE_WEIGHT * rarities[str(name)].get(role_set(part["role"]), 0.0)
    return score


def _gap_objective(config: Config, days: dict[int, DayPlan], foods: pd.DataFrame) -> float:
    """What the stated gap measures: the main objective, but for deviation only its leading
    term (extra servings), whose relaxation bound is 0, without the cost tie-break."""
    if config.plan.objective == "deviation":
        return sum(float((p.items["servings"] - 1).sum()) for p in days.values())
    return main_objective(config, days, foods)


def weekly_objective(config: Config, days: dict[int, DayPlan], foods: pd.DataFrame) -> float:
    """The week's objective: the main objective plus the variety term (VARIETY_WEIGHT per pair
    of days sharing a food that has energy)."""
    pairs = sum(c * (c - 1) / 2 for c in _family_usage(days).values())
    weight = VARIETY_WEIGHT * (TYPICAL_VARIETY if config.plan.objective == "typical" else 1.0)
    return main_objective(config, days, foods) + weight * pairs


def trivial_bound(config: Config) -> float:
    """The bound every plan meets: nothing is negative; absorbed B12 meets its target."""
    if config.plan.objective == "b12_surplus":
        return (config.target_ug() - injection_per_day_ug(config)) * config.plan.days
    return 0.0


def lp_bound(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
             seconds: float) -> float | None:
    """A proven bound on the week's main objective: the plan's days times the LP bound of
    one day under the daily rules alone. Every day of the week meets those rules, so no day
    scores below it (weekly rules, budget and variety only add to a week). None if it fails
    or is not built within ``seconds``.
    """
    deadline = time.perf_counter() + seconds
    try:
        model = build_model(foods, supplements, daily_rules(config), relaxed=True,
                            deadline=deadline)
    except OutOfTime:
        return None
    left = deadline - time.perf_counter()
    if left < MIN_SOLVE_SECONDS:
        return None
    result = solve_relaxation(model, config.plan.solver, left, BOUND_LP_GAP)
    bound = result.best_bound() if result.status in ("optimal", "time_limit") else None
    return None if bound is None else bound * config.plan.days


def daily_rules(config: Config) -> Config:
    """One day under the rules every day of the plan must meet (weekly ones left out)."""
    b12 = config.b12
    if b12.target_period == "week":
        b12 = dataclasses.replace(b12, target_period="day", target_absorbed_ug=max(
            b12.daily_floor_ug - config.profile().extra_target_ug, 0.0))
    return dataclasses.replace(
        config, plan=dataclasses.replace(config.plan, days=1), b12=b12,
        budget=dataclasses.replace(config.budget, max_per_week=0.0),
        variety=dataclasses.replace(config.variety, group_uses_per_week={}),
        diet=dataclasses.replace(config.diet, include=()))


def start_bound(foods: pd.DataFrame, supplements: pd.DataFrame,
                config: Config) -> concurrent.futures.Future[float | None] | None:
    """The weekly LP bound, computed in a thread while the days are planned (HiGHS releases
    the GIL while it solves). None when the objective's own bound is all the gap needs."""
    if config.plan.objective == "deviation":
        return None
    return in_background(lp_bound, foods, supplements, config,
                         BOUND_SHARE * config.plan.time_limit_s)


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


def menu_days(days: int, menus: int) -> list[list[int]]:
    """The days of the week each day menu is eaten on, in rotation: A B C A B C A."""
    count = min(menus or days, days)
    return [list(range(m + 1, days + 1, count)) for m in range(count)]


def menu_waves(rotation: list[list[int]], max_days: int) -> list[list[int]]:
    """The menus planned together, in order: the first alone, then pairs of menus whose
    days together are at most ``max_days`` (no food family can then break the days-per-food
    rule by being in both), each pair on two threads."""
    waves, number = [[0]], 1
    while number < len(rotation):
        pair = number + 1 < len(rotation) and \
            len(rotation[number]) + len(rotation[number + 1]) <= max_days
        waves.append([number, number + 1] if pair else [number])
        number += 2 if pair else 1
    return waves


def solve_week(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
               progress: Progress | None = None, reference: pd.DataFrame | None = None,
               ) -> tuple[dict[int, DayPlan], int] | int:
    """The week as ``plan.day_menus`` day menus eaten in rotation, planned in turn (two at a
    time where ``menu_waves`` allows, without a person's own meals), then
    (plan.improve_passes) re-planned one at a time with the others fixed. Each step is an
    exact one-day MILP; an improvement is kept only when the week's objective falls. Returns
    the days and the passes run, or the first day of a menu that has no plan.
    """
    rotation = menu_days(config.plan.days, config.plan.day_menus)
    count = len(rotation)
    share = (1 - BOUND_SHARE) * config.plan.time_limit_s / (
        count * (config.plan.improve_passes + 1))
    budget = min(share, MENU_SECONDS)
    deadline = time.perf_counter() + config.plan.time_limit_s
    waves = menu_waves(rotation, max_days(config)) if reference is None else \
        [[number] for number in range(count)]
    menus: dict[int, DayPlan] = {}
    ahead = None
    for index, wave in enumerate(waves):
        found, ahead = _plan_wave(foods, supplements, config, rotation, wave, menus, budget,
                                  share, deadline, reference,
                                  waves[index + 1] if index + 1 < len(waves) else None, ahead)
        if isinstance(found, int):
            return found
        menus.update(found)
        if progress:
            for number in wave:
                progress(f"planned day menu {number + 1} of {count} "
                         f"(days {', '.join(map(str, rotation[number]))})")
    passes = 0
    for _ in range(config.plan.improve_passes):
        passes += 1
        improved = False
        for number, days_of in enumerate(rotation):
            others = {m: p for m, p in menus.items() if m != number}
            before = weekly_objective(config, _expand(menus, rotation), foods)
            if deadline - time.perf_counter() < MIN_SOLVE_SECONDS:
                break
            try:
                found_day = solve_day(foods, supplements, config, days_of[0], others, budget,
                                      reference, len(days_of), spare=share, deadline=deadline)
            except SolverError:   # out of time: keep the week found so far
                break
            if found_day is None:
                continue
            trial = {**others, number: found_day[0]}
            if weekly_objective(config, _expand(trial, rotation), foods) < before - 1e-6:
                menus, improved = dict(sorted(trial.items())), True
        if progress:
            progress(f"improvement pass {passes}: "
                     f"{weekly_objective(config, _expand(menus, rotation), foods):.2f}")
        if not improved:
            break
    return _expand(menus, rotation), passes


class Speculation:
    """The next menus' searches started on a guess. Each menu an integer search finds
    within twice its gap is taken for the final one: ``work(menu)`` runs for it on a daemon
    thread (the LP relaxations of the next menus, which the integer search would otherwise
    hold up while it proves its gap). Kept only when the search ends at that very menu, so
    plans are what they would be without it."""

    def __init__(self, work: Callable[[DayPlan], list[DaySearch]], gap: float) -> None:
        self.work, self.gap = work, gap
        self.latest: tuple[concurrent.futures.Future[DayPlan],
                           concurrent.futures.Future[list[DaySearch]]] | None = None

    def offer(self, menu: Callable[[], DayPlan], gap: float) -> None:
        """A better menu of the integer search (``menu()`` makes it) at ``gap``."""
        if gap > 2 * self.gap:
            return
        planned: concurrent.futures.Future[DayPlan] = concurrent.futures.Future()

        def guess() -> list[DaySearch]:
            try:
                found = menu()
            except BaseException as exc:
                planned.set_exception(exc)
                raise
            planned.set_result(found)
            return self.work(found)

        self.latest = (planned, in_background(guess))

    def result_for(self, menu: DayPlan) -> list[DaySearch] | None:
        """The work done for this very menu, or None."""
        if self.latest is None:
            return None
        planned, job = self.latest
        try:
            guessed = planned.result()
            if not (guessed.items.equals(menu.items) and guessed.tabs.equals(menu.tabs)):
                return None
            return job.result()
        except PlannerError:
            return None


def _plan_wave(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
               rotation: list[list[int]], wave: list[int], menus: dict[int, DayPlan],
               budget: float, share: float, deadline: float,
               reference: pd.DataFrame | None, following: list[int] | None = None,
               ahead: list[DaySearch] | None = None,
               ) -> tuple[dict[int, DayPlan] | int, list[DaySearch] | None]:
    """The menus of one wave given those planned before it. Of a pair, the lead's LP
    relaxation is solved first, then the partner's, which prices the families the lead's
    relaxation eats, so that the two menus differ; their integer searches run on two
    threads (HiGHS releases the GIL). In turn when either has no plan that way. ``ahead``:
    the wave's LP relaxations already solved (see ``Speculation``). Returns the first day
    of a menu that has no plan instead; and, for a lone menu, the ``following`` wave's
    searches when they were prepared while this menu's integer search proved its gap."""
    def one(number: int, others: dict[int, DayPlan], alongside: int,
            search: DaySearch | None = None, beside: DaySearch | None = None,
            guess: Speculation | None = None) -> DayPlan | None:
        days_of = rotation[number]
        if search is None:
            search = prepare_day(foods, supplements, config, others, budget, reference,
                                 len(days_of), deadline, alongside, beside)
        found = solve_day(foods, supplements, config, days_of[0], others, budget, reference,
                          len(days_of), spare=share, deadline=deadline, search=search,
                          guess=guess.offer if guess else None)
        return None if found is None else found[0]

    def lead_search(numbers: list[int], others: dict[int, DayPlan]) -> DaySearch:
        partner = len(rotation[numbers[1]]) if len(numbers) == 2 else 0
        return prepare_day(foods, supplements, config, others, budget, reference,
                           len(rotation[numbers[0]]), deadline, partner)

    def searches(numbers: list[int], others: dict[int, DayPlan]) -> list[DaySearch]:
        first = lead_search(numbers, others)
        if len(numbers) == 1:
            return [first]
        return [first, prepare_day(foods, supplements, config, others, budget, reference,
                                   len(rotation[numbers[1]]), deadline,
                                   -len(rotation[numbers[0]]), first)]

    if len(wave) == 1 and following and reference is None:
        number = wave[0]
        guess = Speculation(lambda menu: searches(following, {**menus, number: menu}),
                            config.plan.mip_gap)
        menu = one(number, menus, 0, ahead[0] if ahead else None, guess=guess)
        if menu is None:
            return rotation[number][0], None
        return {number: menu}, guess.result_for(menu)
    if len(wave) == 2:
        lead, partner = wave
        sizes = len(rotation[lead]), len(rotation[partner])
        first, second = ahead if ahead else (lead_search(wave, menus), None)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [pool.submit(one, lead, menus, sizes[1], first),
                    pool.submit(one, partner, menus, -sizes[0], second, first)]
            pair = [job.result() for job in jobs]
        if pair[0] is not None and pair[1] is not None:
            return {lead: pair[0], partner: pair[1]}, None
    planned: dict[int, DayPlan] = {}
    for number in wave:
        menu = one(number, {**menus, **planned}, 0,
                   ahead[0] if ahead and len(wave) == 1 else None)
        if menu is None:
            return rotation[number][0], None
        planned[number] = menu
    return planned, None


def steady_regimen(days: dict[int, DayPlan], foods: pd.DataFrame, supplements: pd.DataFrame,
                   config: Config) -> dict[int, DayPlan]:
    """One regimen for the whole week, as a clinician writes it: each product any day takes,
    every day, as on its fullest day (windows and units); of B12-only tablets the strongest
    used. Kept only when the week still passes every rule (upper limits, products kept
    apart, absorbed B12); else the days as planned."""
    tabs = pd.concat([p.tabs for p in days.values()], ignore_index=True)
    if tabs.empty:
        return days
    pattern: dict[str, pd.DataFrame] = {}
    for (_day, product), part in tabs.groupby(["day", "supplement"], sort=True):
        name = str(product)
        if name not in pattern or part["units"].sum() > pattern[name]["units"].sum():
            pattern[name] = part[["window", "supplement", "units"]]
    dose = supplements["b12_ug_per_unit"]
    b12_only = [p for p in pattern if float(dose[p]) > 0
                and not supplement_penalty(supplements.loc[[p]], config).iloc[0]
                and p not in config.supplements.daily]
    if len(b12_only) > 1:
        keep = max(b12_only, key=lambda p: (float(dose[p]) * pattern[p]["units"].sum(), p))
        pattern = {p: rows for p, rows in pattern.items() if p not in b12_only or p == keep}
    regimen = pd.concat(list(pattern.values()), ignore_index=True)
    price = supplements["price_per_pack"] / supplements["units_per_pack"]
    penalty = supplement_penalty(supplements, config)
    steady = {}
    for day, plan in days.items():
        mine = regimen.assign(day=day)[["day", "window", "supplement", "units"]]
        old = float((plan.tabs["units"] * plan.tabs["supplement"].map(price)).sum()) \
            if not plan.tabs.empty else 0.0
        new = float((mine["units"] * mine["supplement"].map(price)).sum())
        steady[day] = dataclasses.replace(
            plan, tabs=mine, cost=plan.cost - old + new,
            penalty=float((mine["units"] * mine["supplement"].map(penalty)).sum()))
    trial = Plan(config=config, foods=foods, supplements=supplements,
                 food_items=pd.concat([p.items for p in steady.values()], ignore_index=True),
                 supplement_items=_ordered_tabs(pd.concat([p.tabs for p in steady.values()],
                                                          ignore_index=True)))
    return steady if not verify(trial) else days


def _expand(menus: dict[int, DayPlan], rotation: list[list[int]]) -> dict[int, DayPlan]:
    """Each day of the week with its menu."""
    return dict(sorted((day, menus[m].on(day)) for m, days in enumerate(rotation)
                       for day in days))


def make_plan(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
              progress: Progress | None = None, meta: dict[str, Any] | None = None,
              reference: pd.DataFrame | None = None, alternatives: int = 0) -> Plan:
    """Build, solve, extract and verify the plan; diagnose when none exists.

    One day is one exact MILP. A week is solved day by day with the other days fixed
    (coordinate descent), because the weekly MILP is symmetric across days and HiGHS cannot
    close its gap in interactive time; the weekly LP relaxation bounds the result.
    """
    started = time.perf_counter()
    from .meal_week import plan_meals, uses_library

    if uses_library(foods, config):
        if reference is not None:
            raise PlannerError(
                "plans of library meals take your own meals as [meals] own (a CSV of meal, "
                "occasion, food, grams), not diet.reference",
                "name them in [meals] own, or plan from single foods (--set "
                "meals.source=\"composed\")")
        plan = _verified(plan_meals(foods, supplements, config, progress, meta, alternatives))
        for other in plan.alternatives:
            _verified(other)
        return plan
    if reference is not None:
        config = with_reference(config, reference)
    if config.plan.days == 1:
        model = build_model(foods, supplements, config,
                            reference=day_reference(reference, {}, 1))
        result = run(model, config.plan.solver, config.plan.time_limit_s,
                     config.plan.mip_gap, progress=progress)
        if result.status == "infeasible":
            _no_plan_exists(foods, supplements, config, config, progress, started)
        if result.status == "no_solution":
            _infeasible_or_slow(foods, supplements, config, config, progress, started)
        food_items, tabs = extract(model)
        status, gap, objective = result.status, result.mip_gap, result.objective
        status = "feasible" if status == "time_limit" else status
        extra = {} if result.bound is None else {"bound": round(result.bound, 6),
                                                 "bound_method": "branch and bound"}
        others: list[dict[int, DayPlan]] = []
        bound = 0.0
    else:
        from .week import best_week  # the week module builds on this one

        try:
            week = best_week(foods, supplements, config, progress, reference, alternatives)
        except SolverError as exc:
            if isinstance(exc.__cause__, OutOfTime):
                raise
            _infeasible_or_slow(foods, supplements, config, day_config(config, {}, foods),
                                progress, started)
        if isinstance(week, int):  # day 1 fails on the daily rules alone: diagnose one day
            rules = day_config(config, {}, foods) if week == 1 else config
            _no_plan_exists(foods, supplements, config, rules, progress, started)
        food_items = pd.concat([p.items for p in week.days.values()], ignore_index=True)
        tabs = pd.concat([p.tabs for p in week.days.values()], ignore_index=True)
        status, gap, objective = week.status, week.gap, week.objective
        extra, others, bound = week.meta, week.alternatives, week.bound
    plan = Plan(config=config, foods=foods, supplements=supplements,
                food_items=_ordered(food_items, config), supplement_items=_ordered_tabs(tabs),
                meta={**(meta or {}), "solver": config.plan.solver, "status": status,
                      "mip_gap": None if gap is None else round(gap, 6),
                      "objective": None if objective is None else round(objective, 6),
                      **extra, "solve_seconds": round(time.perf_counter() - started, 3)})
    if reference is not None:
        plan.changes = changes(plan.items(), reference, foods, config)
    _verified(plan)
    for number, days in enumerate(others, start=2):
        value = weekly_objective(config, days, foods)
        gap = week_gap(value, bound)
        other = Plan(
            config=config, foods=foods, supplements=supplements,
            food_items=_ordered(pd.concat([p.items for p in days.values()],
                                          ignore_index=True), config),
            supplement_items=_ordered_tabs(pd.concat([p.tabs for p in days.values()],
                                                     ignore_index=True)),
            meta={**plan.meta, "status": "optimal" if gap <= config.plan.mip_gap
                  else "feasible", "mip_gap": round(gap, 6), "objective": round(value, 6),
                  "alternative": number})
        plan.alternatives.append(_verified(other))
    return plan


def _verified(plan: Plan) -> Plan:
    problems = verify(plan)
    if problems:
        raise VerificationError("the plan failed independent verification (a planner bug): "
                                + "; ".join(problems[:10]))
    return plan


def _infeasible_or_slow(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                        rules: Config, progress: Progress | None, started: float) -> NoReturn:
    """No plan was found in time: if even fractional servings cannot meet ``rules`` (the
    elastic LP must relax some), no plan exists and the diagnosis says why; else the time
    limit was too short (also when less than a second of it is left to tell)."""
    if config.plan.time_limit_s - (time.perf_counter() - started) < MIN_DIAGNOSIS_SECONDS:
        raise _no_plan(config)
    found = relaxations(foods, supplements, _time_left(rules, started), relaxed=True)
    if found is None or found[1]:
        _no_plan_exists(foods, supplements, config, rules, progress, started, found)
    raise _no_plan(config)


def _no_plan_exists(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                    rules: Config, progress: Progress | None, started: float,
                    found: Relaxations | None = None) -> NoReturn:
    """Diagnose ``rules`` in what is left of the run's time limit (at least a second)."""
    rules = _time_left(rules, started)
    if progress:
        progress("no plan satisfies every rule; looking for the smallest change that allows "
                 f"one (up to {rules.plan.time_limit_s:.0f} s)")
    raise InfeasibleError(diagnose(foods, supplements, rules, found))


def _time_left(config: Config, started: float) -> Config:
    left = config.plan.time_limit_s - (time.perf_counter() - started)
    return dataclasses.replace(config, plan=dataclasses.replace(
        config.plan, time_limit_s=max(left, MIN_DIAGNOSIS_SECONDS)))


def with_reference(config: Config, reference: pd.DataFrame) -> Config:
    """The person's own foods may be eaten as often as they eat them now."""
    free = tuple(dict.fromkeys([*config.variety.repeat_freely, *reference["id"]]))
    return dataclasses.replace(config, variety=dataclasses.replace(config.variety,
                                                                   repeat_freely=free))


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
    "fluids_min": "lower nutrients.fluids_ml_min, or add drink occasions",
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
         "fluids_min": "ml", "sugars_max": "g",
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


def diagnose(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
             found: Relaxations | None = None) -> str:
    """Name the smallest relaxation that would make a plan possible, with numbers and fixes:
    the rules that must give even with fractional servings (the elastic LP: exact and
    deterministic), else those the whole servings force (the elastic MILP); the rule that
    accounts for most of the relaxation first."""
    lines = ["no plan satisfies every rule."]
    found = found or relaxations(foods, supplements, config, relaxed=True)
    integers = found is not None and not found[1]
    if integers:
        found = relaxations(foods, supplements, config, relaxed=False)
    if found is None:
        lines.append("Even with every soft rule relaxed there is no plan: check the occasions "
                     "(which foods each may serve) and the diet's exclusions.")
        return "\n  ".join(lines)
    status, causes = found
    if status == "no_time":
        lines.append("the search for the smallest change ran out of time: raise --time-limit "
                     "to let it finish")
        return "\n  ".join(lines)
    if status == "time_limit":
        lines.append("(the smallest relaxation found within the time limit; a smaller one may "
                     "exist)")
    for family, amounts in causes:
        lines.append(_describe(family, amounts, foods, supplements, config))
    if not causes:
        lines.append("the integer rules (servings, variety) leave no plan; raise "
                     "variety.max_days_per_food_per_week or max_foods_per_occasion")
    elif integers:
        lines.append("(with fractional servings every rule could be met: whole servings are "
                     "what forces this)")
    return "\n  ".join(lines)


Relaxations = tuple[str, list[tuple[str, list[tuple[str, float]]]]]


def relaxations(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                relaxed: bool) -> Relaxations | None:
    """The elastic model's status and the rule families it had to relax, each with its
    relaxed rows, largest share of the penalty first (ties by name); None if even the
    elastic model has no plan."""
    started = time.perf_counter()
    try:
        model = build_model(foods, supplements, config, elastic=True, relaxed=relaxed,
                            deadline=started + config.plan.time_limit_s)
    except OutOfTime:
        return "no_time", []
    result = run(model, config.plan.solver,
                 max(config.plan.time_limit_s - (time.perf_counter() - started),
                     MIN_SOLVE_SECONDS), 0.0 if relaxed else 0.05, mip=not relaxed)
    if result.status == "infeasible":
        return None
    if result.status not in ("optimal", "time_limit") or result.values is None:
        return "no_time", []
    cost = model.lp.cost()
    causes = []
    for family, items in model.slacks.items():
        amounts = [(label, float(result.values[col])) for label, col in items
                   if result.values[col] > 1e-6]
        if amounts:
            weight = sum(float(cost[col]) * float(result.values[col]) for _, col in items)
            causes.append((-round(weight, 9), family, amounts))
    return result.status, [(family, amounts) for _, family, amounts in sorted(causes)]


def _describe(family: str, amounts: list[tuple[str, float]], foods: pd.DataFrame,
              supplements: pd.DataFrame, config: Config) -> str:
    if family in ("need", "limit", "supplement_limit", "energy_share_limit"):
        return _nutrient_message(family, amounts, foods, config)
    worst = max(v for _, v in amounts)
    if family == "budget":
        week = worst * 7 / config.plan.days
        return (f"budget: the closest plan costs about {week:.2f} {UNITS['budget']} a week "
                f"more than budget.max_per_week = {config.budget.max_per_week:g} — raise it "
                f"to at least {config.budget.max_per_week + week:.2f}, or allow cheaper foods")
    where = ", ".join(label.rsplit("_", 1)[-1] if family.startswith("b12") else label
                      for label, _ in amounts[:7])
    unit = UNITS.get(family, "")
    if family == "b12_target":
        return _b12_message(foods, supplements, config)
    fix = FIXES.get(family) or "relax this rule"
    return (f"{rule_words(family)} [{family}]: short by up to {worst:.2f} {unit} ({where}) "
            f"— {fix}")


def _nutrient_message(family: str, amounts: list[tuple[str, float]], foods: pd.DataFrame,
                      config: Config) -> str:
    """'calcium: the closest plan reaches about 820 of the 1000 mg/day need — fixes' for
    each nutrient whose rule had to give (elastic rows are scaled to shares of the value)."""
    kind = "need" if family == "need" else "limit"
    scope = {"supplement_limit": "supplements", "energy_share_limit": "energy_share"}.get(
        family, "total")
    by_nutrient: dict[str, float] = {}
    for label, value in amounts:
        nutrient = label.removeprefix(f"{family}_").rsplit("_d", 1)[0]
        by_nutrient[nutrient] = max(by_nutrient.get(nutrient, 0.0), value)
    rules = {(t.nutrient, t.kind, t.scope): t
             for t in targets(config, available_nutrients(foods))}
    parts = []
    for nutrient, share in sorted(by_nutrient.items()):
        rule = rules.get((nutrient, kind, scope))
        if rule is None:
            continue
        if family == "energy_share_limit":
            parts.append(f"{rule.describe()}: the closest plan needs about {share:.0f} kcal "
                         f"more of it — allow other foods, or raise [nutrients] {rule.key}")
            continue
        reached = rule.value * (1 - share if kind == "need" else 1 + share)
        fixes = [f"change [nutrients] {rule.key} (now {rule.value:g}, {rule.source})",
                 f'or leave it out with --set nutrients.skip=["{nutrient}"]']
        if kind == "need" and not config.supplements.allowed:
            fixes.insert(0, "allow supplements (--set supplements.allowed=true)")
        if kind == "need":
            fixes.insert(0, f"allow more foods rich in {rule.label}")
        side = "reaches about" if kind == "need" else "cannot stay under; it has about"
        parts.append(f"{rule.label}: the closest plan {side} {reached:.3g} {rule.unit}/day "
                     f"for a {kind} of {rule.value:g} — " + ", ".join(fixes))
    return "\n  ".join(parts) or f"{family}: relax this rule"


def _b12_message(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config) -> str:
    best = best_b12(foods, supplements, config)
    aside = ""
    if best is None and config.nutrients.adequacy:   # other needs fail too: B12 alone
        best = best_b12(foods, supplements, dataclasses.replace(
            config, nutrients=dataclasses.replace(config.nutrients, adequacy=False,
                                                  skip=ADEQUACY_NUTRIENTS)))
        aside = " (other nutrient needs aside)"
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
    return (f"absorbed B12 — {what}: at most {shown} ug/day absorbable{aside}, target "
            f"{target:.2f} — " + " or ".join(fixes))


# --- explanation -------------------------------------------------------------------------

@dataclass(frozen=True)
class Explanation:
    """What limits a plan: binding rule families, best B12, and the target's shadow price."""

    feasible: bool
    binding: list[tuple[str, int, float, str]]   # family, rows, saving, loosened how
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
    if result.status in ("time_limit", "no_solution"):
        raise PlannerError(f"the week's LP relaxation was not solved within the time limit of "
                           f"{config.plan.time_limit_s:g} s, so nothing can be said of the "
                           "rules yet", "raise --time-limit")
    if result.status != "optimal":
        return Explanation(False, [], best, config.target_ug(), None, None,
                           diagnose(foods, supplements, config))
    from .sensitivity import binding_rules, limit_sides

    price = 0.0
    duals = result.row_duals if result.row_duals is not None else np.zeros(model.lp.num_rows)
    weekly = config.b12.target_period == "week"
    families = model.lp.row_families()
    for family, dual in zip(families, duals.tolist(), strict=True):
        if family == "b12_target":
            price += dual * 0.1 * (config.plan.days if weekly else 1)
        elif family == "b12_floor":
            price += dual * 0.1
    saved = (np.abs(duals) * 0.1 * limit_sides(model.lp, result.values, duals)).tolist()
    binding = binding_rules(families, duals, saved)
    return Explanation(True, binding, best, config.target_ug(), abs(price), result.objective)

