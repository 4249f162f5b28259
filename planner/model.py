"""Build the mixed-integer model of a weekly plan from (foods, supplements, config).

One ``add_*`` function per constraint family; each returns early when its rule does not
apply and names its rows after their labels (``b12_target_d3``, ``energy_share_d1_lunch``).
Coefficients come from a slot table (one row per day, occasion and candidate food), and each
family adds its rows to a ``Program`` as arrays in one block. No I/O happens here.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .absorption import (
    AbsorptionParams,
    chords,
    if_absorbed_ug,
    injection_per_day_ug,
    windows_of,
)
from .config import Config, Occasion
from .errors import OutOfTime, PlannerError
from .fluids import capacity_row, fills
from .foods import OCCASION_TOKENS, diet_mask
from .meals import Template, allowed
from .needs import KCAL_PER_G, Target, available_nutrients, targets
from .program import INF, Array, Program, Solution
from .safety import occasion_caps, resolve, seafood_per_gram, unsafe_foods
from .supplements import SUPPLEMENT_NUTRIENTS, allowed_products, other_nutrients

POPULARITY_SCALE = 10_000  # foods' pop_* columns: reports per 10,000 at the occasion
TEMPLATE_WEIGHT = 1.0   # objective units per decade of a meal template's rarity
TEMPLATES_PER_OCCASION = 30  # the most common ones an occasion may take
PORTION_WEIGHT = 1.0    # objective units per typical portion of departure
REFERENCE_NEW = 1.0     # a food the person does not eat at that occasion
REFERENCE_KEEP = 1.0    # keeping a food of the person's own meals (reward)
DISTINCT_EXEMPT_ROLES = ("beverage", "water", "bread", "spread-fat", "condiment", "")
ENERGY_FREE_KCAL = 5.0  # per 100 g: water, tea, coffee, broth are exempt from variety limits
GROUPS_WITHOUT_LIMIT = ("vegetable", "fruit", "beverage")
TIE_BREAK = 1e-4        # currency units per food-day, so that days differ at equal cost
SUPPLEMENT_PENALTY = 10.0  # objective units per unit of a supplement beyond B12 (not a
#                            daily one): food first, tablets where food cannot meet a need
ELASTIC_WEIGHTS = {     # penalty per unit of relaxation in the elastic re-solve
    "b12_target": 1000.0, "b12_floor": 1000.0, "energy_min": 1.0, "energy_max": 1.0,
    "fluids_min": 0.5, "sugars_max": 10.0,
    "group_min": 100.0, "group_max": 100.0, "include": 100.0, "budget": 10.0,
    "solids_max": 0.5, "sugars_occasion_max": 10.0, "energy_share_min": 1.0,
    "energy_share_max": 1.0, "supplement_required": 1000.0, "occasion_groups": 50.0,
    "need": 100.0, "limit": 100.0, "supplement_limit": 100.0, "energy_share_limit": 1.0,
    "supplement_daily": 1000.0, "seafood_g": 1.0, "b12_oral_dose": 10.0,
    "caffeine_mg_occasion_max": 10.0, "added_sugars_g_occasion_max": 10.0,
}


@dataclass(frozen=True)
class Prices:
    """What a day menu's parts are worth to the week (the weekly master's duals), in
    objective units: per currency of cost, per ug absorbed B12, per food of a group, per food
    family eaten, per food of ``[diet] include`` eaten. Added to a one-day model's objective.
    """

    cost: float = 0.0
    absorbed_ug: float = 0.0
    groups: dict[str, float] = field(default_factory=dict)
    families: dict[str, float] = field(default_factory=dict)
    foods: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    """A built model: the program plus the labelled tables needed to read it back.

    ``n``, ``y`` (per slot) and ``u`` (per supplement slot) hold column indices; ``x``, ``a``
    (per day and window) and ``z`` (per food and day) map keys to column indices.
    """

    lp: Program
    config: Config
    foods: pd.DataFrame                 # candidate foods only
    slots: pd.DataFrame                 # day, occasion, window, food, coefficients
    supplement_slots: pd.DataFrame      # day, window, supplement, dose, cost
    windows: list[tuple[int, tuple[str, ...]]]
    params: AbsorptionParams
    n: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    y: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    u: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    x: dict[tuple[int, int], int] = field(default_factory=dict)
    a: dict[tuple[int, int], int] = field(default_factory=dict)
    z: dict[tuple[str, int], int] = field(default_factory=dict)
    t: dict[tuple[int, str], list[tuple[Template, int]]] = field(default_factory=dict)
    d: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    slacks: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    solution: Solution | None = None


def candidate_foods(foods: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, dict[str, int]]:
    """Foods the diet allows, with the reason counts of those left out."""
    keep = diet_mask(foods, config.diet.pattern)
    reasons = {"diet pattern": int((~keep).sum())}
    for flag in config.diet.exclude_flags:
        reasons[f"flag {flag}"] = int((keep & foods[flag]).sum())
        keep &= ~foods[flag]
    excluded = foods.index.isin(config.diet.exclude)
    reasons["diet.exclude"] = int((keep & excluded).sum())
    keep &= ~excluded
    if config.diet.exclude_categories and "wweia_category" in foods.columns:
        category = pd.to_numeric(foods["wweia_category"], errors="coerce")
        banned = category.isin(config.diet.exclude_categories).to_numpy()
        reasons["diet.exclude_categories"] = int((keep & banned).sum())
        keep &= ~banned
    if not config.diet.fortified:
        fortified = foods["b12_added_ug"] > 0
        reasons["fortified"] = int((keep & fortified).sum())
        keep &= ~fortified
    unsafe = foods.index.isin(list(unsafe_foods(foods, config)))
    reasons["[safety] rules"] = int((keep & unsafe).sum())
    keep &= ~unsafe
    if config.plan.objective == "cost" or config.budget.max_per_week > 0:
        unpriced = foods["price_per_kg"].isna()
        reasons["no price"] = int((keep & unpriced).sum())
        keep &= ~unpriced
    reasons = {k: v for k, v in reasons.items() if v}
    if not keep.any():
        left_out = ", ".join(f"{reason}: {count}" for reason, count in reasons.items())
        raise PlannerError(f"no food of the table is allowed by the rules ({left_out})",
                           'allow more foods; an imported table has no prices, so plan it '
                           'with --set plan.objective="deviation"')
    return foods[keep], reasons


def _allowed(liquid: bool, occasion: Occasion) -> bool:
    """Whether the occasion takes a liquid (or a solid) food at all."""
    if occasion.kind == "drink" and not liquid:
        return False
    if liquid and occasion.max_liquids_ml == 0:
        return False
    return not (not liquid and occasion.max_solids_g == 0)


def token_masks(foods: pd.DataFrame) -> dict[str, Array]:
    """Per occasion token, which foods list it in their ``occasions`` column."""
    text = ";" + foods["occasions"].str.replace(" ", "", regex=False) + ";"
    return {token: text.str.contains(f";{token};", regex=False).to_numpy(dtype=bool)
            for token in OCCASION_TOKENS}


def build_slots(foods: pd.DataFrame, config: Config, params: AbsorptionParams,
                shortlist: set[tuple[str, str]] | None = None,
                nutrients: Sequence[str] = ()) -> pd.DataFrame:
    """One row per (day, occasion, candidate food) with per-serving coefficients.

    ``shortlist`` keeps only the (occasion, food) pairs it names.
    """
    served_by = token_masks(foods)
    windows = windows_of(config.occasions, params.tau_h)
    grams = foods["serving_g"]
    per_serving = foods[["energy_kcal", "protein_g", "sugars_g", "fiber_g"]].fillna(0.0)
    per_serving = per_serving.mul(grams / 100.0, axis=0)
    matrix = np.array([params.matrix_factor(g, m) for g, m in
                       zip(foods["group"], foods["b12_matrix"], strict=True)])
    bound = (foods["b12_ug"] - foods["b12_added_ug"]).clip(lower=0) * grams / 100.0
    b12_in = params.r_food * bound * matrix + foods["b12_added_ug"] * grams / 100.0
    base = pd.DataFrame({
        "food": foods.index, "group": foods["group"], "serving_g": grams,
        "liquid": foods["liquid"], "energy": per_serving["energy_kcal"],
        "protein": per_serving["protein_g"], "sugars": per_serving["sugars_g"],
        "fiber": per_serving["fiber_g"], "bound_eff": bound * matrix,
        "crystalline": foods["b12_added_ug"] * grams / 100.0,
        "b12_in": b12_in, "b12_if": [if_absorbed_ug(v, params) for v in b12_in.tolist()],
        "cost": foods["price_per_kg"].fillna(0.0) * grams / 1000.0,
        "min_servings": foods["min_servings"].astype(int),
        "max_servings": np.minimum(foods["max_servings"],
                                   config.variety.max_servings_per_food_per_day).astype(int),
        "energy_free": foods["energy_kcal"] < ENERGY_FREE_KCAL, "one": 1.0,
        "shuffle": [tie_break_weight(food, 0) for food in foods.index],
        "role": foods["role"], "family": foods["family"], "typical_g": foods["typical_g"],
        **{n: foods[n].fillna(0.0) * grams / 100.0 for n in nutrients},
        **{n: foods[n].fillna(0.0) * grams / 100.0 for n in ("caffeine_mg", "added_sugars_g")
           if n in foods.columns and n not in nutrients},
        "seafood_g": seafood_per_gram(foods) * grams,
        "water_ml": foods.get("water_g", pd.Series(0.0, index=foods.index)).fillna(0.0)
        * grams / 100.0,
    }).reset_index(drop=True)
    popularity = {token: foods[f"pop_{token}"].fillna(0.0).to_numpy(dtype=float)
                  for token in OCCASION_TOKENS}
    frames = []
    liquid = base["liquid"].to_numpy(dtype=bool)
    for position, occasion in enumerate(config.occasions):
        mask = np.zeros(len(base), dtype=bool)
        for token in occasion.tokens():
            mask |= served_by[token]
        mask &= np.where(liquid, _allowed(True, occasion), _allowed(False, occasion))
        if shortlist is not None:
            mask &= base["food"].isin([f for o, f in shortlist if o == occasion.name]).to_numpy()
        pop = np.max([popularity[t] for t in occasion.tokens()], axis=0)
        part = base[mask].assign(occasion=occasion.name, occasion_pos=position,
                                 window=windows[position], kind=occasion.kind,
                                 unpopularity=np.log10((POPULARITY_SCALE + 1) / (pop[mask] + 1)))
        frames.append(part)
    per_day = pd.concat(frames, ignore_index=True)
    days = range(1, config.plan.days + 1)
    slots = pd.concat([per_day.assign(day=d) for d in days], ignore_index=True)
    slots["min_servings"] = slots[["min_servings", "max_servings"]].min(axis=1)
    return slots


def whole_serving_fits(slots: pd.DataFrame, config: Config) -> Array:
    """Slots whose smallest use (its least whole servings) stays within the occasion's
    limits on solids, liquids, sugars and share of the day's most energy. The others can
    be in no plan; left in, they only weaken the LP relaxation (elastic models keep them,
    since a diagnosis may relax those limits)."""
    least = np.maximum(slots["min_servings"].to_numpy(dtype=float), 1.0)
    liquid = slots["liquid"].to_numpy(dtype=bool)
    occasion = slots["occasion"].to_numpy()
    fits = np.ones(len(slots), dtype=bool)
    most_energy = config.nutrients.energy_kcal[1]
    for o in config.occasions:
        mine = occasion == o.name
        share = o.energy_share[1] if o.energy_share else 1.0
        for column, limit, where in (
                ("serving_g", o.max_solids_g, ~liquid), ("serving_g", o.max_liquids_ml, liquid),
                ("sugars", o.max_sugars_g, True), ("energy", share * most_energy, True)):
            if limit is None:
                continue
            over = least * slots[column].to_numpy(dtype=float) > limit + 1e-9
            fits &= ~(mine & where & over)
    return fits


def build_model(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config, *,
                relaxed: bool = False, elastic: bool = False, maximize_b12: bool = False,
                shortlist: set[tuple[str, str]] | None = None,
                repeat_penalty: dict[str, float] | None = None,
                reference: dict[tuple[str, str], float] | None = None,
                prices: Prices | None = None, deadline: float = math.inf) -> Model:
    """The plan's MILP (or its LP relaxation, elastic variant, or max-B12 variant).

    ``repeat_penalty`` maps a food family to what eating it costs because other days eat it
    too; ``reference`` maps (occasion, food) of the person's own meals to grams per serving
    day (the objective then departs from them as little as it can). OutOfTime when
    ``deadline`` (a ``time.perf_counter()`` value) passes while it is built."""
    params = AbsorptionParams.from_config(config)
    candidates, excluded = candidate_foods(foods, config)
    rules = targets(config, available_nutrients(foods))
    slots = build_slots(candidates, config, params, shortlist,
                        sorted({t.nutrient for t in rules}))
    if not elastic:
        slots = slots[whole_serving_fits(slots, config)].reset_index(drop=True)
    model = Model(lp=Program(maximize=maximize_b12), config=config, foods=candidates,
                  slots=slots, supplement_slots=pd.DataFrame(),
                  windows=_window_list(config, params), params=params, excluded=excluded,
                  targets=rules)
    in_time(deadline)
    add_serving_variables(model, relaxed)
    add_supplement_variables(model, supplements, relaxed)
    in_time(deadline)
    add_energy(model, elastic)
    add_energy_shares(model, elastic)
    add_sugars(model, elastic)
    add_nutrient_needs(model, elastic)
    add_nutrient_limits(model, elastic)
    in_time(deadline)
    add_portions(model, elastic)
    add_fluids(model, elastic)
    add_variety(model, relaxed)
    in_time(deadline)
    add_distinct_meals(model)
    add_group_servings(model, elastic)
    add_group_uses(model, elastic)
    add_templates(model, relaxed)
    in_time(deadline)
    add_meal_protein(model, elastic)
    add_occasion_groups(model, elastic)
    add_inclusions(model, elastic)
    add_supplement_rules(model, elastic)
    add_supplements_daily(model, elastic)
    add_supplements_apart(model)
    add_safety(model, elastic)
    in_time(deadline)
    add_b12(model, elastic, target=not maximize_b12)
    add_budget(model, elastic)
    add_portion_deviation(model, relaxed, maximize_b12 or elastic, reference or {})
    add_objective(model, elastic, maximize_b12, repeat_penalty or {}, reference or {})
    if prices is not None:
        add_prices(model, prices, relaxed)
    in_time(deadline)
    return model


def in_time(deadline: float) -> None:
    """OutOfTime once ``deadline`` (a ``time.perf_counter()`` value) has passed."""
    if time.perf_counter() > deadline:
        raise OutOfTime("the time limit passed while the model was built")


def _window_list(config: Config, params: AbsorptionParams) -> list[tuple[int, tuple[str, ...]]]:
    numbers = windows_of(config.occasions, params.tau_h)
    out: dict[int, list[str]] = {}
    for number, occasion in zip(numbers, config.occasions, strict=True):
        out.setdefault(number, []).append(occasion.name)
    return [(w, tuple(names)) for w, names in out.items()]


def _groups(frame: pd.DataFrame, keys: str | list[str]) -> tuple[list[Any], Array]:
    """Sorted distinct keys of the slot table and each slot's group number (as a sorted
    ``groupby`` would give them, from integer codes rather than grouping frames)."""
    if frame.empty:
        return [], np.zeros(0, dtype=np.int64)
    names = [keys] if isinstance(keys, str) else keys
    factors = [pd.factorize(frame[name], sort=True) for name in names]
    combined = np.zeros(len(frame), dtype=np.int64)
    for codes, uniques in factors:
        combined = combined * len(uniques) + codes
    distinct, inverse = np.unique(combined, return_inverse=True)
    digits = []
    rest = distinct.copy()
    for _codes, uniques in reversed(factors):
        digits.append(np.asarray(uniques)[rest % len(uniques)].tolist())
        rest //= len(uniques)
    columns = digits[::-1]
    labels = columns[0] if isinstance(keys, str) else list(zip(*columns, strict=True))
    return labels, inverse.reshape(-1)


def _day_index(model: Model, frame: pd.DataFrame | None = None) -> Array:
    """Row number (day - 1) of each slot, for rows made for every day of the plan."""
    frame = model.slots if frame is None else frame
    return frame["day"].to_numpy(dtype=np.int64) - 1


def _days(model: Model) -> list[int]:
    return list(range(1, model.config.plan.days + 1))


def _constrain(model: Model, family: str, labels: Sequence[Any], rows: Array, cols: Array,
               values: Array | float, lower: float | Array = -INF, upper: float | Array = INF,
               elastic: bool = False, sides: tuple[str, str] | None = None) -> None:
    """Rows ``lower <= sum <= upper`` named ``family_label``; in elastic mode each bounded
    side whose family (``sides``, default ``family``) has a weight gets a penalised slack."""
    index = model.lp.rows(family, labels, rows, cols, values, lower, upper)
    if not elastic:
        return
    low_family, high_family = sides or (family, family)
    lows = np.broadcast_to(np.asarray(lower, dtype=float), index.shape)
    highs = np.broadcast_to(np.asarray(upper, dtype=float), index.shape)
    for side, sign, bounded in ((low_family, 1.0, lows > -INF), (high_family, -1.0, highs < INF)):
        if side not in ELASTIC_WEIGHTS or not bounded.any():
            continue
        names = [f"{side}_{labels[i]}" for i in np.flatnonzero(bounded).tolist()]
        slack = model.lp.columns("slack", names)
        model.lp.add_entries(index[bounded], slack, sign)
        model.slacks.setdefault(side, []).extend(zip(names, slack.tolist(), strict=True))


def exact_use(model: Model) -> bool:
    """Whether every slot's y = 1 needs a serving (n >= y): the objectives that count y
    and the meal templates do."""
    return model.config.plan.objective in ("deviation", "typical") or templates_active(model)


def add_serving_variables(model: Model, relaxed: bool) -> None:
    """n: integer servings per slot; y: binary 'used' with min/max servings if used."""
    slots = model.slots
    count = len(slots)
    labels = range(count)
    model.n = model.lp.columns("n", labels, 0.0, INF, integer=not relaxed)
    model.y = model.lp.columns("y", labels, 0.0, 1.0, integer=not relaxed)
    most = slots["max_servings"].to_numpy(dtype=float)
    each = np.arange(count)
    _constrain(model, "use_max", labels, np.concatenate([each, each]),
               np.concatenate([model.n, model.y]), np.concatenate([np.ones(count), -most]),
               upper=0.0)
    least = slots["min_servings"].to_numpy(dtype=float)
    need = (least > 1) | exact_use(model)
    if need.any():
        rows = np.arange(int(need.sum()))
        _constrain(model, "use_min", np.flatnonzero(need).tolist(), np.concatenate([rows, rows]),
                   np.concatenate([model.n[need], model.y[need]]),
                   np.concatenate([np.ones(len(rows)), -np.maximum(least[need], 1.0)]),
                   lower=0.0)


def supplement_penalty(supplements: pd.DataFrame, config: Config) -> pd.Series:
    """Objective units per unit of each product: SUPPLEMENT_PENALTY for those that give more
    than B12 and are not taken daily anyway, so that food meets needs first."""
    if supplements.empty:
        return pd.Series(dtype=float)
    penalised = other_nutrients(supplements) & ~supplements.index.isin(
        list(config.supplements.daily))
    return pd.Series(np.where(penalised, SUPPLEMENT_PENALTY, 0.0), index=supplements.index)


def add_supplement_variables(model: Model, supplements: pd.DataFrame, relaxed: bool) -> None:
    """u: a unit of each allowed product per day and window (taken with its first occasion)."""
    products = allowed_products(supplements, model.config)
    columns = ["day", "window", "supplement", "dose", "cost", "penalty", "b12",
               *SUPPLEMENT_NUTRIENTS]
    if products.empty:
        model.supplement_slots = pd.DataFrame(columns=columns)
        model.u = np.zeros(0, dtype=np.int64)
        return
    penalty = supplement_penalty(products, model.config)
    per_product = pd.DataFrame({
        "supplement": products.index, "dose": products["b12_ug_per_unit"].astype(float),
        "cost": products["price_per_pack"] / products["units_per_pack"],
        "penalty": penalty.to_numpy(), "b12": products["b12_ug_per_unit"] > 0,
        **{n: products[n].astype(float) if n in products.columns else 0.0
           for n in SUPPLEMENT_NUTRIENTS}}).reset_index(drop=True)
    table = pd.concat([per_product.assign(day=d, window=w)
                       for d in _days(model) for w, _ in model.windows], ignore_index=True)
    model.u = model.lp.columns("u", range(len(table)), 0.0, 1.0, integer=not relaxed)
    model.supplement_slots = table[columns]


def _per_day(model: Model, family: str, column: str, mask: Array | None = None,
             lower: float = -INF, upper: float = INF, elastic: bool = False,
             sides: tuple[str, str] | None = None, suffix: str = "") -> None:
    """One row per day (``dN`` + suffix) over the servings of the slots in ``mask``."""
    days = _days(model)
    rows, cols, values = _day_index(model), model.n, model.slots[column].to_numpy(dtype=float)
    if mask is not None:
        rows, cols, values = rows[mask], cols[mask], values[mask]
    _constrain(model, family, [f"d{d}{suffix}" for d in days], rows, cols, values, lower, upper,
               elastic, sides)


def add_energy(model: Model, elastic: bool) -> None:
    """Energy per day within [min, max] kcal."""
    lo, hi = model.config.nutrients.energy_kcal
    _per_day(model, "energy", "energy", lower=lo, upper=hi, elastic=elastic,
             sides=("energy_min", "energy_max"))


def add_energy_shares(model: Model, elastic: bool) -> None:
    """Each occasion's energy share of the day within its [min, max]."""
    days, day = _days(model), _day_index(model)
    energy = model.slots["energy"].to_numpy(dtype=float)
    occasion = model.slots["occasion"].to_numpy()
    for o in model.config.occasions:
        if not o.energy_share:
            continue
        mine = occasion == o.name
        for family, share, lower, upper in (("energy_share_min", o.energy_share[0], 0.0, INF),
                                            ("energy_share_max", o.energy_share[1], -INF, 0.0)):
            if (family.endswith("min") and share <= 0) or (family.endswith("max") and share >= 1):
                continue
            _constrain(model, family, [f"d{d}_{o.name}" for d in days],
                       np.concatenate([day[mine], day]),
                       np.concatenate([model.n[mine], model.n]),
                       np.concatenate([energy[mine], -share * energy]), lower, upper, elastic)


