"""PNG plots (matplotlib, optional extra `plot`): the absorption curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .absorption import AbsorptionParams, WindowResult, absorbed_ug
from .errors import OutputError, PlannerError


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise PlannerError("plots need matplotlib, which is not installed",
                           "pip install 'b12-planner[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: Path) -> None:
    import io

    from .output import write_output

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    try:
        write_output(path, buffer.getvalue())
    except OutputError:
        raise
    finally:
        figure.clear()


def absorption_curve(params: AbsorptionParams, results: list[WindowResult], path: Path,
                     fasting: bool = False) -> None:
    """Absorbed B12 against the dose free to bind IF, with the calculator's windows marked."""
    plt = _pyplot()
    doses = [10 ** (i / 50) for i in range(-100, 201)]
    figure, axis = plt.subplots(figsize=(7, 4.2))
    axis.plot(doses, [absorbed_ug(x, params, fasting) for x in doses], label="absorbed")
    axis.axhline(params.k_if * params.cmax_ug, linestyle="--", color="grey",
                 label=f"IF cap {params.k_if * params.cmax_ug:.2f} ug")
    for number, result in enumerate(results, start=1):
        if result.x_ug > 0:
            axis.plot([result.x_ug], [result.absorbed_ug], "o", label=f"window {number}")
    axis.set_xscale("log")
    axis.set_xlabel("B12 free to bind intrinsic factor in one window (ug)")
    axis.set_ylabel("absorbed (ug)")
    axis.set_title("B12 absorbed per window")
    axis.legend(loc="upper left")
    figure.tight_layout()
    _save(figure, path)
    plt.close(figure)
