"""Other good weeks (``planner plan --alternatives N``) from the day menus the search found.

Each other week is the integer master over the search's pool of day menus with every weekly
rule, plus one cut per week before it: at least ``DIFFERENT_DAYS`` of its days are menus that
week does not eat. Its portions and tablets are then chosen again as for the first week.
No new search runs, so alternatives cost a few small MILPs; the same inputs give the same
weeks, cheapest first (an other week may come out cheaper than the first once its portions
are chosen again: the gap the plan states allows it). The first week is the same with or
without alternatives.
"""

from __future__ import annotations

import pandas as pd

from .day import DayModel
from .master import DayMenu, distinct_rules, solve_master, week_days, weekly_rules
from .options import Options
from .schema import Config
from .search import Week
from .week_milp import polish

DIFFERENT_DAYS = 2   # an other week differs from each week before it in this many days


def other_weeks(week: Week, foods: pd.DataFrame, supplements: pd.DataFrame, options: Options,
                config: Config, model: DayModel, count: int) -> list[list[DayMenu]]:
    """Up to ``count`` more weeks of the search's day menus, cheapest first."""
    rules = weekly_rules(model, config, foods)
    distinct = distinct_rules(options, config, model.rules.settings)
    pool = week.pool
    index = {menu.options: j for j, menu in enumerate(pool)}
    days = config.plan.days
    differ = min(DIFFERENT_DAYS, days - 1)
    unlike = [sorted({index[m.options] for m in week.menus if m.options in index})]
    found: list[list[DayMenu]] = []
    while len(found) < count and differ > 0:
        _, _, lam, broken = solve_master(pool, rules, distinct, model, config, integer=True,
                                         unlike=[(w, days - differ) for w in unlike])
        chosen = week_days(pool, lam)
        if len(chosen) != days:
            break
        unlike.append(sorted({index[m.options] for m in chosen}))
        polished = polish(chosen, foods, supplements, options, config, model, rules)
        if polished is not None:   # portions chosen again may keep what the pool's broke
            found.append(sorted(polished, key=lambda m: (m.options, m.grams)))
        elif broken:
            break
    return sorted(found, key=lambda menus: sum(m.cost for m in menus))
