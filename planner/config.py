"""Constraint files: TOML with ``extends``, ``--set`` overrides and a checked schema.

The schema below is the single source of truth for keys, defaults, allowed values and the
reference table in the README (``reference_markdown``). Every error names the file, the key
and what is allowed.

>>> config = load_config(resources.constraints_dir() / "vegan.toml")
>>> config.diet.pattern
'vegan'
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from . import resources
from .errors import ConfigError, did_you_mean
from .inputs import InputRefused, read_bounded
from .vocabulary import (
    CONTROL_CHARACTERS,
    FLAGS,
    GROUPS,
    OCCASION_TOKENS,
    PATTERNS,
    ROLES,
    SUPPLEMENT_FORMS,
)

Parser = Callable[[Any], Any]
MAX_EXTENDS_DEPTH = 10
MAX_FILE_BYTES = 1024 * 1024
MAX_OCCASIONS = 16


# --- value parsers: each returns the clean value or raises ValueError("must be ...") ------

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
                raise ValueError(f"has unknown key {key!r}{_did_you_mean(key, keys)}; "
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
            raise ValueError(f"has unknown WWEIA category {key!r}{_did_you_mean(key, known)} "
                             "(a number of planner/data/wweia.csv, e.g. \"6804\" for french "
                             "fries)")
    return parsed


def group_sets(value: Any) -> tuple[tuple[str, ...], ...]:
    """list of lists of food groups"""
    if not isinstance(value, list) or not all(
            isinstance(s, list) and s and all(isinstance(g, str) for g in s) for s in value):
        raise ValueError('must be a list of lists of groups, e.g. [["vegetable"], ["meat", '
                         '"fish", "legume"]]')
    bad = sorted({g for s in value for g in s if g not in GROUPS})
    if bad:
        raise ValueError(f"has {', '.join(bad)}; groups: {', '.join(GROUPS)}")
    return tuple(tuple(dict.fromkeys(s)) for s in value)


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


def _did_you_mean(key: str, known: tuple[str, ...] | list[str]) -> str:
    words = did_you_mean(key, known)
    return f" ({words})" if words else ""


def spec(default: Any, doc: str, parse: Parser) -> Any:
    """A schema field: default, one-line meaning, and the parser that checks a value."""
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: copy.deepcopy(default),
                     metadata={"doc": doc, "parse": parse})
    return field(default=default, metadata={"doc": doc, "parse": parse})


# --- the schema -----------------------------------------------------------------------------

PROFILES = ("healthy", "elderly", "atrophic-gastritis", "rygb", "rygb-conservative",
            "pernicious-anaemia")


@dataclass(frozen=True)
class PlanSection:
    days: int = spec(7, "days in the plan", integer(1, 28))
    cost_weight: float = spec(1.0, "objective units per currency unit of cost (against "
                              "[meals] typical_weight per tenfold rarer meal)", number(0, 1000))
    stop_after_s: float = spec(0.0, "seconds after which the week search "
                               "stops with the best week found (0: no clock, only its work "
                               "limits, so the same inputs give the same week on any machine; "
                               "--time-limit sets it)", number(0, 3600))
    mip_gap: float = spec(0.05, "a week within this relative gap of the search's bound is "
                          "called optimal (status)", number(0.0, 0.5))
    drink_gap_min: int = spec(0, "minutes every drink occasion keeps from every meal",
                              integer(0, 240))


@dataclass(frozen=True)
class Occasion:
    name: str = spec("", "occasion name (unique), e.g. breakfast", text)
    time: str = spec("", "clock time; occasions are listed in time order", clock)
    kind: str = spec("meal", "meal, snack or drink (drink: liquids only)",
                     choice("meal", "snack", "drink"))
    menu: tuple[str, ...] = spec((), "food `occasions` tokens served here; default: the name "
                                 "if it is a token, else lunch+dinner for meals, snack, drink",
                                 string_list(OCCASION_TOKENS))
    energy_share: tuple[float, float] | None = spec(None, "share of the day's energy",
                                                    optional(pair(0, 1)))
    max_solids_g: float | None = spec(None, "grams of non-liquid food at most",
                                      optional(number(0, 5000)))
    max_liquids_ml: float | None = spec(None, "millilitres of drinks at most (0: none)",
                                        optional(number(0, 5000)))
    max_sugars_g: float | None = spec(None, "grams of sugars at most",
                                      optional(number(0, 500)))
    templates: tuple[str, ...] = spec(
        (), "meals composed from single foods (a table without the meal library): the role "
        "sets allowed here, e.g. [\"cereal+dairy+fruit\", \"bread+protein-food\"]; empty: "
        "the NHANES templates of its kind", role_sets)
    min_protein_g: float | None = spec(None, "grams of protein at least",
                                       optional(number(0, 200)))

    def tokens(self) -> tuple[str, ...]:
        """The food `occasions` tokens this occasion serves."""
        if self.menu:
            return self.menu
        if self.name in OCCASION_TOKENS:
            return (self.name,)
        return {"meal": ("lunch", "dinner"), "snack": ("snack",), "drink": ("drink",)}[self.kind]

    def minutes(self) -> int:
        hours, minutes = self.time.split(":")
        return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class DietSection:
    pattern: str = spec("omnivore", "diet pattern; derived from the food flags",
                        choice(*PATTERNS))
    fortified: bool = spec(True, "may foods with added B12 be used", boolean)
    exclude: tuple[str, ...] = spec((), "food ids never used", string_list())
    exclude_flags: tuple[str, ...] = spec((), "flags never used (allergies), e.g. "
                                          "[\"shellfish\"]", string_list(FLAGS))
    include: tuple[str, ...] = spec((), "food ids used at least once in the plan",
                                    string_list())
    exclude_categories: tuple[int, ...] = spec(
        (), "WWEIA food categories never used (foods.csv wweia_category), e.g. [7102, 7104] "
        "for soft drinks", category_list)


NOT_OVERRIDES = ("fluids_ml_min", "sugars_g_max", "protein_g_per_kg_min")
ADEQUACY_NUTRIENTS = ("protein_g", "fiber_g", "calcium_mg", "iron_mg", "zinc_mg",
                      "magnesium_mg", "potassium_mg", "sodium_mg", "vit_a_rae_ug",
                      "retinol_ug", "vit_c_mg", "vit_d_ug", "folate_dfe_ug", "folic_acid_ug",
                      "thiamin_mg", "choline_mg", "epa_dha_g", "sfa_g", "added_sugars_g",
                      "alcohol_g", "caffeine_mg")


def _amount(what: str, high: float) -> Any:
    return spec(None, what + " (default: the [person]'s reference value, if any)",
                optional(number(0, high)))


@dataclass(frozen=True)
class PersonSection:
    sex: str = spec("female", "female or male (reference values differ)",
                    choice("female", "male"))
    age: int = spec(35, "years; the reference values cover adults 19 and over",
                    integer(19, 110))
    weight_kg: float = spec(65.0, "body weight (protein needs are per kg)", number(30, 300))
    life_stage: str = spec("none", "none, pregnancy or lactation",
                           choice("none", "pregnancy", "lactation"))


@dataclass(frozen=True)
class NutrientsSection:
    energy_kcal: tuple[float, float] = spec((1800.0, 2400.0), "energy per day",
                                            pair(0, 10000))
    fluids_ml_min: float = spec(0.0, "millilitres of drinks per day at least",
                                number(0, 10000))
    sugars_g_max: float = spec(0.0, "total sugars per day at most (0: no limit)",
                               number(0, 1000))
    adequacy: bool = spec(True, "apply the [person]'s daily needs and upper limits "
                          "(planner/data/dri.csv); keys below override single values",
                          boolean)
    skip: tuple[str, ...] = spec((), "nutrients whose needs and limits are not applied, "
                                 "e.g. [\"sodium_mg\"]", string_list(ADEQUACY_NUTRIENTS))
    protein_g_per_kg_min: float | None = _amount("protein per kg of body weight per day at "
                                                 "least", 5)
    protein_g_min: float | None = _amount("protein per day at least, g", 500)
    fiber_g_min: float | None = _amount("fibre per day at least, g", 200)
    calcium_mg_min: float | None = _amount("calcium per day at least, mg", 5000)
    calcium_mg_max: float | None = _amount("calcium per day at most, mg", 10000)
    iron_mg_min: float | None = _amount("iron per day at least, mg", 500)
    iron_mg_max: float | None = _amount("iron per day at most, mg", 1000)
    zinc_mg_min: float | None = _amount("zinc per day at least, mg", 500)
    zinc_mg_max: float | None = _amount("zinc per day at most, mg", 1000)
    magnesium_mg_min: float | None = _amount("magnesium per day at least, mg", 5000)
    magnesium_mg_from_supplements_max: float | None = _amount(
        "magnesium from supplements per day at most, mg", 5000)
    potassium_mg_min: float | None = _amount("potassium per day at least, mg", 20000)
    sodium_mg_max: float | None = _amount("sodium per day at most, mg", 20000)
    vit_a_rae_ug_min: float | None = _amount("vitamin A per day at least, ug RAE", 50000)
    retinol_ug_max: float | None = _amount("preformed vitamin A per day at most, ug", 50000)
    vit_c_mg_min: float | None = _amount("vitamin C per day at least, mg", 10000)
    vit_c_mg_max: float | None = _amount("vitamin C per day at most, mg", 10000)
    vit_d_ug_min: float | None = _amount("vitamin D per day at least, ug", 1000)
    vit_d_ug_max: float | None = _amount("vitamin D per day at most, ug", 1000)
    folate_dfe_ug_min: float | None = _amount("folate per day at least, ug DFE", 10000)
    folic_acid_ug_max: float | None = _amount("folic acid per day at most, ug", 10000)
    thiamin_mg_min: float | None = _amount("thiamin per day at least, mg", 1000)
    choline_mg_min: float | None = _amount("choline per day at least, mg", 10000)
    choline_mg_max: float | None = _amount("choline per day at most, mg", 10000)
    epa_dha_g_min: float | None = _amount("EPA+DHA per day at least, g", 10)
    sfa_g_energy_share_max: float | None = _amount("saturated fat at most this share of "
                                                   "energy, e.g. 0.1", 1)
    added_sugars_g_energy_share_max: float | None = _amount(
        "added sugars at most this share of energy, e.g. 0.1", 1)
    alcohol_g_max: float | None = _amount("alcohol per day at most, g", 500)
    caffeine_mg_max: float | None = _amount("caffeine per day at most, mg", 5000)

    def overrides(self) -> dict[str, float]:
        """The per-nutrient keys set in the file (not protein per kg: that needs a weight)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name.endswith(("_min", "_max")) and f.name not in NOT_OVERRIDES
                and getattr(self, f.name) is not None}


