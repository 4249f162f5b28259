"""Shopping lists: what a plan needs, less the pantry, rounded up to whole packages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataError
from .table import (
    check_columns,
    check_ids,
    parse_numbers,
    raise_problems,
    read_csv_text,
)

AISLE_ORDER = ("produce", "bakery", "deli", "meat", "seafood", "dairy", "frozen", "grains",
               "plant-protein", "canned", "breakfast", "international", "condiments", "snacks",
               "beverages", "pharmacy", "other")


@dataclass(frozen=True)
class ShoppingItem:
    id: str
    name: str
    kind: str          # food | supplement
    aisle: str
    unit: str          # g | ml | unit
    need: float
    pantry: float
    to_buy: float
    package_size: float
    package_label: str
    packages: int
    leftover: float
    cost: float | None       # None: the table gives no price
    lasts_days: float = 0.0   # supplements: days the bought packs last at the plan's rate


def load_pantry(path: Path) -> dict[str, float]:
    """Pantry CSV with columns id, quantity (grams for foods, units for supplements)."""
    frame = read_csv_text(path)
    problems = check_columns(frame, path, ("id", "quantity"), ("name", "unit"))
    raise_problems(path, problems, "pantry")
    problems = check_ids(frame, path)
    quantity, found = parse_numbers(frame, "quantity", path, 0, 1e7)
    problems += found
    raise_problems(path, problems, "pantry")
    return dict(zip(frame["id"].str.strip(), quantity.astype(float), strict=True))


def needs(data: dict[str, Any]) -> dict[tuple[str, str], float]:
    """Total grams (foods) or units (supplements) over the plan, by (kind, id)."""
    totals: dict[tuple[str, str], float] = {}
    for occasion in data["occasions"]:
        for item in occasion["items"]:
            amount = item["grams"] if item["kind"] == "food" else item["units"]
            key = (item["kind"], item["id"])
            totals[key] = totals.get(key, 0.0) + float(amount)
    return totals


def shopping_list(data: dict[str, Any], foods: pd.DataFrame, supplements: pd.DataFrame,
                  pantry: dict[str, float] | None = None, plan_name: str = "the plan",
                  pantry_name: str = "the pantry") -> list[ShoppingItem]:
    """Items to buy, in store order (aisle, then name)."""
    pantry = pantry or {}
    unknown = sorted(set(pantry) - set(foods.index) - set(supplements.index))
    if unknown:
        raise DataError(f"{pantry_name}: pantry names {', '.join(unknown[:5])}, in neither the "
                        "food nor the supplement table",
                        "correct the ids (see `planner foods list`)")
    items = []
    for (kind, item_id), need in sorted(needs(data).items()):
        table = foods if kind == "food" else supplements
        if item_id not in table.index:
            raise DataError(f"{plan_name}: the plan uses {kind} {item_id!r}, which the {kind} "
                            "table lacks",
                            "pass the table the plan was made with (--foods/--supplements)")
        row: dict[Any, Any] = table.loc[item_id].to_dict()
        have = pantry.get(item_id, 0.0)
        to_buy = max(0.0, need - have)
        if kind == "food":
            size = float(row["package_g"]) if row["package_g"] == row["package_g"] else 1000.0
            label = str(row["package_label"]) or f"{size:g} g"
            unit = "ml" if bool(row["liquid"]) else "g"
            price = float(row["price_per_kg"]) * size / 1000.0   # nan: the table has none
        else:
            size, unit = float(row["units_per_pack"]), "unit"
            label, price = f"pack of {size:g}", float(row["price_per_pack"])
        packages = math.ceil(to_buy / size - 1e-9) if to_buy > 0 else 0
        per_day = need / max(len(data.get("days") or []), 1)
        lasts = (packages * size + have) / per_day if kind == "supplement" and per_day else 0.0
        items.append(ShoppingItem(
            id=item_id, name=str(row["name"]), kind=kind, aisle=str(row.get("aisle") or "other"),
            unit=unit, need=round(need, 2), pantry=round(have, 2), to_buy=round(to_buy, 2),
            package_size=size, package_label=label, packages=packages,
            leftover=round(packages * size - to_buy, 2),
            cost=round(packages * price, 2) if price == price else None,
            lasts_days=round(lasts, 1)))
    order = {aisle: i for i, aisle in enumerate(AISLE_ORDER)}
    return sorted(items, key=lambda i: (order.get(i.aisle, len(order)), i.name, i.id))


def remaining_pantry(items: list[ShoppingItem], pantry: dict[str, float]) -> dict[str, float]:
    """What is left after the plan: leftovers of bought packages and untouched pantry."""
    left = dict(pantry)
    for item in items:
        left[item.id] = item.leftover if item.packages else round(item.pantry - item.need, 2)
    return {k: v for k, v in sorted(left.items()) if v > 1e-9}
