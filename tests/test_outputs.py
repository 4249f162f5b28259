"""Every output format against golden files; ICS RFC checks; shopping arithmetic; pantry."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.errors import DataError
from planner.foods import load_foods
from planner.saved import load_plan_json
from planner.shopping import load_pantry, remaining_pantry, shopping_list
from planner.supplements import load_supplements
from planner.text import json_text
from planner.views import render_plan, render_shopping

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
PLAN = DATA / "plan_small.json"
START, STAMP = "2026-12-07", "20261124T120000Z"
FORMATS = {"table": "txt", "markdown": "md", "html": "html", "csv": "csv", "json": "json",
           "ics": "ics"}
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_plan_format_matches_golden(fmt: str) -> None:
    data = load_plan_json(PLAN)
    golden(f"plan_small.{FORMATS[fmt]}", render_plan(data, fmt, START, STAMP))


MEALS = GOLDEN / "plan_meals.json"   # `planner plan --days 2` of library meals


def _planned(data: dict[str, Any]) -> dict[str, Any]:
    """A plan's data without what a run cannot reproduce (its wall time)."""
    data["meta"].pop("solve_seconds", None)
    return data


@pytest.mark.plans
def test_a_two_day_plan_of_library_meals_is_its_golden(tmp_path: Path) -> None:
    """Issue 31 item 4: the same command gives the same plan, byte for byte but its wall
    time, through every move of the code (UPDATE_GOLDEN=1 writes it again)."""
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["plan", "--days", "2", "--quiet", "--format", "json",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    golden("plan_meals.json", json_text(_planned(json.loads(out.read_text("utf-8")))))


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_the_views_of_a_plan_of_library_meals_match_their_goldens(fmt: str) -> None:
    data = _planned(load_plan_json(MEALS))
    golden(f"plan_meals.{FORMATS[fmt]}", render_plan(data, fmt, START, STAMP))


def test_show_command_renders_saved_plan(tmp_path: Path) -> None:
    out = tmp_path / "week.md"
    result = CliRunner().invoke(cli, ["show", str(PLAN), "--format", "markdown", "-o",
                                      str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == (GOLDEN / "plan_small.md").read_text("utf-8")


def test_ics_follows_rfc_5545() -> None:
    text = render_plan(load_plan_json(PLAN), "ics", START, STAMP)
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    logical: list[str] = []
    for line in text.split("\r\n")[:-1]:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert {"VERSION:2.0", "PRODID:-//b12-planner//plan//EN"} <= set(logical)
    events = [i for i, line in enumerate(logical) if line == "BEGIN:VEVENT"]
    occasions = load_plan_json(PLAN)["occasions"]
    assert len(events) == sum(1 for o in occasions if o["items"])
    uids = [line for line in logical if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)
    assert all("-20261207-" in u or "-202612" in u for u in uids)
    later = render_plan(load_plan_json(PLAN), "ics", "2027-01-04", STAMP)
    assert not set(uids) & {line for line in later.split("\r\n") if line.startswith("UID:")}
    taking = [o for o in occasions if any(i["kind"] == "supplement" for i in o["items"])]
    summaries = [line for line in logical if line.startswith("SUMMARY:")]
    assert sum("+ take" in line for line in summaries) == len(taking)
    for line in logical:
        name = line.split(":", 1)[0]
        if name in ("SUMMARY", "DESCRIPTION"):
            value = line.split(":", 1)[1]
            stripped = value.replace("\\\\", "").replace("\\;", "").replace("\\,", "") \
                .replace("\\n", "")
            assert not any(c in stripped for c in ";,\n"), line
    assert f"DTSTAMP:{STAMP}" in logical and "DTSTART:20261207T080000" in logical


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") or (name == "style" and value and "url(" in value):
                self.references.append(f"{name}={value}")


def test_html_is_self_contained() -> None:
    text = render_plan(load_plan_json(PLAN), "html", START, STAMP)
    parser = _Collector()
    parser.feed(text)
    assert parser.references == []
    assert "svg" in parser.tags and "h2" in parser.tags and "li" in parser.tags
    assert "url(" not in text and "@import" not in text
    assert text.count("Decision support only") == 1


def test_plot_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "plan.png"
    result = CliRunner().invoke(cli, ["show", str(PLAN), "--plot", str(png), "-o",
                                      str(tmp_path / "x.txt")])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_shopping_arithmetic() -> None:
    data = load_plan_json(PLAN)
    pantry = load_pantry(DATA / "pantry.csv")
    foods = load_foods()
    items = shopping_list(data, foods, load_supplements(), pantry)
    assert items
    for item in items:
        assert item.to_buy == pytest.approx(max(0.0, item.need - item.pantry), abs=0.01)
        if item.packages:
            assert item.packages * item.package_size >= item.to_buy - 1e-6
            assert (item.packages - 1) * item.package_size < item.to_buy
            assert item.leftover == pytest.approx(
                item.packages * item.package_size - item.to_buy, abs=0.01)
        else:
            assert item.to_buy == 0
    kinds = {i.id: i for i in items}
    assert kinds["b12-500"].unit == "unit" and kinds["b12-500"].kind == "supplement"
    assert kinds["b12-500"].pantry == 1
    remaining = remaining_pantry(items, pantry, foods)
    assert remaining["honey"] == 200
    for item in items:
        expected = item.leftover if item.packages else item.pantry - item.need
        assert remaining.get(item.id, 0.0) == pytest.approx(max(expected, 0.0), abs=0.01)


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("csv", "csv"),
                                             ("json", "json")])
def test_shopping_formats_match_golden(fmt: str, suffix: str) -> None:
    data = load_plan_json(PLAN)
    items = shopping_list(data, load_foods(), load_supplements(),
                          load_pantry(DATA / "pantry.csv"))
    golden(f"shopping_small.{suffix}", render_shopping(items, fmt, "USD",
                                                      data["totals"]["cost"]))


def test_shop_command_writes_pantry(tmp_path: Path) -> None:
    next_pantry = tmp_path / "next.csv"
    out = tmp_path / "list.json"
    result = CliRunner().invoke(cli, ["shop", str(PLAN), "--pantry", str(DATA / "pantry.csv"),
                                      "--write-pantry", str(next_pantry), "--format", "json",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    listing = json.loads(out.read_text())
    assert set(listing) == {"items", "total_cost", "leftover_value", "food_cost", "currency"}
    assert listing["total_cost"] == pytest.approx(sum(i["cost"] for i in listing["items"]))
    rows = list(csv.DictReader(io.StringIO(next_pantry.read_text())))
    assert {"id", "quantity"} == set(rows[0]) and any(r["id"] == "honey" for r in rows)
    assert all(math.isfinite(float(r["quantity"])) for r in rows)


@pytest.mark.plans
def test_plan_shopping_list_option(tmp_path: Path) -> None:
    listing = tmp_path / "shop.md"
    result = CliRunner().invoke(cli, ["plan", "--days", "2", "--quiet", "-o",
                                      str(tmp_path / "p.txt"), "--shopping-list", str(listing)])
    assert result.exit_code == 0, result.output
    assert listing.read_text().startswith("# Shopping list") and "- [ ]" in listing.read_text()


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not valid JSON"),
    ("[1, 2]", "a plan is a JSON object"),
    ('{"schema_version": 1}', "missing meta"),
    ('{"schema_version": 2, "meta": {}, "occasions": [], "windows": [], "days": [], '
     '"totals": {}}', "schema_version 2 is not supported"),
    ('{"schema_version": 1, "meta": {}, "occasions": [{"items": [{"id": "x", "kind": "food",'
     ' "grams": NaN}]}], "windows": [], "days": [], "totals": {}}', "not valid JSON"),
    ('{"schema_version": 1, "meta": {}, "occasions": [{"items": [{"id": "x", "kind": "food",'
     ' "grams": -5}]}], "windows": [], "days": [], "totals": {}}', "is not a number between"),
])
def test_bad_plan_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        load_plan_json(path)
    result = CliRunner().invoke(cli, ["shop", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(("content", "message"), [
    ("id,quantity\noats,-1\n", "'quantity' must be between 0"),
    ("id,quantity\noats,1\noats,2\n", "duplicate id"),
    ("id,qty\noats,1\n", "missing column(s) quantity"),
    ("id,quantity\nunicorn,1\n", "pantry names unicorn"),
])
def test_bad_pantry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "pantry.csv"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["shop", str(PLAN), "--pantry", str(path)])
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_formula_names_are_escaped(tmp_path: Path) -> None:
    data = load_plan_json(PLAN)
    for occasion in data["occasions"]:
        for item in occasion["items"]:
            item["name"] = "=HYPERLINK(\"x\")"
    csv_text = render_plan(data, "csv")
    assert "\"'=HYPERLINK" in csv_text
    assert ",=HYPERLINK" not in csv_text and ',"=HYPERLINK' not in csv_text
    markdown = render_plan(data, "markdown")
    assert "- \\=HYPERLINK" in markdown and "\n- =" not in markdown


@pytest.mark.slow
def test_sweep_cost_rises_with_the_target(tmp_path: Path) -> None:
    from .conftest import CONSTRAINTS

    out = tmp_path / "sweep.json"
    png = tmp_path / "sweep.png"
    args = ["sweep", str(CONSTRAINTS / "vegan.toml"), "--vary",
            "b12.target_absorbed_ug=1.0:3.0:1.0", "--days", "1", "--set", "plan.mip_gap=0.0001",
            "--format", "json", "-o",
            str(out)]
    if _has_matplotlib():
        args += ["--plot", str(png)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text())
    assert [r["b12.target_absorbed_ug"] for r in records] == [1.0, 2.0, 3.0]
    assert {"status", "cost", "absorbed_b12_ug_per_day_mean", "min_daily_margin_ug",
            "binding"} <= set(records[0])
    costs = [r["cost"] for r in records]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(costs))
    assert all(r["min_daily_margin_ug"] >= -1e-6 for r in records)
    if _has_matplotlib():
        assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.plans
def test_sweep_reports_infeasible_points() -> None:
    from .conftest import CONSTRAINTS

    result = CliRunner().invoke(cli, [
        "sweep", str(CONSTRAINTS / "vegan.toml"), "--days", "1", "--set",
        "b12.supplements=none", "--set", "diet.fortified=false", "--vary",
        "b12.target_absorbed_ug=0:1:1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["status"] != "infeasible" and rows[1]["status"] == "infeasible"
    assert "absorbed B12" in rows[1]["binding"]


@pytest.mark.plans
def test_sweep_with_no_plan_at_any_point_draws_nothing(tmp_path: Path) -> None:
    from .conftest import CONSTRAINTS

    plot = tmp_path / "sweep.png"
    result = CliRunner().invoke(cli, [
        "sweep", str(CONSTRAINTS / "vegan.toml"), "--days", "1", "--set",
        "b12.supplements=none", "--set", "diet.fortified=false", "--vary",
        "b12.target_absorbed_ug=1:2:1", "--format", "csv", "--plot", str(plot)])
    assert result.exit_code == 3 and "nothing to draw" in result.output
    assert not plot.exists()


def test_absorb_plot_shows_saturation_on_linear_axes(tmp_path: Path) -> None:
    plot = tmp_path / "absorb.png"
    result = CliRunner().invoke(cli, ["absorb", "--window", "meat:2.4", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert plot.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(("vary", "message"), [
    ("b12.target_absorbed_ug", "expected KEY=START:STOP:STEP"),
    ("b12.target_absorbed_ug=3:1:1", "STOP >= START"),
    ("b12.target_absorbd_ug=1:2:1", "did you mean 'target_absorbed_ug'"),
    ("plan.days=1:1000:1", "at most 200"),
])
def test_bad_vary(vary: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["sweep", "--vary", vary])
    assert result.exit_code == 1 and message in result.stderr


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.plans
def test_sweep_two_keys_grid() -> None:
    from .conftest import CONSTRAINTS

    result = CliRunner().invoke(cli, [
        "sweep", str(CONSTRAINTS / "vegan.toml"), "--days", "1",
        "--vary", "b12.target_absorbed_ug=1:2:1", "--vary", "nutrients.protein_g_min=50:60:10",
        "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [(r["b12.target_absorbed_ug"], r["nutrients.protein_g_min"]) for r in records] == [
        (1, 50), (1, 60), (2, 50), (2, 60)]


@pytest.mark.plans
def test_sweep_points_planned_at_once_give_the_same_records() -> None:
    """`sweep --workers 2` plans two points at once on a process pool (issue 29 item 9):
    the records are those of one worker, in grid order."""
    from .conftest import CONSTRAINTS

    args = ["sweep", str(CONSTRAINTS / "vegan.toml"), "--days", "1",
            "--vary", "b12.target_absorbed_ug=1:3:1", "--format", "json"]
    alone = CliRunner().invoke(cli, [*args, "--workers", "1"])
    pooled = CliRunner().invoke(cli, [*args, "--workers", "2"])
    assert alone.exit_code == 0 and pooled.exit_code == 0, pooled.output
    assert json.loads(pooled.stdout) == json.loads(alone.stdout)
    assert [r["b12.target_absorbed_ug"] for r in json.loads(pooled.stdout)] == [1, 2, 3]


def test_show_minimal_plan_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    path.write_text('{"schema_version": 1, "meta": {}, "occasions": [], "windows": [], '
                    '"days": [], "totals": {}}')
    result = CliRunner().invoke(cli, ["show", str(path)])
    assert result.exit_code == 1 and "made with another table" in result.stderr
    path.write_text('{"schema_version": 1, "meta": {}, "occasions": 5, "windows": [], '
                    '"days": [], "totals": {}}')
    result = CliRunner().invoke(cli, ["show", str(path)])
    assert result.exit_code == 1 and "occasions must be a JSON array" in result.stderr


@pytest.mark.parametrize(("meta", "words"), [
    ({"status": "optimal", "mip_gap": 0.0}, "best week possible"),
    ({"status": "optimal", "mip_gap": 0.031}, "proven within 3.1% of the best week"),
    ({"status": "feasible", "mip_gap": 0.374}, "best week found; a better one may exist, by at "
                                               "most 37.4%"),
    ({"status": "time_limit", "mip_gap": 0.2}, "stopped at the time limit; best week found; a "
                                               "better one may exist, by at most 20.0%"),
    ({"status": "feasible", "mip_gap": 0.1, "search": {"stopped": "deadline"},
      "constraints": {"plan": {"stop_after_s": 5.0}}},
     "stopped at the time limit of 5 s; best week found; a better one may exist, by at most "
     "10.0%"),
    ({"status": "feasible", "mip_gap": None}, "plan found"),
    ({"status": "\x1b[31mweird"}, "[31mweird"),
])
def test_status_in_plain_words(meta: dict[str, object], words: str) -> None:
    from planner.render import status_words

    assert words in status_words(meta)
    assert "\x1b" not in status_words(meta)


class _Tty:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("tty", "environ", "wanted"), [
    (True, {}, True), (True, {"NO_COLOR": "1"}, False), (False, {}, False),
    (True, {"TERM": "dumb"}, False),
])
def test_colour_only_on_a_terminal_without_no_color(tty: bool, environ: dict[str, str],
                                                     wanted: bool) -> None:
    from planner.views import colour_wanted

    assert colour_wanted(_Tty(tty), environ) is wanted


def test_colour_marks_days_and_the_b12_of_each_day() -> None:
    from planner.render import plan_table
    from planner.views import GREEN, RED, coloured

    data = json.loads(PLAN.read_text(encoding="utf-8"))
    plain = plan_table(data)
    text = coloured(plain)
    assert text.count(GREEN) == len(data["days"]) and RED not in text
    assert "\x1b[1mDay 1" in text
    low = dict(data["days"][0], absorbed_b12_ug=0.1)
    failing = coloured(plan_table(dict(data, days=[low, *data["days"][1:]])))
    assert RED + "0.10 ug" in failing
    assert coloured(plain).replace("\x1b[1m", "").replace("\x1b[32m", "").replace(
        "\x1b[0m", "") == plain
