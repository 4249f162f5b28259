"""The supplement table."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import DataError
from planner.supplements import load_supplements


def test_shipped_doses() -> None:
    table = load_supplements()
    doses = set(table["b12_ug_per_unit"])
    assert {2.5, 10, 25, 50, 100, 250, 500, 1000, 2000} <= doses
    assert table["price_source"].str.len().gt(0).all()
    assert set(table["route"]) <= {"oral", "sublingual", "chewable"}


@pytest.mark.parametrize(("row", "message"), [
    ("x,X,10,intramuscular,30,5,tablet,none", "route must be one of oral"),
    ("x,X,-1,oral,30,5,tablet,none", "'b12_ug_per_unit' must be between"),
    ("x,X,10,oral,2.5,5,tablet,none", "units_per_pack must be a whole number"),
    ("x,X,10,oral,30,nan,tablet,none", "'price_per_pack' is not a number"),
    ("x,X,10,oral,30,5,pill,none", "form must be one of tablet"),
    ("x,X,10,oral,30,5,tablet,", "animal_sources must be none or list"),
    ("x,X,10,oral,30,5,tablet,pork", "animal_sources must be none or list"),
])
def test_bad_rows(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id,name,b12_ug_per_unit,route,units_per_pack,price_per_pack,form,"
                    "animal_sources\n" + row + "\n")
    with pytest.raises(DataError) as info:
        load_supplements(path)
    assert message in str(info.value) and "line 2" in str(info.value)
