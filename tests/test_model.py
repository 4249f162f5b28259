"""Toy models solved and checked against known optima; the spreading case; verification."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.config import load_config
from planner.errors import PlannerError
from planner.foods import load_foods
from planner.model import build_model
from planner.plan import Plan, verify
from planner.solve import InfeasibleError, make_plan, run
from planner.supplements import load_supplements

HEADER = ("id,name,group,meat,fish,shellfish,egg,dairy,honey,gelatin,energy_kcal,protein_g,"
          "fat_g,carbohydrate_g,sugars_g,fiber_g,b12_ug,b12_added_ug,serving_g,serving_label,"
          "min_servings,max_servings,liquid,occasions,price_per_kg,package_g,aisle")
OCC = "lunch;dinner;breakfast"
TOY_FOODS = [
    f"rice,Rice,grain,0,0,0,0,0,0,0,100,0,0,22,0,0,0,0,100,1 bowl,1,3,0,{OCC},1,1000,grains",
    f"beans,Beans,legume,0,0,0,0,0,0,0,150,8,1,20,0,5,0,0,100,1 bowl,1,3,0,{OCC},2,1000,grains",
    f"steak,Steak,meat,1,0,0,0,0,0,0,200,20,10,0,0,0,1,0,100,1 steak,1,3,0,{OCC},10,500,meat",
    f"soy-drink,Soy drink,fortified,0,0,0,0,0,0,0,40,3,2,2,2,0,0.8,0.8,100,1 glass,1,3,1,"
    f"{OCC};drink,3,1000,dairy",
]
CONFIG = """
[plan]
objective = "cost"
days = 1
time_limit_s = 20
mip_gap = 0.0001
[[occasions]]
name = "lunch"
time = "12:30"
[nutrients]
adequacy = false
energy_kcal = [400, 600]
protein_g_min = 10
[variety]
group_servings_per_day = {}
max_foods_per_occasion = 4
[b12]
target_absorbed_ug = 0
supplements = "none"
"""
SPREAD = """
[plan]
days = 1
time_limit_s = 20
mip_gap = 0.0001
[[occasions]]
name = "breakfast"
time = "08:00"
[[occasions]]
name = "lunch"
time = "13:00"
[[occasions]]
name = "dinner"
time = "19:00"
[nutrients]
adequacy = false
energy_kcal = [300, 3000]
protein_g_min = 0
[b12]
target_absorbed_ug = 1.3
supplements = "none"
[diet]
fortified = false
"""


def toy(tmp_path: Path, config_text: str, rows: list[str] = TOY_FOODS,
        overrides: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    foods_path = tmp_path / "foods.csv"
    foods_path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    config_path = tmp_path / "toy.toml"
    config_path.write_text(config_text)
    return load_foods(foods_path), load_supplements(), load_config(config_path, overrides)


def test_known_optimum(tmp_path: Path) -> None:
    """Protein >= 10 g needs two bowls of beans (16 g, 300 kcal); energy >= 400 one rice."""
    foods, supplements, config = toy(tmp_path, CONFIG)
    plan = make_plan(foods, supplements, config)
    servings = dict(zip(plan.food_items["food"], plan.food_items["servings"], strict=True))
    assert servings == {"beans": 2, "rice": 1}
    assert plan.totals()["cost"] == pytest.approx(0.5)
    assert plan.meta["status"] == "optimal"


def test_lp_relaxation_bounds_the_integer_plan(tmp_path: Path) -> None:
    foods, supplements, config = toy(tmp_path, CONFIG)
    relaxed = build_model(foods, supplements, config, relaxed=True)
    result = run(relaxed, "highs", 10, 0.0, mip=False)
    assert result.status == "optimal" and result.objective is not None
    assert result.objective <= 0.5 + 1e-6


def test_spreading_is_found(tmp_path: Path) -> None:
    """3 ug of meat B12 in one meal absorbs 0.92 ug (< 1.3); one serving per meal 1.52."""
    foods, supplements, config = toy(tmp_path, SPREAD)
    plan = make_plan(foods, supplements, config)
    steak = plan.food_items[plan.food_items["food"] == "steak"]
    assert sorted(steak["occasion"]) == ["breakfast", "dinner", "lunch"]
    windows = plan.windows()
    assert (windows["absorbed_ug"] > 0.4).all()
    assert plan.days()["absorbed_b12_ug"].iloc[0] >= 1.3


def test_one_window_cannot_reach_the_target(tmp_path: Path) -> None:
    foods, supplements, config = toy(tmp_path, SPREAD, overrides=("absorption.tau_h=24",))
    with pytest.raises(InfeasibleError) as info:
        make_plan(foods, supplements, config)
    message = str(info.value)
    assert "absorbed B12" in message and "target 1.30" in message
    assert info.value.exit_code == 3


def test_verification_catches_a_broken_plan(tmp_path: Path) -> None:
    foods, supplements, config = toy(tmp_path, SPREAD)
    plan = make_plan(foods, supplements, config)
    broken = Plan(config=plan.config, foods=plan.foods, supplements=plan.supplements,
                  food_items=plan.food_items[plan.food_items["occasion"] != "dinner"],
                  supplement_items=plan.supplement_items)
    assert any("absorbed B12" in p for p in verify(broken))
    more = plan.food_items.assign(servings=plan.food_items["servings"] + 5)
    tampered = Plan(config=plan.config, foods=plan.foods, supplements=plan.supplements,
                    food_items=more, supplement_items=plan.supplement_items)
    problems = verify(tampered)
    assert any("outside" in p for p in problems)


def test_week_respects_days_per_food(tmp_path: Path) -> None:
    foods, supplements, config = toy(tmp_path, SPREAD, overrides=(
        "plan.days=7", "variety.max_days_per_food_per_week=5",
        "b12.target_absorbed_ug=0.3", "diet.fortified=true"))
    plan = make_plan(foods, supplements, config)
    counted = plan.food_items.groupby("food")["day"].nunique()
    assert (counted <= 5).all()
    assert verify(plan) == []


def test_variety_conflict_is_diagnosed(tmp_path: Path) -> None:
    """Steak is the only B12 source but may appear on 5 of 7 days."""
    foods, supplements, config = toy(tmp_path, SPREAD, overrides=(
        "plan.days=7", "variety.max_days_per_food_per_week=5", "b12.target_absorbed_ug=0.3"))
    with pytest.raises(InfeasibleError, match="max_days_per_food_per_week"):
        make_plan(foods, supplements, config)


def test_unreachable_energy_is_diagnosed(tmp_path: Path) -> None:
    foods, supplements, config = toy(tmp_path, CONFIG, overrides=(
        "nutrients.energy_kcal=[5000, 6000]",))
    with pytest.raises(InfeasibleError, match=r"the least energy per day \[energy_min\]"):
        make_plan(foods, supplements, config)


def test_errors_are_planner_errors() -> None:
    assert issubclass(InfeasibleError, PlannerError)


def test_deviation_objective_counts_extra_servings(tmp_path: Path) -> None:
    """One serving of each food is typical; the toy needs 2 beans + 1 rice, or 1+1+... ."""
    foods, supplements, config = toy(tmp_path, CONFIG, overrides=(
        'plan.objective="deviation"',))
    plan = make_plan(foods, supplements, config)
    extra = int((plan.food_items["servings"] - 1).sum())
    assert plan.meta["objective"] == pytest.approx(extra + 0.001 * plan.totals()["cost"],
                                                   abs=1e-6)
    assert (plan.food_items["servings"] >= 1).all()


def test_every_rule_family_has_plain_words(tmp_path: Path) -> None:
    """Issue 14: what `explain` and `sweep` show of a rule is in words, for every family the
    model builds (weekly, elastic, supplements, portion limits, templates)."""
    from planner.vocabulary import RULE_WORDS, rule_words

    foods = load_foods()
    supplements = load_supplements()
    families: set[str] = set()
    for preset in ("omnivore", "post-rygb", "pregnancy"):
        config = load_config(preset, ["plan.days=2", "budget.max_per_week=100",
                                      'diet.include=["milk-reduced-fat-2"]'])
        for elastic in (False, True):
            model = build_model(foods, supplements, config, relaxed=True, elastic=elastic)
            families |= set(model.lp.row_families()) | set(model.slacks)
    assert families - set(RULE_WORDS) == set()
    assert rule_words("use_max") == "a food's largest usual portion"
    assert rule_words("new_rule") == "new rule"
