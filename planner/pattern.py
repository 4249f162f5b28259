"""The plan's food groups against the Healthy U.S.-Style Dietary Pattern at its energy level:
vegetables and fruit in cup-equivalents a day, and the meals with meat or poultry and with
seafood, from FPED 2017-2018 amounts per 100 g (the meal library's food table) and the
planned grams. A report, not a rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

SOURCE = "Dietary Guidelines for Americans 2020-2025, Appendix 3 (Healthy U.S.-Style pattern)"
MEAL_OZ = 1.0   # oz-eq that make a meal count as one with meat/poultry or seafood
# energy level (kcal) -> (vegetables, fruit) cup-eq a day
HUSP = {1000: (1.0, 1.0), 1200: (1.5, 1.0), 1400: (1.5, 1.5), 1600: (2.0, 1.5),
        1800: (2.5, 1.5), 2000: (2.5, 2.0), 2200: (3.0, 2.0), 2400: (3.0, 2.0),
        2600: (3.5, 2.0), 2800: (3.5, 2.5), 3000: (4.0, 2.5), 3200: (4.0, 2.5)}


FPED_RULES = ("meat_poultry_meals_min", "seafood_meals_min", "vegetables_cup_min",
              "fruit_cup_min")
UNKNOWN_NOTE = ("Food groups (FPED) neither planned nor reported: no food of the table has an "
                "FNDDS code the meal library knows, so [meals] " + ", ".join(FPED_RULES)
                + " have no effect.")


def knows_fped(foods: pd.DataFrame) -> bool:
    """Whether any food of the table has FPED amounts (an FNDDS code the library knows);
    without, the food-group rules and report are left out (and the plan says so)."""
    from .library import load_library

    if "fndds_code" not in foods.columns:
        return False
    codes = foods["fndds_code"].dropna().astype(str)
    return bool(codes.isin(load_library().foods.index.astype(str)).any())


def energy_level(kcal: float) -> int:
    """The pattern's energy level nearest to a day's energy (1,000-3,200 kcal)."""
    return min(HUSP, key=lambda level: (abs(level - kcal), level))


def food_pattern(plan: Plan) -> dict[str, Any] | None:
    """Vegetables and fruit a day against the pattern, meals with meat or poultry and with
    seafood; None when the food table has no FNDDS codes."""
    import pandas as pd

    from .library import load_library

    items = plan.items()
    if items.empty or not knows_fped(plan.foods):
        return None
    table = load_library().foods
    code = plan.foods.loc[items["food"], "fndds_code"].fillna("").astype(str).to_numpy()
    per_100g = table.reindex(code)[["meat_poultry_oz", "seafood_oz", "vegetables_cup",
                                    "fruit_cup"]].fillna(0.0)
    amounts = per_100g.to_numpy() * (items["grams"].to_numpy()[:, None] / 100.0)
    frame = pd.DataFrame(amounts, columns=per_100g.columns).assign(
        day=items["day"].to_numpy(), occasion=items["occasion"].to_numpy())
    days = plan.config.plan.days
    per_meal = frame.groupby(["day", "occasion"]).sum()
    level = energy_level(float(plan.days()["energy_kcal"].mean()))
    vegetables, fruit = HUSP[level]
    return {"energy_level_kcal": level,
            "vegetables_cup_eq_per_day": round(float(frame["vegetables_cup"].sum()) / days, 2),
            "vegetables_pattern": vegetables,
            "fruit_cup_eq_per_day": round(float(frame["fruit_cup"].sum()) / days, 2),
            "fruit_pattern": fruit,
            "meat_poultry_meals": int((per_meal["meat_poultry_oz"] >= MEAL_OZ - 1e-9).sum()),
            "seafood_meals": int((per_meal["seafood_oz"] >= MEAL_OZ - 1e-9).sum()),
            "source": f"FPED 2017-2018; {SOURCE}"}


def pattern_line(pattern: dict[str, Any] | None) -> str:
    """The report in one line ("" without one)."""
    if not pattern:
        return ""
    return (f"Food groups: vegetables {pattern['vegetables_cup_eq_per_day']:.1f} cup-eq a day "
            f"(Healthy U.S.-Style pattern at {pattern['energy_level_kcal']:,} kcal: "
            f"{pattern['vegetables_pattern']:g}), fruit {pattern['fruit_cup_eq_per_day']:.1f} "
            f"({pattern['fruit_pattern']:g}); meat or poultry at "
            f"{pattern['meat_poultry_meals']} meals, seafood at {pattern['seafood_meals']}.")
