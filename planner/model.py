"""Build the mixed-integer model of a weekly plan from (foods, supplements, config).

One ``add_*`` function per constraint family; each returns early when its rule does not
apply and names its rows after their labels (``b12_target_d3``, ``energy_share_d1_lunch``).
Coefficients come from a slot table (one row per day, occasion and candidate food) so rows
are assembled from arrays as (variable, coefficient) pairs. No I/O happens here.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pulp

from .absorption import (
    AbsorptionParams,
    chords,
    if_absorbed_ug,
    injection_per_day_ug,
    windows_of,
)
from .config import Config, Occasion
from .errors import PlannerError
from .foods import diet_mask, occasion_tokens

ENERGY_FREE_KCAL = 5.0  # per 100 g: water, tea, coffee, broth are exempt from variety limits
GROUPS_WITHOUT_LIMIT = ("vegetable", "fruit", "beverage")
TIE_BREAK = 1e-4        # currency units per food-day, so that days differ at equal cost
ELASTIC_WEIGHTS = {     # penalty per unit of relaxation in the elastic re-solve
    "b12_target": 1000.0, "b12_floor": 1000.0, "energy_min": 1.0, "energy_max": 1.0,
    "protein_min": 10.0, "fluids_min": 0.5, "fiber_min": 10.0, "sugars_max": 10.0,
    "group_min": 100.0, "group_max": 100.0, "include": 100.0, "budget": 10.0,
    "solids_max": 0.5, "sugars_occasion_max": 10.0, "energy_share_min": 1.0,
    "energy_share_max": 1.0, "supplement_required": 1000.0, "occasion_groups": 50.0,
}


@dataclass
class Model:
    """A built model: the PuLP problem plus the labelled tables needed to read it back."""

    prob: pulp.LpProblem
    config: Config
    foods: pd.DataFrame                 # candidate foods only
    slots: pd.DataFrame                 # day, occasion, window, food, coefficients, n, y
    supplement_slots: pd.DataFrame      # day, window, supplement, dose, cost, u
    windows: list[tuple[int, tuple[str, ...]]]
    params: AbsorptionParams
    x: dict[tuple[int, int], Any] = field(default_factory=dict)
    a: dict[tuple[int, int], Any] = field(default_factory=dict)
    z: dict[tuple[str, int], Any] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    slacks: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)


def linear(terms: Iterable[tuple[Any, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    """An expression from (variable, coefficient) pairs: the fast build path of PuLP 3.x.

    The one place to change for PuLP 4 (``lpSum_vars_coefs``).
    """
    coefficients: dict[Any, float] = {}
    for var, coef in terms:
        if coef:
            coefficients[var] = coefficients.get(var, 0.0) + float(coef)
    return pulp.LpAffineExpression(list(coefficients.items()), constant)


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
    if not config.diet.fortified:
        fortified = foods["b12_added_ug"] > 0
        reasons["fortified"] = int((keep & fortified).sum())
        keep &= ~fortified
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


def _allowed(food_tokens: frozenset[str], liquid: bool, occasion: Occasion) -> bool:
    if not food_tokens & set(occasion.tokens()):
        return False
    if occasion.kind == "drink" and not liquid:
        return False
    if liquid and occasion.max_liquids_ml == 0:
        return False
    return not (not liquid and occasion.max_solids_g == 0)


def build_slots(foods: pd.DataFrame, config: Config, params: AbsorptionParams,
                shortlist: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """One row per (day, occasion, candidate food) with per-serving coefficients.

    ``shortlist`` keeps only the (occasion, food) pairs it names.
    """
    tokens = occasion_tokens(foods)
    windows = windows_of(config.occasions, params.tau_h)
    grams = foods["serving_g"]
    per_serving = foods[["energy_kcal", "protein_g", "sugars_g", "fiber_g"]].fillna(0.0)
    per_serving = per_serving.mul(grams / 100.0, axis=0)
    matrix = np.array([params.matrix_factor(g, m) for g, m in
                       zip(foods["group"], foods["b12_matrix"], strict=True)])
    bound = (foods["b12_ug"] - foods["b12_added_ug"]).clip(lower=0) * grams / 100.0
    base = pd.DataFrame({
        "food": foods.index, "group": foods["group"], "serving_g": grams,
        "liquid": foods["liquid"], "energy": per_serving["energy_kcal"],
        "protein": per_serving["protein_g"], "sugars": per_serving["sugars_g"],
        "fiber": per_serving["fiber_g"], "bound_eff": bound * matrix,
        "crystalline": foods["b12_added_ug"] * grams / 100.0,
        "cost": foods["price_per_kg"].fillna(0.0) * grams / 1000.0,
        "min_servings": foods["min_servings"].astype(int),
        "max_servings": np.minimum(foods["max_servings"],
                                   config.variety.max_servings_per_food_per_day).astype(int),
        "energy_free": foods["energy_kcal"] < ENERGY_FREE_KCAL, "one": 1.0,
    }).reset_index(drop=True)
    frames = []
    for position, occasion in enumerate(config.occasions):
        mask = [_allowed(tokens[f], bool(liq), occasion)
                and (shortlist is None or (occasion.name, f) in shortlist)
                for f, liq in zip(base["food"], base["liquid"], strict=True)]
        part = base[mask].assign(occasion=occasion.name, occasion_pos=position,
                                 window=windows[position])
        frames.append(part)
    per_day = pd.concat(frames, ignore_index=True)
    days = range(1, config.plan.days + 1)
    slots = pd.concat([per_day.assign(day=d) for d in days], ignore_index=True)
    slots["min_servings"] = slots[["min_servings", "max_servings"]].min(axis=1)
    return slots


def build_model(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config, *,
                relaxed: bool = False, elastic: bool = False, maximize_b12: bool = False,
                shortlist: set[tuple[str, str]] | None = None,
                repeat_penalty: dict[str, float] | None = None) -> Model:
    """The plan's MILP (or its LP relaxation, elastic variant, or max-B12 variant)."""
    params = AbsorptionParams.from_config(config)
    candidates, excluded = candidate_foods(foods, config)
    slots = build_slots(candidates, config, params, shortlist)
    windows = _window_list(config, params)
    prob = pulp.LpProblem("b12_plan", pulp.LpMaximize if maximize_b12 else pulp.LpMinimize)
    model = Model(prob=prob, config=config, foods=candidates, slots=slots,
                  supplement_slots=pd.DataFrame(), windows=windows, params=params,
                  excluded=excluded)
    add_serving_variables(model, relaxed)
    add_supplement_variables(model, supplements, relaxed)
    add_energy(model, elastic)
    add_energy_shares(model, elastic)
    add_protein(model, elastic)
    add_sugars(model, elastic)
    add_fiber(model, elastic)
    add_portions(model, elastic)
    add_fluids(model, elastic)
    add_variety(model, relaxed)
    add_group_servings(model, elastic)
    add_occasion_groups(model, elastic)
    add_inclusions(model, elastic)
    add_supplement_rules(model, elastic)
    add_b12(model, elastic, target=not maximize_b12)
    add_budget(model, elastic)
    add_objective(model, elastic, maximize_b12, repeat_penalty or {})
    return model