@dataclass(frozen=True)
class SupplementsSection:
    allowed: bool = spec(True, "may the plan add supplements beyond B12 where food cannot "
                         "meet a need within the rules", boolean)
    products: tuple[str, ...] = spec((), "ids from supplements.csv the plan may add; "
                                     "empty = all", string_list())
    daily: dict[str, int] = spec({}, "units taken every day whatever the foods, e.g. "
                                   "{ multivitamin-mineral = 2 } (clinical packs)",
                                   table_of(None, integer(1, 6)))
    apart: tuple[tuple[str, ...], ...] = spec(
        (), "two lists of product ids never taken in the same absorption window, e.g. "
        '[["calcium-citrate-500"], ["iron-65", "multivitamin-mineral"]]', id_pair)
    forms: tuple[str, ...] = spec((), "forms the plan may give (supplements.csv column form); "
                                  "empty = all", string_list(SUPPLEMENT_FORMS))


@dataclass(frozen=True)
class VarietySection:
    group_uses_per_week: dict[str, tuple[float, float]] = spec(
        {}, "foods of a group eaten per week (each use at an occasion counts once), e.g. "
        "{ fish = [2, 14], organ = [0, 1] }", table_of(GROUPS, pair(0, 100)))


@dataclass(frozen=True)
class MealsSection:
    source: str = spec("library", "library: every meal is one people ate, from the NHANES "
                       "2007-12 meal library (a table holding less than half of the library's "
                       "foods adds meals composed by role sets, and the plan says so); "
                       "composed: only meals composed by NHANES role sets from the table's "
                       "foods", choice("library", "composed"))
    min_seen: int = spec(3, "library meals seen at least this many times in NHANES",
                         integer(2, 10000))
    typical_weight: float = spec(1.0, "objective units (currency) per tenfold a meal is "
                                 "rarer than the most common meal of its occasion",
                                 number(0, 1000))
    needs_period: str = spec("week", "week: each need met as the plan's mean (usual intake), "
                             "every day at least daily_floor_share of it; day: every day in "
                             "full. Upper limits and the absorbed B12 target hold every day",
                             choice("week", "day"))
    daily_floor_share: float = spec(0.667, "share of each need every day gives at least "
                                    "(needs_period = \"week\")", number(0, 1))
    repeats_max: int = spec(2, "times one library meal, or one main dish, is eaten per week at "
                            "most", integer(1, 28))
    distinct_breakfasts: int = spec(4, "different breakfasts per 7 days at least",
                                    integer(0, 28))
    distinct_lunches: int = spec(5, "different lunches per 7 days at least", integer(0, 28))
    distinct_dinners: int = spec(5, "different dinners per 7 days at least", integer(0, 28))
    distinct_days: bool = spec(True, "no two days of the plan eat the same meals", boolean)
    dish_once_a_day: bool = spec(True, "the meals of a day (breakfast, lunch, dinner) have "
                                 "main dishes of different kinds (a meal's largest solid food "
                                 "as people ate it; its kind: its WWEIA category), and no food "
                                 "of a dish kind (meat, poultry, fish, eggs, beans, soy foods, "
                                 "mixed dishes, fried potatoes) is in two of them", boolean)
    meat_poultry_meals_min: int = spec(0, "meals per 7 days with at least 1 oz-eq of meat or "
                                       "poultry (FPED 2017-18)", integer(0, 28))
    seafood_meals_min: int = spec(0, "meals per 7 days with at least 1 oz-eq of seafood (FPED "
                                  "2017-18)", integer(0, 28))
    vegetables_cup_min: float = spec(0.0, "vegetables a day at least, in cup-equivalents, as the "
                                     "plan's mean (FPED 2017-18; the Healthy U.S.-Style "
                                     "pattern asks 2.5 at 1,800 kcal)", number(0.0, 10.0))
    fruit_cup_min: float = spec(0.0, "fruit a day at least, in cup-equivalents, as the plan's "
                                "mean (FPED 2017-18; the pattern asks 1.5 at 1,800 kcal)",
                                number(0.0, 10.0))
    category_meals_max: dict[str, int] = spec(
        {}, "meals per 7 days at most that hold a food of a WWEIA category, e.g. { \"6804\" = "
        "3 } for french fries and other fried potatoes (category numbers: planner/data/"
        "wweia.csv)", category_limits)
    leftovers: int = spec(0, "lunches per plan at least that are the previous day's dinner, "
                          "cooked once and eaten twice (labelled leftovers)", integer(0, 27))
    own: str | None = spec(None, "CSV of your own meals (meal, occasion, food, grams), "
                           "relative to the constraint file; they join the library",
                           optional(text))
    own_preference: float = spec(2.0, "objective units (currency) an own meal counts cheaper "
                                 "than a library meal: how strongly the plan eats like you do",
                                 number(0, 1000))
    search_rounds: int = spec(12, "rounds of the week search (work, not seconds: the same "
                              "inputs give the same week on any machine); more rounds find "
                              "better weeks and tighter bounds, each about 1-3 s",
                              integer(0, 200))


