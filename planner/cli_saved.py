"""The commands on a saved plan: `show`, `swap`, `replan` and `shop`, each re-verifying the
plan against the tables it was made with first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import DISCLAIMER, resources
from .cli_options import format_option, note, saved_table_options, show_plan, view_options
from .errors import DataError, PlannerError, did_you_mean, printable
from .output import Outputs, check_targets
from .text import terminal_width, wrapped
from .views import (
    PLAN_FORMATS,
    pantry_csv,
    plan_currency,
    render_shopping,
)


def _saved_plan(data: dict[str, Any], plan_path: Path, foods_path: Path | None,
                supplements_path: Path | None) -> Any:
    """The saved plan as made, checked against the tables it was made with (DataError when
    the tables given are other ones, or it was edited, or a field is missing)."""
    from .foods import load_foods
    from .inputs import file_sha256
    from .saved import checked
    from .supplements import load_supplements

    meta: dict[str, Any] = data["meta"] if isinstance(data.get("meta"), dict) else {}
    for key, path, packaged, option in (
            ("foods_sha256", foods_path, resources.default_foods(), "--foods"),
            ("supplements_sha256", supplements_path, resources.default_supplements(),
             "--supplements")):
        if meta.get(key) != file_sha256(path, packaged):
            given = printable(str(path)) if path else f"the packaged {packaged.name}"
            raise DataError(f"{printable(str(plan_path))}: made with another table than "
                            f"{given} (meta.{key} differs)",
                            f"pass the table it was made with ({option} FILE), or plan again")
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


@click.command("show")
@click.argument("plan_path", type=click.Path(dir_okay=False, path_type=Path))
@view_options
@format_option(list(PLAN_FORMATS), "table", "planner show")
@saved_table_options
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
    _saved_plan(data, plan_path, foods_path, supplements_path)
    outputs = Outputs()
    try:
        show_plan(data, fmt, output, start, plot_path, outputs)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"{plan_path}: the plan lacks or mistypes a field ({exc!r})",
                        "render a file written by `planner plan --format json`") from None
    outputs.commit()


@click.command("swap")
@click.argument("plan_path", metavar="PLAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--day", type=click.IntRange(1, 28), required=True, help="Day of the meal.")
@click.option("--occasion", required=True, help="Occasion of the meal, e.g. dinner.")
@click.option("--avoid", multiple=True, metavar="FOOD",
              help="A food id the new meal must not have (repeatable).")
@click.option("--candidates", "count", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Other meals to show, best first.")
@click.option("--pick", type=click.IntRange(1, 10), default=1, show_default=True,
              help="The candidate whose week -o writes.")
@saved_table_options
@format_option(list(PLAN_FORMATS), "json", "planner swap")
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
    note(f"Day {day} {occasion} now: {'; '.join(now) or 'nothing'}")
    note(f"  week objective {value:.2f}, cost {cost:.2f} {currency}, absorbed B12 on day "
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
        note(f"  {number}. {'; '.join(option.foods)}: objective "
              f"{option.objective - value:+.2f}, cost {option.cost - cost:+.2f} {currency}, "
              f"B12 day {day} {option.absorbed_ug:.2f} ug ({option.absorbed_ug - absorbed:+.2f})")
        for change in option.also:
            note(f"     and day {day} {change} (so that the day keeps its rules)")
    click.echo(DISCLAIMER)
    if output is not None:
        if pick > len(found):
            raise click.BadParameter(f"only {len(found)} candidates", param_hint="--pick")
        chosen = found[pick - 1].plan
        chosen.meta = _rescored(chosen, found[pick - 1].objective, swapped={
            "day": day, "occasion": occasion, "from": now, "to": found[pick - 1].foods,
            **({"also": found[pick - 1].also} if found[pick - 1].also else {})})
        outputs = Outputs()
        show_plan(chosen.to_dict(), fmt, output, None, None, outputs)
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


@click.command("replan")
@click.argument("plan_path", metavar="PLAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lock", "locks", multiple=True, metavar="DAY[:OCCASION]",
              help="Keep this day (3) or this meal (3:dinner) as it is (repeatable).")
@saved_table_options
@format_option(list(PLAN_FORMATS), "json", "planner replan")
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
    show_plan(new.to_dict(), fmt, output, None, None, outputs)
    outputs.commit()


@click.command("shop")
@click.argument("plan_path", type=click.Path(dir_okay=False, path_type=Path))
@saved_table_options
@click.option("--pantry", "pantry_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with columns id, quantity (grams for foods, units for supplements).")
@click.option("--write-pantry", "write_pantry", type=click.Path(dir_okay=False, path_type=Path),
              help="Write what remains after the plan, as next week's pantry.")
@format_option(["markdown", "csv", "json"], "markdown", "planner shop")
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
    _saved_plan(data, plan_path, foods_path, supplements_path)
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
