"""One day of a plan as a mixed-integer program: a meal option per occasion, each food's grams
within its range, supplement units per absorption window, and every rule that holds inside a
day. The week search (``search.py``) prices days with it: weekly rules sit in its master and
reach a day only as prices on what the day contributes (nutrients, meals, cost).

Columns: ``choose`` (binary per option), ``extra_grams`` (per food of an option, its grams
above its least portion; zero unless the option is chosen), ``units`` (a tablet per window and
product), ``x`` and ``absorbed`` (B12 per window). One ``add_*`` per rule family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .absorption import AbsorptionParams, chords, if_absorbed_ug, injection_per_day_ug, windows_of
from .fluids import capacity_row, fills
from .foods import food_categories
from .needs import KCAL_PER_G, Target
from .options import (
    LEFTOVER,
    Options,
    categories_with_stand_ins,
    leftover_occasions,
    main_dishes,
    main_meal_occasions,
)
from .program import INF, Array, Program
from .recent import Recent
from .safety import occasion_caps, resolve
from .schema import Config
from .supplements import SUPPLEMENT_NUTRIENTS, allowed_products, other_nutrients

DISH_KINDS = (*range(2002, 2804), 2806, *range(3002, 3804), 6804)
"""WWEIA categories of foods eaten at one meal of a day at most: meat, poultry, fish,
eggs, cured meats, beans and soy foods (not nuts and seeds), mixed dishes, sandwiches,
soups, fried potatoes."""
SUPPLEMENT_PENALTY = 10.0   # objective units per tablet that gives more than B12: food first
WEEKLY_ONLY = ("epa_dha_g",)   # needs met over the week without a daily floor (fish days)
MAX_UNITS = 1               # a tablet of a product per window at most (packs spread)


@dataclass(frozen=True)
class MealRules:
    """The settings of the meal-library core (constraint-file keys once it plans the week)."""

    typical_weight: float = 1.0            # objective units per decade of a meal's rarity
    min_seen: int = 3                      # library meals seen at least this many times
    needs_period: str = "week"             # week: needs as the plan's mean; day: every day
    daily_floor_share: float = 0.667       # ... with every day at least this share
    weekly_only: tuple[str, ...] = WEEKLY_ONLY      # weekly needs with no daily floor
    meal_repeats_max: int = 2              # a meal (and a main dish) at most this often
    distinct_meals_min: tuple[tuple[str, int], ...] = (
        ("breakfast", 4), ("lunch", 5), ("dinner", 5))   # per 7 days
    distinct_days: bool = True             # no two days alike

    @classmethod
    def from_config(cls, config: Config) -> MealRules:
        """The settings of a configuration's ``[meals]`` section."""
        m = config.meals
        return cls(typical_weight=m.typical_weight, min_seen=m.min_seen,
                   needs_period=m.needs_period, daily_floor_share=m.daily_floor_share,
                   meal_repeats_max=m.repeats_max,
                   distinct_meals_min=(("breakfast", m.distinct_breakfasts),
                                       ("lunch", m.distinct_lunches),
                                       ("dinner", m.distinct_dinners)),
                   distinct_days=m.distinct_days)


@dataclass(frozen=True)
class DayRules:
    """What a day must keep, from the configuration: needs as a daily floor (the rest of
    each need is a weekly mean in the master) and limits in full; and the core's settings."""

    needs: tuple[Target, ...]
    limits: tuple[Target, ...]
    floor_share: float              # a day gives at least this share of each weekly need
    weekly_needs: tuple[str, ...]   # needs met as a weekly mean (others every day in full)
    weekly_only: tuple[str, ...]    # weekly needs without a daily floor (EPA+DHA: fish days)
    settings: MealRules = MealRules()


@dataclass
class DayModel:
    """The program and what its columns mean."""

    program: Program
    options: Options
    products: pd.DataFrame          # allowed supplements, with cost and penalty per unit
    windows: list[tuple[int, tuple[str, ...]]]
    choose: Array
    grams: Array
    units: Array                    # per (window, product), window-major
    absorbed: Array
    base_cost: Array                # objective without prices from the master
    food_amounts: pd.DataFrame      # per part: nutrients per gram, cost per gram
    unit_amounts: pd.DataFrame      # per unit column: nutrients, cost
    rules: DayRules
    x: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def day_rules(config: Config, all_targets: list[Target],
              settings: MealRules | None = None) -> DayRules:
    """Split the person's targets into the day's floors and limits."""
    settings = settings or MealRules.from_config(config)
    needs = tuple(t for t in all_targets if t.kind == "need" and t.scope == "total")
    limits = tuple(t for t in all_targets if t.kind == "limit")
    weekly = tuple(t.nutrient for t in needs) if settings.needs_period == "week" else ()
    return DayRules(needs, limits, settings.daily_floor_share, weekly, settings.weekly_only,
                    settings)


