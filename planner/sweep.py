"""Tuning sweeps: the optimizer over a grid of one or two configuration keys."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import verify
from .config import load_config
from .errors import ConfigError, PlannerError
from .meal_explain import explain_meals, week_words
from .meal_swap import week_objective
from .meal_week import NoWeekError, ProvenNoWeek, make_plan
from .plan import Plan
from .schema import Config
from .vocabulary import rule_words

MAX_POINTS = 200
MAX_BORROW_PASSES = 3
RECORD_KEYS = ("status", "objective", "cost", "absorbed_b12_ug_per_day_mean",
               "min_daily_margin_ug", "binding", "plan_of")


def parse_vary(text: str) -> tuple[str, list[float]]:
    """``b12.target_absorbed_ug=1.0:3.0:0.5`` to (key, [1.0, 1.5, ..., 3.0])."""
    key, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not key.strip() or len(parts) != 3:
        raise ConfigError(f"--vary {text!r}: expected KEY=START:STOP:STEP, e.g. "
                          "b12.target_absorbed_ug=1.0:3.0:0.5")
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(f"--vary {text!r}: START, STOP and STEP must be numbers") from None
    if not all(math.isfinite(v) and abs(v) <= 1e9 for v in (start, stop, step)):
        raise ConfigError(f"--vary {text!r}: START, STOP and STEP must be finite numbers "
                          "(not nan or inf)")
    if step <= 0 or stop < start:
        raise ConfigError(f"--vary {text!r}: STEP must be positive and STOP >= START")
    count = round((stop - start) / step) + 1
    if count > MAX_POINTS:
        raise ConfigError(f"--vary {text!r}: {count} points; at most {MAX_POINTS}",
                          "use a larger STEP")
    return key.strip(), [round(start + i * step, 10) for i in range(count)]


def grid(varies: list[tuple[str, list[float]]]) -> Iterator[dict[str, float]]:
    """Every combination of the varied keys' values, first key slowest."""
    keys = [k for k, _ in varies]
    for values in itertools.product(*(v for _, v in varies)):
        yield dict(zip(keys, values, strict=True))


def _override(key: str, value: float) -> str:
    return f"{key}={int(value) if float(value).is_integer() else value}"


@dataclass
class Point:
    """One grid point: its rules, its plan (None when it has none) and its record."""

    config: Config
    plan: Plan | None
    record: dict[str, Any]


def run_point(foods: pd.DataFrame, supplements: pd.DataFrame, constraints: Path | None,
              overrides: list[str], point: dict[str, float]) -> Point:
    """Plan one grid point."""
    config = load_config(constraints, [*overrides, *(_override(k, v) for k, v in point.items())])
    record: dict[str, Any] = {**point, "status": "", "objective": None, "cost": None,
                              "absorbed_b12_ug_per_day_mean": None, "min_daily_margin_ug": None,
                              "binding": "", "plan_of": ""}
    try:
        plan = make_plan(foods, supplements, config)
    except ProvenNoWeek as exc:
        lines = [line.strip() for line in str(exc).splitlines()[1:] if line.strip()]
        record.update(status="infeasible", binding=lines[0].split(":")[0] if lines else "")
        return Point(config, None, record)
    except NoWeekError as exc:   # the search found none; one may exist
        record.update(status="not found", binding=str(exc).splitlines()[0])
        return Point(config, None, record)
    except PlannerError as exc:
        record.update(status="error", binding=str(exc).splitlines()[0])
        return Point(config, None, record)
    describe(plan, record, str(plan.meta["status"]))
    reasons = explain_meals(foods, supplements, config).binding
    record["binding"] = _words(reasons[0][0]) if reasons else ""
    return Point(config, plan, record)


def objective(plan: Plan) -> float:
    """The plan's objective under its own rules, recomputed from its items."""
    return week_objective(plan)


def _words(family: str) -> str:
    return week_words(family) if family.startswith("week:") else rule_words(family)


def describe(plan: Plan, record: dict[str, Any], status: str) -> None:
    """The plan's status, objective, cost and absorbed B12 into the point's record."""
    days = plan.days()
    record.update(status=status, objective=round(objective(plan), 4),
                  cost=round(plan.totals()["cost"], 4),
                  absorbed_b12_ug_per_day_mean=round(float(days["absorbed_b12_ug"].mean()), 4),
                  min_daily_margin_ug=round(float(
                      (days["absorbed_b12_ug"] - days["target_b12_ug"]).min()), 4))


def borrow_better_plans(points: list[Point]) -> None:
    """Where another point's plan meets every rule of a point and scores better there, it
    becomes that point's plan (``plan_of`` names the point it came from; status
    ``feasible``). Then a sweep is consistent: a point whose rules are tighter never scores
    better than a looser one, as its plan is one the looser point could have had."""
    for _ in range(MAX_BORROW_PASSES):
        changed = False
        for mine in points:
            if mine.plan is None:
                continue
            for other in points:
                if other is mine or other.plan is None or \
                        other.config.plan.days != mine.config.plan.days or \
                        other.record["objective"] >= mine.record["objective"] - 1e-6:
                    continue
                trial = Plan(config=mine.config, foods=mine.plan.foods,
                             supplements=mine.plan.supplements,
                             food_items=other.plan.food_items,
                             supplement_items=other.plan.supplement_items,
                             meta=mine.plan.meta)
                try:
                    score = objective(trial)
                except PlannerError:   # its meals are not options under this point's rules
                    continue
                if score < mine.record["objective"] - 1e-6 and not verify(trial):
                    mine.plan = trial
                    describe(trial, mine.record, "feasible")
                    mine.record["plan_of"] = other.record["plan_of"] or ", ".join(
                        f"{k}={v:g}" for k, v in other.record.items() if k not in RECORD_KEYS)
                    changed = True
        if not changed:
            return


def sweep(foods: pd.DataFrame, supplements: pd.DataFrame, constraints: Path | None,
          overrides: list[str], varies: list[tuple[str, list[float]]],
          step: Callable[[], None] | None = None, workers: int = 1) -> list[dict[str, Any]]:
    """Records of every grid point, in grid order, made consistent by borrowing. With
    ``workers`` > 1 the points are planned on a pool of processes (each point's plan is the
    same as alone: the search is limited by work, not time)."""
    args = [(foods, supplements, constraints, overrides, point) for point in grid(varies)]
    points: list[Point] = []
    if workers <= 1 or len(args) <= 1:
        for arg in args:
            points.append(run_point(*arg))
            if step:
                step()
    else:
        points = _pooled(args, min(workers, len(args)), step)
    borrow_better_plans(points)
    return [p.record for p in points]


def _pooled(args: list[tuple[Any, ...]], workers: int,
            step: Callable[[], None] | None) -> list[Point]:
    """The points planned on ``workers`` processes, in grid order; workers end with the
    sweep (``batch.watch_parent``)."""
    from .batch import watch_parent

    with ProcessPoolExecutor(max_workers=workers, initializer=watch_parent,
                             initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(run_point, *arg) for arg in args]
        for _ in as_completed(futures):
            if step:
                step()
        return [future.result() for future in futures]
