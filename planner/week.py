"""The week by column generation over day menus (Dantzig-Wolfe decomposition).

A column is a whole day menu that meets every daily rule. The master chooses how many days
each menu is eaten (integer counts summing to the plan's days) under the weekly rules: food
families on at most ``max_days`` days, the variety term, ``[diet] include``, the budget,
group uses per week, a weekly B12 target and at most ``plan.day_menus`` distinct menus.
Pricing is the one-day model with the master's duals as prices (``model.Prices``): a quick
search over a shortlist finds new menus, a search over every food proves a bound. With the
proven bound of a pricing problem, the week's Lagrangian bound is the master LP's value
plus the days times the least reduced cost.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .absorption import AbsorptionParams, chords, injection_per_day_ug
from .config import Config
from .errors import OutOfTime
from .model import Model, Prices, build_model, free_families, max_days, used_means_eaten
from .plan import Plan, verify
from .program import INF, Array, Program, solve_for_columns
from .solve import (
    DayPlan,
    _gap_objective,
    candidate_shortlist,
    daily_rules,
    day_plan,
    extract,
    in_background,
    lower_bound,
    main_objective,
    solve_week,
    start_bound,
    steady_regimen,
    ticker,
    trivial_bound,
    variety_weight,
    week_gap,
    weekly_objective,
)

Progress = Callable[[str], None]
ARTIFICIAL = 1000.0      # objective units per unit a weekly rule is missed while menus are few
SHORTLIST_SECONDS = 1.0  # a quick pricing search over a shortlist of foods, at most
QUICK_GAP = 0.02         # a quick search stops within 2 % of its bound
QUICK_EFFORT = 0.3       # share of a quick search's effort on primal heuristics
COLUMNS_PER_SEARCH = 5   # the last improving solutions of a search become menus
MASTER_SHARE = 0.15      # of the time limit, kept for the integer master
FINAL_BOUND_SHARE = 0.2  # of the time limit at most, for the bound of the last master LP
MIN_MASTER_SECONDS = 0.3
MIN_ROUND_SECONDS = 0.3  # a pricing round that would get less is not started
STALL_ROUNDS = 3         # rounds without a better week or master LP end the search
STALL_CHANGE = 0.001     # ... a master LP lower by less than 0.1 % is not better
IMPROVING = 1e-6         # reduced cost below which a menu improves the master
LATE_SECONDS = 2.0       # past the time limit, a search over every food is left unfinished


@dataclass(frozen=True)
class Menu:
    """One day menu (a master column): the day, its main objective and its identity."""

    day: DayPlan
    objective: float

    def key(self) -> str:
        items = self.day.items.sort_values(["occasion", "food"])
        tabs = self.day.tabs.sort_values(["window", "supplement"])
        return ";".join([*(f"{o}|{f}|{n}" for o, f, n in zip(
            items["occasion"], items["food"], items["servings"], strict=True)),
            *(f"w{w}|{s}|{u}" for w, s, u in zip(
                tabs["window"], tabs["supplement"], tabs["units"], strict=True))])


@dataclass
class Master:
    """The master program over the menus found so far, with the rows that price a menu."""

    program: Program
    x: Array
    days_row: int
    family_rows: dict[str, int] = field(default_factory=dict)
    food_rows: dict[str, int] = field(default_factory=dict)
    group_rows: dict[str, int] = field(default_factory=dict)
    budget_row: int | None = None
    b12_row: int | None = None


@dataclass
class WeekSearch:
    """What the search found: the week, its objective, its proven bound and how."""

    days: dict[int, DayPlan]
    objective: float
    bound: float
    bound_method: str
    menus: int
    rounds: int
    pool: list[Menu] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)


def menu_of(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
            items: pd.DataFrame, tabs: pd.DataFrame) -> Menu | None:
    """The menu of these servings and tablets if, as one day, it passes every daily rule
    (checked independently of the solver); else None."""
    rules = daily_rules(config)
    trial = Plan(config=rules, foods=foods, supplements=supplements,
                 food_items=items.assign(day=1), supplement_items=tabs.assign(day=1))
    if verify(trial):
        return None
    day = day_plan(foods, supplements, rules, items, tabs, 1)
    return Menu(day, main_objective(config, {1: day}, foods))


def _artificial(program: Program, row: int, sign: float) -> None:
    column = program.columns("artificial", [f"{row}_{sign:+g}"], 0.0, INF)
    program.add_entries(np.array([row]), column, sign)
    program.add_cost(column, ARTIFICIAL)


def master_program(menus: list[Menu], config: Config, foods: pd.DataFrame,
                   integer: bool, unlike: tuple[frozenset[int], ...] = ()) -> Master:
    """The aggregated master: x per menu (days eaten), family day counts with the convex
    variety term, and one row per weekly rule. The LP (``integer`` False) lets each weekly
    rule be missed at ARTIFICIAL per unit, so it is feasible from the first menu on.
    ``unlike``: sets of menus (by position) the week may not use all of."""
    days = config.plan.days
    program = Program()
    x = program.columns("x", range(len(menus)), 0.0, float(days), integer=integer)
    program.add_cost(x, [m.objective for m in menus])
    days_row = int(program.rows("days", ["week"], np.zeros(len(menus), np.int64), x, 1.0,
                                float(days), float(days))[0])
    master = Master(program, x, days_row)
    add_family_rows(master, menus, config, foods, integer)
    add_food_rows(master, menus, config, integer)
    add_budget_row(master, menus, config, integer)
    add_group_rows(master, menus, config, integer)
    add_b12_row(master, menus, config, integer)
    if integer:
        add_menu_choice_rows(master, config, unlike)
    return master


def add_menu_choice_rows(master: Master, config: Config,
                         unlike: tuple[frozenset[int], ...]) -> None:
    """At most plan.day_menus distinct menus, and not every menu of a week in ``unlike``."""
    program, days, count = master.program, config.plan.days, config.plan.day_menus
    limited = 0 < count < days
    if not limited and not unlike:
        return
    size = len(master.x)
    each = np.arange(size)
    used = program.columns("menu_used", range(size), 0.0, 1.0, integer=True)
    program.rows("menu_days", range(size), np.concatenate([each, each]),
                 np.concatenate([master.x, used]),
                 np.concatenate([np.ones(size), -float(days) * np.ones(size)]), upper=0.0)
    program.rows("menu_used_has_days", range(size), np.concatenate([each, each]),
                 np.concatenate([master.x, used]),
                 np.concatenate([np.ones(size), -np.ones(size)]), lower=0.0)
    if limited:
        program.rows("day_menus", ["week"], np.zeros(size, np.int64), used, 1.0,
                     upper=float(count))
    for number, week in enumerate(unlike):
        chosen = np.array(sorted(week), dtype=np.int64)
        program.rows("unlike", [number], np.zeros(len(chosen), np.int64), used[chosen], 1.0,
                     upper=len(chosen) - 1.0)


def add_family_rows(master: Master, menus: list[Menu], config: Config, foods: pd.DataFrame,
                    integer: bool) -> None:
    """Days each food family is eaten on: at most max_days (but for repeat_freely ones), and
    the variety term weight x pairs of such days, as the convex hull of n(n-1)/2."""
    program, days = master.program, config.plan.days
    limit = max_days(config)
    free = free_families(config, foods)
    weight = variety_weight(config)
    families = sorted({f for m in menus for f in m.day.families})
    for family in families:
        users = np.array([i for i, m in enumerate(menus) if family in m.day.families])
        capped = limit < days and family not in free
        count = program.columns("family_days", [family], 0.0, float(limit if capped else days))
        row = program.rows("family", [family], np.zeros(len(users) + 1, np.int64),
                           np.concatenate([master.x[users], count]),
                           np.concatenate([np.ones(len(users)), [-1.0]]), 0.0, 0.0)
        master.family_rows[family] = int(row[0])
        if capped and not integer:
            _artificial(program, int(row[0]), -1.0)
        if weight and days > 1:
            pairs = program.columns("family_pairs", [family], 0.0, INF)
            program.add_cost(pairs, 1.0)
            ks = np.arange(1, days)
            program.rows("family_pairs", [f"{family}_{k}" for k in ks],
                         np.concatenate([np.arange(len(ks)), np.arange(len(ks))]),
                         np.concatenate([np.repeat(pairs, len(ks)), np.repeat(count, len(ks))]),
                         np.concatenate([np.ones(len(ks)), -weight * ks]),
                         lower=-weight * ks * (ks + 1) / 2)


def add_food_rows(master: Master, menus: list[Menu], config: Config, integer: bool) -> None:
    """Each food of [diet] include on one day at least."""
    for food in config.diet.include:
        users = np.array([i for i, m in enumerate(menus) if food in m.day.foods], np.int64)
        row = int(master.program.rows("include", [food], np.zeros(len(users), np.int64),
                                      master.x[users], 1.0, lower=1.0)[0])
        master.food_rows[food] = row
        if not integer:
            _artificial(master.program, row, 1.0)


def add_budget_row(master: Master, menus: list[Menu], config: Config, integer: bool) -> None:
    """Cost of the week at most the budget, pro rata."""
    if config.budget.max_per_week <= 0:
        return
    row = int(master.program.rows("budget", ["week"], np.zeros(len(menus), np.int64),
                                  master.x, np.array([m.day.cost for m in menus]),
                                  upper=config.budget.max_per_week * config.plan.days / 7)[0])
    master.budget_row = row
    if not integer:
        _artificial(master.program, row, -1.0)


def add_group_rows(master: Master, menus: list[Menu], config: Config, integer: bool) -> None:
    """Foods of a group eaten per week within [min, max], pro rata."""
    scale = config.plan.days / 7
    for group, (lo, hi) in config.variety.group_uses_per_week.items():
        uses = np.array([float(m.day.group_uses.get(group, 0)) for m in menus])
        row = int(master.program.rows("group_uses", [group], np.zeros(len(menus), np.int64),
                                      master.x, uses, lower=lo * scale if lo * scale > 1e-9
                                      else -INF, upper=hi * scale)[0])
        master.group_rows[group] = row
        if not integer:
            _artificial(master.program, row, 1.0)
            _artificial(master.program, row, -1.0)


def add_b12_row(master: Master, menus: list[Menu], config: Config, integer: bool) -> None:
    """Absorbed B12 over the week at least the weekly target (the daily floor is a daily
    rule, met by every menu)."""
    if config.b12.target_period != "week":
        return
    row = int(master.program.rows("b12_target", ["week"], np.zeros(len(menus), np.int64),
                                  master.x, np.array([m.day.absorbed_ug for m in menus]),
                                  lower=config.target_ug() * config.plan.days)[0])
    master.b12_row = row
    if not integer:
        _artificial(master.program, row, 1.0)


def prices_of(master: Master, duals: Array) -> tuple[Prices, float]:
    """The duals as prices of a menu's parts, and the per-day constant (the days row's dual):
    a menu's reduced cost is its objective + its priced parts - that constant."""
    def price(row: int | None) -> float:
        return 0.0 if row is None else -float(duals[row])

    return Prices(cost=price(master.budget_row), absorbed_ug=price(master.b12_row),
                  groups={g: price(r) for g, r in master.group_rows.items()},
                  families={f: price(r) for f, r in master.family_rows.items()},
                  foods={f: price(r) for f, r in master.food_rows.items()}), \
        float(duals[master.days_row])


