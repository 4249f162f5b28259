"""The meal library build from recalls, on a tiny hand-made recall file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from planner.errors import DataError
from planner.recalls import CROSSWALK, FPED, RECALLS, build_library
from planner.recipes import FLAGS

FOODS = [  # code, name, category, liquid, flags
    ("11112110", "Milk, reduced fat (2%)", 1004, True, {"dairy"}),
    ("57123000", "Cereal (General Mills Cheerios)", 3602, False, set()),
    ("63107010", "Banana, raw", 6002, False, set()),
    ("94000100", "Water, tap", 7702, True, set()),
    ("93101000", "Beer", 7502, True, set()),
    ("11514100", "Hot chocolate / Cocoa, made with dry mix and water", 1208, True, set()),
    ("11710636", "Infant formula, powder", 9404, True, set()),
    ("58106555", "Pizza with pepperoni", 3602, False, {"meat", "dairy"}),
]


def _flags() -> pd.DataFrame:
    rows = []
    for code, name, category, liquid, flags in FOODS:
        rows.append({"fndds_code": code, "name": name, "wweia_category": category,
                     "wweia_name": f"category {category}", "liquid": liquid,
                     **{f: f in flags for f in FLAGS}})
    return pd.DataFrame(rows)


def _recall(rows: list[tuple[str, int, str, float, str]]) -> str:
    lines = ["cycle,day,seqn,wtdr2d,food_code,grams,recall_status,occasion_code,occasion_group"]
    for seqn, day, code, grams, group in rows:
        lines.append(f"2007-2008,{day},{seqn},1.0,{code},{grams},1,1,{group}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rows = [
        # three breakfasts of cereal with milk; one with water beside it, one with the milk
        # reported twice (counted once, grams summed)
        ("1", 1, "57123000", 30.0, "breakfast"), ("1", 1, "11112110", 200.0, "breakfast"),
        ("2", 1, "57123000", 40.0, "breakfast"), ("2", 1, "11112110", 100.0, "breakfast"),
        ("2", 1, "11112110", 150.0, "breakfast"), ("2", 1, "94000100", 240.0, "breakfast"),
        ("1", 2, "57123000", 50.0, "breakfast"), ("1", 2, "11112110", 300.0, "breakfast"),
        # pizza and beer at dinner twice: beer is left out of the meal
        ("1", 1, "58106555", 200.0, "dinner"), ("1", 1, "93101000", 355.0, "dinner"),
        ("2", 1, "58106555", 300.0, "dinner"),
        # an unmapped food drops its whole occasion; so does infant formula
        ("3", 1, "57123000", 30.0, "breakfast"), ("3", 1, "99999999", 10.0, "breakfast"),
        ("4", 1, "63107010", 100.0, "snack"), ("4", 1, "11710636", 100.0, "snack"),
        ("5", 1, "63107010", 120.0, "snack"),
        # cocoa from a dry mix twice: dairy by its category whatever its recipe says
        ("5", 1, "11514100", 250.0, "lunch"), ("6", 1, "11514100", 260.0, "lunch"),
        # a drink occasion counts for portions, not as a meal
        ("6", 1, "11112110", 1000.0, "drink"),
    ]
    with gzip.open(tmp_path / RECALLS, "wt") as handle:
        handle.write(_recall(rows))
    walk = ["old_code,n_rows,new_code,method,jaccard,old_desc,new_desc"]
    walk += [f"{code},1,{code},identity,1.0,x,x" for code, *_ in FOODS]
    walk.append("99999999,1,,none,,x,")
    (tmp_path / CROSSWALK).write_text("\n".join(walk) + "\n")
    columns = [f"{c} (oz. eq.)" for c in ("PF_MEAT", "PF_CUREDMEAT", "PF_ORGAN", "PF_POULT",
                                          "PF_SEAFD_HI", "PF_SEAFD_LOW")]
    columns += ["V_TOTAL (cup eq.)", "F_TOTAL (cup eq.)"]
    fped = ["FOODCODE,DESCRIPTION," + ",".join(columns),
            "58106555,Pizza with pepperoni,0,0.4,0,0,0,0,0.1,0",
            "63107010,\"Banana, raw\",0,0,0,0,0,0,0,1.2"]
    (tmp_path / FPED).write_text("\n".join(fped) + "\n", encoding="utf-8")
    return tmp_path


def test_fped_amounts_per_100g_join_the_library_foods(folder: Path) -> None:
    foods = build_library(folder, _flags(), min_seen=2).foods.set_index("fndds_code")
    assert foods.loc["58106555", "meat_poultry_oz"] == pytest.approx(0.4)
    assert foods.loc["58106555", "vegetables_cup"] == pytest.approx(0.1)
    assert foods.loc["57123000", "seafood_oz"] == 0.0


def test_meals_are_distinct_food_sets_with_counts_and_median_grams(folder: Path) -> None:
    built = build_library(folder, _flags(), min_seen=2)
    meals = built.meals.set_index("meal_id")
    assert list(meals.index) == ["B0001", "L0001", "D0001"]
    cereal = meals.loc["B0001"]
    assert (cereal["occasion"], cereal["seen"], cereal["persons"]) == ("breakfast", 3, 2)
    assert cereal["name"] == "Cereal (General Mills Cheerios) + Milk, reduced fat (2%)"
    items = built.items[built.items["meal_id"] == "B0001"].set_index("fndds_code")["grams"]
    assert items.to_dict() == {"57123000": 40.0, "11112110": 250.0}   # medians; 100+150 summed
    assert meals.loc["D0001", "name"] == "Pizza with pepperoni"       # beer left out
    assert meals.loc["D0001", "diets"] == "omnivore"
    assert "S0001" not in meals.index                                  # banana seen once alone


def test_unknown_infant_and_water_are_never_meal_parts(folder: Path) -> None:
    built = build_library(folder, _flags(), min_seen=1)
    codes = set(built.items["fndds_code"])
    assert not codes & {"94000100", "93101000", "11710636", "99999999"}
    assert built.meals["seen"].sum() == 3 + 2 + 2 + 1   # breakfast, lunch, dinner, snack
    assert built.provenance["occurrences"] == 8


def test_cocoa_mix_is_dairy_by_its_category(folder: Path) -> None:
    built = build_library(folder, _flags(), min_seen=2)
    cocoa = built.meals.set_index("meal_id").loc["L0001"]
    assert cocoa["flags"] == "dairy"
    assert "vegan" not in cocoa["diets"].split(";")
    assert "lacto-vegetarian" in cocoa["diets"].split(";")


def test_portion_quantiles_count_every_report_but_infants(folder: Path) -> None:
    built = build_library(folder, _flags(), min_seen=2)
    milk = built.foods.set_index("fndds_code").loc["11112110"]
    assert milk["reports"] == 5                            # four at breakfast, one drink
    assert milk["grams_p50"] == 200.0
    assert milk["grams_p99"] == pytest.approx(
        pd.Series([200, 100, 150, 300, 1000]).quantile(0.99), abs=0.05)


def test_a_folder_without_recalls_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"missing nhanes_2007_2012_items\.csv\.gz"):
        build_library(tmp_path, _flags())
