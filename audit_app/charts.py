"""Every chart of the product, drawn once with matplotlib: as SVG for pages (an ``<img>``
whose source is the SVG itself, so the page's content security policy needs no inline
styles) and as PNG for Word reports. Each chart carries a text alternative and the table of
its figures, which pages show beside it: the chart is never the only way to read them."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen: draw to files only

from matplotlib import dates as mdates
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

# matplotlib's pyplot state is not thread-safe: one chart is drawn at a time per process.
_DRAWING = threading.Lock()

# GOV.UK Design System colours: distinguishable, and each readable against white.
PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#505a5f", "#912b88", "#28a197")
COLUMN_COLOURS = {
    "working_well": "#00703c",
    "worried_about": "#d4351c",
    "needs_to_happen": "#1d70b8",
    "gap": "#b1b4b6",
}
TEXT = "#0b0c0c"
MAX_LABEL = 48


@dataclass(frozen=True)
class ChartTable:
    """The figures a chart draws, as a table: a caption, a header row, body rows."""

    caption: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str
    """The text alternative: what the chart shows, in a sentence or two."""
    table: ChartTable
    figure_builder: Any = field(repr=False, compare=False)

    def svg(self) -> str:
        """The chart as SVG text."""
        return self._render("svg").decode("utf-8")

    def svg_data_uri(self) -> str:
        """The SVG as a ``data:`` address, for an ``<img>``'s source."""
        encoded = base64.b64encode(self._render("svg")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"

    def png(self, dpi: int = 150) -> bytes:
        """The chart as PNG, for a Word report."""
        return self._render("png", dpi=dpi)

    def _render(self, kind: str, dpi: int = 100) -> bytes:
        with _DRAWING:
            figure: Figure = self.figure_builder()
            try:
                out = io.BytesIO()
                options: dict[str, Any] = {"format": kind, "bbox_inches": "tight", "dpi": dpi}
                if kind == "svg":
                    options["metadata"] = {"Date": None}  # the same chart, the same bytes
                figure.savefig(out, **options)
                return out.getvalue()
            finally:
                plt.close(figure)


def _short(label: str) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _style(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=TEXT, labelsize=9)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    value_label: str = "Number",
    colours: dict[str, str] | None = None,
    category_label: str = "",
) -> Chart:
    """Horizontal bars, one row per category; several series are stacked in each row.

    ``series`` maps a series' name to one value per category (in ``categories``' order)."""
    categories = list(categories)
    names = list(series)
    for name in names:
        if len(series[name]) != len(categories):
            raise ValueError(f"the series {name!r} needs one value per category")
    totals = [sum(series[name][i] for name in names) for i in range(len(categories))]

    def build() -> Figure:
        height = max(1.6, 0.42 * len(categories) + 1.0)
        figure, axes = plt.subplots(figsize=(7.5, height))
        left = [0] * len(categories)
        positions = list(range(len(categories)))
        for index, name in enumerate(names):
            values = list(series[name])
            colour = (colours or {}).get(name, PALETTE[index % len(PALETTE)])
            axes.barh(positions, values, left=left, color=colour, label=name, height=0.6)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, [_short(c) for c in categories])
        axes.invert_yaxis()
        axes.set_xlabel(value_label, color=TEXT)
        if category_label:
            axes.set_ylabel(category_label, color=TEXT)
        axes.xaxis.get_major_locator().set_params(integer=True)
        if len(names) > 1:
            axes.legend(frameon=False, fontsize=9, loc="lower right")
        axes.set_title(_short(title), color=TEXT, fontsize=11, loc="left")
        _style(axes)
        figure.tight_layout()
        return figure

    if len(names) == 1:
        parts = [
            f"{category}: {value}"
            for category, value in zip(categories, series[names[0]], strict=True)
        ]
    else:
        parts = [
            f"{category}: {total} ("
            + ", ".join(f"{name} {series[name][i]}" for name in names)
            + ")"
            for i, (category, total) in enumerate(zip(categories, totals, strict=True))
        ]
    alt = f"{title}. A bar chart of {value_label.lower()}: " + "; ".join(parts) + "."
    headers = [category_label or "Answer", *names] + (["Total"] if len(names) > 1 else [])
    rows = [
        [category, *(series[name][i] for name in names)] + ([totals[i]] if len(names) > 1 else [])
        for i, category in enumerate(categories)
    ]
    return Chart(title, alt, ChartTable(title, headers, rows), build)


@dataclass(frozen=True)
class TimelineEvent:
    when: date
    lane: str
    """The row it is drawn on (an agency)."""
    label: str
    marked: bool = False
    """Drawn apart (a missed chance to help earlier)."""


def timeline(
    title: str, events: Sequence[TimelineEvent], *, marked_label: str = "Missed chance"
) -> Chart:
    """Dated events on one row per lane (agency), in date order; marked events stand out
    (a red diamond) from the rest (a blue circle)."""
    events = sorted(events, key=lambda event: (event.when, event.lane))
    lanes = list(dict.fromkeys(event.lane for event in events))

    def build() -> Figure:
        figure, axes = plt.subplots(figsize=(7.5, max(1.6, 0.5 * len(lanes) + 1.2)))
        for event in events:
            row = lanes.index(event.lane)
            if event.marked:
                axes.plot(
                    event.when,
                    row,
                    marker="D",
                    color=COLUMN_COLOURS["worried_about"],
                    markersize=9,
                    linestyle="none",
                )
            else:
                axes.plot(
                    event.when, row, marker="o", color=PALETTE[0], markersize=7, linestyle="none"
                )
        axes.set_yticks(range(len(lanes)), [_short(lane) for lane in lanes])
        axes.set_ylim(-0.6, max(len(lanes) - 0.4, 0.6))
        axes.invert_yaxis()
        axes.grid(axis="x", color="#b1b4b6", linewidth=0.5)
        axes.set_title(_short(title), color=TEXT, fontsize=11, loc="left")
        locator = mdates.AutoDateLocator(maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b %Y"))
        figure.autofmt_xdate()
        _style(axes)
        if any(event.marked for event in events):
            axes.plot(
                [],
                [],
                marker="D",
                color=COLUMN_COLOURS["worried_about"],
                linestyle="none",
                label=marked_label,
            )
            axes.plot(
                [], [], marker="o", color=PALETTE[0], linestyle="none", label="Other involvement"
            )
            axes.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1, 1))
        figure.tight_layout()
        return figure

    marked = sum(1 for event in events if event.marked)
    if events:
        span = f"from {events[0].when:%-d %B %Y} to {events[-1].when:%-d %B %Y}"
        alt = (
            f"{title}. A timeline of {len(events)} dated "
            f"{'entry' if len(events) == 1 else 'entries'} {span}, one row per agency "
            f"({', '.join(lanes)}); {marked} marked as {marked_label.lower()}."
        )
    else:
        alt = f"{title}. No dated entries."
    rows = [
        [f"{event.when:%-d %B %Y}", event.lane, event.label, "Yes" if event.marked else "No"]
        for event in events
    ]
    table = ChartTable(title, ["Date", "Agency", "What happened", marked_label], rows)
    return Chart(title, alt, table, build)