def reduced_cost(menu: Menu, prices: Prices, per_day: float) -> float:
    """The menu's reduced cost in the master with these prices."""
    day = menu.day
    return (menu.objective - per_day + prices.cost * day.cost
            + prices.absorbed_ug * day.absorbed_ug
            + sum(prices.groups.get(g, 0.0) * n for g, n in day.group_uses.items())
            + sum(prices.families.get(f, 0.0) for f in day.families)
            + sum(prices.foods.get(f, 0.0) for f in day.foods))


def chord_shortfall_ug(config: Config) -> float:
    """How much less absorbed B12 a day's model sees than the exact curve gives, at most
    (the chords lie below the concave intrinsic-factor curve): per window, times windows."""
    params = AbsorptionParams.from_config(config)
    worst = 0.0
    points = params.breakpoints_ug
    for (alpha, beta), (left, right) in zip(chords(params), itertools.pairwise(points),
                                            strict=False):
        for x in np.linspace(left, right, 201):
            curve = params.cmax_ug * x / (params.k_ug + x)
            worst = max(worst, curve - (alpha + beta * x))
    return params.k_if * worst * len(config.occasions)


Found = list[tuple[pd.DataFrame, pd.DataFrame]]


def price_menus(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                prices: Prices, cutoff: float, seconds: float, quick: bool,
                ) -> tuple[Found, float | None]:
    """One pricing search for menus whose pricing objective is below ``cutoff`` (those
    that improve the master): every such menu it meets, and, for a search over every food,
    a proven bound on the pricing objective (``cutoff`` when no menu is below it). ``quick``:
    a search over the foods the priced LP relaxation uses and their nearest rivals."""
    rules = daily_rules(config)
    started = time.perf_counter()
    shortlist = None
    if quick:
        try:
            listed = candidate_shortlist(foods, supplements, rules, {}, seconds / 3,
                                         prices=prices)
        except OutOfTime:
            listed = None
        if listed is None:
            return [], None
        shortlist = listed[0]
    model = build_model(foods, supplements, rules, shortlist=shortlist, prices=prices)
    left = max(seconds - (time.perf_counter() - started), 0.05)
    solution, saved = solve_for_columns(model.lp, left, QUICK_GAP if quick else 0.0, cutoff,
                                        QUICK_EFFORT if quick else 0.05)
    bound = None
    if not quick:
        if solution.status == "infeasible":
            bound = cutoff
        elif solution.bound is not None:
            bound = min(solution.bound, cutoff)
    found = []
    for values in saved[::-1][:COLUMNS_PER_SEARCH]:
        model.solution = dataclasses.replace(solution, values=values)
        found.append(extract(model))
    return found, bound