def _window_list(config: Config, params: AbsorptionParams) -> list[tuple[int, tuple[str, ...]]]:
    numbers = windows_of(config.occasions, params.tau_h)
    out: dict[int, list[str]] = {}
    for number, occasion in zip(numbers, config.occasions, strict=True):
        out.setdefault(number, []).append(occasion.name)
    return [(w, tuple(names)) for w, names in out.items()]


def _slack(model: Model, family: str, label: str) -> Any:
    var = model.prob.add_variable(f"slack_{family}_{label}", 0, None)
    model.slacks.setdefault(family, []).append((label, var))
    return var


def _add(model: Model, expr: pulp.LpAffineExpression, sense: str, rhs: float, name: str,
         family: str, elastic: bool) -> None:
    """Add ``expr sense rhs``; in elastic mode with a penalised slack on the violated side."""
    if elastic and family in ELASTIC_WEIGHTS:
        slack = _slack(model, family, name)
        expr = expr + slack if sense == ">=" else expr - slack
    constraint = expr >= rhs if sense == ">=" else expr <= rhs
    model.prob.addConstraint(constraint, name)


def _terms(frame: pd.DataFrame, column: str, var: str = "n") -> list[tuple[Any, float]]:
    return list(zip(frame[var], frame[column], strict=True))


