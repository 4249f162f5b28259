"""Independent checks of a plan made of library meals, from the library's own tables (not
from the options the search used): each meal is a library meal of its occasion with its
foods (a food may be swapped only as the substitutions table says, and drinks left out only
where the occasion allows none), each portion within that food's range in that meal, the
week's variety, and each need as usual intake (the week's mean, every day a floor) with every
upper limit every day.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from .composed import PREFIX as COMPOSED
from .composed import parse, roles_of, templates_of
from .composed import portion_ranges as composed_portions
from .day import DISH_KINDS, WEEKLY_ONLY
from .foods import food_categories
from .library import Library, load_library
from .options import (
    DRINKS,
    LEFTOVER,
    MEAL_SCALE,
    categories_with_stand_ins,
    leftover_occasions,
    load_substitutions,
    main_meal_occasions,
    occasion_source,
)
from .own_meals import PREFIX as OWN
from .own_meals import own_meals
from .pattern import MEAL_OZ, knows_fped
from .plan import Plan, keeps, rule_amounts
from .schema import Config, Occasion

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


def _swaps(substitutions: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per food id that may replace another: the food ids or categories it replaces and
    the ratio."""
    out: dict[str, dict[str, float]] = {}
    for source, target, ratio in substitutions[["from", "to", "ratio"]].itertuples(
            index=False):
        out.setdefault(str(target), {})[str(source)] = float(ratio)
    return out


def _check_meals_are_library_meals(plan: Plan, items: pd.DataFrame,
                                   library: Library) -> list[str]:
    problems: list[str] = []
    code_of = _code_of(plan.foods)
    category = food_categories(plan.foods)
    substitutions = load_substitutions()
    swaps = _swaps(substitutions)
    food_of = {c: f for f, c in code_of.items() if c}
    by_name = {o.name: o for o in plan.config.occasions}
    quantiles = library.foods
    p10, p90 = quantiles["grams_p10"].to_dict(), quantiles["grams_p90"].to_dict()
    meal_occasion = library.meals["occasion"].to_dict()
    meal_seen = library.meals["seen"].to_dict()
    def in_meal(code: str, median: float) -> tuple[float, float]:
        return _meal_range(median, float(p10[code]), float(p90[code]))

    own = own_meals(plan.config, plan.foods)
    liquid = {str(f): bool(v) for f, v in plan.foods["liquid"].astype(bool).items()}
    mains: dict[tuple[int, str], str] = {}
    leftovers: list[tuple[int, str]] = []
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
        if meal_key.startswith(LEFTOVER):
            problems += _check_leftover(where, int(str(day)), occasion, meal_key, part, items,
                                        plan.config, liquid)
            leftovers.append((int(str(day)), str(name)))
            continue
        if meal_key.startswith(COMPOSED):
            ranges = _portion_ranges(meal_key.split(":", 2)[2].split("+"), plan.foods,
                                     code_of, quantiles)
            problems += _check_composed_meal(where, meal_key, part, occasion, plan.foods,
                                             ranges, liquid)
            main = _composed_main(part, ranges, liquid)
            if main:
                mains[(int(str(day)), str(name))] = main
            continue
        meal_id = meal_key.removesuffix(ADAPTED)
        if meal_id.startswith(OWN):
            problems += _check_own_meal(where, meal_key, part, own, occasion, swaps, liquid,
                                        category)
            continue
        if meal_id not in library.meals.index:
            problems.append(f"{where}: {meal_id} is not a library meal")
            continue
        if meal_occasion[meal_id] != occasion_source(occasion):
            problems.append(f"{where}: {meal_id} is a {meal_occasion[meal_id]} meal, not a "
                            f"{occasion_source(occasion)}")
        if int(meal_seen[meal_id]) < plan.config.meals.min_seen:
            problems.append(f"{where}: {meal_id} seen fewer than meals.min_seen times")
        left = dict(library.grams_by_meal.get(meal_id, {}))
        typical: dict[str, float] = {}
        problems += _check_portions(where, meal_id, part, left, in_meal, code_of, food_of,
                                    swaps if meal_key.endswith(ADAPTED) else {}, category,
                                    typical)
        solid = [(-g, f) for f, g in typical.items() if not liquid.get(f, False)]
        if solid:
            mains[(int(str(day)), str(name))] = min(solid)[1]
        drinks_allowed = occasion.max_liquids_ml is None or occasion.max_liquids_ml > 0
        missing = [c for c in left if drinks_allowed or not bool(quantiles.loc[c, "liquid"])]
        if missing:
            problems.append(f"{where}: {meal_id} without its food(s) {', '.join(missing)}")
    pair = leftover_occasions(plan.config)
    for day, name in leftovers:   # a leftover lunch is its dinner's dish
        if pair is not None and (day - 1, pair[0]) in mains:
            mains[(day, name)] = mains[(day - 1, pair[0])]
    return problems + _check_dish_once_a_day(mains, plan.config, category) \
        + _check_dish_food_once_a_day(items, plan.config,
                                      pd.Series(categories_with_stand_ins(plan.foods,
                                                                          substitutions)),
                                      liquid)


