#!/usr/bin/env python3
"""Speed and memory benchmarks (run by hand; results in benchmarks/RESULTS.md).

(a) `planner plan` end to end on the embedded defaults;
(b) the SR28 week's bound, the LP of its mean day over every composed meal: the planner's
    build (options, day model, weekly rules) + solve, against the floor: the same arrays
    (assembled untimed) passed to highspy and solved;
(c) the SR28 (and CIQUAL) weekly integer plan, `planner plan --foods ...` end to end;
(d) peak resident memory of each, measured per child process;
(h) `planner --help` start-up (no pandas, PuLP or HiGHS is imported for it).

Every measurement runs in its own process, --runs times; the tables show medians.
Usage: python benchmarks/bench_plan.py [--runs 3] [--parts abc]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def user_environment() -> dict[str, str]:
    """This environment as a user's shell has it: Python writes its bytecode caches
    (``pip install .``, the README's install, compiles them when it installs; a sandbox that
    sets PYTHONDONTWRITEBYTECODE makes every run compile the package again)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measured(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB, and standard output of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env=user_environment())
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024, out


def plan_runs(runs: int, extra: list[str]) -> tuple[list[float], float, dict[str, Any]]:
    """`planner plan` end to end, --runs times after one untimed run (which writes the
    bytecode caches, as an install does): seconds, peak RSS, and the plan's meta."""
    seconds, peaks = [], []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan.json"
        measured([sys.executable, "-m", "planner", "plan", "--quiet", "-o", str(out), *extra])
        for _ in range(runs):
            wall, peak, _ = measured([sys.executable, "-m", "planner", "plan", "--quiet",
                                      "--format", "json", "-o", str(out), *extra])
            seconds.append(wall)
            peaks.append(peak)
        plan = json.loads(out.read_text())
    return seconds, max(peaks), plan["meta"]


def imported(source: str, folder: Path) -> Path:
    """A national table imported with `planner foods import` (cached in ``folder``)."""
    out = folder / f"{source}.csv"
    if not out.exists():
        if source == "usda-sr28":
            args = [str(SHARED / "usda_sr_legacy_b12.csv"), "--portions",
                    str(SHARED / "usda_sr_legacy_portions.csv")]
        else:
            args = [str(SHARED / "ciqual_b12.csv")]
        measured([sys.executable, "-m", "planner", "foods", "import", "--from", source,
                  *args, "-o", str(out)])
    return out


def lp_child(mode: str, foods_path: str, overrides: list[str]) -> None:
    """In a child process: build and solve the week's mean-day LP (``ours``), or pass the
    same arrays, assembled untimed, to highspy and solve them (``floor``)."""
    import gc

    import highspy

    from planner import load_config, load_foods, load_supplements
    from planner.bound import mean_day_program
    from planner.master import weekly_rules
    from planner.meal_week import meal_model
    from planner.program import highs_model, quiet_stdout

    foods, supplements = load_foods(foods_path), load_supplements()
    config = load_config(None, overrides)
    start = time.perf_counter()
    model = meal_model(foods, supplements, config)
    program, _ = mean_day_program(model, weekly_rules(model, config, foods), config.plan.days)
    build = time.perf_counter() - start
    size = {"columns": program.num_cols, "rows": program.num_rows}
    if mode == "ours":
        solution = program.solve("highs", 3600, 0.0, mip=False)
        print(json.dumps({"build_s": build, "solve_s": solution.seconds,
                          "objective": solution.objective, **size}))
        return
    lp = highs_model(program, mip=False)
    del model, program
    gc.collect()
    with quiet_stdout():
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        start = time.perf_counter()
        highs.passModel(lp)
        highs.run()
        floor = time.perf_counter() - start
    print(json.dumps({"floor_s": floor, "objective": highs.getInfo().objective_function_value,
                      **size}))


def lp_runs(runs: int, foods_path: Path, overrides: list[str], mode: str) -> dict[str, Any]:
    """Median seconds of ``lp_child`` runs, the first run's record, and the peak RSS."""
    records, peaks = [], []
    for _ in range(runs):
        _, peak, out = measured([sys.executable, __file__, "--lp-child", mode, str(foods_path),
                                 *[f"--set={o}" for o in overrides]])
        records.append(json.loads(out))
        peaks.append(peak)
    summary: dict[str, Any] = dict(records[0])
    for key in ("build_s", "solve_s", "floor_s"):
        if key in summary:
            summary[key] = statistics.median(float(r[key]) for r in records)
    summary["peak_mib"] = max(peaks)
    return summary


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"PuLP {version('pulp')}, highspy {version('highspy')}, pandas {version('pandas')}, "
            f"numpy {version('numpy')}")


def reference_seconds() -> float:
    """This VM's speed drifts by up to 40 % within an hour: a fixed pure-Python loop (10
    million additions), timed beside the runs, says how fast the machine was then."""
    start = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - start


def _runs(seconds: list[float]) -> str:
    each = ", ".join(f"{s:.2f}" for s in seconds)
    return f"median **{statistics.median(seconds):.2f} s** ({each})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parts", default="abc", help="which of a, b, c, h to run")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "b12-bench"),
                        help="folder for the imported national tables")
    parser.add_argument("--lp-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lp_child:
        lp_child(args.lp_child[0], args.lp_child[1], args.overrides)
        return
    print(f"machine: {machine()}; reference loop {reference_seconds():.2f} s\n")
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    if "h" in args.parts:
        seconds = [measured([sys.executable, "-m", "planner", "--help"])[0]
                   for _ in range(args.runs)]
        print(f"(h) `planner --help`: {_runs(seconds)}")
    if "a" in args.parts:
        seconds, peak, meta = plan_runs(args.runs, [])
        print(f"(a) default week, `planner plan`: {_runs(seconds)}; status {meta['status']}, "
              f"gap {meta['mip_gap']}, objective {meta['objective']}; (d) peak RSS "
              f"{peak:.0f} MiB; reference loop after: {reference_seconds():.2f} s")
    if "b" in args.parts:
        table = imported("usda-sr28", cache)
        overrides: list[str] = []
        lp = lp_runs(args.runs, table, overrides, "ours")
        base = lp_runs(args.runs, table, overrides, "floor")
        ours, floor = lp["build_s"] + lp["solve_s"], base["floor_s"]
        print(f"(b) SR28 week's mean-day LP (its bound), {lp['columns']} columns x "
              f"{lp['rows']} rows: build {lp['build_s']:.2f} s + solve (matrix, pass, HiGHS) "
              f"{lp['solve_s']:.2f} s = {ours:.2f} s; floor (pass + HiGHS) {floor:.2f} s; "
              f"ratio {ours / floor:.2f}x; objectives {lp['objective']:.6f} / "
              f"{base['objective']:.6f}; (d) peak RSS {lp['peak_mib']:.0f} MiB "
              f"(floor process {base['peak_mib']:.0f} MiB)")
    if "c" in args.parts:
        for source in ("usda-sr28", "ciqual"):
            table = imported(source, cache)
            seconds, peak, meta = plan_runs(args.runs, ["--foods", str(table)])
            print(f"(c) {source} week of composed meals: {_runs(seconds)}; status "
                  f"{meta['status']}, gap {meta['mip_gap']}; (d) peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
