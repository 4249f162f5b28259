"""The week by decomposition: a master problem over day menus (columns) and one pricing
problem for a day (``day.py``), with a bound that is proven, not hoped for.

The master (``master.py``) holds the weekly rules; pricing looks for a day whose reduced cost is
negative under the master's duals: the day's LP relaxation over every option (a warm-started
HiGHS instance) gives a shortlist per occasion; dives on the LP of a wider shortlist (fix the
option used most, occasion by occasion; then one more, leaving out the first dive's first
option) and a small MILP over the shortlist give the columns, each new day kept (a richer
pool for the integer master). The search stops after ``search_rounds`` rounds, or when 3
rounds lower the master LP by less than 1 % (or nothing new is found); the integer master then
picks 7 distinct days and one small MILP chooses the week's portions and tablets again
(``week_milp.py``).
Limits are counted in rounds and nodes, never in seconds, so the same inputs give the same
week; a deadline only stops the search early with the best week found.

The bound is the days times the optimum of the week's mean-day LP (``bound.py``). (The
Lagrangian bounds of the rounds' duals with the day LP never exceeded it on any preset.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bound import MeanDay, mean_day_lp, mean_week_bound
from .day import DayModel, build_day
from .master import (
    EPS,
    DayMenu,
    Finish,
    Pool,
    SearchError,
    WeeklyRule,
    count_names,
    counted_options,
    distinct_rules,
    finished_week,
    menu_from,
    option_of_column,
    solve_master,
    week_days,
    weekly_rules,
)
from .options import (
    LEFTOVER,
    Options,
    leftover_occasions,
    subset,
)
from .program import (
    INF,
    NO_CLOCK,
    Array,
    highs_model,
    improving_solutions,
    new_highs,
    out_of_time,
    seconds_left,
)
from .schema import Config
from .week_milp import NODES, polish, repair

SHORTLIST = 6             # options per occasion the pricing MILP takes, first try
DAY_GAP = 0.05            # relative gap at which a pricing MILP stops
SEED_GAP = 0.01           # the same for the day MILPs of the first week
DIVE_TRIES = 12           # options a dive may ban before it gives up
EXTRA_DIVES = 1           # dives per round that leave out one of the first dive's options
DIVE_WIDTH = 60           # options per occasion the dive's LP takes
SEED_SHORTLIST = 12       # options per occasion of each day of the first week
SEED_NODES = 300          # branch-and-bound nodes of each of its day MILPs
MAX_ROUNDS = 24           # rounds at most while no week keeps every weekly rule (vegan: 13)
MAX_SHORTLIST = 96        # options per occasion a round's MILP grows to when it finds no day
                          # (no preset grows past 24; the whole library took 40 s a round)
STALL_ROUNDS, STALL = 3, 0.01    # stop when 3 rounds lowered the master LP by < 1 %
RESCUE_ROUNDS = 6          # rounds more when no whole week of the pool keeps the rules
PRESOLVE_COLUMNS = 600     # day MILPs of more columns (grown shortlists) are presolved
RESCUE_PRICE = 5.0         # objective units per unit of a weekly rule it misses, first round
STOPS = ("converged", "stalled", "rounds", "deadline")   # why a search ended


class SearchTimeout(SearchError):
    """The run's clock ended the search before it found a week."""


@dataclass
class Week:
    """The search's result: the days' menus, objective, proven bound and what it did."""

    menus: list[DayMenu]
    objective: float
    bound: float
    rounds: int
    columns: int
    stopped: str                  # one of STOPS
    pool: list[DayMenu] = field(default_factory=list)

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


class Pricing:
    """The day LP over every option, kept warm in one HiGHS instance across rounds."""

    def __init__(self, model: DayModel) -> None:
        self.model = model
        self.highs = new_highs(threads=1, random_seed=0, presolve="off", simplex_strategy=4)
        self.highs.passModel(highs_model(model.program, mip=False))
        self.all = np.arange(model.program.num_cols, dtype=np.int32)

    def solve(self, cost: Array) -> tuple[float, Array, Array]:
        """LP optimum, values and reduced costs under this objective."""
        import highspy

        self.highs.changeColsCost(len(self.all), self.all, cost)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return math.inf, np.zeros(len(cost)), np.zeros(len(cost))
        solution = self.highs.getSolution()
        return (float(self.highs.getInfo().objective_function_value),
                np.asarray(solution.col_value), np.asarray(solution.col_dual))


