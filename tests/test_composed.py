"""Meals composed by NHANES role sets from a table the meal library does not cover: the
templates, the roles of imported foods, and weeks the same search plans and the checks
verify."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from planner.checks import verify
from planner.composed import (
    FOODS_PER_ROLE,
    MEALS_PER_TEMPLATE,
    PREFIX,
    combinations,
    nhanes_templates,
    parse,
    roles_of,
    templates_of,
)
from planner.config import load_config
from planner.foods import load_foods
from planner.meal_week import make_plan
from planner.plan import Plan
from planner.supplements import load_supplements

from .conftest import CONSTRAINTS, ROOT, SHARED_DATA

pytestmark = pytest.mark.plans   # every test here plans a week or a day

RECALLS = SHARED_DATA / "fndds" / "nhanes_2007_2012_items.csv.gz"
ANIMAL = ["meat", "fish", "shellfish", "egg", "dairy", "honey", "gelatin"]


@functools.cache
def composed_week(preset: str) -> Plan:
    """The preset's week of meals composed from the packaged table's foods."""
    return make_plan(load_foods(), load_supplements(),
                     load_config(CONSTRAINTS / f"{preset}.toml", ['meals.source="composed"']))


def test_templates_file_is_what_the_build_script_makes(tmp_path: Path) -> None:
    if not RECALLS.exists():
        pytest.skip("NHANES recalls not present")
    out = tmp_path / "templates.csv"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_templates.py"),
                             "--data", str(SHARED_DATA), "--out", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    shipped = ROOT / "planner" / "data" / "meal_templates.csv"
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")


def test_the_templates_of_an_occasion() -> None:
    breakfast = {t.roles for t in templates_of(("breakfast",), "meal", ())}
    assert ("cereal", "dairy") in breakfast and ("beverage",) not in breakfast
    lunch = [t.roles for t in templates_of(("lunch",), "meal", ())]
    assert lunch[0] == ("main-dish",)
    assert all(set(r) & {"main-dish", "protein-food", "starch", "bread", "cereal"}
               for r in lunch)
    snack = {t.roles for t in templates_of(("snack",), "snack", ())}
    assert ("sweet",) in snack and ("fruit",) in snack
    own = templates_of(("lunch",), "meal", ("dairy+main-dish",))
    assert [t.roles for t in own] == [("dairy", "main-dish")]
    fats_alone = nhanes_templates()["roles"].isin(["spread-fat", "condiment",
                                                   "condiment+spread-fat"])
    assert not fats_alone.any()


def test_imported_foods_take_a_role_from_their_group_and_name() -> None:
    foods = pd.DataFrame({
        "name": ["Bread, white", "Cereals, oats, regular", "Rice, white, cooked",
                 "Butter, salted", "Ice cream, vanilla", "Beef, ground, cooked", "Cola",
                 "Milk, whole", "Lentils, boiled"],
        "group": ["grain", "grain", "grain", "dairy", "dairy", "meat", "other", "dairy",
                  "legume"],
        "liquid": [False, False, False, False, False, False, True, True, False],
        "role": ["", "", "", "", "", "", "", "", ""]})
    assert list(roles_of(foods)) == ["bread", "cereal", "starch", "spread-fat", "sweet",
                                     "protein-food", "beverage", "dairy", "protein-food"]
    foods.loc[0, "role"] = "main-dish"
    assert roles_of(foods).iloc[0] == "main-dish"   # the table's own role comes first


def test_each_food_of_a_role_meets_the_best_of_the_others_first() -> None:
    ranks = combinations([FOODS_PER_ROLE, FOODS_PER_ROLE, FOODS_PER_ROLE])
    assert len(ranks) == MEALS_PER_TEMPLATE == len(set(ranks))
    for role in range(3):
        assert {r[role] for r in ranks} == set(range(FOODS_PER_ROLE))
    assert combinations([2]) == [(0,), (1,)]


@pytest.mark.parametrize("preset", ["omnivore", "vegan"])
def test_a_composed_week_is_verified_and_every_meal_is_a_role_set_people_eat(
        preset: str) -> None:
    plan = composed_week(preset)
    assert verify(plan) == []
    meals = plan.food_items.drop_duplicates(["day", "occasion"])
    composed = meals[meals["meal"].str.startswith(PREFIX)]
    assert len(composed) >= 14
    by_name = {o.name: o for o in plan.config.occasions}
    for occasion, key in zip(composed["occasion"], composed["meal"], strict=True):
        template = parse(key.split(":")[1])
        known = {t.roles for t in templates_of(by_name[occasion].tokens(),
                                               by_name[occasion].kind, ())}
        assert template in known, key
    if preset == "vegan":
        assert not plan.foods.loc[sorted(set(plan.food_items["food"])), ANIMAL].any(axis=None)
    assert any("composed from the food table's foods" in note for note in plan.notes())


def test_the_checks_refuse_a_composed_meal_off_its_foods_or_portions() -> None:
    plan = composed_week("omnivore")

    def problems_with(items: pd.DataFrame) -> list[str]:
        return verify(Plan(config=plan.config, foods=plan.foods, supplements=plan.supplements,
                           food_items=items, supplement_items=plan.supplement_items,
                           meta=plan.meta))

    at = plan.food_items.index[plan.food_items["meal"].str.startswith(PREFIX)][0]
    larger = plan.food_items.copy()
    larger.loc[at, "grams"] = 5000.0
    assert any("its portion range" in p for p in problems_with(larger))
    other = plan.food_items.copy()
    other.loc[at, "food"] = next(f for f in plan.foods.index if f != other.loc[at, "food"]
                                 and f not in set(other["food"]))
    assert any("are not those of" in p for p in problems_with(other))
