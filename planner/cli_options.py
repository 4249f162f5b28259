"""What the commands share: the click group that turns library errors into one message
and an exit code, common options (tables, constraints, views, --format from -o's suffix),
loading a plan's inputs, and showing a plan's data in a format."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from .config import check_ids, load_config
from .errors import DataError, PlannerError, printable
from .output import Outputs, chosen_format
from .text import terminal_width, wrapped
from .views import (
    colour_wanted,
    coloured,
    render_plan,
)


def format_option(choices: list[str], default: str, command: str) -> Any:
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


wide_option = click.option("--wide", is_flag=True,
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


def remember_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["planner.verbose"] = value
    return value


def note(text: str) -> None:
    """A line for the terminal, wrapped at words to its width."""
    click.echo(wrapped(printable(text), terminal_width()))


def plan_inputs(constraints: Path | None, overrides: tuple[str, ...], foods_path: Path | None,
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


def stacked(function: Any, options: list[Any]) -> Any:
    """``function`` with the click decorators ``options`` applied, first on top."""
    for option in reversed(options):
        function = option(function)
    return function


def plan_options(function: Any) -> Any:
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
    return stacked(function, options)


def saved_table_options(function: Any) -> Any:
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
    return stacked(function, options)


def view_options(function: Any) -> Any:
    """Options shared by `plan` and `show`: output, calendar start, plot."""
    options = [
        click.option("-o", "--output", default="-", show_default=True,
                     help="File, or - for stdout."),
        click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]),
                     help="First day of the plan for --format ics (default: today)."),
        click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also draw absorbed B12 per window and day to this PNG file."),
    ]
    return stacked(function, options)


def show_plan(data: dict[str, Any], fmt: str, output: str, start: Any,
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