def seed_days(mean: MeanDay, model: DayModel, rules: list[WeeklyRule], foods: pd.DataFrame,
              supplements: pd.DataFrame, options: Options, config: Config,
              deadline: float | None = None) -> list[DayMenu]:
    """A first week, day by day: each day the best day (priced by the mean day's rule
    prices) among the meals the week has not used up, giving at least an even share of what
    the weekly rules still need. Fewer days than the plan's when a day cannot be found (or
    the run's clock ends first)."""
    days = config.plan.days
    cost = priced_cost(model, rules, mean.prices)
    meals = model.options.meals
    keys = [str(k).removeprefix(LEFTOVER) for k in meals["key"]]   # leftovers: the dinner
    leftover = (meals["kind"] == "leftover").to_numpy()
    dinner = (meals["occasion"] == (leftover_occasions(config) or ("", ""))[0]).to_numpy()
    counted_by = _count_rules(model, rules)
    uncooked: dict[str, int] = {}   # dinners cooked whose leftovers no day has eaten yet
    given: dict[str, float] = {}
    menus: list[DayMenu] = []
    for day in range(days):
        if out_of_time(deadline):
            break
        open_rows = np.asarray([r for r in range(len(meals)) if all(
            given.get(rule.name, 0.0) + 1 <= rule.upper for rule in counted_by.get(r, []))
            and (not leftover[r] or uncooked.get(keys[r], 0) > 0)], dtype=np.int64)
        keep = _open_shortlist(model, mean, open_rows, SEED_SHORTLIST)
        sub_options, option_map, part_map = subset(options, keep)
        found: list[Array] = []
        for shares in (True, False):   # without the shares when no day gives them
            sub = build_day(foods, supplements, sub_options, config, model.rules)
            sub_rules = weekly_rules(sub, config, foods)
            _add_room(sub, sub_rules, given)
            if shares:
                _add_shares(sub, rules_left(sub_rules, given, days - day))
            found = day_milp(sub, _sub_cost(cost, model, sub, option_map, part_map), SEED_NODES,
                             SEED_GAP, seconds_left(deadline))
            if found:
                break
        if not found:
            break
        menu = menu_from(model, sub, found[0], option_map, part_map, rules)
        menus.append(menu)
        for name, value in menu.terms:
            given[name] = given.get(name, 0.0) + value
        for row in menu.options:
            if leftover[row] or dinner[row]:
                uncooked[keys[row]] = uncooked.get(keys[row], 0) + (-1 if leftover[row] else 1)
    return menus


def _count_rules(model: DayModel, rules: list[WeeklyRule]) -> dict[int, list[WeeklyRule]]:
    """Per option, the weekly maxima that count it (each meal and main dish, food
    categories, groups)."""
    option_of = option_of_column(model)
    out: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        counted = counted_options(option_of, rule) if rule.upper < INF else None
        for option in counted or ():
            out.setdefault(option, []).append(rule)
    return out


def _add_room(sub: DayModel, rules: list[WeeklyRule], given: dict[str, float]) -> None:
    """A day of the first week keeps within what the days before left of each weekly
    maximum whose terms are never negative (counts, grams, the budget)."""
    for rule in rules:
        if rule.upper < INF and len(rule.cols) and (rule.vals >= 0).all():
            sub.program.rows("room", [rule.name], np.zeros(len(rule.cols), dtype=np.int64),
                             rule.cols, rule.vals, upper=rule.upper - given.get(rule.name, 0.0))


def rules_left(rules: list[WeeklyRule], given: dict[str, float], days_left: int
               ) -> list[tuple[WeeklyRule, float]]:
    """Each weekly rule with a minimum and what a day must give towards it: an even share of
    the need still open; what the days left cannot give at a meal each (food groups,
    seafood, included foods)."""
    out = []
    for rule in rules:
        if rule.lower <= 0:
            continue
        left = rule.lower - given.get(rule.name, 0.0)
        share = left / days_left if rule.name.startswith("need:") else \
            left - (days_left - 1) * rule.per_meal
        if share > 1e-9:
            out.append((rule, share))
    return out


def _add_shares(sub: DayModel, shares: list[tuple[WeeklyRule, float]]) -> None:
    for rule, share in shares:
        sub.program.rows("share", [rule.name], np.zeros(len(rule.cols), dtype=np.int64),
                         rule.cols, rule.vals, lower=share)


