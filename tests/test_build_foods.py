"""foods.csv is exactly what scripts/build_foods.py makes from the source tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SHARED_DATA


@pytest.mark.skipif(not (SHARED_DATA / "fndds" / "fndds1920_ingredients.csv").exists(),
                    reason="../shared/data is not present")
def test_foods_csv_equals_its_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "foods.csv"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_foods.py"), "--data", str(SHARED_DATA),
         "--out", str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == (ROOT / "foods.csv").read_text(encoding="utf-8")


def test_packaged_files_are_the_top_level_files() -> None:
    from planner import resources

    assert resources.default_foods().read_bytes() == (ROOT / "foods.csv").read_bytes()
    assert resources.default_supplements().read_bytes() == (
        ROOT / "supplements.csv").read_bytes()
    shipped = {p.name for p in resources.constraints_dir().glob("*.toml")}
    assert shipped == {p.name for p in (ROOT / "constraints").glob("*.toml")}


@pytest.mark.plans
@pytest.mark.skipif(not (SHARED_DATA / "fndds" / "fndds1920_ingredients.csv").exists(),
                    reason="../shared/data is not present")
def test_a_table_without_the_library_plans_composed_meals_and_says_so(tmp_path: Path) -> None:
    import json

    small = tmp_path / "foods.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_foods.py"), "--data",
                    str(SHARED_DATA), "--out", str(small), "--without-library"], check=True,
                   capture_output=True)
    out = tmp_path / "week.json"
    result = subprocess.run([sys.executable, "-m", "planner", "plan", "--days", "1", "--foods",
                             str(small), "--quiet", "--format", "json", "-o", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    kinds = {o["meal"]["kind"] for o in data["occasions"] if "meal" in o}
    assert "composed" in kinds
    assert any("composed from the food table's foods" in n for n in data["notes"])