def add_sugars(model: Model, elastic: bool) -> None:
    """Sugars per occasion and per day at most their limits."""
    for o in model.config.occasions:
        if o.max_sugars_g is not None:
            _per_occasion(model, "sugars_max", "sugars", o, upper=o.max_sugars_g,
                          elastic=elastic, sides=("", "sugars_occasion_max"))
    daily = model.config.nutrients.sugars_g_max
    if daily > 0:
        _per_day(model, "sugars_max", "sugars", upper=daily, elastic=elastic)


def _per_occasion(model: Model, family: str, column: str, occasion: Occasion,
                  mask: Array | None = None, lower: float = -INF, upper: float = INF,
                  elastic: bool = False, sides: tuple[str, str] | None = None,
                  suffix: str = "") -> None:
    """One row per day (``dN_occasion`` + suffix) over this occasion's slots in ``mask``."""
    mine = model.slots["occasion"].to_numpy() == occasion.name
    if mask is not None:
        mine &= mask
    _constrain(model, family, [f"d{d}_{occasion.name}{suffix}" for d in _days(model)],
               _day_index(model)[mine], model.n[mine],
               model.slots[column].to_numpy(dtype=float)[mine], lower, upper, elastic, sides)


def add_portions(model: Model, elastic: bool) -> None:
    """Grams of solids and millilitres of liquids per occasion at most their limits."""
    liquid = model.slots["liquid"].to_numpy(dtype=bool)
    for o in model.config.occasions:
        if o.max_solids_g is not None:
            _per_occasion(model, "solids_max", "serving_g", o, ~liquid, upper=o.max_solids_g,
                          elastic=elastic)
        if o.max_liquids_ml:
            _per_occasion(model, "liquids_max", "serving_g", o, liquid, upper=o.max_liquids_ml,
                          elastic=elastic)