def _open_shortlist(model: DayModel, mean: MeanDay, open_rows: Array, size: int) -> Array:
    """Per occasion, among ``open_rows``, the options the mean day uses most, then those of
    least reduced cost."""
    meals = model.options.meals
    chosen: list[int] = []
    occasion = meals["occasion"].to_numpy()[open_rows]
    for name in meals["occasion"].unique():
        rows = open_rows[occasion == name]
        order = np.lexsort((rows, mean.reduced[model.choose[rows]],
                            -np.round(mean.values[model.choose[rows]], 9)))
        chosen += rows[order[:size]].tolist()
    return np.asarray(sorted(chosen), dtype=np.int64)


def dive(sub: DayModel, cost: Array, banned: list[int] | None = None,
         deadline: float | None = None) -> list[int]:
    """A whole day near a (restricted) day LP's optimum: fix, occasion by occasion, the option
    the LP uses most, the LP solved again after each; an option whose fixing leaves no LP
    solution is banned instead (``banned``: options left out from the start). Returns the
    options fixed (rows of ``sub``)."""
    import highspy

    highs = new_highs(threads=1, random_seed=0)
    lp = highs_model(sub.program, mip=False)
    lp.col_cost_ = cost
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.asarray(highs.getSolution().col_value)
    occasion_of = sub.options.meals["occasion"].to_numpy()
    fixed: dict[str, int] = {}
    banned = list(banned or [])
    for row in banned:
        highs.changeColBounds(int(sub.choose[row]), 0.0, 0.0)
    failures = 0
    while len(fixed) < len(set(occasion_of)) and failures < DIVE_TRIES and \
            not out_of_time(deadline):
        open_rows = np.flatnonzero(~np.isin(occasion_of, list(fixed)))
        open_rows = open_rows[~np.isin(open_rows, banned)]
        if not len(open_rows):
            break
        weights = np.round(values[sub.choose[open_rows]], 9)
        best = int(open_rows[np.lexsort((open_rows, -weights))[0]])
        highs.changeColBounds(int(sub.choose[best]), 1.0, 1.0)
        highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            fixed[str(occasion_of[best])] = best
            values = np.asarray(highs.getSolution().col_value)
        else:
            highs.changeColBounds(int(sub.choose[best]), 0.0, 0.0)
            banned.append(best)
            failures += 1
    return sorted(fixed.values())


def priced_cost(model: DayModel, rules: list[WeeklyRule], duals: dict[str, float]) -> Array:
    """The day objective less what the master pays for the day's part of each rule."""
    cost = model.base_cost.copy()
    for rule in rules:
        price = duals.get(rule.name, 0.0)
        if price:
            np.add.at(cost, rule.cols, -price * rule.vals)
    meals = model.options.meals
    for option, name in enumerate(count_names(meals)):
        cost[model.choose[option]] -= duals.get(name, 0.0)
    return cost


def shortlist(model: DayModel, values: Array, reduced: Array, size: int) -> Array:
    """Per occasion the options the LP uses, then those of least reduced cost."""
    meals = model.options.meals
    chosen: list[int] = []
    for _, members in meals.groupby("occasion", sort=False).groups.items():
        rows = np.asarray(members, dtype=np.int64)
        used = values[model.choose[rows]]
        order = np.lexsort((rows, reduced[model.choose[rows]], -np.round(used, 9)))
        chosen += rows[order[:size]].tolist()
    return np.asarray(sorted(chosen), dtype=np.int64)


def exclude_known(sub: DayModel, option_map: Array, signatures: set[tuple[int, ...]]) -> None:
    """No-good rows: the restricted day may not repeat the meals of a day already in the pool
    (its portions are tuned by the master and the final portion LP), so every round brings
    new days. Heuristic pricing only: the bound comes from the unrestricted day LP."""
    where = {int(old): new for new, old in enumerate(option_map)}
    for signature in sorted(signatures):
        if all(option in where for option in signature):
            cols = sub.choose[[where[o] for o in signature]]
            sub.program.rows("known_day", [str(signature)], np.zeros(len(cols), dtype=np.int64),
                             cols, 1.0, upper=len(cols) - 1.0)


def day_milp(model: DayModel, cost: Array, nodes: int = NODES, gap: float = DAY_GAP,
             seconds: float = NO_CLOCK) -> list[Array]:
    """A restricted day MILP (its program's objective replaced by ``cost``): its best
    solution and the improving ones found on the way (each a column), within a node
    limit, a relative gap and ``seconds`` (the run's clock); presolved when it is large."""
    program = model.program
    program.add_cost(np.arange(program.num_cols), cost - program.cost())
    return improving_solutions(program, gap, nodes, presolve=program.num_cols > PRESOLVE_COLUMNS,
                               seconds=seconds)