@dataclass(frozen=True)
class B12Section:
    target_absorbed_ug: float = spec(1.5, "absorbed B12 per day (not intake)", number(0, 50))
    target_period: str = spec("day", "day: every day meets the target; week: the mean does "
                              "and each day meets daily_floor_ug", choice("day", "week"))
    daily_floor_ug: float = spec(0.75, "absorbed B12 every day at least (week period)",
                                 number(0, 50))
    profile: str = spec("healthy", "absorption profile (see [absorption.profiles])",
                        choice(*PROFILES))
    supplements: str = spec("allowed", "B12 supplements: none, allowed, or required daily",
                            choice("none", "allowed", "required"))
    supplement_products: tuple[str, ...] = spec((), "ids from supplements.csv; empty = all",
                                                string_list())
    injection_ug: float = spec(0.0, "intramuscular B12 dose (external input)",
                               number(0, 10000))
    injection_every_days: int = spec(30, "days between injections", integer(1, 365))
    oral_supplement_ug: tuple[float, float] | None = spec(
        None, "B12 from supplements per day [min, max], ug (post-RYGB, ASMBS 2019: [350, "
        "1000]); not applied when injection_ug > 0 (the intramuscular alternative)",
        optional(pair(0, 100_000)))


@dataclass(frozen=True)
class SafetySection:
    pregnancy_food_safety: bool | None = spec(
        None, "FDA/USDA food safety in pregnancy: no raw or undercooked fish, shellfish, egg "
        "or meat, no soft-ripened or fresh cheese, no cold deli meat or cold-smoked seafood, "
        "no liver (default: on when [person] life_stage = \"pregnancy\")", optional(boolean))
    low_mercury_fish: bool | None = spec(
        None, "seafood only of species on the FDA/EPA 2021 best and good choices lists; an "
        "unknown species counts as not low-mercury (default: on in pregnancy and lactation)",
        optional(boolean))
    seafood_g_per_week: tuple[float, float] | None = spec(
        None, "cooked seafood per 7 days [min, max], grams (FPED ounce equivalents; default "
        "in pregnancy and lactation: [227, 340], the minimum when the diet allows fish)",
        optional(or_off(pair(0, 5000), ())))
    caffeine_after: str | None = spec(
        None, "no caffeine (more than 10 mg) at occasions at or after this time, e.g. "
        "\"16:00\" (sleep)", optional(or_off(clock, "")))
    sugary_drinks: bool = spec(True, "may drinks with added sugars be planned", boolean)
    carbonated_drinks: bool = spec(True, "may carbonated drinks be planned", boolean)
    added_sugars_g_per_occasion_max: float | None = spec(
        None, "added sugars at one occasion at most, g (post-RYGB dumping: 10)",
        optional(number(0, 500)))
    water_ml_min: float | None = spec(
        None, "total water a day from food, drinks and plain water at least, ml (default: "
        "the IOM 2004 Adequate Intake: 2700 women, 3700 men, 3000 pregnancy, 3800 lactation; "
        "0 = off); plain water fills the rest as glasses", optional(number(0, 10_000)))
    drinks_share_max: float = spec(0.4, "an occasion gives at most this share of a day's "
                                   "drinks, plain water included (1 = off)", number(0.1, 1))


