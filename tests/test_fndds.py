"""FNDDS foods as eaten: flags from recipes, the B12 split, servings, the importer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.fndds import choose_serving, slug, unique_ids
from planner.foods import diet_mask, load_foods
from planner.recipes import RecipeBook, leaf_flags, matrix_of, words_in

from .conftest import ROOT, SHARED_DATA

FNDDS = SHARED_DATA / "fndds"
needs_fndds = pytest.mark.skipif(not (FNDDS / "fndds1718_foods_nutrients_prices.csv").exists(),
                                 reason="../shared/data/fndds is not present")


@pytest.fixture(scope="module")
def fndds() -> pd.DataFrame:
    from planner.fndds import fndds_table

    table, _ = fndds_table(FNDDS)
    return table.set_index("name", drop=False)


def test_words_name_animal_foods_but_not_their_plant_namesakes() -> None:
    assert words_in("Butter, salted") == {"dairy"}
    assert words_in("Peanut butter, smooth style") == set()
    assert words_in("Eggplant, raw") == set()
    assert words_in("Coconut milk, canned") == set()
    assert words_in("Squash, winter, butternut") == set()
    assert words_in("Whey, sweet, dried") == {"dairy"}
    assert words_in("Honey") == {"honey"}
    assert words_in("Marshmallows") == {"gelatin"}
    assert words_in("Bacon bits, meatless") == set()
    assert words_in("Sauce, worcestershire") == {"fish"}
    assert words_in("Chicken, meatless") == set()
    assert words_in("Vegetarian chili, made with meat substitute") == set()
    assert words_in("Beef and vegetable broth soup") == {"meat"}


def test_meat_analogues_may_hold_egg_and_milk_but_not_meat() -> None:
    legumes = "Legumes and Legume Products"
    for name in ("Chicken, meatless", "Sausage, meatless", "Vegetarian meatloaf or patties"):
        assert leaf_flags(name, legumes, 0.0) == (frozenset({"egg", "dairy"}), True)
    assert leaf_flags("Beans, baked, canned, plain or vegetarian", legumes, 0.0) == \
        (frozenset(), False)


def test_leaf_flags_by_group_words_and_cholesterol() -> None:
    assert leaf_flags("Beef, ground, 85% lean", "Beef Products", 80.0) == (
        frozenset({"meat"}), False)
    assert leaf_flags("Crustaceans, shrimp, raw", "Finfish and Shellfish Products", 126.0)[0] \
        == frozenset({"shellfish"})
    assert leaf_flags("Egg, whole, raw, fresh", "Dairy and Egg Products", 372.0)[0] == \
        frozenset({"egg"})
    flags, unsure = leaf_flags("Bread, white, commercially prepared", "Baked Products", 0.0)
    assert flags == frozenset({"dairy", "honey"}) and unsure
    flags, _ = leaf_flags("Pancakes, plain, prepared from recipe", "Baked Products", 59.0)
    assert {"egg", "dairy"} <= flags and not flags & {"meat", "fish"}
    assert leaf_flags("Sugars, granulated", "Sweets", 0.0) == (frozenset(), False)
    assert "gelatin" in leaf_flags("Candies, hard", "Sweets", 0.0)[0]
    assert leaf_flags("Soup, chicken noodle, canned", "Soups, Sauces, and Gravies", 5.0)[0] \
        >= frozenset({"meat"})
    assert leaf_flags("Lentils, mature seeds, cooked", "Legumes and Legume Products",
                      0.0) == (frozenset(), False)
    flags, _ = leaf_flags("Veggie burgers or soyburgers, unprepared",
                          "Legumes and Legume Products", 5.0)
    assert flags == frozenset({"egg", "dairy"})


def test_matrix_of_takes_the_least_animal_factor() -> None:
    assert matrix_of(frozenset({"meat"})) == 1.0
    assert matrix_of(frozenset({"fish", "dairy"})) == 0.8
    assert matrix_of(frozenset({"egg", "dairy"})) == 0.6
    assert matrix_of(frozenset({"honey"})) == 0.0


def test_recipe_book_resolves_sub_recipes_and_weights_b12() -> None:
    book = RecipeBook(
        ingredients={"10000001": [("01123", "Egg, whole, raw", 50.0),
                                  ("20000002", "Cheese sauce", 50.0)],
                     "20000002": [("01009", "Cheese, cheddar", 100.0)]},
        sr28={"01123": ("Egg, whole, raw, fresh", "Dairy and Egg Products", 372.0, 0.89),
              "01009": ("Cheese, cheddar", "Dairy and Egg Products", 99.0, 1.10)},
        fallback={})
    resolved = book.resolve("10000001")
    assert resolved.flags == frozenset({"egg", "dairy"}) and not resolved.unsure
    expected = (0.5 * 0.89 * 0.6 + 0.5 * 1.10 * 1.0) / (0.5 * 0.89 + 0.5 * 1.10)
    assert book.matrix("10000001") == pytest.approx(expected)


def test_serving_is_a_household_unit_near_the_typical_portion() -> None:
    units = [("1 cup", 244.0), ("1/2 cup", 122.0), ("1/4 cup", 61.0), ("1 fl oz", 30.5)]
    assert choose_serving(units, 244.0) == (244.0, "1 cup", 1)
    assert choose_serving(units, 122.0) == (122.0, "1/2 cup", 1)
    grams, _label, count = choose_serving(units, 183.0)
    assert grams * count == pytest.approx(183.0) and count <= 4
    assert choose_serving([], 57.3) == (57.3, "1 portion (57.3 g)", 1)
    assert choose_serving([("1 slice", 26.0)], None) == (26.0, "1 slice", 1)


def test_ids_are_readable_and_unique() -> None:
    assert slug("Cereal (General Mills Cheerios)") == "cereal-general-mills-cheerios"
    ids = unique_ids(["Milk, whole", "Milk, whole", "Tea"], ["1", "2", "3"])
    assert ids == ["milk-whole-1", "milk-whole-2", "tea"]


@needs_fndds
def test_flags_of_known_dishes(fndds: pd.DataFrame) -> None:
    vegan = diet_mask(fndds, "vegan")
    veg = diet_mask(fndds, "lacto-ovo-vegetarian")
    mac = fndds.loc["Macaroni or noodles with cheese"]
    assert mac["dairy"] and not mac[["meat", "fish", "shellfish"]].any()
    burrito = fndds.loc["Burrito with beans, meatless"]
    assert not burrito[["meat", "fish", "shellfish"]].any() and veg[burrito.name]
    pancakes = fndds.loc["Pancakes, plain"]
    assert pancakes["egg"] and pancakes["dairy"] and veg[pancakes.name]
    # PB&J: its recipe's commercial white bread may hold milk or honey, so not vegan; its
    # peanut butter and jelly alone are.
    pbj = fndds.loc["Peanut butter and jelly sandwich, with regular peanut butter, regular "
                    "jelly, on white bread"]
    assert not vegan[pbj.name] and veg[pbj.name]
    assert vegan["Peanut butter"] and vegan["Jelly, all flavors"]
    assert fndds.loc["Cereal (General Mills Cheerios Honey Nut)", "honey"]
    assert vegan["Soy milk"]
    assert fndds.loc["Soy milk", ["dairy", "honey", "gelatin"]].sum() == 0


@needs_fndds
def test_vegan_never_gets_butter_whey_gelatin_or_honey(fndds: pd.DataFrame) -> None:
    vegan = fndds[diet_mask(fndds, "vegan")]
    names = vegan["name"].str.lower()
    for word in ("whey", "gelatin", r"honey\b", "cheese", "yogurt", "marshmallow"):
        assert not names.str.contains(word).any(), word
    butter = names.str.contains("butter") & ~names.str.contains(
        r"peanut butter|almond butter|nut butter|apple butter|butternut|cashew butter|"
        r"sunflower|soy butter")
    assert not butter.any(), vegan[butter].index.tolist()


@needs_fndds
def test_b12_split_of_known_rows(fndds: pd.DataFrame) -> None:
    cheerios = fndds.loc["Cereal (General Mills Cheerios)"]
    assert cheerios["b12_ug"] == pytest.approx(6.77)
    assert cheerios["b12_added_ug"] == cheerios["b12_ug"] and cheerios["b12_matrix"] == ""
    milk = fndds.loc["Milk, whole"]
    assert milk["b12_added_ug"] == 0 and milk["b12_matrix"] == 1.0
    egg = fndds.loc["Egg, whole, boiled or poached"]
    assert egg["b12_matrix"] == 0.6
    salmon = fndds.loc["Salmon, baked or broiled, made with oil"]
    assert 0.8 <= salmon["b12_matrix"] <= 0.81
    mixed = fndds.loc["Macaroni or noodles with cheese and egg"]
    assert 0.6 < mixed["b12_matrix"] < 1.0
    assert (fndds["b12_added_ug"] <= fndds["b12_ug"]).all()


@needs_fndds
def test_occasions_and_portions_come_from_nhanes(fndds: pd.DataFrame) -> None:
    cheerios = fndds.loc["Cereal (General Mills Cheerios)"]
    assert "breakfast" in cheerios["occasions"] and "dinner" not in cheerios["occasions"]
    assert cheerios["pop_breakfast"] > cheerios["pop_snack"] > 0
    water = fndds.loc["Water, tap"]
    assert "drink" in water["occasions"] and water["liquid"] and water["role"] == "water"
    bread = fndds.loc["Bread, white"]
    assert bread["role"] == "bread" and bread["typical_g"] == 52.0
    assert bread["serving_g"] * 2 == pytest.approx(48.0)


@needs_fndds
def test_import_command_writes_a_table_that_loads(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from planner.cli import cli

    out = tmp_path / "fndds.csv"
    result = CliRunner().invoke(cli, ["foods", "import", "--from", "fndds", str(FNDDS), "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert "FNDDS 2017-2018: 7083 foods" in result.stderr
    table = load_foods(out)
    assert len(table) == 7083 and not table["curated"].any()
    result = CliRunner().invoke(cli, ["foods", "import", "--from", "fndds",
                                      str(FNDDS / "fndds1718_fped.csv"), "-o", str(out)])
    assert result.exit_code == 1 and "reads a folder" in result.stderr


def test_list_by_role_and_category() -> None:
    from click.testing import CliRunner

    from planner.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["foods", "list", "--role", "main-dish", "--category", "pizza",
                                 "--format", "csv"])
    rows = result.stdout.splitlines()[1:]
    assert result.exit_code == 0 and rows and all("pizza" in r.lower() for r in rows)
    table = load_foods(ROOT / "foods.csv")
    result = runner.invoke(cli, ["foods", "list", "--category", "2402", "--format", "csv"])
    assert len(result.stdout.splitlines()) - 1 == int((table["wweia_category"] == "2402").sum())
    result = runner.invoke(cli, ["foods", "list", "--role", "starter"])
    assert result.exit_code == 2
