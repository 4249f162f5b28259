"""Changing meals of a saved plan of library meals: the rest of the week kept as it is.

The saved week is read back as options of the meal library (each occasion's meal, each
food's grams); the occasions to change may take any other meal the rules allow (a
shortlist: the best under the LP of the week's mean day, which prices the weekly rules), the
others keep theirs, and one MILP over the week (``search.week_milp``) chooses the new meals
and every portion and tablet again, under every daily and weekly rule. When no meal fits so
(a day at its energy floor, a weekly minimum the meal holds up), the day's other meals may
change too, named in the answer. Each candidate week is verified like any plan.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bound import mean_day_lp
from .checks import verify
from .day import DayModel
from .errors import DataError
from .leftovers import leftover_links, tie_to_dinners
from .master import DayMenu, counted_options, option_of_column, weekly_rules
from .meal_week import food_items, meal_model, supplement_items
from .options import Options, leftover_occasions, main_dishes
from .plan import Plan
from .program import Array, Program
from .regimen import Block
from .schema import Config
from .week_milp import NODES, polish, week_milp

SWAP_SHORTLIST = 100    # other meals a swap considers at its occasion
REPLAN_SHORTLIST = 20   # other meals per occasion a replan considers (several at once)
OPEN_SHORTLIST = 10     # other meals per occasion of the day a swap may change too
CHANGE_COST = 2.0       # objective units a swap pays for each other meal of the day it changes


@dataclass
class SavedWeek:
    """A saved plan in terms of the library options of its rules."""

    options: Options
    model: DayModel
    chosen: list[dict[str, int]]     # per day: occasion -> option row



@dataclass
class Candidate:
    """One way to eat the occasion, the week it makes and what it changes."""

    foods: list[str]
    plan: Plan
    objective: float
    cost: float
    absorbed_ug: float
    also: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, week: Plan, day: int, occasions: tuple[str, ...],
           objective: float, before: Plan | None = None) -> Candidate:
        """The candidate a week makes: the foods of its changed occasions on ``day``, its
        objective, cost and the day's absorbed B12; and (given the week ``before``) the
        day's other occasions whose meal it changes, with their new meal."""
        items = week.food_items
        at = items[(items["day"] == day) & items["occasion"].isin(occasions)]
        return cls(foods=[str(week.foods.loc[f, "name"]) for f in at["food"]], plan=week,
                   objective=objective, cost=float(week.totals()["cost"]),
                   absorbed_ug=float(week.days().loc[lambda d: d["day"] == day,
                                                     "absorbed_b12_ug"].iloc[0]),
                   also=[] if before is None else _other_changes(before, week, day,
                                                                 occasions))


def _other_changes(before: Plan, after: Plan, day: int, occasions: tuple[str, ...]
                   ) -> list[str]:
    """'occasion: its new foods' for each other occasion of ``day`` whose foods changed."""
    def foods_at(plan: Plan) -> dict[str, list[str]]:
        items = plan.food_items[(plan.food_items["day"] == day)
                                & ~plan.food_items["occasion"].isin(occasions)]
        return {str(o): sorted(map(str, group["food"]))
                for o, group in items.groupby("occasion", sort=False)}

    old, new = foods_at(before), foods_at(after)
    names = after.foods["name"].astype(str)
    return [f"{o}: {'; '.join(names[f] for f in new[o])}" for o in new
            if new[o] != old.get(o)]


