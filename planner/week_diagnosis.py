"""Why no week of library meals keeps the rules: the elastic LP of the week's mean day.

The mean of any week's days keeps every daily rule (each is linear) and the weekly rules
divided by the days, so when that LP needs slack on a rule, no week exists: the rules with
slack are the diagnosis, largest share first (slack is priced by its share of the rule's
bound, a daily rule's ten times a weekly rule's). When it needs none, a week may exist that the
search did not find: the search's own shortfall is named instead, and more rounds suggested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config
from .day import DayModel
from .master import WeeklyRule
from .needs import LABELS
from .program import INF, highs_model, new_highs
from .search import mean_day_program
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
         "energy": "widen nutrients.energy_kcal",
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
                   float(values[column]) / scale)
             for column, row, _, scale in slacks if values[column] > 1e-7 * scale]
    return sorted(found, key=lambda c: (-c.share, c.family, c.label))


def describe(cause: Cause, config: Config, needs: dict[str, float] | None = None) -> str:
    """One cause in words with its fix (``needs``: each nutrient's daily need, to state the
    shortfall in its units)."""
    days = config.plan.days
    if cause.family == "mean" and cause.label == "budget":
        week = cause.amount * 7
        return (f"budget: the cheapest week of library meals costs at least {week:.2f} a week "
                f"more than budget.max_per_week = {config.budget.max_per_week:g} - raise it "
                f"to at least {config.budget.max_per_week + week:.2f}, or allow cheaper meals")
    if cause.family == "mean" and cause.label.startswith("need:"):
        return _short_need(cause, config, needs or {})
    if cause.family == "mean" and cause.label == "seafood_g":
        low, high = config.safety.seafood_g_per_week or (0.0, 0.0)
        return (f"seafood per week (FDA/EPA advice): the library's {config.diet.pattern} "
                f"meals miss [safety] seafood_g_per_week = [{low:g}, {high:g}] by "
                f"{cause.amount * 7:.0f} g a week - widen it, or allow more seafood meals "
                "(lower meals.min_seen)")
    if cause.family == "mean":
        return (f"{cause.label}: {cause.amount * days:.2g} short over the plan's {days} days "
                "- relax this rule")
    if cause.family in ("b12_target", "b12_floor"):
        return _short_b12(cause, config)
    fix = FIXES.get(cause.family, "relax this rule")
    return (f"{rule_words(cause.family)} [{cause.family}] {cause.label}: short by "
            f"{cause.amount:.3g} ({cause.share:.0%}) - {fix}")


def _short_need(cause: Cause, config: Config, needs: dict[str, float]) -> str:
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
              f'or leave it out with --set nutrients.skip=["{nutrient}"]']
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