@dataclass(frozen=True)
class BudgetSection:
    max_per_week: float = spec(0.0, "food and supplement cost per 7 days at most (0: no "
                               "limit), in the food table's currency", number(0, 1e6))


@dataclass(frozen=True)
class Profile:
    k_if: float = spec(1.0, "intrinsic-factor capacity multiplier", number(0, 1))
    r_food: float = spec(1.0, "food-bound B12 release multiplier", number(0, 1))
    extra_target_ug: float = spec(0.0, "added to the absorbed target per day", number(0, 10))


def _profiles(value: Any) -> dict[str, dict[str, float]]:
    """table of { k_if, r_food, extra_target_ug } by profile"""
    parsed = table_of(PROFILES, lambda item: _section(Profile, item, "profile"))(value)
    return {name: dataclasses.asdict(p) for name, p in parsed.items()}


@dataclass(frozen=True)
class AbsorptionSection:
    tau_h: float = spec(4.0, "hours after a window opens during which occasions join it",
                        number(0, 24))
    cmax_ug: float = spec(1.5, "intrinsic-factor capacity per window", number(0.1, 10))
    k_ug: float = spec(2.0, "half-saturation dose", number(0.1, 50))
    passive_with_food: float = spec(0.005, "passive fraction when the window has food",
                                    number(0, 0.1))
    passive_fasting: float = spec(0.012, "passive fraction for supplements and energy-free "
                                  "drinks only", number(0, 0.1))
    matrix: dict[str, float] = spec(
        {"meat": 1.0, "poultry": 1.0, "organ": 1.0, "dairy": 1.0, "fish": 0.8,
         "shellfish": 0.8, "egg": 0.6},
        "matrix factor of food-bound B12 by group; groups not listed count 0",
        table_of(GROUPS, number(0, 1.5)))
    profiles: dict[str, dict[str, float]] = spec(
        {"healthy": {"k_if": 1.0, "r_food": 1.0, "extra_target_ug": 0.0},
         "elderly": {"k_if": 1.0, "r_food": 0.5, "extra_target_ug": 0.0},
         "atrophic-gastritis": {"k_if": 0.5, "r_food": 0.2, "extra_target_ug": 0.5},
         "rygb": {"k_if": 0.25, "r_food": 0.2, "extra_target_ug": 0.5},
         "rygb-conservative": {"k_if": 0.0, "r_food": 0.2, "extra_target_ug": 0.5},
         "pernicious-anaemia": {"k_if": 0.0, "r_food": 1.0, "extra_target_ug": 0.5}},
        "k_if, r_food and extra_target_ug per profile", _profiles)
    breakpoints_ug: tuple[float, ...] = spec(
        (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 25.0, 100.0, 1000.0, 10000.0),
        "chord breakpoints of the saturable curve for the optimizer", increasing_numbers)
    injection_retention: tuple[tuple[float, float], ...] = spec(
        ((10.0, 9.7), (100.0, 55.0), (1000.0, 150.0)),
        "intramuscular dose to retained ug (Carmel 2008), interpolated", dose_points)


