"""The LP relaxation of a built model; on large tables by column generation.

A day on a national table has tens of thousands of serving slots, and the simplex spends
most of its time on slots that stay empty. Here the LP starts from a seed of slots (per
day, occasion and food group, the foods richest in energy, protein or B12 and the
cheapest; ties in a fixed pseudo-random order, not by name), and the rest are priced with
the LP's row duals: a slot enters when serving it would lower the objective. Each round
also gives a proven lower bound on the whole LP (the restricted optimum plus every slot's
most negative price); the rounds stop when the restricted optimum is within 0.1 % of that
bound, or at the time limit with the bound so far.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from .model import Model
from .program import Array, Solution, new_highs

LARGE_SLOTS = 1000      # slot tables above this size are priced, not solved whole
SEED_PER_GROUP = 4      # seed foods per day, occasion, group and criterion
ENTER_PER_ROUND = 500   # slots that enter per pricing round at most
TOLERANCE = 1e-7
BOUND_GAP = 1e-3        # stop when the restricted LP is within 0.1 % of the duals' bound


def solve_relaxation(model: Model, solver: str, time_limit_s: float,
                     gap: float = BOUND_GAP, basis: Any = None) -> Solution:
    """LP relaxation of ``model`` (built with ``relaxed=True``); by column generation on large
    models, stopping within ``gap`` of the proven bound (the solution's ``bound``).
    ``basis``: a start for the whole LP (see ``Program.solve``)."""
    if (solver != "highs" or len(model.slots) <= LARGE_SLOTS or model.lp.maximize
            or model.t):  # meal templates couple slots in ways the pricing does not see
        return model.lp.solve(solver, time_limit_s, 0.0, mip=False, basis=basis)
    return _column_generation(model, time_limit_s, gap)


def seed_slots(slots: pd.DataFrame, per_group: int = SEED_PER_GROUP) -> Array:
    """Boolean mask of the first slots to price in: per (day, occasion, group), the
    ``per_group`` foods with the most energy, protein and absorbable B12 per serving, and the
    cheapest priced ones."""
    keys = ["day", "occasion", "group"]
    frame = slots[[*keys, "shuffle", "energy", "protein", "b12_if", "cost"]].copy()
    frame["position"] = np.arange(len(frame))
    frame["price"] = frame["cost"].where(frame["cost"] > 0, np.inf)
    mask = np.zeros(len(frame), dtype=bool)
    for column, ascending in (("energy", False), ("protein", False), ("b12_if", False),
                              ("price", True)):
        ranked = frame.sort_values([column, "shuffle"], ascending=[ascending, True],
                                   kind="stable")
        mask[ranked.groupby(keys, sort=False).head(per_group)["position"].to_numpy()] = True
    return mask


def _column_generation(model: Model, time_limit_s: float, gap: float) -> Solution:
    started = time.perf_counter()
    program = model.lp
    col_lower, col_upper, row_lower, row_upper = program.bounds()
    cost = program.cost()
    matrix = program.matrix()
    coupling = _coupling_rows(model)
    slots = model.slots
    most = slots["max_servings"].to_numpy(dtype=float)
    least = np.maximum(slots["min_servings"].to_numpy(dtype=float), 1.0)
    exact = _has_use_min(model)
    fixed = np.ones(program.num_cols, dtype=bool)  # columns that are always in
    fixed[model.n] = fixed[model.y] = False
    day_of_food = _slot_days(model)                 # z of each slot's food and day, or -1
    fixed[list(model.z.values())] = False
    binding = (row_lower > 0) | (row_upper < 0)    # rows that matter even when empty
    per_group = SEED_PER_GROUP
    active = seed_slots(slots, per_group)
    best: Solution | None = None
    while True:
        left = time_limit_s - (time.perf_counter() - started)
        if left <= 0:
            return best or Solution("no_solution", None, None, time.perf_counter() - started,
                                    "highs")
        chosen = fixed.copy()
        chosen[model.n[active]] = chosen[model.y[active]] = True
        chosen[day_of_food[active & (day_of_food >= 0)]] = True
        columns = np.flatnonzero(chosen)
        result = _solve_columns(program.maximize, matrix, columns, binding, cost, col_lower,
                                col_upper, row_lower, row_upper, left)
        if result is None:
            if active.all():
                return Solution("infeasible", None, None, time.perf_counter() - started,
                                "highs")
            per_group *= 4
            more = seed_slots(slots, per_group) if per_group < len(slots) else \
                np.ones(len(slots), dtype=bool)
            active |= more
            continue
        objective, values, duals, reduced_in = result
        priced = duals.copy()
        priced[coupling] = 0.0
        reduced = cost - _transpose_times(*matrix, priced)
        pair = _pair_values(reduced[model.n], reduced[model.y], least, most, exact)
        pair[active] = 0.0
        others = ~chosen & fixed_or_z(fixed, model)
        bound = objective + float(np.minimum(pair, 0.0).sum()) + float(
            np.minimum(reduced[others] * col_upper[others], 0.0).sum())
        reported = np.zeros(program.num_cols)
        reported[columns] = reduced_in
        reported[model.n[~active]] = pair[~active]
        converged = objective - bound <= max(TOLERANCE, gap * abs(objective))
        best = Solution("optimal" if converged else "time_limit", objective,
                        0.0 if converged else None, time.perf_counter() - started, "highs",
                        values, duals, reported, bound)
        if converged:
            return best
        entering = np.flatnonzero(pair < -TOLERANCE)
        active[entering[np.argsort(pair[entering], kind="stable")[:ENTER_PER_ROUND]]] = True


def _solve_columns(maximize: bool, matrix: tuple[Array, Array, Array], columns: Array,
                   binding: Array, cost: Array, col_lower: Array, col_upper: Array,
                   row_lower: Array, row_upper: Array, time_limit_s: float,
                   ) -> tuple[float, Array, Array, Array] | None:
    """The LP over some columns (and the rows they touch); None if it has no optimum.

    Returns the objective, and values, row duals and reduced costs mapped back to the
    full program (zero outside)."""
    import highspy

    start, index, value = matrix
    lengths = start[columns + 1] - start[columns]
    offsets = np.repeat(start[columns] - np.concatenate([[0], np.cumsum(lengths)[:-1]]),
                        lengths)
    positions = offsets + np.arange(int(lengths.sum()))
    rows_in = np.zeros(len(row_lower), dtype=bool)
    rows_in[index[positions]] = True
    rows_in |= binding
    rows = np.flatnonzero(rows_in)
    renumber = np.full(len(row_lower), -1, dtype=np.int64)
    renumber[rows] = np.arange(len(rows))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(rows)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = (cost[columns], col_lower[columns],
                                                  col_upper[columns])
    lp.row_lower_, lp.row_upper_ = row_lower[rows], row_upper[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    lp.a_matrix_.index_ = renumber[index[positions]].astype(np.int32)
    lp.a_matrix_.value_ = value[positions]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    highs = new_highs(threads=1, time_limit=float(time_limit_s))
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = highs.getSolution()
    values = np.zeros(len(cost))
    values[columns] = solution.col_value
    duals = np.zeros(len(row_lower))
    duals[rows] = solution.row_dual
    return (float(highs.getInfo().objective_function_value), values, duals,
            np.asarray(solution.col_dual))


def fixed_or_z(fixed: Array, model: Model) -> Array:
    """Columns that are not serving slots."""
    mask = fixed.copy()
    mask[list(model.z.values())] = True
    return mask


def _slot_days(model: Model) -> Array:
    """Per slot, the column of its food family's 'eaten on this day' variable z (-1 if
    none)."""
    keys = zip(model.slots["family"], model.slots["day"], strict=True)
    return np.array([model.z.get(key, -1) for key in keys], dtype=np.int64)


def _pair_values(reduced_n: Array, reduced_y: Array, least: Array, most: Array,
                 exact: Array) -> Array:
    """Best objective change from opening a slot: y = 1 and n at its least or most servings
    (or n = 0 when a slot may be 'used' without servings)."""
    low = np.where(exact, least, 0.0)
    return reduced_y + np.minimum(low * reduced_n, most * reduced_n)


def _transpose_times(start: Array, index: Array, value: Array, duals: Array) -> Array:
    """A^T duals for a column-wise matrix."""
    products = value * duals[index]
    sums = np.zeros(len(start) - 1)
    filled = np.flatnonzero(np.diff(start) > 0)
    if len(filled):
        sums[filled] = np.add.reduceat(products, start[filled])
    return sums


def _coupling_rows(model: Model) -> Array:
    """Rows that link a slot's servings to its 'used' variable (use_max, use_min)."""
    rows: list[Any] = []
    for block in model.lp.row_blocks:
        if block.family in ("use_max", "use_min"):
            rows.append(np.arange(block.start, block.start + len(block.labels)))
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)


def _has_use_min(model: Model) -> Array:
    """Per slot: whether 'used' forces at least its least servings."""
    exact = np.zeros(len(model.slots), dtype=bool)
    for block in model.lp.row_blocks:
        if block.family == "use_min":
            exact[np.asarray([int(label) for label in block.labels], dtype=np.int64)] = True
    return exact
