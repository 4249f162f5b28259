"""The LP relaxation by column generation: same optimum as the whole LP, a valid bound."""

from __future__ import annotations

import pytest

from planner import relaxation
from planner.config import load_config
from planner.foods import load_foods
from planner.model import build_model
from planner.relaxation import LARGE_SLOTS, seed_slots, solve_relaxation
from planner.supplements import load_supplements

FREE = ('plan.meal_structure="free"',)  # column generation prices slots without templates


@pytest.mark.parametrize("overrides", [('plan.objective="cost"', *FREE),
                                       ('plan.objective="deviation"', *FREE),
                                       ('plan.objective="cost"', "b12.target_period=week",
                                        *FREE)])
def test_priced_relaxation_matches_the_whole_lp(monkeypatch: pytest.MonkeyPatch,
                                                overrides: tuple[str, ...]) -> None:
    config = load_config(None, list(overrides))
    model = build_model(load_foods(), load_supplements(), config, relaxed=True)
    whole = model.lp.solve("highs", 60, 0.0, mip=False)
    monkeypatch.setattr(relaxation, "LARGE_SLOTS", 0)
    priced = solve_relaxation(model, "highs", 60)
    assert whole.status == priced.status == "optimal"
    assert whole.objective is not None and priced.objective is not None
    bound = priced.best_bound()
    assert bound is not None and bound <= whole.objective + 1e-7
    assert priced.objective >= whole.objective - 1e-7
    assert priced.objective - bound <= max(1e-7, 1e-3 * abs(priced.objective))


def test_seed_keeps_a_few_foods_per_group_and_occasion() -> None:
    config = load_config(None, ["plan.days=1"])
    model = build_model(load_foods(), load_supplements(), config, relaxed=True)
    mask = seed_slots(model.slots, 1)
    seeded = model.slots[mask]
    per_group = seeded.groupby(["occasion", "group"]).size()
    assert per_group.max() <= 4 and per_group.min() >= 1
    assert len(per_group) == len(model.slots.groupby(["occasion", "group"]))


def test_small_models_are_solved_whole() -> None:
    config = load_config(None, ["plan.days=1"])
    foods = load_foods()
    model = build_model(foods.iloc[::8], load_supplements(), config, relaxed=True)
    assert len(model.slots) <= LARGE_SLOTS
    solution = solve_relaxation(model, "highs", 60)
    assert solution.status == "optimal" and solution.bound is None
    assert solution.best_bound() == solution.objective