def add_fluids(model: Model, elastic: bool) -> None:
    """Millilitres of drinks per day at least the minimum, unless plain water fills
    (``fluids.py``): then only, where every occasion caps liquids, room for the water."""
    config = model.config
    if fills(config):
        capped = {o.name for o in config.occasions if o.max_liquids_ml is not None}
        slots = model.slots
        capped_liquid = (slots["liquid"].astype(bool) & slots["occasion"].isin(capped))
        values = slots["water_ml"].to_numpy(dtype=float) \
            - slots["serving_g"].to_numpy(dtype=float) * capped_liquid.to_numpy(dtype=float)
        for day in _days(model):
            mine = (slots["day"] == day).to_numpy()
            capacity_row(model.lp, f"d{day}", model.n[mine], values[mine], config)
        return
    minimum = config.nutrients.fluids_ml_min
    if minimum > 0:
        _per_day(model, "fluids_min", "serving_g", model.slots["liquid"].to_numpy(dtype=bool),
                 lower=minimum, elastic=elastic)


def _count_limit(model: Model, family: str, keys: list[str], limit: float, variables: Array,
                 mask: Array | None = None, weights: Array | None = None) -> None:
    """Sum of ``variables`` per group of ``keys`` at most ``limit``, only for groups where the
    sum of ``weights`` (1 each by default) could exceed it."""
    slots = model.slots if mask is None else model.slots[mask]
    variables = variables if mask is None else variables[mask]
    labels, group = _groups(slots, keys)
    if not labels:
        return
    capacity = np.bincount(group, weights=weights if weights is not None else None,
                           minlength=len(labels))
    over = capacity > limit
    if not over.any():
        return
    renumber = np.cumsum(over) - 1
    keep = over[group]
    names = ["_".join(f"d{part}" if k == "day" else str(part) for k, part in zip(keys, key,
                                                                                strict=True))
             for key, wanted in zip(labels, over.tolist(), strict=True) if wanted]
    _constrain(model, family, names, renumber[group[keep]], variables[keep], 1.0, upper=limit)