def build_day(foods: pd.DataFrame, supplements: pd.DataFrame, options: Options,
              config: Config, rules: DayRules) -> DayModel:
    """The day program with its base objective (cost and how atypical the meals are)."""
    program = Program()
    params = AbsorptionParams.from_config(config)
    numbers = windows_of(config.occasions, params.tau_h)
    windows: dict[int, list[str]] = {}
    for occasion, number in zip(config.occasions, numbers, strict=True):
        windows.setdefault(number, []).append(occasion.name)
    products = _products(supplements, config)
    meals, parts = options.meals, options.parts
    choose = program.columns("choose", list(meals["key"] + "@" + meals["occasion"]), 0.0, 1.0,
                             integer=True)
    grams = program.columns("extra_grams", range(len(parts)), 0.0,
                            (parts["high"] - parts["low"]).to_numpy(float))
    unit_keys = [(w, p) for w in windows for p in products.index]
    units = program.columns("units", [f"w{w}_{p}" for w, p in unit_keys], 0.0, MAX_UNITS,
                            integer=True)
    absorbed = program.columns("absorbed", [f"w{w}" for w in windows], 0.0,
                               params.k_if * params.cmax_ug)
    amounts = _food_amounts(foods, parts, params)
    unit_amounts = _unit_amounts(products, unit_keys)
    model = DayModel(program, options, products,
                     [(w, tuple(names)) for w, names in windows.items()], choose, grams,
                     units, absorbed, np.zeros(0), amounts, unit_amounts, rules)
    for family in (add_choice, add_portions, add_energy, add_energy_shares, add_meal_protein,
                   add_occasion_limits, add_fluids, add_sugars, add_need_floors, add_limits,
                   add_supplement_rules, add_b12, add_leftovers_of_another_day,
                   add_dish_once_a_day):
        family(model, config, params)
    model.base_cost = base_objective(model, config)
    program.add_cost(np.arange(program.num_cols), model.base_cost)
    return model


def _products(supplements: pd.DataFrame, config: Config) -> pd.DataFrame:
    products = allowed_products(supplements, config).copy()
    if products.empty:
        return products
    penalised = other_nutrients(products) & ~products.index.isin(list(config.supplements.daily))
    products["unit_cost"] = products["price_per_pack"] / products["units_per_pack"]
    products["penalty"] = np.where(penalised, SUPPLEMENT_PENALTY, 0.0)
    return products


_KINDS: Recent[dict[str, int]] = Recent(2)


def _food_amounts(foods: pd.DataFrame, parts: pd.DataFrame,
                  params: AbsorptionParams) -> pd.DataFrame:
    """Per part (food of an option), nutrients and cost per gram, B12 split, matrix factor."""
    table = foods.loc[parts["food"]]
    columns = [c for c in foods.columns if c.endswith(("_g", "_mg", "_ug", "_kcal"))
               and pd.api.types.is_numeric_dtype(foods[c])]
    out = table[columns].fillna(0.0).astype(float) / 100.0
    out["b12_bound_ug"] = (table["b12_ug"] - table["b12_added_ug"]).clip(lower=0).fillna(0.0) \
        .to_numpy() / 100.0
    out["cost"] = table["price_per_kg"].fillna(0.0).to_numpy() / 1000.0
    out["liquid"] = table["liquid"].astype(bool).to_numpy()
    out["category"] = food_categories(table).to_numpy()
    kinds = _KINDS.get((foods,), None, lambda: categories_with_stand_ins(foods))
    out["dish_kind"] = parts["food"].map(kinds).to_numpy(dtype=float)
    out["b12_matrix_factor"] = [params.matrix_factor(g, m) for g, m in
                                zip(table["group"], table["b12_matrix"], strict=True)]
    out.index = parts.index
    return out


