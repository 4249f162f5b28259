"""Swapping one meal of a saved plan: the rest of the week stays as it is.

The occasion is re-planned by the one-day model of its day, with the day's other occasions
fixed and the weekly rules as the other days leave them (``solve.day_config``). Each
candidate is a different set of foods at the occasion; the week it makes is verified like
any plan, and its effect on the week's objective, cost and the day's absorbed B12 shown.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError
from .model import Model, build_model
from .plan import Plan, verify
from .solve import DayPlan, _ordered, _ordered_tabs, daily_rules, day_config, day_plan, extract, run
from .week import exclude_food_set, plan_objective

SWAP_SECONDS = 10.0   # per candidate at most (the time limit caps the whole swap)


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


def _day_plans(plan: Plan, skip: int) -> dict[int, DayPlan]:
    """Every day of the plan but ``skip``, as fixed menus of the week."""
    items, tabs = plan.food_items, plan.supplement_items
    rules = daily_rules(plan.config)
    out = {}
    for day in range(1, plan.config.plan.days + 1):
        if day == skip:
            continue
        mine = items[items["day"] == day].drop(columns="day")
        theirs = tabs[tabs["day"] == day].drop(columns="day")
        out[day] = day_plan(plan.foods, plan.supplements, rules, mine, theirs, day)
    return out


def _fix_other_occasions(model: Model, kept: pd.DataFrame, free: tuple[str, ...],
                         avoid: tuple[str, ...]) -> None:
    """Servings of the day's other occasions as they are; none of ``avoid`` at the free
    ones."""
    slots = model.slots
    servings = {(o, f): int(n) for o, f, n in zip(kept["occasion"], kept["food"],
                                                   kept["servings"], strict=True)}
    keys = list(zip(slots["occasion"], slots["food"], strict=True))
    missing = set(servings) - set(keys)
    if missing:
        raise DataError(f"{sorted(missing)[0][1]!r} at {sorted(missing)[0][0]} can no longer "
                        "be eaten under the plan's rules", "re-plan the week")
    fixed = np.array([o not in free or f in avoid for o, f in keys])
    amount = np.array([servings.get(k, 0) for k in keys], dtype=float)
    model.lp.set_bounds(model.n[fixed], amount[fixed], amount[fixed])
    used = (amount > 0).astype(float)
    model.lp.set_bounds(model.y[fixed], used[fixed], used[fixed])


def candidates(plan: Plan, day: int, occasion: str | tuple[str, ...], avoid: tuple[str, ...],
               count: int, seconds: float) -> list[Candidate]:
    """Up to ``count`` other ways to eat ``occasion`` (or each of several occasions) on
    ``day`` with the rest of the week kept, best first; each a verified week."""
    free = (occasion,) if isinstance(occasion, str) else occasion
    config = plan.config
    others = _day_plans(plan, day)
    rules = day_config(config, others, plan.foods)
    rules = dataclasses.replace(rules, diet=dataclasses.replace(rules.diet, include=()))
    model = build_model(plan.foods, plan.supplements, rules)
    today = plan.food_items[plan.food_items["day"] == day]
    _fix_other_occasions(model, today[~today["occasion"].isin(free)], free, avoid)
    for name in free:
        if len(free) == 1 or (today["occasion"] == name).any():
            exclude_food_set(model, today, name)
    found: list[Candidate] = []
    per = min(seconds / max(count, 1), SWAP_SECONDS)
    for _attempt in range(2 * count):
        if len(found) == count:
            break
        result = run(model, config.plan.solver, per, config.plan.mip_gap)
        if result.status not in ("optimal", "time_limit"):
            break
        items, tabs = extract(model)
        exclude_food_set(model, items)
        week = Plan(config=config, foods=plan.foods, supplements=plan.supplements,
                    food_items=_ordered(pd.concat(
                        [plan.food_items[plan.food_items["day"] != day],
                         items.assign(day=day)], ignore_index=True), config),
                    supplement_items=_ordered_tabs(pd.concat(
                        [plan.supplement_items[plan.supplement_items["day"] != day],
                         tabs.assign(day=day)], ignore_index=True)),
                    meta=dict(plan.meta))
        if verify(week):
            continue
        found.append(Candidate.of(week, day, free, plan_objective(week)))
    return found


def replan(plan: Plan, locks: set[tuple[int, str | None]], seconds: float,
           ) -> tuple[Plan, int]:
    """The week with every meal that is not locked eaten differently (each day in turn,
    the rest of the week as it is by then), where the rules allow; and the meals changed.
    A lock is (day, None) for a whole day or (day, occasion) for one meal."""
    names = [o.name for o in plan.config.occasions]
    days = [d for d in range(1, plan.config.plan.days + 1) if (d, None) not in locks]
    changed = 0
    for day in days:
        free = tuple(n for n in names if (day, n) not in locks)
        if not free:
            continue
        found = candidates(plan, day, free, (), 1, seconds / max(len(days), 1))
        if found:
            plan = found[0].plan
            changed += len(free)
    return plan, changed
