"""Property-based tests: loaders and importers either return a checked table or raise a
PlannerError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.config import load_config
from planner.errors import ConfigError, DataError
from planner.foods import load_foods
from planner.supplements import load_supplements

from .conftest import ROOT

HEADER = (ROOT / "foods.csv").read_text(encoding="utf-8").splitlines()[0]
GOOD_ROW = (ROOT / "foods.csv").read_text(encoding="utf-8").splitlines()[1]

cell = st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True).map(str),
                 st.integers(-10**12, 10**12).map(str), st.sampled_from(["", "true", "-0"]))


def _write(content: bytes | str, suffix: str) -> Path:
    with tempfile.NamedTemporaryFile(delete=False, suffix=suffix) as handle:
        handle.write(content.encode("utf-8", "surrogatepass") if isinstance(content, str)
                     else content)
    return Path(handle.name)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_foods_loader_never_crashes_on_bytes(content: bytes) -> None:
    path = _write(content, ".csv")
    try:
        load_foods(path)
    except DataError:
        pass
    finally:
        path.unlink()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, GOOD_ROW.count(",")), cell)
def test_foods_loader_checks_any_single_cell(position: int, value: str) -> None:
    cells = GOOD_ROW.split(",")
    cells[position] = '"' + value.replace('"', '""') + '"'
    path = _write(HEADER + "\n" + ",".join(cells) + "\n", ".csv")
    try:
        table = load_foods(path)
        assert len(table) == 1
        assert (table["b12_added_ug"] <= table["b12_ug"]).all()
    except DataError as exc:
        assert str(path) in str(exc)
    finally:
        path.unlink()


@settings(max_examples=100)
@given(st.lists(st.tuples(st.sampled_from(["x", "10", "-5", "nan", "oral", "", "1e400"]),
                          st.integers(0, 5)), max_size=8))
def test_supplement_loader_never_crashes(cells: list[tuple[str, int]]) -> None:
    row = ["b12-x", "X", "10", "oral", "30", "5", "tablet", "none"]
    for value, position in cells:
        row[position] = value
    path = _write("id,name,b12_ug_per_unit,route,units_per_pack,price_per_pack,form,"
                  "animal_sources\n" + ",".join(row) + "\n", ".csv")
    try:
        table = load_supplements(path)
        assert (table["b12_ug_per_unit"] > 0).all()
    except DataError:
        pass
    finally:
        path.unlink()


toml_value = st.recursive(
    st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, width=32), st.booleans(),
              st.text(alphabet="abcdefghijklmnop-_ ", max_size=8)),
    lambda inner: st.lists(inner, max_size=3), max_leaves=6)
keys = st.sampled_from(["plan.days", "plan.cost_weight", "plan.mip_gap", "diet.pattern",
                        "diet.exclude_flags", "nutrients.energy_kcal", "b12.profile",
                        "b12.target_absorbed_ug", "meals.meal_repeats_max",
                        "absorption.k_ug", "occasions.lunch.time", "budget.max_per_week",
                        "plan.dayz", "b12.injection_every_days"])


def _toml(value: object) -> str:
    import tomli_w

    return tomli_w.dumps({"v": value})[4:].strip()


@settings(max_examples=150)
@given(st.lists(st.tuples(keys, toml_value), max_size=4))
def test_config_loader_never_crashes(items: list[tuple[str, object]]) -> None:
    overrides = [f"{k}={_toml(v)}" for k, v in items]
    try:
        config = load_config(ROOT / "constraints" / "omnivore.toml", overrides)
        assert 1 <= config.plan.days <= 28
    except ConfigError:
        pass


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_pantry_loader_never_crashes(content: bytes) -> None:
    from planner.shopping import load_pantry

    path = _write(content, ".csv")
    try:
        pantry = load_pantry(path)
        assert all(v >= 0 for v in pantry.values())
    except DataError:
        pass
    finally:
        path.unlink()


plan_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**9), st.floats(allow_nan=False),
              st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(
                                ["schema_version", "meta", "occasions", "windows", "days",
                                 "totals", "items", "id", "kind", "grams", "units"]), inner,
                                max_size=6)),
    max_leaves=12)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(plan_json)
def test_plan_loader_never_crashes(value: object) -> None:
    import json

    from planner.saved import load_plan_json

    path = _write(json.dumps(value), ".json")
    try:
        load_plan_json(path)
    except DataError as exc:
        assert str(path) in str(exc)
    finally:
        path.unlink()


def _excerpt(name: str, lines: int) -> list[str]:
    return (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()[:lines]


IMPORTS = {"usda-sr28": _excerpt("sr28_excerpt.csv", 6),
           "ciqual": _excerpt("ciqual_excerpt.csv", 6),
           "portions": _excerpt("sr28_portions_excerpt.csv", 6)}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(IMPORTS)), st.integers(1, 5), st.integers(0, 12), cell)
def test_national_importers_check_any_single_cell(kind: str, line: int, position: int,
                                                  value: str) -> None:
    import csv
    import io

    from planner.national import import_table

    rows = list(csv.reader(io.StringIO("\n".join(IMPORTS[kind]))))
    rows[line][position % len(rows[line])] = value
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "source.csv", Path(folder) / "imported.csv"
        with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
        table_path, portions = path, None
        if kind == "portions":
            table_path, portions = Path(folder) / "sr28.csv", path
            table_path.write_text("\n".join(IMPORTS["usda-sr28"]) + "\n", encoding="utf-8")
        try:
            table, _report = import_table("ciqual" if kind == "ciqual" else "usda-sr28",
                                          table_path, portions)
            if len(table):
                out.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
                assert len(load_foods(out)) == len(table)
        except DataError as exc:
            assert str(path) in str(exc)