def _parts(frame: pd.DataFrame, keys: str | list[str]) -> dict[Any, np.ndarray]:
    """Row positions of each group of the slot table (no sub-frames: fast)."""
    if frame.empty:
        return {}
    groups: dict[Any, Any] = frame.groupby(keys, sort=True).indices
    return {key: np.asarray(groups[key]) for key in sorted(groups)}


def _at(model: Model, positions: Iterable[int], column: str,
        var: str = "n") -> list[tuple[Any, float]]:
    """(variable, coefficient) pairs of the slots at these positions."""
    variables, values = model.columns[var], model.columns[column]
    return [(variables[i], values[i]) for i in positions]


def add_serving_variables(model: Model, relaxed: bool) -> None:
    """n: integer servings per slot; y: binary 'used' with min/max servings if used."""
    slots = model.slots
    exact_use = model.config.plan.objective == "deviation"  # it counts y: y = 1 needs n >= 1
    cat_n = pulp.LpContinuous if relaxed else pulp.LpInteger
    cat_y = pulp.LpContinuous if relaxed else pulp.LpBinary
    ids = list(range(len(slots)))
    n = model.prob.add_variable_dicts("n", ids, 0, None, cat_n)
    y = model.prob.add_variable_dicts("y", ids, 0, 1, cat_y)
    slots["n"] = [n[i] for i in ids]
    slots["y"] = [y[i] for i in ids]
    model.columns = {c: slots[c].to_numpy() for c in slots.columns}
    for i, (lo, hi) in enumerate(zip(slots["min_servings"], slots["max_servings"],
                                     strict=True)):
        model.prob.addConstraint(linear([(n[i], 1.0), (y[i], -float(hi))]) <= 0, f"use_max_{i}")
        if lo > 1 or exact_use:
            model.prob.addConstraint(linear([(n[i], 1.0), (y[i], -float(max(lo, 1)))]) >= 0,
                                     f"use_min_{i}")


def add_supplement_variables(model: Model, supplements: pd.DataFrame, relaxed: bool) -> None:
    """u: tablets of each allowed product per day and window (taken with its first occasion)."""
    b12 = model.config.b12
    if b12.supplements == "none" or supplements.empty:
        model.supplement_slots = pd.DataFrame(columns=["day", "window", "supplement", "dose",
                                                       "cost", "u"])
        return
    products = supplements
    if b12.supplement_products:
        products = supplements.loc[list(b12.supplement_products)]
    rows = [{"day": d, "window": w, "supplement": s,
             "dose": float(products.loc[s, "b12_ug_per_unit"]),
             "cost": float(products.loc[s, "price_per_pack"] / products.loc[s, "units_per_pack"])}
            for d in range(1, model.config.plan.days + 1) for w, _ in model.windows
            for s in products.index]
    table = pd.DataFrame(rows)
    cat = pulp.LpContinuous if relaxed else pulp.LpInteger
    u = model.prob.add_variable_dicts("u", list(range(len(table))), 0, 1, cat)
    table["u"] = [u[i] for i in range(len(table))]
    model.supplement_slots = table


def add_energy(model: Model, elastic: bool) -> None:
    """Energy per day within [min, max] kcal."""
    lo, hi = model.config.nutrients.energy_kcal
    for day, rows in _parts(model.slots, "day").items():
        expr = linear(_at(model, rows, "energy"))
        _add(model, expr, ">=", lo, f"energy_min_d{day}", "energy_min", elastic)
        _add(model, expr, "<=", hi, f"energy_max_d{day}", "energy_max", elastic)


def add_energy_shares(model: Model, elastic: bool) -> None:
    """Each occasion's energy share of the day within its [min, max]."""
    shares = {o.name: o.energy_share for o in model.config.occasions if o.energy_share}
    if not shares:
        return
    days = _parts(model.slots, "day")
    by_occasion = _parts(model.slots, ["day", "occasion"])
    for day, rows in days.items():
        total = _at(model, rows, "energy")
        for name, (lo, hi) in shares.items():
            mine = _at(model, by_occasion.get((day, name), []), "energy")
            if lo > 0:
                expr = linear(mine + [(v, -lo * c) for v, c in total])
                _add(model, expr, ">=", 0.0, f"energy_share_min_d{day}_{name}",
                     "energy_share_min", elastic)
            if hi < 1:
                expr = linear(mine + [(v, -hi * c) for v, c in total])
                _add(model, expr, "<=", 0.0, f"energy_share_max_d{day}_{name}",
                     "energy_share_max", elastic)


