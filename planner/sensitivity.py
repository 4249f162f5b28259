"""What loosening a rule would save: from an LP's row prices and the limits its rows hold.

Local estimates (an LP's duals hold only near its optimum), in the objective's units."""

from __future__ import annotations

import numpy as np

from .program import Array, Program

UNLOOSENED = ("b12_target", "b12_floor", "choice", "template_one")  # apart, or what a plan is


def limit_sides(program: Program, values: Array, duals: Array) -> Array:
    """Per row, the size of the limit it holds at ``values``: the active bound plus what the
    row's negative terms carry (``x <= high * y`` holds ``high * y``). Loosening a row by a
    share of it changes the objective by about ``|dual| * share * limit``."""
    start, index, value = program.matrix()
    _, _, lower, upper = program.bounds()
    column = np.repeat(np.arange(program.num_cols), np.diff(start))
    negative = np.zeros(program.num_rows)
    below = value < 0
    np.add.at(negative, index[below], value[below] * values[column[below]])
    bound = np.where(duals > 0, lower, upper)
    bound = np.where(np.isfinite(bound), bound, 0.0)
    return np.abs(bound - negative)


def binding_rules(families: list[str], duals: Array, saved: list[float],
                  counted: tuple[str, ...] = ()) -> list[tuple[str, int, float, str]]:
    """Per family of binding rows: how many bind, what loosening them saves and how they
    are loosened ("10 % lower", "one more a week"), largest saving first (the B12 target
    and one-meal-per-occasion apart)."""
    summed: dict[str, list[tuple[float, float]]] = {}
    for family, dual, value in zip(families, duals.tolist(), saved, strict=True):
        if abs(dual) >= 1e-7 and family not in UNLOOSENED:
            summed.setdefault(family, []).append((dual, value))
    out = []
    for family, rows in summed.items():
        total = sum(value for _, value in rows)
        floor = sum(dual for dual, _ in rows) > 0
        if family.startswith(counted):
            step = "one fewer a week" if floor else "one more a week"
        else:
            step = "10 % lower" if floor else "10 % higher"
        if total >= 0.005:
            out.append((family, len(rows), total, step))
    return sorted(out, key=lambda item: (-item[2], item[0]))
