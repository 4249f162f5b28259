"""A linear program held as arrays: columns, ranged rows, one sparse matrix; and its solvers.

Constraint families add whole blocks of rows from numpy arrays. HiGHS receives the model
in one ``passModel`` call (the fast path); CBC and any other PuLP solver receive the same
program converted to a PuLP problem. No I/O happens here.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

INF = math.inf
CUT_POOL = 30  # HiGHS keeps 10,000 cuts by default; 30 solved the presets' days 18 % faster
Array = npt.NDArray[Any]


@dataclass(frozen=True)
class Solution:
    """A solver's answer: status, objective, gap, and values per column and row."""

    status: str                  # optimal | time_limit | infeasible | no_solution
    objective: float | None
    mip_gap: float | None
    seconds: float
    solver: str
    values: Array = field(repr=False, default_factory=lambda: np.zeros(0))
    row_duals: Array | None = field(repr=False, default=None)
    reduced_costs: Array | None = field(repr=False, default=None)
    bound: float | None = None   # proven bound on the optimum (LP: the objective itself)
    basis: Any = field(repr=False, default=None)   # HiGHS's optimal basis of an LP

    def best_bound(self) -> float | None:
        return self.bound if self.bound is not None else self.objective


@dataclass
class Block:
    """Consecutive rows or columns of one family, named ``family_label``."""

    family: str
    labels: list[str]
    start: int

    def names(self) -> list[str]:
        return [f"{self.family}_{label}" for label in self.labels]


def _vector(value: float | Sequence[float] | Array, size: int) -> Array:
    array = np.asarray(value, dtype=float)
    return np.full(size, float(array)) if array.ndim == 0 else array.astype(float)


