"""Shared fixtures: paths of the project's files and a small in-memory food table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

# No timing-dependent test in the default run: hypothesis's 200 ms deadline per example
# fails on a busy 2-core machine although nothing is wrong.
settings.register_profile("planner", deadline=None)
settings.load_profile("planner")

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def foods() -> pd.DataFrame:
    from planner.foods import load_foods

    return load_foods(ROOT / "foods.csv")


@pytest.fixture
def good_foods_text() -> str:
    """The first rows of the shipped table, as CSV text, to break in tests."""
    lines = (ROOT / "foods.csv").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[:6]) + "\n"