def _daily_minimum(model: Model, column: str, minimum: float, family: str,
                   elastic: bool) -> None:
    """Sum of a per-serving column over each day at least ``minimum`` (rows ``family_dN``)."""
    if minimum <= 0:
        return
    for day, rows in _parts(model.slots, "day").items():
        _add(model, linear(_at(model, rows, column)), ">=", minimum, f"{family}_d{day}",
             family, elastic)


def add_protein(model: Model, elastic: bool) -> None:
    """Protein per day at least the minimum."""
    _daily_minimum(model, "protein", model.config.nutrients.protein_g_min, "protein_min",
                   elastic)


def add_sugars(model: Model, elastic: bool) -> None:
    """Sugars per occasion and per day at most their limits."""
    per_occasion = {o.name: o.max_sugars_g for o in model.config.occasions
                    if o.max_sugars_g is not None}
    for (day, name), rows in _parts(model.slots, ["day", "occasion"]).items():
        if name in per_occasion:
            _add(model, linear(_at(model, rows, "sugars")), "<=", per_occasion[name],
                 f"sugars_max_d{day}_{name}", "sugars_occasion_max", elastic)
    daily = model.config.nutrients.sugars_g_max
    if daily > 0:
        for day, rows in _parts(model.slots, "day").items():
            _add(model, linear(_at(model, rows, "sugars")), "<=", daily, f"sugars_max_d{day}",
                 "sugars_max", elastic)


def add_fiber(model: Model, elastic: bool) -> None:
    """Fibre per day at least the minimum."""
    _daily_minimum(model, "fiber", model.config.nutrients.fiber_g_min, "fiber_min", elastic)


def add_portions(model: Model, elastic: bool) -> None:
    """Grams of solids and millilitres of liquids per occasion at most their limits."""
    limits = {o.name: o for o in model.config.occasions}
    liquid = model.columns["liquid"]
    for (day, name), rows in _parts(model.slots, ["day", "occasion"]).items():
        occasion = limits[str(name)]
        if occasion.max_solids_g is not None:
            solids = [i for i in rows if not liquid[i]]
            _add(model, linear(_at(model, solids, "serving_g")), "<=", occasion.max_solids_g,
                 f"solids_max_d{day}_{name}", "solids_max", elastic)
        if occasion.max_liquids_ml:
            liquids = [i for i in rows if liquid[i]]
            _add(model, linear(_at(model, liquids, "serving_g")), "<=",
                 occasion.max_liquids_ml, f"liquids_max_d{day}_{name}", "liquids_max", elastic)


def add_fluids(model: Model, elastic: bool) -> None:
    """Millilitres of drinks per day at least the minimum."""
    minimum = model.config.nutrients.fluids_ml_min
    if minimum <= 0:
        return
    liquid = model.columns["liquid"]
    for day, rows in _parts(model.slots, "day").items():
        drinks = [i for i in rows if liquid[i]]
        _add(model, linear(_at(model, drinks, "serving_g")), ">=", minimum,
             f"fluids_min_d{day}", "fluids_min", elastic)


def add_variety(model: Model, relaxed: bool) -> None:
    """Distinct foods per occasion and per group, servings per food per day, days per food."""
    variety = model.config.variety
    slots, y, n = model.slots, model.columns["y"], model.columns["n"]
    for (day, name), rows in _parts(slots, ["day", "occasion"]).items():
        if len(rows) > variety.max_foods_per_occasion:
            model.prob.addConstraint(linear((y[i], 1.0) for i in rows)
                                     <= variety.max_foods_per_occasion,
                                     f"foods_per_occasion_d{day}_{name}")
    per_group = variety.max_foods_per_group_per_occasion
    limited = slots[~slots["group"].isin(GROUPS_WITHOUT_LIMIT)]
    for (day, name, group), rows in _parts(limited, ["day", "occasion", "group"]).items():
        if len(rows) > per_group:
            positions = limited.index[rows]
            model.prob.addConstraint(linear((y[i], 1.0) for i in positions) <= per_group,
                                     f"foods_per_group_d{day}_{name}_{group}")
    limit = variety.max_servings_per_food_per_day
    most = model.columns["max_servings"]
    for (day, food), rows in _parts(slots, ["day", "food"]).items():
        if len(rows) > 1 and sum(most[i] for i in rows) > limit:
            model.prob.addConstraint(linear((n[i], 1.0) for i in rows) <= limit,
                                     f"servings_per_day_d{day}_{food}")
    max_days = math.ceil(variety.max_days_per_food_per_week * model.config.plan.days / 7)
    if max_days >= model.config.plan.days:
        return
    cat = pulp.LpContinuous if relaxed else pulp.LpBinary
    counted = slots[~slots["energy_free"]]
    keys = sorted(set(zip(counted["food"], counted["day"], strict=True)))
    z = model.prob.add_variable_dicts("z", list(range(len(keys))), 0, 1, cat)
    index = {key: z[i] for i, key in enumerate(keys)}
    for i, (food, day, var) in enumerate(zip(counted["food"], counted["day"], counted["y"],
                                             strict=True)):
        model.prob.addConstraint(linear([(var, 1.0), (index[(food, day)], -1.0)]) <= 0,
                                 f"day_used_{i}")
    by_food: dict[str, list[Any]] = {}
    for (food, _day), var in index.items():
        by_food.setdefault(food, []).append(var)
    for food, variables in by_food.items():
        if len(variables) > max_days:
            model.prob.addConstraint(linear((v, 1.0) for v in variables) <= max_days,
                                     f"days_per_food_{food}")
    model.z = index