@dataclass(frozen=True)
class Priced:
    """The day LP over every option under one round's prices: the prices, its optimum, its
    values and reduced costs."""

    cost: Array
    value: float
    values: Array
    reduced: Array


def price_round(priced: Priced, model: DayModel, options: Options, foods: pd.DataFrame,
                supplements: pd.DataFrame, config: Config, rules: list[WeeklyRule],
                pool: Pool, duals: dict[str, float], deadline: float | None) -> int:
    """One round of heuristic pricing into ``pool``: dives on the LP of a wide shortlist,
    the best day without one of the first dive's choices, and a day MILP over a shortlist
    that grows until it finds a new day. Returns how many days improve the master."""
    cost, values, reduced = priced.cost, priced.values, priced.reduced
    counted = count_names(options.meals)
    convex = duals.get("days", 0.0)
    added = 0
    size = SHORTLIST
    wide = shortlist(model, values, reduced, DIVE_WIDTH)
    wide_options, wide_map, wide_parts = subset(options, wide)
    wide_model = build_day(foods, supplements, wide_options, config, model.rules)
    wide_cost = _sub_cost(cost, model, wide_model, wide_map, wide_parts)
    first = dive(wide_model, wide_cost, deadline=deadline)
    dived = wide_map[first]
    for banned in first[:EXTRA_DIVES]:   # the best day without one of the dive's choices
        other = dive(wide_model, wide_cost, [banned], deadline)
        if len(other) == len(first):
            sub_options, option_map, part_map = subset(options, wide_map[other])
            sub = build_day(foods, supplements, sub_options, config, model.rules)
            found = day_milp(sub, _sub_cost(cost, model, sub, option_map, part_map),
                             seconds=seconds_left(deadline))
            added += pool.offer([menu_from(model, sub, f, option_map, part_map, rules)
                                 for f in found], duals, counted)
    while True:
        keep = np.union1d(shortlist(model, values, reduced, size), dived)
        sub_options, option_map, part_map = subset(options, keep)
        sub = build_day(foods, supplements, sub_options, config, model.rules)
        sub_cost = _sub_cost(cost, model, sub, option_map, part_map)
        exclude_known(sub, option_map, pool.signatures)
        added += pool.offer([menu_from(model, sub, f, option_map, part_map, rules)
                             for f in day_milp(sub, sub_cost, seconds=seconds_left(deadline))],
                            duals, counted)
        if added or size >= min(len(options.meals), MAX_SHORTLIST) or \
                out_of_time(deadline) or (pool.menus and priced.value - convex > -EPS):
            return added
        size *= 4