@dataclass(frozen=True)
class Config:
    """The resolved configuration of one plan."""

    plan: PlanSection = field(default_factory=PlanSection)
    occasions: tuple[Occasion, ...] = ()
    diet: DietSection = field(default_factory=DietSection)
    person: PersonSection = field(default_factory=PersonSection)
    nutrients: NutrientsSection = field(default_factory=NutrientsSection)
    supplements: SupplementsSection = field(default_factory=SupplementsSection)
    variety: VarietySection = field(default_factory=VarietySection)
    meals: MealsSection = field(default_factory=MealsSection)
    b12: B12Section = field(default_factory=B12Section)
    safety: SafetySection = field(default_factory=SafetySection)
    budget: BudgetSection = field(default_factory=BudgetSection)
    absorption: AbsorptionSection = field(default_factory=AbsorptionSection)
    files: tuple[str, ...] = ()

    def profile(self) -> Profile:
        return Profile(**self.absorption.profiles[self.b12.profile])

    def target_ug(self) -> float:
        """Absorbed B12 target per day including the profile's extra loss."""
        return self.b12.target_absorbed_ug + self.profile().extra_target_ug

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict with DESIGN key names (for JSON and `planner check`)."""
        data = _plain(dataclasses.asdict(self))
        data.pop("files")
        data["occasions"] = [{k: v for k, v in o.items() if v not in (None, [])}
                             for o in data["occasions"]]
        return data


SECTIONS: dict[str, type] = {
    "plan": PlanSection, "diet": DietSection, "person": PersonSection,
    "nutrients": NutrientsSection, "supplements": SupplementsSection,
    "variety": VarietySection, "meals": MealsSection, "b12": B12Section, "safety": SafetySection,
    "budget": BudgetSection,
    "absorption": AbsorptionSection,
}
TOP_KEYS = ("extends", "occasions", *SECTIONS)
DEFAULT_OCCASIONS = (
    Occasion(name="breakfast", time="08:00", kind="meal", energy_share=(0.2, 0.35)),
    Occasion(name="lunch", time="12:30", kind="meal", energy_share=(0.25, 0.4)),
    Occasion(name="snack", time="16:00", kind="snack", energy_share=(0.0, 0.15)),
    Occasion(name="dinner", time="19:00", kind="meal", energy_share=(0.25, 0.4)),
)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


WHOLE_MEALS = "meals are whole meals now (library, own or composed by role templates)"
REMOVED_KEYS = {
    "plan.objective": "the objective is cost x plan.cost_weight plus [meals] typical_weight "
                      "per tenfold rarer meal",
    "plan.meal_structure": WHOLE_MEALS,
    "plan.day_menus": "the week search plans every day of the week",
    "plan.week_search": "the week search is column generation with a proven bound",
    "plan.improve_passes": "the week search polishes the week itself",
    "plan.solver": "the week search calls HiGHS directly",
    "plan.time_limit_s": "use plan.stop_after_s (or --time-limit)",
    "occasions.require_groups": WHOLE_MEALS,
    "diet.reference": "name the meals you eat now in [meals] own (a CSV of meal, occasion, "
                      "food, grams)",
    **{f"variety.{key}": WHOLE_MEALS + "; see [meals] dish_once_a_day, meal_repeats_max, "
       "vegetables_cup_min, fruit_cup_min" for key in (
           "max_foods_per_occasion", "max_servings_per_food_per_day",
           "max_foods_per_group_per_occasion", "max_days_per_food_per_week",
           "group_servings_per_day", "repeat_freely", "distinct_meals")},
}
"""Keys of earlier versions (the composed core) that have no effect any more: a constraint
file naming one is refused with the reason; a saved plan's rules drop them (``without_removed``)."""


def without_removed(data: Mapping[str, Any]) -> dict[str, Any]:
    """A raw configuration (a saved plan's ``meta.constraints``) without ``REMOVED_KEYS``."""
    out: dict[str, Any] = {}
    for name, values in data.items():
        if name == "occasions" and isinstance(values, list):
            out[name] = [{k: v for k, v in o.items() if f"occasions.{k}" not in REMOVED_KEYS}
                         if isinstance(o, dict) else o for o in values]
        elif isinstance(values, dict):
            out[name] = {k: v for k, v in values.items() if f"{name}.{k}" not in REMOVED_KEYS}
        else:
            out[name] = values
    return out