def max_days(config: Config) -> int:
    """Days of the plan a food family may be eaten on."""
    return math.ceil(config.variety.max_days_per_food_per_week * config.plan.days / 7)


def free_families(config: Config, foods: pd.DataFrame) -> set[str]:
    """Families of the foods that may repeat freely (their days are not counted)."""
    return set(foods.loc[foods.index.isin(config.variety.repeat_freely), "family"])


def add_variety(model: Model, relaxed: bool) -> None:
    """Distinct foods per occasion and per group, servings per food per day, days per food."""
    variety = model.config.variety
    slots = model.slots
    _count_limit(model, "foods_per_occasion", ["day", "occasion"],
                 variety.max_foods_per_occasion, model.y)
    limited = ~slots["group"].isin(GROUPS_WITHOUT_LIMIT).to_numpy()
    _count_limit(model, "foods_per_group", ["day", "occasion", "group"],
                 variety.max_foods_per_group_per_occasion, model.y, limited)
    several = slots.duplicated(["day", "food"], keep=False).to_numpy()
    _count_limit(model, "servings_per_day", ["day", "food"],
                 variety.max_servings_per_food_per_day, model.n, several,
                 slots["max_servings"].to_numpy(dtype=float)[several])
    most = max_days(model.config)
    if most >= model.config.plan.days:
        return
    free = slots.loc[slots["food"].isin(variety.repeat_freely), "family"].unique()
    counted = ~(slots["energy_free"] | slots["family"].isin(free)).to_numpy(dtype=bool)
    keys, used_on = _groups(slots[counted], ["family", "day"])
    model.z = dict(zip(keys, model.lp.columns(
        "z", [f"{food}_d{day}" for food, day in keys], 0.0, 1.0, integer=not relaxed).tolist(),
        strict=True))
    z = np.array(list(model.z.values()), dtype=np.int64)
    each = np.arange(len(used_on))
    _constrain(model, "day_used", np.flatnonzero(counted).tolist(),
               np.concatenate([each, each]), np.concatenate([model.y[counted], z[used_on]]),
               np.concatenate([np.ones(len(each)), -np.ones(len(each))]), upper=0.0)
    foods, food_of = np.unique([food for food, _ in keys], return_inverse=True)
    days_of = np.bincount(food_of, minlength=len(foods))
    over = days_of > most
    if over.any():
        renumber = np.cumsum(over) - 1
        keep = over[food_of]
        _constrain(model, "days_per_food", foods[over].tolist(), renumber[food_of[keep]],
                   z[keep], 1.0, upper=most)


