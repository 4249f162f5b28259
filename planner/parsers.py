"""Value parsers of constraint-file keys: each returns the clean value or raises
ValueError("must be ..."); ``spec`` ties a key's default, meaning and parser together."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from dataclasses import field
from typing import Any

from . import resources
from .errors import did_you_mean
from .vocabulary import (
    CONTROL_CHARACTERS,
    ROLES,
)

Parser = Callable[[Any], Any]


def number(low: float, high: float) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number between {low:g} and {high:g}")
        if not low <= value <= high:  # also rejects NaN
            raise ValueError(f"must be between {low:g} and {high:g}")
        return float(value)
    parse.__doc__ = f"number, {low:g} to {high:g}"
    return parse


def integer(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number between {low} and {high}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value
    parse.__doc__ = f"whole number, {low} to {high}"
    return parse


def boolean(value: Any) -> bool:
    """true or false"""
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def choice(*options: str) -> Parser:
    def parse(value: Any) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return str(value)
    parse.__doc__ = " \\| ".join(f"`{o}`" for o in options)
    return parse


def text(value: Any) -> str:
    """text"""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError("must be a non-empty text of at most 200 characters")
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("must not hold control characters (line breaks, escapes), "
                         "bidirectional overrides or zero-width marks")
    return value.strip()


def clock(value: Any) -> str:
    """time of day, "HH:MM" """
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError('must be a time of day like "08:00"')
    return value


def string_list(allowed: tuple[str, ...] | None = None) -> Parser:
    def parse(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of texts, e.g. [\"a\", \"b\"]")
        if allowed is not None:
            bad = [v for v in value if v not in allowed]
            if bad:
                close = did_you_mean(bad[0], allowed)
                raise ValueError(f"has {', '.join(bad)}{f' ({close})' if close else ''}; "
                                 f"allowed: {', '.join(allowed)}")
        return tuple(dict.fromkeys(value))
    parse.__doc__ = "list of " + (", ".join(allowed) if allowed else "ids")
    return parse


def pair(low: float, high: float) -> Parser:
    def parse(value: Any) -> tuple[float, float]:
        if (not isinstance(value, list) or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)):
            raise ValueError(f"must be [minimum, maximum], numbers between {low:g} and {high:g}")
        lo, hi = float(value[0]), float(value[1])
        if not (low <= lo <= hi <= high):
            raise ValueError(f"must be [minimum, maximum] with {low:g} <= minimum <= maximum "
                             f"<= {high:g}")
        return lo, hi
    parse.__doc__ = f"[min, max], {low:g} to {high:g}"
    return parse


def optional(parser: Parser) -> Parser:
    def parse(value: Any) -> Any:
        return None if value is None else parser(value)
    parse.__doc__ = f"{parser.__doc__}; optional"
    return parse


def or_off(parser: Parser, off: Any) -> Parser:
    """``parser``'s values, or ``off`` (an empty list or text) to switch a rule off."""
    def parse(value: Any) -> Any:
        return off if value in ([], "") else parser(value)
    parse.__doc__ = f"{parser.__doc__}; empty = off"
    return parse


