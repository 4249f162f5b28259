"""Planned leftovers (``[meals] leftovers``): tonight's dinner as tomorrow's lunch.

The search plans them with the week: when asked, the dinners of dishes that keep are also
offered at lunch as their leftovers (``options.with_leftovers``: the foods, not the
drinks), a day never eats its own dinner's leftovers (``day``), and the weekly rules hold
each dinner's leftovers to how often it is cooked and ask for at least ``leftovers`` of
them (``master.leftover_rules``). Here each week the integer master chooses is put in an
order in which every leftover lunch follows a day that cooks its dinner, and its portions
are chosen again (``search.polish``) with each leftover in the grams of that dinner:
cooked once, eaten twice. A week that allows neither is left out (``search.finished_week``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .day import DayModel
from .master import DayMenu, weekly_rules
from .options import LEFTOVER, Options, leftover_occasions
from .program import Program
from .regimen import Block
from .schema import Config
from .week_milp import polish


def tied_week(menus: list[DayMenu], foods: pd.DataFrame, supplements: pd.DataFrame,
              options: Options, config: Config, model: DayModel,
              deadline: float | None = None) -> list[DayMenu] | None:
    """The week in an order where each leftover lunch follows the dinner it is made of, its
    portions chosen again with each leftover in that dinner's grams (``search.polish``);
    the week polished as it is when it has no leftovers; None when no order or no portions
    allow it. With a clock (``deadline``) each MILP gets what is left of it."""
    pair = leftover_occasions(config)
    ordered = None if pair is None else leftover_order(menus, options, *pair)
    if pair is None or ordered is None:
        return None
    menus = [menus[i] for i in ordered]
    links = leftover_links(menus, options, *pair)

    def tie(week: Program, blocks: list[Block]) -> None:
        tie_to_dinners(week, blocks, links, options)

    return polish(menus, foods, supplements, options, config, model,
                  weekly_rules(model, config, foods), deadline, extra=tie)


def leftover_order(menus: list[DayMenu], options: Options, dinner: str, lunch: str
                   ) -> list[int] | None:
    """Day indices in an order where each leftover lunch follows a day cooking its dinner
    (the first such order: days kept in place where they can be); None when none exists."""
    keys = options.meals["key"].astype(str)
    occasion = options.meals["occasion"]

    def meal(day: int, name: str) -> str:
        return next((keys[o] for o in menus[day].options if occasion[o] == name), "")

    wanted = {d: meal(d, lunch).removeprefix(LEFTOVER) for d in range(len(menus))
              if meal(d, lunch).startswith(LEFTOVER)}
    cooks = {d: meal(d, dinner) for d in range(len(menus))}
    before: dict[int, int] = {}

    def closes_loop(day: int, previous: int) -> bool:
        while previous in before:
            previous = before[previous]
            if previous == day:
                return True
        return previous == day

    def place(waiting: list[int]) -> bool:
        if not waiting:
            return True
        day = waiting[0]
        for previous in sorted(cooks, key=lambda d: (d != day - 1, d)):
            if cooks[previous] != wanted[day] or previous in before.values() \
                    or previous == day or closes_loop(day, previous):
                continue
            before[day] = previous
            if place(waiting[1:]):
                return True
            del before[day]
        return False

    if not place(sorted(wanted)):
        return None
    after = {p: d for d, p in before.items()}
    order: list[int] = []
    for start in (d for d in range(len(menus)) if d not in before):
        day: int | None = start
        while day is not None:
            order.append(day)
            day = after.get(day)
    return order


def leftover_links(menus: list[DayMenu], options: Options, dinner: str, lunch: str
                   ) -> list[tuple[int, int, int]]:
    """(day index, leftover option, the day before's dinner option) of each leftover."""
    meals = options.meals
    links = []
    for day in range(1, len(menus)):
        eaten = [o for o in menus[day].options if meals.loc[o, "kind"] == "leftover"
                 and meals.loc[o, "occasion"] == lunch]
        if eaten:
            cooked = next(o for o in menus[day - 1].options if meals.loc[o, "occasion"] == dinner)
            links.append((day, int(eaten[0]), int(cooked)))
    return links


def tie_to_dinners(week: Program, blocks: list[Block], links: list[tuple[int, int, int]],
                    options: Options) -> None:
    """Each leftover lunch in the grams of the dinner before it, food by food."""
    parts = options.parts
    for day, leftover, cooked in links:
        lunch_block, dinner_block = blocks[day], blocks[day - 1]
        cooked_part = {str(parts.loc[p, "food"]): int(p)
                       for p in parts.index[parts["option"] == cooked]}
        for eaten_part in parts.index[parts["option"] == leftover]:
            mine = _grams_column(lunch_block, int(eaten_part))
            theirs = _grams_column(dinner_block, cooked_part[str(parts.loc[eaten_part, "food"])])
            week.rows("leftover_grams", [f"{day}:{eaten_part}"], np.zeros(2, dtype=np.int64),
                      np.asarray([mine, theirs]), np.asarray([1.0, -1.0]), 0.0, 0.0)


def _grams_column(block: Block, part: int) -> int:
    sub, _, part_map, offset = block
    row = int(np.flatnonzero(part_map == part)[0])
    return int(sub.grams[row]) + offset
