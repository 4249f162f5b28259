"""The independent checks of a plan's meals (meal_checks.py): library meals of their occasion,
portions in range, category limits, repeats, dishes once a day; edits are caught."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from planner.checks import verify
from planner.config import load_config
from planner.day import build_day, day_rules
from planner.errors import ConfigError, DataError
from planner.foods import load_foods
from planner.library import load_library
from planner.meal_checks import (
    _check_dish_food_once_a_day,
    _check_dish_once_a_day,
    check_group_meals,
    check_meal_plan,
)
from planner.needs import available_nutrients, targets
from planner.options import build_options, categories_with_stand_ins, main_dishes
from planner.resources import default_foods
from planner.saved import _food_items
from planner.supplements import load_supplements

from .conftest import SAVED, bare_plan, saved_plan

pytestmark = pytest.mark.plans   # every test here plans a week or a day


def test_every_occasion_is_a_library_meal_of_its_occasion(
        week: tuple[Path, dict[str, Any]]) -> None:
    _, data = week
    library = load_library()
    assert data["meta"]["core"] == "meal library"
    assert data["meta"]["bound"] <= data["meta"]["objective"] + 1e-6
    assert 0 <= data["meta"]["mip_gap"] < 1
    for occasion in data["occasions"]:
        meal = occasion["meal"]
        meal_id = meal["id"].removesuffix("~adapted")
        assert meal_id in library.meals.index
        assert library.meals.loc[meal_id, "occasion"] == occasion["name"]
        codes = set(library.items.loc[library.items["meal_id"] == meal_id, "fndds_code"])
        foods = load_foods(default_foods())
        ids = [i["id"] for i in occasion["items"] if i["kind"] == "food"]
        assert set(foods.loc[ids, "fndds_code"]) <= codes
    days = [tuple(o["meal"]["id"] for o in data["occasions"] if o["day"] == d)
            for d in range(1, 8)]
    assert len(set(days)) == 7


def test_portions_are_within_the_meal_range_and_edits_are_caught(
        week: tuple[Path, dict[str, Any]]) -> None:
    path, data = week
    assert verify(saved_plan(data, path)) == []
    edited = json.loads(json.dumps(data))
    item = edited["occasions"][0]["items"][0]
    item["grams"] = round(item["grams"] * 1.6, 1)
    with pytest.raises(DataError, match="fails its own rules"):
        saved_plan(edited, path)
    items = _food_items(edited, load_foods(default_foods()), SAVED)
    problems = check_meal_plan(bare_plan(data, path, items), items)
    assert any("outside" in p and item["id"] in p for p in problems)
    edited = json.loads(json.dumps(data))
    edited["occasions"][0]["meal"]["id"] = "B9999"
    items = _food_items(edited, load_foods(default_foods()), SAVED)
    assert any("B9999 is not a library meal" in p
               for p in check_meal_plan(bare_plan(data, path, items), items))


def test_the_default_week_keeps_its_category_limits_and_a_lower_one_is_named(
        week: tuple[Path, dict[str, Any]]) -> None:
    path, data = week
    foods = load_foods(default_foods())
    plan = bare_plan(data, path, _food_items(data, foods, SAVED))
    limits = plan.config.meals.category_meals_max
    assert limits == {"6804": 3, "7202": 3, "7204": 3}
    items = plan.items()
    kind = items["food"].map(pd.to_numeric(foods["wweia_category"], errors="coerce"))
    for number, most in limits.items():
        meals = items[kind == float(number)].drop_duplicates(["day", "occasion"])
        assert len(meals) <= most
    fries = items[kind == 6804.0].drop_duplicates(["day", "occasion"])
    assert len(fries) >= 1, "the default week eats fries (else this test proves nothing)"
    meals = dataclasses.replace(plan.config.meals, category_meals_max={"6804": len(fries) - 1})
    strict = dataclasses.replace(plan, config=dataclasses.replace(plan.config, meals=meals))
    assert f"{len(fries)} meals with a food of WWEIA category 6804 in the plan, more than " \
        f"{len(fries) - 1} (meals.category_meals_max)" in check_group_meals(strict, items)


def test_a_category_limit_names_a_known_category() -> None:
    with pytest.raises(ConfigError, match=r"unknown WWEIA category '6084' \(did you mean "
                       r"'6804'"):
        load_config(None, ['meals.category_meals_max={"6084" = 2}'])
    config = load_config(None, ['meals.category_meals_max={"6804" = 0}'])
    assert config.meals.category_meals_max == {"6804": 0}   # --set replaces the table


def test_a_meal_eaten_too_often_breaks_the_repeat_rule(
        week: tuple[Path, dict[str, Any]]) -> None:
    path, data = week
    edited = json.loads(json.dumps(data))
    lunches = [o for o in edited["occasions"] if o["name"] == "lunch"]
    for other in lunches[1:]:
        other["meal"] = dict(lunches[0]["meal"])
        other["items"] = json.loads(json.dumps(lunches[0]["items"]))
    items = _food_items(edited, load_foods(default_foods()), SAVED)
    problems = check_meal_plan(bare_plan(data, path, items), items)
    assert any(p.endswith(f"eaten {len(lunches)} times > meals.repeats_max 2")
               for p in problems)


def test_lunch_and_dinner_of_one_dish_break_the_dish_rule(
        week: tuple[Path, dict[str, Any]]) -> None:
    path, data = week
    edited = json.loads(json.dumps(data))
    day = [o for o in edited["occasions"] if o["day"] == 1]
    lunch = next(o for o in day if o["name"] == "lunch")
    dinner = next(o for o in day if o["name"] == "dinner")
    lunch["meal"], lunch["items"] = dict(dinner["meal"]), json.loads(json.dumps(dinner["items"]))
    items = _food_items(edited, load_foods(default_foods()), SAVED)
    problems = check_meal_plan(bare_plan(data, path, items), items)
    assert any(p.startswith("day 1: ") and "are main dishes of one kind" in p
               for p in problems)


def _dish_rows(foods: pd.DataFrame, config: Any) -> tuple[Any, Any, Any]:
    """The default day model's options, the model and its dish_once_a_day rows."""
    options = build_options(foods, load_library(), config, 3)
    model = build_day(foods, load_supplements(None), options, config,
                      day_rules(config, targets(config, available_nutrients(foods))))
    return options, model, next(b for b in model.program.row_blocks
                                if b.family == "dish_once_a_day")