class Program:
    """Columns with bounds, costs and integrality; rows ``lower <= A x <= upper``."""

    def __init__(self, maximize: bool = False) -> None:
        self.maximize = maximize
        self.column_blocks: list[Block] = []
        self.row_blocks: list[Block] = []
        self._col_lower: list[Array] = []
        self._col_upper: list[Array] = []
        self._col_integer: list[Array] = []
        self._row_lower: list[Array] = []
        self._row_upper: list[Array] = []
        self._entries: list[tuple[Array, Array, Array]] = []
        self._cost: list[tuple[Array, Array]] = []
        self._matrix: tuple[Array, Array, Array] | None = None
        self.num_cols = 0
        self.num_rows = 0

    def columns(self, family: str, labels: Sequence[Any], lower: float | Array = 0.0,
                upper: float | Array = INF, integer: bool = False) -> Array:
        """New columns, one per label; returns their indices."""
        size = len(labels)
        self.column_blocks.append(Block(family, [str(label) for label in labels], self.num_cols))
        self._col_lower.append(_vector(lower, size))
        self._col_upper.append(_vector(upper, size))
        self._col_integer.append(np.full(size, integer))
        self.num_cols += size
        return np.arange(self.num_cols - size, self.num_cols)

    def rows(self, family: str, labels: Sequence[Any], rows: Array, cols: Array,
             values: Array | float, lower: float | Array = -INF,
             upper: float | Array = INF) -> Array:
        """New rows, one per label, from (local row, column, value) triplets; returns their
        indices. Entries repeating a (row, column) pair are summed."""
        size = len(labels)
        self.row_blocks.append(Block(family, [str(label) for label in labels], self.num_rows))
        self._row_lower.append(_vector(lower, size))
        self._row_upper.append(_vector(upper, size))
        rows = np.asarray(rows, dtype=np.int64)
        self.add_entries(rows + self.num_rows, cols, values)
        self.num_rows += size
        return np.arange(self.num_rows - size, self.num_rows)

    def add_entries(self, rows: Array, cols: Array, values: Array | float) -> None:
        """More coefficients in existing rows (global row indices)."""
        if self._matrix is not None:  # back to triplets, then add
            start, index, value = self._matrix
            self._entries = [(index.astype(np.int64),
                              np.repeat(np.arange(len(start) - 1), np.diff(start)), value)]
            self._matrix = None
        rows = np.asarray(rows, dtype=np.int64)
        self._entries.append((rows, np.asarray(cols, dtype=np.int64),
                              _vector(values, len(rows))))

    def set_bounds(self, cols: Array, lower: Array | float, upper: Array | float) -> None:
        """New bounds for existing columns."""
        low, high = _join(self._col_lower), _join(self._col_upper)
        low[cols], high[cols] = lower, upper
        self._col_lower, self._col_upper = [low], [high]

    def add_cost(self, cols: Array, values: Array | Sequence[float] | float) -> None:
        """Add to the objective coefficients of these columns."""
        cols = np.asarray(cols, dtype=np.int64)
        self._cost.append((cols, _vector(values, len(cols))))

    def append(self, other: Program, family: str = "block") -> tuple[int, int]:
        """Another program's columns and rows beside this one's (a block of a block-diagonal
        program); returns the offsets of its columns and rows here."""
        col_offset, row_offset = self.num_cols, self.num_rows
        col_lower, col_upper, row_lower, row_upper = other.bounds()
        self.column_blocks.append(Block(family, list(map(str, range(other.num_cols))),
                                        col_offset))
        self._col_lower.append(col_lower)
        self._col_upper.append(col_upper)
        self._col_integer.append(other.integer())
        self.num_cols += other.num_cols
        self.add_cost(np.arange(other.num_cols) + col_offset, other.cost())
        self.row_blocks.append(Block(family, list(map(str, range(other.num_rows))), row_offset))
        self._row_lower.append(row_lower)
        self._row_upper.append(row_upper)
        self.num_rows += other.num_rows
        start, index, value = other.matrix()
        cols = np.repeat(np.arange(other.num_cols), np.diff(start))
        self.add_entries(index.astype(np.int64) + row_offset, cols + col_offset, value)
        return col_offset, row_offset

    # --- arrays ---------------------------------------------------------------------------

    def bounds(self) -> tuple[Array, Array, Array, Array]:
        """Column lower and upper bounds, row lower and upper bounds."""
        return (_join(self._col_lower), _join(self._col_upper), _join(self._row_lower),
                _join(self._row_upper))

    def integer(self) -> Array:
        return _join(self._col_integer, dtype=bool)

    def cost(self) -> Array:
        cost = np.zeros(self.num_cols)
        for cols, values in self._cost:
            np.add.at(cost, cols, values)
        return cost

    def matrix(self) -> tuple[Array, Array, Array]:
        """Column-wise (start, row index, value) with repeated entries summed, zeros dropped.

        Computed once; the triplets it came from are then replaced by it (half the memory).
        """
        if self._matrix is None:
            self._matrix = self._assemble()
            self._entries = []
        return self._matrix

    def _assemble(self) -> tuple[Array, Array, Array]:
        rows = _join([r for r, _, _ in self._entries], dtype=np.int64)
        cols = _join([c for _, c, _ in self._entries], dtype=np.int64)
        values = _join([v for _, _, v in self._entries])
        key = cols * max(self.num_rows, 1) + rows
        order = np.argsort(key, kind="stable")
        key, values = key[order], values[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        summed = np.add.reduceat(values, starts) if len(starts) else values[:0]
        key = key[starts]
        keep = summed != 0
        key, summed = key[keep], summed[keep]
        col_of = key // max(self.num_rows, 1)
        start = np.searchsorted(col_of, np.arange(self.num_cols + 1)).astype(np.int32)
        return start, (key % max(self.num_rows, 1)).astype(np.int32), summed

    def row_families(self) -> list[str]:
        """Family of each row."""
        out: list[str] = []
        for block in self.row_blocks:
            out += [block.family] * len(block.labels)
        return out

    def row_names(self) -> list[str]:
        return [name for block in self.row_blocks for name in block.names()]

    def column_names(self) -> list[str]:
        return [name for block in self.column_blocks for name in block.names()]

    # --- solving --------------------------------------------------------------------------

    def solve(self, solver: str = "highs", time_limit_s: float = 60.0, mip_gap: float = 0.0,
              mip: bool = True, basis: Any = None,
              on_incumbent: Callable[[Array, float], None] | None = None) -> Solution:
        """Solve with HiGHS from arrays (``highs``), or through PuLP (``cbc``,
        ``pulp-highs``). HiGHS only: ``basis``, an LP's start (another LP's optimal basis of
        the same shape); ``on_incumbent(values, gap)``, called on the solver's thread with
        each better solution a MILP search finds."""
        if solver == "highs":
            return _solve_highs(self, time_limit_s, mip_gap, mip, basis, on_incumbent)
        return _solve_pulp(self, solver, time_limit_s, mip_gap, mip)


def solve_for_columns(program: Program, time_limit_s: float, mip_gap: float,
                      cutoff: float, effort: float = 0.05) -> tuple[Solution, list[Array]]:
    """A HiGHS MILP solve for column generation: only solutions with objective below
    ``cutoff`` are sought (infeasible: none exists), and every improving solution found on
    the way is returned too (each can be a column)."""
    highs = new_highs(time_limit=float(time_limit_s), mip_rel_gap=float(mip_gap), threads=1,
                      random_seed=0, mip_pool_soft_limit=CUT_POOL,
                      mip_improving_solution_save=True, objective_bound=float(cutoff),
                      mip_heuristic_effort=float(effort))
    solution = _run_highs(highs, program, time_limit_s, mip_gap, True)
    saved = [np.asarray(s.col_value) for s in highs.getSavedMipSolutions()] \
        if solution.status in ("optimal", "time_limit") else []
    return solution, saved


MIN_RUN_SECONDS = 0.05   # HiGHS gets at least this, however long the model took to assemble


def _join(parts: list[Array], dtype: Any = float) -> Array:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence what native solver code prints on file descriptor 1 (HiGHS' banner)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    with open(os.devnull, "wb") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


_BANNER = threading.Lock()
_banner_done = False


def new_highs(**options: Any) -> Any:
    """A silent HiGHS instance with these options. HiGHS prints its banner on standard output
    once per process, when the first instance is made: that one is made with file descriptor
    1 silenced (under a lock), so later instances, in any thread, touch no descriptor."""
    global _banner_done
    import highspy

    with _BANNER:
        if not _banner_done:
            with quiet_stdout():
                highs = highspy.Highs()
            _banner_done = True
        else:
            highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for option, value in options.items():
        highs.setOptionValue(option, value)
    return highs


def highs_model(program: Program, mip: bool = True) -> Any:
    """The program as a ``highspy.HighsLp`` (ranged rows, column-wise matrix)."""
    import highspy

    col_lower, col_upper, row_lower, row_upper = program.bounds()
    start, index, value = program.matrix()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = program.num_cols, program.num_rows
    lp.col_cost_ = program.cost()
    lp.col_lower_, lp.col_upper_ = col_lower, col_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
    lp.sense_ = highspy.ObjSense.kMaximize if program.maximize else highspy.ObjSense.kMinimize
    integer = program.integer()
    if mip and integer.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[flag] for flag in integer.tolist()]
    return lp


def _solve_highs(program: Program, time_limit_s: float, mip_gap: float, mip: bool,
                 basis: Any = None,
                 on_incumbent: Callable[[Array, float], None] | None = None) -> Solution:
    # without restarts the default week's second and third menus take 0.5-0.7 s, not 1.0 s
    highs = new_highs(time_limit=float(time_limit_s), mip_rel_gap=float(mip_gap), threads=1,
                      random_seed=0, mip_pool_soft_limit=CUT_POOL, mip_allow_restart=False)
    if on_incumbent is not None:
        highs.cbMipImprovingSolution.subscribe(
            lambda event: on_incumbent(np.array(event.data_out.mip_solution),
                                       float(event.data_out.mip_gap)))
    return _run_highs(highs, program, time_limit_s, mip_gap, mip, basis)


def _run_highs(highs: Any, program: Program, time_limit_s: float, mip_gap: float,
               mip: bool, basis: Any = None) -> Solution:
    import highspy

    started = time.perf_counter()
    lp = highs_model(program, mip)
    highs.passModel(lp)
    del lp  # HiGHS holds its own copy
    is_mip = mip and bool(program.integer().any())
    if basis is not None and not is_mip and len(basis.col_status) == program.num_cols \
            and len(basis.row_status) == program.num_rows:
        highs.setBasis(basis)
    spent = time.perf_counter() - started   # assembling a large model takes seconds too
    highs.setOptionValue("time_limit", max(float(time_limit_s) - spent, MIN_RUN_SECONDS))
    highs.run()
    seconds = time.perf_counter() - started
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Solution("infeasible", None, None, seconds, "highs")
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    if not feasible:
        bound = float(info.mip_dual_bound) if is_mip else None
        return Solution("no_solution", None, None, seconds, "highs",
                        bound=bound if bound is not None and math.isfinite(bound) else None)
    solution = highs.getSolution()
    found = float(info.mip_gap) if is_mip else 0.0
    gap = found if math.isfinite(found) and found < 1e30 else None
    kind = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    if kind == "optimal" and is_mip and gap is not None and gap > mip_gap + 1e-9:
        kind = "time_limit"
    duals = np.asarray(solution.row_dual) if solution.dual_valid else None
    reduced = np.asarray(solution.col_dual) if solution.dual_valid else None
    bound = float(info.mip_dual_bound) if is_mip else None
    if bound is not None and not math.isfinite(bound):
        bound = None
    return Solution(kind, float(info.objective_function_value), gap, seconds, "highs",
                    np.asarray(solution.col_value), duals, reduced, bound,
                    None if is_mip else highs.getBasis())


def to_pulp(program: Program, mip: bool = True) -> tuple[Any, list[Any], list[Any]]:
    """The program as a PuLP problem: its variables and one constraint per row.

    Ranged rows become an equality with a bounded auxiliary variable (PuLP has no ranged
    rows). Names are positional (``c12``, ``r7``) so no two can clash after PuLP's cleaning.
    """
    import pulp

    col_lower, col_upper, row_lower, row_upper = program.bounds()
    integer = program.integer() & mip
    prob = pulp.LpProblem("b12_plan", pulp.LpMaximize if program.maximize else pulp.LpMinimize)
    variables = [prob.add_variable(f"c{j}", lo if lo > -INF else None, hi if hi < INF else None,
                                   pulp.LpInteger if flag else pulp.LpContinuous)
                 for j, (lo, hi, flag) in enumerate(zip(col_lower.tolist(), col_upper.tolist(),
                                                        integer.tolist(), strict=True))]
    start, index, value = program.matrix()
    order = np.argsort(index, kind="stable")
    col_of = np.repeat(np.arange(program.num_cols), np.diff(start))
    row_start = np.searchsorted(index[order], np.arange(program.num_rows + 1))
    cols, values = col_of[order].tolist(), value[order].tolist()
    constraints = []
    for i, (lo, hi) in enumerate(zip(row_lower.tolist(), row_upper.tolist(), strict=True)):
        terms = [(variables[c], v) for c, v in zip(cols[row_start[i]:row_start[i + 1]],
                                                   values[row_start[i]:row_start[i + 1]],
                                                   strict=True)]
        expr = pulp.LpAffineExpression(terms)
        if lo == hi:
            constraint = pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{i}", lo)
        elif lo > -INF and hi < INF:
            ranged = prob.add_variable(f"range{i}", lo, hi)
            expr = pulp.LpAffineExpression([*terms, (ranged, -1.0)])
            constraint = pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{i}", 0.0)
        elif lo > -INF:
            constraint = pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{i}", lo)
        else:
            constraint = pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{i}", hi)
        prob.addConstraint(constraint, f"r{i}")
        constraints.append(constraint)
    cost = program.cost()
    prob += pulp.LpAffineExpression([(variables[j], c) for j, c in enumerate(cost.tolist())
                                     if c])
    return prob, variables, constraints


def pulp_solver(name: str, time_limit_s: float, mip_gap: float, mip: bool) -> Any:
    """The PuLP solver object: the CBC executable, or HiGHS through PuLP."""
    import shutil
    from pathlib import Path

    import pulp

    from .errors import PlannerError

    if name == "pulp-highs":
        return pulp.HiGHS(mip=mip, msg=False, timeLimit=time_limit_s, gapRel=mip_gap,
                          threads=1, random_seed=0)
    if name == "cbc":
        path = shutil.which("cbc") or getattr(pulp.apis.coin_api, "pulp_cbc_path", None)
        if not path or not Path(path).exists():
            raise PlannerError("CBC is not installed", "install coinor-cbc or use --solver highs")
        return pulp.COIN_CMD(path=path, mip=mip, msg=False, timeLimit=time_limit_s,
                             gapRel=mip_gap, threads=1)
    raise PlannerError(f"unknown solver {name!r}", "use highs or cbc")


def _solve_pulp(program: Program, name: str, time_limit_s: float, mip_gap: float,
                mip: bool) -> Solution:
    import pulp

    solver = pulp_solver(name, time_limit_s, mip_gap, mip)
    started = time.perf_counter()
    prob, variables, constraints = to_pulp(program, mip)
    with quiet_stdout():
        prob.solve(solver)
    seconds = time.perf_counter() - started
    if prob.sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return Solution("infeasible", None, None, seconds, name)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return Solution("no_solution", None, None, seconds, name)
    gap: float | None = None
    solver_model = getattr(prob, "solverModel", None)
    if not (mip and program.integer().any()):
        gap = 0.0
    elif solver_model is not None and hasattr(solver_model, "getInfo"):
        found = float(solver_model.getInfo().mip_gap)
        gap = found if math.isfinite(found) and found < 1e30 else None
    kind = "optimal" if prob.sol_status == pulp.LpSolutionOptimal else "time_limit"
    if kind == "optimal" and gap is not None and gap > mip_gap + 1e-9:
        kind = "time_limit"
    values = np.array([v.varValue or 0.0 for v in variables])
    duals = np.array([c.pi or 0.0 for c in constraints])
    reduced = np.array([v.dj or 0.0 for v in variables])
    return Solution(kind, pulp.value(prob.objective), gap, seconds, name, values, duals,
                    reduced)


MILP_OPTIONS = {           # the search's MILPs: these options halved HiGHS 1.16's time on the
    "mip_allow_restart": False,          # default, vegan and pregnancy weeks' 90 MILPs (0.3 %
    "mip_heuristic_run_rins": False,     # apart at most in objective, some better, some
    "mip_heuristic_run_rens": False,     # worse); small day MILPs without presolve, large
    "mip_pool_soft_limit": 30,           # ones and week MILPs with it (replan's: 21.4 s ->
}                                        # 5.4 s)


NO_CLOCK = 3600.0          # a solve's time limit when the run has no clock (work limits rule)


def seconds_left(deadline: float | None) -> float:
    """What is left of the run's clock for one solve (``NO_CLOCK`` without one)."""
    if deadline is None:
        return NO_CLOCK
    return max(deadline - time.monotonic(), 0.0)


def out_of_time(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def improving_solutions(program: Program, gap: float, nodes: int, presolve: bool = False,
                        seconds: float = NO_CLOCK) -> list[Array]:
    """A MILP's best solution and the improving ones HiGHS found on the way, within a
    relative gap, a node limit and ``seconds`` ([] when it has none); ``presolve`` for
    week MILPs."""
    highs = new_highs(threads=1, random_seed=0, mip_rel_gap=gap, mip_max_nodes=nodes,
                      mip_improving_solution_save=True,
                      **{**MILP_OPTIONS, "presolve": "on" if presolve else "off"})
    solution = _run_highs(highs, program, seconds, 1e-4, True)
    if solution.values is None or not len(solution.values) or solution.status == "infeasible":
        return []
    found = [np.asarray(solution.values)]
    for saved in highs.getSavedMipSolutions():
        values = np.asarray(saved.col_value)
        if not any(np.array_equal(values, f) for f in found):
            found.append(values)
    return found
