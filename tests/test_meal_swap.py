"""Swap of a saved week (meal_swap.py): another dish, verified, best first, at every occasion,
naming what else changes and the weekly minimum a meal holds up."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planner import meal_swap
from planner.checks import verify
from planner.cli import cli
from planner.foods import load_foods
from planner.resources import default_foods
from planner.saved import _food_items

from .conftest import SAVED, bare_plan, saved_plan

pytestmark = pytest.mark.plans   # every test here plans a week or a day


def test_a_swap_names_the_weekly_minimum_its_meal_holds_up(
        week: tuple[Path, dict[str, Any]]) -> None:
    path, data = week
    plan = bare_plan(data, path, _food_items(data, load_foods(default_foods()), SAVED))

    def held(least: int, day: int, occasion: str) -> list[tuple[str, int, int]]:
        meals = dataclasses.replace(plan.config.meals, meat_poultry_meals_min=least)
        strict = dataclasses.replace(plan, config=dataclasses.replace(plan.config, meals=meals))
        return meal_swap.held_by(strict, day, occasion)

    places = [(o["day"], o["name"]) for o in data["occasions"] if o["kind"] != "drink"]
    counted = [(place, held(28, *place)) for place in places]
    meat = [(place, found[0][1]) for place, found in counted if found]
    assert meat and all(found == [] for place, found in counted if place not in dict(meat))
    (day, occasion), total = meat[0]
    assert held(total, day, occasion) == [("fped:meat_poultry_oz", total, total)]
    assert held(total - 1, day, occasion) == []


def test_swap_gives_another_dish_and_a_verified_week(week: tuple[Path, dict[str, Any]],
                                                     tmp_path: Path) -> None:
    path, data = week
    out = tmp_path / "swapped.json"
    result = CliRunner().invoke(cli, ["swap", str(path), "--day", "2", "--occasion", "snack",
                                      "--candidates", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    new = json.loads(out.read_text(encoding="utf-8"))
    before = next(o for o in data["occasions"] if o["day"] == 2 and o["name"] == "snack")
    after = next(o for o in new["occasions"] if o["day"] == 2 and o["name"] == "snack")
    assert after["meal"]["id"] != before["meal"]["id"]
    assert verify(saved_plan(new, out)) == []


def test_swap_answers_at_every_occasion_best_first(week: tuple[Path, dict[str, Any]]) -> None:
    """Issue 29 item 2: every occasion of a day can be swapped; candidates best first."""
    path, data = week
    plan = saved_plan(data, path)
    for occasion in [o.name for o in plan.config.occasions]:
        found = meal_swap.candidates(plan, 4, occasion, (), 2)
        assert found, occasion
        objectives = [candidate.objective for candidate in found]
        assert objectives == sorted(objectives), occasion
        assert all(verify(candidate.plan) == [] for candidate in found)


def test_a_swap_may_change_the_days_other_meals_and_names_them(
        week: tuple[Path, dict[str, Any]]) -> None:
    """Issue 29 item 2: the last resort of a swap (the day's other meals open, the other
    days exactly as saved) changes only that day, keeps every rule and names each other
    meal it changed."""
    path, data = week
    plan = saved_plan(data, path)
    saved = meal_swap.saved_week(plan)
    others = tuple(o.name for o in plan.config.occasions if o.name != "dinner")
    found = meal_swap._best_week(plan, saved, {3: ("dinner",)}, (), set(), 100, fix=True,
                                 open_={3: others})
    assert found is not None
    new = found[0]
    assert verify(new) == []
    columns = ["day", "occasion", "food", "grams"]
    old_rest = plan.food_items[plan.food_items["day"] != 3][columns].reset_index(drop=True)
    new_rest = new.food_items[new.food_items["day"] != 3][columns].reset_index(drop=True)
    assert old_rest.equals(new_rest)
    meal_of = {(str(o), str(m)) for o, m in zip(plan.food_items.loc[
        plan.food_items["day"] == 3, "occasion"], plan.food_items.loc[
        plan.food_items["day"] == 3, "meal"], strict=True)}
    changed = {str(o) for o, m in zip(new.food_items.loc[new.food_items["day"] == 3, "occasion"],
                                      new.food_items.loc[new.food_items["day"] == 3, "meal"],
                                      strict=True) if (str(o), str(m)) not in meal_of}
    assert "dinner" in changed
    candidate = meal_swap.Candidate.of(new, 3, ("dinner",), 0.0, before=plan)
    assert sorted(line.split(":")[0] for line in candidate.also) == sorted(changed - {"dinner"})


@pytest.mark.slow
def test_swap_answers_at_every_occasion_of_the_default_week(tmp_path: Path) -> None:
    """Issue 29 "done when": swap answers at all 28 occasions of the default week, best
    first, each candidate verified."""
    path = tmp_path / "week.json"
    result = CliRunner().invoke(cli, ["plan", "--quiet", "--format", "json", "-o", str(path)])
    assert result.exit_code == 0, result.output
    plan = saved_plan(json.loads(path.read_text(encoding="utf-8")), path)
    for day in range(1, plan.config.plan.days + 1):
        for occasion in [o.name for o in plan.config.occasions]:
            found = meal_swap.candidates(plan, day, occasion, (), 3)
            assert found, (day, occasion)
            objectives = [candidate.objective for candidate in found]
            assert objectives == sorted(objectives), (day, occasion)
            assert all(verify(candidate.plan) == [] for candidate in found)