def _section(cls: type, values: Any, where: str) -> Any:
    """Instantiate a schema dataclass from a TOML table, checking every key."""
    if not isinstance(values, dict):
        raise ValueError(f"[{where}] must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    clean = {}
    for key, value in values.items():
        if f"{where}.{key}" in REMOVED_KEYS:
            raise ValueError(f"key {key!r} was removed: {REMOVED_KEYS[f'{where}.{key}']}; "
                             "delete it")
        if key not in fields:
            raise ValueError(f"unknown key {key!r}{_did_you_mean(key, list(fields))}; "
                             f"allowed: {', '.join(fields)}")
        try:
            clean[key] = fields[key].metadata["parse"](value)
        except ValueError as exc:
            raise ValueError(f"{key} = {_show(value)}: {exc}") from None
    return cls(**clean)


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# --- loading ---------------------------------------------------------------------------------

def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file with messages that name the file and line."""
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except InputRefused as exc:
        raise ConfigError(str(exc), "name a constraint file (TOML)") from None
    except FileNotFoundError:
        close = did_you_mean(path.stem, [p.stem for p in resources.constraints_dir()
                                          .glob("*.toml")])
        raise ConfigError(f"{path}: constraint file not found"
                          + (f"; {close.replace('did you mean', 'did you mean the preset')}"
                             if close else ""),
                          f"check the path, or name a preset (`planner presets`; shipped in "
                          f"{resources.constraints_dir()})") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: {len(raw):,} bytes; constraint files are at most "
                          f"{MAX_FILE_BYTES:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})",
                          "save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}",
                          "see https://toml.io for the syntax") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a constraint file") from None


def resolve_chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The file and its `extends` ancestors, base first; cycles and escapes rejected."""
    root = path.resolve().parent
    shipped = resources.constraints_dir().resolve()
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current = path
    while True:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(str(p.name) for p in [*seen, resolved])
            raise ConfigError(f"{path}: `extends` cycle: {cycle}", "remove one `extends`")
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ConfigError(f"{path}: more than {MAX_EXTENDS_DEPTH} levels of `extends`")
        seen.append(resolved)
        data = read_toml(current)
        chain.append((current, data))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            raise ConfigError(f"{current}: extends = {_show(parent)}: must be a file name "
                              'like "base.toml"')
        current = _parent_path(current, parent, root, shipped)
    return chain[::-1]


def _parent_path(current: Path, parent: str, root: Path, shipped: Path) -> Path:
    if CONTROL_CHARACTERS.search(parent):
        raise ConfigError(f"{current}: extends = {parent!r} holds a control character",
                          'name a file like "base.toml"')
    candidate = (current.parent / parent).resolve()
    if not candidate.exists() and "/" not in parent and (shipped / parent).exists():
        candidate = shipped / parent
    inside = any(candidate.is_relative_to(top) for top in (root, shipped))
    if not inside:
        raise ConfigError(f"{current}: extends = {parent!r} leaves the constraints folder "
                          f"({root})", "copy the file next to this one, or name it "
                          "explicitly on the command line")
    if not candidate.exists():
        raise ConfigError(f"{current}: extends = {parent!r}: {candidate} not found",
                          "extends is relative to the file that names it")
    return candidate


def merge(base: dict[str, Any], top: dict[str, Any], origin: str,
          origins: dict[str, str], prefix: str = "") -> dict[str, Any]:
    """Deep-merge tables; arrays (including [[occasions]]) replace; record key origins."""
    out = dict(base)
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if (isinstance(value, dict) and isinstance(out.get(key), dict)
                and dotted not in _REPLACED_TABLES):
            out[key] = merge(out[key], value, origin, origins, dotted + ".")
        else:
            out[key] = value
            origins[dotted] = origin
    return out


_REPLACED_TABLES = {"variety.group_servings_per_day", "variety.group_uses_per_week"}


def parse_override(item: str) -> tuple[list[str], Any]:
    """``section.key=value`` to (path, value); values are TOML, bare words are text."""
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. b12.supplements=\"none\"")
    key, _, raw = item.partition("=")
    parts = [p.strip() for p in key.strip().split(".")]
    if len(parts) < 2 or not all(parts):
        raise ConfigError(f"--set {item!r}: KEY must be section.key, e.g. plan.days "
                          "or occasions.lunch.max_solids_g")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    except (ValueError, RecursionError):  # a number of over 4,300 digits; nesting too deep
        raise ConfigError(f"--set {item[:60]!r}...: the value is too long or nested too "
                          "deeply", "give a plain number, text or short list") from None
    return parts, value


