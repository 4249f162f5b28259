"""The command line (the only module that imports click): parse, call the library, render."""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import os
import sys
import textwrap
import traceback
from pathlib import Path
from typing import Any

import click

from . import DISCLAIMER, resources
from .config import PROFILES, check_ids, dump_toml, load_config, warnings
from .errors import DataError, PlannerError, did_you_mean, printable
from .output import Outputs, check_targets, chosen_format, write_output
from .text import csv_text, json_text, shorten, terminal_width, text_table, wrapped
from .views import (
    PLAN_FORMATS,
    colour_wanted,
    coloured,
    pantry_csv,
    plan_currency,
    render_plan,
    render_shopping,
)
from .vocabulary import PATTERNS, ROLES, rule_words

LIST_COLUMNS = ["id", "name", "role", "group", "energy_kcal", "protein_g", "b12_ug",
                "b12_added_ug", "serving_g", "serving_label", "price_per_kg"]


def _format_option(choices: list[str], default: str, command: str) -> Any:
    """``--format``, defaulting to the view ``-o``'s suffix names, else ``default``."""
    def decorate(function: Any) -> Any:
        @functools.wraps(function)
        def resolved(*args: Any, **kwargs: Any) -> Any:
            kwargs["fmt"] = chosen_format(kwargs["fmt"], kwargs.get("output"), choices, default,
                                          command)
            return function(*args, **kwargs)

        return click.option("--format", "fmt", type=click.Choice(choices), default=None,
                            help=f"View to write [default: from -o's suffix, else "
                                 f"{default}].")(resolved)
    return decorate


_wide_option = click.option("--wide", is_flag=True,
                            help="Every column in full, wider than the terminal (COLUMNS, "
                                 "default 100) if need be.")


