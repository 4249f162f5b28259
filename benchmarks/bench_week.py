#!/usr/bin/env python3
"""The weekly optimum (issue 17): the rotation of day menus against column generation over
day menus, per preset and time limit (run by hand; results in benchmarks/RESULTS.md).

Each run is `planner plan PRESET --format json` in its own process; the table shows, per
run, the week's objective (the rotation's, from the same run, and the final one), the proven
bound and its method, the stated gap and the wall time.
Usage: python benchmarks/bench_week.py [--presets omnivore vegan post-rygb]
       [--limits 30 60] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(preset: str, search: str, limit: float) -> tuple[float, dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "week.json"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "planner", "plan", preset, "--quiet", "--set",
                        f'plan.week_search="{search}"', "--time-limit", str(limit),
                        "--format", "json", "-o", str(out)], cwd=ROOT, check=True)
        wall = time.perf_counter() - start
        return wall, json.loads(out.read_text())["meta"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["omnivore", "vegan", "post-rygb"])
    parser.add_argument("--limits", nargs="+", type=float, default=[30.0, 60.0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"HiGHS (highspy) {version('highspy')}, pandas {version('pandas')}")
    print("| preset | week search | time limit | rotation objective | objective | change "
          "| bound | bound method | gap | wall (median) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for preset in args.presets:
        for search, limits in (("rotation", args.limits[:1]), ("columns", args.limits)):
            for limit in limits:
                runs = [one_run(preset, search, limit) for _ in range(args.runs)]
                wall = statistics.median(w for w, _ in runs)
                meta = runs[-1][1]
                rotation = meta.get("rotation_objective", meta["objective"])
                value = float(meta["objective"])  # type: ignore[arg-type]
                change = (value - float(rotation)) / float(rotation)  # type: ignore[arg-type]
                print(f"| {preset} | {search} | {limit:g} s | {float(rotation):.2f} "  # type: ignore[arg-type]
                      f"| {value:.2f} | {change:+.1%} | {float(meta['bound']):.2f} "  # type: ignore[arg-type]
                      f"| {meta['bound_method']} | {float(meta['mip_gap']):.1%} "  # type: ignore[arg-type]
                      f"| {wall:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
