"""A plan in words: its CSV rows, the terminal table, markdown and ICS (pure functions
returning strings; the HTML week is ``html_view.py``, the dispatch by format ``views.py``)."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from .pattern import pattern_line
from .text import FORMULA_START, clean, csv_text, json_text
from .vocabulary import GLASS_ML

MARKDOWN = re.compile(r"([\\`*_\[\]<>|~!])")

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


def md_text(text: str) -> str:
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
           f"{md_text(status_words(meta)).capitalize()}. Cost {totals['cost']:.2f} "
           f"{totals['currency']}. Absorbed B12 "
           f"{totals['absorbed_b12_ug_per_day_mean']:.2f} µg/day on average.", ""]
    if "packages_cost" in totals:
        out += [md_text(packages_line(totals)), ""]
    if data.get("food_pattern"):
        out += [md_text(pattern_line(data["food_pattern"])), ""]
    windows = data["windows"]
    for day in data["days"]:
        number = day["day"]
        out += [f"## Day {number}", ""]
        for occasion in (o for o in data["occasions"] if o["day"] == number):
            out.append(f"### {occasion['time']} {md_text(occasion['name'])} "
                       f"(window {occasion['window']})")
            out.append("")
            if meal_words(occasion):
                out += [f"*{md_text(meal_words(occasion))}*", ""]
            if occasion.get("plain_water_ml"):
                out.append(f"- plain water: {glasses(occasion['plain_water_ml'])}")
            if not occasion["items"] and not occasion.get("plain_water_ml"):
                out.append("- nothing")
            for item in occasion["items"]:
                if item["kind"] == "supplement":
                    b12 = item["b12_crystalline_ug"]
                    out.append(f"- {md_text(item['name'])}: {item['units']} unit(s)"
                               + (f", {b12:g} µg B12" if b12 else "")
                               + (f" (why: {md_text(item['why'])})" if item.get("why") else ""))
                else:
                    b12 = item["b12_food_bound_ug"] + item["b12_crystalline_ug"]
                    out.append(f"- {md_text(item['name'])}: {md_text(item['household'])} "
                               f"({item['grams']:.0f} g)" + (f", {b12:.2f} µg B12" if b12 else ""))
            out.append("")
        out.append("B12 per window:")
        out.append("")
        for window in (w for w in windows if w["day"] == number):
            out.append(f"- {md_text(', '.join(window['occasions']))}: "
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
        out.append("- " + md_text(line[2:]) if line.startswith("- ") else md_text(line) if line
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
