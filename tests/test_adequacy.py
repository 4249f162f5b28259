"""Whole-diet adequacy: needs and upper limits by person, supplements beyond B12, clinical
packs, and diagnoses that name the nutrient."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner.config import load_config
from planner.errors import ConfigError
from planner.foods import load_foods
from planner.needs import Target, available_nutrients, person_targets, targets
from planner.supplements import load_supplements

from .conftest import CONSTRAINTS

PRESETS = sorted(p.stem for p in CONSTRAINTS.glob("*.toml")
                 if p.stem not in ("base", "absorption"))


def need(config_overrides: list[str], key: str, preset: str | None = None) -> float:
    config = load_config(CONSTRAINTS / f"{preset}.toml" if preset else None, config_overrides)
    found = {t.key: t.value for t in targets(config)}
    return found[key]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True,
                          text=True, check=False)


@functools.cache
def plan_json(preset: str, days: int) -> dict[str, Any]:
    out = Path(__file__).parent / f".adequacy-{preset}-{days}.json"
    try:
        result = run_cli("plan", preset, "--days", str(days), "--format", "json",
                         "--output", str(out))
        assert result.returncode == 0, result.stderr
        return dict(json.loads(out.read_text(encoding="utf-8")))
    finally:
        out.unlink(missing_ok=True)


def day_amounts(data: dict[str, Any]) -> pd.DataFrame:
    """Per day and nutrient, recomputed here from grams and tablet units alone."""
    foods, supplements = load_foods(), load_supplements()
    rows: dict[tuple[int, str], float] = {}
    for occasion in data["occasions"]:
        for item in occasion["items"]:
            if item["kind"] == "food":
                values = foods.loc[item["id"]]
                factor = item["grams"] / 100.0
            else:
                values, factor = supplements.loc[item["id"]], float(item["units"])
            for column in [*available_nutrients(foods), "energy_kcal"]:
                if column in values.index:
                    number = pd.to_numeric(values[column], errors="coerce")
                    key = (occasion["day"], column)
                    rows[key] = rows.get(key, 0.0) + (0.0 if pd.isna(number)
                                                      else float(number) * factor)
    return pd.Series(rows).unstack(fill_value=0.0)


def broken_rules(data: dict[str, Any], preset: str) -> list[str]:
    """Every need and limit of the preset's person checked against the recomputed days."""
    config = load_config(CONSTRAINTS / f"{preset}.toml")
    amounts = day_amounts(data)
    supplements = load_supplements()
    tablets: dict[tuple[int, str], float] = {}
    for occasion in data["occasions"]:
        for item in occasion["items"]:
            if item["kind"] == "supplement":
                for column in supplements.columns:
                    if column.endswith(("_mg", "_ug", "_g")):
                        key = (occasion["day"], column)
                        tablets[key] = tablets.get(key, 0.0) + float(
                            supplements.loc[item["id"], column]) * item["units"]
    problems = []
    usual = data["meta"].get("core") == "meal library" and config.meals.needs_period == "week"
    for rule in targets(config, available_nutrients(load_foods())):
        if usual and rule.kind == "need" and rule.scope == "total":
            values = amounts.get(rule.nutrient, pd.Series(0.0, index=amounts.index))
            floor = 0.0 if rule.nutrient == "epa_dha_g" else \
                config.meals.daily_floor_share * rule.value
            slack = 1e-6 * max(1.0, rule.value)
            if float(values.mean()) < rule.value - slack or float(values.min()) < floor - slack:
                problems.append(f"{preset}: {rule.describe()} as usual intake, mean "
                                f"{float(values.mean()):.4g}, lowest {float(values.min()):.4g}")
            continue
        for day in amounts.index:
            value = float(amounts.loc[day].get(rule.nutrient, 0.0))
            if rule.scope == "supplements":
                value = tablets.get((day, rule.nutrient), 0.0)
            if rule.scope == "energy_share":
                kcal = {"sfa_g": 9.0, "added_sugars_g": 4.0}[rule.nutrient]
                value = kcal * value / float(amounts.loc[day, "energy_kcal"])
            slack = 1e-6 * max(1.0, rule.value)
            if (rule.kind == "need" and value < rule.value - slack) or \
                    (rule.kind == "limit" and value > rule.value + slack):
                problems.append(f"{preset} day {day}: {rule.describe()}, got {value:.4g}")
    return problems


# --- reference values -----------------------------------------------------------------------