class PlannerGroup(click.Group):
    """A click group that turns library errors into one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:   # before click turns it into "Aborted!" and exit 1
            click.echo("Interrupted: nothing was written.", err=True)
            raise SystemExit(130) from None
        except PlannerError as exc:
            if ctx.meta.get("planner.verbose"):
                traceback.print_exc()
            click.echo(f"Error: {printable(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:   # click's own usage errors echo input too
            vars(exc)["message"] = printable(exc.message)
            raise


def _verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["planner.verbose"] = value
    return value


@click.group(cls=PlannerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="b12-planner", prog_name="planner")
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
@click.option("--role", type=click.Choice(list(ROLES)),
              help="Only foods of this role in a meal, e.g. main-dish.")
@click.option("--category", help="Only this WWEIA category: its number (3602) or words of its "
              "name (pizza).")
@click.option("--sort", "sort_by", default="id", show_default=True,
              help="Column to sort by; numbers sort largest first.")
@_format_option(["table", "csv", "json"], "table", "planner foods list")
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
@_wide_option
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


@cli.group(cls=PlannerGroup)
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
@_format_option(["table", "csv", "json"], "table", "planner meals list")
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
    from .foods import load_foods
    from .needs import IODINE_NOTE, available_nutrients, iodine_matters, targets, unchecked
    from .own_meals import own_meals
    from .supplements import check_daily_fits, load_supplements

    config = load_config(constraints, overrides)
    foods_table = load_foods(foods_path)
    supplements_table = load_supplements(supplements_path)
    check_ids(config, foods_table.index, supplements_table.index,
              str(foods_path or "foods.csv"), str(supplements_path or "supplements.csv"))
    check_daily_fits(config, supplements_table, config.files[-1] if config.files else "")
    own = own_meals(config, foods_table)
    _note(f"# resolved from: {' -> '.join(config.files)}")
    if len(own):
        _note(f"# own meals: {own['meal'].nunique()} from {config.meals.own}")
    for note in warnings(config):
        _note(f"# warning: {note}")
    _note(f"# {DISCLAIMER}")
    click.echo(dump_toml(config), nl=False)
    _note("\n# Daily needs and upper limits of this [person] (override any in [nutrients]):")
    available = available_nutrients(foods_table)
    for target in targets(config, available):
        _note(f"#   {target.key} = {target.value:g}: {target.describe()} ({target.source})")
    for label in unchecked(config, available):
        _note(f"#   {label}: not checked, {foods_path or 'foods.csv'} has no values")
    if iodine_matters(config):
        _note(f"# {IODINE_NOTE}")
    _clinical_rules(config)


def _clinical_rules(config: Any) -> None:
    """The clinical rules in force, resolved from [safety], [b12] and the life stage."""
    from .fluids import SOURCE, water_need_ml
    from .safety import resolve

    click.echo("# Clinical rules in force (docs/CLINICAL_RULES.md):")
    for key, value, source in resolve(config).described():
        _note(f"#   {key} = {value}: {source}")
    need = water_need_ml(config)
    if need > 0:
        _note(f"#   safety.water_ml_min = {need:g}: {SOURCE}; safety.drinks_share_max "
              f"= {config.safety.drinks_share_max:g}")


def _note(text: str) -> None:
    """A line for the terminal, wrapped at words to its width."""
    click.echo(wrapped(printable(text), terminal_width()))


def _plan_inputs(constraints: Path | None, overrides: tuple[str, ...], foods_path: Path | None,
                 supplements_path: Path | None, days: int | None,
                 time_limit: float | None) -> tuple[Any, Any, Any]:
    """Load and cross-check the food table, supplements and configuration."""
    from .foods import load_foods
    from .supplements import check_daily_fits, load_supplements

    extra = list(overrides)
    if days is not None:
        extra.append(f"plan.days={days}")
    if time_limit is not None:
        extra.append(f"plan.stop_after_s={time_limit}")
    config = load_config(constraints, extra)
    foods_table = load_foods(foods_path)
    supplements_table = load_supplements(supplements_path)
    check_ids(config, foods_table.index, supplements_table.index,
              str(foods_path or "foods.csv"), str(supplements_path or "supplements.csv"))
    check_daily_fits(config, supplements_table, config.files[-1] if config.files else "")
    return foods_table, supplements_table, config


def _stacked(function: Any, options: list[Any]) -> Any:
    """``function`` with the click decorators ``options`` applied, first on top."""
    for option in reversed(options):
        function = option(function)
    return function


def _plan_options(function: Any) -> Any:
    """Options shared by `plan` and `explain`."""
    options = [
        click.argument("constraints", required=False,
                       type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--foods", "foods_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Food table (default: the packaged foods.csv)."),
        click.option("--supplements", "supplements_path",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Supplement table (default: the packaged supplements.csv)."),
        click.option("--days", type=click.IntRange(1, 28), help="Days to plan (plan.days)."),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                     help="Override a key, e.g. --set b12.supplements=none (repeatable)."),
        click.option("--time-limit", type=click.FloatRange(0.5, 3600),
                     help="Seconds after which the search stops with the best week found "
                          "(plan.stop_after_s; default: only its work limits)."),
    ]
    return _stacked(function, options)


def _saved_table_options(function: Any) -> Any:
    """--foods and --supplements of the commands that read a saved plan."""
    options = [
        click.option("--foods", "foods_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Food table the plan was made with (default: the packaged "
                          "foods.csv)."),
        click.option("--supplements", "supplements_path",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Supplement table the plan was made with (default: the packaged "
                          "supplements.csv)."),
    ]
    return _stacked(function, options)


def _view_options(function: Any) -> Any:
    """Options shared by `plan` and `show`: output, calendar start, plot."""
    options = [
        click.option("-o", "--output", default="-", show_default=True,
                     help="File, or - for stdout."),
        click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]),
                     help="First day of the plan for --format ics (default: today)."),
        click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also draw absorbed B12 per window and day to this PNG file."),
    ]
    return _stacked(function, options)


def _show(data: dict[str, Any], fmt: str, output: str, start: Any,
          plot_path: Path | None, outputs: Outputs) -> None:
    """Render a plan's data in one format (and optionally a plot) into ``outputs``."""
    import datetime as dt

    day = start.date() if start else dt.date.today()
    if (dt.date.max - day).days < len(data.get("days") or []):
        raise DataError(f"--start {day.isoformat()}: the plan would end after "
                        f"{dt.date.max.isoformat()}", "choose an earlier start date")
    first = day.isoformat()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = render_plan(data, fmt, first, stamp)
    if fmt == "table" and output == "-" and colour_wanted(sys.stdout, dict(os.environ)):
        text = coloured(text)
    outputs.add(output, text)
    if plot_path is not None:
        from .plots import plan_windows

        outputs.add(plot_path, plan_windows(data))


@cli.command("plan")
@_plan_options
@_view_options
@_format_option(list(PLAN_FORMATS), "table", "planner plan")
@click.option("--shopping-list", "shopping_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the shopping list (markdown checklist) to this file.")
@click.option("--alternatives", type=click.IntRange(0, 9), default=0,
              help="Also write up to this many other good weeks (FILE-2.EXT, FILE-3.EXT, ...; "
                   "needs -o FILE), found by column generation over day menus.")
