"""Tuning sweeps: the optimizer over a grid of one or two configuration keys."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .config import load_config
from .errors import ConfigError, PlannerError
from .solve import InfeasibleError, explain, make_plan

MAX_POINTS = 200


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


def run_point(foods: pd.DataFrame, supplements: pd.DataFrame, constraints: Path | None,
              overrides: list[str], point: dict[str, float]) -> dict[str, Any]:
    """Plan one grid point; the outcome as a flat record."""
    config = load_config(constraints, [*overrides, *(_override(k, v) for k, v in point.items())])
    record: dict[str, Any] = {**point, "status": "", "cost": None,
                              "absorbed_b12_ug_per_day_mean": None, "min_daily_margin_ug": None,
                              "binding": ""}
    try:
        plan = make_plan(foods, supplements, config)
    except InfeasibleError as exc:
        lines = [line.strip() for line in str(exc).splitlines()[1:] if line.strip()]
        record.update(status="infeasible", binding=lines[0].split(":")[0] if lines else "")
        return record
    except PlannerError as exc:
        record.update(status="error", binding=str(exc).splitlines()[0])
        return record
    days = plan.days()
    record.update(status=plan.meta["status"], cost=round(plan.totals()["cost"], 4),
                  absorbed_b12_ug_per_day_mean=round(float(days["absorbed_b12_ug"].mean()), 4),
                  min_daily_margin_ug=round(float(
                      (days["absorbed_b12_ug"] - days["target_b12_ug"]).min()), 4))
    reasons = explain(foods, supplements, config).binding
    record["binding"] = reasons[0][0] if reasons else ""
    return record


def sweep(foods: pd.DataFrame, supplements: pd.DataFrame, constraints: Path | None,
          overrides: list[str], varies: list[tuple[str, list[float]]],
          step: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Records of every grid point, in grid order."""
    records = []
    for point in grid(varies):
        records.append(run_point(foods, supplements, constraints, overrides, point))
        if step:
            step()
    return records