def test_reference_values_follow_sex_age_and_life_stage() -> None:
    assert need([], "iron_mg_min") == 18 and need([], "calcium_mg_min") == 1000
    man = ['person.sex="male"', "person.age=60"]
    assert need(man, "iron_mg_min") == 8 and need(man, "fiber_g_min") == 30
    assert need(man, "magnesium_mg_min") == 420 and need(man, "calcium_mg_max") == 2000
    old = ["person.age=75"]
    assert need(old, "vit_d_ug_min") == 20 and need(old, "calcium_mg_min") == 1200
    pregnant = ['person.life_stage="pregnancy"', "person.weight_kg=70"]
    assert need(pregnant, "folate_dfe_ug_min") == 600 and need(pregnant, "iron_mg_min") == 27
    assert need(pregnant, "protein_g_min") == pytest.approx(77.0)
    assert need(pregnant, "retinol_ug_max") == 3000
    assert need(['person.life_stage="lactation"'], "vit_a_rae_ug_min") == 1300


def test_every_value_can_be_overridden_or_skipped() -> None:
    assert need(["nutrients.calcium_mg_min=1200"], "calcium_mg_min") == 1200
    assert need(["nutrients.protein_g_per_kg_min=1.2"], "protein_g_min") == pytest.approx(78)
    config = load_config(None, ['nutrients.skip=["sodium_mg"]'])
    assert "sodium_mg_max" not in {t.key for t in targets(config)}
    config = load_config(None, ["nutrients.adequacy=false"])
    assert targets(config) == []


def test_every_person_row_has_a_source_and_a_config_key() -> None:
    from planner.schema import NutrientsSection

    keys = {f.name for f in NutrientsSection.__dataclass_fields__.values()}
    for stage in ("none", "pregnancy", "lactation"):
        config = load_config(None, [f'person.life_stage="{stage}"'])
        for rule in person_targets(config):
            assert rule.source and rule.key in keys, rule
    assert Target("sfa_g", "limit", "energy_share", 0.1, "x").key == "sfa_g_energy_share_max"


@pytest.mark.parametrize(("setting", "words"), [
    ("person.age=0", "[person] age"), ("person.weight_kg=5000", "[person] weight_kg"),
    ("person.age=150", "[person] age"), ('person.sex="x"', "[person] sex"),
    ('person.life_stage="teen"', "[person] life_stage"),
    ("person.weight_kg=nan", "[person] weight_kg"),
    ("nutrients.calcium_mg_min=-5", "calcium_mg_min"),
    ('nutrients.skip=["gold"]', "skip"),
])
def test_hostile_person_values_are_refused_clearly(setting: str, words: str) -> None:
    result = run_cli("check", "--set", setting)
    assert result.returncode == 1
    assert words in result.stderr and "Traceback" not in result.stderr


def test_pregnancy_needs_a_woman_of_childbearing_age() -> None:
    with pytest.raises(ConfigError, match="life_stage"):
        load_config(CONSTRAINTS / "pregnancy.toml", ['person.sex="male"'])


def test_check_prints_the_resolved_targets() -> None:
    result = run_cli("check", "pregnancy")
    assert result.returncode == 0, result.stderr
    assert "folate_dfe_ug_min = 600" in result.stdout
    assert "iron_mg_min = 27" in result.stdout and "Iodine is not checked" in result.stdout


# --- supplements ----------------------------------------------------------------------------

def test_supplements_carry_label_composition() -> None:
    table = load_supplements()
    assert table.loc["calcium-citrate-500", "calcium_mg"] == 500
    assert table.loc["prenatal", "folic_acid_ug"] == 600
    assert table.loc["b12-1000", "calcium_mg"] == 0
    assert (table["composition_source"] != "").all()


def test_a_product_with_nothing_in_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "supplements.csv"
    path.write_text("id,name,b12_ug_per_unit,route,units_per_pack,price_per_pack,form,"
                    "animal_sources\nempty,Empty pill,0,oral,10,1,tablet,none\n",
                    encoding="utf-8")
    with pytest.raises(Exception, match="must contain something"):
        load_supplements(path)


def test_unknown_supplement_ids_in_packs_are_named() -> None:
    result = run_cli("check", "--set", "supplements.daily={ prenatl = 1 }")
    assert result.returncode == 1
    assert "supplements.daily names prenatl" in result.stderr and "prenatal" in result.stderr


