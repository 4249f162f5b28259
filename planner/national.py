"""Import a national food table (the flattened USDA SR28 or CIQUAL 2020 layouts) into the
planner's schema.

Flags are inferred conservatively: a row whose source group or description does not make it
clearly plant-based gets every animal flag ("may contain"), so an unsure row is never vegan-,
vegetarian- or pescatarian-eligible. Rows without a B12 value are left out and counted (an
empty cell is "not analysed", never zero). Missing energy is computed with Atwater factors
(4/9/4 kcal per g of protein, fat, carbohydrate) and marked in ``source``. Every row is
``curated=false``; prices stay empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataError
from .fndds import FnddsReport, fndds_table
from .foods import FLAGS, NUMERIC_RANGES
from .table import check_ids, check_text, parse_numbers, raise_problems, read_csv_text

SOURCES = ("usda-sr28", "ciqual", "fndds")
ANIMAL_WORDS = {
    "meat": r"\b(beef|pork|veal|lamb|mutton|chicken|turkey|duck|goose|ham|bacon|sausage|"
            r"salami|meat|liver|kidney|lard|gelatin|broth|bouillon|pepperoni|venison|rabbit|"
            r"frankfurter|bologna|jerky|game|chorizo)\b",
    "fish": r"\b(fish|salmon|tuna|cod|sardine|anchov\w*|herring|mackerel|trout|haddock|"
            r"pollock|tilapia|roe|caviar)\b",
    "shellfish": r"\b(shrimp|prawn|crab|lobster|clam|mussel|oyster|scallop|squid|octopus|"
                 r"crustacean\w*|mollus\w*|seafood)\b",
    "egg": r"\b(egg|eggs|mayonnaise|meringue)\b",
    "dairy": r"\b(milk|cheese|butter|cream|yogurt|yoghurt|whey|casein|kefir|ghee|buttermilk|"
             r"custard|ice cream|dairy|pizza|gratin|alfredo|parmesan|mozzarella|cheddar|"
             r"carbonara|lactose)\b",
    "honey": r"\bhoney\b",
    "gelatin": r"\bgelatin\w*\b",
}
NOT_ANIMAL = r"\b(soy ?milk|almond milk|rice milk|oat milk|coconut milk|peanut butter|" \
             r"nut butter|cocoa butter|butternut|buttermilk biscuit|eggplant|cream of tartar|" \
             r"plant-based|vegetarian|vegan|meatless|imitation)\b"
SR28_GROUPS = {  # SR28 food group -> (planner group, flags certain from the group)
    "Beef Products": ("meat", {"meat"}), "Pork Products": ("meat", {"meat"}),
    "Lamb, Veal, and Game Products": ("meat", {"meat"}),
    "Sausages and Luncheon Meats": ("meat", {"meat"}),
    "Poultry Products": ("poultry", {"meat"}),
    "Finfish and Shellfish Products": ("fish", {"fish"}),
    "Dairy and Egg Products": ("dairy", {"dairy"}),
    "Vegetables and Vegetable Products": ("vegetable", set()),
    "Fruits and Fruit Juices": ("fruit", set()),
    "Legumes and Legume Products": ("legume", set()),
    "Nut and Seed Products": ("nut-seed", set()),
    "Cereal Grains and Pasta": ("grain", set()),
    "Spices and Herbs": ("other", set()),
    "Fats and Oils": ("fat-oil", None), "Beverages": ("beverage", None),
    "Breakfast Cereals": ("grain", None), "Baked Products": ("grain", None),
    "Sweets": ("sweet", None), "Snacks": ("other", None),
}
PLANT_GROUPS_SR28 = {"Vegetables and Vegetable Products", "Fruits and Fruit Juices",
                     "Legumes and Legume Products", "Nut and Seed Products",
                     "Cereal Grains and Pasta", "Spices and Herbs"}
CIQUAL_SUBGROUPS = {  # CIQUAL subgroup -> (planner group, flags certain from the subgroup)
    "raw meat": ("meat", {"meat"}), "cooked meat": ("meat", {"meat"}),
    "delicatessen meat and similar": ("meat", {"meat"}),
    "other meat products": ("meat", {"meat"}), "eggs": ("egg", {"egg"}),
    "fish, raw": ("fish", {"fish"}), "fish, cooked": ("fish", {"fish"}),
    "fish products": ("fish", {"fish"}), "seafood, raw": ("shellfish", {"shellfish"}),
    "seafood, cooked": ("shellfish", {"shellfish"}), "meat substitute": ("legume", None),
    "milk": ("dairy", {"dairy"}), "cheese and similar": ("dairy", {"dairy"}),
    "cream and similar": ("dairy", {"dairy"}),
    "dairy products and similar": ("dairy", {"dairy"}), "butters": ("fat-oil", {"dairy"}),
    "fruits": ("fruit", set()), "vegetables": ("vegetable", set()),
    "legumes": ("legume", set()), "nuts and seeds": ("nut-seed", set()),
    "potatoes and other tubers": ("vegetable", set()), "vegetable oils": ("fat-oil", set()),
    "margarines": ("fat-oil", None), "fish oils": ("fat-oil", {"fish"}),
    "breads and similar": ("grain", None), "pasta, rice and grains": ("grain", None),
    "water": ("beverage", set()), "non-alcoholic beverages": ("beverage", None),
    "breakfast cereals": ("grain", None), "herbs": ("other", set()),
    "spices": ("other", set()), "seaweed": ("vegetable", set()),
}
BRAND = r"\b[A-Z][A-Z'&]{3,}\b"  # brand products (MORNINGSTAR ...) may hide egg or dairy
PLANT_PREFIXES = ("oil, ", "oil,", "vegetable oil")
LIQUID_GROUPS = {"Beverages", "water", "non-alcoholic beverages", "milk"}
ORGAN = (r"\b(liver|livers|kidney|kidneys|heart|hearts|tongue|tripe|giblets|gizzards?|"
         r"variety meats|testes|sweetbreads?|brains?|spleen|lungs?|pancreas|thymus|"
         r"chitterlings|offal|foie|abats|rognons?|coeur|langue|cervelle|tripes)\b")
RAW = r"\b(raw|cru|crue|crus|crues)\b"
ANIMAL_GROUPS = ("meat", "poultry", "organ", "fish", "shellfish", "egg")
RANGES = {**NUMERIC_RANGES, "seq": (0, 1e6), "amount": (0, 1e6), "grams": (0, 1e6)}


@dataclass
class ImportReport:
    """What an import did: rows read, written, and left out by reason."""

    source: str
    rows_read: int = 0
    rows_written: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    energy_computed: int = 0
    flags_unsure: int = 0

    def lines(self) -> list[str]:
        out = [f"{self.source}: {self.rows_read:,} rows read, {self.rows_written:,} written"]
        out += [f"  left out, {reason}: {count:,}" for reason, count in self.left_out.items()]
        out.append(f"  energy computed with Atwater factors (marked in source): "
                   f"{self.energy_computed:,}")
        out.append(f"  flags unsure, so every animal flag set (not vegan, vegetarian or "
                   f"pescatarian): {self.flags_unsure:,}")
        return out


def infer_flags(description: str, certain: set[str] | None, plant: bool) -> tuple[dict, bool]:
    """Flags from the source group and words; (flags, unsure). Unsure rows get every flag."""
    text = description.lower()
    flags = dict.fromkeys(FLAGS, False)
    for flag in certain or set():
        flags[flag] = True
    cleaned = re.sub(NOT_ANIMAL, " ", text)
    for flag, pattern in ANIMAL_WORDS.items():
        if re.search(pattern, cleaned):
            flags[flag] = True
    if certain is None and not any(flags.values()) and not plant:
        for flag in ("meat", "fish", "shellfish", "egg", "dairy"):
            flags[flag] = True
        return flags, True
    return flags, False


def _atwater(row: pd.Series) -> float | None:
    parts = [row.get("protein_g"), row.get("fat_g"), row.get("carbohydrate_g")]
    if any(p is None or p != p for p in parts):
        return None
    protein, fat, carbohydrate = (float(p) for p in parts)  # type: ignore[arg-type]
    return round(4 * protein + 9 * fat + 4 * carbohydrate, 1)


def _numbers(frame: pd.DataFrame, columns: list[str], path: Path, id_column: str,
             what: str, unique: bool = True) -> pd.DataFrame:
    """Ids stripped and numeric columns as floats; cells that are not finite numbers in the
    planner's range for that column (RANGES), text with control characters, and
    (``unique``) empty, repeated or odd ids, are reported with their line and id, all at
    once."""
    out = frame.assign(**{id_column: frame[id_column].str.strip()})
    problems = check_ids(frame, path, id_column) if unique else []
    problems += check_text(frame, [c for c in frame.columns if c not in (*columns, id_column)],
                           path, id_column)
    for column in columns:
        if column not in out.columns:
            out[column] = ""
        low, high = RANGES[column]
        out[column], found = parse_numbers(out, column, path, low, high, required=False,
                                           id_column=id_column)
        problems += found
    raise_problems(path, problems, what)
    return out


def is_organ(group: str, description: str) -> bool:
    """Liver, kidney and other offal: of a meat or poultry group, or of no known group with
    a meat word in its name ("Moose, liver, braised (Alaska Native)")."""
    text = description.lower()
    meaty = group in ("meat", "poultry") or \
        (group == "other" and re.search(ANIMAL_WORDS["meat"], text) is not None)
    return meaty and re.search(ORGAN, text) is not None


def import_sr28(path: Path, portions: Path | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """The flattened SR28 table (and its household weights) in the planner's schema."""
    raw = read_csv_text(path)
    _require(raw, path, ["ndb_no", "description", "food_group", "energy_kcal", "protein_g",
                         "fat_g", "carbohydrate_g", "b12_ug"])
    data = _numbers(raw, ["energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "sugars_g",
                          "fiber_g", "b12_ug", "b12_added_ug"], path, "ndb_no", "SR28 table")
    servings = _sr28_servings(portions) if portions else {}
    report = ImportReport("usda-sr28", rows_read=len(data))
    rows = []
    for row in data.to_dict("records"):
        group_name = str(row["food_group"])
        group, certain = SR28_GROUPS.get(group_name, ("other", None))
        description = str(row["description"])
        if is_organ(group, description):
            group = "organ"
        if group == "fish" and re.search(ANIMAL_WORDS["shellfish"], description.lower()):
            group, certain = "shellfish", {"shellfish"}
        if group == "dairy" and description.lower().startswith("egg"):
            group, certain = "egg", {"egg"}
        added = row.get("b12_added_ug")
        if group == "grain" and added == added and added and added > 0:
            group = "fortified"
        record = _record(row, f"usda-{row['ndb_no']}", description, group, certain,
                         group_name in PLANT_GROUPS_SR28, group_name in LIQUID_GROUPS,
                         f"USDA SR28 {row['ndb_no']}", report)
        if record is None:
            continue
        grams, label = servings.get(str(row["ndb_no"]), (100.0, "100 g"))
        record.update(serving_g=grams, serving_label=label)
        rows.append(record)
    return _finish(rows, report)


