"""The array-held program: matrix assembly, and the same answers from HiGHS direct and PuLP."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from planner.config import load_config
from planner.foods import load_foods
from planner.meal_week import meal_model
from planner.program import INF, Program, to_pulp
from planner.supplements import load_supplements


def small() -> Program:
    """min x + 2y  s.t.  3 <= 2x + y (ranged to 10), x - y == 0 (written in two pieces)."""
    lp = Program()
    cols = lp.columns("v", ["x", "y"], 0.0, [10.0, INF], integer=True)
    lp.rows("sum", ["a"], np.array([0, 0]), cols, np.array([2.0, 1.0]), 3.0, 10.0)
    lp.rows("tie", ["b"], np.array([0, 0, 0]), np.array([0, 1, 1]), np.array([1.0, -0.5, -0.5]),
            0.0, 0.0)
    lp.add_cost(cols, np.array([1.0, 2.0]))
    return lp


def test_matrix_sums_repeated_entries_and_drops_zeros() -> None:
    lp = Program()
    cols = lp.columns("v", ["a", "b"])
    lp.rows("r", ["0", "1"], np.array([0, 0, 1, 1]), np.array([0, 0, 1, 0]),
            np.array([1.0, 2.0, 5.0, 0.0]))
    start, index, value = lp.matrix()
    assert start.tolist() == [0, 1, 2] and index.tolist() == [0, 1]
    assert value.tolist() == [3.0, 5.0]
    assert lp.row_names() == ["r_0", "r_1"] and lp.column_names() == ["v_a", "v_b"]
    assert cols.tolist() == [0, 1]


@pytest.mark.parametrize("solver", ["highs", "pulp-highs", "cbc"])
def test_every_route_finds_the_same_optimum(solver: str) -> None:
    solution = small().solve(solver, 10, 0.0)
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(3.0)  # x = y = 1
    assert solution.values[:2].tolist() == pytest.approx([1.0, 1.0])


def test_infeasible_is_reported() -> None:
    lp = small()
    lp.rows("cap", ["c"], np.array([0]), np.array([0]), np.array([1.0]), upper=-1.0)
    assert lp.solve("highs", 10, 0.0).status == "infeasible"
    assert lp.solve("pulp-highs", 10, 0.0).status == "infeasible"


def test_pulp_conversion_keeps_ranged_rows() -> None:
    prob, variables, constraints = to_pulp(small())
    assert len(variables) == 2 and len(constraints) == 2
    assert len(prob.variables()) == 3  # x, y and the auxiliary of the ranged row


def test_weekly_lp_is_the_same_through_pulp() -> None:
    """The default day model's LP relaxation: HiGHS from arrays and HiGHS through PuLP
    agree."""
    model = meal_model(load_foods(), load_supplements(), load_config(None))
    program = copy.deepcopy(model.program)   # the cached model is shared: never changed
    program.add_cost(model.choose, 1.0)
    direct = program.solve("highs", 60, 0.0, mip=False)
    through_pulp = program.solve("pulp-highs", 60, 0.0, mip=False)
    assert direct.status == through_pulp.status == "optimal"
    assert direct.objective == pytest.approx(through_pulp.objective, rel=1e-7)
    assert direct.row_duals is not None and len(direct.row_duals) == program.num_rows


def test_rows_added_after_the_matrix_was_built_are_kept() -> None:
    lp = small()
    first = [array.tolist() for array in lp.matrix()]
    lp.rows("cap", ["c"], np.array([0]), np.array([1]), np.array([4.0]), upper=8.0)
    value = lp.matrix()[2]
    assert len(value) == len(first[2]) + 1 and lp.num_rows == 3
    assert lp.solve("highs", 10, 0.0).objective == pytest.approx(3.0)


def test_an_lp_started_from_a_similar_lps_basis_reaches_the_same_optimum() -> None:
    """A day's LP relaxation priced otherwise, started from the first's optimal basis,
    has the optimum it has from scratch; a basis of another shape is not used."""
    model = meal_model(load_foods(), load_supplements(), load_config(None))
    program = copy.deepcopy(model.program)
    program.add_cost(model.choose, 1.0)
    first = program.solve("highs", 60, 0.0, mip=False)
    assert first.status == "optimal" and first.basis is not None
    program.add_cost(model.choose[::7], 0.5)
    cold = program.solve("highs", 60, 0.0, mip=False)
    warm = program.solve("highs", 60, 0.0, mip=False, basis=first.basis)
    assert warm.status == cold.status == "optimal"
    assert cold.objective is not None and first.objective is not None
    assert cold.objective > first.objective + 1e-6
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
    other = small().solve("highs", 10, 0.0, mip=False, basis=first.basis)
    assert other.status == "optimal" and other.objective == pytest.approx(3.0)
