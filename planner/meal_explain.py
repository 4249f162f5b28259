"""``planner explain`` on plans of library meals: the LP of the week's mean day.

The mean of any week's days keeps every daily rule and the weekly rules divided by the days
(``search.mean_day_program``), so its optimum times the days is a lower bound on every week,
its row prices say which rules bind, and the same LP with the absorbed-B12 target dropped and
absorbed B12 maximised gives the best a week can absorb on average.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .absorption import AbsorptionParams, injection_per_day_ug
from .bound import mean_day_program
from .day import DayModel, absorbed_terms
from .master import weekly_rules
from .program import Program, highs_model, new_highs
from .schema import Config
from .sensitivity import binding_rules, limit_sides

TARGET_ROWS = ("b12_target", "b12_floor")
COUNTED = ("week:fped:meat_poultry_oz", "week:fped:seafood_oz", "week:repeat:", "week:dish:",
           "week:group:", "week:include:", "week:category:")



@dataclass(frozen=True)
class Explanation:
    """What limits a plan: binding rule families, best B12, and the target's shadow price."""

    feasible: bool
    binding: list[tuple[str, int, float, str]]   # family, rows, saving, loosened how
    best_b12_ug: float | None
    target_ug: float
    shadow_price_per_0_1_ug: float | None    # currency per 0.1 ug/day more on every day
    lp_cost: float | None
    diagnosis: str = ""


def explain_meals(foods: pd.DataFrame, supplements: pd.DataFrame,
                  config: Config) -> Explanation:
    """Binding rules, the price of more absorbed B12 and the best absorbed B12, from the
    mean-day LP over every library option."""
    from .meal_week import diagnosis, meal_model

    model = meal_model(foods, supplements, config)
    days = config.plan.days
    program, named = mean_day_program(model, weekly_rules(model, config, foods), days)
    families = [*model.program.row_families(), *(f"week:{r.name}" for r in named)]
    best = _best_absorbed(program, model, families, config)
    value, duals, values = _solve(program)
    target = config.target_ug()
    if value is None:
        text, _ = diagnosis(model, foods, config, "the mean day has no solution")
        return Explanation(False, [], best, target, None, None, text)
    price = sum(float(d) for f, d in zip(families, duals, strict=True) if f in TARGET_ROWS)
    saved = [abs(float(d)) if f.startswith(COUNTED) else abs(float(d)) * 0.1 * limit * days
             for f, d, limit in zip(families, duals, limit_sides(program, values, duals),
                                    strict=True)]
    return Explanation(True, binding_rules(families, duals, saved, COUNTED), best, target,
                       abs(price) * 0.1 * days, value * days)


def _solve(program: Program) -> tuple[float | None, np.ndarray, np.ndarray]:
    solution = program.solve("highs", time_limit_s=3600.0, mip=False)
    if solution.status != "optimal" or solution.row_duals is None:
        return None, np.zeros(0), np.zeros(0)
    return float(solution.objective or 0.0), solution.row_duals, solution.values


def _best_absorbed(program: Program, model: DayModel, families: list[str],
                   config: Config) -> float | None:
    """The most absorbed B12 a day of the mean can reach (ug/day; intrinsic factor,
    passive and injection), the target dropped."""
    import highspy

    highs = new_highs(threads=1, random_seed=0)
    highs.passModel(highs_model(program, mip=False))
    for row, family in enumerate(families):
        if family in TARGET_ROWS or family == "week:b12:week":
            highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)
    cols, values = absorbed_terms(model, AbsorptionParams.from_config(config))
    cost = np.zeros(program.num_cols)
    cost[cols] = -values
    highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return injection_per_day_ug(config) - float(highs.getInfo().objective_function_value)


def week_words(family: str) -> str:
    """A weekly rule of the mean day in plain words (``week:need:vit_d_ug`` -> "vitamin D
    need, as the week's mean")."""
    from .needs import LABELS

    kind, _, what = family.removeprefix("week:").partition(":")
    if kind == "need":
        return f"{LABELS.get(what, (what, ''))[0]} need, as the week's mean"
    words = {"repeat": f"meal {what} at most meals.repeats_max times a week",
             "dish": f"main dish {what} at most meals.repeats_max times a week",
             "fped": {"meat_poultry_oz": "meals with meat or poultry per week",
                      "seafood_oz": "meals with seafood per week",
                      "vegetables_cup": "vegetables, as the week's mean",
                      "fruit_cup": "fruit, as the week's mean"}.get(what, what),
             "group": f"{what} uses per week", "include": f"{what} at least once",
             "category": f"meals with a food of WWEIA category {what} per week "
                         "(meals.category_meals_max)",
             "budget": "the weekly budget", "b12": "absorbed B12, as the week's mean"}
    return words.get(kind, family)
