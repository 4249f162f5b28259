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
    id: str            # the product bought (a food id when the food is bought as itself)
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
    leftover_value: float | None = None   # what the leftover cost, at the package price
    foods: str = ""          # the plan's foods it is bought for, when not itself


@dataclass(frozen=True)
class Purchase:
    """How one food or supplement of a table is bought."""

    key: str
    name: str
    per_unit: float          # product bought per gram (unit) of the food (supplement)
    size: float
    label: str
    unit: str
    aisle: str
    package_price: float     # nan: no price


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


def purchase(kind: str, row: dict[Any, Any]) -> Purchase:
    """The product, package and price a food or supplement row is bought as."""
    if kind == "supplement":
        size = float(row["units_per_pack"])
        return Purchase(str(row["id"]), str(row["name"]), 1.0, size, f"pack of {size:g}",
                        "unit", str(row.get("aisle") or "pharmacy"),
                        float(row["price_per_pack"]))
    size = float(row["package_g"]) if row["package_g"] == row["package_g"] else 1000.0
    product = str(row.get("product") or "")
    per_kg = float(row["product_price_per_kg"] if product else row["price_per_kg"])
    return Purchase(product or str(row["id"]), str(row["product_name"] if product
                                                   else row["name"]),
                    float(row["product_yield"]) if product else 1.0, size,
                    str(row["package_label"]) or f"{size:g} g",
                    "ml" if bool(row["liquid"]) else "g", str(row.get("aisle") or "other"),
                    per_kg * size / 1000.0)


def shopping_list(data: dict[str, Any], foods: pd.DataFrame, supplements: pd.DataFrame,
                  pantry: dict[str, float] | None = None, plan_name: str = "the plan",
                  pantry_name: str = "the pantry") -> list[ShoppingItem]:
    """Items to buy for a saved plan, in store order (aisle, then name)."""
    return items_for(needs(data), len(data.get("days") or []), foods, supplements, pantry,
                     plan_name, pantry_name)


def items_for(amounts: dict[tuple[str, str], float], days: int, foods: pd.DataFrame,
              supplements: pd.DataFrame, pantry: dict[str, float] | None = None,
              plan_name: str = "the plan",
              pantry_name: str = "the pantry") -> list[ShoppingItem]:
    """Products to buy for the amounts eaten, less the pantry, in whole packages."""
    pantry = pantry or {}
    bought: dict[str, tuple[Purchase, str]] = {}
    need: dict[str, float] = {}
    eaten: dict[str, list[tuple[str, float, str]]] = {}
    for (kind, item_id), amount in sorted(amounts.items()):
        table = foods if kind == "food" else supplements
        if item_id not in table.index:
            raise DataError(f"{plan_name}: the plan uses {kind} {item_id!r}, which the {kind} "
                            "table lacks",
                            "pass the table the plan was made with (--foods/--supplements)")
        way = purchase(kind, {"id": item_id, **table.loc[item_id].to_dict()})
        bought.setdefault(way.key, (way, kind))
        need[way.key] = need.get(way.key, 0.0) + amount * way.per_unit
        eaten.setdefault(way.key, []).append((str(table.at[item_id, "name"]), amount, way.unit))
    have = _pantry_by_product(pantry, foods, supplements, pantry_name)
    items = []
    for key, (way, kind) in bought.items():
        total, stock = need[key], have.get(key, 0.0)
        to_buy = max(0.0, total - stock)
        packages = math.ceil(to_buy / way.size - 1e-9) if to_buy > 0 else 0
        leftover = packages * way.size - to_buy
        priced = way.package_price == way.package_price
        per_day = total / max(days, 1)
        lasts = (packages * way.size + stock) / per_day if kind == "supplement" and per_day \
            else 0.0
        mine = eaten[key]
        items.append(ShoppingItem(
            id=key, name=way.name, kind=kind, aisle=way.aisle, unit=way.unit,
            need=round(total, 2), pantry=round(stock, 2), to_buy=round(to_buy, 2),
            package_size=way.size, package_label=way.label, packages=packages,
            leftover=round(leftover, 2),
            cost=round(packages * way.package_price, 2) if priced else None,
            lasts_days=round(lasts, 1),
            leftover_value=round(leftover / way.size * way.package_price, 2)
            if priced and packages else None,
            foods="" if len(mine) == 1 and mine[0][0] == way.name else "; ".join(
                f"{name} ({amount:.0f} {unit})" for name, amount, unit in mine)))
    order = {aisle: i for i, aisle in enumerate(AISLE_ORDER)}
    return sorted(items, key=lambda i: (order.get(i.aisle, len(order)), i.name, i.id))


def _pantry_by_product(pantry: dict[str, float], foods: pd.DataFrame,
                       supplements: pd.DataFrame, pantry_name: str) -> dict[str, float]:
    """Pantry amounts by what is bought: a food's id counts towards its product."""
    products = set(foods["product"]) - {""} if "product" in foods.columns else set()
    unknown = sorted(set(pantry) - set(foods.index) - set(supplements.index) - products)
    if unknown:
        raise DataError(f"{pantry_name}: pantry names {', '.join(unknown[:5])}, in neither the "
                        "food nor the supplement table",
                        "correct the ids (see `planner foods list`)")
    have: dict[str, float] = {}
    for item_id, quantity in pantry.items():
        if item_id in products or item_id in supplements.index:
            key, amount = item_id, quantity
        else:
            way = purchase("food", {"id": item_id, **foods.loc[item_id].to_dict()})
            key, amount = way.key, quantity * way.per_unit
        have[key] = have.get(key, 0.0) + amount
    return have


def spending(items: list[ShoppingItem]) -> dict[str, float | int]:
    """What the packages cost, what of it is left over, and how many have no price."""
    return {"packages_cost": round(sum(i.cost for i in items if i.cost is not None), 2),
            "leftover_value": round(sum(i.leftover_value for i in items
                                        if i.leftover_value is not None), 2),
            "unpriced_packages": sum(1 for i in items if i.cost is None and i.packages)}


def remaining_pantry(items: list[ShoppingItem], pantry: dict[str, float],
                     foods: pd.DataFrame | None = None) -> dict[str, float]:
    """What is left after the plan, by what is bought: leftovers of bought packages and
    untouched pantry (a food's id in the pantry is folded into its product's)."""
    used = {item.id for item in items}
    left = {}
    for item_id, quantity in pantry.items():
        key = item_id
        if foods is not None and item_id in foods.index and "product" in foods.columns:
            key = str(foods.at[item_id, "product"]) or item_id
        if key not in used:
            left[item_id] = quantity
    for item in items:
        left[item.id] = item.leftover if item.packages else round(item.pantry - item.need, 2)
    return {k: v for k, v in sorted(left.items()) if v > 1e-9}
