"""Every shipped constraint file gives a verified 7-day plan with the diet's properties."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
from click.testing import CliRunner

from planner.checks import verify
from planner.cli import cli
from planner.config import load_config
from planner.foods import load_foods
from planner.meal_week import make_plan
from planner.plan import Plan
from planner.supplements import load_supplements

from .conftest import CONSTRAINTS

pytestmark = pytest.mark.plans   # every test here plans a week or a day

PRESETS = sorted(p.stem for p in CONSTRAINTS.glob("*.toml"))
ANIMAL = ["meat", "fish", "shellfish", "egg", "dairy", "honey", "gelatin"]


@cache
def plan_for(preset: str) -> Plan:
    config = load_config(CONSTRAINTS / f"{preset}.toml")
    return make_plan(load_foods(), load_supplements(), config)


def used_foods(plan: Plan) -> list[str]:
    return sorted(set(plan.food_items["food"]))


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_gives_verified_week(preset: str) -> None:
    plan = plan_for(preset)
    assert verify(plan) == []
    assert sorted(set(plan.food_items["day"])) == list(range(1, 8))
    days = plan.days()
    assert (days["absorbed_b12_ug"] >= days["target_b12_ug"] - 1e-6).all()


def test_vegan_meets_target_with_crystalline_b12() -> None:
    plan = plan_for("vegan")
    foods = plan.foods.loc[used_foods(plan)]
    assert not foods[ANIMAL].any(axis=None)
    items = plan.items()
    crystalline = items.groupby("day")["b12_crystalline_ug"].sum()
    tablets = plan.supplement_items.groupby("day")["units"].sum() \
        if not plan.supplement_items.empty else crystalline * 0
    assert ((crystalline > 0) | (tablets.reindex(crystalline.index, fill_value=0) > 0)).all()


def test_vegan_without_fortified_or_supplements_exits_3() -> None:
    result = CliRunner().invoke(cli, ["plan", str(CONSTRAINTS / "vegan.toml"), "--quiet",
                                      "--set", "diet.fortified=false",
                                      "--set", "b12.supplements=none"])
    assert result.exit_code == 3
    assert "absorbed B12" in result.stderr and "target 1.50" in result.stderr
    assert "at most 0.00 ug/day" in result.stderr
    assert 'b12.supplements="allowed"' in result.stderr and "Traceback" not in result.stderr


def test_lacto_vegetarian_has_dairy_no_eggs_meat_fish() -> None:
    plan = plan_for("lacto-vegetarian")
    foods = plan.foods.loc[used_foods(plan)]
    assert foods["dairy"].any()
    assert not foods[["egg", "meat", "fish", "shellfish", "gelatin"]].any(axis=None)
    dairy = plan.items().query("group == 'dairy'").drop_duplicates(["day", "occasion"])
    assert len(dairy) >= 14   # group_uses_per_week: dairy at two occasions a day


def test_pescatarian_has_no_meat() -> None:
    plan = plan_for("pescatarian")
    assert not plan.foods.loc[used_foods(plan), ["meat", "gelatin"]].any(axis=None)


def test_post_rygb_rules() -> None:
    plan = plan_for("post-rygb")
    config = plan.config
    items = plan.items()
    meals = {o.name for o in config.occasions if o.kind == "meal"}
    in_meals = items[items["occasion"].isin(meals)]
    assert not in_meals["liquid"].any()
    solids = in_meals.groupby(["day", "occasion"])["grams"].sum()
    assert (solids <= 240 + 1e-6).all()
    drinks = [o for o in config.occasions if o.kind == "drink"]
    for drink in drinks:
        for meal in (o for o in config.occasions if o.kind == "meal"):
            assert abs(drink.minutes() - meal.minutes()) >= 30
    days = plan.days()
    assert (days["protein_g"] >= 60 - 1e-6).all()
    assert (days["absorbed_b12_ug"] >= 2.0 - 1e-6).all()
    assert sorted(set(plan.supplement_items["day"])) == list(range(1, 8))


def test_elderly_gets_crystalline_b12() -> None:
    plan = plan_for("elderly")
    assert plan.params.r_food == 0.5
    items = plan.items()
    crystalline = float(items["b12_crystalline_ug"].sum())
    tablets = 0 if plan.supplement_items.empty else int(plan.supplement_items["units"].sum())
    assert crystalline > 0 or tablets > 0


def test_days_differ() -> None:
    plan = plan_for("omnivore")
    menus = {day: frozenset(zip(part["occasion"], part["meal"], strict=True))
             for day, part in plan.food_items.groupby("day")}
    assert len(set(menus.values())) == 7


def test_plan_json_schema_and_determinism(tmp_path: object) -> None:
    args = ["plan", "--days", "2", "--format", "json", "--quiet"]
    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    def without_timing(text: str) -> str:
        return re.sub(r'"solve_seconds": [0-9.e+-]+', '"solve_seconds": 0', text)

    assert without_timing(first.stdout) == without_timing(second.stdout)  # byte for byte
    one = json.loads(first.stdout)
    assert one["schema_version"] == 1
    assert {"planner_version", "foods_sha256", "supplements_sha256", "constraints", "solver",
            "status", "mip_gap", "objective", "disclaimer"} <= set(one["meta"])
    assert one["meta"]["status"] in ("optimal", "feasible")
    assert one["meta"]["constraints"]["absorption"]["cmax_ug"] == 1.5
    occasion = one["occasions"][0]
    assert {"day", "name", "time", "kind", "window", "items"} <= set(occasion)
    item = occasion["items"][0]
    assert {"id", "kind", "servings", "grams", "b12_food_bound_ug", "b12_crystalline_ug",
            "energy_kcal", "protein_g"} <= set(item)
    assert {"day", "window", "occasions", "x_ug", "absorbed_ug", "if_cap_ug",
            "passive"} <= set(one["windows"][0])
    assert {"day", "absorbed_b12_ug", "target_b12_ug", "energy_kcal", "protein_g", "sugars_g",
            "fluids_ml", "cost"} <= set(one["days"][0])
    assert {"absorbed_b12_ug_per_day_mean", "cost", "currency"} <= set(one["totals"])


@pytest.mark.slow
def test_plan_table_and_csv() -> None:
    table = CliRunner().invoke(cli, ["plan", "--days", "1", "--quiet"])
    assert table.exit_code == 0
    assert "Day 1" in table.stdout and "B12 at breakfast: " in table.stdout
    assert "does not replace" in table.stdout and "at most 1.50 ug by intrinsic factor" in \
        table.stdout and "In short: absorbed B12" in table.stdout
    csv_out = CliRunner().invoke(cli, ["plan", "--days", "1", "--quiet", "--format", "csv"])
    header = csv_out.stdout.splitlines()[0]
    assert header.startswith("day,occasion,time,window,meal,id,kind,name,servings,units")


def test_plan_writes_file_atomically(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "week.json"
    result = CliRunner().invoke(cli, ["plan", "--days", "2", "--quiet", "--format", "json",
                                      "-o", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text())["schema_version"] == 1
    assert [p.name for p in out.parent.iterdir()] == ["week.json"]


def _explained(target: float) -> tuple[str, float]:
    result = CliRunner().invoke(cli, ["explain", str(CONSTRAINTS / "vegan.toml"),
                                      "--days", "1", "--set", "b12.supplements=none", "--set",
                                      f"b12.target_absorbed_ug={target}"])
    assert result.exit_code == 0, result.output
    bound = re.search(r"Lower bound on any week's objective: ([\d.]+)", result.stdout)
    assert bound is not None
    return result.stdout, float(bound.group(1))


def test_explain_reports_shadow_price_and_best_b12() -> None:
    text, bound = _explained(2.5)
    assert "Best achievable absorbed B12 under these rules: 3.45 ug/day" in text
    price = re.search(r"each 0\.1 ug/day more on every day would raise the week's objective by "
                      r"about ([\d.]+) USD", " ".join(text.split()))
    assert price is not None and float(price.group(1)) > 0
    below, above = _explained(2.4)[1], _explained(2.6)[1]   # the LP's value is convex
    assert bound - below - 0.01 <= float(price.group(1)) <= above - bound + 0.01
    result = CliRunner().invoke(cli, ["explain", str(CONSTRAINTS / "vegan.toml"), "--days", "1",
                                      "--set", "b12.supplements=none", "--set",
                                      "b12.target_absorbed_ug=2.5"])
    assert "Rules that bind" in result.stdout
    assert "Lower bound on any week's objective" in result.stdout
    default = CliRunner().invoke(cli, ["explain"])
    assert default.exit_code == 0
    assert "target does not bind" in default.stdout
    lines = [line for line in default.stdout.splitlines() if line.startswith("  - ")]
    assert any(re.fullmatch(r"  - vitamin D need, as the week's mean: 10 % lower, saves about "
                            r"\d+\.\d\d USD a week", line) for line in lines)
    assert any("meals with meat or poultry per week: one fewer a week, saves about" in line
               for line in lines)
    assert not re.search(r"[+-]\d+\.\d{4}", default.stdout)     # no raw dual values
    assert max(len(line) for line in default.stdout.splitlines()) <= 100


def test_explain_infeasible_exits_3() -> None:
    result = CliRunner().invoke(cli, ["explain", str(CONSTRAINTS / "vegan.toml"), "--days",
                                      "1", "--set", "diet.fortified=false", "--set",
                                      "b12.supplements=none"])
    assert result.exit_code == 3 and "at most 0.00 ug/day" in result.stdout
