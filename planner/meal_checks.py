"""Independent checks of a plan made of library meals, from the library's own tables (not
from the options the search used): each meal is a library meal of its occasion with its
foods (a food may be swapped only as the substitutions table says, and drinks left out only
where the occasion allows none), each portion within that food's range in that meal, the
week's variety, and each need as usual intake (the week's mean, every day a floor) with every
upper limit every day.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from .config import Config
from .day import WEEKLY_ONLY
from .library import Library, load_library
from .options import DRINKS, MEAL_SCALE, load_substitutions, occasion_source
from .pattern import MEAL_OZ

if TYPE_CHECKING:
    from .plan import Plan

SLACK_G = 0.11          # grams are stated to 0.1 g
ADAPTED = "~adapted"


def check_meal_plan(plan: Plan, items: pd.DataFrame) -> list[str]:
    """Every rule of a library-meal plan that the ingredient checks do not cover."""
    library = load_library()
    problems = _check_meals_are_library_meals(plan, items, library)
    problems += _check_variety(plan, items)
    return problems


def _code_of(foods: pd.DataFrame) -> dict[str, str]:
    codes = foods.get("fndds_code", pd.Series("", index=foods.index)).fillna("").astype(str)
    return {str(f): c for f, c in zip(foods.index, codes, strict=True)}


def _swaps(foods: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per food id that may replace another: the food ids or categories it replaces and
    the ratio."""
    out: dict[str, dict[str, float]] = {}
    for source, target, ratio in load_substitutions()[["from", "to", "ratio"]].itertuples(
            index=False):
        out.setdefault(str(target), {})[str(source)] = float(ratio)
    return out


def _check_meals_are_library_meals(plan: Plan, items: pd.DataFrame,
                                   library: Library) -> list[str]:
    problems: list[str] = []
    code_of = _code_of(plan.foods)
    category = pd.to_numeric(plan.foods.get("wweia_category", pd.Series(math.nan,
                                                                        index=plan.foods.index)),
                             errors="coerce")
    swaps = _swaps(plan.foods)
    food_of = {c: f for f, c in code_of.items() if c}
    by_name = {o.name: o for o in plan.config.occasions}
    quantiles = library.foods
    p10, p90 = quantiles["grams_p10"].to_dict(), quantiles["grams_p90"].to_dict()
    meal_occasion = library.meals["occasion"].to_dict()
    meal_seen = library.meals["seen"].to_dict()
    for (day, name), part in items.groupby(["day", "occasion"], sort=False):
        occasion = by_name[str(name)]
        meal_key = str(part["meal"].iloc[0])
        where = f"day {day} {name}"
        if part["meal"].nunique() != 1:
            problems.append(f"{where}: more than one meal")
            continue
        if occasion_source(occasion) == DRINKS:
            if not meal_key.startswith("drink:") or len(part) != 1:
                problems.append(f"{where}: a drink occasion holds one drink, not {meal_key}")
            continue
        meal_id = meal_key.removesuffix(ADAPTED)
        if meal_id not in library.meals.index:
            problems.append(f"{where}: {meal_id} is not a library meal")
            continue
        if meal_occasion[meal_id] != occasion_source(occasion):
            problems.append(f"{where}: {meal_id} is a {meal_occasion[meal_id]} meal, not a "
                            f"{occasion_source(occasion)}")
        if int(meal_seen[meal_id]) < plan.config.meals.min_seen:
            problems.append(f"{where}: {meal_id} seen fewer than meals.min_seen times")
        eaten = library.items[library.items["meal_id"] == meal_id]
        wanted = {str(c): float(g) for c, g in zip(eaten["fndds_code"], eaten["grams"],
                                                   strict=True)}
        left = dict(wanted)
        for food, grams in zip(part["food"], part["grams"], strict=True):
            code = code_of.get(str(food), "")
            ratio = 1.0
            if code in left:
                origin = code
            else:
                origin, ratio = _replaced(str(food), left, swaps, food_of, category)
                if not origin or not meal_key.endswith(ADAPTED):
                    problems.append(f"{where}: {food} is not a food of {meal_id}")
                    continue
            median = left.pop(origin)
            low, high = _meal_range(median, float(p10[origin]), float(p90[origin]))
            if not low * ratio - SLACK_G <= float(grams) <= high * ratio + SLACK_G:
                problems.append(f"{where}: {float(grams):.1f} g of {food} outside "
                                f"{low * ratio:.1f}-{high * ratio:.1f} g (its range in "
                                f"{meal_id})")
        drinks_allowed = occasion.max_liquids_ml is None or occasion.max_liquids_ml > 0
        missing = [c for c in left if drinks_allowed or not bool(quantiles.loc[c, "liquid"])]
        if missing:
            problems.append(f"{where}: {meal_id} without its food(s) {', '.join(missing)}")
    return problems


def _replaced(food: str, left: dict[str, float], swaps: dict[str, dict[str, float]],
              food_of: dict[str, str], category: pd.Series) -> tuple[str, float]:
    """The library food (code) that ``food`` stands in for, by the substitutions table, and
    the ratio; ("", 1) when none."""
    sources = swaps.get(food, {})
    for code in sorted(left):
        origin = food_of.get(code)
        if origin is None:
            continue
        number = category.get(origin, math.nan)
        keys = [origin] + ([f"category:{int(number)}"] if not math.isnan(number) else [])
        for key in keys:
            if key in sources:
                return code, sources[key]
    return "", 1.0