def _check_dish_once_a_day(mains: dict[tuple[int, str], str], config: Config,
                           category: pd.Series) -> list[str]:
    """The meals of a day (breakfast, lunch, dinner) with main dishes of different kinds (a
    meal's largest solid food as people ate it, its kind its WWEIA category, else the food
    itself), a leftover lunch counted as its dinner's dish (own meals not counted)."""
    if not config.meals.dish_once_a_day:
        return []
    meals = main_meal_occasions(config)

    def kind(food: str) -> str:
        number = category.get(food)
        return food if number is None or pd.isna(number) else f"category {int(number)}"

    seen: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for (day, occasion), dish in sorted(mains.items(), key=lambda item: (
            item[0][0], meals.index(item[0][1]) if item[0][1] in meals else -1)):
        if occasion in meals:
            seen.setdefault((day, kind(dish)), []).append((occasion, dish))
    return [f"day {day}: {' and '.join(d for _, d in eaten)} are main dishes of one kind "
            f"({what}) at {' and '.join(o for o, _ in eaten)} (meals.dish_once_a_day)"
            for (day, what), eaten in sorted(seen.items()) if len(eaten) > 1]


def _check_dish_food_once_a_day(items: pd.DataFrame, config: Config, category: pd.Series,
                                liquid: dict[str, bool]) -> list[str]:
    """No food of a dish kind (meat, eggs, beans, mixed dishes, fried potatoes...) in two
    meals of a day (breakfast, lunch, dinner; own meals not counted)."""
    if not config.meals.dish_once_a_day:
        return []
    meals = main_meal_occasions(config)
    solid = items["food"].map(lambda f: not liquid.get(str(f), False)).astype(bool)
    dish = items["food"].map(category).isin(DISH_KINDS)
    eaten = items[solid & dish & items["occasion"].isin(meals)
                  & ~items["meal"].astype(str).str.removesuffix(ADAPTED).str.startswith(OWN)]
    problems = []
    for (day, food), rows in eaten.groupby(["day", "food"], sort=True):
        at = [o for o in meals if o in set(rows["occasion"])]
        if len(at) > 1:
            problems.append(f"day {day}: {food} is eaten at {' and '.join(at)} (a dish food "
                            "at one meal of a day: meals.dish_once_a_day)")
    return problems


def _check_leftover(where: str, day: int, occasion: Occasion, meal_key: str,
                    part: pd.DataFrame, items: pd.DataFrame, config: Config,
                    liquid: dict[str, bool]) -> list[str]:
    """A leftover lunch: the previous day's dinner, its foods (not its drinks) in the same
    grams."""
    pair = leftover_occasions(config)
    if pair is None or occasion.name != pair[1] or day < 2:
        return [f"{where}: leftovers only at lunch after a day with dinner"]
    dinner = items[(items["day"] == day - 1) & (items["occasion"] == pair[0])]
    if dinner.empty or str(dinner["meal"].iloc[0]) != meal_key.removeprefix(LEFTOVER):
        return [f"{where}: {meal_key} is not day {day - 1}'s dinner"]
    dish = dinner[~dinner["food"].map(liquid).fillna(False).astype(bool)]
    cooked = dish.groupby("food")["grams"].sum()
    eaten = part.groupby("food")["grams"].sum()
    if set(cooked.index) != set(eaten.index) or \
            (cooked.reindex(eaten.index) - eaten).abs().max() > SLACK_G:
        return [f"{where}: leftovers differ from day {day - 1}'s dinner"]
    return []


