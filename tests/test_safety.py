"""Clinical rules by life stage (planner/safety.py, planner/fluids.py): each rule binds,
can be switched off, and refuses a bad value naming its key; whole plans keep them,
re-checked here from the food table and the library's FPED values."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner.config import load_config
from planner.errors import ConfigError
from planner.fluids import STEP_ML, _day_water, water_need_ml
from planner.foods import load_foods
from planner.library import load_library
from planner.needs import targets
from planner.safety import mercury_class, resolve, unsafe_foods
from planner.supplements import allowed_products, check_daily_fits, load_supplements

from .conftest import CONSTRAINTS
from .test_adequacy import plan_json, run_cli


def config_of(preset: str | None, *overrides: str) -> Any:
    return load_config(CONSTRAINTS / f"{preset}.toml" if preset else None, list(overrides))


@pytest.mark.parametrize(("name", "expected"), [
    ("Salmon, baked or broiled, made with oil", "best"),
    ("Shrimp, steamed or boiled", "best"),
    ("Tuna salad, made with mayonnaise", "good"),        # canned: light or albacore
    ("Sea bass, steamed or poached", "good"),
    ("Swordfish, baked or broiled, fat added", "avoid"),
    ("Tuna, fresh, baked or broiled, fat added", "unknown"),   # may be bigeye
    ("Mackerel, baked or broiled, fat added", "unknown"),      # may be king mackerel
    ("Fish, NS as to type, steamed", "unknown"),
    ("Salmon and halibut skewers", "good"),                   # the worse species decides
])
def test_fish_species_by_fda_epa_list(name: str, expected: str) -> None:
    assert mercury_class(name) == expected


def _left_out(preset: str | None, *overrides: str) -> dict[str, str]:
    foods = load_foods()
    unsafe = unsafe_foods(foods, config_of(preset, *overrides))
    return {str(foods.loc[f, "name"]): reason for f, reason in unsafe.items()}


def test_pregnancy_food_safety_binds_and_can_be_switched_off() -> None:
    out = _left_out("pregnancy")
    for name in ("Queso Fresco", "Turkey, prepackaged or deli, luncheon meat",
                 "Chicken liver, fried", "Salmon, smoked", "Sushi, NFS", "Oysters, raw",
                 "Swordfish, baked or broiled, fat added"):
        assert name in out, name
    for name in ("Chicken breast, baked, broiled, or roasted, skin eaten, from raw",
                 "Salmon, baked or broiled, made with oil", "Carrots, raw",
                 "Pizza with pepperoni, from restaurant or fast food, thin crust"):
        assert name not in out, name
    off = _left_out("pregnancy", "safety.pregnancy_food_safety=false",
                    "safety.low_mercury_fish=false")
    assert off == {}
    assert _left_out("omnivore") == {}


def test_seafood_rule_by_life_stage_and_diet() -> None:
    assert resolve(config_of("pregnancy")).seafood_g_per_week == (227.0, 340.0)
    assert resolve(config_of("lactation")).seafood_g_per_week == (227.0, 340.0)
    assert resolve(config_of("omnivore")).seafood_g_per_week is None
    vegan = resolve(config_of("pregnancy", 'diet.pattern="vegan"'))
    assert vegan.seafood_g_per_week == (0.0, 340.0)     # no minimum without fish
    assert resolve(config_of("pregnancy", "safety.seafood_g_per_week=[]")) \
        .seafood_g_per_week is None
    assert resolve(config_of("pregnancy", "safety.seafood_g_per_week=[100, 200]")) \
        .seafood_g_per_week == (100.0, 200.0)


@pytest.mark.parametrize(("override", "key"), [
    ("safety.seafood_g_per_week=[400, 300]", "seafood_g_per_week"),
    ('safety.caffeine_after="25:00"', "caffeine_after"),
    ("safety.water_ml_min=-1", "water_ml_min"),
    ("safety.drinks_share_max=0", "drinks_share_max"),
    ("safety.added_sugars_g_per_occasion_max=-2", "added_sugars_g_per_occasion_max"),
    ("safety.low_mercury_fish=1", "low_mercury_fish"),
    ('safety.pregnancy_food_safety="yes"', "pregnancy_food_safety"),
    ("safety.sugary_drinks=0", "sugary_drinks"),
    ("safety.carbonated_drinks=[]", "carbonated_drinks"),
    ("b12.oral_supplement_ug=[1000, 350]", "oral_supplement_ug"),
    ("nutrients.caffeine_mg_max=-5", "caffeine_mg_max"),
])
def test_bad_rule_values_are_refused_naming_the_key(override: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        config_of("pregnancy", override)


def test_caffeine_caps_by_life_stage() -> None:
    def cap(preset: str, *overrides: str) -> float:
        return {t.key: t.value for t in targets(config_of(preset, *overrides))}[
            "caffeine_mg_max"]
    assert cap("omnivore") == 400
    assert cap("pregnancy") == 200 and cap("lactation") == 200
    assert cap("pregnancy", "nutrients.caffeine_mg_max=150") == 150
    assert "caffeine_mg_max" not in {t.key for t in targets(config_of(
        "pregnancy", 'nutrients.skip=["caffeine_mg"]'))}


def test_late_occasions_offer_no_caffeine() -> None:
    from planner.options import build_options

    foods = load_foods()
    caffeine = foods["caffeine_mg"].fillna(0.0)
    for overrides, late_caffeine in (((), False), (('safety.caffeine_after=""',), True)):
        config = config_of("elderly", *overrides)
        options = build_options(foods, load_library(), config, 3)
        parts = options.parts.assign(occasion=options.parts["option"].map(
            options.meals["occasion"]))
        late = parts[parts["occasion"].isin(["dinner", "drink-evening", "snack"])]
        most = float((late["low"] * late["food"].map(caffeine) / 100).max())
        assert (most > 10) == late_caffeine, most


def test_water_fills_to_the_need_within_caps_and_share() -> None:
    config = config_of("omnivore")
    water = _day_water(config, {"breakfast": 960.0}, 800.0)
    assert sum(water.values()) + 960 + 800 >= water_need_ml(config) - 1e-6
    drinks = sum(water.values()) + 960
    assert all(ml % STEP_ML == 0 for ml in water.values())
    assert max(water.get("breakfast", 0) + 960, *water.values()) <= 0.4 * drinks + 1e-6
    capped = config_of("post-rygb")
    water = _day_water(capped, {"drink-wake": 100.0}, 600.0)
    caps = {o.name: o.max_liquids_ml for o in capped.occasions}
    assert all(ml + (100 if name == "drink-wake" else 0) <= caps[name] + 1e-6
               for name, ml in water.items())
    assert not any(caps[name] == 0 and ml > 0 for name, ml in water.items())
    assert water_need_ml(config_of("omnivore", "safety.water_ml_min=0")) == 0
    assert water_need_ml(config_of("lactation")) == 3800


def test_supplements_suit_the_diet_and_packs_are_checked() -> None:
    table = load_supplements()
    vegan = allowed_products(table, config_of("vegan"))
    assert set(vegan["animal_sources"]) == {"none"}
    assert "vitamin-d3-25-vegan" in vegan.index and "vitamin-d3-25" not in vegan.index
    lacto = allowed_products(table, config_of("lacto-vegetarian"))
    assert not lacto["animal_sources"].str.contains("gelatin|fish").any()
    with pytest.raises(ConfigError, match="not suitable for diet 'vegan'"):
        check_daily_fits(config_of("vegan", "supplements.daily={ prenatal = 1 }"), table,
                         "vegan.toml")
    chewable = allowed_products(table, config_of("pregnancy", 'supplements.forms=["chewable"]',
                                                 'supplements.daily={}'))
    assert set(chewable["form"]) == {"chewable"}


def _items(data: dict[str, Any]) -> pd.DataFrame:
    rows = [{"day": o["day"], "occasion": o["name"], "time": o["time"], "food": i["id"],
             "grams": i["grams"]} for o in data["occasions"] for i in o["items"]
            if i["kind"] == "food"]
    return pd.DataFrame(rows)


@pytest.mark.plans
def test_pregnancy_week_keeps_fish_safety_caffeine_and_water() -> None:
    data = plan_json("pregnancy", 7)
    items, foods = _items(data), load_foods()
    fped = load_library().foods["seafood_oz"]
    code = items["food"].map(foods["fndds_code"].astype(str))
    seafood = float((code.map(fped).fillna(0) * items["grams"] / 100 * 28.35).sum())
    assert 227 - 1 <= seafood <= 340 + 1
    names = items["food"].map(foods["name"])
    assert not names.map(mercury_class)[code.map(fped).fillna(0) > 0] \
        .isin(["avoid", "unknown"]).any()
    assert not names.str.contains("Queso Fresco|luncheon|liver|smoked|Sushi", case=False).any()
    caffeine = (items["food"].map(foods["caffeine_mg"]).fillna(0) * items["grams"] / 100)
    assert caffeine.groupby(items["day"]).sum().max() <= 200 + 1e-6
    water = items["food"].map(foods["water_g"]).fillna(0) * items["grams"] / 100
    plain = pd.Series({(o["day"]): 0.0 for o in data["occasions"]})
    for occasion in data["occasions"]:
        plain[occasion["day"]] += occasion["plain_water_ml"]
    total = water.groupby(items["day"]).sum() + plain
    assert total.min() >= 3000 - 1
    assert any("seafood_g_per_week = [227, 340]" in note for note in data["notes"])
    assert any("Water: plain water" in note for note in data["notes"])


@pytest.mark.plans
def test_post_rygb_days_keep_b12_dose_drinks_sugars_and_late_caffeine() -> None:
    data = plan_json("post-rygb", 2)
    items, foods = _items(data), load_foods()
    dose = pd.DataFrame(data["supplements"]).groupby("day")["b12_ug"].sum()
    assert dose.between(350, 1000).all() and len(dose) == 2
    late = items[items["time"] >= "16:00"]
    assert (late["food"].map(foods["caffeine_mg"]).fillna(0) * late["grams"] / 100
            ).groupby([late["day"], late["occasion"]]).sum().max() <= 10 + 1e-6
    drinks = items[items["food"].map(foods["liquid"]).astype(bool)]
    assert not (drinks["food"].map(foods["added_sugars_g"]).fillna(0) > 0).any()
    assert not drinks["food"].map(foods["name"]).str.contains(
        "carbonated|soda|soft drink|cola", case=False).any()
    added = items["food"].map(foods["added_sugars_g"]).fillna(0) * items["grams"] / 100
    assert added.groupby([items["day"], items["occasion"]]).sum().max() <= 10 + 1e-6


@pytest.mark.plans
def test_a_rule_that_makes_the_week_impossible_is_named() -> None:
    result = run_cli("plan", "pregnancy", "--set", "safety.seafood_g_per_week=[3000, 3500]")
    assert result.returncode == 3, result.stderr
    assert "seafood per week (FDA/EPA advice)" in result.stderr
    assert "Traceback" not in result.stderr


def test_post_rygb_drink_rules_and_b12_dose_bind_and_switch_off() -> None:
    out = _left_out("post-rygb")
    assert "Soft drink, cola" in out and "Carbonated water, unsweetened" in out
    assert any(reason == "sugar-sweetened drink" for reason in out.values())
    assert _left_out("post-rygb", "safety.sugary_drinks=true",
                     "safety.carbonated_drinks=true") == {}
    assert resolve(config_of("post-rygb")).oral_supplement_ug == (350.0, 1000.0)
    assert resolve(config_of("post-rygb", "b12.injection_ug=1000")).oral_supplement_ug is None
    assert resolve(config_of("post-rygb")).added_sugars_g_per_occasion_max == 10
    assert resolve(config_of("omnivore")).added_sugars_g_per_occasion_max is None


@pytest.mark.plans
def test_composed_plans_keep_the_rules_too(tmp_path: Any) -> None:
    out = tmp_path / "composed.json"
    result = run_cli("plan", "post-rygb", "--days", "2", "--set", 'meals.source="composed"',
                     "--quiet", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "composed from the food table's foods" in " ".join(data["notes"])
    dose = pd.DataFrame(data["supplements"]).groupby("day")["b12_ug"].sum()
    assert dose.between(350, 1000).all() and len(dose) == 2
    items, foods = _items(data), load_foods()
    drinks = items[items["food"].map(foods["liquid"]).astype(bool)]
    assert not (drinks["food"].map(foods["added_sugars_g"]).fillna(0) > 0).any()
    assert min(d["total_water_ml"] for d in data["days"]) >= 2700 - 1


@pytest.mark.plans
def test_the_daily_caffeine_cap_holds_on_a_day_with_coffee() -> None:
    """Coffee asked for ([diet] include) and caffeine capped at 120 mg a day: a day has
    caffeine, and no day more than the cap (a test that leaves caffeine to the search's
    choice proves nothing when its week takes none)."""
    foods = load_foods()
    data = plan_json_with("pregnancy", 2, 'diet.include=["coffee-brewed"]',
                          "nutrients.caffeine_mg_max=120", "meals.search_rounds=2")
    items = _items(data)
    caffeine = items["food"].map(foods["caffeine_mg"]).fillna(0) * items["grams"] / 100
    per_day = caffeine.groupby(items["day"]).sum()
    assert "coffee-brewed" in set(items["food"])
    assert 5 < per_day.max() <= 120 + 1e-6


def plan_json_with(preset: str, days: int, *overrides: str) -> dict[str, Any]:
    """A plan of a preset with ``--set`` overrides, as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan.json"
        sets = [arg for item in overrides for arg in ("--set", item)]
        result = run_cli("plan", preset, "--days", str(days), *sets, "--quiet", "--format",
                         "json", "-o", str(out))
        assert result.returncode == 0, result.stderr
        return dict(json.loads(out.read_text(encoding="utf-8")))


def test_one_occasion_may_give_every_drink_when_the_share_is_off() -> None:
    spread = _day_water(config_of("omnivore"), {"breakfast": 1500.0}, 2500.0)
    assert sum(spread.values()) >= 1500 / 0.4 - 1500 - 1e-6   # water to dilute 1.5 L
    off = _day_water(config_of("omnivore", "safety.drinks_share_max=1"),
                     {"breakfast": 1500.0}, 2500.0)
    assert sum(off.values()) == 250          # only the 200 ml the need lacks, a glass