def lagrangian_bound(value: float, pricing_bound: float, per_day: float, prices: Prices,
                     config: Config) -> float:
    """The week's bound from the master LP value and a pricing problem's proven bound: no
    menu's reduced cost is below the pricing bound less the improving cutoff."""
    least = pricing_bound - pricing_cutoff(prices, per_day, config)
    return value + config.plan.days * min(0.0, least)


def pricing_cutoff(prices: Prices, per_day: float, config: Config) -> float:
    """Pricing objectives below this may improve the master: the per-day constant, plus,
    when absorbed B12 has a price, what a one-day model leaves out of a menu's absorbed B12
    (the injection, and the chords' under-count at most)."""
    if prices.absorbed_ug >= 0:
        return per_day
    return per_day - prices.absorbed_ug * (injection_per_day_ug(config)
                                           + chord_shortfall_ug(config))


@dataclass
class _Bounding:
    """A running pricing search over every food, with the master LP it prices."""

    job: concurrent.futures.Future[tuple[Found, float | None]]
    value: float
    prices: Prices
    per_day: float


class ColumnSearch:
    """Column generation state: the menus found, the master LP's value and prices, the
    best proven bound, and the best week of the menus so far."""

    def __init__(self, foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                 seeds: tuple[Menu, ...], progress: Progress | None) -> None:
        self.foods, self.supplements, self.config = foods, supplements, config
        self.progress = progress
        self.menus: dict[str, Menu] = {m.key(): m for m in seeds}
        self.bound, self.method = trivial_bound(config), "trivial"
        self.prices, self.per_day, self.value = Prices(), INF, -INF
        self.converged = False
        self.rounds = 0
        self.best = integer_value(self.listed(), config, foods, MIN_MASTER_SECONDS)

    def listed(self) -> list[Menu]:
        return list(self.menus.values())

    def add(self, found: Found, improving_only: bool = True) -> int:
        """Keep the menus that pass the daily rules and are new (and improve the master)."""
        added = 0
        for items, tabs in found:
            menu = menu_of(self.foods, self.supplements, self.config, items, tabs)
            if menu is None or menu.key() in self.menus or (improving_only and reduced_cost(
                    menu, self.prices, self.per_day) >= -IMPROVING):
                continue
            self.menus[menu.key()] = menu
            added += 1
        return added

    def solve_master(self) -> bool:
        """The master LP over the menus: its value and prices. False if it fails."""
        if not self.menus:
            return True
        master = master_program(self.listed(), self.config, self.foods, integer=False)
        solution = master.program.solve("highs", 60.0, 0.0, mip=False)
        if solution.row_duals is None or solution.objective is None:
            return False
        self.value = solution.objective
        self.prices, self.per_day = prices_of(master, solution.row_duals)
        return True

    def start_bounding(self, seconds: float) -> _Bounding:
        cutoff = pricing_cutoff(self.prices, self.per_day, self.config)
        return _Bounding(in_background(price_menus, self.foods, self.supplements, self.config,
                                       self.prices, cutoff, seconds, False),
                         self.value, self.prices, self.per_day)

    def collect(self, bounding: _Bounding) -> int:
        """A finished search over every food: its bound on the week and its menus."""
        found, proven = bounding.job.result()
        if proven is not None and bounding.value > -INF:
            week = lagrangian_bound(bounding.value, proven, bounding.per_day,
                                    bounding.prices, self.config)
            if week > self.bound:
                self.bound, self.method = week, "dantzig-wolfe"
            if bounding.value == self.value and week >= self.value - IMPROVING:
                self.converged = True    # no menu improves the master: the LP is the bound
        return self.add(found)

    def quick_round(self, seconds: float) -> tuple[int, bool]:
        """A quick pricing search; the menus added and whether the week or the master LP
        got better by it."""
        cutoff = pricing_cutoff(self.prices, self.per_day, self.config)
        found, _ = price_menus(self.foods, self.supplements, self.config, self.prices,
                               cutoff, seconds, True)
        self.rounds += 1
        added = self.add(found)
        last = self.value
        week = integer_value(self.listed(), self.config, self.foods, MIN_MASTER_SECONDS)
        better = week < self.best - IMPROVING
        self.best = min(self.best, week)
        if self.progress:
            self.progress(f"menu search round {self.rounds}: {len(self.menus)} menus, "
                          f"best week {self.best:.2f}")
        return added, better or last == -INF

    def enumerate_gap(self, deadline: float) -> bool:
        """After the master LP is proven optimal: every menu that could be in a better week
        than the best so far (reduced cost below the gap), the best of each set of foods,
        until none is left or the deadline. True when none is left and a menu's set of
        foods decides all it brings to the week but its objective (no budget and no weekly
        B12 target): the best week of the menus is then the optimum."""
        if not self.converged or self.best == INF:
            return False
        cutoff = pricing_cutoff(self.prices, self.per_day, self.config) + (
            self.best - self.value) + IMPROVING
        rules = daily_rules(self.config)
        model = build_model(self.foods, self.supplements, rules, prices=self.prices)
        while (left := deadline - time.perf_counter()) > MIN_ROUND_SECONDS / 3:
            solution, saved = solve_for_columns(model.lp, left, 0.0, cutoff)
            if solution.status == "infeasible":
                return self.config.budget.max_per_week <= 0 and \
                    self.config.b12.target_period != "week"
            if solution.status != "optimal" or not saved:
                return False
            model.solution = dataclasses.replace(solution, values=saved[-1])
            items, tabs = extract(model)
            self.add([(items, tabs)], improving_only=False)
            exclude_food_set(model, items)
        return False