def search_week(foods: pd.DataFrame, supplements: pd.DataFrame, options: Options,
                config: Config, model: DayModel, deadline: float | None = None,
                progress: Any = None, finish: Finish | None = None) -> Week:
    """Column generation with a proven bound, then the integer master over the pool.
    ``finish`` (planned leftovers) orders and portions the integer master's week, None
    when it cannot; the master then leaves that week out and tries again."""
    rules = weekly_rules(model, config, foods)
    distinct = distinct_rules(options, config, model.rules.settings)
    pricing = Pricing(model)
    counted = count_names(options.meals)
    days = config.plan.days
    pool = Pool()
    duals: dict[str, float] = {}
    master_value = INF
    master_feasible = False
    blend = np.zeros(0)
    history: list[float] = []
    stopped = "rounds"
    rounds = 0
    mean = mean_day_lp(model, rules, days)
    if not math.isfinite(mean.value):   # the mean of any week's days would be a solution
        raise SearchError("no week keeps the rules: not even the week's mean day")
    bound = mean_week_bound(mean, days)
    pool.offer(seed_days(mean, model, rules, foods, supplements, options, config, deadline),
               duals, counted)
    if pool.menus:
        master_value, duals, blend, _ = solve_master(pool.menus, rules, distinct, model,
                                                     config, integer=False)
    for rounds in range(1, MAX_ROUNDS + 1):
        if out_of_time(deadline):
            stopped = "deadline"
            break
        cost = priced_cost(model, rules, duals)
        value, values, reduced = pricing.solve(cost)
        if not math.isfinite(value):
            raise SearchError("no day keeps the daily rules")
        added = price_round(Priced(cost, value, values, reduced), model, options, foods,
                            supplements, config, rules, pool, duals, deadline)
        master_value, duals, blend, broken = solve_master(pool.menus, rules, distinct, model,
                                                          config, integer=False)
        master_feasible = not broken and (finish is None or not solve_master(
            pool.menus, rules, distinct, model, config, integer=True)[3])   # whole days too
        if progress is not None:
            progress(rounds, master_value if master_feasible else None, bound)
        history.append(master_value)
        if master_feasible and len(history) > STALL_ROUNDS and \
                history[-STALL_ROUNDS - 1] - master_value < STALL * abs(master_value):
            stopped = "stalled"
        elif out_of_time(deadline):
            stopped = "deadline"
        elif not added:
            stopped = "converged"
        elif master_feasible and rounds >= config.meals.search_rounds:
            stopped = "rounds"
        else:
            continue
        break
    if finish is None:
        objective, _, lam, broken = solve_master(pool.menus, rules, distinct, model, config,
                                                 integer=True)
        chosen = week_days(pool.menus, lam)
        polished = polish(chosen, foods, supplements, options, config, model, rules,
                          deadline) if len(chosen) == days else None
    else:
        chosen, objective, broken, polished = finished_week(pool.menus, rules, distinct,
                                                            model, config, finish)
    if polished is None and len(blend) == len(pool.menus) and math.isfinite(mean.value):
        polished = repair(pool.menus, blend, shortlist(model, mean.values, mean.reduced,
                                                       SEED_SHORTLIST),
                          foods, supplements, options, config, model, rules, deadline)
        if polished is not None and finish is not None:
            polished = finish(polished)
    if polished is None and broken and finish is None and not out_of_time(deadline):
        polished = rescue(broken, pool, pricing, model, options, foods, supplements, config,
                          rules, distinct, deadline)
    if polished is not None:   # portions in whole steps: always the polished week
        chosen, objective, broken = polished, sum(m.cost for m in polished), []
    elif finish is not None and not broken:
        broken = [("leftovers (none of the weeks found lets each follow its dinner)", 1.0)]
    if broken and stopped == "deadline":
        raise SearchTimeout("the time limit ended the search before a week kept every rule")
    if broken:
        raise SearchError("no week keeps every weekly rule with the day menus found; short: "
                          + ", ".join(f"{name} by {amount:g}" for name, amount in broken),
                          tuple(broken))
    menus = chosen if finish is not None else sorted(chosen, key=lambda m: (m.options, m.grams))
    return Week(menus, objective, bound, rounds, len(pool.menus), stopped,
                pool.menus)


def rescue(broken: list[tuple[str, float]], pool: Pool, pricing: Pricing, model: DayModel,
           options: Options, foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
           rules: list[WeeklyRule], distinct: list[tuple[str, list[str], int]],
           deadline: float | None) -> list[DayMenu] | None:
    """A week when the search's rounds end with pool days that blend into one (the master
    LP) but that no 7 whole days keep: up to ``RESCUE_ROUNDS`` more rounds of pricing in
    which each weekly rule the integer master misses pays ``RESCUE_PRICE`` (doubled each
    round) on top of its LP dual, so that days rich in what it misses join the pool; the
    integer master and the polish after each. None when none keeps every rule."""
    by_name = {rule.name: rule for rule in rules}
    bonus = RESCUE_PRICE
    for _ in range(RESCUE_ROUNDS):
        if out_of_time(deadline):
            return None
        _, duals, _, _ = solve_master(pool.menus, rules, distinct, model, config, integer=False)
        for name, _amount in broken:
            rule = by_name.get(name)
            if rule is not None:
                duals[name] = duals.get(name, 0.0) + (bonus if rule.lower > -INF else -bonus)
        cost = priced_cost(model, rules, duals)
        value, values, reduced = pricing.solve(cost)
        if not math.isfinite(value):
            return None
        price_round(Priced(cost, value, values, reduced), model, options, foods, supplements,
                    config, rules, pool, duals, deadline)
        _, _, lam, broken = solve_master(pool.menus, rules, distinct, model, config,
                                         integer=True)
        chosen = week_days(pool.menus, lam)
        if len(chosen) == config.plan.days:   # portions may make up a small shortfall
            polished = polish(chosen, foods, supplements, options, config, model, rules,
                              deadline)
            if polished is not None:
                return polished
        bonus *= 2
    return None


def _sub_cost(cost: Array, model: DayModel, sub: DayModel, option_map: Array,
              part_map: Array) -> Array:
    """The full model's objective on a restricted model's columns (same tablets, windows)."""
    out = np.zeros(sub.program.num_cols)
    out[sub.choose] = cost[model.choose[option_map]]
    out[sub.grams] = cost[model.grams[part_map]]
    out[sub.units] = cost[model.units]
    out[sub.absorbed] = cost[model.absorbed]
    out[sub.x] = cost[model.x]
    return out
