"""A line chart of open findings per kind, laid out on the server so it needs no JavaScript.

The template draws the returned geometry as inline SVG; labels pass through Jinja's escaping.
"""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 880, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
#: colour-blind-safe palette (Okabe–Ito), one per kind in order of size
PALETTE = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#999999", "#000000")


@dataclass(frozen=True)
class Series:
    kind: str
    label: str
    colour: str
    points: str          # SVG polyline "x,y x,y …"
    last: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]        # (y, value)
    x_ticks: list[tuple[float, str]]        # (x, day)
    plot: tuple[int, int, int, int]         # left, top, right, bottom


def _nice_max(value: int) -> int:
    """Axis maximum = 4 round steps (1, 2, 3, 5 × 10ⁿ), so the five tick labels are whole numbers."""
    quarter = max(1, -(-value // 4))
    magnitude = 10 ** (len(str(quarter)) - 1)
    step = next(s * magnitude for s in (1, 2, 3, 5, 10) if quarter <= s * magnitude)
    return 4 * step


def line_chart(days: list[str], series: dict[str, list[int]], labels: dict[str, str]) -> Chart | None:
    """Geometry of the chart, or None when there is nothing to draw."""
    if not days or not series:
        return None
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    top_value = _nice_max(max(max(v) for v in series.values()))
    span = max(1, len(days) - 1)

    def x(i: int) -> float:
        return round(LEFT + (right - LEFT) * (i / span if len(days) > 1 else 0.5), 1)

    def y(v: float) -> float:
        return round(bottom - (bottom - TOP) * v / top_value, 1)

    ordered = sorted(series.items(), key=lambda kv: (-kv[1][-1], kv[0]))
    lines = [Series(kind, labels.get(kind, kind), PALETTE[i % len(PALETTE)],
                    " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)), values[-1])
             for i, (kind, values) in enumerate(ordered)]
    y_ticks = [(y(top_value * k / 4), top_value * k // 4) for k in range(5)]
    step = max(1, len(days) // 6)
    x_ticks = [(x(i), days[i][5:]) for i in range(0, len(days), step)]
    return Chart(WIDTH, HEIGHT, lines, y_ticks, x_ticks, (LEFT, TOP, right, bottom))
