"""The Plan: chosen grams and tablets, and everything recomputed from them.

Nothing here reads an optimizer variable except the grams and tablet counts: nutrients,
costs and the absorbed B12 (exact curve, not the chords) are recomputed from the food table
(``checks.verify`` re-checks every rule of the configuration independently of the model).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import DISCLAIMER, __version__
from .absorption import (
    AbsorptionParams,
    absorbed_ug,
    injection_per_day_ug,
    windows_of,
)
from .composed import PREFIX as COMPOSED
from .fluids import item_water, plain_water, water_note
from .foods import currency_of
from .needs import (
    IODINE_NOTE,
    KCAL_PER_G,
    Target,
    available_nutrients,
    iodine_matters,
    targets,
    unchecked,
)
from .pattern import FPED_RULES, UNKNOWN_NOTE, food_pattern, knows_fped
from .safety import rule_notes
from .schema import Config

SCHEMA_VERSION = 1
TOLERANCE = 1e-6
ENERGY_FREE_KCAL = 5.0


def _memoized(method: Callable[[Plan], pd.DataFrame]) -> Callable[[Plan], pd.DataFrame]:
    """Compute a table of the plan once (the plan does not change), hand out copies."""
    @functools.wraps(method)
    def wrapper(self: Plan) -> pd.DataFrame:
        if method.__name__ not in self._memo:
            self._memo[method.__name__] = method(self)
        return self._memo[method.__name__].copy()
    return wrapper


@dataclass
class Plan:
    """A weekly plan: what to eat (servings) and take (tablets), day by day."""

    config: Config
    foods: pd.DataFrame
    supplements: pd.DataFrame
    food_items: pd.DataFrame          # day, occasion, food, servings
    supplement_items: pd.DataFrame    # day, window, supplement, units
    meta: dict[str, Any] = field(default_factory=dict)
    alternatives: list[Plan] = field(default_factory=list)   # other good weeks, if asked
    _memo: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False,
                                           compare=False)

    @property
    def params(self) -> AbsorptionParams:
        return AbsorptionParams.from_config(self.config)

    def window_of_occasion(self) -> dict[str, int]:
        numbers = windows_of(self.config.occasions, self.params.tau_h)
        return {o.name: w for o, w in zip(self.config.occasions, numbers, strict=True)}

    @_memoized
    def items(self) -> pd.DataFrame:
        """One row per food item with grams, B12 parts, energy, protein, sugars and cost."""
        items = self.food_items.copy()
        if items.empty:
            return items.assign(grams=[], window=[])
        table = self.foods.loc[items["food"]]
        grams = items["grams"].to_numpy(dtype=float)
        factor = grams / 100.0
        items["name"] = table["name"].to_numpy()
        items["group"] = table["group"].to_numpy()
        items["liquid"] = table["liquid"].to_numpy()
        items["grams"] = grams
        items["serving_label"] = table["serving_label"].to_numpy()
        items["matrix"] = [self.params.matrix_factor(g, m) for g, m in
                           zip(table["group"], table["b12_matrix"], strict=True)]
        bound = (table["b12_ug"] - table["b12_added_ug"]).clip(lower=0).to_numpy() * factor
        items["b12_food_bound_ug"] = np.where(items["matrix"] > 0, bound, 0.0)  # analogue: 0
        items["b12_crystalline_ug"] = table["b12_added_ug"].to_numpy() * factor
        for column, source in (("energy_kcal", "energy_kcal"), ("protein_g", "protein_g"),
                               ("sugars_g", "sugars_g"), ("fiber_g", "fiber_g")):
            items[column] = table[source].fillna(0.0).to_numpy() * factor
        items["cost"] = table["price_per_kg"].fillna(0.0).to_numpy() * grams / 1000.0
        items["window"] = items["occasion"].map(self.window_of_occasion())
        return items

    @_memoized
    def plain_water(self) -> pd.DataFrame:
        """Plain water per day and occasion (ml), placed to meet the water need."""
        return plain_water(self)

    @_memoized
    def tablets(self) -> pd.DataFrame:
        """One row per supplement item with dose and cost."""
        tabs = self.supplement_items.copy()
        if tabs.empty:
            return tabs.assign(b12_crystalline_ug=[], cost=[], name=[])
        table = self.supplements.loc[tabs["supplement"]]
        tabs["name"] = table["name"].to_numpy()
        tabs["b12_crystalline_ug"] = tabs["units"].to_numpy() * table["b12_ug_per_unit"].to_numpy()
        tabs["cost"] = (tabs["units"].to_numpy() * table["price_per_pack"].to_numpy()
                        / table["units_per_pack"].to_numpy())
        return tabs

    @_memoized
    def windows(self) -> pd.DataFrame:
        """Per day and window: X, exact absorbed B12, IF cap and passive mode."""
        items, tabs, params = self.items(), self.tablets(), self.params
        rows = []
        names: dict[int, list[str]] = {}
        for name, number in self.window_of_occasion().items():
            names.setdefault(number, []).append(name)
        for day in range(1, self.config.plan.days + 1):
            for window, occasions in names.items():
                part = items[(items["day"] == day) & (items["window"] == window)] \
                    if not items.empty else items
                tab = tabs[(tabs["day"] == day) & (tabs["window"] == window)] \
                    if not tabs.empty else tabs
                bound = float((part["b12_food_bound_ug"] * part["matrix"]).sum()) \
                    if not part.empty else 0.0
                crystalline = float(part["b12_crystalline_ug"].sum() if not part.empty else 0)
                crystalline += float(tab["b12_crystalline_ug"].sum() if not tab.empty else 0)
                x = params.r_food * bound + crystalline
                fasting = part.empty or bool(
                    (self.foods.loc[part["food"], "energy_kcal"] < ENERGY_FREE_KCAL).all())
                rows.append({"day": day, "window": window, "occasions": occasions,
                             "x_ug": x, "absorbed_ug": absorbed_ug(x, params, fasting),
                             "if_cap_ug": params.k_if * params.cmax_ug,
                             "passive": "fasting" if fasting else "with_food"})
        return pd.DataFrame(rows)

    @_memoized
    def days(self) -> pd.DataFrame:
        """Per day: absorbed B12 (with injections), target, energy, protein, sugars, drinks
        (plain water included), plain water, total water, cost."""
        items, tabs, windows = self.items(), self.tablets(), self.windows()
        injection = injection_per_day_ug(self.config)
        poured, water = self.plain_water(), item_water(self)
        rows = []
        for day in range(1, self.config.plan.days + 1):
            part = items[items["day"] == day] if not items.empty else items
            tab = tabs[tabs["day"] == day] if not tabs.empty else tabs
            liquids = part[part["liquid"].astype(bool)] if not part.empty else part
            glasses = float(poured.loc[poured["day"] == day, "ml"].sum())
            rows.append({
                "day": day,
                "absorbed_b12_ug": float(windows.loc[windows["day"] == day,
                                                     "absorbed_ug"].sum()) + injection,
                "target_b12_ug": self.config.target_ug(),
                "energy_kcal": float(part["energy_kcal"].sum()) if not part.empty else 0.0,
                "protein_g": float(part["protein_g"].sum()) if not part.empty else 0.0,
                "sugars_g": float(part["sugars_g"].sum()) if not part.empty else 0.0,
                "fiber_g": float(part["fiber_g"].sum()) if not part.empty else 0.0,
                "fluids_ml": (float(liquids["grams"].sum()) if not liquids.empty else 0.0)
                + glasses,
                "plain_water_ml": glasses,
                "total_water_ml": float(water[part.index].sum() if not part.empty else 0.0)
                + glasses,
                "cost": float(part["cost"].sum() if not part.empty else 0.0)
                + float(tab["cost"].sum() if not tab.empty else 0.0),
            })
        return pd.DataFrame(rows)

    def targets(self) -> list[Target]:
        """The daily nutrient rules of this plan's person and food table."""
        return targets(self.config, available_nutrients(self.foods))

    @_memoized
    def nutrients(self) -> pd.DataFrame:
        """Per day: each ruled nutrient from food, from tablets, and in all."""
        items, tabs = self.food_items, self.supplement_items
        names = sorted({t.nutrient for t in self.targets()} | {"energy_kcal"})
        food = np.zeros((len(items), len(names)))
        if not items.empty:
            grams = items["grams"].to_numpy(dtype=float)
            food = self.foods.loc[items["food"], names].fillna(0.0).to_numpy(dtype=float) \
                * (grams / 100.0)[:, None]
        known = [n for n in names if n in self.supplements.columns]
        tablets = np.zeros((len(tabs), len(names)))
        if not tabs.empty and known:
            columns = [names.index(n) for n in known]
            tablets[:, columns] = self.supplements.loc[tabs["supplement"], known] \
                .to_numpy(dtype=float) * tabs["units"].to_numpy()[:, None]
        item_day = items["day"].to_numpy() if not items.empty else np.zeros(0)
        tab_day = tabs["day"].to_numpy() if not tabs.empty else np.zeros(0)
        rows = []
        for day in range(1, self.config.plan.days + 1):
            from_food = food[item_day == day].sum(axis=0)
            from_tablets = tablets[tab_day == day].sum(axis=0)
            row: dict[str, Any] = {"day": day}
            for number, name in enumerate(names):
                row[f"{name}_food"] = float(from_food[number])
                row[f"{name}_supplements"] = float(from_tablets[number])
                row[name] = row[f"{name}_food"] + row[f"{name}_supplements"]
            rows.append(row)
        return pd.DataFrame(rows)

    def nutrient_summary(self) -> list[dict[str, Any]]:
        """Each nutrient rule against the plan's days: mean, lowest and highest day, the part
        from tablets, and whether every day keeps it."""
        table, out = self.nutrients(), []
        usual = self.config.meals.needs_period == "week"
        for target in self.targets():
            amount = rule_amounts(table, target)
            met = bool(keeps(amount, target).all())
            if usual and target.kind == "need" and target.scope == "total":
                met = usual_intake_met(amount, target, self.config.meals.daily_floor_share)
            out.append({"nutrient": target.nutrient, "label": target.label,
                        "unit": target.unit, "kind": target.kind, "scope": target.scope,
                        "value": target.value, "mean": float(amount.mean()),
                        "lowest": float(amount.min()), "highest": float(amount.max()),
                        "from_supplements_mean": float(
                            table[f"{target.nutrient}_supplements"].mean()),
                        "met": met, "source": target.source,
                        **({"met_as": "usual intake: the plan's mean, every day at least "
                            f"{self.config.meals.daily_floor_share:g} of it"}
                           if usual and target.kind == "need" and target.scope == "total"
                           else {})})
        return out

    def notes(self) -> list[str]:
        """What the plan does not check, said once."""
        out = []
        missing = unchecked(self.config, available_nutrients(self.foods))
        if missing:
            out.append(f"Not checked, the food table has no values: {', '.join(missing)}.")
        if iodine_matters(self.config):
            out.append(IODINE_NOTE)
        out += rule_notes(self) + water_note(self)
        if self.config.meals.leftovers:
            wanted = self.config.meals.leftovers
            meals = self.food_items.drop_duplicates(["day", "occasion"])["meal"].astype(str)
            planned = int(meals.str.startswith("leftover:").sum())
            out.append(f"Leftovers: {planned} lunch(es) are the previous day's dinner, cooked "
                       f"once ([meals] leftovers = {wanted}).")
        if any(getattr(self.config.meals, key) for key in FPED_RULES) \
                and not knows_fped(self.foods):
            out.append(UNKNOWN_NOTE)
        composed = self.food_items["meal"].astype(str).str.startswith(COMPOSED)
        if composed.any():
            count = len(self.food_items[composed].drop_duplicates(["day", "occasion"]))
            out.append(f"{count} meal(s) composed from the food table's foods by the "
                       "most common NHANES role sets of their occasion (the table "
                       "holds too few of the meal library's foods, or [meals] source = "
                       "\"composed\"): a meal people eat in shape, not one they were seen "
                       "eating.")
        return out

    def supplement_reasons(self) -> dict[tuple[int, str], str]:
        """Why each product is taken on each day: a pack's daily rule, or the needs that the
        day's food alone falls short of (B12: the absorbed target)."""
        tabs = self.supplement_items
        if tabs.empty:
            return {}
        table = self.nutrients().set_index("day")
        needs = [t for t in self.targets() if t.kind == "need"]
        food_b12 = self.food_only_absorbed()
        out = {}
        for day, product in sorted(set(zip(tabs["day"], tabs["supplement"], strict=True))):
            daily = self.config.supplements.daily.get(str(product))
            if daily:
                out[(int(day), str(product))] = f"taken every day ({daily} a day, clinical " \
                    "pack: [supplements] daily)"
                continue
            label = self.supplements.loc[product]
            reasons = []
            if float(label["b12_ug_per_unit"]) > 0 and \
                    food_b12[int(day)] < self.config.target_ug() - TOLERANCE:
                reasons.append(f"absorbed B12: food gives {food_b12[int(day)]:.2f} of "
                               f"{self.config.target_ug():.2f} ug")
            for target in needs:
                food = float(table.loc[day, f"{target.nutrient}_food"])
                if target.nutrient in label.index and float(label[target.nutrient]) > 0 \
                        and food < target.value - TOLERANCE:
                    reasons.append(f"{target.label}: food gives {food:.3g} of "
                                   f"{target.value:g} {target.unit}")
            out[(int(day), str(product))] = "; ".join(reasons) or \
                "the week's steady regimen (the same every day)"
        return out

    def food_only_absorbed(self) -> dict[int, float]:
        """Absorbed B12 per day from food alone (no tablets, injections included)."""
        bare = Plan(config=self.config, foods=self.foods, supplements=self.supplements,
                    food_items=self.food_items,
                    supplement_items=self.supplement_items.iloc[:0])
        days = bare.days()
        return dict(zip(days["day"].astype(int), days["absorbed_b12_ug"], strict=True))

    def totals(self) -> dict[str, Any]:
        days = self.days()
        items = self.food_items
        unpriced = int(self.foods.loc[items["food"], "price_per_kg"].isna().sum()) \
            if not items.empty else 0
        return {"absorbed_b12_ug_per_day_mean": float(days["absorbed_b12_ug"].mean()),
                "cost": float(days["cost"].sum()), "currency": currency_of(self.foods),
                "unpriced_items": unpriced}

    def purchases(self) -> dict[str, float | int]:
        """Whole packages the plan needs from an empty pantry: their cost and the part left."""
        from .shopping import items_for, spending

        amounts: dict[tuple[str, str], float] = {}
        items, tabs = self.items(), self.tablets()
        for food, grams in zip(items.get("food", []), items.get("grams", []), strict=True):
            amounts[("food", food)] = amounts.get(("food", food), 0.0) + float(grams)
        for product, units in zip(tabs.get("supplement", []), tabs.get("units", []),
                                  strict=True):
            key = ("supplement", product)
            amounts[key] = amounts.get(key, 0.0) + float(units)
        return spending(items_for(amounts, self.config.plan.days, self.foods,
                                  self.supplements))

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data, schema version 1."""
        items, tabs, windows = self.items(), self.tablets(), self.windows()
        reasons = self.supplement_reasons()
        window_of = self.window_of_occasion()
        first_of_window: dict[int, str] = {}
        water = self.plain_water().set_index(["day", "occasion"])["ml"].to_dict()
        for occasion in self.config.occasions:
            first_of_window.setdefault(window_of[occasion.name], occasion.name)
        occasions = []
        for day in range(1, self.config.plan.days + 1):
            for occasion in self.config.occasions:
                entries = []
                part = items[(items["day"] == day) & (items["occasion"] == occasion.name)] \
                    if not items.empty else items
                for row in row_tuples(part):
                    entries.append({
                        "id": row.food, "kind": "food", "name": row.name,
                        "servings": _r(row.servings, 2),
                        "grams": _r(row.grams),
                        "household": household(float(row.servings), str(row.serving_label)),
                        "b12_food_bound_ug": _r(row.b12_food_bound_ug),
                        "b12_crystalline_ug": _r(row.b12_crystalline_ug),
                        "energy_kcal": _r(row.energy_kcal), "protein_g": _r(row.protein_g),
                        "cost": _r(row.cost)})
                window = window_of[occasion.name]
                if first_of_window[window] == occasion.name and not tabs.empty:
                    for row in row_tuples(tabs[(tabs["day"] == day) & (tabs["window"] == window)]):
                        entries.append({
                            "id": row.supplement, "kind": "supplement", "name": row.name,
                            "units": int(row.units), "b12_food_bound_ug": 0.0,
                            "b12_crystalline_ug": _r(row.b12_crystalline_ug),
                            "energy_kcal": 0.0, "protein_g": 0.0, "cost": _r(row.cost),
                            "why": reasons.get((day, row.supplement), "")})
                described = {"day": day, "name": occasion.name, "time": occasion.time,
                             "kind": occasion.kind, "window": window,
                             "plain_water_ml": _r(float(water.get((day, occasion.name), 0.0)))}
                if not part.empty:
                    first = part.iloc[0]
                    described["meal"] = {"id": str(first["meal"]),
                                         "name": str(first["meal_name"]),
                                         "seen": int(first["meal_seen"]),
                                         "kind": str(first["meal_kind"])}
                occasions.append({**described, "items": entries})
        return {
            "schema_version": SCHEMA_VERSION,
            "meta": {"planner_version": __version__, **self.meta,
                     "constraints": self.config.to_dict(), "disclaimer": DISCLAIMER},
            "occasions": occasions,
            "windows": [{"day": int(w.day), "window": int(w.window),
                         "occasions": list(w.occasions), "x_ug": _r(w.x_ug),
                         "absorbed_ug": _r(w.absorbed_ug), "if_cap_ug": _r(w.if_cap_ug),
                         "passive": w.passive} for w in row_tuples(windows)],
            "days": [{k: (int(v) if k == "day" else _r(v)) for k, v in row.items()}
                     for row in self.days().to_dict("records")],
            "totals": {k: (_r(v) if isinstance(v, float) else v)
                       for k, v in {**self.totals(), **self.purchases()}.items()},
            "supplements": [{"day": int(t.day), "window": int(t.window), "id": t.supplement,
                             "units": int(t.units), "b12_ug": _r(t.b12_crystalline_ug),
                             "why": reasons.get((int(t.day), t.supplement), "")}
                            for t in row_tuples(tabs)] if not tabs.empty else [],
            "nutrients": [{k: (_r(v) if isinstance(v, float) else v) for k, v in row.items()}
                          for row in self.nutrient_summary()],
            "notes": self.notes(),
            **({"food_pattern": pattern} if (pattern := food_pattern(self)) else {}),
        }


def row_tuples(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed loosely: the columns are known by name)."""
    return list(frame.itertuples(index=False))