def apply_override(data: dict[str, Any], parts: list[str], value: Any, item: str) -> None:
    """Put one --set value into the merged raw configuration."""
    if parts[0] == "occasions":
        occasions = data.get("occasions") or [dataclasses.asdict(o) for o in DEFAULT_OCCASIONS]
        data["occasions"] = occasions
        names = [o.get("name") for o in occasions if isinstance(o, dict)]
        selector = parts[1]
        if selector.isdigit() and 1 <= int(selector) <= len(occasions):
            target = occasions[int(selector) - 1]
        elif selector in names:
            target = occasions[names.index(selector)]
        else:
            raise ConfigError(f"--set {item!r}: no occasion {selector!r}"
                              f"{_did_you_mean(selector, [str(n) for n in names])}; "
                              f"occasions: {', '.join(map(str, names))}")
        if len(parts) != 3:
            raise ConfigError(f"--set {item!r}: use occasions.NAME.key")
        target[parts[2]] = value
        return
    if parts[0] not in SECTIONS:
        raise ConfigError(f"--set {item!r}: unknown section {parts[0]!r}"
                          f"{_did_you_mean(parts[0], list(SECTIONS))}; "
                          f"sections: {', '.join(SECTIONS)}")
    node = data.setdefault(parts[0], {})
    for part in parts[1:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {item!r}: {part} is not a table")
    node[parts[-1]] = value


def preset_path(name: Path | str) -> Path:
    """A constraint file's path; a bare name of a shipped preset (``vegan``) that is not a
    file here means the preset."""
    path = Path(name)
    if path.exists() or path.suffix or len(path.parts) > 1:
        return path
    shipped = resources.constraints_dir() / f"{path.name}.toml"
    return shipped if shipped.exists() else path


def presets() -> list[tuple[str, str]]:
    """The shipped constraint files: bare name and the first sentence of their comment."""
    out = []
    for path in sorted(resources.constraints_dir().glob("*.toml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        head = " ".join(line.lstrip("# ").strip() for line in
                        itertools.takewhile(lambda line: line.startswith("#"), lines))
        sentence = re.split(r"(?<=\.)\s", head, maxsplit=1)[0]
        if len(sentence) > 80:
            sentence = sentence[:77].rsplit(" ", 1)[0] + " ..."
        out.append((path.stem, sentence))
    return out


def load_config(path: Path | str | None = None, overrides: list[str] | tuple[str, ...] = (),
                ) -> Config:
    """Load a constraint file with its `extends` chain and `--set` overrides, checked."""
    path = preset_path(path) if path is not None else resources.default_constraints()
    origins: dict[str, str] = {}
    data: dict[str, Any] = {}
    chain = resolve_chain(path)
    for file, raw in chain:
        data = merge(data, {k: v for k, v in raw.items() if k != "extends"}, str(file), origins)
    for item in overrides:
        parts, value = parse_override(item)
        apply_override(data, parts, value, item)
        origins[".".join(parts[:2] if parts[0] == "occasions" else parts)] = f"--set {item}"
        origins[parts[0]] = origins.get(parts[0], f"--set {item}")
    config = build_config(data, origins, str(path), tuple(str(f) for f, _ in chain))
    return _absolute_files(config)


def _absolute_files(config: Config) -> Config:
    """Files the configuration names (``[meals] own``) as absolute
    paths: beside the constraint file named on the command line when there, else in the
    working directory, so that a saved plan finds them from anywhere."""
    def absolute(name: str | None) -> str | None:
        if not name or Path(name).is_absolute():
            return name
        beside = Path(config.files[-1]).parent / name if config.files else Path(name)
        return str((beside if beside.exists() else Path.cwd() / name).resolve())

    return dataclasses.replace(
        config, meals=dataclasses.replace(config.meals, own=absolute(config.meals.own)))


def build_config(data: Mapping[str, Any], origins: Mapping[str, str], default_origin: str,
                 files: tuple[str, ...] = ()) -> Config:
    """Check a merged raw configuration against the schema and the cross-key rules."""
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{origins.get(key, default_origin)}: unknown key {key!r}"
                              f"{_did_you_mean(key, list(TOP_KEYS))}",
                              f"allowed at the top: {', '.join(TOP_KEYS)}")
    sections = {}
    for name, cls in SECTIONS.items():
        values = data.get(name, {})
        try:
            sections[name] = _section(cls, values, name)
        except ValueError as exc:
            where = _origin_of(name, exc, origins, default_origin)
            raise ConfigError(f"{where}: [{name}] {exc}") from None
    occasions = _occasions(data.get("occasions"), origins.get("occasions", default_origin))
    config = Config(occasions=occasions, files=files, **sections)
    check_rules(config, default_origin)
    return config


def _origin_of(section: str, exc: ValueError, origins: Mapping[str, str], default: str) -> str:
    unknown = re.match(r"(?:unknown )?key '([^']+)'", str(exc))
    key = unknown.group(1) if unknown else str(exc).split(" ", 1)[0]
    for candidate in (f"{section}.{key}", section):
        if candidate in origins:
            return origins[candidate]
    match = [v for k, v in origins.items() if k.startswith(section + ".")]
    return match[-1] if match else default


def _occasions(raw: Any, origin: str) -> tuple[Occasion, ...]:
    if raw is None:
        return DEFAULT_OCCASIONS
    if not isinstance(raw, list) or not raw or len(raw) > MAX_OCCASIONS:
        raise ConfigError(f"{origin}: occasions must be 1 to {MAX_OCCASIONS} [[occasions]] tables")
    occasions = []
    for number_, item in enumerate(raw, start=1):
        label = item.get("name", number_) if isinstance(item, dict) else number_
        try:
            occasion = _section(Occasion, item, "occasions")
        except ValueError as exc:
            raise ConfigError(f"{origin}: [[occasions]] {label!r}: {exc}") from None
        if not occasion.name or not occasion.time:
            raise ConfigError(f"{origin}: [[occasions]] {label!r}: needs name and time")
        occasions.append(occasion)
    return tuple(occasions)


def check_rules(config: Config, origin: str) -> None:
    """Rules that span keys: unique occasions in time order, drink spacing, floors."""
    names = [o.name for o in config.occasions]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{origin}: occasion name(s) {', '.join(twice)} used twice",
                          "give every [[occasions]] a unique name")
    minutes = [o.minutes() for o in config.occasions]
    if any(b <= a for a, b in itertools.pairwise(minutes)):
        raise ConfigError(f"{origin}: occasions must be in time order, each later than the "
                          f"last: {', '.join(f'{o.name} {o.time}' for o in config.occasions)}")
    gap = config.plan.drink_gap_min
    for drink in (o for o in config.occasions if o.kind == "drink"):
        for meal in (o for o in config.occasions if o.kind == "meal"):
            if abs(drink.minutes() - meal.minutes()) < gap:
                raise ConfigError(
                    f"{origin}: drink occasion {drink.name!r} at {drink.time} is less than "
                    f"{gap} min from meal {meal.name!r} at {meal.time}",
                    f"move it, or lower plan.drink_gap_min (now {gap})")
    if config.b12.target_period == "week" and config.b12.daily_floor_ug > config.target_ug():
        raise ConfigError(f"{origin}: [b12] daily_floor_ug ({config.b12.daily_floor_ug:g}) is "
                          f"above the target ({config.target_ug():g})",
                          "lower daily_floor_ug or raise target_absorbed_ug")
    person = config.person
    if person.life_stage != "none" and (person.sex != "female" or person.age > 55):
        raise ConfigError(f"{origin}: [person] life_stage = {person.life_stage!r} needs sex = "
                          f"\"female\" and an age of 55 or less (now {person.sex}, "
                          f"{person.age})", "correct [person], or set life_stage = \"none\"")
    windows = len({o.time for o in config.occasions})
    for product, units in config.supplements.daily.items():
        if units > windows:
            raise ConfigError(f"{origin}: [supplements] daily asks {units} units of {product} "
                              f"a day, more than the {windows} occasions to take them with",
                              "lower the count")
    missing = [p for p in PROFILES if p not in config.absorption.profiles]
    if config.b12.profile in missing:
        raise ConfigError(f"{origin}: [absorption.profiles] has no {config.b12.profile!r}")