def exclude_food_set(model: Model, items: pd.DataFrame, occasion: str | None = None) -> None:
    """The one-day model may no longer choose exactly these foods at their occasions (in
    any servings): sum of their y - sum of the others' y <= their count - 1. With
    ``occasion``, only that occasion's foods and slots count."""
    slots = model.slots
    if occasion is not None:
        items = items[items["occasion"] == occasion]
    mine = set(zip(items["occasion"], items["food"], strict=True))
    keys = list(zip(slots["occasion"], slots["food"], strict=True))
    inside = np.array([k in mine for k in keys])
    if int(inside.sum()) < len(mine):
        return          # a food of the menu is not in this model: it cannot be chosen
    used_means_eaten(model)
    counted = np.ones(len(keys), dtype=bool) if occasion is None else \
        (slots["occasion"] == occasion).to_numpy()
    model.lp.rows("not_menu", [str(len(model.lp.row_blocks))],
                  np.zeros(int(counted.sum()), np.int64), model.y[counted],
                  np.where(inside[counted], 1.0, -1.0), upper=len(mine) - 1.0)


def search_week(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
                progress: Progress | None = None, seeds: tuple[Menu, ...] = (),
                ) -> WeekSearch | None:
    """The best week column generation finds by ``plan.time_limit_s``, with its proven
    bound; None when no week of the menus found meets the weekly rules.

    Quick pricing searches (a shortlist of foods) find menus in the main thread while a
    search over every food runs beside them for the bound; the search ends when the
    master LP is proven optimal, the week is within ``plan.mip_gap`` of the bound, neither
    the week nor the master LP got better for STALL_ROUNDS rounds, or time is up. When the
    LP is proven optimal, the menus that could still be in a better week are enumerated."""
    started = time.perf_counter()
    limit = config.plan.time_limit_s
    stop = started + limit - max(MIN_MASTER_SECONDS, MASTER_SHARE * limit)
    search = ColumnSearch(foods, supplements, config, seeds, progress)
    bounding: _Bounding | None = None
    misses = stalled = 0
    late = started + limit + LATE_SECONDS
    while search.solve_master():
        if bounding is not None and bounding.job.done():
            added = search.collect(bounding)
            bounding = None
            if search.converged:
                break
            if added:
                continue
        left = stop - time.perf_counter()
        closed = search.best < INF and \
            week_gap(search.best, search.bound) <= config.plan.mip_gap
        if left < MIN_ROUND_SECONDS or stalled >= STALL_ROUNDS or closed:
            break
        if bounding is None and search.menus:
            bounding = search.start_bounding(max(left / 2, MIN_ROUND_SECONDS))
        added, better = search.quick_round(min(SHORTLIST_SECONDS * 2 ** misses, left))
        misses = 0 if added else misses + 1
        stalled = 0 if better or search.best == INF else stalled + 1
        if not added and bounding is not None and misses > 1:
            _finished(bounding, late)
    if bounding is not None and _finished(bounding, late):
        search.collect(bounding)
    left = min(stop - time.perf_counter(), FINAL_BOUND_SHARE * limit)
    if not search.converged and left >= MIN_ROUND_SECONDS and search.solve_master():
        bounding = search.start_bounding(left)      # the bound of the last master
        if _finished(bounding, late):
            search.collect(bounding)
    complete = search.enumerate_gap(stop)
    menus = search.listed()
    counts, _value, proven = integer_counts(menus, config, foods, max(
        started + limit - time.perf_counter(), MIN_MASTER_SECONDS))
    if counts is None:
        return None
    bound, method = search.bound, search.method
    if complete and proven is not None and proven > bound:
        bound, method = proven, "dantzig-wolfe, every better menu enumerated"
    chosen = rotation(counts, menus)
    return WeekSearch(days=chosen, objective=weekly_objective(config, chosen, foods),
                      bound=bound, bound_method=method, menus=len(menus),
                      rounds=search.rounds, pool=menus, counts=counts)


