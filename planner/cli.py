"""The command line (the only module that imports click): parse, call the library, render."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import click

from . import DISCLAIMER, __version__
from .config import check_ids, dump_toml, load_config, warnings
from .errors import PlannerError
from .foods import PATTERNS, diet_mask, load_foods, summary
from .output import write_output
from .render import csv_text, json_text, text_table
from .supplements import load_supplements

LIST_COLUMNS = ["id", "name", "group", "energy_kcal", "protein_g", "b12_ug", "b12_added_ug",
                "serving_g", "serving_label", "price_per_kg"]


class PlannerGroup(click.Group):
    """A click group that turns library errors into one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PlannerError as exc:
            if ctx.meta.get("planner.verbose"):
                traceback.print_exc()
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["planner.verbose"] = value
    return value


@click.group(cls=PlannerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="planner")
@click.option("--verbose", is_flag=True, is_eager=True, callback=_verbose, expose_value=False,
              help="Show the full traceback of an error.")
def cli() -> None:
    """Weekly meal plans whose absorbed vitamin B12 meets a target.

    \b
    Example:
      planner foods list --diet vegan
    """


@cli.group(cls=PlannerGroup)
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
@click.option("--sort", "sort_by", default="id", show_default=True,
              help="Column to sort by; numbers sort largest first.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
def foods_list(foods_path: Path | None, diet: str | None, group: str | None, sort_by: str,
               fmt: str, output: str) -> None:
    """List foods, optionally for one diet pattern.

    \b
    Example:
      planner foods list --diet vegan --sort b12_ug
    """
    table = load_foods(foods_path)
    if sort_by not in table.columns:
        raise click.BadParameter(f"no column {sort_by!r}; try one of "
                                 f"{', '.join(LIST_COLUMNS)}", param_hint="--sort")
    if diet:
        table = table[diet_mask(table, diet)]
    if group:
        table = table[table["group"] == group.lower()]
    numeric = table[sort_by].dtype.kind in "if"
    table = table.sort_values([sort_by, "id"], ascending=[not numeric, True], kind="stable")
    rows = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
    columns = LIST_COLUMNS if fmt == "table" else list(table.columns)
    if fmt == "table":
        text = text_table(rows, columns) + f"{len(rows)} foods\n"
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
    import difflib

    table = load_foods(foods_path)
    if food_id not in table.index:
        close = difflib.get_close_matches(food_id, list(table.index), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise click.ClickException(f"no food {food_id!r}{hint}")
    row = table.loc[food_id]
    allowed = [p for p in PATTERNS if bool(diet_mask(table.loc[[food_id]], p).iloc[0])]
    width = max(len(str(c)) for c in table.columns)
    lines = [f"{str(c).ljust(width)}  {row[c]}" for c in table.columns]
    lines.append(f"{'diets'.ljust(width)}  {', '.join(allowed)}")
    click.echo("\n".join(lines))


@foods.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def foods_check(path: Path) -> None:
    """Validate a food table and count its foods by group and diet.

    \b
    Example:
      planner foods check foods.csv
    """
    table = load_foods(path)
    counts = summary(table)
    click.echo(f"{path}: {len(table)} foods, all checks passed")
    click.echo("by group:   " + ", ".join(f"{g} {n}" for g, n in counts["groups"].items()))
    click.echo("by diet:    " + ", ".join(f"{p} {n}" for p, n in counts["patterns"].items()))


@cli.command("check")
@click.argument("constraints", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key, e.g. --set b12.supplements=none (repeatable).")
@click.option("--foods", "foods_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Food table whose ids the file may name.")
@click.option("--supplements", "supplements_path",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Supplement table whose ids the file may name.")
def check(constraints: Path | None, overrides: tuple[str, ...], foods_path: Path | None,
          supplements_path: Path | None) -> None:
    """Validate a constraint file and print the resolved configuration.

    Without CONSTRAINTS the embedded default (omnivore) is checked.

    \b
    Example:
      planner check constraints/post-rygb.toml --set nutrients.protein_g_min=70
    """
    config = load_config(constraints, overrides)
    foods_table = load_foods(foods_path)
    supplements_table = load_supplements(supplements_path)
    check_ids(config, foods_table.index, supplements_table.index,
              str(foods_path or "foods.csv"), str(supplements_path or "supplements.csv"))
    click.echo(f"# resolved from: {' -> '.join(config.files)}")
    for note in warnings(config):
        click.echo(f"# warning: {note}")
    click.echo(f"# {DISCLAIMER}")
    click.echo(dump_toml(config), nl=False)


def main() -> None:
    """Entry point of the `planner` console script."""
    cli(prog_name="planner")