def add_group_servings(model: Model, elastic: bool) -> None:
    """Servings per day of each food group within its [min, max]."""
    rules = model.config.variety.group_servings_per_day
    if not rules:
        return
    parts = _parts(model.slots, ["day", "group"])
    for group, (lo, hi) in rules.items():
        for day in range(1, model.config.plan.days + 1):
            expr = linear(_at(model, parts.get((day, group), []), "one"))
            if lo > 0:
                _add(model, expr, ">=", lo, f"group_min_d{day}_{group}", "group_min", elastic)
            _add(model, expr, "<=", hi, f"group_max_d{day}_{group}", "group_max", elastic)


def add_occasion_groups(model: Model, elastic: bool) -> None:
    """At least one serving from each required set of groups at an occasion."""
    rules = {o.name: o.require_groups for o in model.config.occasions if o.require_groups}
    if not rules:
        return
    group = model.columns["group"]
    for (day, name), rows in _parts(model.slots, ["day", "occasion"]).items():
        for number, groups in enumerate(rules.get(str(name), ()), start=1):
            chosen = [i for i in rows if group[i] in groups]
            _add(model, linear(_at(model, chosen, "one")), ">=", 1.0,
                 f"occasion_groups_d{day}_{name}_{number}", "occasion_groups", elastic)


def add_inclusions(model: Model, elastic: bool) -> None:
    """Foods named in diet.include appear at least once in the plan."""
    for food in model.config.diet.include:
        part = model.slots[model.slots["food"] == food]
        _add(model, linear((v, 1.0) for v in part["y"]), ">=", 1.0, f"include_{food}",
             "include", elastic)


def add_supplement_rules(model: Model, elastic: bool) -> None:
    """supplements = "required": at least one tablet a day."""
    if model.config.b12.supplements != "required":
        return
    table = model.supplement_slots
    for day in range(1, model.config.plan.days + 1):
        part = table[table["day"] == day] if not table.empty else table
        _add(model, linear((v, 1.0) for v in part.get("u", [])), ">=", 1.0,
             f"supplement_required_d{day}", "supplement_required", elastic)


