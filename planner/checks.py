"""Verification: every rule of a plan's configuration re-checked from its grams and tablets
alone, independently of the model that chose them (``verify``); the rules every plan keeps
are here, the meals' own rules in ``meal_checks.py``.
"""

from __future__ import annotations

import pandas as pd

from .fluids import check_water
from .foods import FLAGS, diet_mask
from .meal_checks import check_fped_meals, check_group_meals, check_meal_plan, check_usual_intake
from .plan import TOLERANCE, Plan, row_tuples
from .safety import check_safety
from .schema import Config
from .vocabulary import ANIMAL_SOURCES


def verify(plan: Plan) -> list[str]:
    """Every rule of the configuration re-checked from the grams alone."""
    problems: list[str] = []
    items, days = plan.items(), plan.days()
    for check in (_check_foods_allowed, _check_occasions, _check_days, _check_meals,
                  _check_supplements, _check_b12):
        problems += check(plan, items, days, plan.config)
    used = set(items["food"]) if not items.empty else set()
    problems += [f"include: {f} never used" for f in plan.config.diet.include if f not in used]
    return problems + check_meal_plan(plan, items) + check_group_meals(plan, items) \
        + check_fped_meals(plan, items) + check_usual_intake(plan) + check_safety(plan) \
        + check_water(plan)


def _check_foods_allowed(plan: Plan, items: pd.DataFrame, days: pd.DataFrame,
                         config: Config) -> list[str]:
    if items.empty:
        return []
    used = plan.foods.loc[sorted(set(items["food"]))]
    problems = []
    bad = used.index[~diet_mask(used, config.diet.pattern)]
    if len(bad):
        problems.append(f"foods not allowed by {config.diet.pattern}: {', '.join(bad)}")
    for flag in config.diet.exclude_flags:
        if flag in FLAGS and used[flag].any():
            problems.append(f"foods with excluded flag {flag}: "
                            f"{', '.join(used.index[used[flag]])}")
    excluded = [f for f in used.index if f in config.diet.exclude]
    if excluded:
        problems.append(f"excluded foods used: {', '.join(excluded)}")
    if config.diet.exclude_categories and "wweia_category" in used.columns:
        category = pd.to_numeric(used["wweia_category"], errors="coerce")
        banned = used.index[category.isin(config.diet.exclude_categories)]
        if len(banned):
            problems.append(f"foods of excluded WWEIA categories: {', '.join(banned)}")
    if not config.diet.fortified and (used["b12_added_ug"] > 0).any():
        problems.append("fortified foods used although diet.fortified = false")
    return problems


def _check_occasions(plan: Plan, items: pd.DataFrame, days: pd.DataFrame,
                     config: Config) -> list[str]:
    problems = []
    by_name = {o.name: o for o in config.occasions}
    for row in row_tuples(items):
        occasion = by_name[row.occasion]
        if occasion.kind == "drink" and not row.liquid:
            problems.append(f"day {row.day} {row.occasion}: {row.food} is not a drink")
    if items.empty:
        return problems
    for (day, name), part in items.groupby(["day", "occasion"]):
        occasion = by_name[str(name)]
        solids = float(part.loc[~part["liquid"].astype(bool), "grams"].sum())
        liquids = float(part.loc[part["liquid"].astype(bool), "grams"].sum())
        if occasion.max_solids_g is not None and solids > occasion.max_solids_g + TOLERANCE:
            problems.append(f"day {day} {name}: {solids:.0f} g solids > {occasion.max_solids_g}")
        if occasion.max_liquids_ml is not None and \
                liquids > occasion.max_liquids_ml + TOLERANCE:
            problems.append(f"day {day} {name}: {liquids:.0f} ml liquids > "
                            f"{occasion.max_liquids_ml}")
        sugars = float(part["sugars_g"].sum())
        if occasion.max_sugars_g is not None and sugars > occasion.max_sugars_g + TOLERANCE:
            problems.append(f"day {day} {name}: {sugars:.1f} g sugars > {occasion.max_sugars_g}")
    return problems


def _check_days(plan: Plan, items: pd.DataFrame, days: pd.DataFrame,
                config: Config) -> list[str]:
    problems = []
    n = config.nutrients
    lo, hi = n.energy_kcal
    shares = {o.name: o.energy_share for o in config.occasions if o.energy_share}
    for row in row_tuples(days):
        if not lo - TOLERANCE <= row.energy_kcal <= hi + TOLERANCE:
            problems.append(f"day {row.day}: energy {row.energy_kcal:.0f} kcal outside "
                            f"[{lo:g}, {hi:g}]")
        if row.fluids_ml < n.fluids_ml_min - TOLERANCE:
            problems.append(f"day {row.day}: fluids {row.fluids_ml:.0f} ml < {n.fluids_ml_min}")
        if n.sugars_g_max and row.sugars_g > n.sugars_g_max + TOLERANCE:
            problems.append(f"day {row.day}: sugars {row.sugars_g:.1f} g > {n.sugars_g_max}")
        part = items[items["day"] == row.day] if not items.empty else items
        for name, (s_lo, s_hi) in shares.items():
            energy = float(part.loc[part["occasion"] == name, "energy_kcal"].sum()) \
                if not part.empty else 0.0
            if not s_lo * row.energy_kcal - 1e-4 <= energy <= s_hi * row.energy_kcal + 1e-4:
                problems.append(f"day {row.day} {name}: energy share "
                                f"{energy / max(row.energy_kcal, 1e-9):.2f} outside "
                                f"[{s_lo:g}, {s_hi:g}]")
    budget = config.budget.max_per_week
    if budget and days["cost"].sum() > budget * config.plan.days / 7 + 1e-4:
        problems.append(f"cost {days['cost'].sum():.2f} > budget "
                        f"{budget * config.plan.days / 7:.2f}")
    return problems


