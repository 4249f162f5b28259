"""Each output format of a plan or a shopping list, by name (``render_plan``,
``render_shopping``), and terminal colour."""

from __future__ import annotations

from typing import Any

from .html_view import plan_html
from .render import md_text, plan_csv, plan_ics, plan_markdown, plan_table
from .text import clean, csv_text, json_text

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
            heading = [f"## {md_text(aisle)}", ""]
            out += heading if out[-1] == "" else ["", *heading]
        unit = row["unit"]
        if row["packages"]:
            lasts = f"; lasts {row['lasts_days'] / 7:.0f} weeks at this regimen" \
                if row["lasts_days"] >= 14 else ""
            price = "no price" if row["cost"] is None else f"{row['cost']:.2f} {currency}"
            out.append(f"- [ ] {row['packages']} × {md_text(row['package_label'])} "
                       f"{md_text(row['name'])} (need {_quantity(row['to_buy'])} {unit}; "
                       f"{_quantity(row['leftover'])} {unit} left over{lasts}) — {price}")
        else:
            out.append(f"- [x] {md_text(row['name'])}: {_quantity(row['need'])} {unit} from the "
                       "pantry")
        if row["foods"]:
            out.append(f"  for {md_text(row['foods'])}")
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
