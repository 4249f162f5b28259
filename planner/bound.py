"""The bound: the LP of the week's mean day (the day LP with every weekly rule divided by
the days). The mean of any week's days is a solution of it, so days x its optimum is a proven
lower bound on every week the rules allow; it depends on the rules and tables alone, so a
saved plan's bound is derived again when it is read (``saved.meta_edits``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .day import DayModel
from .master import WeeklyRule
from .program import Array, Program, highs_model, new_highs
from .recent import Recent


def week_gap(value: float, bound: float) -> float:
    """Relative gap of a week's main objective to its lower bound."""
    if value - bound <= 1e-9:
        return 0.0
    return (value - bound) / max(abs(value), 1e-9)


@dataclass
class MeanDay:
    """The LP of the week's mean day: its optimum (inf when it has none), values, reduced
    costs, and the price of each weekly rule (per day)."""

    value: float
    values: Array
    reduced: Array
    prices: dict[str, float]


def mean_day_program(model: DayModel, rules: list[WeeklyRule], days: int
                     ) -> tuple[Program, list[WeeklyRule]]:
    """The day program with a ``mean`` row per weekly rule that has bounds (the rule divided
    by the days), after the day's rows; and those rules in row order."""
    program = Program()
    program.append(model.program, "day")
    named = [r for r in rules if r.binds()]
    for rule in named:
        program.rows("mean", [rule.name], np.zeros(len(rule.cols), dtype=np.int64),
                     rule.cols, rule.vals, rule.lower / days, rule.upper / days)
    return program, named


_MEANS: Recent[MeanDay] = Recent(2)


def mean_day_lp(model: DayModel, rules: list[WeeklyRule], days: int) -> MeanDay:
    """The day LP with every weekly rule divided by the days. The mean of any week's days is
    a solution of it, so days x its optimum bounds every week. Solved once for the same
    model and equal rules (replan and swap ask for it once per day; a saved plan's check
    too); its arrays are read-only."""
    key = (days, tuple((r.name, r.lower, r.upper, r.cols.tobytes(), r.vals.tobytes())
                       for r in rules))
    return _MEANS.get((model,), key, lambda: _mean_day_lp(model, rules, days))


def _mean_day_lp(model: DayModel, rules: list[WeeklyRule], days: int) -> MeanDay:
    import highspy

    program, named = mean_day_program(model, rules, days)
    highs = new_highs(threads=1, random_seed=0)
    highs.passModel(highs_model(program, mip=False))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        zero = np.zeros(model.program.num_cols)
        return MeanDay(math.inf, zero, zero, {})
    solution = highs.getSolution()
    duals = np.asarray(solution.row_dual)[model.program.num_rows:]
    values, reduced = np.asarray(solution.col_value), np.asarray(solution.col_dual)
    values.flags.writeable = reduced.flags.writeable = False
    return MeanDay(float(highs.getInfo().objective_function_value), values, reduced,
                   {r.name: float(d) for r, d in zip(named, duals, strict=True) if d})


def mean_week_bound(mean: MeanDay, days: int) -> float:
    """The proven lower bound on every week the rules allow: days x the mean day's optimum."""
    return days * mean.value