def _check_meals(plan: Plan, items: pd.DataFrame, days: pd.DataFrame,
                 config: Config) -> list[str]:
    """Protein per meal at least the occasion's ``min_protein_g``."""
    problems: list[str] = []
    for day in range(1, config.plan.days + 1):
        part = items[items["day"] == day] if not items.empty else items
        for occasion in config.occasions:
            if not occasion.min_protein_g:
                continue
            meal = part[part["occasion"] == occasion.name] if not part.empty else part
            protein = float(meal["protein_g"].sum()) if not meal.empty else 0.0
            if protein < occasion.min_protein_g - TOLERANCE:
                problems.append(f"day {day} {occasion.name}: protein {protein:.1f} g < "
                                f"{occasion.min_protein_g:g}")
    return problems


def _check_supplements(plan: Plan, items: pd.DataFrame, days: pd.DataFrame,
                       config: Config) -> list[str]:
    tabs = plan.supplement_items
    b12, rules = config.b12, config.supplements
    if tabs.empty:
        taken = plan.supplements.iloc[:0]
    else:
        taken = plan.supplements.loc[tabs["supplement"]].set_index(tabs.index)
    columns = [c for c in taken.columns if c.endswith(("_mg", "_ug", "_g"))]
    has_b12 = taken["b12_ug_per_unit"] > 0 if not tabs.empty else pd.Series(dtype=bool)
    other = (taken[columns] > 0).any(axis=1) if not tabs.empty else pd.Series(dtype=bool)
    daily = tabs["supplement"].isin(list(rules.daily)) if not tabs.empty \
        else pd.Series(dtype=bool)
    problems = []
    if b12.supplements == "none" and (has_b12 & ~daily).any():
        problems.append("B12 supplements used although b12.supplements = none")
    if b12.supplement_products and not tabs.empty:
        odd = sorted(set(tabs.loc[has_b12 & ~other & ~daily, "supplement"])
                     - set(b12.supplement_products))
        if odd:
            problems.append(f"supplements not in b12.supplement_products: {', '.join(odd)}")
    if not tabs.empty and (not rules.allowed or rules.products):
        named = tabs["supplement"].isin([*rules.products, *b12.supplement_products])
        odd = sorted(set(tabs.loc[other & ~daily & (~named | (not rules.allowed)),
                              "supplement"]))
        if odd:
            problems.append(f"supplements not allowed by [supplements]: {', '.join(odd)}")
    if not tabs.empty and "life_stages" in taken.columns:
        stage = config.person.life_stage
        meant = taken["life_stages"].fillna("").map(
            lambda text: not text or stage in text.replace(" ", "").split(";"))
        odd = sorted(set(tabs.loc[~meant & ~daily, "supplement"]))
        if odd:
            problems.append(f"supplements not meant for life stage {stage}: {', '.join(odd)}")
    problems += _check_product_fit(tabs, taken, config)
    if b12.supplements == "required":
        with_b12 = set(tabs.loc[has_b12, "day"]) if not tabs.empty else set()
        missing = [d for d in range(1, config.plan.days + 1) if d not in with_b12]
        if missing:
            problems.append(f"no B12 supplement on day(s) {', '.join(map(str, missing))}")
    for product, units in rules.daily.items():
        for day in range(1, config.plan.days + 1):
            got = int(tabs.loc[(tabs["day"] == day) & (tabs["supplement"] == product),
                               "units"].sum()) if not tabs.empty else 0
            if got != units:
                problems.append(f"day {day}: {got} units of {product}, [supplements] daily "
                                f"says {units}")
    if rules.apart and not tabs.empty:
        first, second = rules.apart
        for key, part in tabs.groupby(["day", "window"]):
            names = set(part["supplement"])
            if any(a != b for a in names & set(first) for b in names & set(second)):
                problems.append(f"day/window {key}: {', '.join(sorted(names))} "
                                "taken together ([supplements] apart)")
    return problems


def _check_product_fit(tabs: pd.DataFrame, taken: pd.DataFrame, config: Config) -> list[str]:
    """Each product suits the diet (what in it comes from animals) and a form allowed."""
    if tabs.empty or "animal_sources" not in taken.columns:
        return []
    accepted = {"none", *ANIMAL_SOURCES[config.diet.pattern]}
    sources = taken["animal_sources"].fillna("none").astype(str).str.split(";")
    unfit = sorted(set(tabs.loc[sources.map(lambda s: not set(s) <= accepted), "supplement"]))
    problems = [f"supplements not suitable for {config.diet.pattern}: {', '.join(unfit)}"] \
        if unfit else []
    forms = config.supplements.forms
    odd = sorted(set(tabs.loc[~taken["form"].isin(forms), "supplement"])) if forms else []
    if odd:
        problems.append(f"supplements of a form [supplements] forms leaves out: "
                        f"{', '.join(odd)}")
    return problems


def _check_b12(plan: Plan, items: pd.DataFrame, days: pd.DataFrame,
               config: Config) -> list[str]:
    target = config.target_ug()
    absorbed = days["absorbed_b12_ug"]
    if config.b12.target_period == "day":
        return [f"day {d}: absorbed B12 {a:.3f} ug < target {target:.3f}"
                for d, a in zip(days["day"], absorbed, strict=True) if a < target - TOLERANCE]
    problems = []
    if absorbed.mean() < target - TOLERANCE:
        problems.append(f"mean absorbed B12 {absorbed.mean():.3f} ug < target {target:.3f}")
    floor = config.b12.daily_floor_ug
    problems += [f"day {d}: absorbed B12 {a:.3f} ug < floor {floor:.3f}"
                 for d, a in zip(days["day"], absorbed, strict=True) if a < floor - TOLERANCE]
    return problems
