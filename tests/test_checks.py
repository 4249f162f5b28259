"""The independent checks (checks.py): the saved default week verifies, and the same grams
under a rule they break are caught by the family that owns the rule, in its own words.
The checks read the grams and the tables only, never the model that chose them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from planner.checks import verify
from planner.plan import Plan

from .conftest import saved_plan

pytestmark = pytest.mark.plans   # the saved default week is planned once per test process


@pytest.fixture(scope="module")
def plan(week: tuple[Path, dict[str, Any]]) -> Plan:
    path, data = week
    made: Plan = saved_plan(data, path)
    return made


def _under(plan: Plan, section: str, **values: Any) -> Plan:
    """The same grams and tablets under rules with ``section``'s keys changed."""
    config = plan.config
    changed = dataclasses.replace(getattr(config, section), **values)
    return dataclasses.replace(plan, config=dataclasses.replace(config, **{section: changed}))


def test_the_saved_week_keeps_every_rule(plan: Plan) -> None:
    assert verify(plan) == []


def test_a_diet_the_foods_break_is_named(plan: Plan) -> None:
    problems = verify(_under(plan, "diet", pattern="vegan"))
    assert any(p.startswith("foods not allowed by vegan: ") for p in problems), problems


def test_an_excluded_food_is_named(plan: Plan) -> None:
    food = str(plan.food_items["food"].iloc[0])
    problems = verify(_under(plan, "diet", exclude=(food,)))
    assert f"excluded foods used: {food}" in problems


def test_energy_outside_the_range_is_named_per_day(plan: Plan) -> None:
    problems = verify(_under(plan, "nutrients", energy_kcal=(3000.0, 4000.0)))
    days = [p for p in problems if "energy" in p and "outside [3000, 4000]" in p]
    assert len(days) == plan.config.plan.days, problems


def test_a_budget_below_the_cost_is_named(plan: Plan) -> None:
    cost = float(plan.days()["cost"].sum())
    problems = verify(_under(plan, "budget", max_per_week=round(cost / 2, 2)))
    assert any(p.startswith(f"cost {cost:.2f} > budget") for p in problems), problems


def test_a_b12_target_above_the_absorbed_is_named(plan: Plan) -> None:
    lowest = float(plan.days()["absorbed_b12_ug"].min())
    problems = verify(_under(plan, "b12", target_absorbed_ug=round(lowest + 1.0, 2)))
    days = plan.days()
    lowest_day = int(days.loc[days["absorbed_b12_ug"].idxmin(), "day"])
    assert any(p.startswith(f"day {lowest_day}: absorbed B12 ") and "< target" in p
               for p in problems), problems


def test_protein_per_meal_above_the_meals_is_named(plan: Plan) -> None:
    occasions = tuple(dataclasses.replace(o, min_protein_g=200.0) if o.kind == "meal" else o
                      for o in plan.config.occasions)
    strict = dataclasses.replace(plan, config=dataclasses.replace(plan.config,
                                                                  occasions=occasions))
    problems = verify(strict)
    assert any(p.endswith("g < 200") and "protein" in p for p in problems), problems


def test_grams_changed_after_the_search_are_caught(plan: Plan) -> None:
    """Twice the grams of every food: the energy range and the portions break."""
    items = plan.food_items.assign(grams=plan.food_items["grams"] * 2,
                                   servings=plan.food_items["servings"] * 2)
    problems = verify(dataclasses.replace(plan, food_items=items))
    assert any("energy" in p for p in problems), problems
    assert len(problems) > plan.config.plan.days
