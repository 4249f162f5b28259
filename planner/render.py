"""Rendering tables and records as text, CSV or JSON (pure functions returning strings)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from .pattern import pattern_line
from .vocabulary import CONTROL_CHARACTERS, GLASS_ML

# Every writer cleans text first: control characters (CR, LF, ESC, BEL ...; the ANSI and
# OSC sequences of terminals start with them), bidirectional overrides and zero-width marks
# become a space. Then each format escapes its own markup.
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HIDDEN = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
MARKDOWN = re.compile(r"([\\`*_\[\]<>|~!])")


def clean(text: Any) -> str:
    """Text with control, bidirectional and zero-width characters replaced by spaces."""
    return CONTROL_CHARACTERS.sub(" ", str(text))


def safe_cell(value: Any) -> Any:
    """A text cell cleaned, and escaped (a leading ') when a spreadsheet would read it as a
    formula, even after leading spaces or with a full-width sign."""
    if isinstance(value, str):
        value = clean(value)
        if value.lstrip().startswith(FORMULA_START):
            return "'" + value
    return value


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


def terminal_width() -> int:
    """The width terminal views fit: ``COLUMNS`` when set to a number, else 100."""
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) >= 40 else 100


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


def text_table(rows: Sequence[dict[str, Any]], columns: Sequence[str],
               headers: Sequence[str] | None = None, width: int | None = None,
               shrink: Sequence[str] = (), drop: Sequence[str] = (), least: int = 24) -> str:
    """Fixed-width text table; numbers right-aligned. Given ``width``, the columns named in
    ``shrink`` are shortened (to ``least`` characters at least) and then those in ``drop``
    left out, in that order, until every line fits; the last resort shortens to 12."""
    named = dict(zip(columns, headers or columns, strict=True))
    cells = {c: [_format(row.get(c, "")) for row in rows] for c in columns}
    numeric = {c: rows != [] and all(isinstance(row.get(c), int | float)
                                     and not isinstance(row.get(c), bool) for row in rows)
               for c in columns}
    full = {c: max([len(named[c]), *map(len, cells[c])]) for c in columns}
    shown, widths = list(columns), dict(full)
    for dropped in range(len(drop) + 2 if width else 0):
        shown = [c for c in columns if c not in drop[:dropped]]
        widths = _shrunk({c: full[c] for c in shown}, [c for c in shrink if c in shown],
                         width or 0, least if dropped <= len(drop) else 12)
        if sum(widths.values()) + 2 * (len(shown) - 1) <= (width or 0):
            break

    def line(values: Sequence[str]) -> str:
        return "  ".join(shorten(v, widths[c]).rjust(widths[c]) if numeric[c]
                         else shorten(v, widths[c]).ljust(widths[c])
                         for v, c in zip(values, shown, strict=True)).rstrip()
    out = [line([named[c] for c in shown]), line(["-" * widths[c] for c in shown])]
    out += [line([cells[c][i] for c in shown]) for i in range(len(rows))]
    return "\n".join(out) + "\n"


def _shrunk(widths: dict[str, int], shrink: list[str], width: int,
            least: int) -> dict[str, int]:
    """Column widths with the shrinkable ones cut, widest first, until the line fits."""
    widths = dict(widths)
    excess = sum(widths.values()) + 2 * (len(widths) - 1) - width
    while excess > 0:
        room = [c for c in shrink if widths[c] > least]
        if not room:
            break
        widest = max(room, key=lambda c: widths[c])
        second = max([widths[c] for c in room if c != widest] + [least])
        cut = min(excess, widths[widest] - second) or 1
        widths[widest] -= cut
        excess -= cut
    return widths


def wrapped(text: str, width: int) -> str:
    """Lines longer than ``width`` wrapped at words; continuation lines keep a comment's
    ``#`` and indent under a list item or heading."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        lead = re.match(r"#\s*|\s*(?:- \[ \] |[-*] |\d+\. )?", line)
        prefix = lead.group() if lead else ""
        indent = ("#" + " " * (len(prefix) + 1) if prefix.startswith("#")
                  else " " * len(prefix) + "  ")
        out.append(textwrap.fill(line, width, subsequent_indent=indent,
                                 break_long_words=True, break_on_hyphens=False))
    return "\n".join(out)


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV with formula-like cells escaped."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: safe_cell(_csv_value(row.get(c))) for c in columns})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def json_text(data: Any) -> str:
    """Stable, indented JSON (NaN becomes null); characters that hide or reorder text
    (C1 controls, bidirectional overrides, zero-width marks) are written as \\uXXXX escapes,
    so the data stays the same and a viewer shows them."""
    text = json.dumps(_json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)
    return HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value


# --- plans (rendered from the plan's JSON data, so saved plans render the same) ------------

PLAN_CSV_COLUMNS = ["day", "occasion", "time", "window", "id", "kind", "name", "servings",
                    "units", "household", "grams", "b12_food_bound_ug", "b12_crystalline_ug",
                    "energy_kcal", "protein_g", "cost"]


def plan_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per item of a plan: the long table behind CSV."""
    rows = []
    for occasion in data["occasions"]:
        meal = meal_words(occasion)
        for item in occasion["items"]:
            rows.append({"day": occasion["day"], "occasion": occasion["name"],
                         "time": occasion["time"], "window": occasion["window"],
                         "meal": meal if item["kind"] == "food" else "", **item})
    return rows


def meal_words(occasion: dict[str, Any]) -> str:
    """The library meal of an occasion in words: its name (with "adapted: ..." or "without
    its drinks" when so), how often people ate it, its id; a composed meal, its role set."""
    meal = occasion.get("meal")
    if not isinstance(meal, dict):
        return ""
    if str(meal.get("id", "")).startswith("drink:"):
        return f"a drink (reported {meal.get('seen', 0)} times in NHANES 2007-12)"
    if meal.get("kind") == "leftover":
        return f"{meal.get('name', '')} [{meal.get('id', '')}]"
    if meal.get("kind") == "own":
        return f"your own meal {meal.get('name', '')} [{meal.get('id', '')}]"
    if meal.get("kind") == "composed":
        shape = str(meal.get("id", "")).split(":")[1:2] or [""]
        return (f"{meal.get('name', '')} - composed as {shape[0]}, a meal shape people eat "
                "here (NHANES 2007-12), not a meal seen as such")
    return (f"{meal.get('name', '')} - eaten this way {meal.get('seen', 0)} times in NHANES "
            f"2007-12 [{meal.get('id', '')}]")


def plan_csv(data: dict[str, Any]) -> str:
    """The long table; plans of library meals also name each item's meal."""
    meals = any(meal_words(o) for o in data["occasions"])
    return csv_text(plan_rows(data), PLAN_CSV_COLUMNS[:4] + ["meal"] * meals
                    + PLAN_CSV_COLUMNS[4:])


def status_words(meta: dict[str, Any]) -> str:
    """How good the plan is in plain words (JSON keeps ``status``, ``bound``, ``mip_gap``):
    "proven within 0.8% of the best week", or "best week found; a better one may exist, by
    at most 12.0%", said to have stopped at the time limit when the clock ended the search."""
    status, gap = meta.get("status"), meta.get("mip_gap")
    if status not in ("optimal", "feasible", "time_limit"):
        return f"status {clean(str(status))}"
    search = meta["search"] if isinstance(meta.get("search"), dict) else {}
    constraints = meta["constraints"] if isinstance(meta.get("constraints"), dict) else {}
    plan = constraints.get("plan")
    limit = plan.get("stop_after_s") if isinstance(plan, dict) else None
    stopped = ""
    if search.get("stopped") == "deadline" or status == "time_limit":
        stopped = (f"stopped at the time limit of {limit:g} s; "
                   if isinstance(limit, float | int) and limit else "stopped at the time limit; ")
    if not isinstance(gap, float | int) or isinstance(gap, bool):
        return stopped + ("plan found" if status != "optimal" else "best plan found")
    if status == "optimal":
        return stopped + ("best week possible" if gap <= 1e-9 else
                          f"proven within {gap:.1%} of the best week")
    return stopped + f"best week found; a better one may exist, by at most {gap:.1%}"


def week_line(data: dict[str, Any]) -> str:
    """The plan in one line: absorbed B12 against the target, the lowest day, the cost."""
    days, totals = data["days"], data["totals"]
    if not days:
        return "No days."
    low = min(days, key=lambda d: d["absorbed_b12_ug"])
    target = low["target_b12_ug"]
    return (f"In short: absorbed B12 {totals['absorbed_b12_ug_per_day_mean']:.2f} ug a day on "
            f"average (target {target:.2f}, lowest {low['absorbed_b12_ug']:.2f} on day "
            f"{low['day']}); {len(days)} day(s) for {_cost(totals)}; every rule checked.")


def plan_table(data: dict[str, Any]) -> str:
    """The terminal view: each day by occasion, B12 per window against the cap, totals."""
    meta, constraints = data["meta"], data["meta"]["constraints"]
    nutrients = constraints["nutrients"]
    totals = data["totals"]
    head = (f"b12-planner {meta.get('planner_version', '')}: {len(data['days'])}-day plan, "
            f"{constraints['diet']['pattern']}, profile {constraints['b12']['profile']}; "
            f"{status_words(meta)}; cost {_cost(totals)}")
    out = [head, week_line(data), *([packages_line(totals)] if "packages_cost" in totals
                                     else []),
           *([pattern_line(data["food_pattern"])] if data.get("food_pattern") else []),
           meta.get("disclaimer", ""), ""]
    windows = {(w["day"], w["window"]): w for w in data["windows"]}
    days = {d["day"]: d for d in data["days"]}
    for day in sorted(days):
        out.append(f"Day {day}")
        for occasion in (o for o in data["occasions"] if o["day"] == day):
            foods = [i for i in occasion["items"] if i["kind"] == "food"]
            eaten = (f": {sum(i['energy_kcal'] for i in foods):.0f} kcal, "
                     f"{sum(i['protein_g'] for i in foods):.0f} g protein") if foods else ""
            out.append(f"  {clean(occasion['time'])} {clean(occasion['name'])}{eaten}")
            if meal_words(occasion):
                out += _wrap(f"meal: {clean(meal_words(occasion))}", "    ", "      ")
            if not occasion["items"]:
                out.append("    -")
            if occasion.get("plain_water_ml"):
                out.append(f"    plain water: {glasses(occasion['plain_water_ml'])}")
            for item in occasion["items"]:
                if item["kind"] == "supplement":
                    b12 = item["b12_crystalline_ug"]
                    out += _cells([(clean(item["name"]), 60), (f"{item['units']} unit(s)", 12)],
                                  f"  B12 {b12:g} ug" if b12 else "")
                    if item.get("why"):
                        out.append(f"      why: {clean(item['why'])}")
                    continue
                b12 = item["b12_food_bound_ug"] + item["b12_crystalline_ug"]
                out += _cells([(clean(item["name"]), 40), (clean(item["household"]), 28),
                               (f"{item['grams']:.0f} g", 7)],
                              f"  B12 {b12:.2f} ug" if b12 else "")
        for (w_day, _number), window in sorted(windows.items()):
            if w_day != day:
                continue
            fasting = "; taken fasting" if window["passive"] == "fasting" else ""
            out.append(f"  B12 at {clean(', '.join(window['occasions']))}: "
                       f"{window['absorbed_ug']:.2f} ug absorbed of {window['x_ug']:.2f} ug "
                       f"(at most {window['if_cap_ug']:.2f} ug by intrinsic factor{fasting})")
        d = days[day]
        lo, hi = nutrients["energy_kcal"]
        out.append(f"  Day {day} totals: absorbed B12 {d['absorbed_b12_ug']:.2f} ug "
                   f"(target {d['target_b12_ug']:.2f}); energy {d['energy_kcal']:.0f} kcal "
                   f"({lo:g}-{hi:g}); protein {d['protein_g']:.1f} g"
                   f"{_need_text(data, 'protein_g', 'min')}; sugars {d['sugars_g']:.1f} g; "
                   f"drinks {d['fluids_ml']:.0f} ml (min {nutrients['fluids_ml_min']:g})"
                   f"{_water_text(d)}; cost {d['cost']:.2f}")
        out.append("")
    out.append(f"Week: absorbed B12 {totals['absorbed_b12_ug_per_day_mean']:.2f} ug/day on "
               f"average; cost {totals['cost']:.2f} {totals['currency']}")
    out += nutrient_lines(data)
    lines: list[str] = []
    for line in out:
        indent = line[:len(line) - len(line.lstrip())]
        lines += _wrap(line, indent, indent + "    ") if len(line) > TERMINAL_WIDTH else [line]
    return "\n".join(lines) + "\n"


def _cells(cells: list[tuple[str, int]], tail: str) -> list[str]:
    """One item as columns of these widths, each cell wrapped between words within its
    column (no word cut), ``tail`` after the last column of the first line."""
    columns = [textwrap.wrap(text, width, break_long_words=True) or [""]
               for text, width in cells]
    lines = []
    for row in range(max(len(c) for c in columns)):
        parts = []
        for (_, width), column in zip(cells, columns, strict=True):
            text = column[row] if row < len(column) else ""
            parts.append(text.rjust(width) if width <= 7 else text.ljust(width))
        lines.append(("    " + " ".join(parts) + (tail if row == 0 else "")).rstrip())
    return lines


def _wrap(text: str, first: str, rest: str) -> list[str]:
    """Lines of at most TERMINAL_WIDTH columns, broken between words."""
    return textwrap.wrap(text.strip(), TERMINAL_WIDTH, initial_indent=first,
                         subsequent_indent=rest, break_long_words=False,
                         break_on_hyphens=False) or [""]


TERMINAL_WIDTH = 100


def glasses(ml: float) -> str:
    """Plain water in glasses of 250 ml, to the quarter: ``1 1/2 glasses (375 ml)``."""
    quarters = max(1, round(ml / (GLASS_ML / 4)))
    whole, part = divmod(quarters, 4)
    fraction = {0: "", 1: "1/4", 2: "1/2", 3: "3/4"}[part]
    count = f"{whole} {fraction}".strip() if whole else fraction
    about = "" if abs(quarters * GLASS_ML / 4 - ml) < 1 else "about "
    return f"{about}{count} glass{'' if quarters <= 4 else 'es'} ({ml:.0f} ml)"


def _water_text(day: dict[str, Any]) -> str:
    if "total_water_ml" not in day:
        return ""
    return (f" ({day['plain_water_ml']:.0f} ml plain water); total water with food "
            f"{day['total_water_ml']:.0f} ml")


def _cost(totals: dict[str, Any]) -> str:
    """'14.53 USD', or what is known when foods of the plan have no price."""
    unpriced = totals.get("unpriced_items", 0)
    if not unpriced:
        return f"{totals['cost']:.2f} {totals['currency']}"
    return (f"{totals['cost']:.2f} {totals['currency']} for the priced foods; "
            f"{unpriced} food item(s) have no price in the table")


def packages_line(totals: dict[str, Any]) -> str:
    """What the shop costs beside what the plan eats (the cost above)."""
    currency = totals["currency"]
    return (f"Shopping: whole packages for this plan cost {totals['packages_cost']:.2f} "
            f"{currency}, about {totals['leftover_value']:.2f} {currency} of it left for "
            "next week (planner shop lists them).")


def _need_text(data: dict[str, Any], nutrient: str, side: str) -> str:
    """' (min 52)' for a nutrient's need in the plan, or ''."""
    for row in data.get("nutrients", []):
        if row["nutrient"] == nutrient and row["kind"] == ("need" if side == "min" else "limit"):
            return f" ({side} {row['value']:g})"
    return ""


def _amount(value: float, unit: str) -> str:
    if unit == "of energy":
        return f"{value * 100:.1f} %"
    number = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{number} {unit}"


def nutrient_lines(data: dict[str, Any], bullet: str = "  ") -> list[str]:
    """The week's nutrients against the person's needs and limits (one line per nutrient),
    then the notes."""
    rows = data.get("nutrients", [])
    out = []
    if rows:
        out += ["", "Nutrients, mean per day (every day is checked against need and limit):"]
    lines: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for row in rows:
        lines.setdefault((row["label"], row["scope"] == "supplements"), []).append(row)
    for (label, tablets_only), group in lines.items():
        first = group[0]
        unit = first["unit"]
        rules = [("need " if r["kind"] == "need" else "limit ") + _amount(r["value"], unit)
                 for r in group]
        amount = "from supplements " + _amount(first["mean"], unit) if tablets_only \
            else _amount(first["mean"], unit)
        tablets = first.get("from_supplements_mean", 0.0)
        extra = f" ({_amount(tablets, unit)} from supplements)" \
            if tablets and not tablets_only else ""
        span = f"; days {_amount(first['lowest'], unit)} to {_amount(first['highest'], unit)}" \
            if first["lowest"] != first["highest"] else ""
        mark = "ok" if all(r["met"] for r in group) else "NOT MET"
        out.append(f"{bullet}{clean(label)}: {amount}{extra}, {', '.join(rules)}{span}: {mark}")
    notes = data.get("notes", [])
    if notes:
        out += ["", "Notes:"] + [f"{bullet}{clean(note)}" for note in notes]
    return out


def _md(text: str) -> str:
    """Markdown-safe text: one line, no HTML, links, emphasis, code or table markup, no
    formula start."""
    text = MARKDOWN.sub(r"\\\1", clean(text))
    return "\\" + text if text.lstrip().startswith(FORMULA_START) else text


def plan_markdown(data: dict[str, Any]) -> str:
    """A readable weekly view: a section per day, windows and totals, the disclaimer once."""
    meta, constraints, totals = data["meta"], data["meta"]["constraints"], data["totals"]
    nutrients = constraints["nutrients"]
    out = [f"# B12 plan: {len(data['days'])} days, {constraints['diet']['pattern']} "
           f"(profile {constraints['b12']['profile']})", "",
           f"> {meta.get('disclaimer', '')}", "",
           f"{_md(status_words(meta)).capitalize()}. Cost {totals['cost']:.2f} "
           f"{totals['currency']}. Absorbed B12 "
           f"{totals['absorbed_b12_ug_per_day_mean']:.2f} µg/day on average.", ""]
    if "packages_cost" in totals:
        out += [_md(packages_line(totals)), ""]
    if data.get("food_pattern"):
        out += [_md(pattern_line(data["food_pattern"])), ""]
    windows = data["windows"]
    for day in data["days"]:
        number = day["day"]
        out += [f"## Day {number}", ""]
        for occasion in (o for o in data["occasions"] if o["day"] == number):
            out.append(f"### {occasion['time']} {_md(occasion['name'])} "
                       f"(window {occasion['window']})")
            out.append("")
            if meal_words(occasion):
                out += [f"*{_md(meal_words(occasion))}*", ""]
            if occasion.get("plain_water_ml"):
                out.append(f"- plain water: {glasses(occasion['plain_water_ml'])}")
            if not occasion["items"] and not occasion.get("plain_water_ml"):
                out.append("- nothing")
            for item in occasion["items"]:
                if item["kind"] == "supplement":
                    b12 = item["b12_crystalline_ug"]
                    out.append(f"- {_md(item['name'])}: {item['units']} unit(s)"
                               + (f", {b12:g} µg B12" if b12 else "")
                               + (f" (why: {_md(item['why'])})" if item.get("why") else ""))
                else:
                    b12 = item["b12_food_bound_ug"] + item["b12_crystalline_ug"]
                    out.append(f"- {_md(item['name'])}: {_md(item['household'])} "
                               f"({item['grams']:.0f} g)" + (f", {b12:.2f} µg B12" if b12 else ""))
            out.append("")
        out.append("B12 per window:")
        out.append("")
        for window in (w for w in windows if w["day"] == number):
            out.append(f"- {_md(', '.join(window['occasions']))}: "
                       f"{window['absorbed_ug']:.2f} µg absorbed of {window['x_ug']:.2f} µg "
                       f"(at most {window['if_cap_ug']:.2f} µg by intrinsic factor)")
        lo, hi = nutrients["energy_kcal"]
        out += ["", f"Totals: absorbed B12 **{day['absorbed_b12_ug']:.2f} µg** (target "
                f"{day['target_b12_ug']:.2f}); energy {day['energy_kcal']:.0f} kcal "
                f"({lo:g}–{hi:g}); protein {day['protein_g']:.1f} g"
                f"{_need_text(data, 'protein_g', 'min')}; sugars {day['sugars_g']:.1f} g; "
                f"drinks {day['fluids_ml']:.0f} ml{_water_text(day)}; cost {day['cost']:.2f}",
                ""]
    for line in nutrient_lines(data, bullet="- "):
        out.append("- " + _md(line[2:]) if line.startswith("- ") else _md(line) if line
                   else line)
    return "\n".join(out) + "\n"


def _ics_escape(text: str) -> str:
    """TEXT value (RFC 5545 3.3.11): lines as \\n, every other control character a space."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    return "\\n".join(clean(line).replace("\\", "\\\\").replace(";", "\\;")
                       .replace(",", "\\,") for line in lines)


def _ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not parts else 74
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def plan_ics(data: dict[str, Any], start: str, stamp: str) -> str:
    """One VEVENT per occasion with something to eat, drink or take, from the start date
    (YYYY-MM-DD); stamp is DTSTAMP (UTC). Tablets are named in the summary; UIDs carry the
    date, so a week planned from another start does not overwrite this one."""
    import datetime as dt
    import hashlib

    first = dt.date.fromisoformat(start)
    digest = hashlib.sha256(json_text(data["occasions"]).encode()).hexdigest()[:12]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//b12-planner//plan//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALDESC:{_ics_escape(data['meta'].get('disclaimer', ''))}"]
    for occasion in data["occasions"]:
        if not occasion["items"]:
            continue
        day = first + dt.timedelta(days=occasion["day"] - 1)
        hours, minutes = (int(x) for x in occasion["time"].split(":"))
        begin = dt.datetime(day.year, day.month, day.day, hours, minutes)
        foods = [f"{i['name']}: {i.get('household') or str(i.get('units')) + ' unit(s)'}"
                 for i in occasion["items"]]
        tablets = [str(i["name"]) for i in occasion["items"] if i["kind"] == "supplement"]
        summary = f"{occasion['name']} (B12 window {occasion['window']})" + (
            f" + take {', '.join(tablets)}" if tablets else "")
        if meal_words(occasion):
            foods.insert(0, meal_words(occasion))
        name = re.sub(r"[^A-Za-z0-9-]", "-", str(occasion["name"]))
        lines += ["BEGIN:VEVENT",
                  f"UID:{digest}-{day:%Y%m%d}-d{occasion['day']}-{name}@b12-planner",
                  f"DTSTAMP:{stamp}",
                  f"DTSTART:{begin:%Y%m%dT%H%M%S}",
                  "DURATION:PT30M",
                  f"SUMMARY:{_ics_escape(summary)}",
                  f"DESCRIPTION:{_ics_escape(chr(10).join(foods))}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


def _svg_chart(data: dict[str, Any]) -> str:
    """Inline SVG: absorbed B12 per meal window (bars) against the intrinsic-factor cap
    (dashed line), per day, with labelled axes in µg."""
    windows = data["windows"]
    if not windows:
        return ""
    cap = max(w["if_cap_ug"] for w in windows) or 1.0
    top = max(cap, *(w["absorbed_ug"] for w in windows)) * 1.1
    per_day = max(w["window"] for w in windows)
    bar, gap, height, left, base = 14, 10, 120, 48, 10
    width = max(len(data["days"]) * (per_day * bar + gap) + left + 10, 360)
    floor = base + height
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{floor + 40}" '
             f'viewBox="0 0 {width} {floor + 40}" role="img" '
             f'aria-label="absorbed B12 per meal window and day, in micrograms, against the '
             f'intrinsic-factor cap">',
             f'<line x1="{left - 4}" x2="{left - 4}" y1="{base}" y2="{floor}" stroke="#444"/>',
             f'<line x1="{left - 4}" x2="{width - 5}" y1="{floor}" y2="{floor}" '
             'stroke="#444"/>',
             f'<text x="10" y="{base + height / 2:.0f}" font-size="10" text-anchor="middle" '
             f'transform="rotate(-90 10 {base + height / 2:.0f})">absorbed B12 (µg)</text>']
    for tick in _ticks(top):
        y = floor - tick / top * height
        parts.append(f'<line x1="{left - 8}" x2="{left - 4}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#444"/><text x="{left - 10}" y="{y + 3:.1f}" font-size="9" '
                     f'text-anchor="end">{tick:g}</text>')
    for w in windows:
        x = left + (w["day"] - 1) * (per_day * bar + gap) + (w["window"] - 1) * bar
        h = w["absorbed_ug"] / top * height
        parts.append(f'<rect x="{x}" y="{floor - h:.1f}" width="{bar - 2}" height="{h:.1f}" '
                     f'fill="#3b7dd8"><title>day {w["day"]} window {w["window"]}: '
                     f'{w["absorbed_ug"]:.2f} µg</title></rect>')
    y = floor - cap / top * height
    parts.append(f'<line x1="{left - 4}" x2="{width - 5}" y1="{y:.1f}" y2="{y:.1f}" '
                 f'stroke="#c0392b" stroke-dasharray="4 3"/><text x="{width - 5}" '
                 f'y="{y - 3:.1f}" text-anchor="end" font-size="10">intrinsic-factor cap '
                 f'{cap:.2f} µg per window</text>')
    for day in data["days"]:
        x = left + (day["day"] - 1) * (per_day * bar + gap)
        parts.append(f'<text x="{x}" y="{floor + 14}" font-size="10">{day["day"]}</text>')
    parts.append(f'<text x="{left + (width - left) / 2:.0f}" y="{floor + 32}" font-size="10" '
                 'text-anchor="middle">day (one bar per meal window)</text></svg>')
    return "".join(parts)


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 to below ``top``: 3 to 6 of them."""
    step = 10 ** math.floor(math.log10(top / 2)) if top > 0 else 1.0
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 5:
            step *= factor
            break
    return [round(i * step, 6) for i in range(int(top / step) + 1)]


def _week_grids(data: dict[str, Any]) -> str:
    """Per week of the plan, one table: a column per day, a row per occasion (the meal, and
    tablets to take), then rows of the day's absorbed B12, energy and cost (plain water and
    portions: the day detail)."""
    from html import escape

    names = list(dict.fromkeys(clean(o["name"]) for o in data["occasions"]))
    times = {clean(o["name"]): clean(o.get("time") or "") for o in data["occasions"]}
    cells: dict[tuple[int, str], str] = {}
    for occasion in data["occasions"]:
        foods = [clean(i["name"]) for i in occasion["items"] if i.get("kind") != "supplement"]
        meal = occasion.get("meal") or {}
        text = clean(meal.get("name") or " + ".join(foods))
        tablets = [clean(i["name"]) for i in occasion["items"] if i.get("kind") == "supplement"]
        parts = [escape(shorten(text, 60))] if text else []
        parts += [f'<span class="take">+ {escape(shorten(t, 22))}</span>' for t in tablets]
        cells[(int(occasion["day"]), clean(occasion["name"]))] = "<br>".join(parts)
    currency = escape(clean(data["totals"].get("currency") or "")) or "cost"
    out = []
    for first in range(0, len(data["days"]), 7):
        week = data["days"][first:first + 7]
        numbers = [int(day["day"]) for day in week]
        share = 88 / len(week)
        columns = '<col style="width:12%">' + f'<col style="width:{share:.2f}%">' * len(week)
        head = "".join(f"<th>Day {n}</th>" for n in numbers)
        rows = [f"<tr><th>{escape(times[n])} {escape(n)}</th>"
                + "".join(f"<td>{cells.get((d, n), '')}</td>" for d in numbers) + "</tr>"
                for n in names]
        for label, key, form in (("B12 absorbed (µg)", "absorbed_b12_ug", "{:.2f}"),
                                 ("energy (kcal)", "energy_kcal", "{:,.0f}"),
                                 (f"cost ({currency})", "cost", "{:.2f}")):
            rows.append(f'<tr class="total"><th>{label}</th>' + "".join(
                f'<td class="num">{form.format(float(day[key]))}</td>' for day in week)
                + "</tr>")
        title = (f"Days {numbers[0]}-{numbers[-1]}" if len(data["days"]) > 7
                 else "The week at a glance")
        out.append(f'<section class="grid-page"><h2>{title}</h2><table class="grid">'
                   f"<colgroup>{columns}</colgroup><thead><tr><th></th>{head}</tr></thead>"
                   f"<tbody>{''.join(rows)}</tbody></table></section>")
    return "\n".join(out)


def _shopping_html(data: dict[str, Any]) -> str:
    """What the plan eats in all, per food and tablet (packages: `planner shop`)."""
    from html import escape

    grams: dict[str, float] = {}
    units: dict[str, float] = {}
    for occasion in data["occasions"]:
        for item in occasion["items"]:
            name = clean(item["name"])
            if item.get("kind") == "supplement":
                units[name] = units.get(name, 0.0) + float(item.get("units") or 0)
            else:
                grams[name] = grams.get(name, 0.0) + float(item.get("grams") or 0)
    rows = [f"<li>{escape(n)}: {g:,.0f} g</li>" for n, g in sorted(grams.items())]
    rows += [f"<li>{escape(n)}: {u:g} tablet(s)</li>" for n, u in sorted(units.items())]
    return ('<section class="shopping"><h2>Shopping list</h2><p>What the plan eats in all '
            "(whole packages, pantry and aisles: <code>planner shop</code>).</p>"
            f"<ul class=\"columns\">{''.join(rows)}</ul></section>")


def plan_html(data: dict[str, Any]) -> str:
    """One self-contained, printable page (no network fetches): a one-page grid per week,
    then each day, the shopping list on its own page, and the chart."""
    from html import escape

    head: list[str] = []
    days: list[list[str]] = []
    current: list[str] | None = None
    for line in plan_markdown(data).splitlines():
        if line.startswith("## "):
            current = [f"<h2>{escape(_unmd(line[3:]))}</h2>"]
            days.append(current)
            continue
        target = head if current is None else current
        if line.startswith("# "):
            target.append(f"<h1>{escape(_unmd(line[2:]))}</h1>")
        elif line.startswith("### "):
            target.append(f"<h3>{escape(_unmd(line[4:]))}</h3>")
        elif line.startswith("> "):
            target.append(f'<p class="note">{escape(_unmd(line[2:]))}</p>')
        elif line.startswith("- "):
            target.append(f"<li>{escape(_unmd(line[2:]))}</li>")
        elif line:
            target.append(f"<p>{escape(_unmd(line))}</p>")
    detail = "\n".join(f'<section class="day">{_close_lists(chr(10).join(d))}</section>'
                       for d in days)
    style = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
             "padding:0 1em;color:#222;overflow-wrap:anywhere}"
             "h2{border-top:1px solid #ccc;padding-top:.5em}"
             "svg{max-width:100%;height:auto}.note{background:#fff8e1;padding:.5em}"
             "table.grid{border-collapse:collapse;width:100%;table-layout:fixed;"
             "font-size:.8em}table.grid th,table.grid td{border:1px solid #bbb;"
             "padding:2px 4px;vertical-align:top;text-align:left}"
             "table.grid td.num{text-align:right}.take{color:#7a3e00}"
             "tr.total th,tr.total td{background:#f4f4f4}"
             "ul.columns{columns:2 16em}"
             "@page{size:landscape;margin:12mm}"
             "@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}"
             ".grid-page{break-after:page;break-inside:avoid}"
             "table.grid{font-size:6.5pt;line-height:1.15}h1{font-size:14pt;margin:0 0 4pt}"
             "section.day{break-inside:avoid}"
             ".shopping{break-before:page}li,svg,tr{break-inside:avoid}}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>B12 plan</title><style>{style}</style></head><body>\n"
            f"{_opening(_close_lists(chr(10).join(head)), _week_grids(data))}\n{detail}\n"
            f"{_shopping_html(data)}\n"
            f"<section class=\"chart\"><h2>Absorbed B12 per meal window</h2>\n"
            f"{_svg_chart(data)}</section>\n</body></html>\n")


def _opening(head: str, grids: str) -> str:
    """The title and the disclaimer, the week's grid, then the summary lines."""
    cut = head.find("</p>", head.find('class="note"')) + len("</p>") \
        if 'class="note"' in head else len(head)
    return f"{head[:cut]}\n{grids}\n{head[cut:].lstrip()}"


def _unmd(text: str) -> str:
    """Markdown text back to plain text (for HTML, which escapes it itself)."""
    text = re.sub(r"^\*(?!\*)(.*)(?<!\*)\*$", r"\1", text)
    return re.sub(r"\\(.)", r"\1", text.replace("**", ""))


def _close_lists(text: str) -> str:
    lines, out, open_list = text.split("\n"), [], False
    for line in lines:
        is_item = line.startswith("<li>") or line.startswith("<ul><li>")
        if is_item and not open_list and not line.startswith("<ul>"):
            line = "<ul>" + line
        if line.startswith("<ul>"):
            open_list = True
        if not is_item and open_list:
            out.append("</ul>")
            open_list = False
        out.append(line)
    if open_list:
        out.append("</ul>")
    return "\n".join(out)


PLAN_FORMATS = ("table", "markdown", "csv", "json", "html", "ics")


BOLD, GREEN, RED, RESET = "\x1b[1m", "\x1b[32m", "\x1b[31m", "\x1b[0m"


def colour_wanted(stream: Any, environ: dict[str, str]) -> bool:
    """Colour for a terminal that is a TTY, unless NO_COLOR is set (no-color.org) or
    TERM is dumb."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not environ.get("NO_COLOR") \
        and environ.get("TERM", "") != "dumb"


def coloured(table: str) -> str:
    """The terminal view with day headings and the summary in bold, and each day's absorbed
    B12 green when it meets the target (red if not). Only fixed words are coloured: names
    were cleaned of escape sequences before."""
    out = []
    for line in table.split("\n"):
        if line.startswith(("Day ", "In short:")):
            line = BOLD + line + RESET
        elif line.startswith("  Day ") and " totals: absorbed B12 " in line:
            head, _, rest = line.partition("absorbed B12 ")
            amount, _, tail = rest.partition(" ug (target ")
            target = tail.partition(")")[0]
            try:
                met = float(amount) >= float(target) - 1e-9
            except ValueError:
                met = True
            line = f"{head}absorbed B12 {GREEN if met else RED}{amount} ug{RESET} (target {tail}"
        out.append(line)
    return "\n".join(out)


def render_plan(data: dict[str, Any], fmt: str, start: str = "2000-01-03",
                stamp: str = "20000101T000000Z") -> str:
    """One pure function per output format of a plan (ics uses start and stamp)."""
    if fmt == "json":
        return json_text(data)
    if fmt == "csv":
        return plan_csv(data)
    if fmt == "table":
        return plan_table(data)
    if fmt == "markdown":
        return plan_markdown(data)
    if fmt == "html":
        return plan_html(data)
    if fmt == "ics":
        return plan_ics(data, start, stamp)
    raise ValueError(f"unknown plan format {fmt!r}")


# --- shopping lists ----------------------------------------------------------------------

SHOPPING_COLUMNS = ["id", "name", "kind", "aisle", "unit", "need", "pantry", "to_buy",
                    "package_size", "packages", "leftover", "cost", "leftover_value", "foods"]


def plan_currency(data: dict[str, Any]) -> str:
    """The currency a saved plan's prices are in (its food table's)."""
    totals = data.get("totals")
    currency = totals.get("currency") if isinstance(totals, dict) else None
    return clean(currency) if isinstance(currency, str) and currency else "USD"


def render_shopping(items: list[Any], fmt: str, currency: str = "USD",
                    food_cost: float | None = None) -> str:
    """Shopping list as a markdown checklist by aisle, CSV or JSON; the packages' cost beside
    the cost of the food the plan eats (``food_cost``) and the value left over."""
    from .shopping import spending

    rows = [{c: getattr(item, c) for c in [*SHOPPING_COLUMNS, "package_label", "lasts_days"]}
            for item in items]
    spent = spending(items)
    total, unpriced = spent["packages_cost"], spent["unpriced_packages"]
    if fmt == "json":
        return json_text({"items": [{c: r[c] for c in SHOPPING_COLUMNS} for r in rows],
                          "total_cost": total, "leftover_value": spent["leftover_value"],
                          "food_cost": food_cost, "currency": currency})
    if fmt == "csv":
        return csv_text(rows, SHOPPING_COLUMNS)
    out = ["# Shopping list", ""]
    if food_cost is not None:
        out += [shopping_summary(food_cost, spent, currency), ""]
    aisle = None
    for row in rows:
        if row["aisle"] != aisle:
            aisle = row["aisle"]
            out += [f"## {_md(aisle)}", ""] if out[-1] == "" else ["", f"## {_md(aisle)}", ""]
        unit = row["unit"]
        if row["packages"]:
            lasts = f"; lasts {row['lasts_days'] / 7:.0f} weeks at this regimen" \
                if row["lasts_days"] >= 14 else ""
            price = "no price" if row["cost"] is None else f"{row['cost']:.2f} {currency}"
            out.append(f"- [ ] {row['packages']} × {_md(row['package_label'])} "
                       f"{_md(row['name'])} (need {_quantity(row['to_buy'])} {unit}; "
                       f"{_quantity(row['leftover'])} {unit} left over{lasts}) — {price}")
        else:
            out.append(f"- [x] {_md(row['name'])}: {_quantity(row['need'])} {unit} from the "
                       "pantry")
        if row["foods"]:
            out.append(f"  for {_md(row['foods'])}")
    out += ["", f"Total: {total:.2f} {currency} for the packages" + (
        f" (and {unpriced} item(s) with no price in the table)" if unpriced else "") + "."]
    if any(row["foods"] for row in rows if row["kind"] == "food"):
        out.append("Dishes are bought as their main product (eggs for an omelet); the rest of "
                   "a dish (oil, salt, a little cheese: at most a quarter of it) is not listed.")
    out.append("")
    return "\n".join(out)


def _quantity(value: float) -> str:
    """Grams, millilitres or units as a shopper reads them: whole above 10, else 1 decimal."""
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}".removesuffix(".0")


def shopping_summary(food_cost: float, spent: dict[str, Any], currency: str) -> str:
    """One sentence: the food eaten, the packages bought, what is left for next week."""
    return (f"The food this plan eats costs {food_cost:.2f} {currency}; the whole packages "
            f"to buy cost {spent['packages_cost']:.2f} {currency}, of which about "
            f"{spent['leftover_value']:.2f} {currency} is left over for next week.")


def pantry_csv(remaining: dict[str, float]) -> str:
    return csv_text([{"id": k, "quantity": v} for k, v in remaining.items()], ["id", "quantity"])
