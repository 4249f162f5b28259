"""The week search (search.py, bound.py, week_milp.py, leftovers.py): the printed bound against
brute force on a tiny instance, the same week for the same inputs, an impossible weekly need
named, leftovers in order."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from planner.config import load_config
from planner.day import MealRules
from planner.leftovers import leftover_order
from planner.library import load_library
from planner.master import DayMenu, SearchError, weekly_rules
from planner.meal_week import diagnosis
from planner.options import (
    Options,
    build_options,
    restrict_to,
)
from planner.schema import Config
from planner.search import search_week
from planner.week_milp import polish

from .conftest import day_model

pytestmark = pytest.mark.plans   # every test here plans a week or a day

TINY = MealRules(distinct_meals_min=())


def _tiny(foods: pd.DataFrame) -> tuple[Config, Options]:
    """Two days of breakfast and dinner, three meals each, one weekly need."""
    config = load_config("omnivore", ["nutrients.adequacy=false",
                                      "nutrients.protein_g_min=30",
                                      "nutrients.energy_kcal=[900, 2400]",
                                      "variety.group_uses_per_week={}",
                                      "meals.meat_poultry_meals_min=0",
                                      "meals.seafood_meals_min=0",
                                      "plan.days=2",
                                      "b12.target_absorbed_ug=0.5"])
    config = dataclasses.replace(config, occasions=tuple(
        dataclasses.replace(o, energy_share=None) for o in config.occasions
        if o.name in ("breakfast", "dinner")))
    options = build_options(foods, load_library(), config, 20)
    keep = []
    for name in ("breakfast", "dinner"):
        keep += list(options.of(name).sort_values("rarity").index[:3])
    return config, restrict_to(options, keep)


def test_the_printed_bound_is_below_every_week_brute_force_finds(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    config, options = _tiny(foods)
    model = day_model(foods, supplements, config, options, TINY)
    week = search_week(foods, supplements, options, config, model)
    rules = weekly_rules(model, config, foods)
    breakfasts = list(options.of("breakfast").index)
    dinners = list(options.of("dinner").index)
    days = [tuple(sorted(pair)) for pair in itertools.product(breakfasts, dinners)]
    best = np.inf
    from planner.master import DayMenu

    for first, second in itertools.combinations(days, 2):
        menus = [DayMenu(d, (), (), 0.0, ()) for d in (first, second)]
        tuned = polish(menus, foods, supplements, options, config, model, rules)
        if tuned is not None:
            best = min(best, sum(m.cost for m in tuned))
    assert np.isfinite(best)
    assert week.bound <= best + 1e-6
    assert week.objective >= best - 1e-6
    assert week.objective == pytest.approx(best, rel=1e-6) or week.gap > 0


def test_the_same_inputs_give_the_same_week(foods: pd.DataFrame,
                                            supplements: pd.DataFrame) -> None:
    config, options = _tiny(foods)
    weeks = [search_week(foods, supplements, options, config,
                         day_model(foods, supplements, config, options, TINY)) for _ in range(2)]
    assert weeks[0].menus == weeks[1].menus
    assert weeks[0].bound == weeks[1].bound


def test_an_impossible_weekly_need_is_named_with_its_shortfall(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    config, options = _tiny(foods)
    config = dataclasses.replace(config, nutrients=dataclasses.replace(
        config.nutrients, protein_g_min=400.0))
    no_floor = MealRules(distinct_meals_min=(), daily_floor_share=0.0)
    model = day_model(foods, supplements, config, options, no_floor)
    with pytest.raises(SearchError, match="not even the week's mean day") as info:
        search_week(foods, supplements, options, config, model)
    text, proven = diagnosis(model, foods, config, str(info.value))
    assert proven and "protein: the closest plan reaches about" in text


def test_leftovers_follow_their_dinner_or_no_order_is_claimed() -> None:
    meals = pd.DataFrame({"option": range(6), "occasion": ["lunch", "dinner", "dinner",
                                                           "lunch", "lunch", "lunch"],
                          "key": ["L1", "D1", "D2", "leftover:D1", "leftover:D2", "L2"],
                          "kind": ["library"] * 3 + ["leftover"] * 2 + ["library"]})
    options = Options(meals, pd.DataFrame(columns=["option", "food"]))

    def day(*rows: int) -> DayMenu:
        return DayMenu(rows, (), (), 0.0, ())

    assert leftover_order([day(3, 2), day(0, 1)], options, "dinner", "lunch") == [1, 0]
    assert leftover_order([day(5, 1), day(3, 2), day(4, 1)], options, "dinner",
                          "lunch") in ([0, 1, 2], [2, 1, 0])   # each leftover after its dinner
    assert leftover_order([day(4, 1), day(3, 2)], options, "dinner", "lunch") is None  # a loop
    assert leftover_order([day(3, 1)], options, "dinner", "lunch") is None   # its own dinner


def test_the_mean_day_is_solved_once_for_equal_rules(foods: pd.DataFrame,
                                                    supplements: pd.DataFrame) -> None:
    """replan and swap ask for the mean day once per day: the same model and rules built
    again give the same (read-only) solution, a changed rule a new one."""
    from planner.bound import mean_day_lp

    config, options = _tiny(foods)
    model = day_model(foods, supplements, config, options, TINY)
    first = mean_day_lp(model, weekly_rules(model, config, foods), config.plan.days)
    again = mean_day_lp(model, weekly_rules(model, config, foods), config.plan.days)
    assert again is first and not first.values.flags.writeable
    looser = [dataclasses.replace(r, lower=0.0) if r.name.startswith("need:") else r
              for r in weekly_rules(model, config, foods)]
    other = mean_day_lp(model, looser, config.plan.days)
    assert other is not first and other.value <= first.value + 1e-9