def _r(value: Any, digits: int = 4) -> float:
    number = float(value)
    return round(number, digits) if math.isfinite(number) else number


def household(servings: float, label: str) -> str:
    """Grams as the nearest quarter of a household measure: "about 1 1/2 x 1 cup"."""
    quarters = round(servings * 4)
    units, rest = divmod(quarters, 4)
    parts = [str(units)] if units else []
    if rest:
        parts.append({1: "1/4", 2: "1/2", 3: "3/4"}[rest])
    amount = " ".join(parts) or "under 1/4"
    unit = label or "serving"
    return f"about {amount} x {unit}"


def usual_intake_met(amount: pd.Series, target: Target, floor_share: float) -> bool:
    """A need met as usual intake: the plan's mean meets it and every day gives at least
    ``floor_share`` of it (EPA+DHA: the mean only)."""
    from .day import WEEKLY_ONLY

    slack = TOLERANCE * max(1.0, abs(target.value))
    floor = 0.0 if target.nutrient in WEEKLY_ONLY else floor_share * target.value
    return bool(amount.mean() >= target.value - slack and (amount >= floor - slack).all())


def rule_amounts(table: pd.DataFrame, target: Target) -> pd.Series:
    """Per day, what a nutrient rule measures: the total, the part from tablets, or the
    share of energy."""
    if target.scope == "supplements":
        return table[f"{target.nutrient}_supplements"]
    if target.scope == "energy_share":
        return KCAL_PER_G.get(target.nutrient, 0.0) * table[target.nutrient] / table[
            "energy_kcal"].clip(lower=1e-9)
    return table[target.nutrient]


def keeps(amount: pd.Series, target: Target) -> pd.Series:
    """Per day, whether the amount keeps the rule (within the verification tolerance)."""
    slack = TOLERANCE * max(1.0, abs(target.value))
    return amount >= target.value - slack if target.kind == "need" \
        else amount <= target.value + slack
