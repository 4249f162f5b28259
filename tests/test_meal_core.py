"""The meal-library core (not yet behind `planner plan`): options, the day model and the week
search, checked against the food table and against brute force on a tiny instance."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.config import load_config
from planner.day import DayModel, MealRules, build_day, day_rules
from planner.errors import DataError
from planner.foods import FLAGS
from planner.leftovers import leftover_order
from planner.library import load_library
from planner.master import DayMenu, SearchError, weekly_rules
from planner.meal_week import diagnosis
from planner.needs import available_nutrients, targets
from planner.options import (
    KEEPS,
    LEFTOVER,
    Options,
    build_options,
    load_substitutions,
    restrict_to,
    with_leftovers,
)
from planner.own_meals import load_own_meals
from planner.schema import Config
from planner.search import search_week
from planner.supplements import load_supplements
from planner.vocabulary import PATTERNS
from planner.week_milp import polish


@pytest.fixture(scope="module")
def supplements() -> pd.DataFrame:
    return load_supplements(None)


def _day(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config, options: Options,
         settings: MealRules | None = None) -> DayModel:
    return build_day(foods, supplements, options, config,
                     day_rules(config, targets(config, available_nutrients(foods)), settings))


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
    assert tempeh["rarity"] == pytest.approx(rarity[tempeh.name] + 1.5)


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


def test_leftovers_follow_their_dinner_or_no_order_is_claimed() -> None:
    meals = pd.DataFrame({"option": range(6), "occasion": ["lunch", "dinner", "dinner",
                                                           "lunch", "lunch", "lunch"],
                          "key": ["L1", "D1", "D2", "leftover:D1", "leftover:D2", "L2"],
                          "kind": ["library"] * 3 + ["leftover"] * 2 + ["library"]})
    options = Options(meals, pd.DataFrame(columns=["option", "food"]))

    def day(*rows: int) -> DayMenu:
        return DayMenu(rows, (), (), 0.0, ())

    assert leftover_order([day(3, 2), day(0, 1)], options, "dinner", "lunch") == [1, 0]
    assert leftover_order([day(5, 1), day(3, 2), day(4, 1)], options, "dinner",
                          "lunch") in ([0, 1, 2], [2, 1, 0])   # each leftover after its dinner
    assert leftover_order([day(4, 1), day(3, 2)], options, "dinner", "lunch") is None  # a loop
    assert leftover_order([day(3, 1)], options, "dinner", "lunch") is None   # its own dinner


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


def test_a_solved_day_keeps_its_rules_recomputed_from_the_food_table(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    config = load_config("omnivore")
    options = build_options(foods, load_library(), config, 8)
    model = _day(foods, supplements, config, options)
    solution = model.program.solve("highs", time_limit_s=120, mip_gap=0.0)
    assert solution.status == "optimal"
    values = solution.values
    chosen = np.flatnonzero(values[model.choose] > 0.5)
    assert sorted(options.meals.loc[chosen, "occasion"]) == sorted(
        o.name for o in config.occasions)
    parts = options.parts[options.parts["option"].isin(chosen)]
    grams = parts["low"].to_numpy() + values[model.grams[parts.index]]
    assert (grams <= parts["high"].to_numpy() + 1e-6).all()
    eaten = foods.loc[parts["food"]]
    energy = float((eaten["energy_kcal"].to_numpy() * grams / 100).sum())
    low, high = config.nutrients.energy_kcal
    assert low - 1e-6 <= energy <= high + 1e-6
    sodium = float((eaten["sodium_mg"].fillna(0).to_numpy() * grams / 100).sum())
    assert sodium <= 2300 + 1e-6


TINY = MealRules(distinct_meals_min=())


def _tiny(foods: pd.DataFrame) -> tuple[Config, Options]:
    """Two days of breakfast and dinner, three meals each, one weekly need."""
    config = load_config("omnivore", ["nutrients.adequacy=false",
                                      "nutrients.protein_g_min=30",
                                      "nutrients.energy_kcal=[900, 2400]",
                                      "variety.group_uses_per_week={}",
                                      "meals.meat_poultry_meals_min=0",
                                      "meals.seafood_meals_min=0",
                                      "plan.days=2",
                                      "b12.target_absorbed_ug=0.5"])
    config = dataclasses.replace(config, occasions=tuple(
        dataclasses.replace(o, energy_share=None) for o in config.occasions
        if o.name in ("breakfast", "dinner")))
    options = build_options(foods, load_library(), config, 20)
    keep = []
    for name in ("breakfast", "dinner"):
        keep += list(options.of(name).sort_values("rarity").index[:3])
    return config, restrict_to(options, keep)


def test_the_printed_bound_is_below_every_week_brute_force_finds(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    config, options = _tiny(foods)
    model = _day(foods, supplements, config, options, TINY)
    week = search_week(foods, supplements, options, config, model)
    rules = weekly_rules(model, config, foods)
    breakfasts = list(options.of("breakfast").index)
    dinners = list(options.of("dinner").index)
    days = [tuple(sorted(pair)) for pair in itertools.product(breakfasts, dinners)]
    best = np.inf
    from planner.master import DayMenu

    for first, second in itertools.combinations(days, 2):
        menus = [DayMenu(d, (), (), 0.0, ()) for d in (first, second)]
        tuned = polish(menus, foods, supplements, options, config, model, rules)
        if tuned is not None:
            best = min(best, sum(m.cost for m in tuned))
    assert np.isfinite(best)
    assert week.bound <= best + 1e-6
    assert week.objective >= best - 1e-6
    assert week.objective == pytest.approx(best, rel=1e-6) or week.gap > 0


def test_the_same_inputs_give_the_same_week(foods: pd.DataFrame,
                                            supplements: pd.DataFrame) -> None:
    config, options = _tiny(foods)
    weeks = [search_week(foods, supplements, options, config,
                         _day(foods, supplements, config, options, TINY)) for _ in range(2)]
    assert weeks[0].menus == weeks[1].menus
    assert weeks[0].bound == weeks[1].bound


def test_an_impossible_weekly_need_is_named_with_its_shortfall(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    config, options = _tiny(foods)
    config = dataclasses.replace(config, nutrients=dataclasses.replace(
        config.nutrients, protein_g_min=400.0))
    no_floor = MealRules(distinct_meals_min=(), daily_floor_share=0.0)
    model = _day(foods, supplements, config, options, no_floor)
    with pytest.raises(SearchError, match="not even the week's mean day") as info:
        search_week(foods, supplements, options, config, model)
    text, proven = diagnosis(model, foods, config, str(info.value))
    assert proven and "protein: the closest plan reaches about" in text


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
