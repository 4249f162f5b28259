"""Importing national tables: conservative flags, counted exclusions, Atwater energy."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.errors import DataError
from planner.foods import diet_mask, load_foods
from planner.national import import_ciqual, import_sr28, infer_flags

from .conftest import SHARED_DATA

DATA = Path(__file__).parent / "data"
RAW = "raw meat, poultry, offal, fish, shellfish or egg (food safety)"


@pytest.fixture(scope="module")
def sr28(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    table, report = import_sr28(DATA / "sr28_excerpt.csv", DATA / "sr28_portions_excerpt.csv")
    assert report.rows_read == 364
    assert report.rows_written + sum(report.left_out.values()) == report.rows_read
    assert report.left_out == {"no B12 value": 49, RAW: 40}
    path = tmp_path_factory.mktemp("sr28") / "foods.csv"
    table.to_csv(path, index=False)
    return load_foods(path)


def test_sr28_excerpt_loads_as_uncurated_foods(sr28: pd.DataFrame) -> None:
    assert len(sr28) == 275 and not sr28["curated"].any()
    assert sr28["price_per_kg"].isna().all() and sr28["b12_ug"].notna().all()


def test_sr28_flags_and_groups(sr28: pd.DataFrame) -> None:
    vegan = diet_mask(sr28, "vegan")
    assert vegan["usda-04053"]                                 # olive oil
    assert not vegan["usda-16554"] and not diet_mask(sr28, "pescatarian")["usda-16554"]
    assert not vegan["usda-11384"]                             # au gratin mix: dairy
    assert sr28.loc["usda-13326", "group"] == "organ" and sr28.loc["usda-13326", "meat"]
    assert sr28.loc["usda-01137", "egg"] and sr28.loc["usda-01137", "group"] == "egg"
    assert sr28.loc["usda-01079", "dairy"]
    assert sr28.loc["usda-15165", "group"] == "shellfish" and sr28.loc["usda-15165", "shellfish"]
    assert sr28.loc["usda-08013", "group"] == "fortified"
    assert sr28.loc["usda-08013", "b12_added_ug"] == pytest.approx(6.77)
    assert sr28.loc["usda-19296", "honey"] and sr28.loc["usda-19173", "gelatin"]
    assert sr28.loc["usda-14411", "liquid"] and "drink" in sr28.loc["usda-14411", "occasions"]


def test_sr28_servings_from_household_weights(sr28: pd.DataFrame) -> None:
    assert "usda-01123" not in sr28.index          # "Egg, whole, raw, fresh": food safety
    assert sr28.loc["usda-01079", "serving_label"] == "1 cup"


def test_ciqual_excerpt_atwater_and_counts(tmp_path: Path) -> None:
    table, report = import_ciqual(DATA / "ciqual_excerpt.csv")
    assert report.rows_read == 323
    assert report.rows_written + sum(report.left_out.values()) == report.rows_read
    computed = table[table["source"].str.contains("Atwater")]
    assert len(computed) == report.energy_computed > 0
    row = computed.iloc[0]
    assert row["energy_kcal"] == pytest.approx(
        4 * row["protein_g"] + 9 * row["fat_g"] + 4 * row["carbohydrate_g"], abs=0.1)
    path = tmp_path / "ciqual.csv"
    table.to_csv(path, index=False)
    foods = load_foods(path)
    assert foods.loc["ciqual-12738", "dairy"]
    assert foods["source"].str.contains("Anses. 2020").all()


@pytest.mark.parametrize(("text", "certain", "plant", "unsure", "flag"), [
    ("Soup, cream of mushroom", None, False, False, "dairy"),
    ("Crackers, saltines", None, False, True, "meat"),
    ("Beans, black, boiled", set(), True, False, None),
    ("Peanut butter, smooth", set(), True, False, None),
    ("Salad dressing, honey mustard", None, False, False, "honey"),
])
def test_infer_flags(text: str, certain: set[str] | None, plant: bool, unsure: bool,
                     flag: str | None) -> None:
    flags, is_unsure = infer_flags(text, certain, plant)
    assert is_unsure == unsure
    assert (flags[flag] if flag else not any(flags.values()))


def test_cli_import_and_bad_layout(tmp_path: Path) -> None:
    out = tmp_path / "sr.csv"
    result = CliRunner().invoke(cli, ["foods", "import", "--from", "usda-sr28",
                                      str(DATA / "sr28_excerpt.csv"), "-o", str(out)])
    assert result.exit_code == 0 and "left out, no B12 value: 49" in result.stderr
    assert f"left out, {RAW}: 40" in result.stderr
    assert load_foods(out).shape[0] == 275
    result = CliRunner().invoke(cli, ["foods", "import", "--from", "ciqual",
                                      str(DATA / "sr28_excerpt.csv"), "-o", str(out)])
    assert result.exit_code == 1 and "missing column(s) alim_code" in result.stderr
    with pytest.raises(DataError, match="--portions is for usda-sr28 only"):
        from planner.national import import_table

        import_table("ciqual", DATA / "ciqual_excerpt.csv", DATA / "sr28_portions_excerpt.csv")


def test_import_refuses_values_the_planner_would_refuse(tmp_path: Path) -> None:
    lines = (DATA / "sr28_excerpt.csv").read_text(encoding="utf-8").splitlines()[:4]
    lines[2] = lines[2].replace(",300,", ",inf,", 1)      # cheese energy
    lines[3] = "01026" + lines[3][5:]                      # repeats the cheese's ndb_no
    bad = tmp_path / "sr28.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["foods", "import", "--from", "usda-sr28", str(bad),
                                      "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "'energy_kcal' is infinite at line 3 (ndb_no '01026')" in result.stderr
    assert "duplicate ndb_no at line 3 (ndb_no '01026'), line 4" in result.stderr
    assert "Traceback" not in result.stderr


def test_household_weight_outside_the_serving_range_is_skipped(tmp_path: Path) -> None:
    weights = tmp_path / "weights.csv"
    weights.write_text("ndb_no,seq,amount,measure,grams\n01001,1,1,tub,5000\n"
                       "01001,2,1,tbsp,14.2\n01026,1,1,oz,0.01\n", encoding="utf-8")
    table, _ = import_sr28(DATA / "sr28_excerpt.csv", weights)
    servings = table.set_index("id")
    assert servings.loc["usda-01001", "serving_label"] == "1 tbsp"
    assert servings.loc["usda-01026", "serving_g"] == 100.0


@pytest.mark.skipif(not (SHARED_DATA / "usda_sr_legacy_b12.csv").exists(),
                    reason="../shared/data is not present")
def test_full_tables(tmp_path: Path) -> None:
    table, report = import_sr28(SHARED_DATA / "usda_sr_legacy_b12.csv",
                                SHARED_DATA / "usda_sr_legacy_portions.csv")
    assert (report.rows_read, report.rows_written) == (8789, 6691)
    assert report.left_out == {"no B12 value": 1136, RAW: 962}
    table.to_csv(tmp_path / "sr28.csv", index=False)
    foods = load_foods(tmp_path / "sr28.csv")
    assert len(foods) == 6691
    assert not foods["name"].str.contains(r"\braw\b")[foods["group"].isin(
        ["meat", "poultry", "organ", "fish", "shellfish", "egg"])].any()
    offal = foods["name"].str.contains(r"\b(?:liver|testes|kidneys?)\b", case=False)
    assert (foods.loc[offal & foods["group"].isin(["meat", "poultry", "organ"]), "group"]
            == "organ").all()
    assert foods.loc[foods["name"].str.startswith("Moose, liver"), "group"].eq("organ").all()
    table, report = import_ciqual(SHARED_DATA / "ciqual_b12.csv")
    assert report.rows_read == 3185 and report.rows_written == 1808
    table.to_csv(tmp_path / "ciqual.csv", index=False)
    assert len(load_foods(tmp_path / "ciqual.csv")) == 1808


@pytest.mark.plans
@pytest.mark.skipif(not (SHARED_DATA / "usda_sr_legacy_b12.csv").exists(),
                    reason="../shared/data is not present")
@pytest.mark.parametrize("source", ["usda-sr28", "ciqual"])
def test_weekly_plan_on_a_full_table(tmp_path: Path, source: str) -> None:
    """A verified 7-day plan from a whole national table, within the default time limit."""
    table = tmp_path / "table.csv"
    args = ["foods", "import", "--from", source, "-o", str(table)]
    if source == "usda-sr28":
        args += [str(SHARED_DATA / "usda_sr_legacy_b12.csv"), "--portions",
                 str(SHARED_DATA / "usda_sr_legacy_portions.csv")]
    else:
        args += [str(SHARED_DATA / "ciqual_b12.csv")]
    assert CliRunner().invoke(cli, args).exit_code == 0
    out = tmp_path / "week.json"
    result = CliRunner().invoke(cli, ["plan", "--foods", str(table), "--quiet", "--format",
                                      "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text())
    assert plan["meta"]["status"] == "optimal" and plan["meta"]["mip_gap"] <= 0.05
    days = plan["days"]
    assert len(days) == 7 and all(d["absorbed_b12_ug"] >= 1.5 - 1e-6 for d in days)


@pytest.mark.plans
def test_unpriced_table_says_no_price(tmp_path: Path) -> None:
    table = tmp_path / "sr28.csv"
    assert CliRunner().invoke(cli, ["foods", "import", "--from", "usda-sr28",
                                    str(DATA / "sr28_excerpt.csv"), "-o",
                                    str(table)]).exit_code == 0
    week = tmp_path / "week.json"
    result = CliRunner().invoke(cli, ["plan", "--foods", str(table), "--days", "2", "--quiet",
                                      "--format", "json", "-o", str(week)])
    assert result.exit_code == 0, result.output
    shown = CliRunner().invoke(cli, ["show", str(week), "--foods", str(table)])
    assert "have no price in the table" in shown.output
    shop = CliRunner().invoke(cli, ["shop", str(week), "--foods", str(table)])
    assert shop.exit_code == 0 and "no price" in shop.output and "nan" not in shop.output
