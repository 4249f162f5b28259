"""The curated food table and the food-table loader's checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.errors import DataError
from planner.foods import FLAGS, diet_mask, load_foods, patterns_of

B12_SOURCES = ["beef-liver-fried", "chicken-liver-fried", "egg-whole-boiled-or-poached",
               "milk-nfs", "yogurt-low-fat-milk-plain", "salmon-baked-or-broiled-made-with-oil",
               "tuna-canned-ns-as-to-oil-or-water-pack", "shrimp-steamed-or-boiled",
               "soy-milk", "cereal-general-mills-cheerios"]


def test_size_and_provenance(foods: pd.DataFrame) -> None:
    assert 1800 <= len(foods) <= 2500   # the default selection and every meal-library food
    assert foods["source"].str.match(r"(USDA FNDDS 2017-2018 \d{8}; NHANES 2007-2012 \d+ "
                                     r"reports|USDA SR28 \d{5}|CIQUAL 2020 \d+)").all()
    assert foods["price_source"].str.match(r"(USDA PP-NAP 2017/18|\[proxy: median of WWEIA "
                                           r"category \d+, USDA PP-NAP 2017/18\])").all()
    assert (foods["price_per_kg"] > 0).all()
    assert (foods["package_g"] > 0).all() and (foods["aisle"] != "").all()
    assert foods["curated"].all() and (foods["role"] != "").all()
    fndds = foods[foods["fndds_code"] != ""]
    assert len(fndds) >= 0.95 * len(foods)
    assert (fndds["typical_g"] > 0).all() and fndds["wweia_name"].ne("").all()
    for column in ("calcium_mg", "iron_mg", "vit_d_ug", "added_sugars_g", "epa_dha_g"):
        assert fndds[column].notna().all(), column


def test_b12_sources_present(foods: pd.DataFrame) -> None:
    assert set(B12_SOURCES) <= set(foods.index)


def test_fortified_plant_foods_carry_added_b12(foods: pd.DataFrame) -> None:
    for food_id in ["soy-milk", "fortified-oat-drink", "fortified-soy-yogurt",
                    "cereal-general-mills-cheerios", "nutritional-yeast",
                    "fortified-plant-spread"]:
        row = foods.loc[food_id]
        assert row["b12_added_ug"] > 0 and row["b12_added_ug"] <= row["b12_ug"], food_id
        assert not row[list(FLAGS[:5])].any(), food_id
    burger = foods.loc["vegetarian-burger-or-patty-meatless-no-bun"]
    assert burger["b12_added_ug"] > 0 and not burger[["meat", "fish", "shellfish"]].any()


def test_analogues_count_zero(foods: pd.DataFrame) -> None:
    for food_id in ["nori", "spirulina", "tempeh", "natto"]:
        assert foods.loc[food_id, "b12_matrix"] == 0


def test_added_b12_never_exceeds_total(foods: pd.DataFrame) -> None:
    assert (foods["b12_added_ug"] <= foods["b12_ug"]).all()


def test_vegan_rows_have_no_animal_flag(foods: pd.DataFrame) -> None:
    vegan = foods[diet_mask(foods, "vegan")]
    assert not vegan[list(FLAGS)].any(axis=None)
    assert "butter-stick" not in vegan.index and "honey" not in vegan.index
    assert "cereal-general-mills-cheerios-honey-nut" not in vegan.index


def test_patterns_nest(foods: pd.DataFrame) -> None:
    p = patterns_of(foods)
    assert (p["vegan"] <= p["lacto-vegetarian"]).all()
    assert (p["lacto-vegetarian"] <= p["lacto-ovo-vegetarian"]).all()
    assert (p["lacto-ovo-vegetarian"] <= p["pescatarian"]).all()
    assert not p.loc["egg-whole-boiled-or-poached", "lacto-vegetarian"]
    assert not p.loc["gelatin-dessert", "lacto-ovo-vegetarian"]


def test_drinks_are_liquid(foods: pd.DataFrame) -> None:
    assert foods.loc["water-tap", "liquid"] and foods.loc["milk-nfs", "liquid"]
    assert foods.loc[foods["group"] == "beverage", "liquid"].all()
    assert foods["occasions"].str.contains("drink").sum() >= 10


def _write(tmp_path: Path, text: str | bytes, name: str = "foods.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _replace_cell(text: str, row: int, column: str, value: str) -> str:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


BAD_CELLS = [
    ("energy_kcal", "abc", "'energy_kcal' is not a number at line 2"),
    ("protein_g", "-3", "'protein_g' must be between 0 and 100 at line 2"),
    ("b12_ug", "inf", "'b12_ug' is infinite at line 2"),
    ("b12_ug", "1e9", "'b12_ug' must be between 0 and 10000"),
    ("b12_ug", "", "'b12_ug' is empty at line 2"),
    ("b12_added_ug", "99", "b12_added_ug is larger than b12_ug at line 2"),
    ("group", "meatish", "unknown group at line 2"),
    ("meat", "maybe", "'meat' must be true or false at line 2"),
    ("occasions", "brunch", "'occasions' must list breakfast"),
    ("min_servings", "5", "min_servings is larger than max_servings"),
    ("id", "", "id is empty at line 2"),
    ("id", "=cmd()", "id must be letters"),
    ("price_per_kg", "", "curated row without price_per_kg at line 2"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS)
def test_bad_cell_is_named(tmp_path: Path, good_foods_text: str, column: str, value: str,
                           message: str) -> None:
    path = _write(tmp_path, _replace_cell(good_foods_text, 1, column, value))
    with pytest.raises(DataError) as info:
        load_foods(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_duplicate_ids(tmp_path: Path, good_foods_text: str) -> None:
    text = _replace_cell(good_foods_text, 2, "id", "milk-nfs")
    with pytest.raises(DataError, match=r"duplicate id at line 2 .*line 3"):
        load_foods(_write(tmp_path, text))


BAD_FILES = [
    (b"", "file is empty"),
    (b"id,name\n", "missing column(s) group"),
    ("\u00e9".encode("latin-1") + b"id,name\n", "not UTF-8"),
    (b"id,name\x00\n", "NUL bytes"),
    (b'id,name,"group\n', "malformed CSV"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_bad_file_is_named(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(DataError) as info:
        load_foods(_write(tmp_path, content))
    assert message in str(info.value)


def test_header_only(tmp_path: Path, good_foods_text: str) -> None:
    header = good_foods_text.splitlines()[0] + "\n"
    with pytest.raises(DataError, match="no foods"):
        load_foods(_write(tmp_path, header))


def test_unknown_and_duplicate_columns(tmp_path: Path, good_foods_text: str) -> None:
    lines = good_foods_text.splitlines()
    renamed = lines[0].replace("protein_g", "protien_g")
    with pytest.raises(DataError, match="did you mean 'protein_g'"):
        load_foods(_write(tmp_path, "\n".join([renamed, *lines[1:]])))
    doubled = lines[0] + ",id"
    rows = [doubled] + [line + ",x" for line in lines[1:]]
    with pytest.raises(DataError, match="'id' appear more than once"):
        load_foods(_write(tmp_path, "\n".join(rows), "b.csv"))


def test_bom_and_missing_file(tmp_path: Path, good_foods_text: str) -> None:
    table = load_foods(_write(tmp_path, b"\xef\xbb\xbf" + good_foods_text.encode()))
    assert len(table) == 5
    with pytest.raises(DataError, match="file not found"):
        load_foods(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="is a folder"):
        load_foods(tmp_path)


def test_minimal_user_table(tmp_path: Path) -> None:
    """A user table needs only the required columns; the rest take defaults."""
    text = ("id,name,group,meat,fish,shellfish,egg,dairy,honey,gelatin,energy_kcal,protein_g,"
            "fat_g,carbohydrate_g,b12_ug,serving_g,max_servings\n"
            "tofu,Tofu,legume,0,0,0,0,0,0,0,78,9,4,2,0,100,2\n")
    table = load_foods(_write(tmp_path, text))
    assert table.loc["tofu", "min_servings"] == 1 and not table.loc["tofu", "curated"]
    assert table.loc["tofu", "occasions"] == "breakfast;lunch;dinner;snack"
