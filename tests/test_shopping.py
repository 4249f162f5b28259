"""Shopping by purchasable product: one product for a food of any preparation, packages
counted once, the plan's food cost beside what the packages cost and what is left."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.errors import DataError
from planner.foods import load_foods
from planner.products import Rule, match
from planner.saved import load_plan_json
from planner.shopping import remaining_pantry, shopping_list, spending
from planner.supplements import load_supplements
from planner.views import render_shopping

EGGS = ("egg-whole-boiled-or-poached", "egg-whole-fried-with-oil",
        "egg-omelet-or-scrambled-egg-made-with-oil")


def plan_of(grams: dict[str, float], days: int = 7) -> dict[str, Any]:
    """A saved-plan shape with the given foods eaten on day 1."""
    items = [{"id": food, "kind": "food", "grams": amount} for food, amount in grams.items()]
    return {"days": [{"day": d} for d in range(1, days + 1)],
            "occasions": [{"day": 1, "name": "breakfast", "items": items}]}


@pytest.fixture(scope="module")
def foods() -> pd.DataFrame:
    return load_foods()


@pytest.fixture(scope="module")
def supplements() -> pd.DataFrame:
    return load_supplements()


def test_eggs_of_any_preparation_are_one_product(foods: pd.DataFrame,
                                                 supplements: pd.DataFrame) -> None:
    grams = dict.fromkeys(EGGS, 200.0)
    items = shopping_list(plan_of(grams), foods, supplements)
    assert [i.id for i in items] == ["eggs"]
    eggs = items[0]
    expected = sum(200.0 * float(foods.at[f, "product_yield"]) for f in EGGS)
    assert eggs.need == pytest.approx(expected, abs=0.01)
    assert eggs.packages == math.ceil(expected / 600.0) == 1
    assert eggs.package_label == "1 dozen large eggs" and eggs.name == "Eggs"
    assert all(foods.at[f, "name"] in eggs.foods for f in EGGS)
    price = float(foods.at[EGGS[0], "product_price_per_kg"])
    assert eggs.cost == pytest.approx(0.6 * price, abs=0.01)


def test_milk_of_any_fat_level_is_one_half_gallon(foods: pd.DataFrame,
                                                  supplements: pd.DataFrame) -> None:
    grams = {"milk-nfs": 400.0, "milk-whole": 300.0, "milk-reduced-fat-2": 277.0}
    items = shopping_list(plan_of(grams), foods, supplements)
    assert [(i.id, i.packages, i.need) for i in items] == [("milk", 1, 977.0)]


def test_cooked_rice_and_beans_are_bought_dry(foods: pd.DataFrame) -> None:
    rice = float(foods.at["rice-white-cooked-no-added-fat", "product_yield"])
    beans = float(foods.at["pinto-beans-from-dried-no-added-fat", "product_yield"])
    assert 0.3 < rice < 0.4 and 0.3 < beans < 0.5
    assert foods.at["rice-white-cooked-no-added-fat", "package_label"] == "2 lb bag"


def test_a_food_without_a_product_is_bought_as_itself(foods: pd.DataFrame,
                                                      supplements: pd.DataFrame) -> None:
    assert foods.at["meat-loaf-made-with-beef", "product"] == ""
    items = shopping_list(plan_of({"meat-loaf-made-with-beef": 344.0}), foods, supplements)
    assert [(i.id, i.name, i.foods) for i in items] == [
        ("meat-loaf-made-with-beef", "Meat loaf made with beef", "")]


def test_pantry_of_a_food_counts_towards_its_product(foods: pd.DataFrame,
                                                      supplements: pd.DataFrame) -> None:
    pantry = {"egg-whole-boiled-or-poached": 100.0, "milk-nfs": 500.0}
    items = shopping_list(plan_of({"egg-whole-fried-with-oil": 300.0}), foods, supplements,
                          pantry)
    eggs = items[0]
    assert eggs.pantry == pytest.approx(100.0 * float(
        foods.at["egg-whole-boiled-or-poached", "product_yield"]), abs=0.01)
    left = remaining_pantry(items, pantry, foods)
    assert "egg-whole-boiled-or-poached" not in left and left["milk-nfs"] == 500.0
    assert left["eggs"] == pytest.approx(eggs.leftover, abs=0.01)


def test_the_total_is_the_packages_needed_and_the_food_cost_stands_beside_it(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    data = load_plan_json(Path(__file__).parent / "data" / "plan_small.json")
    items = shopping_list(data, foods, supplements)
    assert len({i.id for i in items}) == len(items)
    spent = spending(items)
    assert spent["packages_cost"] == pytest.approx(sum(i.cost for i in items if i.cost), abs=0.01)
    for item in items:
        assert item.leftover_value == pytest.approx(
            item.cost * item.leftover / (item.packages * item.package_size), abs=0.01)
    text = render_shopping(items, "markdown", "USD", data["totals"]["cost"])
    assert f"costs {data['totals']['cost']:.2f} USD" in text
    assert f"cost {spent['packages_cost']:.2f} USD" in text
    assert f"{spent['leftover_value']:.2f} USD is left over" in text


@pytest.mark.plans
def test_the_plan_states_the_food_cost_and_the_package_cost(tmp_path: Path) -> None:
    plan, listing = tmp_path / "week.json", tmp_path / "list.json"
    runner = CliRunner()
    result = runner.invoke(cli, ["plan", "--days", "2", "--quiet", "--format", "json", "-o",
                                 str(plan)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["shop", str(plan), "--format", "json", "-o", str(listing)])
    assert result.exit_code == 0, result.output
    data = load_plan_json(plan)
    shop = json.loads(listing.read_text())
    assert data["totals"]["packages_cost"] == pytest.approx(shop["total_cost"], abs=0.01)
    assert data["totals"]["leftover_value"] == pytest.approx(shop["leftover_value"], abs=0.01)
    assert shop["food_cost"] == pytest.approx(data["totals"]["cost"], abs=1e-6)
    shown = runner.invoke(cli, ["show", str(plan)])
    assert shown.exit_code == 0, shown.output
    assert f"whole packages for this plan cost {shop['total_cost']:.2f}" in shown.output
    assert f"cost {data['totals']['cost']:.2f}" in shown.output


def test_foods_of_one_product_must_be_bought_one_way(tmp_path: Path) -> None:
    table = pd.read_csv(Path(__file__).parent.parent / "foods.csv", dtype=str,
                        keep_default_na=False)
    row = table.index[table["id"] == "egg-whole-fried-with-oil"][0]
    table.loc[row, "package_label"] = "30 eggs"
    path = tmp_path / "foods.csv"
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match="foods of product 'eggs' differ in package_label"):
        load_foods(path)


def test_a_product_needs_three_quarters_of_the_recipe() -> None:
    rule = Rule("eggs", "Eggs", {"01123": None}, "01123", None, None, "", "")
    mostly = match("Egg omelet", {"01123": 0.8, "04053": 0.2, "water": 0.3}, [rule], {})
    assert mostly is not None and mostly.share == pytest.approx(0.8)
    assert mostly.yield_ == pytest.approx(0.8)
    assert match("Egg salad", {"01123": 0.6, "04025": 0.4}, [rule], {}) is None
    dry = Rule("rice", "Rice", {"20045": None}, "20444", None, None, "", "")
    cooked = match("Rice", {"20045": 1.0}, [dry], {"20045": 68.4, "20444": 11.6})
    assert cooked is not None and cooked.yield_ == pytest.approx(31.6 / 88.4)
    fenced = Rule("milk", "Milk", {"01079": None}, "", None, None, "", "latte")
    assert match("Coffee, Latte", {"01079": 0.9}, [fenced], {}) is None