def add_group_servings(model: Model, elastic: bool) -> None:
    """Servings per day of each food group within its [min, max]."""
    group = model.slots["group"].to_numpy()
    for name, (lo, hi) in model.config.variety.group_servings_per_day.items():
        _per_day(model, "group_servings", "one", group == name,
                 lower=lo if lo > 0 else -INF, upper=hi, elastic=elastic,
                 sides=("group_min", "group_max"), suffix=f"_{name}")


def add_occasion_groups(model: Model, elastic: bool) -> None:
    """At least one serving from each required set of groups at an occasion."""
    group = model.slots["group"]
    for o in model.config.occasions:
        for number, groups in enumerate(o.require_groups, start=1):
            _per_occasion(model, "occasion_groups", "one", o, group.isin(groups).to_numpy(),
                          lower=1.0, elastic=elastic, suffix=f"_{number}")


def templates_active(model: Model) -> bool:
    """Meal structure applies: asked for, and every candidate food has a role."""
    return (model.config.plan.meal_structure == "nhanes" and not model.slots.empty
            and bool((model.slots["role"] != "").all()))


def add_templates(model: Model, relaxed: bool) -> None:
    """Each occasion is one meal template (or, for snacks and drinks, nothing): at least one
    food of each of its roles, none of other roles (water goes with anything)."""
    if not templates_active(model):
        return
    slots = model.slots
    role = slots["role"].to_numpy()
    occasion = slots["occasion"].to_numpy()
    day = slots["day"].to_numpy()
    for o in model.config.occasions:
        options = allowed(o)
        at = occasion == o.name
        roles = sorted(set(role[at]) - {"water"})
        usable = [t for t in options if set(t.roles) <= set(roles)][:TEMPLATES_PER_OCCASION]
        for d in _days(model):
            here = at & (day == d)
            if not here.any() or not usable:
                continue
            cols = model.lp.columns("t", [f"d{d}_{o.name}_{t.name}" for t in usable], 0.0, 1.0,
                                    integer=not relaxed)
            model.t[(d, o.name)] = list(zip(usable, cols.tolist(), strict=True))
            pick = (1.0, 1.0) if o.kind == "meal" else (0.0, 1.0)
            model.lp.rows("template_one", [f"d{d}_{o.name}"], np.zeros(len(cols), np.int64),
                          cols, 1.0, *pick)
            for r in roles:
                mine = np.flatnonzero(here & (role == r))
                wanted = np.array([c for t, c in model.t[(d, o.name)] if r in t.roles],
                                  dtype=np.int64)
                ys = model.y[mine]
                model.lp.rows("template_role_min", [f"d{d}_{o.name}_{r}"],
                              np.zeros(len(ys) + len(wanted), dtype=np.int64),
                              np.concatenate([ys, wanted]),
                              np.concatenate([np.ones(len(ys)), -np.ones(len(wanted))]),
                              lower=0.0)
                each = np.arange(len(ys))
                model.lp.rows("template_role_max", [f"{d}_{o.name}_{i}" for i in mine],
                              np.concatenate([each, np.repeat(each, len(wanted))]),
                              np.concatenate([ys, np.tile(wanted, len(ys))]),
                              np.concatenate([np.ones(len(ys)),
                                              -np.ones(len(ys) * len(wanted))]), upper=0.0)


def add_meal_protein(model: Model, elastic: bool) -> None:
    """Protein at an occasion at least its min_protein_g."""
    for o in model.config.occasions:
        if o.min_protein_g:
            _per_occasion(model, "meal_protein_min", "protein", o, lower=o.min_protein_g,
                          elastic=elastic)


