"""The week's tablets as a regimen a person can keep: the same every day, or each product
spread evenly over the days (one softgel a day, not three on Tuesday and none on Monday).
Rows added to a week MILP (``search.week_milp``)."""

from __future__ import annotations

import numpy as np

from .day import DayModel
from .program import Array, Program

Block = tuple[DayModel, Array, Array, int]   # a day of a week MILP: model, maps, offset


def add_steady(week: Program, blocks: list[Block]) -> None:
    """Every day takes the tablets of the first day, at the same windows."""
    first, _, _, start = blocks[0]
    for sub, _, _, offset in blocks[1:]:
        count = len(sub.units)
        if count != len(first.units):
            continue
        rows = np.arange(count, dtype=np.int64)
        week.rows("steady", range(count), np.concatenate([rows, rows]),
                  np.concatenate([sub.units + offset, first.units + start]),
                  np.concatenate([np.ones(count), -np.ones(count)]), 0.0, 0.0)


def add_balanced(week: Program, blocks: list[Block]) -> None:
    """Each product's tablets a day differ by at most one between any two days."""
    per_day: dict[str, list[Array]] = {}
    for sub, _, _, offset in blocks:
        if not len(sub.units):
            continue
        products = sub.unit_amounts["product"].astype(str).to_numpy()
        for product in sorted(set(products)):
            per_day.setdefault(product, []).append(sub.units[products == product] + offset)
    for product, days in sorted(per_day.items()):
        for i, mine in enumerate(days):
            for j in range(i + 1, len(days)):
                cols = np.concatenate([mine, days[j]])
                vals = np.concatenate([np.ones(len(mine)), -np.ones(len(days[j]))])
                week.rows("balanced", [f"{product}:{i}:{j}"],
                          np.zeros(len(cols), dtype=np.int64), cols, vals, -1.0, 1.0)