@click.option("--quiet", is_flag=True, help="No progress messages on stderr.")
def plan_command(constraints: Path | None, foods_path: Path | None,
                 supplements_path: Path | None, days: int | None, overrides: tuple[str, ...],
                 time_limit: float | None, fmt: str, output: str,
                 start: Any, plot_path: Path | None, shopping_path: Path | None,
                 alternatives: int, quiet: bool) -> None:
    """Plan meals whose absorbed B12 meets the target, and show the plan.

    Without CONSTRAINTS the embedded default (omnivore) is planned. Exit code 3 when no
    plan satisfies the rules (the diagnosis is printed).

    \b
    Example:
      planner plan constraints/vegan.toml --format json -o week.json
    """
    from .inputs import file_sha256
    from .meal_week import make_plan

    if alternatives and output == "-":
        raise click.BadParameter("other weeks are written beside the plan's file: give -o FILE",
                                 param_hint="--alternatives")
    targets = {"-o/--output": output, "--plot": plot_path, "--shopping-list": shopping_path,
               **{f"--alternatives week {n}": _alternative_path(output, n)
                  for n in range(2, alternatives + 2)}}
    check_targets(targets, {"CONSTRAINTS": constraints, "--foods": foods_path,
                            "--supplements": supplements_path})
    foods_table, supplements_table, config = _plan_inputs(
        constraints, overrides, foods_path, supplements_path, days, time_limit)
    check_targets(targets, _config_files(config))
    if alternatives and config.plan.days == 1:
        raise click.BadParameter("other weeks need a plan of several days (plan.days > 1)",
                                 param_hint="--alternatives")
    meta = {"foods_sha256": file_sha256(foods_path, resources.default_foods()),
            "supplements_sha256": file_sha256(supplements_path,
                                              resources.default_supplements())}
    progress = None if quiet else (lambda message: click.echo(printable(message), err=True))
    plan = make_plan(foods_table, supplements_table, config, progress=progress, meta=meta,
                     alternatives=alternatives)
    data = plan.to_dict()
    outputs = Outputs()
    _show(data, fmt, output, start, plot_path, outputs)
    for other in plan.alternatives:
        number = other.meta["alternative"]
        _show(other.to_dict(), fmt, _alternative_path(output, number), start, None, outputs)
    if alternatives and progress:
        progress(f"week 1: objective {plan.meta['objective']:.2f}" + "".join(
            f"; week {o.meta['alternative']}: {o.meta['objective']:.2f}"
            for o in plan.alternatives) + (f" ({len(plan.alternatives)} of {alternatives} "
                                           "other weeks found)"))
    if shopping_path is not None:
        from .shopping import shopping_list

        items = shopping_list(data, foods_table, supplements_table)
        outputs.add(shopping_path, render_shopping(items, "markdown", plan_currency(data),
                                                   data["totals"]["cost"]))
    outputs.commit()


def _alternative_path(output: str, number: int) -> str:
    """Where other week ``number`` of ``--alternatives`` goes: FILE-2.EXT beside FILE.EXT."""
    target = Path(output)
    return str(target.with_name(f"{target.stem}-{number}{target.suffix}"))


def _config_files(config: Any) -> dict[str, str]:
    """The files a resolved configuration reads: its ``extends`` chain, own meals, reference."""
    files = {f"the constraint file {name}": name for name in config.files}
    if config.meals.own:
        files["[meals] own"] = config.meals.own
    return files


def _recheck(data: dict[str, Any], plan_path: Path, foods_path: Path | None,
             supplements_path: Path | None) -> None:
    """A saved plan re-verified against the tables it was made with (DataError when it was
    edited); when the tables given are other ones, a note on stderr says it was not."""
    from .inputs import file_sha256

    meta: dict[str, Any] = data["meta"] if isinstance(data.get("meta"), dict) else {}
    same = meta.get("foods_sha256") == file_sha256(foods_path, resources.default_foods()) \
        and meta.get("supplements_sha256") == file_sha256(supplements_path,
                                                          resources.default_supplements())
    if not same:
        click.echo(f"note: {printable(str(plan_path))} was made with other food or supplement "
                   "tables than "
                   f"{'those given' if foods_path or supplements_path else 'the packaged ones'}"
                   "; it is shown as saved, not re-verified (pass them with --foods and "
                   "--supplements to check it)", err=True)
        return
    _saved_plan(data, plan_path, foods_path, supplements_path)


def _saved_plan(data: dict[str, Any], plan_path: Path, foods_path: Path | None,
                supplements_path: Path | None) -> Any:
    """The saved plan as made, checked against its tables (DataError when it was edited or
    a field is missing)."""
    from .foods import load_foods
    from .saved import checked
    from .supplements import load_supplements

    foods_table, supplements_table = load_foods(foods_path), load_supplements(supplements_path)
    try:
        return checked(data, plan_path, foods_table, supplements_table)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"{plan_path}: the plan lacks or mistypes a field ({exc!r})",
                        "use a file written by `planner plan --format json`") from None


def _rescored(plan: Any, objective: float, **change: Any) -> dict[str, Any]:
    """A changed week's meta: its objective, and its gap and status against the bound the
    original search proved (a bound for the same rules)."""
    from .bound import week_gap

    bound = plan.meta.get("bound")
    gap = week_gap(objective, bound) if isinstance(bound, float) else None
    return {**plan.meta, "objective": round(objective, 6),
            "mip_gap": None if gap is None else round(gap, 6),
            "status": "optimal" if gap is not None and gap <= plan.config.plan.mip_gap
            else "feasible", **change}


