#!/usr/bin/env python3
"""Plans per second for many people: `planner batch` with 1 and 2 local workers, on a
2-worker Dask LocalCluster, against one `planner plan` process per person.

People: deterministic mix of sex, age, weight; by default the vegan preset and one-day plans;
with ``--days 7 --mixed`` weekly plans of a mix of presets (omnivore, pescatarian,
lacto-ovo-vegetarian, vegan, elderly, pregnancy). The search is limited by work, not time,
so every engine must give the same plans.
Usage: python benchmarks/bench_batch.py --people 200 [--days 7 --mixed]
       [--parts local1,local2,dask,process]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANNER = [sys.executable, "-m", "planner"]


MIXED = ("omnivore", "pescatarian", "lacto-ovo-vegetarian", "vegan", "elderly", "pregnancy")


def people_csv(path: Path, count: int, days: int = 1, mixed: bool = False) -> None:
    rng = random.Random(12)
    lines = ["id,constraints,person.sex,person.age,person.weight_kg,plan.days"]
    for number in range(count):
        preset = MIXED[number % len(MIXED)] if mixed else "vegan"
        sex = "female" if preset == "pregnancy" else rng.choice(["female", "male"])
        age = rng.randint(20, 40) if preset == "pregnancy" else \
            rng.randint(70, 85) if preset == "elderly" else rng.randint(19, 85)
        lines.append(f"p{number:04d},{preset},{sex},{age},{rng.randint(50, 110)},{days}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def plans_of(folder: Path) -> dict[str, str]:
    """Each person's plan JSON: the plan, its status and objective (no timings or hashes)."""
    out = {}
    for path in sorted(folder.glob("p*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["meta"] = {k: data["meta"].get(k) for k in ("status", "mip_gap", "objective")}
        out[path.stem] = json.dumps(data, sort_keys=True)
    return out


def run_batch(people: Path, outdir: Path, extra: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*PLANNER, "batch", str(people), "-o", str(outdir), "--quiet", *extra],
                   check=False, capture_output=True)
    return time.perf_counter() - started


def dask_run(people: Path, outdir: Path) -> tuple[float, float]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        started = time.perf_counter()
        run_batch(people, outdir, ["--engine", "dask", "--scheduler", cluster.scheduler_address])
        seconds = time.perf_counter() - started
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return seconds, max(peaks.values()) / 1024


def one_process_each(people: Path, outdir: Path) -> float:
    rows = people.read_text(encoding="utf-8").splitlines()[1:]
    started = time.perf_counter()
    for row in rows:
        person, preset, sex, age, weight, days = row.split(",")
        subprocess.run([*PLANNER, "plan", preset, "--set", f'person.sex="{sex}"',
                        "--set", f"person.age={age}", "--set", f"person.weight_kg={weight}",
                        "--days", days, "--format", "json", "-o",
                        str(outdir / f"{person}.json"), "--quiet"],
                       check=False, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--parts", default="local1,local2,dask,process")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--mixed", action="store_true", help="a mix of presets, not vegan")
    args = parser.parse_args()
    parts = args.parts.split(",")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    people = work / "people.csv"
    people_csv(people, args.people, args.days, args.mixed)
    print(f"machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}; {args.people} people")
    results: dict[str, dict[str, str]] = {}
    for part in parts:
        outdir = work / part
        outdir.mkdir()
        peak = ""
        if part.startswith("local"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            seconds = run_batch(people, outdir, ["--workers", part[-1]])
            after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            peak = f"{max(before, after) / 1024:.0f} MiB (largest process)"
        elif part == "dask":
            seconds, mib = dask_run(people, outdir)
            peak = f"{mib:.0f} MiB (largest worker)"
        else:
            seconds = one_process_each(people, outdir)
        results[part] = plans_of(outdir)
        print(f"| {part} | {seconds:.1f} s | {args.people / seconds:.2f} plans/s | "
              f"{len(results[part])} plans | {peak} |", flush=True)
    names = list(results)
    for name in names[1:]:
        same = results[name] == results[names[0]]
        print(f"{name} plans identical to {names[0]} (timings aside): {same}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