def add_distinct_meals(model: Model) -> None:
    """A food family (not drinks, bread, fats or condiments) at one meal of a day at most."""
    if not model.config.variety.distinct_meals:
        return
    slots = model.slots
    mask = ((slots["kind"] == "meal") & ~slots["role"].isin(DISTINCT_EXEMPT_ROLES)
            & ~slots["energy_free"]).to_numpy(dtype=bool)
    _count_limit(model, "distinct_meals", ["day", "family"], 1, model.y, mask)


def add_group_uses(model: Model, elastic: bool) -> None:
    """Foods of a group eaten per week within [min, max] (pro rata for other lengths)."""
    group = model.slots["group"].to_numpy()
    scale = model.config.plan.days / 7
    rules = model.config.variety.group_uses_per_week
    if any(lo * scale > 1e-9 for lo, _hi in rules.values()):
        used_means_eaten(model)   # a minimum counts foods eaten, not foods marked used
    for name, (lo, hi) in rules.items():
        mine = group == name
        low, high = lo * scale, hi * scale
        _constrain(model, "group_uses", [f"week_{name}"], np.zeros(int(mine.sum()), np.int64),
                   model.y[mine], 1.0, lower=low if low > 1e-9 else -INF, upper=high,
                   elastic=elastic, sides=("group_uses_min", "group_uses_max"))


def add_portion_deviation(model: Model, relaxed: bool, skip: bool,
                          reference: dict[tuple[str, str], float]) -> None:
    """d per slot: how far its grams are from the person's own portion, in portions (with
    ``[diet] reference``). Left out of relaxations, where it would only weaken the
    objective's bound (it is never negative). Without a reference, portions stay within the
    NHANES quartiles of each food (its min and max servings)."""
    if relaxed or skip or not reference:
        return
    slots = model.slots
    keys = list(zip(slots["occasion"], slots["food"], strict=True))
    usual = np.array([reference.get(k, u) for k, u in
                      zip(keys, slots["typical_g"].to_numpy(dtype=float), strict=True)])
    grams = slots["serving_g"].to_numpy(dtype=float) / usual
    count = len(slots)
    model.d = model.lp.columns("d", range(count))
    each = np.arange(count)
    for family, sign in (("portion_over", 1.0), ("portion_under", -1.0)):
        model.lp.rows(family, range(count), np.concatenate([each, each, each]),
                      np.concatenate([model.d, model.n, model.y]),
                      np.concatenate([np.ones(count), -sign * grams, sign * np.ones(count)]),
                      lower=0.0)


def _typical_objective(model: Model) -> None:
    """Unpopular foods at this occasion and rare meal templates."""
    lp = model.lp
    lp.add_cost(model.y, model.slots["unpopularity"].to_numpy(dtype=float))
    for options in model.t.values():
        lp.add_cost(np.array([c for _, c in options], dtype=np.int64),
                    [TEMPLATE_WEIGHT * t.rarity() for t, _ in options])


def _reference_objective(model: Model, reference: dict[tuple[str, str], float]) -> None:
    """Departure from the person's own meals: each food they do not eat at that occasion
    costs one, each of theirs kept earns one, portions away from theirs cost; typical
    eating breaks ties."""
    lp = model.lp
    keys = zip(model.slots["occasion"], model.slots["food"], strict=True)
    known = np.array([k in reference for k in keys], dtype=bool)
    lp.add_cost(model.y, np.where(known, -REFERENCE_KEEP, REFERENCE_NEW)
                + 0.1 * model.slots["unpopularity"].to_numpy(dtype=float))
    for options in model.t.values():
        lp.add_cost(np.array([c for _, c in options], dtype=np.int64),
                    [0.1 * TEMPLATE_WEIGHT * t.rarity() for t, _ in options])
    if len(model.d):
        lp.add_cost(model.d, PORTION_WEIGHT)


def add_inclusions(model: Model, elastic: bool) -> None:
    """Foods named in diet.include appear at least once in the plan."""
    include = list(model.config.diet.include)
    if not include:
        return
    used_means_eaten(model)
    food = model.slots["food"].to_numpy()
    mine = np.isin(food, include)
    row_of = {name: i for i, name in enumerate(include)}
    _constrain(model, "include", include, np.array([row_of[f] for f in food[mine]],
                                                   dtype=np.int64),
               model.y[mine], 1.0, lower=1.0, elastic=elastic)


def add_supplement_rules(model: Model, elastic: bool) -> None:
    """[b12] supplements = "required": at least one B12 product a day."""
    if model.config.b12.supplements != "required":
        return
    table = model.supplement_slots
    mine = table["b12"].to_numpy(dtype=bool) if not table.empty else np.zeros(0, dtype=bool)
    _constrain(model, "supplement_required", [f"d{d}" for d in _days(model)],
               _day_index(model, table)[mine] if mine.any() else np.zeros(0, dtype=np.int64),
               model.u[mine], 1.0, lower=1.0, elastic=elastic)


def add_supplements_daily(model: Model, elastic: bool) -> None:
    """[supplements] daily: each listed product exactly its units every day."""
    table = model.supplement_slots
    for product, units in model.config.supplements.daily.items():
        mine = (table["supplement"] == product).to_numpy(dtype=bool)
        _constrain(model, "supplement_daily", [f"d{d}_{product}" for d in _days(model)],
                   _day_index(model, table)[mine], model.u[mine], 1.0, lower=float(units),
                   upper=float(units), elastic=elastic, sides=("supplement_daily", ""))


def add_supplements_apart(model: Model) -> None:
    """[supplements] apart: no window has a product of each of the two lists."""
    rules = model.config.supplements.apart
    table = model.supplement_slots
    if not rules or table.empty:
        return
    first, second = (table["supplement"].isin(ids).to_numpy() for ids in rules)
    for (day, window), part in table.groupby(["day", "window"], sort=True):
        index = part.index.to_numpy()
        for i in index[first[index]]:
            for j in index[second[index]]:
                if i != j:
                    model.lp.rows("supplements_apart", [f"d{day}_w{window}_{i}_{j}"],
                                  np.zeros(2, dtype=np.int64),
                                  np.array([model.u[i], model.u[j]]), 1.0, upper=1.0)


def _nutrient_terms(model: Model, target: Target,
                    foods: bool = True) -> tuple[Array, Array, Array]:
    """Rows (day - 1), columns and amounts per unit of a nutrient, from servings (unless
    ``foods`` is false) and from tablets."""
    parts = []
    if foods:
        parts.append((_day_index(model), model.n,
                      model.slots[target.nutrient].to_numpy(dtype=float)))
    table = model.supplement_slots
    if not table.empty and target.nutrient in table.columns:
        amounts = table[target.nutrient].to_numpy(dtype=float)
        some = amounts > 0
        parts.append((_day_index(model, table)[some], model.u[some], amounts[some]))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    rows, cols, values = (np.concatenate(p) for p in zip(*parts, strict=True))
    return rows, cols, values