@cli.command("show")
@click.argument("plan_path", type=click.Path(dir_okay=False, path_type=Path))
@_view_options
@_format_option(list(PLAN_FORMATS), "table", "planner show")
@_saved_table_options
def show_command(plan_path: Path, fmt: str, output: str, start: Any,
                 plot_path: Path | None, foods_path: Path | None,
                 supplements_path: Path | None) -> None:
    """Render a saved plan (JSON from `planner plan --format json`) in any format.

    The plan is first re-verified against the tables it was made with: a plan edited since
    is refused (exit 1).

    \b
    Example:
      planner show week.json --format html -o week.html
    """
    from .saved import load_plan_json

    check_targets({"-o/--output": output, "--plot": plot_path},
                  {"PLAN": plan_path, "--foods": foods_path, "--supplements": supplements_path})
    data = load_plan_json(plan_path)
    _recheck(data, plan_path, foods_path, supplements_path)
    outputs = Outputs()
    try:
        _show(data, fmt, output, start, plot_path, outputs)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"{plan_path}: the plan lacks or mistypes a field ({exc!r})",
                        "render a file written by `planner plan --format json`") from None
    outputs.commit()


@cli.command("swap")
@click.argument("plan_path", metavar="PLAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--day", type=click.IntRange(1, 28), required=True, help="Day of the meal.")
@click.option("--occasion", required=True, help="Occasion of the meal, e.g. dinner.")
@click.option("--avoid", multiple=True, metavar="FOOD",
              help="A food id the new meal must not have (repeatable).")