def _finished(bounding: _Bounding, late: float) -> bool:
    """Wait for a search over every food until ``late``; whether it finished."""
    done, _ = concurrent.futures.wait([bounding.job],
                                      timeout=max(late - time.perf_counter(), 0.0))
    return bool(done)


def integer_week(menus: list[Menu], config: Config, foods: pd.DataFrame,
                 seconds: float) -> dict[int, DayPlan] | None:
    """The best week of these menus (the integer master), days in rotation; None if no
    week of them meets the weekly rules."""
    counts, _value, _bound = integer_counts(menus, config, foods, seconds)
    return None if counts is None else rotation(counts, menus)


def integer_counts(menus: list[Menu], config: Config, foods: pd.DataFrame, seconds: float,
                   unlike: tuple[frozenset[int], ...] = (),
                   ) -> tuple[dict[int, int] | None, float, float | None]:
    """Days each menu is eaten in the best week of these menus (the integer master), its
    objective and the master's proven bound."""
    if not menus:
        return None, INF, None
    master = master_program(menus, config, foods, integer=True, unlike=unlike)
    solution = master.program.solve("highs", seconds, 0.0)
    if solution.status not in ("optimal", "time_limit") or solution.objective is None:
        return None, INF, None
    counts = np.rint(solution.values[master.x]).astype(int)
    return ({i: int(c) for i, c in enumerate(counts.tolist()) if c > 0},
            float(solution.objective), solution.best_bound())


