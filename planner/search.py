"""The week by decomposition: a master problem over day menus (columns) and one pricing
problem for a day (``day.py``), with a bound that is proven, not hoped for.

The master (``master.py``) holds the weekly rules; pricing looks for a day whose reduced cost is
negative under the master's duals: the day's LP relaxation over every option (a warm-started
HiGHS instance) gives a shortlist per occasion and, with the master LP's value, the Lagrangian
bound ``master LP + days x min(0, day LP)`` (valid for every plan the rules allow: the day LP is
a relaxation of every day menu); dives on the LP of a wider shortlist (fix the option used most,
occasion by occasion; then 4 more, each leaving out one of the first dive's options) and a small
MILP over the shortlist give the columns, each new day kept (a richer pool for the integer
master). The search stops when 3 rounds lower the master LP by less than 1 % (or nothing new is
found); the integer master then picks 7 distinct days and one small MILP chooses the week's
portions and tablets again. Limits are counted in rounds and nodes, never in seconds, so the
same inputs give the same week; a deadline only stops the search early with the best week found.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import Config
from .day import DayModel, build_day
from .master import (
    EPS,
    DayMenu,
    Pool,
    SearchError,
    WeeklyRule,
    count_names,
    distinct_rules,
    solve_integer,
    solve_master,
    weekly_rules,
)
from .options import Options, subset
from .program import INF, Array, Program, highs_model, new_highs

ROUNDS = 40               # pricing rounds at most
SHORTLIST = 6             # options per occasion the pricing MILP takes, first try
NODES = 2_000             # branch-and-bound nodes per pricing MILP
DIVE_TRIES = 12           # options a dive may ban before it gives up
EXTRA_DIVES = 4           # dives per round that leave out one of the first dive's options
DIVE_WIDTH = 100          # options per occasion the dive's LP takes
STALL_ROUNDS, STALL = 3, 0.01    # stop when 3 rounds lowered the master LP by < 1 %


@dataclass
class Week:
    """The search's result: the days' menus, objective, proven bound and what it did."""

    menus: list[DayMenu]
    objective: float
    bound: float
    rounds: int
    columns: int
    stopped: str                  # converged | rounds | deadline
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


def dive(sub: DayModel, cost: Array, banned: list[int] | None = None) -> list[int]:
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
    while len(fixed) < len(set(occasion_of)) and failures < DIVE_TRIES:
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


def menu_from(model: DayModel, sub: DayModel, values: Array, option_map: Array,
              part_map: Array, rules: list[WeeklyRule]) -> DayMenu:
    """A column from a restricted day model's solution, in the full model's terms."""
    full = np.zeros(model.program.num_cols)
    chosen = np.flatnonzero(values[sub.choose] > 0.5)
    full[model.choose[option_map[chosen]]] = 1.0
    extra = np.clip(values[sub.grams], 0.0, None)
    full[model.grams[part_map]] = extra
    if len(model.units):
        full[model.units] = np.round(values[sub.units])
    parts = model.options.parts
    grams = []
    for old in part_map[np.isin(sub.options.parts["option"].to_numpy(), chosen)]:
        total = float(parts.loc[old, "low"]) + float(full[model.grams[old]])
        grams.append((int(old), round(total, 1)))
    units = [(int(w), str(p), round(float(full[c])))
             for w, p, c in zip(model.unit_amounts.get("window", []),
                                model.unit_amounts.get("product", []), model.units,
                                strict=True) if full[c] > 0.5]
    exact = _rounded(model, full, grams)
    amounts = ((rule.name, float(exact[rule.cols] @ rule.vals)) for rule in rules)
    terms = tuple((name, value) for name, value in amounts if abs(value) > 1e-12)
    order = model.options.meals.loc[option_map[chosen], "occasion"]
    by_occasion = dict(zip(order, option_map[chosen], strict=True))
    return DayMenu(tuple(int(by_occasion[o]) for o in model.options.meals["occasion"].unique()),
                   tuple(grams), tuple(units), float(exact @ model.base_cost), terms)


def _rounded(model: DayModel, full: Array, grams: list[tuple[int, float]]) -> Array:
    """The solution with each food's grams as the plan states them (0.1 g)."""
    out = full.copy()
    low = model.options.parts["low"].to_numpy(dtype=float)
    for part, total in grams:
        out[model.grams[part]] = max(0.0, total - low[part])
    return out


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


def day_milp(model: DayModel, cost: Array) -> list[Array]:
    """A restricted day MILP (its program's objective replaced by ``cost``): its best
    solution and the improving ones found on the way (each a column), within a node
    limit."""
    from .program import _run_highs

    program = model.program
    program.add_cost(np.arange(program.num_cols), cost - program.cost())
    highs = new_highs(threads=1, random_seed=0, mip_rel_gap=1e-4, mip_max_nodes=NODES,
                      mip_improving_solution_save=True)
    solution = _run_highs(highs, program, 3600.0, 1e-4, True)
    if solution.values is None or not len(solution.values):
        return []
    found = [np.asarray(solution.values)]
    for saved in highs.getSavedMipSolutions():
        values = np.asarray(saved.col_value)
        if not any(np.array_equal(values, f) for f in found):
            found.append(values)
    return found