def saved_week(plan: Plan, like: SavedWeek | None = None) -> SavedWeek:
    """The options and day model of the plan's rules (those of ``like``, a week of the same
    rules, when given), and the option of every meal."""
    config = plan.config
    model = like.model if like is not None else meal_model(plan.foods, plan.supplements, config)
    options = model.options
    row_of = {(o, k): int(r) for r, o, k in zip(options.meals.index, options.meals["occasion"],
                                                 options.meals["key"], strict=True)}
    chosen: list[dict[str, int]] = []
    meals = plan.food_items.drop_duplicates(["day", "occasion"])
    for day in range(1, config.plan.days + 1):
        mine = meals[meals["day"] == day]
        rows = {}
        for occasion, key in zip(mine["occasion"], mine["meal"], strict=True):
            if (occasion, key) not in row_of:
                raise DataError(f"day {day} {occasion}: meal {key} can no longer be eaten "
                                "under the plan's rules", "re-plan the week")
            rows[str(occasion)] = row_of[(occasion, key)]
        chosen.append(rows)
    return SavedWeek(options, model, chosen)


def _saved_links(saved: SavedWeek, config: Config) -> list[tuple[int, int, int]]:
    """(day index, leftover lunch row, the day before's dinner row) of each planned
    leftover of the saved week."""
    pair = leftover_occasions(config)
    if pair is None:
        return []
    return leftover_links([DayMenu(tuple(sorted(rows.values())), (), (), 0.0, ())
                           for rows in saved.chosen], saved.options, *pair)


def _linked(saved: SavedWeek, config: Config) -> set[tuple[int, str]]:
    """The (day, occasion) of every leftover lunch and of the dinner it is made of."""
    pair = leftover_occasions(config)
    return set() if pair is None else {
        place for day, _, _ in _saved_links(saved, config)
        for place in ((day + 1, pair[1]), (day, pair[0]))}


def week_objective(plan: Plan, saved: SavedWeek | None = None) -> float:
    """The plan's objective under its rules (cost, how typical its meals are, tablets),
    recomputed from its meals, grams and tablets."""
    saved = saved or saved_week(plan)
    model, parts = saved.model, saved.options.parts
    total = 0.0
    items, tabs = plan.food_items, plan.supplement_items
    unit_of = {(int(w), str(p)): int(c) for w, p, c in zip(
        model.unit_amounts.get("window", []), model.unit_amounts.get("product", []),
        model.units, strict=True)}
    parts_of = parts.groupby(parts["option"].to_numpy()).indices
    food_of, low = parts["food"].astype(str).to_numpy(), parts["low"].to_numpy(float)
    eaten = {(int(d), str(o), str(f)): float(g) for d, o, f, g in zip(
        items["day"], items["occasion"], items["food"], items["grams"], strict=True)}
    for day, rows in enumerate(saved.chosen, start=1):
        values = np.zeros(model.program.num_cols)
        for occasion, row in rows.items():
            values[model.choose[row]] = 1.0
            for part in parts_of.get(row, []):
                values[model.grams[part]] = \
                    eaten.get((day, occasion, food_of[part]), 0.0) - low[part]
        today = tabs[tabs["day"] == day] if not tabs.empty else tabs
        for window, product, units in zip(today.get("window", []),
                                          today.get("supplement", []),
                                          today.get("units", []), strict=True):
            column = unit_of.get((int(window), str(product)))
            if column is not None:
                values[column] = float(units)
        total += float(values @ model.base_cost)
    return total


