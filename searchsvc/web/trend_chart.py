"""Web edge: the geometry of the trends line chart (server-drawn SVG: lines, point links, axes, legend)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..insights.trends import Period, Trends

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
MAX_X_TICKS = 10
Y_TICKS = 5
# Okabe-Ito colours (told apart with colour-blindness) and a dash pattern each (told apart without colour)
COLOURS = ("#0072B2", "#D55E00", "#007A5E", "#CC79A7", "#9A6700", "#444444")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MARKERS = ("circle", "square", "diamond", "triangle", "circle", "square")


def nice_step(top: float, ticks: int = Y_TICKS) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks up to `top`."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    step: float = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step


def _fmt(value: float, measure: str) -> str:
    if measure == "count":
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value else "0"


def trend_chart(t: Trends, measure: str, href_for: Callable[[str, Period], str]) -> dict[str, Any] | None:
    """Lines (one per series) of `measure` ("count" or "per_1000") over the periods; None without periods.
    `href_for(q, period)` links a point to the search for that query and period."""
    n = len(t.periods)
    if not n:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max((s.max_count if measure == "count" else s.max_per_1000) for s in t.series) or 1
    step = nice_step(top)
    if measure == "count":
        step = max(1.0, math.ceil(step))
    y_max = step * math.ceil(top / step)

    def x(k: int) -> float:
        return round(LEFT + (plot_w * k / (n - 1) if n > 1 else plot_w / 2), 2)

    def y(v: float) -> float:
        return round(TOP + plot_h - plot_h * v / y_max, 2)

    lines = []
    for i, s in enumerate(t.series):
        points = []
        for k, p in enumerate(s.points):
            value = p.count if measure == "count" else p.per_1000
            unit = "turn" if p.count == 1 else "turns"
            points.append({"x": x(k), "y": y(value), "href": href_for(s.q, p.period) if p.count else "",
                           "text": f"{s.q}: {p.period.key}: {p.count:,} {unit} ({_fmt(p.per_1000, 'per_1000')} "
                                   f"per 1,000)"})
        lines.append({"q": s.q, "total": s.total, "undated": s.undated, "colour": COLOURS[i % len(COLOURS)],
                      "dash": DASHES[i % len(DASHES)], "marker": MARKERS[i % len(MARKERS)],
                      "path": " ".join(f"{'M' if k == 0 else 'L'}{pt['x']},{pt['y']}" for k, pt in enumerate(points)),
                      "points": points})
    y_ticks = [{"y": y(step * j), "label": _fmt(step * j, measure)} for j in range(int(round(y_max / step)) + 1)]
    every = max(1, math.ceil(n / MAX_X_TICKS))
    x_ticks = [{"x": x(k), "label": t.periods[k].key,
                "anchor": "start" if k == 0 and n > 1 else "end" if n > 1 and x(k) > WIDTH - RIGHT - 30 else "middle"}
               for k in range(0, n, every)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
            "base": TOP + plot_h, "lines": lines, "y_ticks": y_ticks, "x_ticks": x_ticks, "measure": measure,
            "marker_size": 3.5 if n <= 60 else 2.5}
