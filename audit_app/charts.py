"""Every chart of the product, drawn once with matplotlib: as SVG for pages (an ``<img>``
whose source is the SVG itself, so the page's content security policy needs no inline
styles) and as PNG for Word reports. Each chart carries a text alternative and the table of
its figures, which pages show beside it: the chart is never the only way to read them."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen: draw to files only

from matplotlib import dates as mdates
from matplotlib.figure import Figure

# Text stays text in the SVG (smaller, quicker, and read by a screen reader's find);
# each figure is made without pyplot, so drawing needs no global state.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "audit-app"  # the same chart, the same bytes

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
        figure: Figure = self.figure_builder()
        out = io.BytesIO()
        options: dict[str, Any] = {"format": kind, "dpi": dpi}
        if kind == "svg":
            options["metadata"] = {"Date": None}  # the same chart, the same bytes
        figure.savefig(out, **options)
        return out.getvalue()


def _short(label: str) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _margins(
    figure: Figure,
    labels: Sequence[str],
    height: float,
    *,
    legend: bool = False,
    dates: bool = False,
) -> None:
    """Room for the row labels, title, axis and legend, worked out from the text instead of
    measured by drawing the figure twice (as tight_layout does)."""
    width_in = 7.5
    longest = max((len(_short(label)) for label in labels), default=4)
    left = min(0.45, (0.09 * longest + 0.35) / width_in)
    bottom = min(0.5, (1.05 if dates else 0.65) / height)
    top = 1 - min(0.3, 0.45 / height)
    right = 0.74 if legend else 0.97
    figure.subplots_adjust(left=left, right=right, top=top, bottom=bottom)


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
        if len(names) > 1:  # the legend sits to the right: the figure is as tall as it is
            height = max(height, 0.24 * len(names) + 0.9)
        figure = Figure(figsize=(7.5, height))
        axes = figure.add_subplot()
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
            axes.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
        axes.set_title(_short(title), color=TEXT, fontsize=11, loc="left")
        _style(axes)
        _margins(figure, categories, height, legend=len(names) > 1)
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
        height = max(1.8, 0.5 * len(lanes) + 1.4)
        figure = Figure(figsize=(7.5, height))
        axes = figure.add_subplot()
        for marked, marker, colour, size, label in (
            (False, "o", PALETTE[0], 49, "Other involvement"),
            (True, "D", COLUMN_COLOURS["worried_about"], 81, marked_label),
        ):
            chosen = [event for event in events if event.marked == marked]
            if chosen:
                axes.scatter(
                    [event.when for event in chosen],
                    [lanes.index(event.lane) for event in chosen],
                    marker=marker,
                    color=colour,
                    s=size,
                    label=label,
                    zorder=3,
                )
        axes.set_yticks(range(len(lanes)), [_short(lane) for lane in lanes])
        axes.set_ylim(-0.6, max(len(lanes) - 0.4, 0.6))
        axes.invert_yaxis()
        axes.grid(axis="x", color="#b1b4b6", linewidth=0.5)
        axes.set_title(_short(title), color=TEXT, fontsize=11, loc="left")
        axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=7))
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b %Y"))
        for label in axes.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
        _style(axes)
        if any(event.marked for event in events):
            axes.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1, 1))
        _margins(figure, lanes, height, legend=any(event.marked for event in events), dates=True)
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