def add_nutrient_needs(model: Model, elastic: bool) -> None:
    """Each nutrient need per day at least its value (rows scaled to shares of the need)."""
    for target in model.targets:
        if target.kind != "need" or target.value <= 0:
            continue
        rows, cols, values = _nutrient_terms(model, target)
        _constrain(model, "need", [f"{target.nutrient}_d{d}" for d in _days(model)], rows, cols,
                   values / target.value, lower=1.0, elastic=elastic)


def add_nutrient_limits(model: Model, elastic: bool) -> None:
    """Upper limits per day: of the total, of what tablets give, or as a share of energy."""
    for target in model.targets:
        if target.kind != "limit":
            continue
        labels = [f"{target.nutrient}_d{d}" for d in _days(model)]
        if target.scope == "energy_share":
            kcal = KCAL_PER_G.get(target.nutrient, 0.0)
            energy = model.slots["energy"].to_numpy(dtype=float)
            amounts = model.slots[target.nutrient].to_numpy(dtype=float)
            _constrain(model, "energy_share_limit", labels, _day_index(model), model.n,
                       kcal * amounts - target.value * energy, upper=0.0, elastic=elastic)
            continue
        rows, cols, values = _nutrient_terms(model, target, foods=target.scope == "total")
        scale = max(target.value, 1e-9)
        _constrain(model, "limit" if target.scope == "total" else "supplement_limit", labels,
                   rows, cols, values / scale, upper=target.value / scale, elastic=elastic)


def add_b12(model: Model, elastic: bool, target: bool = True) -> None:
    """X per window, the chord hypograph of the IF term, and the absorbed target."""
    params, lp = model.params, model.lp
    slots, table = model.slots, model.supplement_slots
    position = {w: i for i, (w, _) in enumerate(model.windows)}
    count = len(model.windows)
    keys = [(d, w) for d in _days(model) for w, _ in model.windows]
    labels = [f"d{d}_w{w}" for d, w in keys]

    def cell(frame: pd.DataFrame) -> Array:
        if frame.empty:
            return np.zeros(0, dtype=np.int64)
        return _day_index(model, frame) * count + frame["window"].map(position).to_numpy()

    slot_cell, tab_cell = cell(slots), cell(table)
    doses = table["dose"].to_numpy(dtype=float) if not table.empty else np.zeros(0)
    x = lp.columns("x", labels)
    model.x = dict(zip(keys, x.tolist(), strict=True))
    _constrain(model, "b12_x", labels,
               np.concatenate([slot_cell, tab_cell, np.arange(len(keys))]),
               np.concatenate([model.n, model.u, x]),
               np.concatenate([slots["b12_in"].to_numpy(dtype=float), doses,
                               -np.ones(len(keys))]), 0.0, 0.0)
    if params.k_if > 0:
        a = lp.columns("a", labels, 0.0, params.k_if * params.cmax_ug)
        model.a = dict(zip(keys, a.tolist(), strict=True))
        pieces = chords(params)
        each = np.arange(len(keys))
        for j, (alpha, beta) in enumerate(pieces):
            _constrain(model, "b12_chord", [f"{label}_{j}" for label in labels],
                       np.concatenate([each, each]), np.concatenate([a, x]),
                       np.concatenate([np.ones(len(keys)), np.full(len(keys),
                                                                   -params.k_if * beta)]),
                       upper=params.k_if * alpha)
        # A is concave with A(0) = 0, hence subadditive: A(sum x_i) <= sum A(x_i).
        # Bounding a by the IF term of each serving alone is valid and cuts off
        # fractional sprinkles of B12-dense foods from the relaxation.
        tab_if = [if_absorbed_ug(d, params) for d in doses.tolist()]
        _constrain(model, "b12_subadditive", labels,
                   np.concatenate([each, slot_cell, tab_cell]),
                   np.concatenate([a, model.n, model.u]),
                   np.concatenate([np.ones(len(keys)), -slots["b12_if"].to_numpy(dtype=float),
                                   -np.asarray(tab_if, dtype=float)]), upper=0.0)
    if target:
        _add_b12_target(model, elastic)


def _add_b12_target(model: Model, elastic: bool) -> None:
    """Absorbed B12 (chords + passive with food) per day, or per week with a daily floor."""
    config, passive = model.config, model.params.passive_with_food
    injection = injection_per_day_ug(config)
    goal = config.target_ug()
    days = _days(model)
    rows = [d - 1 for d, _ in model.a] + [d - 1 for d, _ in model.x]
    cols = [*model.a.values(), *model.x.values()]
    values = [1.0] * len(model.a) + [passive] * len(model.x)
    rows_a, cols_a, values_a = (np.asarray(rows, dtype=np.int64), np.asarray(cols),
                                np.asarray(values))
    if config.b12.target_period == "day":
        _constrain(model, "b12_target", [f"d{d}" for d in days], rows_a, cols_a, values_a,
                   lower=goal - injection, elastic=elastic)
        return
    _constrain(model, "b12_target", ["week"], np.zeros(len(cols), dtype=np.int64), cols_a,
               values_a, lower=(goal - injection) * config.plan.days, elastic=elastic)
    _constrain(model, "b12_floor", [f"d{d}" for d in days], rows_a, cols_a, values_a,
               lower=config.b12.daily_floor_ug - injection, elastic=elastic)


def add_safety(model: Model, elastic: bool) -> None:
    """The [safety] rules: caps per occasion (caffeine late, added sugars), seafood over
    the plan, B12 from tablets per day."""
    config = model.config
    for occasion in config.occasions:
        for column, most in occasion_caps(occasion, config).items():
            if column in model.slots.columns:
                _per_occasion(model, f"{column}_occasion_max", column, occasion, upper=most,
                              elastic=elastic)
    rules = resolve(config)
    if rules.seafood_g_per_week is not None:
        low, high = (v * config.plan.days / 7 for v in rules.seafood_g_per_week)
        _constrain(model, "seafood_g", ["plan"], np.zeros(len(model.n), dtype=np.int64),
                   model.n, model.slots["seafood_g"].to_numpy(dtype=float), low, high, elastic)
    table = model.supplement_slots
    if rules.oral_supplement_ug is not None and not table.empty:
        _constrain(model, "b12_oral_dose", [f"d{d}" for d in _days(model)],
                   _day_index(model, table), model.u, table["dose"].to_numpy(dtype=float),
                   *rules.oral_supplement_ug, elastic=elastic)