def import_ciqual(path: Path) -> tuple[pd.DataFrame, ImportReport]:
    """The flattened CIQUAL 2020 table in the planner's schema (100 g servings)."""
    raw = read_csv_text(path)
    _require(raw, path, ["alim_code", "description", "food_group", "food_subgroup",
                         "energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "b12_ug"])
    data = _numbers(raw, ["energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "b12_ug"],
                    path, "alim_code", "CIQUAL table")
    report = ImportReport("ciqual", rows_read=len(data))
    rows = []
    for row in data.to_dict("records"):
        subgroup = str(row["food_subgroup"])
        group, certain = CIQUAL_SUBGROUPS.get(subgroup, ("other", None))
        description = str(row["description"])
        if is_organ(group, description):
            group = "organ"
        plant = certain is not None and not certain
        record = _record(row, f"ciqual-{row['alim_code']}", description, group, certain, plant,
                         subgroup in LIQUID_GROUPS,
                         f"CIQUAL 2020 {row['alim_code']} (Anses. 2020. Ciqual French food "
                         f"composition table.)", report)
        if record is not None:
            record.update(serving_g=100.0, serving_label="100 g")
            rows.append(record)
    return _finish(rows, report)


def _require(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}",
                        "use the flattened layout described in shared/data/SOURCES.md")


def _record(row: dict, food_id: str, description: str, group: str, certain: set[str] | None,
            plant: bool, liquid: bool, source: str, report: ImportReport) -> dict | None:
    if group in ANIMAL_GROUPS and re.search(RAW, description.lower()):
        reason = "raw meat, poultry, offal, fish, shellfish or egg (food safety)"
        report.left_out[reason] = report.left_out.get(reason, 0) + 1
        return None
    b12 = row.get("b12_ug")
    if b12 is None or b12 != b12:
        report.left_out["no B12 value"] = report.left_out.get("no B12 value", 0) + 1
        return None
    energy = row.get("energy_kcal")
    if energy is None or energy != energy:
        energy = _atwater(pd.Series(row))
        if energy is None:
            report.left_out["no energy and no macronutrients to compute it"] = \
                report.left_out.get("no energy and no macronutrients to compute it", 0) + 1
            return None
        source += "; energy computed (Atwater 4/9/4)"
        report.energy_computed += 1
    plant = plant or description.lower().startswith(PLANT_PREFIXES)
    flags, unsure = infer_flags(description, certain, plant)
    if re.search(BRAND, description) and not certain:
        flags.update(dict.fromkeys(("meat", "fish", "shellfish", "egg", "dairy"), True))
        unsure = True
    report.flags_unsure += unsure
    added = row.get("b12_added_ug")
    added = 0.0 if added is None or added != added else min(float(added), float(b12))
    macros = {k: (0.0 if row.get(k) != row.get(k) else float(row.get(k) or 0.0))
              for k in ("protein_g", "fat_g", "carbohydrate_g")}
    return {
        "id": food_id, "name": description[:120], "group": group, **flags,
        "energy_kcal": float(energy), **macros,
        "sugars_g": _maybe(row.get("sugars_g")), "fiber_g": _maybe(row.get("fiber_g")),
        "b12_ug": float(b12), "b12_added_ug": added, "b12_matrix": "",
        "min_servings": 1, "max_servings": 3, "liquid": liquid,
        "occasions": "breakfast;lunch;dinner;snack" + (";drink" if liquid else ""),
        "price_per_kg": "", "price_source": "", "package_g": "", "package_label": "",
        "aisle": "other", "source": source, "curated": False,
    }


def _maybe(value: object) -> object:
    return "" if value is None or value != value else value


def _sr28_servings(path: Path) -> dict[str, tuple[float, str]]:
    """First household measure of each SR28 food whose weight is a planner serving
    (0.1-2,000 g): (grams, label)."""
    frame = read_csv_text(path)
    _require(frame, path, ["ndb_no", "seq", "amount", "measure", "grams"])
    frame = _numbers(frame, ["seq", "amount", "grams"], path, "ndb_no", "SR28 household weights",
                     unique=False)
    low, high = NUMERIC_RANGES["serving_g"]
    usable = frame[frame["grams"].between(low, high) & frame["measure"].str.strip().ne("")]
    first = usable.sort_values(["ndb_no", "seq"]).drop_duplicates("ndb_no")
    return {str(n): (round(float(g), 1), f"{a:g} {m}") for n, g, a, m in
            zip(first["ndb_no"], first["grams"], first["amount"], first["measure"], strict=True)}


def _finish(rows: list[dict], report: ImportReport) -> tuple[pd.DataFrame, ImportReport]:
    report.rows_written = len(rows)
    from .foods import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    columns = list(dict.fromkeys([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]))
    table = pd.DataFrame(rows, columns=columns)
    return table, report


def import_table(kind: str, path: Path, portions: Path | None = None,
                 ) -> tuple[pd.DataFrame, ImportReport | FnddsReport]:
    """Dispatch on the source layout name (``fndds``: the folder of the FNDDS files)."""
    if kind == "fndds":
        if portions is not None:
            raise DataError("--portions is for usda-sr28 only (FNDDS brings its own portions)")
        if not path.is_dir():
            raise DataError(f"{path}: --from fndds reads a folder (shared/data/fndds), "
                            "not a file", "name the folder that holds the FNDDS files")
        return fndds_table(path)
    if kind == "usda-sr28":
        return import_sr28(path, portions)
    if kind == "ciqual":
        if portions is not None:
            raise DataError("--portions is for usda-sr28 only")
        return import_ciqual(path)
    raise DataError(f"unknown source {kind!r}", f"use one of {', '.join(SOURCES)}")