def integer_value(menus: list[Menu], config: Config, foods: pd.DataFrame,
                  seconds: float) -> float:
    """The objective of the best week of these menus found in ``seconds`` (inf: none)."""
    return integer_counts(menus, config, foods, seconds)[1]


def other_weeks(menus: list[Menu], config: Config, foods: pd.DataFrame,
                first: dict[int, int], count: int, seconds: float) -> list[dict[int, DayPlan]]:
    """Up to ``count`` more weeks of these menus, best first, each leaving out at least one
    menu of every week before it."""
    unlike: tuple[frozenset[int], ...] = (frozenset(first),)
    weeks = []
    for _ in range(count):
        counts, _value, _bound = integer_counts(menus, config, foods, seconds, unlike)
        if counts is None:
            break
        weeks.append(rotation(counts, menus))
        unlike += (frozenset(counts),)
    return weeks


def rotation(counts: dict[int, int], menus: list[Menu]) -> dict[int, DayPlan]:
    """Days of the week for menus eaten these many days: the most eaten first, in turn
    (A B C A B C A)."""
    order = sorted(counts, key=lambda i: (-counts[i], menus[i].key()))
    left = dict(counts)
    days: dict[int, DayPlan] = {}
    day = 1
    while any(left.values()):
        for i in order:
            if left[i]:
                days[day] = menus[i].day.on(day)
                left[i] -= 1
                day += 1
    return days


