"""The printable HTML week: day grids, the absorbed-B12 chart as inline SVG, the markdown
view as the body, the shopping list (a pure function returning a string)."""

from __future__ import annotations

import math
import re
from typing import Any

from .render import plan_markdown
from .text import clean, shorten


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