def _meal_range(median: float, p10: float, p90: float) -> tuple[float, float]:
    least, most = max(p10, median / MEAL_SCALE), min(p90, median * MEAL_SCALE)
    return (median, median) if least > most else (least, most)


def _check_variety(plan: Plan, items: pd.DataFrame) -> list[str]:
    """Each meal at most ``repeats_max`` times, distinct meals per occasion, distinct days."""
    config: Config = plan.config
    rules = config.meals
    problems = []
    meals = items.drop_duplicates(["day", "occasion"])[["day", "occasion", "meal"]]
    counted = meals[~meals["meal"].str.startswith("drink:")]
    times = counted.groupby("meal").size()
    for meal, count in times[times > rules.repeats_max].items():
        problems.append(f"meal {meal} eaten {count} times > meals.repeats_max "
                        f"{rules.repeats_max}")
    wanted = {"breakfast": rules.distinct_breakfasts, "lunch": rules.distinct_lunches,
              "dinner": rules.distinct_dinners}
    days = config.plan.days
    for occasion in config.occasions:
        least = wanted.get(occasion.name, wanted.get(occasion_source(occasion), 0))
        least = min(days, math.ceil(least * days / 7))
        distinct = counted.loc[counted["occasion"] == occasion.name, "meal"].nunique()
        if least and distinct < least:
            problems.append(f"{occasion.name}: {distinct} different meals < {least}")
    if rules.distinct_days:
        shapes = meals.groupby("day")["meal"].apply(tuple)
        twice = shapes[shapes.duplicated()]
        problems += [f"day {day} eats the meals of an earlier day" for day in twice.index]
    return problems


GROUP_MEMBERS = {"meat": {"meat", "poultry"}, "seafood": {"fish", "shellfish"}}


def check_group_meals(plan: Plan, items: pd.DataFrame) -> list[str]:
    """``variety.group_uses_per_week``: meals holding a food of the group (meat counts
    poultry too), scaled to the plan's days."""
    problems = []
    days = plan.config.plan.days
    for group, (low, high) in plan.config.variety.group_uses_per_week.items():
        members = GROUP_MEMBERS.get(group, {group})
        holding = items[items["group"].isin(members)].drop_duplicates(["day", "occasion"])
        count = len(holding)
        least, most = math.floor(low * days / 7), math.ceil(high * days / 7)
        if not least <= count <= most:
            problems.append(f"{count} meals with {group} in the plan outside "
                            f"[{least}, {most}]")
    return problems


def check_usual_intake(plan: Plan) -> list[str]:
    """Needs as usual intake (``meals.needs_period = "week"``): the plan's mean meets each
    need and every day gives at least ``daily_floor_share`` of it (EPA+DHA: the mean only);
    upper limits, supplement limits and energy shares hold every day."""
    from .plan import keeps, rule_amounts

    problems = []
    table = plan.nutrients()
    rules = plan.config.meals
    for target in plan.targets():
        amount = rule_amounts(table, target)
        weekly = target.kind == "need" and target.scope == "total" and \
            rules.needs_period == "week"
        if not weekly:
            for day, value, kept in zip(table["day"], amount, keeps(amount, target),
                                        strict=True):
                if not kept:
                    problems.append(f"day {day}: {target.label} {value:.4g} breaks "
                                    f"{target.describe()}")
            continue
        slack = 1e-6 * max(1.0, abs(target.value))
        if float(amount.mean()) < target.value - slack:
            problems.append(f"{target.label}: the plan's mean {float(amount.mean()):.4g} "
                            f"breaks {target.describe()}")
        floor = 0.0 if target.nutrient in WEEKLY_ONLY else rules.daily_floor_share * \
            target.value
        for day, value in zip(table["day"], amount, strict=True):
            if value < floor - slack:
                problems.append(f"day {day}: {target.label} {value:.4g} below the daily "
                                f"floor {floor:.4g} ({rules.daily_floor_share:g} of the need)")
    return problems



def check_fped_meals(plan: Plan, items: pd.DataFrame) -> list[str]:
    """``[meals] meat_poultry_meals_min`` and ``seafood_meals_min``: meals with at least
    1 oz-eq of the group (FPED per 100 g x the planned grams), scaled to the plan's days."""
    problems = []
    library = load_library()
    code = _code_of(plan.foods)
    days = plan.config.plan.days
    for column, least, words in (
            ("meat_poultry_oz", plan.config.meals.meat_poultry_meals_min, "meat or poultry"),
            ("seafood_oz", plan.config.meals.seafood_meals_min, "seafood")):
        if least <= 0 or items.empty:
            continue
        per_100g = library.foods[column].to_dict()
        amount = [per_100g.get(code.get(str(f), ""), 0.0) * float(g) / 100.0
                  for f, g in zip(items["food"], items["grams"], strict=True)]
        per_meal = items.assign(amount=amount).groupby(["day", "occasion"])["amount"].sum()
        count = int((per_meal >= MEAL_OZ - 1e-9).sum())
        wanted = math.ceil(least * days / 7)
        if count < wanted:
            problems.append(f"{count} meals with {words} < {wanted} ([meals])")
    return problems