def candidates(plan: Plan, day: int, free: str | tuple[str, ...], avoid: tuple[str, ...],
               count: int) -> list[Candidate]:
    """Up to ``count`` other ways to eat the ``free`` occasion(s) of ``day`` with the rest
    of the week kept, best first; each a verified week. First with the other days exactly as
    saved and every meal of the occasion open; when no more fit so, the other days' portions
    and tablets may change too (a shortlist of meals priced by the mean-day LP); when none
    fits even so, the other days stay exactly as saved and the day's other meals may change
    (at ``CHANGE_COST`` each; each candidate names them)."""
    names = (free,) if isinstance(free, str) else free
    saved = saved_week(plan)
    linked = _linked(saved, plan.config)
    tied = sorted(o for o in names if (day, o) in linked)
    if tied:
        raise DataError(f"day {day} {tied[0]} is part of a planned leftover (a dinner and the "
                        "next day's lunch made of it)", "re-plan the week with `planner plan` "
                        "(or with [meals] leftovers = 0)")
    widen = tuple(o.name for o in plan.config.occasions
                  if o.name not in names and (day, o.name) not in linked)
    banned: set[int] = set()
    found: list[Candidate] = []
    stages: list[dict[str, Any]] = [{"fix": True}, {"fix": False},
                                    {"fix": True, "open_": {day: widen}}]
    for _attempt in range(2 * count + 2):
        if len(found) == count or not stages:
            break
        week = _best_week(plan, saved, {day: names}, avoid, banned, SWAP_SHORTLIST,
                          **stages[0])
        if week is None:
            stages.pop(0)
            continue
        new_plan, rows = week
        banned |= rows
        if verify(new_plan):
            continue
        found.append(Candidate.of(new_plan, day, names,
                                  week_objective(new_plan, saved_week(new_plan, saved)),
                                  before=plan))
    return sorted(found, key=lambda candidate: candidate.objective)


def held_by(plan: Plan, day: int, occasion: str) -> list[tuple[str, int, int]]:
    """The weekly minimums that count meals (meat or poultry, seafood, food groups, included
    foods) which the week keeps only with this meal: (rule, the week's count, its minimum).
    A meal in its place must count towards each of them too."""
    saved = saved_week(plan)
    meal = saved.chosen[day - 1].get(occasion)
    option_of = option_of_column(saved.model)
    out = []
    for rule in weekly_rules(saved.model, plan.config, plan.foods):
        counted = counted_options(option_of, rule) if rule.lower > 0 else None
        if counted is None:
            continue
        total = sum(row in counted for rows in saved.chosen for row in rows.values())
        if meal in counted and total - 1 < rule.lower:
            out.append((rule.name, total, round(rule.lower)))
    return out


def replan(plan: Plan, locks: set[tuple[int, str | None]]) -> tuple[Plan, int]:
    """The week with every meal that is not locked eaten differently where the rules allow,
    day by day (the rest of the week as it is by then); and the meals changed. A lock is
    (day, None) for a whole day or (day, occasion) for one meal.

    Each day's MILP keeps whole gram steps on that day only (the others' portions may move
    freely, which keeps it small); one MILP then chooses every portion and tablet of the week
    again in whole steps. When that finds none, the days are re-planned again with whole
    steps everywhere (slower, the same rules). Planned leftovers (a dinner and the next
    day's lunch made of it) are kept as they are."""
    saved = saved_week(plan)
    locks = locks | _linked(saved, plan.config)
    quick = _replan_days(plan, saved, locks, whole_steps=False)
    if quick is not None:
        polished = _polished(quick[0], saved)
        if polished is not None and not verify(polished):
            return polished, quick[1]
    slow = _replan_days(plan, saved, locks, whole_steps=True)
    return slow if slow is not None else (plan, 0)


def _replan_days(plan: Plan, saved: SavedWeek, locks: set[tuple[int, str | None]],
                 whole_steps: bool) -> tuple[Plan, int] | None:
    """The days re-planned in turn (see ``replan``); with ``whole_steps`` each change is kept
    only when the week verifies; None when a day's MILP without them finds no week."""
    names = [o.name for o in plan.config.occasions]
    changed = 0
    for day in range(1, plan.config.plan.days + 1):
        if (day, None) in locks:
            continue
        free = tuple(n for n in names if (day, n) not in locks)
        if not free:
            continue
        week = _best_week(plan, saved_week(plan, saved), {day: free}, (), set(),
                          REPLAN_SHORTLIST,
                          steps=True if whole_steps else frozenset({day - 1}))
        if week is None and not whole_steps:
            continue
        if week is not None and (not whole_steps or not verify(week[0])):
            plan = week[0]
            changed += len(free)
    return plan, changed