def _portion_ranges(ids: list[str], foods: pd.DataFrame, code_of: dict[str, str],
                    quantiles: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Low, typical and high grams of the foods of a composed meal that the table holds:
    their NHANES p10, p50 and p90 when the library knows them, else
    ``composed.portion_ranges``."""
    known = [f for f in ids if f in foods.index]
    other = composed_portions(foods.loc[known])
    out: dict[str, tuple[float, float, float]] = {}
    for food in known:
        code = code_of.get(food, "")
        row = quantiles.loc[code, ["grams_p10", "grams_p50", "grams_p90"]] \
            if code in quantiles.index else other.loc[food, ["low", "typical", "high"]]
        low, typical, high = (float(v) for v in row.to_numpy(dtype=float))
        out[food] = (low, typical, high)
    return out


def _composed_main(part: pd.DataFrame, ranges: dict[str, tuple[float, float, float]],
                   liquid: dict[str, bool]) -> str:
    """A composed meal's main dish: its solid food of most typical grams, ties by id; ""
    without one."""
    solids = sorted({str(f) for f in part["food"]
                     if not liquid.get(str(f), False) and str(f) in ranges})
    return min(solids, key=lambda f: (-ranges[f][1], f)) if solids else ""


def _check_composed_meal(where: str, meal_key: str, part: pd.DataFrame, occasion: Occasion,
                         foods: pd.DataFrame, ranges: dict[str, tuple[float, float, float]],
                         liquid: dict[str, bool]) -> list[str]:
    """A composed meal: a role set people ate at the occasion (NHANES), one food of each of
    its roles served at the occasion, each within its ``ranges``, drinks left out only where
    the occasion allows none."""
    _, template, joined = meal_key.split(":", 2)
    roles, ids = parse(template), joined.split("+")
    problems = []
    if roles not in {t.roles for t in templates_of(occasion.tokens(), occasion.kind,
                                                   occasion.templates)}:
        problems.append(f"{where}: {template} is not a meal people eat there")
    unknown = [f for f in ids if f not in foods.index]
    if unknown:
        return [*problems, f"{where}: {', '.join(unknown)} not in the food table"]
    role = roles_of(foods.loc[ids])
    if tuple(sorted(role)) != roles:
        problems.append(f"{where}: the foods' roles {'+'.join(sorted(role))} are not {template}")
    served = foods.loc[ids, "occasions"].fillna("").astype(str).str.split(";") \
        if "occasions" in foods.columns else pd.Series([list(occasion.tokens())] * len(ids))
    for food, tokens in zip(ids, served, strict=True):
        if not set(tokens) & set(occasion.tokens()):
            problems.append(f"{where}: {food} is not served at {occasion.name}")
    no_drinks = occasion.max_liquids_ml is not None and occasion.max_liquids_ml <= 0
    wanted = {f for f in ids if not (no_drinks and liquid.get(f, False))}
    eaten = part.groupby("food", sort=False)["grams"].sum()
    if set(map(str, eaten.index)) != wanted:
        problems.append(f"{where}: foods {', '.join(sorted(map(str, eaten.index)))} are not "
                        f"those of {meal_key}")
    for item, grams in eaten.items():
        if str(item) not in ranges:
            continue   # not a food of the meal: said above
        low, _, high = ranges[str(item)]
        if not low - SLACK_G <= float(grams) <= max(high, low) + SLACK_G:
            problems.append(f"{where}: {float(grams):.1f} g of {item} outside "
                            f"{low:.1f}-{high:.1f} g (its portion range)")
    return problems


def _check_own_meal(where: str, meal_key: str, part: pd.DataFrame, own: pd.DataFrame,
                    occasion: Occasion, swaps: dict[str, dict[str, float]],
                    liquid: dict[str, bool], category: pd.Series) -> list[str]:
    """An own meal: of the own-meals file, at its occasion, each food (or its swap) within
    ``MEAL_SCALE`` of the grams the person gave."""
    meal_id = meal_key.removesuffix(ADAPTED).removeprefix(OWN)
    rows = own[own["meal"] == meal_id]
    if rows.empty:
        return [f"{where}: {meal_id} is not a meal of the own-meals file"]
    problems = []
    if rows["occasion"].iloc[0] != occasion_source(occasion):
        problems.append(f"{where}: own meal {meal_id} is a {rows['occasion'].iloc[0]} meal")
    left = {str(f): float(g) for f, g in zip(rows["food"], rows["grams"], strict=True)}
    same = {f: f for f in left}
    problems += _check_portions(where, f"own meal {meal_id}", part, left,
                                lambda _, g: (g / MEAL_SCALE, g * MEAL_SCALE), same, same,
                                swaps if meal_key.endswith(ADAPTED) else {}, category)
    drinks_allowed = occasion.max_liquids_ml is None or occasion.max_liquids_ml > 0
    missing = [f for f in left if drinks_allowed or not liquid.get(f, False)]
    if missing:
        problems.append(f"{where}: own meal {meal_id} without {', '.join(missing)}")
    return problems


def _check_portions(where: str, meal: str, part: pd.DataFrame, left: dict[str, float],
                    range_of: Callable[[str, float], tuple[float, float]],
                    key_of: dict[str, str], food_of: dict[str, str],
                    swaps: dict[str, dict[str, float]], category: pd.Series,
                    typical: dict[str, float] | None = None) -> list[str]:
    """Each food eaten at an occasion (summed) is a food of the meal (``left``: its foods'
    keys and grams, popped as they are accounted for) or the stand-in of some of them
    (``swaps``, adapted meals only), within their ranges added up; ``typical`` gets each
    food's grams as people ate the meal (its origins' grams times their ratios)."""
    problems = []
    eaten_now = part.groupby("food", sort=False)["grams"].sum()
    for food, grams in eaten_now.items():
        key = key_of.get(str(food), "")
        origins = [(key, 1.0)] if key in left else []
        if swaps:
            rest = {k: g for k, g in left.items() if food_of.get(k) not in eaten_now.index}
            origins += _replaced(str(food), rest, swaps, food_of, category)
        if not origins:
            problems.append(f"{where}: {food} is not a food of {meal}")
            continue
        low = high = 0.0
        for origin, ratio in origins:
            if typical is not None:
                typical[str(food)] = typical.get(str(food), 0.0) + left[origin] * ratio
            least, most = range_of(origin, left.pop(origin))
            low, high = low + least * ratio, high + most * ratio
        slack = SLACK_G * len(origins)
        if not low - slack <= float(grams) <= high + slack:
            problems.append(f"{where}: {float(grams):.1f} g of {food} outside "
                            f"{low:.1f}-{high:.1f} g (its range in {meal})")
    return problems


def _replaced(food: str, left: dict[str, float], swaps: dict[str, dict[str, float]],
              food_of: dict[str, str], category: pd.Series) -> list[tuple[str, float]]:
    """The library foods (codes) that ``food`` stands in for by the substitutions table, each
    with its ratio (several foods of a meal may share one stand-in: milk and cream -> soy
    drink)."""
    sources = swaps.get(food, {})
    out = []
    for code in sorted(left):
        origin = food_of.get(code)
        if origin is None:
            continue
        number = category.get(origin, math.nan)
        keys = [origin] + ([f"category:{int(number)}"] if not math.isnan(number) else [])
        found = next((sources[key] for key in keys if key in sources), None)
        if found is not None:
            out.append((code, found))
    return out


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
    times = counted.groupby(counted["meal"].str.removeprefix(LEFTOVER)).size()
    for meal, count in times[times > rules.repeats_max].items():
        problems.append(f"meal {meal} eaten {count} times > meals.repeats_max "
                        f"{rules.repeats_max}")
    leftovers = int(counted["meal"].str.startswith(LEFTOVER).sum())
    least = min(rules.leftovers, config.plan.days - 1)
    if leftover_occasions(config) is not None and leftovers < least:
        problems.append(f"{leftovers} leftover lunch(es) < meals.leftovers {least}")
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
    poultry too); ``meals.category_meals_max``: meals holding a food of the WWEIA category;
    both scaled to the plan's days."""
    problems = []
    days = plan.config.plan.days
    category = food_categories(plan.foods)
    eaten = items.assign(category=items["food"].map(category))
    for number, most in sorted(plan.config.meals.category_meals_max.items()):
        holding = eaten[eaten["category"] == float(number)].drop_duplicates(["day", "occasion"])
        if len(holding) > math.ceil(most * days / 7):
            problems.append(f"{len(holding)} meals with a food of WWEIA category {number} in "
                            f"the plan, more than {math.ceil(most * days / 7)} "
                            "(meals.category_meals_max)")
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
    problems: list[str] = []
    if not knows_fped(plan.foods):
        return problems
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
    for group, per_day in (("vegetables_cup", plan.config.meals.vegetables_cup_min),
                           ("fruit_cup", plan.config.meals.fruit_cup_min)):
        if per_day <= 0:
            continue
        cups = library.foods[group].to_dict()
        total = sum(cups.get(code.get(str(f), ""), 0.0) * float(g) / 100.0
                    for f, g in zip(items["food"], items["grams"], strict=True))
        if total / days < per_day - 1e-6:
            problems.append(f"{group.split('_')[0]} {total / days:.3f} cup-eq a day < "
                            f"meals.{group}_min {per_day:g}")
    return problems
