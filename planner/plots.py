"""PNG plots (matplotlib, optional extra `plot`): the absorption curve."""

from __future__ import annotations

import os
from typing import Any

from .absorption import AbsorptionParams, WindowResult, absorbed_ug
from .errors import PlannerError


def _pyplot() -> Any:
    os.environ.pop("MPLBACKEND", None)   # plots are always PNG (Agg); a bad value would fail
    try:
        import matplotlib
    except ImportError:
        raise PlannerError("plots need matplotlib, which is not installed",
                           "pip install 'b12-planner[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(figure: Any) -> bytes:
    """The figure as PNG bytes (written by the caller with the command's other outputs)."""
    import io

    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    finally:
        figure.clear()
    return buffer.getvalue()


def absorption_curve(params: AbsorptionParams, results: list[WindowResult],
                     fasting: bool = False) -> bytes:
    """Absorbed B12 against the dose free to bind IF, with the calculator's windows marked."""
    plt = _pyplot()
    cap = params.k_if * params.cmax_ug
    marked = [r for r in results if r.x_ug > 0]
    figure, (near, wide) = plt.subplots(1, 2, figsize=(10, 4.2))
    top = max(10.0, *(1.2 * r.x_ug for r in marked if r.x_ug <= 50), 0.0)
    ranges = ((near, [top * i / 300 for i in range(301)], "linear"),
              (wide, [10 ** (i / 50) for i in range(-100, 201)], "log"))
    for axis, doses, scale in ranges:
        axis.plot(doses, [absorbed_ug(x, params, fasting) for x in doses], label="absorbed")
        axis.axhline(cap, linestyle="--", color="grey", label=f"IF cap {cap:.2f} ug")
        for number, result in enumerate(results, start=1):
            if result.x_ug > 0 and (scale == "log" or result.x_ug <= top):
                axis.plot([result.x_ug], [result.absorbed_ug], "o", label=f"window {number}")
        axis.set_xscale(scale)
        axis.set_yscale(scale)
        axis.set_xlabel("B12 free to bind intrinsic factor in one window (ug)")
        axis.set_ylabel("absorbed (ug)")
    near.set_title(f"0-{top:g} ug: intrinsic factor saturates")
    wide.set_title("log-log: passive absorption takes over")
    handles, labels = wide.get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), fontsize=8)
    figure.suptitle("B12 absorbed per window")
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    png = _png(figure)
    plt.close(figure)
    return png


def plan_windows(data: dict[str, Any]) -> bytes:
    """Per day: absorbed B12 per window against the IF cap, and the day's total vs target."""
    plt = _pyplot()
    windows, days = data["windows"], data["days"]
    per_day = max((w["window"] for w in windows), default=1)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    width = 0.8 / per_day
    for number in range(1, per_day + 1):
        points = [(w["day"], w["absorbed_ug"]) for w in windows if w["window"] == number]
        top.bar([d + (number - 1) * width - 0.4 + width / 2 for d, _ in points],
                [a for _, a in points], width=width, label=f"window {number}")
    cap = max((w["if_cap_ug"] for w in windows), default=0.0)
    top.axhline(cap, linestyle="--", color="grey", label=f"IF cap {cap:.2f} ug per window")
    top.set_ylabel("absorbed per window (ug)")
    top.set_ylim(0, max(cap, *(w["absorbed_ug"] for w in windows), 0.1) * 1.35)
    top.legend(fontsize=8, ncol=per_day + 1, loc="upper left")
    bottom.plot([d["day"] for d in days], [d["absorbed_b12_ug"] for d in days], "o-",
                label="absorbed per day")
    bottom.plot([d["day"] for d in days], [d["target_b12_ug"] for d in days], "--",
                color="red", label="target")
    bottom.set_xlabel("day")
    bottom.set_xticks([d["day"] for d in days])
    bottom.set_ylabel("absorbed per day (ug)")
    bottom.set_ylim(0, max([d["absorbed_b12_ug"] for d in days] + [1.0]) * 1.2)
    bottom.legend(fontsize=8, loc="lower right")
    figure.suptitle("Absorbed vitamin B12")
    figure.tight_layout()
    png = _png(figure)
    plt.close(figure)
    return png


def sweep_curves(records: list[dict[str, Any]], keys: list[str],
                 currency: str = "USD") -> bytes:
    """Weekly cost and the smallest daily B12 margin against the first varied key."""
    plt = _pyplot()
    figure, (cost_axis, margin_axis) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    series: dict[Any, list[dict[str, Any]]] = {}
    for record in records:
        series.setdefault(record[keys[1]] if len(keys) > 1 else None, []).append(record)
    for label, rows in series.items():
        xs = [r[keys[0]] for r in rows]
        name = f"{keys[1]} = {label:g}" if label is not None else None
        cost_axis.plot(xs, [r["cost"] if r["cost"] is not None else float("nan") for r in rows],
                       "o-", label=name)
        margin_axis.plot(xs, [r["min_daily_margin_ug"] if r["min_daily_margin_ug"] is not None
                              else float("nan") for r in rows], "o-", label=name)
    cost_axis.set_ylabel(f"cost of the plan ({currency})")
    margin_axis.set_ylabel("smallest daily B12 margin (ug)")
    margin_axis.axhline(0, color="grey", linewidth=0.8)
    margin_axis.set_xlabel(keys[0])
    if len(keys) > 1:
        cost_axis.legend(fontsize=8)
    figure.suptitle("Sweep (infeasible points are missing)")
    figure.tight_layout()
    png = _png(figure)
    plt.close(figure)
    return png
