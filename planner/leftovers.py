"""Planned leftovers (``[meals] leftovers``): tonight's dinner as tomorrow's lunch.

After the week is found, its lunches may be replaced by the previous day's dinner, cooked
once and eaten twice: the same foods in the same grams, labelled "leftovers of day N's
dinner". One MILP over the week (``search.week_milp``) chooses at least ``leftovers`` such
lunches with every daily and weekly rule kept and every portion chosen again; a leftover
lunch is tied to its dinner (chosen only with it, each food's grams equal). The days keep
their meals when that allows the leftovers, else the week's meals may move between days.
When they allow fewer, as many as they allow; the plan's notes say how many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Config
from .day import DayModel, build_day
from .master import DayMenu, weekly_rules
from .options import Options, occasion_source
from .program import Program
from .regimen import Block
from .search import NODES, week_milp

PREFIX = "leftover:"


def leftover_occasions(config: Config) -> tuple[str, str] | None:
    """The dinner whose leftovers make the next day's lunch (occasion names), if both exist."""
    sources = {occasion_source(o): o.name for o in reversed(config.occasions)}
    if "dinner" in sources and "lunch" in sources:
        return sources["dinner"], sources["lunch"]
    return None


def with_leftovers(menus: list[DayMenu], foods: pd.DataFrame, supplements: pd.DataFrame,
                   options: Options, config: Config, model: DayModel
                   ) -> tuple[list[DayMenu], Options] | None:
    """The week with at least ``[meals] leftovers`` lunches that are the previous day's
    dinner (as many as these meals allow, if fewer), and the options it refers to (with the
    leftover options); None when they allow none."""
    wanted = config.meals.leftovers
    pair = leftover_occasions(config)
    if not wanted or pair is None or len(menus) - 1 < wanted:
        return None
    dinner, lunch = pair
    extended, links = _leftover_options(menus, options, dinner, lunch)
    full = build_day(foods, supplements, extended, config, model.rules)
    rules = weekly_rules(full, config, foods)
    week_meals = sorted({o for m in menus for o in m.options})
    own = [np.asarray(sorted(m.options), dtype=np.int64) for m in menus]
    wide = [np.asarray(week_meals, dtype=np.int64) for _ in menus]   # any of the week's meals
    for days in (own, wide):
        for day, leftover, _ in links:
            days[day] = np.append(days[day], leftover)

    for least in range(wanted, 0, -1):
        def tie(week: Program, blocks: list[Block], least: int = least) -> None:
            _tie_to_dinners(week, blocks, links, extended, least)

        for days in (own, wide):   # the week's days as found, else its meals rearranged
            found = week_milp(days, foods, supplements, extended, config, full, rules, NODES,
                              steps=True, extra=tie)
            if found:
                return found[0], extended
    return None


def _leftover_options(menus: list[DayMenu], options: Options, dinner: str, lunch: str
                      ) -> tuple[Options, list[tuple[int, int, int]]]:
    """The options with one leftover lunch per day after the first (a copy of the previous
    day's dinner at lunch), and (day index, leftover option, dinner option) for each."""
    meals = options.meals
    cooked = [(day, next(o for o in menus[day - 1].options
                         if meals.loc[o, "occasion"] == dinner))
              for day in range(1, len(menus))]
    return leftover_options(options, cooked, lunch)


def leftover_options(options: Options, cooked: list[tuple[int, int]], lunch: str
                     ) -> tuple[Options, list[tuple[int, int, int]]]:
    """The options with a leftover lunch for each (day index, the previous day's dinner
    option) of ``cooked``, and (day index, leftover option, dinner option) for each."""
    meals, parts = options.meals, options.parts
    new_meals: list[pd.Series] = []
    new_parts: list[pd.DataFrame] = []
    links: list[tuple[int, int, int]] = []
    for day, dinner_option in cooked:
        option = len(meals) + len(new_meals)
        row = meals.iloc[int(dinner_option)].copy()
        row["option"], row["occasion"] = option, lunch
        row["key"] = PREFIX + str(row["key"])
        row["name"] = f"leftovers of day {day}'s dinner: {row['name']}"
        row["kind"], row["unlike_own"] = "leftover", 0.0
        new_meals.append(row)
        new_parts.append(parts[parts["option"] == dinner_option].assign(option=option))
        links.append((day, option, int(dinner_option)))
    extended = Options(pd.concat([meals, pd.DataFrame(new_meals)], ignore_index=True),
                       pd.concat([parts, *new_parts], ignore_index=True))
    return extended, links


def _tie_to_dinners(week: Program, blocks: list[Block], links: list[tuple[int, int, int]],
                    options: Options, wanted: int) -> None:
    """A leftover lunch only with its dinner, each food's grams equal; at least ``wanted``."""
    chosen = []
    parts = options.parts
    for day, leftover, cooked in links:
        lunch_block, dinner_block = blocks[day], blocks[day - 1]
        eat = _choose_column(lunch_block, leftover)
        cook = _choose_column(dinner_block, cooked)
        chosen.append(eat)
        week.rows("leftover_with_dinner", [day], np.zeros(2, dtype=np.int64),
                  np.asarray([eat, cook]), np.asarray([1.0, -1.0]), upper=0.0)
        eaten = parts.index[parts["option"] == leftover]
        cooked_parts = parts.index[parts["option"] == cooked]
        for eaten_part, cooked_part in zip(eaten, cooked_parts, strict=True):
            mine = _grams_column(lunch_block, int(eaten_part))
            theirs = _grams_column(dinner_block, int(cooked_part))
            most = float(parts.loc[eaten_part, "high"] - parts.loc[eaten_part, "low"])
            rows = np.zeros(3, dtype=np.int64)
            week.rows("leftover_grams_at_most", [f"{day}:{eaten_part}"], rows[:2],
                      np.asarray([mine, theirs]), np.asarray([1.0, -1.0]), upper=0.0)
            week.rows("leftover_grams_at_least", [f"{day}:{eaten_part}"], rows,
                      np.asarray([mine, theirs, eat]), np.asarray([1.0, -1.0, -most]),
                      lower=-most)
    week.rows("leftovers", ["week"], np.zeros(len(chosen), dtype=np.int64),
              np.asarray(chosen), np.ones(len(chosen)), lower=float(wanted))


def _choose_column(block: Block, option: int) -> int:
    sub, option_map, _, offset = block
    row = int(np.flatnonzero(option_map == option)[0])
    return int(sub.choose[row]) + offset


def _grams_column(block: Block, part: int) -> int:
    sub, _, part_map, offset = block
    row = int(np.flatnonzero(part_map == part)[0])
    return int(sub.grams[row]) + offset
