"""What each occasion may be (options.py, own_meals.py): library meals the rules allow, adapted
meals, meals without their drinks, leftovers offered, own meals joined."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.config import load_config
from planner.errors import DataError
from planner.foods import FLAGS
from planner.library import load_library
from planner.options import (
    KEEPS,
    LEFTOVER,
    build_options,
    load_substitutions,
    with_leftovers,
)
from planner.own_meals import load_own_meals
from planner.vocabulary import PATTERNS


def test_vegan_options_hold_no_animal_food_and_adapted_meals_say_so(foods: pd.DataFrame) -> None:
    config = load_config("vegan")
    options = build_options(foods, load_library(), config, 2)
    used = foods.loc[options.parts["food"].unique()]
    forbidden = [f for f in FLAGS if f not in PATTERNS["vegan"]]
    assert not used[forbidden].any(axis=None)
    adapted = options.meals[options.meals["kind"] == "adapted"]
    assert len(adapted) > 100
    assert adapted["key"].str.endswith("~adapted").all()
    assert adapted["name"].str.contains("adapted: ").all()
    milk = adapted[adapted["name"].str.contains("Milk, reduced fat (2%) -> Soy milk",
                                                regex=False)]
    assert len(milk) > 10


def test_substitutions_are_data_with_positive_ratios() -> None:
    table = load_substitutions()
    assert {"from", "to", "ratio", "note"} <= set(table.columns)
    assert (table["ratio"] > 0).all()


def test_an_adapted_meal_whose_mix_as_served_people_rarely_eat_counts_rarer(
        foods: pd.DataFrame) -> None:
    library = load_library()
    assert library.mix_seen("breakfast", [4602, 1404]) >= 5     # cereal + milk substitute
    assert library.mix_seen("dinner", [2806]) < 5                # tofu or tempeh alone
    options = build_options(foods, library, load_config("vegan"), 3).meals.set_index("key")

    def first(words: str) -> pd.Series:
        return options[options["name"].str.startswith(words)].iloc[0]

    cereal, tempeh = first("Cereal (General Mills Cheerios) + Soy milk"), first("Tempeh (adap")
    meals = library.meals
    rarity = {key: -np.log10(meals.loc[key.split("~")[0], "seen"] / meals.loc[
                  meals["occasion"] == meals.loc[key.split("~")[0], "occasion"], "seen"].sum())
              for key in (cereal.name, tempeh.name)}
    assert cereal["rarity"] == pytest.approx(rarity[cereal.name] + 0.5)
    assert tempeh["rarity"] == pytest.approx(rarity[tempeh.name] + 0.5 + 6.0)   # a million


def test_a_stand_in_category_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "substitutions.csv"
    path.write_text("from,to,ratio,to_category,note\ncategory:2002,tempeh,1,soy,beef\n")
    with pytest.raises(DataError, match=r"substitutions.csv: row 2: to_category must be a "
                                        r"WWEIA category number"):
        load_substitutions(path)


def test_leftovers_are_offered_for_dishes_that_keep_without_their_drinks(
        foods: pd.DataFrame) -> None:
    config = load_config(None, ["meals.leftovers=2"])
    options = with_leftovers(build_options(foods, load_library(), config, 3), config, foods)
    copies = options.meals[options.meals["kind"] == "leftover"]
    assert len(copies) > 20 and (copies["occasion"] == "lunch").all()
    parts = options.parts[options.parts["option"].isin(copies.index)]
    assert not parts["liquid"].any()
    category = pd.to_numeric(foods["wweia_category"], errors="coerce")
    assert parts["food"].map(category).isin(KEEPS).groupby(parts["option"]).any().all()
    dinners = options.meals.set_index("key")
    assert not any(dinners.loc[k.removeprefix(LEFTOVER), "name"].startswith("Cereal")
                   for k in copies["key"])
    plain = load_config(None)
    assert len(with_leftovers(build_options(foods, load_library(), plain, 3), plain,
                              foods).meals) == len(options.meals) - len(copies)


def test_meals_lose_their_drinks_where_an_occasion_allows_none(foods: pd.DataFrame) -> None:
    config = load_config("post-rygb")
    options = build_options(foods, load_library(), config, 3)
    meals = options.of("breakfast")
    parts = options.parts[options.parts["option"].isin(meals.index)]
    assert not parts["liquid"].any()
    assert meals["name"].str.contains("without its drinks").any()
    drinks = options.of("drink-wake")
    assert (drinks["kind"] == "drink").all()
    per_option = options.parts[options.parts["option"].isin(drinks.index)]
    assert per_option.groupby("option").size().max() == 1
    assert (per_option["high"] <= 250).all()


def test_meat_swaps_to_plant_protein_and_shared_stand_ins_merge(foods: pd.DataFrame) -> None:
    options = build_options(foods, load_library(), load_config("lacto-vegetarian"), 3)
    parts = options.parts
    assert not parts.duplicated(["option", "food"]).any()
    names = options.meals.set_index("option")["name"]
    tofu = parts.loc[parts["food"] == "tofu-firm", "option"]
    assert names[tofu].str.contains("-> Tofu (firm; nigari)", regex=False).any()
    vegan = build_options(foods, load_library(), load_config("vegan"), 3)
    assert "chicken-meatless-nfs" not in set(vegan.parts["food"])  # may hold egg or milk


def test_own_meals_join_the_options_and_are_preferred(foods: pd.DataFrame,
                                                      tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text("meal,occasion,food,grams\n"
                   "porridge,breakfast,oatmeal-regular-or-quick-made-with-water-no-added-fat,240\n"
                   "porridge,breakfast,milk-reduced-fat-2,200\n", encoding="utf-8")
    config = load_config("omnivore", [f"meals.own={json.dumps(str(own))}"])
    options = build_options(foods, load_library(), config, 3)
    mine = options.meals[options.meals["kind"] == "own"]
    assert list(mine["key"]) == ["own:porridge"] and list(mine["occasion"]) == ["breakfast"]
    parts = options.parts[options.parts["option"] == mine.index[0]].set_index("food")
    assert parts.loc["milk-reduced-fat-2", "low"] == pytest.approx(200 / 1.5, abs=0.1)
    assert parts.loc["milk-reduced-fat-2", "high"] == pytest.approx(300, abs=0.1)
    others = options.of("breakfast").drop(mine.index)
    assert (others["unlike_own"] == config.meals.own_preference).all()
    assert (options.of("lunch")["unlike_own"] == 0).all()
    vegan = load_config("vegan", [f"meals.own={json.dumps(str(own))}"])
    adapted = build_options(foods, load_library(), vegan, 3).meals
    assert "own:porridge~adapted" in set(adapted["key"])


@pytest.mark.parametrize(("row", "message"), [
    ("porridge,breakfast,oatmeal-regular,240", "did you mean"),
    ("porridge,brunch,milk-reduced-fat-2,200", "occasion must be one of"),
    ("porridge,breakfast,milk-reduced-fat-2,-5", "must be between"),
    ("porridge,lunch,milk-reduced-fat-2,200", "one meal at two occasions"),
    ("bad id!,breakfast,milk-reduced-fat-2,200", "meal must be letters"),
])
def test_a_bad_own_meals_file_is_refused_naming_the_line(foods: pd.DataFrame, tmp_path: Path,
                                                         row: str, message: str) -> None:
    own = tmp_path / "own.csv"
    own.write_text("meal,occasion,food,grams\nporridge,breakfast,banana-raw,100\n" + row + "\n",
                   encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_own_meals(own, foods)
