"""The HTML plan in a real headless browser (Debian's Chromium): nothing is cut or spills past
the page on a screen, a phone, or the printable width of A4 and Letter paper, it prints to
PDF on both papers, and a screenshot shows the page with an empty right margin.

Skipped where Chromium is not installed; CI installs it (`.ci/run`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from planner.saved import load_plan_json
from planner.views import render_plan

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt install chromium)")
DATA = Path(__file__).parent / "data"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
# Widths in CSS pixels (96 per inch): a desktop window, a phone, and the printable width of
# A4 (210 mm) and Letter (8.5 in) less the page's 15 mm margins on each side.
WIDTHS = {"desktop": 1280, "phone": 390, "A4": round((210 - 30) / 25.4 * 96),
          "Letter": round((8.5 * 25.4 - 30) / 25.4 * 96)}
PROBE = """<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const spill = [];
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      spill.push(node.tagName + ": " + (node.textContent || "").slice(0, 40));
    }
  }
  const report = {width: width, scroll: document.documentElement.scrollWidth,
                  spill: spill, items: document.querySelectorAll("li").length,
                  svg: document.querySelectorAll("svg").length};
  document.body.setAttribute("data-probe", JSON.stringify(report));
});
</script>"""


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={cwd / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd, check=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small saved plan and a 28-day, 12-window variant of it, as HTML pages."""
    folder = tmp_path_factory.mktemp("browser")
    small = load_plan_json(DATA / "plan_small.json")
    long = json.loads(json.dumps(small))
    long["days"] = [{**small["days"][0], "day": d} for d in range(1, 29)]
    long["windows"] = [{**small["windows"][0], "day": d, "window": w}
                       for d in range(1, 29) for w in range(1, 13)]
    out = {}
    for name, data in (("small", small), ("long", long)):
        path = folder / f"{name}.html"
        path.write_text(render_plan(data, "html"), encoding="utf-8")
        out[name] = path
    return out


def probe(page: Path, width: int) -> dict[str, Any]:
    probed = page.with_name(f"{page.stem}-probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                      encoding="utf-8")
    dom = chromium("--dump-dom", f"--window-size={width},900", probed.as_uri(),
                   cwd=page.parent).stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, dom[:500]
    report: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"')
                                        .replace("&amp;", "&"))
    return report


@pytest.mark.parametrize("view", sorted(WIDTHS))
@pytest.mark.parametrize("name", ["small", "long"])
def test_nothing_spills_past_the_page(pages: dict[str, Path], view: str, name: str) -> None:
    report = probe(pages[name], WIDTHS[view])
    assert report["spill"] == [] and report["scroll"] <= report["width"], report
    assert report["items"] > 0 and report["svg"] == 1


LANDSCAPE = [("A4", (842, 595)), ("Letter", (792, 612))]


def _pdf_of(page: Path, html: str, paper: str, name: str) -> bytes:
    sized = page.with_name(f"{name}-{paper}.html")
    sized.write_text(html.replace("@page{size:landscape;", f"@page{{size:{paper} landscape;"),
                     encoding="utf-8")
    pdf = page.with_name(f"{name}-{paper}.pdf")
    chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", sized.as_uri(),
             cwd=page.parent)
    return pdf.read_bytes()


@pytest.mark.parametrize(("paper", "size"), LANDSCAPE)
def test_the_week_grid_prints_on_one_page(pages: dict[str, Path], paper: str,
                                          size: tuple[int, int]) -> None:
    """Issue 29 item 8: a full week of 10 occasions with long meal names: the opening (title,
    disclaimer, the occasions x days table) is one landscape page."""
    small = load_plan_json(DATA / "plan_small.json")
    week = json.loads(json.dumps(small))
    week["days"] = [{**small["days"][0], "day": d} for d in range(1, 8)]
    week["occasions"] = []
    for day in range(1, 8):
        for occasion in small["occasions"][:10]:
            long_name = "Chicken or turkey, noodles, and vegetables including carrots, broccoli"
            week["occasions"].append({**occasion, "day": day, "plain_water_ml": 500.0,
                                      "meal": {"id": "D0001", "name": long_name, "seen": 3,
                                               "kind": "library"}})
    html = render_plan(week, "html")
    assert '<table class="grid">' in html and html.count("<th>Day ") == 7
    end = html.index("</section>", html.index('<section class="grid-page">')) + len("</section>")
    opening = html[:end] + "</body></html>"
    content = _pdf_of(pages["small"], opening, paper, "grid")
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == 1
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", content)
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {size}
    assert ".grid-page{break-after:page;break-inside:avoid}" in html
    assert "section.day{break-inside:avoid}" in html and ".shopping{break-before:page}" in html
    assert "page-break-before:page" not in html


def test_the_chart_has_labelled_axes_with_units(pages: dict[str, Path]) -> None:
    html = pages["long"].read_text(encoding="utf-8")
    assert "absorbed B12 (µg)" in html and "day (one bar per meal window)" in html
    assert "intrinsic-factor cap" in html and "µg per window" in html


@pytest.mark.parametrize(("paper", "size"), LANDSCAPE)
def test_the_page_prints_on_a4_and_letter(pages: dict[str, Path], paper: str,
                                          size: tuple[int, int]) -> None:
    page = pages["long"]
    sized = page.with_name(f"long-{paper}.html")
    sized.write_text(page.read_text(encoding="utf-8").replace(
        "@page{size:landscape;", f"@page{{size:{paper} landscape;"), encoding="utf-8")
    pdf = page.with_name(f"long-{paper}.pdf")
    chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", sized.as_uri(),
             cwd=page.parent)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", content)
    assert boxes and {(round(float(w)), round(float(h))) for w, h in boxes} == {size}


def test_a_screenshot_shows_the_page_with_an_empty_right_margin(
        pages: dict[str, Path]) -> None:
    image = pytest.importorskip("matplotlib.image")
    shot = pages["long"].with_name("long.png")
    chromium(f"--screenshot={shot}", "--window-size=1000,1400", pages["long"].as_uri(),
             cwd=pages["long"].parent)
    pixels = image.imread(shot)
    assert pixels.shape[1] == 1000 and pixels.std() > 0.01   # something is drawn
    margin = pixels[:, -20:, :3]
    assert (margin == margin[0, 0]).all()   # nothing reaches the right edge
