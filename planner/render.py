"""Rendering tables and records as text, CSV or JSON (pure functions returning strings)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Escape a text cell that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
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


def text_table(rows: Sequence[dict[str, Any]], columns: Sequence[str],
               headers: Sequence[str] | None = None) -> str:
    """Fixed-width text table; numbers right-aligned."""
    headers = list(headers or columns)
    cells = [[_format(row.get(c, "")) for c in columns] for row in rows]
    numeric = [all(isinstance(row.get(c), int | float) and not isinstance(row.get(c), bool)
                   for row in rows) and rows != [] for c in columns]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w)
                         for v, w, n in zip(values, widths, numeric, strict=True)).rstrip()
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out) + "\n"


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
    """Stable, indented JSON (NaN becomes null)."""
    return json.dumps(_json_safe(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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
        for item in occasion["items"]:
            rows.append({"day": occasion["day"], "occasion": occasion["name"],
                         "time": occasion["time"], "window": occasion["window"], **item})
    return rows


def plan_csv(data: dict[str, Any]) -> str:
    return csv_text(plan_rows(data), PLAN_CSV_COLUMNS)


def plan_table(data: dict[str, Any]) -> str:
    """The terminal view: each day by occasion, B12 per window against the cap, totals."""
    meta, constraints = data["meta"], data["meta"]["constraints"]
    nutrients = constraints["nutrients"]
    totals = data["totals"]
    gap = meta.get("mip_gap")
    head = (f"b12-planner {meta.get('planner_version', '')}: {len(data['days'])}-day plan, "
            f"{constraints['diet']['pattern']}, profile {constraints['b12']['profile']}; "
            f"status {meta.get('status')}"
            + (f", gap {gap:.1%}" if isinstance(gap, float) else "")
            + f"; cost {totals['cost']:.2f} {totals['currency']}")
    out = [head, meta.get("disclaimer", ""), ""]
    windows = {(w["day"], w["window"]): w for w in data["windows"]}
    days = {d["day"]: d for d in data["days"]}
    for day in sorted(days):
        out.append(f"Day {day}")
        for occasion in (o for o in data["occasions"] if o["day"] == day):
            out.append(f"  {occasion['time']} {occasion['name']} (window {occasion['window']})")
            if not occasion["items"]:
                out.append("    -")
            for item in occasion["items"]:
                if item["kind"] == "supplement":
                    out.append(f"    {item['name']:<44} {item['units']} tablet(s)"
                               f"{'':>14}B12 {item['b12_crystalline_ug']:g} ug")
                    continue
                b12 = item["b12_food_bound_ug"] + item["b12_crystalline_ug"]
                out.append(f"    {item['name'][:44]:<44} {item['household'][:28]:<28} "
                           f"{item['grams']:>6.0f} g" + (f"  B12 {b12:.2f} ug" if b12 else ""))
        for (w_day, number), window in sorted(windows.items()):
            if w_day != day:
                continue
            out.append(f"  B12 window {number} ({', '.join(window['occasions'])}): "
                       f"{window['x_ug']:.2f} ug free to bind, absorbed "
                       f"{window['absorbed_ug']:.2f} ug (IF cap {window['if_cap_ug']:.2f}, "
                       f"passive {window['passive'].replace('_', ' ')})")
        d = days[day]
        lo, hi = nutrients["energy_kcal"]
        out.append(f"  Day {day} totals: absorbed B12 {d['absorbed_b12_ug']:.2f} ug "
                   f"(target {d['target_b12_ug']:.2f}); energy {d['energy_kcal']:.0f} kcal "
                   f"({lo:g}-{hi:g}); protein {d['protein_g']:.1f} g "
                   f"(min {nutrients['protein_g_min']:g}); sugars {d['sugars_g']:.1f} g; "
                   f"fluids {d['fluids_ml']:.0f} ml (min {nutrients['fluids_ml_min']:g}); "
                   f"cost {d['cost']:.2f}")
        out.append("")
    out.append(f"Week: absorbed B12 {totals['absorbed_b12_ug_per_day_mean']:.2f} ug/day on "
               f"average; cost {totals['cost']:.2f} {totals['currency']}")
    return "\n".join(out) + "\n"


def render_plan(data: dict[str, Any], fmt: str) -> str:
    """One pure function per output format of a plan."""
    if fmt == "json":
        return json_text(data)
    if fmt == "csv":
        return plan_csv(data)
    if fmt == "table":
        return plan_table(data)
    raise ValueError(f"unknown plan format {fmt!r}")