@click.option("--candidates", "count", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Other meals to show, best first.")
@click.option("--pick", type=click.IntRange(1, 10), default=1, show_default=True,
              help="The candidate whose week -o writes.")
@_saved_table_options
@_format_option(list(PLAN_FORMATS), "json", "planner swap")
@click.option("-o", "--output", help="Write the week with the picked candidate here.")
def swap_command(plan_path: Path, day: int, occasion: str, avoid: tuple[str, ...], count: int,
                 pick: int, foods_path: Path | None, supplements_path: Path | None,
                 fmt: str, output: str | None) -> None:
    """Regenerate one meal of a saved plan, the rest of the week kept.

    Shows other meals for the occasion, best first, with what each changes in the week's
    objective and cost and in the day's absorbed B12; -o writes the week with one of them.

    \b
    Example:
      planner swap week.json --day 3 --occasion dinner --avoid salmon-canned -o week2.json
    """
    from . import meal_swap
    from .saved import load_plan_json

    check_targets({"-o/--output": output}, {"PLAN": plan_path, "--foods": foods_path,
                                             "--supplements": supplements_path})
    plan = _saved_plan(load_plan_json(plan_path), plan_path, foods_path, supplements_path)
    foods_table = plan.foods
    names = [o.name for o in plan.config.occasions]
    if day > plan.config.plan.days:
        raise click.BadParameter(f"the plan has {plan.config.plan.days} days", param_hint="--day")
    if occasion not in names:
        raise click.BadParameter(f"{occasion!r} is not an occasion of the plan; "
                                 f"{did_you_mean(occasion, names) or 'it has'} "
                                 f"({', '.join(names)})", param_hint="--occasion")
    for food in avoid:
        if food not in foods_table.index:
            raise click.BadParameter(f"{food!r} is not a food id of the table; "
                                     f"{did_you_mean(food, foods_table.index) or 'see'} "
                                     "(`planner foods list`)", param_hint="--avoid")
    found = meal_swap.candidates(plan, day, occasion, avoid, count)
    value = meal_swap.week_objective(plan)
    from .foods import currency_of

    currency = currency_of(foods_table)
    today = plan.items()
    now = today[(today["day"] == day) & (today["occasion"] == occasion)]["name"].tolist()
    cost = float(plan.totals()["cost"])
    absorbed = float(plan.days().loc[lambda d: d["day"] == day, "absorbed_b12_ug"].iloc[0])
    _note(f"Day {day} {occasion} now: {'; '.join(now) or 'nothing'}")
    _note(f"  week objective {value:.2f}, cost {cost:.2f} {currency}, absorbed B12 on day "
          f"{day}: {absorbed:.2f} ug")
    if not found:
        from .meal_explain import week_words

        held = [(week_words("week:" + name).removesuffix(" per week"), total, least)
                for name, total, least in meal_swap.held_by(plan, day, occasion)]
        why = "; ".join(f"the week has {total} {words} and needs {least}: another "
                        f"{occasion} would have to count too" for words, total, least in held) \
            or "each would break a daily rule, e.g. the day's energy or a need's daily floor"
        raise PlannerError(f"no other {occasion} on day {day} keeps every rule of the week, "
                           f"even with that day's other meals changed too ({why})",
                           f"swap another meal, or re-plan the day: planner replan "
                           f"{plan_path} " + " ".join(f"--lock {d}" for d in range(
                               1, plan.config.plan.days + 1) if d != day) + " -o FILE")
    click.echo("Other meals, the rest of the week kept:" if not any(o.also for o in found) else
               "Other meals, best first (the other days kept; the day's other meals named "
               "where they change too):")
    for number, option in enumerate(found, start=1):
        _note(f"  {number}. {'; '.join(option.foods)}: objective "
              f"{option.objective - value:+.2f}, cost {option.cost - cost:+.2f} {currency}, "
              f"B12 day {day} {option.absorbed_ug:.2f} ug ({option.absorbed_ug - absorbed:+.2f})")
        for change in option.also:
            _note(f"     and day {day} {change} (so that the day keeps its rules)")
    click.echo(DISCLAIMER)
    if output is not None:
        if pick > len(found):
            raise click.BadParameter(f"only {len(found)} candidates", param_hint="--pick")
        chosen = found[pick - 1].plan
        chosen.meta = _rescored(chosen, found[pick - 1].objective, swapped={
            "day": day, "occasion": occasion, "from": now, "to": found[pick - 1].foods,
            **({"also": found[pick - 1].also} if found[pick - 1].also else {})})
        outputs = Outputs()
        _show(chosen.to_dict(), fmt, output, None, None, outputs)
        outputs.commit()


def _parse_lock(text: str, names: list[str], days: int) -> tuple[int, str | None]:
    day_text, _, occasion = text.partition(":")
    if not day_text.isdigit() or not 1 <= int(day_text) <= days:
        raise click.BadParameter(f"{text!r}: DAY must be a day of the plan, 1 to {days}",
                                 param_hint="--lock")
    if occasion and occasion not in names:
        raise click.BadParameter(f"{text!r}: {occasion!r} is not an occasion of the plan; "
                                 f"{did_you_mean(occasion, names) or 'it has'} "
                                 f"({', '.join(names)})", param_hint="--lock")
    return int(day_text), occasion or None


@cli.command("replan")
@click.argument("plan_path", metavar="PLAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lock", "locks", multiple=True, metavar="DAY[:OCCASION]",
              help="Keep this day (3) or this meal (3:dinner) as it is (repeatable).")
@_saved_table_options
@_format_option(list(PLAN_FORMATS), "json", "planner replan")
@click.option("-o", "--output", required=True, help="File for the new week, or - for stdout.")
def replan_command(plan_path: Path, locks: tuple[str, ...], foods_path: Path | None,
                   supplements_path: Path | None, fmt: str, output: str) -> None:
    """Regenerate every meal of a saved plan but the locked ones.

    Each day in turn gets other meals at its unlocked occasions (the best that keep every
    rule of the week, with the rest of the week as it is by then); locked days and meals
    stay as they are. The new week is verified like any plan.

    \b
    Example:
      planner replan week.json --lock 1 --lock 3:dinner -o week2.json
    """
    from . import meal_swap
    from .saved import load_plan_json

    check_targets({"-o/--output": output}, {"PLAN": plan_path, "--foods": foods_path,
                                             "--supplements": supplements_path})
    plan = _saved_plan(load_plan_json(plan_path), plan_path, foods_path, supplements_path)
    names = [o.name for o in plan.config.occasions]
    held = {_parse_lock(text, names, plan.config.plan.days) for text in locks}
    before = meal_swap.week_objective(plan)
    new, changed = meal_swap.replan(plan, held)
    after = meal_swap.week_objective(new)
    new.meta = _rescored(new, after, replanned={"locks": sorted(locks), "meals": changed})
    click.echo(f"{changed} meals regenerated, {len(held)} locks kept; week objective "
               f"{before:.2f} -> {after:.2f}", err=True)
    outputs = Outputs()
    _show(new.to_dict(), fmt, output, None, None, outputs)
    outputs.commit()


@cli.command("batch")
@click.argument("people_path", metavar="PEOPLE.csv",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one plan per person (ID.json, views) and summary.csv.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="A process pool here, or a Dask cluster.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes of the local engine (default: the machine's cores).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786.")
@click.option("--format", "formats", multiple=True,
              type=click.Choice([f for f in PLAN_FORMATS if f != "json"]),
              help="Also write this view per person (repeatable); JSON is always written.")
@click.option("--shopping-list", "shopping", is_flag=True,
              help="Also write ID.shopping.md per person.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First day of the plans for --format ics (default: today).")
@click.option("--foods", "foods_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Food table for everyone (default: the packaged foods.csv).")
@click.option("--supplements", "supplements_path",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Supplement table for everyone (default: the packaged one).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key for everyone, after each row's own values (repeatable).")
@click.option("--constraints-anywhere", "anywhere", is_flag=True,
              help="Allow constraint files outside the people CSV's folder.")
@click.option("--quiet", is_flag=True, help="No progress messages on stderr.")
def batch_command(people_path: Path, outdir: Path, engine: str, workers: int | None,
                  scheduler: str | None, formats: tuple[str, ...], shopping: bool,
                  start: Any, foods_path: Path | None, supplements_path: Path | None,
                  overrides: tuple[str, ...], anywhere: bool, quiet: bool) -> None:
    """Plan for many people: one row of PEOPLE.csv per person.

    Columns: id (names the files), constraints (a preset or a file relative to the CSV;
    empty: the default) and any section.key with that person's value, e.g. person.age,
    person.weight_kg, diet.exclude, budget.max_per_week. A rerun skips people whose
    outputs exist for the same inputs. Exit 0 when every person has a plan, 3 otherwise
    (see summary.csv).

    \b
    Example:
      planner batch clinic.csv -o plans/ --workers 2
      planner batch clinic.csv -o plans/ --engine dask --scheduler tcp://127.0.0.1:8786
    """
    import datetime as dt
    import os

    from .batch import read_people, run_batch, summary_csv

    if engine == "dask" and not scheduler:
        raise click.UsageError("--engine dask needs --scheduler ADDRESS")
    if not outdir.is_dir():
        try:
            outdir.mkdir(parents=True)
        except OSError as exc:
            raise DataError(f"{outdir}: cannot create the folder ({exc.strerror})") from None
    first = (start.date() if start else dt.date.today()).isoformat()
    jobs, errors = read_people(people_path, foods_path, supplements_path, outdir,
                               tuple(dict.fromkeys(formats)), shopping, overrides, first,
                               anywhere)
    progress = None if quiet else (lambda message: click.echo(printable(message), err=True))
    rows = run_batch(jobs, errors, engine, workers or os.cpu_count() or 1, scheduler,
                     progress)
    write_output(outdir / "summary.csv", summary_csv(rows))
    planned = sum(1 for row in rows if row["status"] not in ("error", "infeasible"))
    click.echo(f"{planned} of {len(rows)} people planned; summary: {outdir / 'summary.csv'}",
               err=True)
    if planned < len(rows):
        raise SystemExit(3)


@cli.command("shop")
@click.argument("plan_path", type=click.Path(dir_okay=False, path_type=Path))
@_saved_table_options
@click.option("--pantry", "pantry_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with columns id, quantity (grams for foods, units for supplements).")
@click.option("--write-pantry", "write_pantry", type=click.Path(dir_okay=False, path_type=Path),
              help="Write what remains after the plan, as next week's pantry.")
@_format_option(["markdown", "csv", "json"], "markdown", "planner shop")
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
def shop_command(plan_path: Path, foods_path: Path | None, supplements_path: Path | None,
                 pantry_path: Path | None, write_pantry: Path | None, fmt: str,
                 output: str) -> None:
    """Shopping list of a saved plan: totals, whole packages, pantry, by aisle.

    \b
    Example:
      planner shop week.json --pantry pantry.csv --write-pantry next-pantry.csv
    """
    from .foods import load_foods
    from .saved import load_plan_json
    from .shopping import load_pantry, remaining_pantry, shopping_list
    from .supplements import load_supplements

    check_targets({"-o/--output": output, "--write-pantry": write_pantry},
                  {"PLAN": plan_path, "--foods": foods_path, "--supplements": supplements_path,
                   "--pantry": pantry_path})
    data = load_plan_json(plan_path)
    _recheck(data, plan_path, foods_path, supplements_path)
    pantry = load_pantry(pantry_path) if pantry_path else {}
    foods = load_foods(foods_path)
    items = shopping_list(data, foods, load_supplements(supplements_path),
                          pantry, str(plan_path), str(pantry_path))
    outputs = Outputs()
    text = render_shopping(items, fmt, plan_currency(data), data["totals"]["cost"])
    outputs.add(output, wrapped(text, terminal_width()) if output == "-" and fmt == "markdown"
                else text)
    if write_pantry is not None:
        outputs.add(write_pantry, pantry_csv(remaining_pantry(items, pantry, foods)))
    outputs.commit()


@cli.command("explain")
@_plan_options
def explain_command(constraints: Path | None, foods_path: Path | None,
                    supplements_path: Path | None, days: int | None,
                    overrides: tuple[str, ...],
                    time_limit: float | None) -> None:
    """Explain what limits a plan: binding rules, best B12, cost of more B12.

    From the LP of the week's mean day (every meal the rules allow, fractional).

    \b
    Example:
      planner explain constraints/vegan.toml --set b12.supplements=none
    """
    from .meal_explain import explain_meals, week_words

    foods_table, supplements_table, config = _plan_inputs(
        constraints, overrides, foods_path, supplements_path, days, time_limit)
    result = explain_meals(foods_table, supplements_table, config)
    best = "unknown" if result.best_b12_ug is None else f"{result.best_b12_ug:.2f}"
    click.echo(f"Best achievable absorbed B12 under these rules: {best} ug/day "
               f"(target {result.target_ug:.2f}).")
    if not result.feasible:
        click.echo(result.diagnosis[:1].upper() + result.diagnosis[1:])
        sys.exit(3)
    from .foods import currency_of

    currency = currency_of(foods_table)
    objective = (f"the week's objective: food and tablet cost in {currency}, plus "
                 f"{config.meals.typical_weight:g} {currency} per meal for each tenfold it is "
                 "rarer at its occasion ([meals] typical_weight)")
    _note(f"Lower bound on any week's objective: {result.lp_cost:.2f} ({objective}; from "
          "the LP of the week's mean day).")
    price = result.shadow_price_per_0_1_ug
    if price is not None and price >= 0.005:
        _note(f"Absorbed B12: each 0.1 ug/day more on every day would raise the week's "
              f"objective by about {price:.2f} {currency}.")
    elif price is not None:
        _note(f"Absorbed B12: the {result.target_ug:.2f} ug/day target does not bind; the "
              "cheapest week under the other rules already absorbs as much.")
    _note("Rules that bind, and what loosening each would save of the objective (estimates "
          "from the LP's prices, valid near its optimum):")
    for family, rows, saved, step in result.binding:
        words = week_words(family) if family.startswith("week:") else rule_words(family)
        words += f" ({rows} limits)" if rows > 1 else ""
        _note(f"  - {words}: {step}, saves about {saved:.2f} {currency} a week")
    if not result.binding:
        click.echo("  nothing: no rule but the B12 target holds the objective back")
    click.echo(DISCLAIMER)


@cli.command("absorb")
@click.option("--profile", type=click.Choice(list(PROFILES)), default="healthy",
              show_default=True, help="Absorption profile.")
@click.option("--fasting", is_flag=True,
              help="Passive fraction of a dose taken without food (default: with food).")
@click.option("--window", "windows", multiple=True, required=True, metavar="ITEMS",
              help='One absorption window: KIND:UG items separated by commas, e.g. '
                   '"meat:0.8,crystalline:1". Repeat for more windows.')
@click.option("--per-days", type=click.IntRange(1, 365), default=1, show_default=True,
              help="Divide the total by this many days (e.g. 7 for a weekly dose).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override an absorption parameter, e.g. --set absorption.k_ug=1.5.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the absorption curve with the windows to this PNG file.")
def absorb_command(profile: str, fasting: bool, windows: tuple[str, ...], per_days: int,
                   overrides: tuple[str, ...], fmt: str, plot_path: Path | None) -> None:
    """The absorption model as a calculator: doses per window in, absorbed B12 out.

    KIND is crystalline (fortificant, supplement) or a food-bound kind: meat, poultry,
    organ, dairy, fish, shellfish, egg, or analogue (nori, spirulina, tempeh: counts 0).

    \b
    Example:
      planner absorb --window "meat:0.8" --window "meat:0.8" --window "meat:0.8"
    """
    from .absorption import AbsorptionParams, calculate, parse_window

    config = load_config(resources.constraints_dir() / "absorption.toml",
                         [*overrides, f'b12.profile="{profile}"'])
    params = AbsorptionParams.from_config(config)
    try:
        parsed = [parse_window(text) for text in windows]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--window") from None
    results = calculate(parsed, params, fasting)
    total = sum(r.absorbed_ug for r in results)
    data: dict[str, Any] = {"profile": profile, "passive": "fasting" if fasting else "with_food",
            "per_days": per_days, "absorbed_ug_total": round(total, 4),
            "absorbed_ug_per_day": round(total / per_days, 4),
            "windows": [{"window": i, "items": [{"kind": k, "ug": ug} for k, ug in r.items],
                         "x_ug": round(r.x_ug, 4), "absorbed_ug": round(r.absorbed_ug, 4),
                         "if_cap_ug": round(r.if_cap_ug, 4)}
                        for i, r in enumerate(results, start=1)]}
    if fmt == "json":
        click.echo(json_text(data), nl=False)
    else:
        rows = [{"window": w["window"],
                 "items": ", ".join(f"{i['kind']}:{i['ug']:g}" for i in w["items"]),
                 "x_ug": w["x_ug"], "absorbed_ug": w["absorbed_ug"], "if_cap_ug": w["if_cap_ug"]}
                for w in data["windows"]]
        click.echo(text_table(rows, ["window", "items", "x_ug", "absorbed_ug", "if_cap_ug"],
                              ["window", "items", "free to bind (ug)", "absorbed (ug)",
                               "IF cap (ug)"]), nl=False)
        click.echo(f"absorbed: {total:.3f} ug in all, {total / per_days:.3f} ug per day "
                   f"(profile {profile}, passive {data['passive'].replace('_', ' ')})")
    if plot_path is not None:
        from .plots import absorption_curve

        write_output(plot_path, absorption_curve(params, results, fasting))


@cli.command("sweep")
@_plan_options
@click.option("--vary", "varies", multiple=True, required=True, metavar="KEY=START:STOP:STEP",
              help="A key and its grid, e.g. b12.target_absorbed_ug=1.0:3.0:0.5 (one or two).")
@_format_option(["table", "csv", "json"], "table", "planner sweep")
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw cost and B12 margin against the varied key to this PNG file.")
@_wide_option
def sweep_command(constraints: Path | None, foods_path: Path | None,
                  supplements_path: Path | None, days: int | None, overrides: tuple[str, ...],
                  time_limit: float | None, varies: tuple[str, ...],
                  fmt: str, output: str, plot_path: Path | None, wide: bool) -> None:
    """Tune a constraint file: plan over a grid of one or two keys.

    Reports per point the status, cost, mean absorbed B12, smallest daily margin and the
    rule that binds most (largest dual value in the LP relaxation).

    \b
    Example:
      planner sweep constraints/vegan.toml --vary b12.target_absorbed_ug=1.0:3.0:0.5
    """
    from .sweep import parse_vary, sweep

    if len(varies) > 2:
        raise click.BadParameter("one or two --vary keys", param_hint="--vary")
    grids = [parse_vary(v) for v in varies]
    foods_table, supplements_table, config = _plan_inputs(
        constraints, overrides, foods_path, supplements_path, days, time_limit)
    extra = [*overrides, f"plan.days={config.plan.days}",
             f"plan.stop_after_s={config.plan.stop_after_s}"]
    for key, values in grids:  # a bad key or value fails here, before any solve
        load_config(constraints, [*extra, f"{key}={values[0]}"])
    total = math.prod(len(values) for _, values in grids)
    with click.progressbar(length=total, label="sweeping", file=sys.stderr) as bar:
        records = sweep(foods_table, supplements_table, constraints, extra, grids,
                        step=lambda: bar.update(1))
    keys = [k for k, _ in grids]
    columns = [*keys, "status", "objective", "cost", "absorbed_b12_ug_per_day_mean",
               "min_daily_margin_ug", "binding", "plan_of"]
    if fmt == "json":
        text = json_text(records)
    elif fmt == "csv":
        text = csv_text(records, columns)
    else:
        text = text_table(records, columns, [*keys, "status", "objective", "cost", "B12 ug/day",
                                             "margin ug", "binding", "plan of"],
                          width=None if wide else terminal_width(),
                          shrink=["binding", "plan_of", *keys], drop=["plan_of", "objective"],
                          least=20)
    outputs = Outputs()
    outputs.add(output, text)
    if plot_path is not None:
        from .plots import sweep_curves

        if all(r["cost"] is None for r in records):
            outputs.commit()
            error = PlannerError(f"--plot {plot_path}: no point of the sweep has a plan, so "
                                 "there is nothing to draw (the table says why)",
                                 "vary the key over values that allow a plan")
            error.exit_code = 3
            raise error
        from .foods import currency_of

        outputs.add(plot_path, sweep_curves(records, keys, currency_of(foods_table)))
    outputs.commit()


@cli.command("presets")
def presets_command() -> None:
    """List the shipped constraint files (presets), one line each.

    A preset is used by its bare name: `planner plan vegan`.

    \b
    Example:
      planner presets
    """
    from .config import presets

    rows = presets()
    width = max(len(name) for name, _ in rows)
    for name, about in rows:
        click.echo(f"{name.ljust(width)}  {about}")


def main() -> None:
    """Entry point of the `planner` console script; `--verbose` may stand anywhere.

    SIGTERM and Ctrl-C end the run as an exit (143, 130) without a traceback, after the
    temporary files of an output being written are removed."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for stream in (sys.stdout, sys.stderr):   # e.g. PYTHONIOENCODING=ascii: µ becomes ?
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    args = sys.argv[1:]
    if "--verbose" in args[1:]:
        args = ["--verbose", *[a for a in args if a != "--verbose"]]
    try:
        cli(args=args, prog_name="planner")
    except KeyboardInterrupt:
        click.echo("Interrupted: nothing was written.", err=True)
        _end_now(130)
    except SystemExit as exc:
        if exc.code == 143:
            click.echo("Stopped (SIGTERM): nothing was written.", err=True)
        if exc.code in (130, 143):
            _end_now(int(exc.code))
        raise
    finally:
        gc.freeze()   # the interpreter's last collection then skips the run's objects (0.13 s)


def _end_now(code: int) -> None:
    """End a signalled run at once: the outputs' temporary files are gone already, and a
    normal interpreter shutdown while a solver thread is inside HiGHS ends in a C++ abort
    ("terminate called without an active exception", exit -6) instead of ``code``."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
