"""The hostile-input corpus: every broken file exits 1, names the file and the place, prints
no traceback and leaves no output file behind (tests/data/bad/EXPECTED.csv lists them)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import cli

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
CORPUS = list(csv.DictReader((BAD / "EXPECTED.csv").open(encoding="utf-8")))


def command(kind: str, path: Path, out: Path) -> list[str]:
    if kind == "foods":
        return ["plan", "--foods", str(path), "--days", "1", "-o", str(out)]
    if kind == "supplements":
        return ["plan", "--supplements", str(path), "--days", "1", "-o", str(out)]
    if kind == "constraints":
        return ["plan", str(path), "-o", str(out)]
    if kind == "pantry":
        return ["shop", str(DATA / "plan_small.json"), "--pantry", str(path), "-o", str(out)]
    return ["shop", str(path), "-o", str(out)]


def test_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 40
    assert {row["kind"] for row in CORPUS} == {"foods", "supplements", "constraints", "pantry",
                                               "plan"}
    listed = {row["file"] for row in CORPUS}
    assert listed <= {p.name for p in BAD.iterdir()}


@pytest.mark.parametrize("case", CORPUS, ids=[c["file"] for c in CORPUS])
def test_bad_input(case: dict[str, str], tmp_path: Path) -> None:
    path = BAD / case["file"]
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(cli, command(case["kind"], path, out))
    assert result.exit_code == 1, result.output
    assert case["message"] in result.stderr
    assert path.name in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


def test_million_row_table_is_refused(tmp_path: Path) -> None:
    header = (DATA.parent.parent / "foods.csv").read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header[0] + "\n")
        for i in range(250_000):
            handle.write(f"f{i}," + header[1].split(",", 1)[1] + "\n")
    result = CliRunner().invoke(cli, ["foods", "check", str(path)])
    assert result.exit_code == 1 and "the limit is" in result.stderr
    assert str(path) in result.stderr