def _polished(plan: Plan, saved: SavedWeek) -> Plan | None:
    """The plan's meals kept, every portion and tablet of the week chosen again in whole gram
    steps (``search.polish``); None when no portions keep every rule."""
    current = saved_week(plan, saved)
    model, options, config = current.model, current.options, plan.config
    rules = weekly_rules(model, config, plan.foods)
    menus = [DayMenu(tuple(sorted(rows.values())), (), (), 0.0, ()) for rows in current.chosen]
    links = _saved_links(current, config)
    found = polish(menus, plan.foods, plan.supplements, options, config, model, rules,
                   extra=lambda week, blocks: tie_to_dinners(week, blocks, links, options))
    if found is None:
        return None
    return Plan(config=config, foods=plan.foods, supplements=plan.supplements,
                food_items=food_items(found, options, plan.foods, config),
                supplement_items=supplement_items(found), meta=dict(plan.meta))


def _best_week(plan: Plan, saved: SavedWeek, free: dict[int, tuple[str, ...]],
               avoid: tuple[str, ...], banned: set[int], size: int, fix: bool = False,
               steps: bool | frozenset[int] = True,
               open_: dict[int, tuple[str, ...]] | None = None
               ) -> tuple[Plan, set[int]] | None:
    """The best week with the ``free`` occasions of each day eating another meal (not the
    current one nor its main dish, none of ``avoid``, none of ``banned`` nor their main
    dishes), the rest as saved (with ``fix``, the other days' portions and tablets too;
    the ``open_`` occasions keep their meal or take one of the ``OPEN_SHORTLIST`` best
    others, at ``CHANGE_COST``); and the option rows it chose at the free occasions."""
    options, model = saved.options, saved.model
    config = plan.config
    meals, parts = options.meals, options.parts
    holding = set(parts.loc[parts["food"].isin(avoid), "option"])
    dish_of = {int(r): dish for dish, rows in main_dishes(options).items() for r in rows}
    same_dish = {dish_of.get(r) for r in banned} - {None}
    rules = weekly_rules(model, config, plan.foods)
    if not fix or open_:     # a shortlist, the week's rules priced in
        mean = mean_day_lp(model, rules, config.plan.days)
        values, reduced = mean.values, mean.reduced
    day_options: list[Array] = []
    for day, rows in enumerate(saved.chosen, start=1):
        keep = [row for occasion, row in rows.items() if occasion not in free.get(day, ())]
        for occasion in (open_ or {}).get(day, ()):
            others = meals.index[(meals["occasion"] == occasion) & (meals["kind"] != "leftover")
                                 & ~meals.index.isin([rows.get(occasion, -1), *holding])]
            keep += _best_of(model, np.asarray(others, dtype=np.int64), values, reduced,
                             OPEN_SHORTLIST)
        for occasion in free.get(day, ()):
            dishes = same_dish | {dish_of.get(rows.get(occasion, -1))}
            others = meals.index[(meals["occasion"] == occasion)
                                 & (meals["kind"] != "leftover")
                                 & ~meals.index.isin([rows.get(occasion, -1), *holding,
                                                      *banned])
                                 & ~meals.index.map(dish_of.get).isin(dishes - {None})]
            keep += others.tolist() if fix else _best_of(
                model, np.asarray(others, dtype=np.int64), values, reduced, size)
        day_options.append(np.asarray(sorted(keep), dtype=np.int64))
    held = [day for day in range(1, config.plan.days + 1) if day not in free] if fix else []
    links = _saved_links(saved, config)

    def extra(week: Program, blocks: list[Block]) -> None:
        tie_to_dinners(week, blocks, links, options)
        _hold_days(week, blocks, plan, options, held, free, size)
        for day, occasions in (open_ or {}).items():
            _charge_changes(week, blocks[day - 1], saved.chosen[day - 1], occasions)

    weeks = week_milp(day_options, plan.foods, plan.supplements, options, config, model,
                      rules, NODES, steps=steps, extra=extra)
    if not weeks:
        return None
    menus = weeks[0]
    new = Plan(config=config, foods=plan.foods, supplements=plan.supplements,
               food_items=food_items(menus, options, plan.foods, config),
               supplement_items=supplement_items(menus), meta=dict(plan.meta))
    rows_chosen = {row for day, menu in enumerate(menus, start=1) for row in menu.options
                   if meals.loc[row, "occasion"] in free.get(day, ())}
    return new, rows_chosen