def test_two_dishes_of_one_kind_at_two_meals_of_a_day_break_the_dish_rule() -> None:
    foods = load_foods(default_foods())
    config = load_config(None, [])
    kind = pd.to_numeric(foods["wweia_category"], errors="coerce")
    nuggets = ("chicken-nuggets-nfs", "chicken-nuggets-from-fast-food")
    assert kind[nuggets[0]] == kind[nuggets[1]]
    same = {(1, "lunch"): nuggets[0], (1, "dinner"): nuggets[1]}
    assert _check_dish_once_a_day(same, config, kind) == [
        f"day 1: {nuggets[0]} and {nuggets[1]} are main dishes of one kind (category "
        f"{int(kind[nuggets[0]])}) at lunch and dinner (meals.dish_once_a_day)"]
    other = {(1, "lunch"): nuggets[0], (1, "dinner"): "salmon-cooked-ns-as-to-cooking-method"}
    assert _check_dish_once_a_day(other, config, kind) == []
    eggs = {(2, "breakfast"): "egg-omelet-or-scrambled-egg-ns-as-to-fat", (2, "snack"): nuggets[0],
            (2, "lunch"): nuggets[1], (3, "breakfast"): nuggets[0]}
    assert _check_dish_once_a_day(eggs, config, kind) == []   # a snack and another day: apart
    eggs[(2, "lunch")] = "egg-omelet-or-scrambled-egg-made-with-oil"
    assert [p.split(" are ")[0] for p in _check_dish_once_a_day(eggs, config, kind)] == [
        "day 2: egg-omelet-or-scrambled-egg-ns-as-to-fat and "
        "egg-omelet-or-scrambled-egg-made-with-oil"]
    options, model, block = _dish_rows(foods, config)
    assert f"category {int(kind[nuggets[0]])}" in block.labels
    row = block.start + block.labels.index(f"category {int(kind[nuggets[0]])}")
    start, index, _ = model.program.matrix()
    cols = {int(c) for c in np.flatnonzero(np.diff(start)) if row in index[start[c]:start[c + 1]]}
    dishes = main_dishes(options)
    assert {int(model.choose[r]) for r in dishes[nuggets[0]]} & cols
    assert {int(model.choose[r]) for r in dishes[nuggets[1]]} & cols


def test_a_dish_food_at_two_meals_of_a_day_breaks_the_dish_rule() -> None:
    """Fries at lunch and at dinner, tempeh (a stand-in the table files under no category)
    at both: each breaks the rule, in the checks and as a row of the day model; milk or a
    tortilla at both does not."""
    foods = load_foods(default_foods())
    config = load_config(None, [])
    liquid = {str(f): bool(v) for f, v in foods["liquid"].astype(bool).items()}
    kinds = pd.Series(categories_with_stand_ins(foods))
    fries = "potato-french-fries-fast-food"
    items = pd.DataFrame({
        "day": [1, 1, 1, 1, 2, 2, 2, 2],
        "occasion": ["lunch", "lunch", "dinner", "dinner", "lunch", "dinner", "breakfast",
                     "lunch"],
        "food": [fries, "milk-reduced-fat-2", fries, "milk-reduced-fat-2", "tempeh", "tempeh",
                 "tortilla-corn", "tortilla-corn"],
        "meal": ["L1", "L1", "D1", "D1", "L2", "D2", "B2", "L2"]})
    assert _check_dish_food_once_a_day(items, config, kinds, liquid) == [
        f"day 1: {fries} is eaten at lunch and dinner (a dish food at one meal of a day: "
        "meals.dish_once_a_day)",
        "day 2: tempeh is eaten at lunch and dinner (a dish food at one meal of a day: "
        "meals.dish_once_a_day)"]
    _, _, block = _dish_rows(foods, config)
    assert f"food {fries}" in block.labels
    assert "food milk-reduced-fat-2" not in block.labels
    assert "food tortilla-corn" not in block.labels
