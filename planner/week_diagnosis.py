"""Why no week of library meals keeps the rules: the elastic LP of the week's mean day.

The mean of any week's days keeps every daily rule (each is linear) and the weekly rules
divided by the days, so when that LP needs slack on a rule, no week exists: the rules with
slack are the diagnosis, largest share first (slack is priced by its share of the rule's
bound, a daily rule's ten times a weekly rule's). When it needs none, a week may exist that the
search did not find: the search's own shortfall is named instead, and more rounds suggested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .bound import mean_day_program
from .day import DayModel
from .master import WeeklyRule
from .needs import LABELS
from .program import INF, highs_model, new_highs
from .schema import Config
from .vocabulary import rule_words

SOFT = ("energy", "energy_share_min", "energy_share_max", "meal_protein_min", "solids_max",
        "liquids_max", "sugars_occasion_max", "fluids_min", "sugars_max", "need",
        "energy_share_limit", "supplement_limit", "limit", "b12_target", "b12_floor",
        "supplement_required", "supplement_daily", "mean", "caffeine_mg_occasion_max",
        "added_sugars_g_occasion_max", "b12_oral_dose", "water_capacity")
DAILY_WEIGHT = 10.0   # a day's rules (energy, needs, limits) give before the week's only if
                      # no change of the weekly rules (budget, groups, means) is ten times smaller
FIXES = {"budget": "raise budget.max_per_week, or allow cheaper meals",
         "need": "lower meals.daily_floor_share, allow supplements, or loosen the diet",
         "limit": "raise the limit, or allow other meals",
         "fluids_min": "lower nutrients.fluids_ml_min",
         "meal_protein_min": "lower the occasion's min_protein_g",
         "water_capacity": "raise the drink occasions' max_liquids_ml or add drink occasions, "
                           "or lower safety.water_ml_min",
         "b12_oral_dose": "widen b12.oral_supplement_ug, or allow more B12 products"}


@dataclass(frozen=True)
class Cause:
    """A rule the mean day cannot keep and by how much (its share of the bound)."""

    family: str
    label: str
    amount: float
    share: float
    side: str = "lower"     # the bound it misses: lower (too little) or upper (too much)


def causes(model: DayModel, rules: list[WeeklyRule], days: int) -> list[Cause]:
    """The rules the elastic mean-day LP relaxes, largest share first ([] when it keeps
    every rule, or when no LP solution exists even so)."""
    import highspy

    program, named = mean_day_program(model, rules, days)
    program.add_cost(np.arange(program.num_cols), -program.cost())
    families = [*model.program.row_families(), *["mean"] * len(named)]
    labels = [*model.program.row_names(), *(rule.name for rule in named)]
    _, _, lower, upper = program.bounds()
    slacks: list[tuple[int, int, float, float]] = []   # column, row, sign, scale
    for row, family in enumerate(families):
        if family not in SOFT:
            continue
        for sign, bound in ((1.0, lower[row]), (-1.0, upper[row])):
            if np.isfinite(bound) and abs(bound) < INF:
                column = int(program.columns("slack", [f"{row}:{sign:+g}"], 0.0)[0])
                scale = max(1.0, abs(float(bound)))
                program.add_entries(np.asarray([row]), np.asarray([column]), sign)
                weight = 1.0 if family == "mean" else DAILY_WEIGHT
                program.add_cost(np.asarray([column]), weight / scale)
                slacks.append((column, row, sign, scale))
    highs = new_highs(threads=1, random_seed=0)
    highs.passModel(highs_model(program, mip=False))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.asarray(highs.getSolution().col_value)
    found = [Cause(families[row], labels[row], float(values[column]),
                   float(values[column]) / scale, "lower" if sign > 0 else "upper")
             for column, row, sign, scale in slacks if values[column] > 1e-7 * scale]
    return sorted(found, key=lambda c: (-c.share, c.family, c.label))


def describe(cause: Cause, config: Config, needs: dict[str, float] | None = None,
             short: tuple[str, ...] = ()) -> str:
    """One cause in words with its fix (``needs``: each nutrient's daily need, to state the
    shortfall in its units; ``short``: every need the diagnosis finds short, so that each
    line's skip names them all and applying every line's fix converges)."""
    days = config.plan.days
    if cause.family == "mean" and cause.label == "budget":
        week = cause.amount * 7
        return (f"budget: the cheapest week of library meals costs at least {week:.2f} a week "
                f"more than budget.max_per_week = {config.budget.max_per_week:g} - raise it "
                f"to at least {config.budget.max_per_week + week:.2f}, or allow cheaper meals")
    if cause.family == "mean" and cause.label.startswith("need:"):
        return _short_need(cause, config, needs or {}, short)
    if cause.family == "mean" and cause.label == "seafood_g":
        low, high = config.safety.seafood_g_per_week or (0.0, 0.0)
        return (f"seafood per week (FDA/EPA advice): the library's {config.diet.pattern} "
                f"meals miss [safety] seafood_g_per_week = [{low:g}, {high:g}] by "
                f"{cause.amount * 7:.0f} g a week - widen it, or allow more seafood meals "
                "(lower meals.min_seen)")
    if cause.family == "mean" and cause.label in MEAL_MINIMUMS:
        return _short_meals(cause, config)
    if cause.family == "mean" and cause.label.startswith("include:"):
        food = cause.label.removeprefix("include:")
        left = [f for f in config.diet.include if f != food]
        return (f"[diet] include: no week can hold {food} under the other rules - leave it "
                f"out with --set diet.include={_toml_list(left)}")
    if cause.family == "mean":
        return (f"{cause.label}: {cause.amount * days:.2g} short over the plan's {days} days "
                "- relax this rule")
    if cause.family == "energy":
        return energy_words(cause, config, energy_range(cause, config))
    if cause.family in ("b12_target", "b12_floor"):
        return _short_b12(cause, config)
    fix = FIXES.get(cause.family, "relax this rule")
    return (f"{rule_words(cause.family)} [{cause.family}] {cause.label}: short by "
            f"{cause.amount:.3g} ({cause.share:.0%}) - {fix}")


def _short_need(cause: Cause, config: Config, needs: dict[str, float],
                all_short: tuple[str, ...] = ()) -> str:
    """A need the week's mean cannot meet: how close the best week comes, and the keys that
    would fix it."""
    nutrient = cause.label.removeprefix("need:")
    name, unit = LABELS.get(nutrient, (nutrient, ""))
    need = needs.get(nutrient, 1.0)
    short = cause.share * need
    fixes = [f"allow more foods rich in {name} (loosen the diet or its exclusions)"]
    if not config.supplements.allowed:
        fixes.append("allow supplements (--set supplements.allowed=true)")
    fixes += [f"change [nutrients] {nutrient}_min (now {need:.3g})",
              "or leave it out with --set nutrients.skip="
              + _toml_list(sorted({*config.nutrients.skip, nutrient, *all_short}))]
    return (f"{name}: the closest plan reaches about {need - short:.3g} {unit}/day as "
            f"the week's mean for a need of {need:.3g} ({cause.share:.0%} short) - "
            + ", ".join(fixes))


def _short_b12(cause: Cause, config: Config) -> str:
    """The absorbed-B12 target no day can reach: how much can be, and what would fix it."""
    target = config.target_ug() if cause.family == "b12_target" else config.b12.daily_floor_ug
    fixes = []
    if not config.diet.fortified:
        fixes.append("allow fortified foods (--set diet.fortified=true)")
    if config.b12.supplements == "none":
        fixes.append('allow B12 tablets (--set b12.supplements="allowed")')
    fixes.append("or lower b12.target_absorbed_ug")
    return (f"absorbed B12: at most {target * (1 - cause.share):.2f} ug/day can be absorbed "
            f"(target {target:.2f}) - " + ", ".join(fixes))


MEAL_MINIMUMS = {"fped:meat_poultry_oz": ("meat_poultry_meals_min", "meals with meat or poultry"),
                 "fped:seafood_oz": ("seafood_meals_min", "meals with seafood")}
ENERGY_ROOM = 0.03      # a suggested energy range keeps this share of room inside what is reached


def _short_meals(cause: Cause, config: Config) -> str:
    """A weekly count of meals the diet's meals cannot reach: how many can be, as the
    value of its key."""
    key, words = MEAL_MINIMUMS[cause.label]
    wanted = int(getattr(config.meals, key))
    days = config.plan.days
    lower = math.ceil(wanted * days / 7)
    reached = max(0.0, lower - cause.amount * days) * 7 / days
    most = min(wanted - 1, math.floor(reached + 1e-9))
    return (f"{words}: the library's {config.diet.pattern} meals allowed by the rules give "
            f"about {reached:.1f} a week, fewer than [meals] {key} = {wanted} - lower it with "
            f"--set meals.{key}={max(most, 0)}, or allow more meals (fewer exclusions)")


def energy_range(cause: Cause, config: Config) -> tuple[float, float]:
    """The energy range a plan can reach: the side the mean day misses moved to what it
    reaches, with ``ENERGY_ROOM`` inside, in whole tens of kcal."""
    low, high = config.nutrients.energy_kcal
    if cause.side == "lower":
        reached = low - cause.amount
        return math.floor(reached * (1 - ENERGY_ROOM) / 10) * 10, high
    reached = high + cause.amount
    return low, math.ceil(reached * (1 + ENERGY_ROOM) / 10) * 10


def energy_words(cause: Cause, config: Config, wanted: tuple[float, float] | None,
                 planned: bool = False) -> str:
    """Energy the allowed meals cannot reach, in words, with the range ``wanted`` as its fix
    (``planned``: a week was found with it; None: no range to suggest)."""
    low, high = config.nutrients.energy_kcal
    reached = low - cause.amount if cause.side == "lower" else high + cause.amount
    bound = "at most" if cause.side == "lower" else "at least"
    head = (f"energy per day: even a blend of the allowed meals gives {bound} about "
            f"{reached:.0f} kcal a day, outside nutrients.energy_kcal = [{low:g}, {high:g}]")
    if wanted is None:
        return f"{head} - widen it, or allow more meals"
    found = " (a week was found with it)" if planned else ""
    return (f"{head} - set it with --set nutrients.energy_kcal=[{wanted[0]:g},{wanted[1]:g}]"
            f"{found}, or allow more meals")


def _toml_list(items: list[str]) -> str:
    return "[" + ",".join(f'"{item}"' for item in items) + "]"
