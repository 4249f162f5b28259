"""Text cells (text.py): cleaning, formula escaping, tables that fit a width, wrapping,
CSV and JSON text. Pure functions: no plan is made here."""

from __future__ import annotations

import csv
import io
import json

import pytest

from planner.text import clean, csv_text, json_text, safe_cell, shorten, text_table, wrapped

HOSTILE = ["\x1b[31mred\x1b[0m", "bell\x07", "cr\rlf\n", "rtl\u202eevil", "zero\u200bwidth",
           "osc\x1b]0;title\x07"]


@pytest.mark.parametrize("text", HOSTILE)
def test_clean_leaves_no_control_or_hidden_character(text: str) -> None:
    cleaned = clean(text)
    assert all(ch.isprintable() for ch in cleaned), repr(cleaned)
    assert len(cleaned) == len(text)   # each replaced by a space, nothing dropped


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2", "@x", "  =HYPERLINK(1)",
                                  "\uff1dcmd"])
def test_formula_like_cells_are_escaped_and_read_back_as_text(cell: str) -> None:
    assert str(safe_cell(cell)).startswith("'")
    text = csv_text([{"name": cell}], ["name"])
    read = next(csv.DictReader(io.StringIO(text)))["name"]
    assert read.startswith("'") and read[1:] == clean(cell)


def test_numbers_are_not_escaped_and_nan_is_empty() -> None:
    text = csv_text([{"a": -2.5, "b": float("nan")}], ["a", "b"])
    assert text.splitlines()[1] == "-2.5,"


@pytest.mark.parametrize("width", [40, 60, 100])
def test_a_table_fits_its_width_by_shrinking_then_dropping(width: int) -> None:
    rows = [{"name": "Cereal (Kellogg's Frosted Flakes) with milk " * 3, "note": "x" * 80,
             "grams": 59.0, "cost": 0.4} for _ in range(3)]
    table = text_table(rows, ["name", "note", "grams", "cost"], width=width,
                       shrink=["name", "note"], drop=["note"])
    assert max(len(line) for line in table.splitlines()) <= width
    assert "grams" in table.splitlines()[0]


def test_shorten_marks_a_cut() -> None:
    assert shorten("abcdef", 10) == "abcdef"
    assert shorten("abcdefghij", 5) == "abcd…" and len(shorten("abcdefghij", 5)) == 5


def test_wrapped_lines_fit_and_keep_comment_and_list_indent() -> None:
    text = "# " + "word " * 40 + "\n- " + "item " * 40
    lines = wrapped(text, 50).splitlines()
    assert max(map(len, lines)) <= 50
    comment = [line for line in lines if line.startswith("#")]
    assert len(comment) > 1      # every continuation of the comment stays a comment
    assert any(line.startswith("    item") for line in lines)


def test_json_text_writes_hidden_characters_as_escapes_and_nan_as_null() -> None:
    text = json_text({"name": "a\u202eb", "value": float("nan"), "n": [1, 2.5]})
    assert "\u202e" not in text and "\\u202e" in text
    assert json.loads(text) == {"name": "a\u202eb", "value": None, "n": [1, 2.5]}
