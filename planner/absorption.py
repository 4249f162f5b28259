"""The vitamin B12 absorption model (DESIGN.md section 4; sources in B12_SCIENCE.md).

Per absorption window w:

    X_w = r_food * sum(food-bound ug x matrix factor) + crystalline ug
    A_w = k_IF * Cmax * X_w / (K + X_w) + p * X_w

with p the passive fraction with food, or fasting when the window holds only supplements and
drinks without energy. Occasions closer than tau hours to the start of the current window
join it. The optimizer uses chords of the concave intrinsic-factor term, which never
overestimate it; plans report the exact curve.

>>> params = AbsorptionParams.from_config(Config())
>>> round(absorbed_ug(1.0, params, fasting=True), 3)
0.512
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .schema import Config, Occasion

FOOD_KINDS = ("meat", "poultry", "organ", "dairy", "fish", "shellfish", "egg", "analogue")
ITEM_KINDS = ("crystalline", *FOOD_KINDS)


@dataclass(frozen=True)
class AbsorptionParams:
    """Everything the curve needs: capacity, half-saturation, passive fractions, profile."""

    cmax_ug: float
    k_ug: float
    passive_with_food: float
    passive_fasting: float
    k_if: float
    r_food: float
    matrix: dict[str, float]
    tau_h: float
    breakpoints_ug: tuple[float, ...]

    @classmethod
    def from_config(cls, config: Config, profile: str | None = None) -> AbsorptionParams:
        a = config.absorption
        p = a.profiles[profile or config.b12.profile]
        return cls(cmax_ug=a.cmax_ug, k_ug=a.k_ug, passive_with_food=a.passive_with_food,
                   passive_fasting=a.passive_fasting, k_if=p["k_if"], r_food=p["r_food"],
                   matrix=dict(a.matrix), tau_h=a.tau_h, breakpoints_ug=a.breakpoints_ug)

    def matrix_factor(self, group: str, override: float | None = None) -> float:
        """Matrix factor of a food: its own override, else its group's (0 if unlisted)."""
        if override is not None and override == override:  # not NaN
            return float(override)
        return self.matrix.get(group, 0.0)


def if_absorbed_ug(x_ug: float, params: AbsorptionParams) -> float:
    """Intrinsic-factor (saturable) part: k_IF * Cmax * X / (K + X)."""
    if x_ug <= 0:
        return 0.0
    return params.k_if * params.cmax_ug * x_ug / (params.k_ug + x_ug)


def absorbed_ug(x_ug: float, params: AbsorptionParams, fasting: bool = False) -> float:
    """Absorbed B12 of one window from the B12 free to bind IF (exact curve)."""
    passive = params.passive_fasting if fasting else params.passive_with_food
    return if_absorbed_ug(x_ug, params) + passive * max(x_ug, 0.0)


def window_x_ug(food_bound: Iterable[tuple[str, float]], crystalline_ug: float,
                params: AbsorptionParams) -> float:
    """X of a window from (kind or group, food-bound ug) pairs and crystalline ug.

    The kind ``analogue`` has matrix factor 0: plant "B12" is inactive.
    """
    bound = sum(ug * (0.0 if kind == "analogue" else params.matrix_factor(kind))
                for kind, ug in food_bound)
    return params.r_food * bound + crystalline_ug


def chords(params: AbsorptionParams) -> list[tuple[float, float]]:
    """(alpha, beta) of each chord of Cmax*X/(K+X) between breakpoints, and the flat tail.

    For k_IF = 1: a <= alpha + beta * X for every chord represents the concave curve's
    chord interpolant, which never exceeds the curve.
    """
    def curve(x: float) -> float:
        return params.cmax_ug * x / (params.k_ug + x)

    points = params.breakpoints_ug
    out = []
    for left, right in itertools.pairwise(points):
        beta = (curve(right) - curve(left)) / (right - left)
        out.append((curve(left) - beta * left, beta))
    out.append((curve(points[-1]), 0.0))
    return out


def chord_value(x_ug: float, params: AbsorptionParams) -> float:
    """The optimizer's piecewise-linear IF term at X (min over chords, times k_IF)."""
    return params.k_if * min(alpha + beta * x_ug for alpha, beta in chords(params))


def windows_of(occasions: Sequence[Occasion], tau_h: float) -> list[int]:
    """1-based window number of each occasion: a window opens at an occasion and takes in
    the following occasions that start less than tau hours after it opened."""
    numbers: list[int] = []
    start = None
    for occasion in occasions:
        minutes = occasion.minutes()
        if start is None or minutes - start >= tau_h * 60:
            start = minutes
            numbers.append((numbers[-1] if numbers else 0) + 1)
        else:
            numbers.append(numbers[-1])
    return numbers


def injection_retained_ug(dose_ug: float, points: Sequence[tuple[float, float]]) -> float:
    """Retained ug of an intramuscular dose, interpolated between published points
    (Carmel 2008: 10 -> 9.7, 100 -> 55, 1000 -> 150), proportional outside them."""
    if dose_ug <= 0:
        return 0.0
    doses = [d for d, _ in points]
    if dose_ug <= doses[0]:
        return dose_ug * points[0][1] / doses[0]
    if dose_ug >= doses[-1]:
        return dose_ug * points[-1][1] / doses[-1]
    i = bisect.bisect_right(doses, dose_ug)
    (d0, r0), (d1, r1) = points[i - 1], points[i]
    return r0 + (r1 - r0) * (dose_ug - d0) / (d1 - d0)


def injection_per_day_ug(config: Config) -> float:
    """Retained intramuscular B12 spread evenly over the injection interval."""
    retained = injection_retained_ug(config.b12.injection_ug,
                                     config.absorption.injection_retention)
    return retained / config.b12.injection_every_days


@dataclass(frozen=True)
class WindowResult:
    """One calculator window: its items, X, absorbed amount and IF cap."""

    items: tuple[tuple[str, float], ...]
    x_ug: float
    absorbed_ug: float
    if_cap_ug: float


def parse_window(text: str) -> tuple[tuple[str, float], ...]:
    """``"meat:0.8,crystalline:1"`` to ((kind, ug), ...); raises ValueError with the fix."""
    items = []
    for part in text.split(","):
        kind, sep, amount = part.strip().partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in ITEM_KINDS:
            raise ValueError(f"{part.strip()!r}: items are KIND:UG with KIND one of "
                             f"{', '.join(ITEM_KINDS)}")
        try:
            ug = float(amount)
        except ValueError:
            raise ValueError(f"{part.strip()!r}: {amount!r} is not a number of ug") from None
        if not 0 <= ug <= 1e6:
            raise ValueError(f"{part.strip()!r}: ug must be between 0 and 1000000")
        items.append((kind, ug))
    return tuple(items)


def calculate(windows: Sequence[Sequence[tuple[str, float]]], params: AbsorptionParams,
              fasting: bool = False) -> list[WindowResult]:
    """Absorbed B12 of each window of (kind, ug) items (the `planner absorb` calculator)."""
    results = []
    for items in windows:
        crystalline = sum(ug for kind, ug in items if kind == "crystalline")
        bound = [(kind, ug) for kind, ug in items if kind != "crystalline"]
        x = window_x_ug(bound, crystalline, params)
        results.append(WindowResult(items=tuple(items), x_ug=x,
                                    absorbed_ug=absorbed_ug(x, params, fasting),
                                    if_cap_ug=params.k_if * params.cmax_ug))
    return results