def _unit_amounts(products: pd.DataFrame, keys: list[tuple[int, str]]) -> pd.DataFrame:
    rows = []
    table = products.to_dict("index")
    for window, product in keys:
        row = table[product]
        rows.append({"window": window, "product": product,
                     "b12_ug": float(row["b12_ug_per_unit"]), "cost": float(row["unit_cost"]),
                     "penalty": float(row["penalty"]),
                     **{n: float(row[n]) if n in row and pd.notna(row[n]) else 0.0
                        for n in SUPPLEMENT_NUTRIENTS}})
    return pd.DataFrame(rows, columns=["window", "product", "b12_ug", "cost", "penalty",
                                       *SUPPLEMENT_NUTRIENTS])


def _option_of_part(model: DayModel) -> Array:
    return model.choose[model.options.parts["option"].to_numpy(dtype=np.int64)]


def _occasion_mask(model: DayModel, name: str) -> Array:
    meals = model.options.meals
    mine = set(meals.index[meals["occasion"] == name])
    return model.options.parts["option"].isin(mine).to_numpy()


def add_choice(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Exactly one option per occasion."""
    meals = model.options.meals
    names = [o.name for o in config.occasions]
    row_of = {name: i for i, name in enumerate(names)}
    model.program.rows("choice", names, meals["occasion"].map(row_of).to_numpy(np.int64),
                       model.choose, 1.0, 1.0, 1.0)


def add_leftovers_of_another_day(model: DayModel, config: Config,
                                 params: AbsorptionParams) -> None:
    """A lunch of leftovers is not the same day's dinner (that is cooked after it)."""
    meals = model.options.meals
    copies = meals[meals["kind"] == "leftover"]
    pair = leftover_occasions(config)
    if copies.empty or pair is None:
        return
    dinners = meals[meals["occasion"] == pair[0]]
    cooked = dict(zip(LEFTOVER + dinners["key"].astype(str), dinners.index, strict=True))
    pairs = [(cooked[str(k)], int(o)) for o, k in zip(copies.index, copies["key"], strict=True)
             if str(k) in cooked]
    if not pairs:
        return
    rows = np.repeat(np.arange(len(pairs), dtype=np.int64), 2)
    model.program.rows("leftovers_of_another_day", [f"{pair[1]}:{o}" for _, o in pairs], rows,
                       model.choose[np.asarray(pairs, dtype=np.int64).ravel()], 1.0, upper=1.0)


def add_dish_once_a_day(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """The meals of a day (breakfast, lunch, dinner) with main dishes of different kinds
    (their WWEIA category, else the food: ``[meals] dish_once_a_day``), a leftover lunch
    counted as its dinner's dish; and no food of a dish kind (``DISH_KINDS``) in two of
    them."""
    if not config.meals.dish_once_a_day:
        return
    occasion = model.options.meals["occasion"].to_numpy()
    in_pair = np.isin(occasion, main_meal_occasions(config))
    category = dict(zip(model.options.parts["food"], model.food_amounts["category"],
                        strict=True))
    kinds: dict[str, list[Array]] = {}
    for dish, rows in main_dishes(model.options).items():
        number = category[dish]
        kinds.setdefault(dish if np.isnan(number) else f"category {int(number)}",
                         []).append(rows[in_pair[rows]])
    shared: list[tuple[str, Array]] = []
    for kind, members in sorted(kinds.items()):
        mine = np.concatenate(members)
        if len(mine) > 1 and len(set(occasion[mine])) > 1:
            shared.append((kind, mine))
    parts = model.options.parts
    dish_food = model.food_amounts["dish_kind"].isin(DISH_KINDS).to_numpy() \
        & ~parts["liquid"].astype(bool).to_numpy() \
        & in_pair[parts["option"].to_numpy(np.int64)]
    eaten = parts[dish_food]
    for food, rows in sorted(eaten.groupby(eaten["food"].to_numpy()).indices.items()):
        mine = np.unique(eaten["option"].to_numpy(np.int64)[rows])
        if len(set(occasion[mine])) > 1:
            shared.append((f"food {food}", mine))
    if not shared:
        return
    rows = np.concatenate([np.full(len(r), i, dtype=np.int64) for i, (_, r) in enumerate(shared)])
    cols = model.choose[np.concatenate([r for _, r in shared])]
    model.program.rows("dish_once_a_day", [d for d, _ in shared], rows, cols, 1.0, upper=1.0)


def add_portions(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """A food's grams above its least portion only when its option is chosen."""
    parts = model.options.parts
    count = len(parts)
    each = np.arange(count)
    room = (parts["high"] - parts["low"]).to_numpy(float)
    model.program.rows("portion_max", range(count), np.concatenate([each, each]),
                       np.concatenate([model.grams, _option_of_part(model)]),
                       np.concatenate([np.ones(count), -room]), upper=0.0)


def part_terms(model: DayModel, values: Array, mask: Array | None = None
               ) -> tuple[Array, Array]:
    """Columns and coefficients of sum(value x grams) over the parts in ``mask``: a part's
    grams are its least portion when its option is chosen plus its extra grams."""
    parts = model.options.parts
    if mask is None:
        mask = np.ones(len(parts), dtype=bool)
    low = parts["low"].to_numpy(float)[mask] * values[mask]
    owner = parts["option"].to_numpy(np.int64)[mask]
    per_option = np.bincount(owner, weights=low, minlength=len(model.choose))
    used = np.flatnonzero(per_option)
    return (np.concatenate([model.grams[mask], model.choose[used]]),
            np.concatenate([values[mask], per_option[used]]))


def _sum_row(model: DayModel, family: str, label: str, values: Array, mask: Array | None = None,
             lower: float = -INF, upper: float = INF, tablets: Array | None = None) -> None:
    """One row over grams (and units) with these per-gram (per-unit) values."""
    cols, vals = part_terms(model, values, mask)
    if tablets is not None and len(model.units):
        cols, vals = np.concatenate([cols, model.units]), np.concatenate([vals, tablets])
    keep = vals != 0
    model.program.rows(family, [label], np.zeros(int(keep.sum()), dtype=np.int64), cols[keep],
                       vals[keep], lower, upper)


def add_energy(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    low, high = config.nutrients.energy_kcal
    _sum_row(model, "energy", "day", model.food_amounts["energy_kcal"].to_numpy(), None,
             low, high)


def add_energy_shares(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Each occasion's share of the day's energy within its range."""
    energy = model.food_amounts["energy_kcal"].to_numpy()
    for occasion in config.occasions:
        if occasion.energy_share is None:
            continue
        low, high = occasion.energy_share
        mine = _occasion_mask(model, occasion.name).astype(float)
        if low > 0:
            _sum_row(model, "energy_share_min", occasion.name, energy * (mine - low),
                     lower=0.0)
        if high < 1:
            _sum_row(model, "energy_share_max", occasion.name, energy * (mine - high),
                     upper=0.0)


def add_meal_protein(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    protein = model.food_amounts["protein_g"].to_numpy()
    for occasion in config.occasions:
        if occasion.min_protein_g:
            _sum_row(model, "meal_protein_min", occasion.name, protein,
                     _occasion_mask(model, occasion.name), lower=occasion.min_protein_g)


def add_occasion_limits(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Solids, liquids and sugars per occasion (post-RYGB portion rules), and the caps of
    the [safety] rules (caffeine late in the day, added sugars per occasion)."""
    liquid = model.food_amounts["liquid"].to_numpy(dtype=bool)
    ones = np.ones(len(liquid))
    sugars = model.food_amounts["sugars_g"].to_numpy()
    for occasion in config.occasions:
        mine = _occasion_mask(model, occasion.name)
        if occasion.max_solids_g is not None:
            _sum_row(model, "solids_max", occasion.name, ones, mine & ~liquid,
                     upper=occasion.max_solids_g)
        if occasion.max_liquids_ml is not None:
            _sum_row(model, "liquids_max", occasion.name, ones, mine & liquid,
                     upper=occasion.max_liquids_ml)
        if occasion.max_sugars_g is not None:
            _sum_row(model, "sugars_occasion_max", occasion.name, sugars, mine,
                     upper=occasion.max_sugars_g)
        for column, most in occasion_caps(occasion, config).items():
            _sum_row(model, f"{column}_occasion_max", occasion.name,
                     _food_values(model, column), mine, upper=most)


def add_fluids(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Drinks a day at least fluids_ml_min, unless plain water fills (``fluids.py``): then
    only, where every occasion caps liquids, room for the water the day still needs."""
    liquid = model.food_amounts["liquid"].to_numpy(dtype=float)
    if fills(config):
        capped = {o.name for o in config.occasions if o.max_liquids_ml is not None}
        occasion = model.options.parts["option"].map(model.options.meals["occasion"])
        cols, values = part_terms(model, _food_values(model, "water_g")
                                  - liquid * occasion.isin(capped).to_numpy())
        capacity_row(model.program, "day", cols, values, config)
        return
    least = config.nutrients.fluids_ml_min
    if least > 0:
        _sum_row(model, "fluids_min", "day", liquid, lower=least)


def add_sugars(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    most = config.nutrients.sugars_g_max
    if most > 0:
        _sum_row(model, "sugars_max", "day", model.food_amounts["sugars_g"].to_numpy(),
                 upper=most)


def _tablet_values(model: DayModel, nutrient: str) -> Array:
    if nutrient in model.unit_amounts.columns:
        return model.unit_amounts[nutrient].to_numpy(dtype=float)
    return np.zeros(len(model.unit_amounts))


def _food_values(model: DayModel, nutrient: str) -> Array:
    if nutrient in model.food_amounts.columns:
        return model.food_amounts[nutrient].to_numpy(dtype=float)
    return np.zeros(len(model.food_amounts))


def add_need_floors(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Every day at least ``floor_share`` of each weekly need, or all of a daily one."""
    rules = model.rules
    for target in rules.needs:
        share = rules.floor_share if target.nutrient in rules.weekly_needs else 1.0
        if target.nutrient in rules.weekly_only and target.nutrient in rules.weekly_needs:
            share = 0.0
        if share <= 0:
            continue
        scale = max(target.value, 1e-9)
        _sum_row(model, "need", target.nutrient, _food_values(model, target.nutrient) / scale,
                 lower=share, tablets=_tablet_values(model, target.nutrient) / scale)


def add_limits(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Upper limits every day: totals (ULs), supplements' part, shares of energy."""
    energy = _food_values(model, "energy_kcal")
    for target in model.rules.limits:
        scale = max(target.value, 1e-9)
        if target.scope == "energy_share":
            kcal = KCAL_PER_G.get(target.nutrient, 4.0)
            values = _food_values(model, target.nutrient) * kcal - target.value * energy
            _sum_row(model, "energy_share_limit", target.nutrient, values, upper=0.0)
        elif target.scope == "supplements":
            _sum_row(model, "supplement_limit", target.nutrient,
                     np.zeros(len(energy)), upper=1.0,
                     tablets=_tablet_values(model, target.nutrient) / scale)
        else:
            _sum_row(model, "limit", target.nutrient, _food_values(model, target.nutrient)
                     / scale, upper=1.0,
                     tablets=_tablet_values(model, target.nutrient) / scale)


def add_supplement_rules(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """Daily packs exactly, a B12 product every day when required, B12 from tablets within
    [b12] oral_supplement_ug, products kept apart."""
    table = model.unit_amounts
    if table.empty:
        return
    for product, count in config.supplements.daily.items():
        mine = (table["product"] == product).to_numpy()
        if mine.any():
            model.program.rows("supplement_daily", [product],
                               np.zeros(int(mine.sum()), dtype=np.int64), model.units[mine],
                               1.0, float(count), float(count))
    if config.b12.supplements == "required":
        mine = (table["b12_ug"] > 0).to_numpy()
        model.program.rows("supplement_required", ["day"],
                           np.zeros(int(mine.sum()), dtype=np.int64), model.units[mine], 1.0,
                           lower=1.0)
    oral = resolve(config).oral_supplement_ug
    if oral is not None:
        model.program.rows("b12_oral_dose", ["day"], np.zeros(len(model.units), dtype=np.int64),
                           model.units, table["b12_ug"].to_numpy(dtype=float), *oral)
    if len(config.supplements.apart) == 2:
        first, second = (table["product"].isin(ids).to_numpy()
                         for ids in config.supplements.apart)
        flags = model.program.columns("apart", [f"w{w}" for w, _ in model.windows], 0.0, 1.0,
                                      integer=True)
        for i, (window, _) in enumerate(model.windows):
            here = (table["window"] == window).to_numpy()
            a, b = here & first, here & second
            # units of the first list only when the flag is 1, of the second only when 0
            model.program.rows("supplements_apart", [f"w{window}_first"],
                               np.zeros(int(a.sum()) + 1, dtype=np.int64),
                               np.concatenate([model.units[a], [flags[i]]]),
                               np.concatenate([np.ones(int(a.sum())), [-MAX_UNITS * 2.0]]),
                               upper=0.0)
            model.program.rows("supplements_apart", [f"w{window}_second"],
                               np.zeros(int(b.sum()) + 1, dtype=np.int64),
                               np.concatenate([model.units[b], [flags[i]]]),
                               np.concatenate([np.ones(int(b.sum())), [MAX_UNITS * 2.0]]),
                               upper=MAX_UNITS * 2.0)


def add_b12(model: DayModel, config: Config, params: AbsorptionParams) -> None:
    """B12 free to bind IF per window (x), the chord hypograph of the IF term, a subadditive
    cut (a window absorbs at most what its chosen meals and tablets absorb one by one), and
    the absorbed target of the day (or its floor when the target is weekly)."""
    parts = model.options.parts
    meals = model.options.meals
    amounts = model.food_amounts
    per_gram = params.r_food * amounts["b12_bound_ug"].to_numpy() \
        * amounts["b12_matrix_factor"].to_numpy() + amounts["b12_added_ug"].to_numpy()
    window_of = {name: w for w, names in model.windows for name in names}
    part_window = parts["option"].map(meals["occasion"]).map(window_of).to_numpy()
    unit_window = model.unit_amounts["window"].to_numpy() if len(model.units) else np.zeros(0)
    doses = model.unit_amounts["b12_ug"].to_numpy() if len(model.units) else np.zeros(0)
    x = model.program.columns("x", [f"w{w}" for w, _ in model.windows])
    high_x = pd.Series(per_gram * parts["high"].to_numpy(float)).groupby(
        parts["option"].to_numpy()).sum()
    for i, (window, _) in enumerate(model.windows):
        foods_here, units_here = part_window == window, unit_window == window
        cols, vals = part_terms(model, per_gram, foods_here)
        model.program.rows(
            "b12_x", [f"w{window}"], np.zeros(len(cols) + int(units_here.sum()) + 1,
                                             dtype=np.int64),
            np.concatenate([cols, model.units[units_here], [x[i]]]),
            np.concatenate([vals, doses[units_here], [-1.0]]), 0.0, 0.0)
        if params.k_if <= 0:
            continue
        for j, (alpha, beta) in enumerate(chords(params)):
            model.program.rows("b12_chord", [f"w{window}_{j}"], np.zeros(2, dtype=np.int64),
                               np.array([model.absorbed[i], x[i]]),
                               np.array([1.0, -params.k_if * beta]),
                               upper=params.k_if * alpha)
        mine = meals.index[meals["occasion"].map(window_of) == window]
        alone = [if_absorbed_ug(float(high_x.get(o, 0.0)), params) for o in mine]
        tab_alone = [if_absorbed_ug(d, params) for d in doses[units_here]]
        model.program.rows(
            "b12_subadditive", [f"w{window}"],
            np.zeros(len(mine) + int(units_here.sum()) + 1, dtype=np.int64),
            np.concatenate([[model.absorbed[i]], model.choose[mine], model.units[units_here]]),
            np.concatenate([[1.0], -np.asarray(alone, dtype=float),
                            -np.asarray(tab_alone, dtype=float)]), upper=0.0)
    model.x = x
    goal = config.target_ug() - injection_per_day_ug(config)
    least = goal if config.b12.target_period == "day" else \
        config.b12.daily_floor_ug - injection_per_day_ug(config)
    cols, values = absorbed_terms(model, params)
    model.program.rows("b12_target" if config.b12.target_period == "day" else "b12_floor",
                       ["day"], np.zeros(len(cols), dtype=np.int64), cols, values, lower=least)


def absorbed_terms(model: DayModel, params: AbsorptionParams) -> tuple[Array, Array]:
    """A day's absorbed B12 (injection apart) as columns and coefficients: the
    intrinsic-factor part of every window and the passive share of what it holds."""
    passive = np.full(len(model.x), params.passive_with_food)
    if params.k_if <= 0:
        return model.x, passive
    return (np.concatenate([model.absorbed, model.x]),
            np.concatenate([np.ones(len(model.absorbed)), passive]))


def base_objective(model: DayModel, config: Config) -> Array:
    """Cost of foods and tablets, plus ``typical_weight`` per decade of a meal's rarity and
    the preference for own meals, plus the penalty of tablets beyond B12."""
    cost = np.zeros(model.program.num_cols)
    weight = config.plan.cost_weight
    cols, vals = part_terms(model, weight * model.food_amounts["cost"].to_numpy())
    np.add.at(cost, cols, vals)
    if len(model.units):
        cost[model.units] += weight * model.unit_amounts["cost"].to_numpy() \
            + model.unit_amounts["penalty"].to_numpy()
    cost[model.choose] += model.rules.settings.typical_weight \
        * model.options.meals["rarity"].to_numpy() + model.options.meals["unlike_own"].to_numpy()
    return cost
