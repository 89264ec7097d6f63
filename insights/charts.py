"""Horizontal bar charts as plain geometry for the template to draw as SVG on the server: no
chart library, no script. Bars may be negative (a fall in revenue): they grow left of zero.

Pure: no Django. Every number a chart shows is in the table the page puts beside it; the chart
repeats it, never holds it alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Each bar has its label and value written on a line above it, so labels of any length and
# bars of either sign use the whole width, and the text stays legible on a 320 px phone.
WIDTH = 360  # the viewBox: the SVG scales to its column
MARGIN = 24  # either side of the plot, for the first and last tick labels
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
GAP = 10
TOP = 26  # room for the category axis's title
AXIS_ROOM = 50  # below the bars: tick labels and the axis title


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as written in the table
    x: float
    width: float
    y: float  # the bar's top; its label's baseline is above it
    negative: bool

    @property
    def label_y(self) -> float:
        return self.y - 5


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    category_axis: str  # what the bars are (zones, buckets)
    value_axis: str  # what their length is
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    zero_x: float
    plot_left: float
    plot_right: float
    axis_y: float
    height: float
    width: int = WIDTH

    @property
    def label_x(self) -> float:
        return self.plot_left

    @property
    def value_axis_x(self) -> float:
        return (self.plot_left + self.plot_right) / 2

    @property
    def category_axis_x(self) -> float:
        return 4

    @property
    def plot_top(self) -> int:
        return TOP

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    category_axis: str,
    value_axis: str,
    items: Sequence[tuple[str, int, str]],  # (label, value, value as written)
    tick_text=str,
) -> Chart:
    """A chart of `items` with about five ticks on a scale from the smallest value (or zero) to
    the largest (or zero)."""
    values = [value for _label, value, _text in items]
    low, high = min([0, *values]), max([0, *values])
    step = _nice_step((high - low) or 1)
    low = (low // step) * step
    high = max(-(-high // step) * step, low + step)  # all zero: still an axis from 0
    span = (high - low) or step
    plot_left, plot_right = MARGIN, WIDTH - MARGIN

    def x_of(value: int) -> float:
        return plot_left + (value - low) * (plot_right - plot_left) / span

    zero = x_of(0)
    bars = []
    for index, (label, value, text) in enumerate(items):
        y = TOP + LABEL_HEIGHT + index * (LABEL_HEIGHT + BAR_HEIGHT + GAP)
        end = x_of(value)
        negative = value < 0
        bars.append(
            Bar(
                label=label,
                text=text,
                x=round(min(zero, end), 1),
                width=round(max(abs(end - zero), 1 if value else 0), 1),
                y=y,
                negative=negative,
            )
        )
    axis_y = TOP + len(items) * (LABEL_HEIGHT + BAR_HEIGHT + GAP)
    ticks = tuple(Tick(round(x_of(v), 1), tick_text(v)) for v in range(low, high + 1, step))
    return Chart(
        id=id,
        title=title,
        description=description,
        category_axis=category_axis,
        value_axis=value_axis,
        bars=tuple(bars),
        ticks=ticks,
        zero_x=round(zero, 1),
        plot_left=plot_left,
        plot_right=plot_right,
        axis_y=axis_y,
        height=axis_y + AXIS_ROOM,
    )


def _nice_step(span: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about four or five ticks."""
    raw = max(span / 4, 1)
    power = 1
    while power * 10 <= raw:
        power *= 10
    for multiple in (1, 2, 5, 10):
        if power * multiple >= raw:
            return power * multiple
    return power * 10