def check_ids(config: Config, food_ids: set[str] | Any, supplement_ids: set[str] | Any,
              foods_path: str = "the food table",
              supplements_path: str = "the supplement table") -> None:
    """Food and supplement ids named in the configuration must exist."""
    food_ids, supplement_ids = set(food_ids), set(supplement_ids)
    for key, ids in (("diet.exclude", config.diet.exclude),
                     ("diet.include", config.diet.include)):
        unknown = [i for i in ids if i not in food_ids]
        if unknown:
            hint = _did_you_mean(unknown[0], sorted(food_ids))
            raise ConfigError(f"{config.files[-1] if config.files else 'constraints'}: {key} "
                              f"names {', '.join(unknown)}, not in {foods_path}{hint}",
                              "see `planner foods list` for the ids")
    rules = config.supplements
    for key, ids in (("b12.supplement_products", config.b12.supplement_products),
                     ("supplements.products", rules.products),
                     ("supplements.daily", tuple(rules.daily)),
                     ("supplements.apart", tuple(i for side in rules.apart for i in side))):
        unknown = [i for i in ids if i not in supplement_ids]
        if unknown:
            hint = _did_you_mean(unknown[0], sorted(supplement_ids))
            raise ConfigError(f"{config.files[-1] if config.files else 'constraints'}: "
                              f"{key} names {', '.join(unknown)}, not in "
                              f"{supplements_path}{hint}",
                              f"ids: {', '.join(sorted(supplement_ids))}")


def warnings(config: Config) -> list[str]:
    """Rules that cannot bind or that conflict, for `planner check`."""
    notes = []
    shares = [o.energy_share for o in config.occasions if o.energy_share]
    if len(shares) == len(config.occasions) and shares:
        low = sum(s[0] for s in shares)
        high = sum(s[1] for s in shares)
        if low > 1 + 1e-9 or high < 1 - 1e-9:
            notes.append(f"energy_share minimums add up to {low:.2f} and maximums to "
                         f"{high:.2f}: they must bracket 1.00 or no plan exists")
    if config.b12.supplements == "none" and not config.diet.fortified and \
            config.diet.pattern == "vegan":
        notes.append("vegan without fortified foods or supplements: plant foods carry no "
                     "active B12, so the B12 target cannot be met")
    liquids = [o for o in config.occasions if o.max_liquids_ml == 0]
    drinks = [o for o in config.occasions if o.kind == "drink"]
    if config.nutrients.fluids_ml_min > 0 and liquids and not drinks \
            and len(liquids) == len(config.occasions):
        notes.append("fluids_ml_min > 0 but every occasion forbids liquids")
    return notes


def dump_toml(config: Config) -> str:
    """The resolved configuration as TOML (None values left out)."""
    return tomli_w.dumps(_drop_none(config.to_dict()))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def reference_markdown() -> str:
    """The constraint-file reference table (every key, type, default, meaning)."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for section, cls in [("plan", PlanSection), ("occasions", Occasion), *[
            (n, c) for n, c in SECTIONS.items() if n != "plan"]]:
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
            shown = _cell(default)
            kind = f.metadata["parse"].__doc__ or ""
            prefix = "[[occasions]]" if section == "occasions" else f"[{section}]"
            lines.append(f"| `{prefix} {f.name}` | {kind.strip()} | {shown} | "
                         f"{f.metadata['doc']} |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if (isinstance(value, dict) and value) or (isinstance(value, tuple) and len(value) > 4):
        return "see `absorption.toml`"
    return f"`{_inline(_plain(value))}`"


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + "}"
    return str(value)
