"""The whole week as one MILP over the days' chosen meals: the portions and tablets of the
week chosen again (``polish``, with steady, balanced or free tablet regimens), the tablets
alone to the proven optimum (``fewest_tablets``), and the repair of a blended week into
whole days (``repair``). Limited by work; a clock only stops it early.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .day import DayModel, build_day
from .master import EPS, DayMenu, WeeklyRule, distinct_rules, menu_from, weekly_rules
from .options import GRAM_STEP, Options, subset
from .program import (
    INF,
    NO_CLOCK,
    Array,
    Program,
    improving_solutions,
    out_of_time,
    seconds_left,
)
from .recent import Recent
from .regimen import Block, add_balanced, add_steady
from .schema import Config

NODES = 2_000             # branch-and-bound nodes per MILP of the search (a day or a week)
STEADY_SLACK = 0.02       # a steady tablet regimen may cost this much more than the best
FINISH_SECONDS = 3.0      # the week's portions get at least this after the clock has ended


def polish(menus: list[DayMenu], foods: pd.DataFrame, supplements: pd.DataFrame,
           options: Options, config: Config, model: DayModel,
           rules: list[WeeklyRule], deadline: float | None = None,
           extra: Callable[[Program, list[Block]], None] | None = None
           ) -> list[DayMenu] | None:
    """The week's meals kept, every portion and tablet chosen again for the week as a whole
    (one small MILP: the weekly means and the budget over all days at once); the same
    tablets at the same windows every day, else each product's tablets spread evenly over
    the days, when that costs at most ``STEADY_SLACK`` more. None when no portions keep
    every rule with these meals. The free week is solved only when the free week's LP
    cannot show that the steady one is within its slack (the answer is the same). With a
    clock, each MILP gets what is left of it, at least ``FINISH_SECONDS``. ``extra`` adds
    rows to each week MILP (leftovers tied to their dinners)."""
    days = [np.asarray(sorted(m.options), dtype=np.int64) for m in menus]
    seconds = NO_CLOCK if deadline is None else max(seconds_left(deadline), FINISH_SECONDS)

    def best(regimen: str) -> list[DayMenu] | None:
        weeks = week_milp(days, foods, supplements, options, config, model, rules, NODES,
                          steps=True, regimen=regimen, extra=extra, seconds=seconds)
        return fewest_tablets(weeks[0], foods, supplements, options, config, model, rules,
                              regimen, extra, seconds) if weeks else None

    def within(week: list[DayMenu] | None, least: float) -> bool:
        return week is not None and \
            sum(m.cost for m in week) <= (1 + STEADY_SLACK) * least + EPS
    free_least = week_lp(days, foods, supplements, options, config, model, rules)
    free: list[DayMenu] | None = None
    solved_free = False
    for regimen in ("steady", "balanced"):
        week = best(regimen)
        if within(week, free_least):
            return week
        if not solved_free:
            free, solved_free = best("free"), True
        if week is not None and (free is None or within(week, sum(m.cost for m in free))):
            return week
    return free if solved_free else best("free")


def fewest_tablets(menus: list[DayMenu], foods: pd.DataFrame, supplements: pd.DataFrame,
                   options: Options, config: Config, model: DayModel,
                   rules: list[WeeklyRule], regimen: str,
                   extra: Callable[[Program, list[Block]], None] | None = None,
                   seconds: float = NO_CLOCK) -> list[DayMenu]:
    """The week's meals and portions kept, its tablets chosen again to the proven optimum
    (a week MILP with only tablets free, no gap): the week MILP's gap leaves tablets that
    cost a few cents and that no rule needs (a second 2,000 ug B12 tablet on a day). A week
    without tablets is already the optimum (tablets only add cost)."""
    if not any(m.units for m in menus):
        return menus
    days = [np.asarray(sorted(m.options), dtype=np.int64) for m in menus]
    week, blocks = week_program(days, foods, supplements, options, config, model, rules,
                                True, regimen, extra)
    for menu, (sub, _, part_map, offset) in zip(menus, blocks, strict=True):
        grams = dict(menu.grams)
        low = sub.options.parts["low"].to_numpy(float)
        held = np.array([grams.get(int(part), low[i]) - low[i]
                         for i, part in enumerate(part_map)])
        week.set_bounds(sub.grams + offset, held, held)
    found = improving_solutions(week, 0.0, NODES, True, seconds)
    if not found:
        return menus
    fewer = [menu_from(model, sub, found[0][offset: offset + sub.program.num_cols], option_map,
                       part_map, rules) for sub, option_map, part_map, offset in blocks]
    return fewer if sum(m.cost for m in fewer) <= sum(m.cost for m in menus) + EPS else menus


def repair(menus: list[DayMenu], blend: Array, best: Array, foods: pd.DataFrame,
           supplements: pd.DataFrame, options: Options, config: Config, model: DayModel,
           rules: list[WeeklyRule], deadline: float | None = None) -> list[DayMenu] | None:
    """A week when no whole day menus of the pool keep the weekly rules: one MILP over the
    week whose every day may take any meal of the day menus the master LP blends (its
    fractional week shows which meals the rules need) or the ``best`` of the mean day."""
    used = sorted({o for j in np.flatnonzero(blend > EPS) for o in menus[j].options}
                  | set(best.tolist()))
    if not used or out_of_time(deadline):
        return None
    keep = np.asarray(used, dtype=np.int64)
    found = week_milp([keep] * config.plan.days, foods, supplements, options, config, model,
                      rules, NODES, steps=True, seconds=seconds_left(deadline))
    return found[0] if found else None


def week_program(day_options: list[Array], foods: pd.DataFrame, supplements: pd.DataFrame,
                 options: Options, config: Config, model: DayModel, rules: list[WeeklyRule],
                 steps: bool | frozenset[int] = False, regimen: str = "free",
                 extra: Callable[[Program, list[Block]], None] | None = None
                 ) -> tuple[Program, list[Block]]:
    """The week as one MILP over a few options per day (``day_options``: option rows of each
    day): every daily rule in each day's block, every weekly rule and the distinct-meal
    minimums across the blocks (and the rows ``extra`` adds); and its day blocks. ``steps``:
    portions in whole gram steps on every day (True) or on these days (0-based)."""
    week = Program()
    blocks: list[Block] = []
    sums: dict[str, tuple[list[Array], list[Array], WeeklyRule]] = {}
    for index, keep in enumerate(day_options):
        sub, option_map, part_map, sub_rules = _week_block(keep, foods, supplements, options,
                                                           config, model)
        offset, _ = week.append(sub.program, "day")
        blocks.append((sub, option_map, part_map, offset))
        if steps is True or (not isinstance(steps, bool) and index in steps):
            _in_gram_steps(week, sub, offset)
        for rule in sub_rules:
            cols, vals, _ = sums.setdefault(rule.name, ([], [], rule))
            cols.append(rule.cols + offset)
            vals.append(rule.vals)
    for name, (cols, vals, rule) in sorted(sums.items()):
        if not rule.binds():
            continue
        joined_cols, joined_vals = np.concatenate(cols), np.concatenate(vals)
        week.rows("week", [name], np.zeros(len(joined_cols), dtype=np.int64), joined_cols,
                  joined_vals, rule.lower, rule.upper)
    _add_distinct(week, blocks, options, config, model)
    if regimen == "steady":
        add_steady(week, blocks)
    elif regimen == "balanced":
        add_balanced(week, blocks)
    if extra is not None:
        extra(week, blocks)
    return week, blocks


_BLOCKS: Recent[tuple[DayModel, Array, Array, list[WeeklyRule]]] = Recent(32)


def _week_block(keep: Array, foods: pd.DataFrame, supplements: pd.DataFrame,
                options: Options, config: Config, model: DayModel
                ) -> tuple[DayModel, Array, Array, list[WeeklyRule]]:
    """A day of a week program over the options in ``keep``: its model, option and part
    maps and weekly rules; kept for the last 32 (swap and replan build weeks whose other
    days repeat; week programs only read their blocks)."""
    wanted = np.asarray(keep, dtype=np.int64)

    def block() -> tuple[DayModel, Array, Array, list[WeeklyRule]]:
        sub_options, option_map, part_map = subset(options, wanted)
        sub = build_day(foods, supplements, sub_options, config, model.rules)
        return sub, option_map, part_map, weekly_rules(sub, config, foods)

    return _BLOCKS.get((options, foods, supplements, config, model.rules), wanted.tobytes(),
                       block)


def week_lp(day_options: list[Array], foods: pd.DataFrame, supplements: pd.DataFrame,
            options: Options, config: Config, model: DayModel, rules: list[WeeklyRule]
            ) -> float:
    """The optimum of the free week's LP relaxation (a lower bound on every week of these
    options; -inf when it has none, so that it shows nothing)."""
    week, _ = week_program(day_options, foods, supplements, options, config, model, rules)
    solution = week.solve("highs", time_limit_s=3600.0, mip=False)
    return float(solution.objective) if solution.status == "optimal" and \
        solution.objective is not None else -INF


def week_milp(day_options: list[Array], foods: pd.DataFrame, supplements: pd.DataFrame,
              options: Options, config: Config, model: DayModel, rules: list[WeeklyRule],
              nodes: int, steps: bool | frozenset[int] = False, regimen: str = "free",
              extra: Callable[[Program, list[Block]], None] | None = None,
              seconds: float = NO_CLOCK) -> list[list[DayMenu]]:
    """The week MILP of ``week_program``: its best week and the improving ones found on the
    way (each a list of day menus), within ``nodes`` (and ``seconds``)."""
    week, blocks = week_program(day_options, foods, supplements, options, config, model, rules,
                                steps, regimen, extra)
    found = improving_solutions(week, 1e-4, nodes, True, seconds)
    weeks = []
    for values in found:
        weeks.append([menu_from(model, sub, values[offset: offset + sub.program.num_cols],
                                option_map, part_map, rules)
                      for sub, option_map, part_map, offset in blocks])
    return weeks


def _in_gram_steps(week: Program, sub: DayModel, offset: int) -> None:
    """Each food's extra grams a whole number of ``GRAM_STEP``s (integer step columns), so
    that the portions the plan states keep every rule exactly."""
    _, upper, _, _ = sub.program.bounds()
    grams = sub.grams + offset
    most = np.floor(np.round(upper[sub.grams] / GRAM_STEP, 6))
    count = week.columns("gram_steps", range(len(grams)), 0.0, most, integer=True)
    rows = np.arange(len(grams), dtype=np.int64)
    week.rows("in_steps", range(len(grams)), np.concatenate([rows, rows]),
              np.concatenate([grams, count]),
              np.concatenate([np.ones(len(grams)), np.full(len(grams), -GRAM_STEP)]), 0.0, 0.0)


def _add_distinct(week: Program, blocks: list[Block],
                  options: Options, config: Config, model: DayModel) -> None:
    """Distinct meals per occasion across the days' blocks: a meal counts once however often
    it is eaten (``seen <= its choices``, at most 1); the counts reach each minimum (none
    can when the blocks offer fewer meals)."""
    for occasion, _, least in distinct_rules(options, config, model.rules.settings):
        chosen: dict[str, list[int]] = {}
        for sub, option_map, _, offset in blocks:
            meals = sub.options.meals
            for row in np.flatnonzero((meals["occasion"] == occasion).to_numpy()):
                key = str(options.meals.loc[option_map[row], "key"])
                chosen.setdefault(key, []).append(int(sub.choose[row]) + offset)
        keys = sorted(chosen)
        seen = week.columns("seen", [f"{occasion}:{k}" for k in keys], 0.0, 1.0)
        for key, column in zip(keys, seen, strict=True):
            cols = np.asarray([column, *chosen[key]], dtype=np.int64)
            week.rows("seen_only_if_chosen", [f"{occasion}:{key}"], np.zeros(len(cols),
                      dtype=np.int64), cols, np.concatenate([[1.0], -np.ones(len(cols) - 1)]),
                      upper=0.0)
        week.rows("distinct", [occasion], np.zeros(len(seen), dtype=np.int64), seen,
                  np.ones(len(seen)), lower=float(least))
