"""`planner foods ...` and `planner meals ...`: browse, check and import food tables and
the meal library."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from . import resources
from .cli_options import PlannerGroup, format_option, wide_option
from .errors import DataError, did_you_mean, printable
from .output import check_targets, write_output
from .text import csv_text, json_text, shorten, terminal_width, text_table
from .vocabulary import PATTERNS, ROLES

LIST_COLUMNS = ["id", "name", "role", "group", "energy_kcal", "protein_g", "b12_ug",
                "b12_added_ug", "serving_g", "serving_label", "price_per_kg"]


@click.group(cls=PlannerGroup)
def foods() -> None:
    """Browse and validate food tables.

    \b
    Example:
      planner foods show beef-liver
    """


@foods.command("list")
@click.option("--foods", "foods_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Food table (default: the packaged foods.csv).")
@click.option("--diet", type=click.Choice(list(PATTERNS)), help="Only foods this diet allows.")
@click.option("--group", help="Only this food group, e.g. dairy.")
@click.option("--role", type=click.Choice(list(ROLES)),
              help="Only foods of this role in a meal, e.g. main-dish.")
@click.option("--category", help="Only this WWEIA category: its number (3602) or words of its "
              "name (pizza).")
@click.option("--sort", "sort_by", default="id", show_default=True,
              help="Column to sort by; numbers sort largest first.")
@format_option(["table", "csv", "json"], "table", "planner foods list")
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
@wide_option
def foods_list(foods_path: Path | None, diet: str | None, group: str | None, role: str | None,
               category: str | None, sort_by: str, fmt: str, output: str, wide: bool) -> None:
    """List foods, optionally for one diet pattern, group, role or WWEIA category.

    \b
    Example:
      planner foods list --diet vegan --sort b12_ug
      planner foods list --role main-dish --category pizza
    """
    from .foods import diet_mask, load_foods

    check_targets({"-o/--output": output}, {"--foods": foods_path or resources.default_foods()})
    table = load_foods(foods_path)
    if sort_by not in table.columns:
        raise click.BadParameter(f"no column {sort_by!r}; try one of "
                                 f"{', '.join(LIST_COLUMNS)}", param_hint="--sort")
    if diet:
        table = table[diet_mask(table, diet)]
    if group:
        table = table[table["group"] == group.lower()]
    if role:
        table = table[table["role"] == role]
    if category:
        wanted = category.strip().lower()
        table = table[(table["wweia_category"] == wanted)
                      | table["wweia_name"].str.lower().str.contains(wanted, regex=False)]
    numeric = table[sort_by].dtype.kind in "if"
    table = table.sort_values([sort_by, "id"], ascending=[not numeric, True], kind="stable")
    rows = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
    columns = LIST_COLUMNS if fmt == "table" else list(table.columns)
    if fmt == "table":
        text = text_table(rows, columns, width=None if wide else terminal_width(),
                          shrink=["name", "serving_label", "id"],
                          drop=["serving_label", "b12_added_ug", "role", "serving_g", "group",
                                "name"], least=40) + f"{len(rows)} foods\n"
    elif fmt == "csv":
        text = csv_text(rows, columns)
    else:
        text = json_text([{c: r[c] for c in columns} for r in rows])
    write_output(output, text)


@foods.command("show")
@click.argument("food_id")
@click.option("--foods", "foods_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Food table (default: the packaged foods.csv).")
def foods_show(food_id: str, foods_path: Path | None) -> None:
    """Show every column of one food.

    \b
    Example:
      planner foods show fortified-soy-drink
    """
    from .foods import diet_mask, load_foods

    table = load_foods(foods_path)
    if food_id not in table.index:
        raise DataError(f"no food {food_id!r} in the food table",
                        did_you_mean(food_id, table.index) or "see `planner foods list`")
    row = table.loc[food_id]
    allowed = [p for p in PATTERNS if bool(diet_mask(table.loc[[food_id]], p).iloc[0])]
    width = max(len(str(c)) for c in table.columns)
    values = [*((str(c), str(row[c])) for c in table.columns), ("diets", ", ".join(allowed))]
    room = max(20, terminal_width() - width - 2)
    click.echo("\n".join(f"{key.ljust(width)}  " + f"\n{' ' * (width + 2)}".join(
        textwrap.wrap(value, room, break_on_hyphens=False) or [""]) for key, value in values))


@foods.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def foods_check(path: Path) -> None:
    """Validate a food table and count its foods by group and diet.

    \b
    Example:
      planner foods check foods.csv
    """
    from .foods import load_foods, summary

    table = load_foods(path)
    counts = summary(table)
    click.echo(f"{path}: {len(table)} foods, all checks passed")
    click.echo("by group:   " + ", ".join(f"{g} {n}" for g, n in counts["groups"].items()))
    click.echo("by diet:    " + ", ".join(f"{p} {n}" for p, n in counts["patterns"].items()))


@foods.command("import")
@click.option("--from", "source", type=click.Choice(["usda-sr28", "ciqual", "fndds"]),
              required=True, help="Layout of PATH (see shared/data/SOURCES.md); for fndds, "
              "the folder of the FNDDS, FPED, recipe, SR28 and NHANES files.")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--portions", type=click.Path(dir_okay=False, path_type=Path),
              help="SR28 household weights (usda_sr_legacy_portions.csv) for servings.")
@click.option("-o", "--output", required=True, help="Food table to write (CSV), or -.")
def foods_import(source: str, path: Path, portions: Path | None, output: str) -> None:
    """Turn a national food table into the planner's schema (curated=false rows).

    Flags are inferred conservatively (FNDDS: from each dish's recipe); rows without a B12
    value are left out and counted; missing energy is computed (Atwater) and marked. The
    report goes to stderr.

    \b
    Example:
      planner foods import --from usda-sr28 usda_sr_legacy_b12.csv \\
          --portions usda_sr_legacy_portions.csv -o sr28.csv
      planner foods import --from fndds ../shared/data/fndds -o fndds.csv
    """
    from .national import import_table

    check_targets({"-o/--output": output}, {"PATH": path, "--portions": portions})
    table, report = import_table(source, path, portions)
    from .text import safe_cell

    text = table.select_dtypes(exclude="number").columns.difference(
        table.select_dtypes(include="bool").columns)
    table[text] = table[text].map(safe_cell)
    write_output(output, table.to_csv(index=False, lineterminator="\n"))
    for line in report.lines():
        click.echo(printable(line), err=True)


@click.group(cls=PlannerGroup)
def meals() -> None:
    """Browse the meal library: meals people ate in the NHANES 2007-2012 recalls.

    \b
    Example:
      planner meals list --occasion breakfast --diet vegan --min-seen 5
    """


@meals.command("list")
@click.option("--occasion", type=click.Choice(["breakfast", "lunch", "dinner", "snack"]),
              help="Only meals eaten at this occasion.")
@click.option("--diet", type=click.Choice(list(PATTERNS)), help="Only meals this diet allows.")
@click.option("--food", help="Only meals holding this food: an FNDDS code or words of its name "
              "(every word must occur), e.g. 'oatmeal'.")
@click.option("--min-seen", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only meals seen at least this many times.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="At most this many meals (0: all).")
@format_option(["table", "csv", "json"], "table", "planner meals list")
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
def meals_list(occasion: str | None, diet: str | None, food: str | None, min_seen: int,
               limit: int, fmt: str, output: str) -> None:
    """List library meals, most often seen first.

    \b
    Example:
      planner meals list --occasion dinner --diet lacto-vegetarian --min-seen 3
      planner meals list --food "soy milk" --format csv -o soy.csv
    """
    from .library import load_library, select

    library = load_library()
    table = select(library, occasion, diet, food, min_seen)
    total = len(table)
    if limit:
        table = table.head(limit)
    rows = [{"meal_id": str(i), **{str(k): v for k, v in r.items()}}
            for i, r in zip(table.index, table.to_dict("records"), strict=True)]
    if fmt == "table":
        columns = ["meal_id", "occasion", "seen", "persons", "name"]
        room = max(20, terminal_width() - 40)
        for row in rows:
            row["name"] = shorten(str(row["name"]), room)
        text = text_table(rows, columns) + f"{len(rows)} of {total} meals\n"
    elif fmt == "csv":
        text = csv_text(rows, ["meal_id", *table.columns])
    else:
        text = json_text(rows)
    write_output(output, text)


@meals.command("show")
@click.argument("meal_id")
def meals_show(meal_id: str) -> None:
    """Show one meal: its foods with the grams people ate, their usual range, and its diets.

    \b
    Example:
      planner meals show B0003
    """
    from .library import load_library, meal

    library = load_library()
    row = meal(library, meal_id)
    key = str(row.name)
    lines = [f"{key}: {row['occasion']}, seen {row['seen']} times by {row['persons']} persons "
             f"(its mix of food categories: {row['category_seen']} times)",
             f"diets: {row['diets'].replace(';', ', ')}",
             f"source: {row['source']}", ""]
    foods = library.foods_of(key)
    rows = [{"food": shorten(str(f["description"]), max(20, terminal_width() - 52)),
             "fndds_code": f["fndds_code"], "grams": float(f["grams"]),
             "usual p10-p90": f"{f['grams_p10']:g}-{f['grams_p90']:g} g",
             "kind": "drink" if f["liquid"] else "food"}
            for f in foods.to_dict("records")]
    lines.append(text_table(rows, ["food", "fndds_code", "grams", "usual p10-p90", "kind"]))
    click.echo("\n".join(lines).rstrip())
