"""Water by life stage: total water from food, drinks and plain water at least the IOM 2004
Adequate Intake, where plain water fills what the planned foods and drinks leave, as glasses
at stated occasions; no occasion gives more than a share of the day's drinks, and occasions
that cap liquids (post-RYGB sips) are kept.

Plain water is placed after the search, from the plan's own items (``plain_water``), in steps
of half a glass; the search knows of it only where every occasion caps liquids, so that a day
can still reach the need (``capacity_row``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .program import Program
from .schema import Config

if TYPE_CHECKING:
    from .plan import Plan


STEP_ML = 125.0                      # plain water in half glasses
IOM_2004_AI_ML = {"female": 2700.0, "male": 3700.0, "pregnancy": 3000.0, "lactation": 3800.0}
SOURCE = "IOM 2004, DRI for water: Adequate Intake of total water (drinks and food)"
SHORT_PENALTY = 1000.0
MAX_STEPS = 40                       # half glasses at one occasion at most (5 L)


def water_need_ml(config: Config) -> float:
    """Total water a day at least: [safety] water_ml_min, else the IOM 2004 AI of the person
    (0: the rule is off)."""
    if config.safety.water_ml_min is not None:
        return config.safety.water_ml_min
    person = config.person
    return IOM_2004_AI_ML[person.life_stage if person.life_stage != "none" else person.sex]


def fills(config: Config) -> bool:
    """Whether plain water is planned (the water rule is on)."""
    return water_need_ml(config) > 0


def open_occasions(config: Config) -> list[tuple[str, float]]:
    """Occasions where plain water may be drunk, with their liquid cap (inf: none)."""
    return [(o.name, math.inf if o.max_liquids_ml is None else float(o.max_liquids_ml))
            for o in config.occasions if o.max_liquids_ml is None or o.max_liquids_ml > 0]


def drinks_share(config: Config) -> float:
    """The largest share of a day's drinks one occasion may give: drinks_share_max, or an
    even split where fewer occasions take drinks than that share allows."""
    opened = len(open_occasions(config))
    return max(config.safety.drinks_share_max, 1.0 / opened if opened else 1.0)


def capacity(config: Config) -> float:
    """The most a day's occasions can hold of drinks and plain water (inf: no cap)."""
    return sum(cap for _, cap in open_occasions(config))


def plain_water(plan: Plan) -> pd.DataFrame:
    """Per day and occasion, the plain water to drink (ml, whole half glasses): the least
    that brings the day to its water need and its drinks to fluids_ml_min, spread so that
    no occasion gives more than drinks_share_max of the day's drinks, within liquid caps."""
    config = plan.config
    columns = ["day", "occasion", "ml"]
    if not fills(config):
        return pd.DataFrame(columns=columns)
    items = plan.items()
    water = item_water(plan)
    rows = []
    for day in range(1, config.plan.days + 1):
        part = items[items["day"] == day] if not items.empty else items
        liquid = part[part["liquid"].astype(bool)] if not part.empty else part
        drinks = {str(k): float(v) for k, v in liquid.groupby("occasion")["grams"].sum().items()}
        in_food = float(water[part.index].sum()) if not part.empty else 0.0
        for occasion, ml in _day_water(config, drinks, in_food).items():
            if ml > 0:
                rows.append({"day": day, "occasion": occasion, "ml": ml})
    return pd.DataFrame(rows, columns=columns)


def item_water(plan: Plan) -> pd.Series:
    """Water in each food item (g = ml; a food without a water value counts 0)."""
    items = plan.items()
    if items.empty:
        return pd.Series(dtype=float)
    per_100g = plan.foods["water_g"] if "water_g" in plan.foods.columns else \
        pd.Series(0.0, index=plan.foods.index)
    return pd.Series(per_100g.reindex(items["food"]).fillna(0.0).to_numpy(dtype=float)
                     * items["grams"].to_numpy(dtype=float) / 100.0, index=items.index)