def search_week(foods: pd.DataFrame, supplements: pd.DataFrame, options: Options,
                config: Config, model: DayModel, deadline: float | None = None,
                progress: Any = None) -> Week:
    """Column generation with a proven bound, then the integer master over the pool."""
    rules = weekly_rules(model, config, foods)
    distinct = distinct_rules(options, config, model.rules.settings)
    pricing = Pricing(model)
    counted = count_names(options.meals)
    days = config.plan.days
    pool = Pool()
    duals: dict[str, float] = {}
    bound = -INF
    master_value = INF
    master_feasible = False
    history: list[float] = []
    stopped = "rounds"
    rounds = 0
    for rounds in range(1, ROUNDS + 1):
        cost = priced_cost(model, rules, duals)
        value, values, reduced = pricing.solve(cost)
        if not math.isfinite(value):
            raise SearchError("no day keeps the daily rules")
        convex = duals.get("days", 0.0)
        if pool.menus:
            bound = max(bound, master_value + days * min(0.0, value - convex))
        added = 0
        size = SHORTLIST
        wide = shortlist(model, values, reduced, DIVE_WIDTH)
        wide_options, wide_map, wide_parts = subset(options, wide)
        wide_model = build_day(foods, supplements, wide_options, config, model.rules)
        wide_cost = _sub_cost(cost, model, wide_model, wide_map, wide_parts)
        first = dive(wide_model, wide_cost)
        dived = wide_map[first]
        for banned in first[:EXTRA_DIVES]:   # the best day without one of the dive's choices
            other = dive(wide_model, wide_cost, [banned])
            if len(other) == len(first):
                sub_options, option_map, part_map = subset(options, wide_map[other])
                sub = build_day(foods, supplements, sub_options, config, model.rules)
                found = day_milp(sub, _sub_cost(cost, model, sub, option_map, part_map))
                added += pool.offer([menu_from(model, sub, f, option_map, part_map, rules)
                                     for f in found], duals, counted)
        while True:
            keep = np.union1d(shortlist(model, values, reduced, size), dived)
            sub_options, option_map, part_map = subset(options, keep)
            sub = build_day(foods, supplements, sub_options, config, model.rules)
            sub_cost = _sub_cost(cost, model, sub, option_map, part_map)
            exclude_known(sub, option_map, pool.signatures)
            added += pool.offer([menu_from(model, sub, f, option_map, part_map, rules)
                                 for f in day_milp(sub, sub_cost)], duals, counted)
            if added or size >= len(options.meals) or (pool.menus and value - convex > -EPS):
                break
            size *= 4
        master_value, duals, _, broken = solve_master(pool.menus, rules, distinct, model,
                                                      config, integer=False)
        master_feasible = not broken
        if progress is not None:
            progress(rounds, master_value, bound)
        history.append(master_value)
        if master_feasible and len(history) > STALL_ROUNDS and \
                history[-STALL_ROUNDS - 1] - master_value < STALL * abs(master_value):
            stopped = "stalled"
        elif not added:
            stopped = "converged"
        elif deadline is not None and time.monotonic() > deadline:
            stopped = "deadline"
        else:
            continue
        if stopped != "deadline":   # the bound of the last master's duals
            value, _, _ = pricing.solve(priced_cost(model, rules, duals))
            bound = max(bound, master_value + days * min(0.0, value - duals.get("days", 0.0)))
        break
    objective, _, lam, broken = solve_master(pool.menus, rules, distinct, model, config,
                                             integer=True)
    chosen = [pool.menus[j] for j in np.flatnonzero(lam > 0.5)]
    polished = polish(chosen, foods, supplements, options, config, model, rules) \
        if len(chosen) == days else None
    if polished is not None:
        tuned = sum(m.cost for m in polished)
        if broken or tuned < objective:
            chosen, objective, broken = polished, tuned, []
    if broken:
        raise SearchError("no week keeps every weekly rule with the day menus found; short: "
                          + ", ".join(f"{name} by {amount:g}" for name, amount in broken))
    menus = sorted(chosen, key=lambda m: (m.options, m.grams))
    return Week(menus, objective, max(bound, -INF), rounds, len(pool.menus), stopped,
                pool.menus)


def polish(menus: list[DayMenu], foods: pd.DataFrame, supplements: pd.DataFrame,
           options: Options, config: Config, model: DayModel,
           rules: list[WeeklyRule]) -> list[DayMenu] | None:
    """The week's meals kept, every portion and tablet chosen again for the week as a whole
    (one small MILP: the weekly means and the budget over all days at once). None when no
    portions keep every rule with these meals."""
    week = Program()
    blocks = []
    sums: dict[str, tuple[list[Array], list[Array], WeeklyRule]] = {}
    for menu in menus:
        keep = np.asarray(sorted(menu.options), dtype=np.int64)
        sub_options, option_map, part_map = subset(options, keep)
        sub = build_day(foods, supplements, sub_options, config, model.rules)
        offset, _ = week.append(sub.program, "day")
        blocks.append((sub, option_map, part_map, offset))
        for rule in weekly_rules(sub, config, foods):
            cols, vals, _ = sums.setdefault(rule.name, ([], [], rule))
            cols.append(rule.cols + offset)
            vals.append(rule.vals)
    for name, (cols, vals, rule) in sorted(sums.items()):
        if rule.lower <= 0 and rule.upper == INF:
            continue
        joined_cols, joined_vals = np.concatenate(cols), np.concatenate(vals)
        week.rows("week", [name], np.zeros(len(joined_cols), dtype=np.int64), joined_cols,
                  joined_vals, rule.lower, rule.upper)
    solution = solve_integer(week)
    if solution.values is None or not len(solution.values) or solution.status == "infeasible":
        return None
    out = []
    for sub, option_map, part_map, offset in blocks:
        values = solution.values[offset: offset + sub.program.num_cols]
        out.append(menu_from(model, sub, values, option_map, part_map, rules))
    return out


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
