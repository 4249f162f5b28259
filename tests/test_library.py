"""The shipped meal library: its checks, diet flags of a hand-checked sample, browsing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.errors import DataError
from planner.library import FILES, fits, load_library, matching_foods, meal, select

from .conftest import ROOT, SHARED_DATA

# Meals whose foods were read one by one against their FNDDS recipes and descriptions.
HAND_CHECKED = {
    "B0008": ("Oatmeal, instant, plain, made with water", "vegan"),
    "L0095": ("Beans and white rice", "vegan"),
    "B0003": ("Cereal (Kellogg's Frosted Flakes) + Milk", "lacto-vegetarian"),
    "B0140": ("Hot chocolate / Cocoa, made with dry mix", "lacto-vegetarian"),  # milk powder
    "B0087": ("Cereal or Granola bar", "lacto-vegetarian"),         # honey, may hold whey
    "B0130": ("Nutritional drink or shake", "omnivore"),            # milk protein, may hold more
    "L0062": ("Chili con carne with beans", "omnivore"),
    "D0001": ("Pizza with pepperoni", "omnivore"),
}
STRICTEST = ["vegan", "lacto-vegetarian", "lacto-ovo-vegetarian", "pescatarian", "omnivore"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("meal_id", sorted(HAND_CHECKED))
def test_hand_checked_meals_fit_exactly_their_diets(meal_id: str) -> None:
    library = load_library()
    name, strictest = HAND_CHECKED[meal_id]
    row = meal(library, meal_id)
    assert str(row["name"]).startswith(name)
    allowed = row["diets"].split(";")
    assert allowed[-1] == strictest or strictest in allowed
    stricter = STRICTEST[:STRICTEST.index(strictest)]
    assert not set(stricter) & set(allowed), f"{meal_id} wrongly fits {stricter}"


def test_every_meal_fits_the_diets_its_flags_allow() -> None:
    library = load_library()
    for diet in STRICTEST:
        listed = library.meals["diets"].str.split(";").map(lambda d, diet=diet: diet in d)
        assert (listed == fits(library.meals, diet)).all(), diet


def test_no_vegan_meal_holds_a_food_of_animal_origin_by_its_name() -> None:
    library = load_library()
    vegan = select(library, diet="vegan")
    codes = library.items.loc[library.items["meal_id"].isin(vegan.index), "fndds_code"]
    names = library.foods.loc[sorted(set(codes)), "description"].str.lower()
    animal = names.str.contains(r"\b(?:milk|cheese|egg|chicken|beef|pork|fish|yogurt|butter|"
                                r"honey|infant|formula|whey|nutritional)\b", regex=True)
    plant = names.str.contains(r"soy milk|(?:peanut|cashew|almond) butter", regex=True)
    assert list(names[animal & ~plant]) == []


def test_library_sizes_match_the_research_notes() -> None:
    library = load_library()
    meals = library.meals
    counts = meals.groupby("occasion").size()
    assert counts["breakfast"] > 2500 and counts["lunch"] > 1800
    assert counts["dinner"] > 1900 and counts["snack"] > 1900
    assert (meals["seen"] >= 2).all()
    assert (meals["category_seen"] >= meals["seen"]).all()
    assert meals.index.is_unique


def test_every_item_has_a_positive_median_and_a_portion_range() -> None:
    library = load_library()
    assert (library.items["grams"] > 0).all()
    foods = library.foods
    assert (foods["grams_p10"] <= foods["grams_p50"]).all()
    assert (foods["grams_p90"] <= foods["grams_p99"]).all()
    assert (foods["reports"] >= 2).all()


def test_provenance_names_the_sources_it_was_built_from() -> None:
    provenance = load_library().provenance()
    assert provenance["min_seen"] == 2
    for name, digest in provenance["sources"].items():
        path = SHARED_DATA / "fndds" / name
        if path.is_file():
            import hashlib

            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_food_search_takes_a_code_or_every_word() -> None:
    library = load_library()
    assert matching_foods(library, "11320000") == ["11320000"]
    soy = matching_foods(library, "Soy milk")
    assert "11320000" in soy
    assert all("soy" in library.foods.loc[c, "description"].lower() for c in soy)


def test_a_broken_library_is_refused_naming_the_file(tmp_path: Path) -> None:
    source = ROOT / "planner" / "data"
    for name in FILES.values():
        (tmp_path / name).write_text((source / name).read_text())
    items = pd.read_csv(tmp_path / FILES["items"], dtype=str)
    items.loc[0, "meal_id"] = "X9999"
    items.to_csv(tmp_path / FILES["items"], index=False)
    with pytest.raises(DataError, match=r"meal_items.csv: names meal 'X9999'"):
        load_library(tmp_path)


def test_meals_list_filters_and_counts() -> None:
    code, out = run("meals", "list", "--occasion", "dinner", "--diet", "vegan",
                    "--min-seen", "5", "--limit", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["meal_id", "occasion", "seen", "persons", "name"]
    assert len(lines) == 2 + 3 + 1 and lines[-1].startswith("3 of ")
    assert all(line.split()[1] == "dinner" for line in lines[2:5])
    assert max(len(line) for line in lines) <= 100


def test_meals_list_json_has_every_column() -> None:
    code, out = run("meals", "list", "--food", "oatmeal", "--limit", "2", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 2 and {"meal_id", "seen", "diets", "flags", "source"} <= set(rows[0])
    assert rows[0]["seen"] >= rows[1]["seen"]


def test_meals_show_lists_foods_grams_and_usual_range() -> None:
    code, out = run("meals", "show", "b0003")
    assert code == 0
    assert "B0003: breakfast, seen 133 times" in out
    assert "Milk, reduced fat (2%)" in out and "drink" in out


def test_meals_show_unknown_id_is_exit_1_with_a_hint() -> None:
    code, out = run("meals", "show", "B00003")
    assert code == 1
    assert "no meal 'B00003'" in out and "did you mean" in out


@pytest.mark.slow
def test_shipped_library_equals_its_rebuild(tmp_path: Path) -> None:
    if not (SHARED_DATA / "fndds").is_dir():
        pytest.skip("shared/data/fndds is not beside the project")
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_meals.py"), "--data",
                    str(SHARED_DATA), "--out", str(tmp_path)], check=True)
    for name in [*FILES.values(), "meals_provenance.json"]:
        assert (tmp_path / name).read_bytes() == (ROOT / "planner" / "data" / name).read_bytes()