def _day_water(config: Config, drinks: dict[str, float], in_food: float) -> dict[str, float]:
    """One small MILP: half glasses per open occasion (fewest, then evenly spread; up to the
    cap, in ml, where an occasion caps liquids); the need and the share are elastic so that a
    day the caps cannot serve still gets the most."""
    from .program import _run_highs, new_highs

    share = drinks_share(config)
    capped = [(name, cap) for name, cap in open_occasions(config) if math.isfinite(cap)]
    free = [name for name, cap in open_occasions(config) if not math.isfinite(cap)]
    program = Program()
    names = [name for name, _ in capped] + free
    room = [max(0.0, cap - drinks.get(name, 0.0)) / STEP_ML for name, cap in capped]
    steps = np.concatenate([
        program.columns("steps_to_cap", [name for name, _ in capped], 0.0, np.asarray(room)),
        program.columns("steps", free, 0.0, MAX_STEPS, integer=True)])
    largest = program.columns("largest", ["day"], 0.0)
    short = program.columns("short", ["water", "fluids"], 0.0)
    over = program.columns("over", [o.name for o in config.occasions], 0.0)
    program.add_cost(steps, 1.0)
    program.add_cost(largest, 0.01)
    program.add_cost(short, SHORT_PENALTY)
    program.add_cost(over, SHORT_PENALTY / 100)   # the need first, then the spread
    zeros = np.zeros(len(steps) + 1, dtype=np.int64)
    need = water_need_ml(config) - in_food
    program.rows("water", ["day"], zeros, np.concatenate([steps, short[:1]]),
                 np.concatenate([np.full(len(steps), STEP_ML), [1.0]]), lower=need)
    poured = sum(drinks.values())
    program.rows("fluids", ["day"], zeros, np.concatenate([steps, short[1:]]),
                 np.concatenate([np.full(len(steps), STEP_ML), [1.0]]),
                 lower=config.nutrients.fluids_ml_min - poured)
    for column in steps:
        program.rows("spread", [int(column)], np.zeros(2, dtype=np.int64),
                     np.asarray([column, largest[0]]), np.asarray([1.0, -1.0]), upper=0.0)
    for k, occasion in enumerate(config.occasions):
        mine = steps[names.index(occasion.name)] if occasion.name in names else None
        cols = [*steps, over[k]]
        vals = [-share * STEP_ML] * len(steps) + [-1.0]
        if mine is not None:
            vals[list(steps).index(mine)] += STEP_ML
        program.rows("share", [occasion.name], np.zeros(len(cols), dtype=np.int64),
                     np.asarray(cols), np.asarray(vals),
                     upper=share * poured - drinks.get(occasion.name, 0.0))
    highs = new_highs(threads=1, random_seed=0, mip_rel_gap=0.0)
    solution = _run_highs(highs, program, 3600.0, 0.0, True)
    values = solution.values if solution.values is not None else np.zeros(program.num_cols)
    return {name: round(float(values[c]) * STEP_ML, 1) for name, c in zip(names, steps,
                                                                           strict=True)}


def capacity_row(program: Program, label: str, cols: np.ndarray, values: np.ndarray,
                 config: Config) -> None:
    """Where every occasion caps liquids: the day's water in food and drinks, plus what the
    caps leave for plain water, reaches the need (``values``: water less liquids at capped
    occasions, per unit of ``cols``; the row: their sum >= need - capacity)."""
    room = capacity(config)
    need = water_need_ml(config)
    if need <= 0 or not math.isfinite(room):
        return
    program.rows("water_capacity", [label], np.zeros(len(cols), dtype=np.int64), cols, values,
                 lower=need - room)


def check_water(plan: Plan) -> list[str]:
    """Each day's total water, the drinks' spread and the liquid caps, with plain water."""
    config = plan.config
    need = water_need_ml(config)
    if need <= 0:
        return []
    items, water, poured = plan.items(), item_water(plan), plan.plain_water()
    caps = {o.name: o.max_liquids_ml for o in config.occasions}
    problems = []
    for day in range(1, config.plan.days + 1):
        part = items[items["day"] == day] if not items.empty else items
        glasses = poured[poured["day"] == day].groupby("occasion")["ml"].sum()
        drinks = (part[part["liquid"].astype(bool)].groupby("occasion")["grams"].sum()
                  if not part.empty else pd.Series(dtype=float)).add(glasses, fill_value=0.0)
        total = float(water[part.index].sum() if not part.empty else 0.0) + float(glasses.sum())
        if total < need - 1.0:
            problems.append(f"day {day}: total water {total:.0f} ml < {need:g} ml "
                            "([safety] water_ml_min)")
        if drinks.sum() < config.nutrients.fluids_ml_min - 1.0:
            problems.append(f"day {day}: drinks {drinks.sum():.0f} ml < "
                            f"{config.nutrients.fluids_ml_min:g} ml (fluids_ml_min)")
        for occasion, ml in drinks.items():
            if ml > drinks_share(config) * drinks.sum() + 1.0:
                problems.append(f"day {day} {occasion}: {ml:.0f} ml of the day's "
                                f"{drinks.sum():.0f} ml drinks > {drinks_share(config):.0%} "
                                "([safety] drinks_share_max)")
            cap = caps.get(str(occasion))
            if cap is not None and ml > cap + 1.0:
                problems.append(f"day {day} {occasion}: {ml:.0f} ml drinks with plain water "
                                f"> {cap:g}")
    return problems


def water_note(plan: Plan) -> list[str]:
    """The water rule in words, when it is on."""
    need = water_need_ml(plan.config)
    if need <= 0:
        return []
    days = plan.days()
    return [f"Water: plain water ({days['plain_water_ml'].mean():.0f} ml a day on average) "
            f"brings total water from food and drinks to at least {need:g} ml a day ({SOURCE}"
            f"); no occasion gives more than {drinks_share(plan.config):.0%} of a "
            "day's drinks."]