# --- plans ----------------------------------------------------------------------------------

@pytest.mark.plans
@pytest.mark.parametrize("preset", PRESETS)
def test_two_days_of_every_preset_meet_every_need_and_limit(preset: str) -> None:
    data = plan_json(preset, 2)
    assert broken_rules(data, preset) == []
    assert all(row["met"] for row in data["nutrients"])


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_week_meets_every_need_and_limit(preset: str) -> None:
    data = plan_json(preset, 7)
    assert broken_rules(data, preset) == []


@pytest.mark.plans
def test_pregnancy_has_no_liver_and_takes_the_prenatal_daily() -> None:
    data = plan_json("pregnancy", 2)
    names = [i["name"].lower() for o in data["occasions"] for i in o["items"]]
    assert not [n for n in names if "liver" in n or "pate" in n]
    prenatal = [s for s in data["supplements"] if s["id"] == "prenatal"]
    assert sorted(s["day"] for s in prenatal) == [1, 2]
    assert any("Iodine" in note for note in data["notes"])


@pytest.mark.plans
def test_post_rygb_drinks_and_supplements_follow_the_pack() -> None:
    data = plan_json("post-rygb", 2)
    foods = load_foods()
    for occasion in (o for o in data["occasions"] if o["kind"] == "drink"):
        food = [i for i in occasion["items"] if i["kind"] == "food"]
        assert sum(i["grams"] for i in food) <= 250 + 1e-6
        assert not {int(foods.loc[i["id"], "wweia_category"]) for i in food} & {
            7102, 7202, 7802, 7204, 7206}
    by_window: dict[tuple[int, int], set[str]] = {}
    for tablet in data["supplements"]:
        by_window.setdefault((tablet["day"], tablet["window"]), set()).add(tablet["id"])
        assert tablet["why"]
    multis = [s for s in data["supplements"] if s["id"] == "multivitamin-mineral"]
    assert len(multis) == 4
    for taken in by_window.values():
        assert not ("calcium-citrate-500" in taken and taken & {"multivitamin-mineral",
                                                                "iron-27", "iron-65"})


@pytest.mark.plans
def test_elderly_protein_per_main_meal() -> None:
    data = plan_json("elderly", 2)
    for occasion in data["occasions"]:
        if occasion["name"] in ("lunch", "dinner"):
            assert sum(i["protein_g"] for i in occasion["items"]) >= 25 - 1e-6


def test_unmet_need_is_diagnosed_by_name() -> None:
    result = run_cli("plan", "vegan", "--days", "1", "--set", "supplements.allowed=false",
                     "--set", 'b12.supplements="none"', "--set", "nutrients.vit_d_ug_min=40")
    assert result.returncode == 3
    assert "vitamin D: the closest plan reaches about" in result.stderr
    assert "supplements.allowed=true" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.plans
def test_terminal_view_fits_100_columns_without_breaking_words() -> None:
    from planner.render import plan_table

    data = plan_json("post-rygb", 2)
    text = plan_table(data)
    assert max(len(line) for line in text.splitlines()) <= 100
    words = " ".join(text.split())
    for tablet in data["supplements"]:
        assert " ".join(tablet["why"].split()) in words


@pytest.mark.plans
def test_the_week_has_a_supplement_regimen_one_can_keep() -> None:
    """The same tablets every day, or (when that costs more than 2 %) each product's
    tablets a day differing by at most one; one B12 product, the same every day."""
    data = plan_json("post-rygb", 2)
    per_day = pd.DataFrame(data["supplements"]).groupby(["id", "day"])["units"].sum() \
        .unstack(fill_value=0)
    assert ((per_day.max(axis=1) - per_day.min(axis=1)) <= 1).all()
    b12_only = per_day[per_day.index.str.startswith("b12-")]
    assert len(b12_only) == 1 and (b12_only.to_numpy() == 1).all()


@pytest.mark.plans
def test_budget_diagnosis_is_per_week_like_the_rule() -> None:
    result = run_cli("plan", "--days", "2", "--set", "budget.max_per_week=5")
    assert result.returncode == 3
    assert "a week, more than budget.max_per_week = 5" in result.stderr
    assert "per week" not in result.stderr.split("budget:")[0]
    assert "no week can cost less than" in result.stderr
    causes = result.stderr.split("no plan satisfies every rule.", 1)[1].strip().splitlines()
    assert len(causes) == 1 and causes[0].startswith("budget:")


