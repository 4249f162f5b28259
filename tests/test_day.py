"""One day as a MILP (day.py): a solved day keeps its rules, recomputed from the food table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.config import load_config
from planner.library import load_library
from planner.options import (
    build_options,
)

from .conftest import day_model


@pytest.mark.plans
def test_a_solved_day_keeps_its_rules_recomputed_from_the_food_table(
        foods: pd.DataFrame, supplements: pd.DataFrame) -> None:
    config = load_config("omnivore")
    options = build_options(foods, load_library(), config, 8)
    model = day_model(foods, supplements, config, options)
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
