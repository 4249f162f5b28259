"""Purchasable products: what a shopper buys for a food as eaten (eggs for a fried egg).

A food is bought as a product when the product's ingredients make up at least
``MIN_SHARE`` of its FNDDS 2019-20 recipe by raw weight (water left out). Its yield is the
product bought per gram of the food as eaten: the recipe's ingredient weights, its moisture
change, and for an ingredient listed cooked but bought raw or dry the ratio of the two
forms' dry matter (SR28 water). The rules (``data/products.csv``) name each product's
ingredients; its price per kg is the price of its purest food divided by that food's yield,
its package and aisle those of that food unless the rule gives them.

>>> Rule("eggs", "Eggs", {"01123": None}, "01123", None, None, "", "").converts("01123", {})
1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

MIN_SHARE = 0.75
WATER = re.compile(r"\bwater, (tap|bottled|municipal)|^water\b", re.IGNORECASE)
COLUMNS = ("product", "product_name", "product_yield", "product_price_per_kg", "product_source")


@dataclass(frozen=True)
class Rule:
    """One product: its ingredients (SR28 number -> explicit grams of product per gram, or
    None for the dry-matter ratio to ``bought_as``), and optional overrides."""

    product: str
    name: str
    ingredients: Mapping[str, float | None]
    bought_as: str
    package_g: float | None
    package_label: str | None
    aisle: str
    exclude: str

    def converts(self, ndb: str, water: Mapping[str, float]) -> float:
        """Grams of the product per gram of ingredient ``ndb``."""
        factor = self.ingredients[ndb]
        if factor is not None:
            return factor
        if ndb == self.bought_as or ndb not in water or self.bought_as not in water:
            return 1.0
        return (100.0 - water[ndb]) / (100.0 - water[self.bought_as])

    def excludes(self, name: str) -> bool:
        return bool(self.exclude) and re.search(self.exclude, name, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Match:
    """A food bought as a product: the product's share of the recipe and its yield."""

    rule: Rule
    share: float
    yield_: float


def load_rules(path: Path) -> list[Rule]:
    """The product rules of a build (``data/products.csv``)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    rules = []
    for row in table.itertuples(index=False):
        ingredients: dict[str, float | None] = {}
        for token in str(row.ingredients).split(";"):
            code, _, factor = token.strip().partition("*")
            ingredients[code.zfill(5)] = float(factor) if factor else None
        rules.append(Rule(str(row.product), str(row.name), ingredients,
                          str(row.bought_as).zfill(5) if row.bought_as else "",
                          float(str(row.package_g)) if row.package_g else None,
                          str(row.package_label) or None, str(row.aisle), str(row.exclude)))
    return rules


class Recipes:
    """FNDDS recipes flattened to leaf ingredients, per gram of the food as eaten."""

    def __init__(self, recipes: pd.DataFrame) -> None:
        self._parts: dict[str, list[tuple[str, str, float, float]]] = {}
        for food, code, desc, grams, moisture in zip(
                recipes["Food code"], recipes["Ingredient code"],
                recipes["Ingredient description"], recipes["Ingredient weight (g)"],
                recipes["Moisture change (%)"], strict=True):
            self._parts.setdefault(str(food), []).append(
                (str(code), str(desc), float(grams), float(moisture)))
        self._memo: dict[str, dict[str, float]] = {}

    def __contains__(self, code: str) -> bool:
        return code in self._parts

    def leaves(self, code: str, depth: int = 0) -> dict[str, float]:
        """Raw grams of each leaf ingredient (SR28 number, or ``water``) per gram eaten."""
        if code in self._memo:
            return self._memo[code]
        parts = self._parts.get(code, [])
        raw = sum(max(g, 0.0) for _, _, g, _ in parts)
        moisture = parts[0][3] if parts else 0.0
        cooked = raw * (1.0 + moisture / 100.0)
        out: dict[str, float] = {}
        if cooked <= 0:
            return out
        for ingredient, desc, grams, _ in parts:
            per_gram = max(grams, 0.0) / cooked
            if len(ingredient) >= 8 and ingredient in self._parts and depth < 8:
                for leaf, amount in self.leaves(ingredient, depth + 1).items():
                    out[leaf] = out.get(leaf, 0.0) + per_gram * amount
                continue
            leaf = "water" if WATER.search(desc) else ingredient.zfill(5)
            out[leaf] = out.get(leaf, 0.0) + per_gram
        self._memo[code] = out
        return out


def match(name: str, leaves: Mapping[str, float], rules: list[Rule],
          water: Mapping[str, float]) -> Match | None:
    """The product a food is bought as, if one makes up ``MIN_SHARE`` of its recipe."""
    solid = sum(g for leaf, g in leaves.items() if leaf != "water")
    if solid <= 0:
        return None
    best: Match | None = None
    for rule in rules:
        if rule.excludes(name):
            continue
        mine = {leaf: g for leaf, g in leaves.items() if leaf in rule.ingredients}
        share = sum(mine.values()) / solid
        if share >= MIN_SHARE and (best is None or share > best.share):
            yield_ = sum(g * rule.converts(leaf, water) for leaf, g in mine.items())
            best = Match(rule, share, yield_)
    return best


def product_columns(foods: pd.DataFrame, recipes: Recipes, rules: list[Rule],
                    water: Mapping[str, float]) -> pd.DataFrame:
    """The product columns of a food table, and its package and aisle as bought.

    ``foods`` needs id, name, fndds_code, price_per_kg, package_g, package_label, aisle and
    nhanes_reports; the result has the same index."""
    rows = foods[["id", "name", "fndds_code", "price_per_kg", "package_g", "package_label",
                  "aisle", "nhanes_reports"]].to_dict("records")
    out = [{"product": "", "product_name": "", "product_yield": math.nan,
            "product_price_per_kg": math.nan, "product_source": "",
            "package_g": row["package_g"], "package_label": row["package_label"],
            "aisle": row["aisle"]} for row in rows]
    matches: dict[int, Match] = {}
    for i, row in enumerate(rows):
        code = row["fndds_code"]
        if isinstance(code, str) and code in recipes:
            found = match(str(row["name"]), recipes.leaves(code), rules, water)
            if found is not None and found.yield_ > 0:
                matches[i] = found
    for rule in rules:
        mine = [i for i, m in matches.items() if m.rule is rule]
        priced = [i for i in mine if not math.isnan(float(rows[i]["price_per_kg"]))]
        if not priced:
            continue
        purest = max(priced, key=lambda i: (round(matches[i].share, 3),
                                            float(rows[i]["nhanes_reports"] or 0),
                                            str(rows[i]["id"])))
        reference = rows[purest]
        price = float(reference["price_per_kg"]) / matches[purest].yield_
        for i in mine:
            found = matches[i]
            out[i] = {
                "product": rule.product, "product_name": rule.name,
                "product_yield": round(found.yield_, 4),
                "product_price_per_kg": round(price, 4),
                "product_source": f"FNDDS 2019-20 recipe {found.share:.0%} "
                                  f"{rule.name.lower()}; price from {reference['id']} at "
                                  f"yield {matches[purest].yield_:.3f}",
                "package_g": rule.package_g or float(reference["package_g"]),
                "package_label": rule.package_label or str(reference["package_label"]),
                "aisle": rule.aisle or str(reference["aisle"])}
    return pd.DataFrame(out, index=foods.index)
