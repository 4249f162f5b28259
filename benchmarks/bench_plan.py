#!/usr/bin/env python3
"""Speed benchmarks of the default weekly plan (run by hand; results in RESULTS.md).

(a) `planner plan` end to end on the embedded defaults (subprocess, median of --runs);
(b) the weekly LP relaxation: PuLP build + PuLP->HiGHS solve, against the floor: the same
    LP (matrix taken from the built model, untimed) passed to highspy from arrays and solved;
(c) peak memory of (a).

Usage: python benchmarks/bench_plan.py [--runs 3] [--constraints FILE]
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def end_to_end(constraints: str | None, runs: int) -> tuple[list[float], int]:
    """Wall seconds of each `planner plan` run and the largest peak RSS in KiB."""
    seconds, peak = [], 0
    command = [sys.executable, "-m", "planner", "plan", "--quiet", "--format", "json",
               "-o", "/dev/null"] + ([constraints] if constraints else [])
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        seconds.append(time.perf_counter() - start)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak


def lp_against_floor(constraints: str | None, runs: int, foods_path: str | None = None,
                     overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """Median seconds: PuLP build, PuLP->HiGHS solve, highspy from arrays (pass + solve)."""
    import highspy

    from planner import load_config, load_foods, load_supplements
    from planner.model import build_model
    from planner.solve import quiet_stdout, run

    foods, supplements = load_foods(foods_path), load_supplements()
    config = load_config(constraints, list(overrides))
    builds, solves, floors, objectives = [], [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        model = build_model(foods, supplements, config, relaxed=True)
        builds.append(time.perf_counter() - start)
        result = run(model, "highs", 600, 0.0, mip=False)
        solves.append(result.seconds)
        objectives.append(result.objective or float("nan"))
        arrays = _arrays(model.prob)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        with quiet_stdout():
            start = time.perf_counter()
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = arrays["num_col"], arrays["num_row"]
            lp.col_cost_, lp.col_lower_, lp.col_upper_ = (arrays["cost"], arrays["col_lower"],
                                                          arrays["col_upper"])
            lp.row_lower_, lp.row_upper_ = arrays["row_lower"], arrays["row_upper"]
            lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
            lp.a_matrix_.start_ = arrays["start"]
            lp.a_matrix_.index_ = arrays["index"]
            lp.a_matrix_.value_ = arrays["value"]
            h.passModel(lp)
            h.run()
            floors.append(time.perf_counter() - start)
        objectives.append(h.getInfo().objective_function_value)
    return {"build_s": statistics.median(builds), "pulp_solve_s": statistics.median(solves),
            "floor_s": statistics.median(floors), "objective_pulp": objectives[0],
            "objective_floor": objectives[1],
            "columns": float(len(model.prob.variables())),
            "rows": float(len(model.prob.constraints()))}


def _arrays(prob: object) -> dict[str, object]:
    """Row-wise CSR arrays of a PuLP problem (columns in PuLP's variable order)."""
    variables = prob.variables()  # type: ignore[attr-defined]
    position = {v.name: i for i, v in enumerate(variables)}
    inf = 1e30
    cost = np.zeros(len(variables))
    for var, coef in prob.objective.items():  # type: ignore[attr-defined]
        cost[position[var.name]] = coef
    starts, index, value, lower, upper = [0], [], [], [], []
    for constraint in prob.constraints():  # type: ignore[attr-defined]
        for var, coef in constraint.items():
            index.append(position[var.name])
            value.append(coef)
        starts.append(len(index))
        rhs = -constraint.constant
        lower.append(rhs if constraint.sense >= 0 else -inf)
        upper.append(rhs if constraint.sense <= 0 else inf)
    return {"num_col": len(variables), "num_row": len(lower), "cost": cost,
            "col_lower": np.array([-inf if v.lowBound is None else v.lowBound
                                   for v in variables]),
            "col_upper": np.array([inf if v.upBound is None else v.upBound
                                   for v in variables]),
            "row_lower": np.array(lower), "row_upper": np.array(upper),
            "start": np.array(starts, dtype=np.int32), "index": np.array(index, dtype=np.int32),
            "value": np.array(value)}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"PuLP {version('pulp')}, highspy {version('highspy')}, pandas {version('pandas')}, "
            f"numpy {version('numpy')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--constraints", default=None)
    parser.add_argument("--foods", default=None,
                        help="food table for (b), e.g. an imported SR28 table")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        help="configuration override for (b), e.g. plan.days=1")
    parser.add_argument("--lp-only", action="store_true", help="skip (a)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if not args.lp_only:
        seconds, peak = end_to_end(args.constraints, args.runs)
        print(f"(a) planner plan end to end: median {statistics.median(seconds):.2f} s "
              f"(runs: {', '.join(f'{s:.2f}' for s in seconds)}); "
              f"peak RSS {peak / 1024:.0f} MiB")
    lp = lp_against_floor(args.constraints, args.runs, args.foods, tuple(args.overrides))
    total = lp["build_s"] + lp["pulp_solve_s"]
    print(f"(b) weekly LP relaxation, {lp['columns']:.0f} columns x {lp['rows']:.0f} rows: "
          f"PuLP build {lp['build_s']:.3f} s + PuLP->HiGHS solve {lp['pulp_solve_s']:.3f} s "
          f"= {total:.3f} s; floor (highspy from arrays, pass + solve) {lp['floor_s']:.3f} s; "
          f"ratio {total / lp['floor_s']:.1f}x; objectives {lp['objective_pulp']:.6f} / "
          f"{lp['objective_floor']:.6f}; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
