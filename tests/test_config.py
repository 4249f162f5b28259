"""Constraint files: shipped presets, extends, overrides and every class of bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from planner.config import check_ids, dump_toml, load_config, reference_markdown, warnings
from planner.errors import ConfigError
from planner.schema import AbsorptionSection, Config

from .conftest import CONSTRAINTS, ROOT

SHIPPED = sorted(p.name for p in CONSTRAINTS.glob("*.toml"))


def test_all_presets_shipped() -> None:
    assert set(SHIPPED) == {
        "absorption.toml", "base.toml", "omnivore.toml", "pescatarian.toml",
        "lacto-ovo-vegetarian.toml", "lacto-vegetarian.toml", "vegan.toml", "post-rygb.toml",
        "elderly.toml", "pregnancy.toml", "lactation.toml"}


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_loads(name: str) -> None:
    config = load_config(CONSTRAINTS / name)
    assert config.occasions and config.files[-1].endswith(name)


def test_absorption_file_equals_schema_defaults() -> None:
    assert load_config(CONSTRAINTS / "absorption.toml").absorption == AbsorptionSection()


def test_post_rygb_values() -> None:
    config = load_config(CONSTRAINTS / "post-rygb.toml")
    meals = [o for o in config.occasions if o.kind == "meal"]
    assert [o.max_solids_g for o in meals] == [240, 240, 240]
    assert all(o.max_liquids_ml == 0 and o.max_sugars_g == 4 for o in meals)
    assert config.nutrients.protein_g_min == 60 and config.nutrients.fluids_ml_min == 1500
    assert config.b12.profile == "rygb" and config.b12.supplements == "required"
    assert config.target_ug() == pytest.approx(2.0)
    assert config.plan.drink_gap_min == 30


def test_default_is_omnivore() -> None:
    assert load_config().diet.pattern == "omnivore"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_is_relative_and_merges(tmp_path: Path) -> None:
    _write(tmp_path, "parent.toml", '[plan]\ndays = 3\n[b12]\nprofile = "elderly"\n')
    child = _write(tmp_path, "child.toml", 'extends = "parent.toml"\n[plan]\ncost_weight = '
                   '2.5\n')
    config = load_config(child)
    assert (config.plan.days, config.plan.cost_weight, config.b12.profile) == (
        3, 2.5, "elderly")


def test_extends_shipped_preset_by_name(tmp_path: Path) -> None:
    child = _write(tmp_path, "mine.toml", 'extends = "vegan.toml"\n[plan]\ndays = 2\n')
    config = load_config(child)
    assert config.diet.pattern == "vegan" and config.plan.days == 2


def test_overrides_are_typed() -> None:
    config = load_config(CONSTRAINTS / "vegan.toml", [
        "b12.supplements=none", "diet.fortified=false", "plan.days=5",
        "nutrients.energy_kcal=[1500, 2000]", "occasions.lunch.max_solids_g=300",
        "diet.exclude=[\"tofu-firm\"]"])
    assert config.b12.supplements == "none" and config.diet.fortified is False
    assert config.plan.days == 5 and config.nutrients.energy_kcal == (1500, 2000)
    assert [o.max_solids_g for o in config.occasions if o.name == "lunch"] == [300]
    assert config.diet.exclude == ("tofu-firm",)


BAD_FILES = [
    ("[plan]\ndays = 0\n", "[plan] days = 0: must be between 1 and 28"),
    ("[plan]\ndayz = 7\n", "unknown key 'dayz' (did you mean 'days'?)"),
    ("[plann]\ndays = 7\n", "unknown key 'plann' (did you mean 'plan'?)"),
    ('[diet]\npattern = "keto"\n', "must be one of omnivore, pescatarian"),
    ('[diet]\nexclude_flags = ["nuts"]\n', "has nuts; allowed: meat, fish"),
    ("[nutrients]\nenergy_kcal = [2400, 1800]\n", "minimum <= maximum"),
    ("[nutrients]\nprotein_g_min = nan\n", "must be between 0 and 500"),
    ("[nutrients]\nprotein_g_min = inf\n", "must be between 0 and 500"),
    ('[nutrients]\nprotein_g_min = "lots"\n', "must be a number"),
    ("[b12]\ntarget_absorbed_ug = 1e300\n", "must be between 0 and 50"),
    ("[variety]\ngroup_uses_per_week = { diary = [3, 5] }\n", "did you mean 'dairy'"),
    ("[variety]\ngroup_servings_per_day = { dairy = [3, 5] }\n",
     "key 'group_servings_per_day' was removed: meals are whole meals now"),
    ('[diet]\nreference = "mine.csv"\n', "name the meals you eat now in [meals] own"),
    ('[plan]\nobjective = "cost"\n', "key 'objective' was removed"),
    ('[[occasions]]\nname = "a"\ntime = "08:00"\nrequire_groups = [["egg"]]\n',
     "key 'require_groups' was removed"),
    ("[plan]\ndays = 7\n[plan.extra]\nx = 1\n", "unknown key 'extra'"),
    ('[[occasions]]\nname = "a"\ntime = "25:00"\n', 'must be a time of day like "08:00"'),
    ('[[occasions]]\nname = "a"\ntime = "12:00"\n[[occasions]]\nname = "b"\ntime = "08:00"\n',
     "occasions must be in time order"),
    ('[[occasions]]\nname = "a"\ntime = "08:00"\n[[occasions]]\nname = "a"\ntime = "09:00"\n',
     "occasion name(s) a used twice"),
    ('[plan]\ndrink_gap_min = 30\n[[occasions]]\nname = "breakfast"\ntime = "08:00"\n'
     '[[occasions]]\nname = "tea"\ntime = "08:15"\nkind = "drink"\n',
     "less than 30 min from meal 'breakfast'"),
    ("[plan\ndays = 7\n", "invalid TOML"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ('extends = 3\n', "must be a file name"),
    ('[b12]\ntarget_period = "week"\ndaily_floor_ug = 5\n', "daily_floor_ug (5) is above"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_extends_cycle(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    _write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ConfigError, match=r"`extends` cycle: a.toml -> b.toml -> a.toml"):
        load_config(tmp_path / "a.toml")


def test_extends_cannot_leave_the_folder(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    _write(tmp_path, "outside.toml", "")
    child = _write(tmp_path / "inner", "child.toml", 'extends = "../outside.toml"\n')
    with pytest.raises(ConfigError, match="leaves the constraints folder"):
        load_config(child)


def test_extends_missing_and_file_errors(tmp_path: Path) -> None:
    child = _write(tmp_path, "child.toml", 'extends = "nope.toml"\n')
    with pytest.raises(ConfigError, match=r"nope\.toml.*not found"):
        load_config(child)
    with pytest.raises(ConfigError, match="constraint file not found"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "latin.toml").write_bytes(b"# \xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path / "latin.toml")


@pytest.mark.parametrize(("item", "message"), [
    ("plan.days", "expected KEY=VALUE"),
    ("days=3", "KEY must be section.key"),
    ("plna.days=3", "did you mean 'plan'"),
    ("occasions.brunch.max_solids_g=3", "no occasion 'brunch'"),
    ("b12.supplements=sometimes", "must be one of none, allowed, required"),
    ("plan.days=3.5", "must be a whole number"),
])
def test_bad_override(item: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(CONSTRAINTS / "omnivore.toml", [item])
    assert message in str(info.value)


def test_override_error_names_the_override() -> None:
    with pytest.raises(ConfigError, match=r"--set b12\.supplements=sometimes"):
        load_config(CONSTRAINTS / "omnivore.toml", ["b12.supplements=sometimes"])


def test_check_ids_names_unknown_food() -> None:
    config = load_config(CONSTRAINTS / "omnivore.toml", ['diet.include=["beef-livr"]'])
    with pytest.raises(ConfigError, match=r"did you mean 'beef-liver'"):
        check_ids(config, {"beef-liver"}, {"b12-10"})
    config = load_config(CONSTRAINTS / "omnivore.toml", ['b12.supplement_products=["b12-11"]'])
    with pytest.raises(ConfigError, match=r"b12\.supplement_products names b12-11"):
        check_ids(config, {"beef-liver"}, {"b12-10"})


def test_dump_round_trip(tmp_path: Path) -> None:
    config = load_config(CONSTRAINTS / "post-rygb.toml")
    path = _write(tmp_path, "resolved.toml", dump_toml(config))
    again = load_config(path)
    assert dataclasses.replace(again, files=()) == dataclasses.replace(config, files=())


def test_warnings_name_conflicts() -> None:
    config = load_config(CONSTRAINTS / "vegan.toml",
                         ["b12.supplements=none", "diet.fortified=false"])
    assert any("cannot be met" in w for w in warnings(config))
    assert warnings(Config()) == []


def test_readme_documents_every_key() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert reference_markdown() in readme