def _charge_changes(week: Program, block: Block, kept: dict[str, int],
                    occasions: tuple[str, ...]) -> None:
    """``CHANGE_COST`` in the week's objective for each of these occasions whose meal
    changes, so that a swap changes the day's other meals only where that pays."""
    sub, option_map, _, offset = block
    occasion = sub.options.meals["occasion"].to_numpy()
    rows = np.flatnonzero(np.isin(occasion, occasions)
                          & (option_map != np.asarray([kept.get(o, -1) for o in occasion])))
    week.add_cost(sub.choose[rows] + offset, CHANGE_COST)


def _best_of(model: DayModel, rows: Array, values: Array, reduced: Array,
             size: int) -> list[int]:
    """The ``size`` options the day LP uses most, then those of least reduced cost."""
    if not len(rows):
        return []
    order = np.lexsort((rows, reduced[model.choose[rows]],
                        -np.round(values[model.choose[rows]], 9)))
    return rows[order[:size]].tolist()



def _hold_days(week: Program, blocks: list[Block], plan: Plan, options: Options,
               days: list[int], free: dict[int, tuple[str, ...]], size: int) -> None:
    """Fix the portions and tablets of these days of the week MILP at the plan's, and keep
    open only the free occasions' meals the MILP's LP relaxation ranks best."""
    items, tablets = plan.food_items, plan.supplement_items
    meals, parts = options.meals, options.parts
    for day in days:
        sub, option_map, part_map, offset = blocks[day - 1]
        mine = items[items["day"] == day]
        grams = {(str(o), str(f)): float(g)
                 for o, f, g in zip(mine["occasion"], mine["food"], mine["grams"], strict=True)}
        full = parts.loc[part_map]
        occasion = meals.loc[option_map[sub.options.parts["option"].to_numpy()], "occasion"]
        held = np.array([grams.get((str(o), str(f)), low) - low for o, f, low in zip(
            occasion, full["food"], full["low"], strict=True)])
        week.set_bounds(sub.grams + offset, held, held)
        today = tablets[tablets["day"] == day] if not tablets.empty else tablets
        taken = {(int(w), str(s)): float(u) for w, s, u in zip(
            today.get("window", []), today.get("supplement", []), today.get("units", []),
            strict=True)}
        units = np.array([taken.get((int(w), str(s)), 0.0) for w, s in zip(
            sub.unit_amounts.get("window", []), sub.unit_amounts.get("product", []),
            strict=True)])
        if len(units):
            week.set_bounds(sub.units + offset, units, units)
    if days:
        _narrow(week, blocks, free, size)


def _narrow(week: Program, blocks: list[Block], free: dict[int, tuple[str, ...]],
            size: int) -> None:
    """Close all but ``size`` meals at each free occasion: those the week's LP relaxation
    uses most, then those of least reduced cost."""
    solution = week.solve("highs", time_limit_s=3600.0, mip=False)
    if solution.status != "optimal" or solution.reduced_costs is None:
        return
    values, reduced = solution.values, solution.reduced_costs
    for day, occasions in free.items():
        sub, _, _, offset = blocks[day - 1]
        for occasion in occasions:
            rows = np.flatnonzero((sub.options.meals["occasion"] == occasion).to_numpy())
            cols = sub.choose[rows] + offset
            order = np.lexsort((cols, reduced[cols], -np.round(values[cols], 9)))
            closed = cols[order[size:]]
            week.set_bounds(closed, np.zeros(len(closed)), np.zeros(len(closed)))