@dataclass
class WeekPlan:
    """The week chosen, with the proven bound on its objective and how it was found."""

    days: dict[int, DayPlan]
    status: str        # optimal (within plan.mip_gap of the bound) | feasible
    gap: float
    objective: float
    bound: float
    meta: dict[str, object]
    alternatives: list[dict[int, DayPlan]] = field(default_factory=list)


def best_week(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
              progress: Progress | None = None, reference: pd.DataFrame | None = None,
              alternatives: int = 0) -> WeekPlan | int:
    """The week: the day menus planned in turn (``solve.solve_week``), then, with
    ``plan.week_search = "columns"`` or ``alternatives``, column generation over day menus
    from them in the time left (not with a person's own meals or a solver other than
    HiGHS), and up to ``alternatives`` other weeks of the menus found. Returns the first
    day of a menu that has no plan instead when the rotation finds none."""
    started = time.perf_counter()
    bound_job = start_bound(foods, supplements, config)
    with ticker(progress, "solving"):
        rotated = solve_week(foods, supplements, config, progress, reference)
    if isinstance(rotated, int):
        return rotated
    days = rotated[0]
    value = weekly_objective(config, days, foods)
    meta: dict[str, object] = {"week_search": "day menus in turn", "rotation_objective":
                               round(value, 6)}
    left = config.plan.time_limit_s - (time.perf_counter() - started)
    search = None
    if (config.plan.week_search == "columns" or alternatives) and reference is None and \
            config.plan.solver == "highs" and left >= MIN_ROUND_SECONDS + MIN_MASTER_SECONDS:
        seeds = {m.key(): m for m in (menu_of(foods, supplements, config,
                                              p.items.drop(columns="day"),
                                              p.tabs.drop(columns="day"))
                                      for p in days.values()) if m is not None}
        with ticker(progress, "searching day menus"):
            search = search_week(foods, supplements, with_time_limit(config, left), progress,
                                 tuple(seeds.values()))
        if search is not None:
            meta.update({"week_search": "column generation over day menus",
                         "menus": search.menus, "pricing_rounds": search.rounds})
            if search.objective < value - 1e-9:
                days, value = search.days, search.objective
    others = [] if search is None or not alternatives else other_weeks(
        search.pool, config, foods, search.counts, alternatives, MIN_MASTER_SECONDS * 3)
    days = steady_regimen(days, foods, supplements, config)
    measured = _gap_objective(config, days, foods)
    bound = lower_bound(config, measured, bound_job)
    method = "lp relaxation" if bound > trivial_bound(config) else "trivial"
    if search is not None and config.plan.objective != "deviation" and search.bound > bound:
        bound, method = search.bound, search.bound_method
    if config.plan.objective != "deviation":
        measured = weekly_objective(config, days, foods)
    gap = week_gap(measured, bound)
    meta.update({"bound": round(bound, 6), "bound_method": method})
    return WeekPlan(days=days, status="optimal" if gap <= config.plan.mip_gap else "feasible",
                    gap=gap, objective=weekly_objective(config, days, foods), bound=bound,
                    meta=meta, alternatives=[steady_regimen(w, foods, supplements, config)
                                             for w in others])


def with_time_limit(config: Config, seconds: float) -> Config:
    return dataclasses.replace(config, plan=dataclasses.replace(config.plan,
                                                                time_limit_s=seconds))


def plan_objective(plan: Plan) -> float:
    """The week's objective of a plan, recomputed from its servings and tablets under its
    own rules (as the search scores a week)."""
    config, rules = plan.config, daily_rules(plan.config)
    items, tabs = plan.food_items, plan.supplement_items
    days = {}
    for day in range(1, config.plan.days + 1):
        mine = items[items["day"] == day].drop(columns="day")
        theirs = tabs[tabs["day"] == day].drop(columns="day") if not tabs.empty else \
            pd.DataFrame(columns=["window", "supplement", "units"])
        days[day] = day_plan(plan.foods, plan.supplements, rules, mine, theirs, day)
    return weekly_objective(config, days, plan.foods)