def table_of(keys: tuple[str, ...] | None, parser: Parser) -> Parser:
    """A TOML table of ``parser`` values by the allowed ``keys`` (None: any id)."""
    def parse(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError("must be a table, e.g. " + ("{ dairy = [3, 5] }" if keys
                             else "{ multivitamin-mineral = 2 }"))
        out = {}
        for key, item in value.items():
            if keys is not None and key not in keys:
                raise ValueError(f"has unknown key {key!r}{did_you_mean_key(key, keys)}; "
                                 f"allowed: {', '.join(keys)}")
            try:
                out[str(key)] = parser(item)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return out
    parse.__doc__ = f"table of {parser.__doc__} by " + (
        f"{', '.join(keys[:3])}, ..." if keys else "id")
    return parse


def wweia_categories() -> tuple[str, ...]:
    """The WWEIA food category numbers the planner knows (``data/wweia.csv``)."""
    lines = resources.data_path("wweia.csv").read_text(encoding="utf-8").splitlines()[1:]
    return tuple(line.split(",", 1)[0] for line in lines if line)


def category_limits(value: Any) -> dict[str, int]:
    """table of whole numbers by WWEIA category number"""
    known = wweia_categories()
    parsed: dict[str, int] = table_of(None, integer(0, 28))(value)
    for key in parsed:
        if key not in known:
            raise ValueError(f"has unknown WWEIA category {key!r}{did_you_mean_key(key, known)} "
                             "(a number of planner/data/wweia.csv, e.g. \"6804\" for french "
                             "fries)")
    return parsed


def category_list(value: Any) -> tuple[int, ...]:
    """list of WWEIA category numbers"""
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1000 <= v <= 9999
            for v in value):
        raise ValueError("must be a list of 4-digit WWEIA category numbers, e.g. [7102]")
    return tuple(dict.fromkeys(value))


def id_pair(value: Any) -> tuple[tuple[str, ...], ...]:
    """two lists of ids"""
    if not isinstance(value, list) or len(value) not in (0, 2) or not all(
            isinstance(s, list) and s and all(isinstance(i, str) for i in s) for s in value):
        raise ValueError('must be two lists of ids, e.g. [["calcium-citrate-500"], '
                         '["iron-65"]]')
    return tuple(tuple(dict.fromkeys(s)) for s in value)


def role_sets(value: Any) -> tuple[str, ...]:
    """list of role sets like "cereal+dairy+fruit" """
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError('must be a list of role sets, e.g. ["cereal+dairy+fruit"]')
    out = []
    for item in value:
        parts = [p.strip() for p in item.split("+")]
        bad = [p for p in parts if p not in ROLES]
        if bad:
            raise ValueError(f"{item!r} has {', '.join(bad)}; roles: {', '.join(ROLES)}")
        out.append("+".join(sorted(set(parts))))
    return tuple(dict.fromkeys(out))


def increasing_numbers(value: Any) -> tuple[float, ...]:
    """increasing list of numbers starting at 0"""
    if (not isinstance(value, list) or len(value) < 2
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)):
        raise ValueError("must be a list of at least two numbers")
    numbers = tuple(float(v) for v in value)
    if numbers[0] != 0 or any(b <= a for a, b in itertools.pairwise(numbers)):
        raise ValueError("must start at 0 and increase strictly")
    if numbers[-1] > 1e6:
        raise ValueError("must stay below 1,000,000 ug")
    return numbers


def dose_points(value: Any) -> tuple[tuple[float, float], ...]:
    """list of [dose_ug, retained_ug] with increasing doses"""
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of [dose_ug, retained_ug] pairs")
    points = []
    for item in value:
        if (not isinstance(item, list) or len(item) != 2
                or any(isinstance(v, bool) or not isinstance(v, int | float) for v in item)):
            raise ValueError("must be a list of [dose_ug, retained_ug] pairs")
        dose, kept = float(item[0]), float(item[1])
        if not (0 < dose <= 1e6 and kept >= 0):
            raise ValueError("doses must be positive and retained amounts not negative")
        if kept > dose:
            raise ValueError("retained ug cannot exceed the dose")
        points.append((dose, kept))
    if any(b[0] <= a[0] for a, b in itertools.pairwise(points)):
        raise ValueError("doses must increase")
    return tuple(points)


def did_you_mean_key(key: str, known: tuple[str, ...] | list[str]) -> str:
    words = did_you_mean(key, known)
    return f" ({words})" if words else ""


def spec(default: Any, doc: str, parse: Parser) -> Any:
    """A schema field: default, one-line meaning, and the parser that checks a value."""
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: copy.deepcopy(default),
                     metadata={"doc": doc, "parse": parse})
    return field(default=default, metadata={"doc": doc, "parse": parse})