def add_b12(model: Model, elastic: bool, target: bool = True) -> None:
    """X per window, the chord hypograph of the IF term, and the absorbed target."""
    params, config = model.params, model.config
    slots, table = model.slots, model.supplement_slots
    pieces = chords(params)
    passive = params.passive_with_food
    injection = injection_per_day_ug(config)
    slot_parts = _parts(slots, ["day", "window"])
    tab_parts = _parts(table, ["day", "window"])
    n, bound, crystalline = (model.columns[c] for c in ("n", "bound_eff", "crystalline"))
    for day in range(1, config.plan.days + 1):
        for window, _names in model.windows:
            terms = [(n[i], params.r_food * bound[i] + crystalline[i])
                     for i in slot_parts.get((day, window), [])]
            if not table.empty:
                rows: Iterable[int] = tab_parts.get((day, window), [])
                terms += [(table["u"].iat[i], table["dose"].iat[i]) for i in rows]
            x = model.prob.add_variable(f"x_d{day}_w{window}", 0, None)
            model.prob.addConstraint(linear([*terms, (x, -1.0)]) == 0,
                                     f"b12_x_d{day}_w{window}")
            model.x[(day, window)] = x
            if params.k_if > 0:
                a = model.prob.add_variable(f"a_d{day}_w{window}", 0, params.k_if * params.cmax_ug)
                for j, (alpha, beta) in enumerate(pieces):
                    model.prob.addConstraint(
                        linear([(a, 1.0), (x, -params.k_if * beta)]) <= params.k_if * alpha,
                        f"b12_chord_d{day}_w{window}_{j}")
                # A is concave with A(0) = 0, hence subadditive: A(sum x_i) <= sum A(x_i).
                # Bounding a by the IF term of each serving alone is valid and cuts off
                # fractional sprinkles of B12-dense foods from the relaxation.
                single = [(v, if_absorbed_ug(coef, params)) for v, coef in terms]
                model.prob.addConstraint(linear([(a, 1.0)] + [(v, -c) for v, c in single]) <= 0,
                                         f"b12_subadditive_d{day}_w{window}")
                model.a[(day, window)] = a
    if not target:
        return
    goal = config.target_ug()
    per_day = {day: linear([*[(model.a[(day, w)], 1.0) for w, _ in model.windows
                              if (day, w) in model.a],
                            *[(model.x[(day, w)], passive) for w, _ in model.windows]])
               for day in range(1, config.plan.days + 1)}
    if config.b12.target_period == "day":
        for day, expr in per_day.items():
            _add(model, expr, ">=", goal - injection, f"b12_target_d{day}", "b12_target", elastic)
        return
    total = pulp.lpSum(per_day.values())
    _add(model, total, ">=", (goal - injection) * config.plan.days, "b12_target_week",
         "b12_target", elastic)
    for day, expr in per_day.items():
        _add(model, expr, ">=", config.b12.daily_floor_ug - injection, f"b12_floor_d{day}",
             "b12_floor", elastic)


def add_budget(model: Model, elastic: bool) -> None:
    """Cost of foods and supplements over the plan at most the weekly budget, pro rata."""
    budget = model.config.budget.max_per_week
    if budget <= 0:
        return
    _add(model, cost_expression(model), "<=", budget * model.config.plan.days / 7, "budget",
         "budget", elastic)


def cost_expression(model: Model) -> pulp.LpAffineExpression:
    terms = _terms(model.slots, "cost")
    if not model.supplement_slots.empty:
        terms += _terms(model.supplement_slots, "cost", "u")
    return linear(terms)


def absorbed_expression(model: Model) -> pulp.LpAffineExpression:
    """Absorbed B12 over all windows as the optimizer sees it (chords + passive with food)."""
    return linear([*[(a, 1.0) for a in model.a.values()],
                   *[(x, model.params.passive_with_food) for x in model.x.values()]])


def tie_break_weight(food: str, day: int) -> float:
    """Deterministic weight in [0, 1) per food and day (same inputs, same plan)."""
    return zlib.crc32(f"{food}|{day}".encode()) / 2**32


def add_objective(model: Model, elastic: bool, maximize_b12: bool,
                  repeat_penalty: dict[str, float]) -> None:
    """Objective of [plan] objective, plus a small tie-break so that days differ.

    ``repeat_penalty`` (food -> currency units per use) is the week's variety term seen
    from one day: what eating a food costs because the other days eat it too.
    """
    if maximize_b12:
        model.prob += absorbed_expression(model)
        return
    if elastic:
        model.prob += linear((var, ELASTIC_WEIGHTS[family])
                             for family, items in model.slacks.items() for _, var in items)
        return
    objective = model.config.plan.objective
    cost = cost_expression(model)
    if objective == "cost":
        main = cost
    elif objective == "deviation":
        slots = model.slots
        main = linear([*_terms(slots, "one"),
                       *[(v, -1.0) for v in slots["y"]]]) + 0.001 * cost
    else:
        main = absorbed_expression(model) + 0.001 * cost
    tie = linear([*((var, TIE_BREAK * tie_break_weight(food, day))
                    for (food, day), var in model.z.items()),
                  *((var, repeat_penalty.get(food, 0.0))
                    for food, var in zip(model.slots["food"], model.slots["y"], strict=True))])
    model.prob += main + tie