def add_budget(model: Model, elastic: bool) -> None:
    """Cost of foods and supplements over the plan at most the weekly budget, pro rata."""
    budget = model.config.budget.max_per_week
    if budget <= 0:
        return
    cols, values = cost_terms(model)
    _constrain(model, "budget", ["plan"], np.zeros(len(cols), dtype=np.int64), cols, values,
               upper=budget * model.config.plan.days / 7, elastic=elastic)


def cost_terms(model: Model) -> tuple[Array, Array]:
    """Columns and currency per unit of the plan's cost."""
    values = [model.slots["cost"].to_numpy(dtype=float)]
    if not model.supplement_slots.empty:
        values.append(model.supplement_slots["cost"].to_numpy(dtype=float))
    return np.concatenate([model.n, model.u]), np.concatenate(values)


def absorbed_terms(model: Model) -> tuple[Array, Array]:
    """Absorbed B12 over all windows as the optimizer sees it (chords + passive with food)."""
    cols = [*model.a.values(), *model.x.values()]
    values = [1.0] * len(model.a) + [model.params.passive_with_food] * len(model.x)
    return np.asarray(cols, dtype=np.int64), np.asarray(values)


def tie_break_weight(food: str, day: int) -> float:
    """Deterministic weight in [0, 1) per food and day (same inputs, same plan)."""
    return zlib.crc32(f"{food}|{day}".encode()) / 2**32


def add_objective(model: Model, elastic: bool, maximize_b12: bool,
                  repeat_penalty: dict[str, float],
                  reference: dict[tuple[str, str], float]) -> None:
    """Objective of [plan] objective, plus a small tie-break so that days differ.

    ``repeat_penalty`` (food -> currency units per use) is the week's variety term seen
    from one day: what eating a food costs because the other days eat it too.
    """
    lp = model.lp
    if maximize_b12:
        lp.add_cost(*absorbed_terms(model))
        return
    if elastic:
        for family, items in model.slacks.items():
            lp.add_cost(np.array([col for _, col in items], dtype=np.int64),
                        ELASTIC_WEIGHTS[family])
        return
    objective = model.config.plan.objective
    cols, cost = cost_terms(model)
    if reference:
        _reference_objective(model, reference)
        lp.add_cost(cols, 0.01 * model.config.plan.cost_weight * cost)
    elif objective == "typical":
        _typical_objective(model)
        lp.add_cost(cols, model.config.plan.cost_weight * cost)
    elif objective == "cost":
        lp.add_cost(cols, cost)
    elif objective == "deviation":
        lp.add_cost(model.n, 1.0)
        lp.add_cost(model.y, -1.0)
        lp.add_cost(cols, 0.001 * cost)
    else:
        lp.add_cost(*absorbed_terms(model))
        lp.add_cost(cols, 0.001 * cost)
    if not model.supplement_slots.empty:
        lp.add_cost(model.u, model.supplement_slots["penalty"].to_numpy(dtype=float))
    if model.z:
        lp.add_cost(np.array(list(model.z.values()), dtype=np.int64),
                    [TIE_BREAK * tie_break_weight(name, day) for name, day in model.z])
    if repeat_penalty:
        families = model.slots["family"]
        lp.add_cost(model.y, families.map(repeat_penalty).fillna(0.0).to_numpy(dtype=float))


def _indicators(model: Model, family: str, keys: Array, relaxed: bool) -> tuple[list[Any], Array]:
    """One column per distinct key of the slots given by ``keys`` (a label per slot, "" for
    none), equal to 1 exactly when a slot of that key is used: y <= ind <= sum of y."""
    mask = keys != ""
    labels, group = _groups(pd.DataFrame({"key": keys[mask]}), "key")
    if not labels:
        return [], np.zeros(0, dtype=np.int64)
    cols = model.lp.columns(family, labels, 0.0, 1.0, integer=not relaxed)
    ys = model.y[mask]
    each = np.arange(len(ys))
    model.lp.rows(f"{family}_at_least", [f"{labels[g]}_{i}" for i, g in enumerate(group)],
                  np.concatenate([each, each]), np.concatenate([ys, cols[group]]),
                  np.concatenate([np.ones(len(ys)), -np.ones(len(ys))]), upper=0.0)
    model.lp.rows(f"{family}_at_most", labels, np.concatenate([group, np.arange(len(labels))]),
                  np.concatenate([ys, cols]),
                  np.concatenate([-np.ones(len(ys)), np.ones(len(labels))]), upper=0.0)
    return labels, cols


def used_means_eaten(model: Model) -> None:
    """y = 1 only with a serving (n >= y), once per model: where y is priced or counted
    for its own sake, not only as a switch for n."""
    if exact_use(model) or any(block.family == "used_has_servings"
                               for block in model.lp.row_blocks):
        return
    each = np.arange(len(model.slots))
    model.lp.rows("used_has_servings", each.tolist(), np.concatenate([each, each]),
                  np.concatenate([model.n, model.y]),
                  np.concatenate([np.ones(len(each)), -np.ones(len(each))]), lower=0.0)


def add_prices(model: Model, prices: Prices, relaxed: bool) -> None:
    """The week's prices of a one-day menu's cost, absorbed B12, group uses, food families
    (those with energy) and included foods, on top of its own objective. A price can be a
    reward, so a food counts as used only with a serving."""
    lp, slots = model.lp, model.slots
    used_means_eaten(model)
    cols, cost = cost_terms(model)
    if prices.cost:
        lp.add_cost(cols, prices.cost * cost)
    if prices.absorbed_ug:
        absorbed, weights = absorbed_terms(model)
        lp.add_cost(absorbed, prices.absorbed_ug * weights)
    if prices.groups:
        lp.add_cost(model.y, slots["group"].map(prices.groups).fillna(0.0).to_numpy(float))
    priced = slots["family"].isin([f for f, v in prices.families.items() if v]) \
        & ~slots["energy_free"].astype(bool)
    families = np.where(priced.to_numpy(), slots["family"].to_numpy(dtype=str), "")
    labels, family_cols = _indicators(model, "family_used", families, relaxed)
    lp.add_cost(family_cols, [prices.families[f] for f in labels])
    wanted = slots["food"].isin([f for f, v in prices.foods.items() if v]).to_numpy()
    foods = np.where(wanted, slots["food"].to_numpy(dtype=str), "")
    labels, food_cols = _indicators(model, "food_used", foods, relaxed)
    lp.add_cost(food_cols, [prices.foods[f] for f in labels])
