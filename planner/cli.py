"""The command line (the only module that imports click): parse, call the library, render."""

from __future__ import annotations

import gc
import math
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import DISCLAIMER, resources
from .cli_options import (
    PlannerGroup,
    format_option,
    note,
    plan_inputs,
    plan_options,
    remember_verbose,
    show_plan,
    view_options,
    wide_option,
)
from .cli_saved import replan_command, shop_command, show_command, swap_command
from .cli_tables import foods, meals
from .config import dump_toml, load_config, warnings
from .errors import DataError, PlannerError, printable
from .output import ClosedStdout, Outputs, check_targets, write_output
from .schema import PROFILES
from .text import csv_text, json_text, terminal_width, text_table
from .views import (
    PLAN_FORMATS,
    plan_currency,
    render_shopping,
)
from .vocabulary import rule_words


@click.group(cls=PlannerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="b12-planner", prog_name="planner")
@click.option("--verbose", is_flag=True, is_eager=True, callback=remember_verbose,
              expose_value=False, help="Show the full traceback of an error.")
def cli() -> None:
    """Weekly meal plans whose absorbed vitamin B12 meets a target.

    \b
    Example:
      planner foods list --diet vegan
    """


for _command in (foods, meals, show_command, swap_command, replan_command, shop_command):
    cli.add_command(_command)


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
    from .needs import IODINE_NOTE, available_nutrients, iodine_matters, targets, unchecked
    from .own_meals import own_meals

    foods_table, _, config = plan_inputs(constraints, overrides, foods_path, supplements_path,
                                         None, None)
    own = own_meals(config, foods_table)
    note(f"# resolved from: {' -> '.join(config.files)}")
    if len(own):
        note(f"# own meals: {own['meal'].nunique()} from {config.meals.own}")
    for warning in warnings(config):
        note(f"# warning: {warning}")
    note(f"# {DISCLAIMER}")
    click.echo(dump_toml(config), nl=False)
    note("\n# Daily needs and upper limits of this [person] (override any in [nutrients]):")
    available = available_nutrients(foods_table)
    for target in targets(config, available):
        note(f"#   {target.key} = {target.value:g}: {target.describe()} ({target.source})")
    for label in unchecked(config, available):
        note(f"#   {label}: not checked, {foods_path or 'foods.csv'} has no values")
    if iodine_matters(config):
        note(f"# {IODINE_NOTE}")
    _clinical_rules(config)


def _clinical_rules(config: Any) -> None:
    """The clinical rules in force, resolved from [safety], [b12] and the life stage."""
    from .fluids import SOURCE, water_need_ml
    from .safety import resolve

    click.echo("# Clinical rules in force (docs/CLINICAL_RULES.md):")
    for key, value, source in resolve(config).described():
        note(f"#   {key} = {value}: {source}")
    need = water_need_ml(config)
    if need > 0:
        note(f"#   safety.water_ml_min = {need:g}: {SOURCE}; safety.drinks_share_max "
              f"= {config.safety.drinks_share_max:g}")


@cli.command("plan")
@plan_options
@view_options
@format_option(list(PLAN_FORMATS), "table", "planner plan")
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
    foods_table, supplements_table, config = plan_inputs(
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
    show_plan(data, fmt, output, start, plot_path, outputs)
    for other in plan.alternatives:
        number = other.meta["alternative"]
        show_plan(other.to_dict(), fmt, _alternative_path(output, number), start, None, outputs)
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


@cli.command("explain")
@plan_options
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

    foods_table, supplements_table, config = plan_inputs(
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
    note(f"Lower bound on any week's objective: {result.lp_cost:.2f} ({objective}; from "
          "the LP of the week's mean day).")
    price = result.shadow_price_per_0_1_ug
    if price is not None and price >= 0.005:
        note(f"Absorbed B12: each 0.1 ug/day more on every day would raise the week's "
              f"objective by about {price:.2f} {currency}.")
    elif price is not None:
        note(f"Absorbed B12: the {result.target_ug:.2f} ug/day target does not bind; the "
              "cheapest week under the other rules already absorbs as much.")
    note("Rules that bind, and what loosening each would save of the objective (estimates "
          "from the LP's prices, valid near its optimum):")
    for family, rows, saved, step in result.binding:
        words = week_words(family) if family.startswith("week:") else rule_words(family)
        words += f" ({rows} limits)" if rows > 1 else ""
        note(f"  - {words}: {step}, saves about {saved:.2f} {currency} a week")
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
@plan_options
@click.option("--vary", "varies", multiple=True, required=True, metavar="KEY=START:STOP:STEP",
              help="A key and its grid, e.g. b12.target_absorbed_ug=1.0:3.0:0.5 (one or two).")
@format_option(["table", "csv", "json"], "table", "planner sweep")
@click.option("-o", "--output", default="-", show_default=True, help="File, or - for stdout.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw cost and B12 margin against the varied key to this PNG file.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes planning the points at once (default: the machine's cores; "
                   "the same results with any number).")
@wide_option
def sweep_command(constraints: Path | None, foods_path: Path | None,
                  supplements_path: Path | None, days: int | None, overrides: tuple[str, ...],
                  time_limit: float | None, varies: tuple[str, ...],
                  fmt: str, output: str, plot_path: Path | None, workers: int | None,
                  wide: bool) -> None:
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
    foods_table, supplements_table, config = plan_inputs(
        constraints, overrides, foods_path, supplements_path, days, time_limit)
    extra = [*overrides, f"plan.days={config.plan.days}",
             f"plan.stop_after_s={config.plan.stop_after_s}"]
    for key, values in grids:  # a bad key or value fails here, before any solve
        load_config(constraints, [*extra, f"{key}={values[0]}"])
    total = math.prod(len(values) for _, values in grids)
    with click.progressbar(length=total, label="sweeping", file=sys.stderr) as bar:
        records = sweep(foods_table, supplements_table, constraints, extra, grids,
                        step=lambda: bar.update(1), workers=workers or os.cpu_count() or 1)
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
    """The command line (``planner.__main__.main`` sets the signals first); `--verbose` may
    stand anywhere."""
    if sys.stdout is None:   # started with standard output closed
        sys.stdout = ClosedStdout()
    for stream in (sys.stdout, sys.stderr):   # e.g. PYTHONIOENCODING=ascii: µ becomes ?
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    args = sys.argv[1:]
    if "--verbose" in args[1:]:
        args = ["--verbose", *[a for a in args if a != "--verbose"]]
    try:
        cli(args=args, prog_name="planner")
    finally:
        gc.freeze()   # the interpreter's last collection then skips the run's objects (0.13 s)
