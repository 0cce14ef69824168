"""The dashboard's charts: one table of figures each, drawn as SVG by pygal and offered as CSV.

The page shows each chart as an image with a text alternative and the same table beside it
(in a <details>), so it reads without JavaScript, images or colour.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from community.analytics.services import Dashboard
from community.escalation.labels import STATE_LABELS
from community.ideas.models import STATUS_LABELS
from community.l10n import N_, translate

Cell = str | int | float | None
SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)


@dataclass(frozen=True)
class Chart:
    name: str
    title: str  # translated
    kind: str  # "bar", "line" or "hbar"
    columns: list[str]  # translated; the first names the rows
    rows: Sequence[tuple[Cell, ...]]
    percent: bool = False  # values are shares (0-1), drawn as %
    plotted: int = 0  # how many value columns the image draws (0: all); the table has all


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _questions(d: Dashboard, t: Callable[[str], str]) -> Chart:
    return Chart("questions", t(N_("Questions asked per day")), "bar",
                 [t(N_("Day")), t(N_("Questions asked"))],
                 [(p.day.isoformat(), p.questions) for p in d.days])  # fmt: skip


def _answered(d: Dashboard, t: Callable[[str], str]) -> Chart:
    return Chart("answered", t(N_("Answered and resolved, by day asked")), "line",
                 [t(N_("Day")), t(N_("Answered")), t(N_("Resolved"))],
                 [(p.day.isoformat(), _pct(p.answered_rate), _pct(p.resolved_rate))
                  for p in d.days], percent=True)  # fmt: skip


def _sentiment(d: Dashboard, t: Callable[[str], str]) -> Chart:
    return Chart("sentiment", t(N_("Customer sentiment per day (-1 to 1)")), "line",
                 [t(N_("Day")), t(N_("Mean sentiment")), t(N_("Negative posts"))],
                 [(p.day.isoformat(), None if p.sentiment is None else round(p.sentiment, 3),
                   p.negative_posts) for p in d.days], plotted=1)  # fmt: skip


def _escalations(d: Dashboard, t: Callable[[str], str]) -> Chart:
    rows = [(t(STATE_LABELS.get(k, k)), n) for k, n in d.breakdowns["escalation_state"]]
    return Chart("escalations", t(N_("Escalations by state")), "hbar",
                 [t(N_("State")), t(N_("Escalations"))], rows)  # fmt: skip


def _ideas(d: Dashboard, t: Callable[[str], str]) -> Chart:
    rows = [(t(STATUS_LABELS.get(k, k)), n) for k, n in d.breakdowns["ideas"]]
    return Chart("ideas", t(N_("Ideas proposed, by status now")), "hbar",
                 [t(N_("Status")), t(N_("Ideas"))], rows)  # fmt: skip


CHARTS: dict[str, Callable[[Dashboard, Callable[[str], str]], Chart]] = {
    "questions": _questions,
    "answered": _answered,
    "sentiment": _sentiment,
    "escalations": _escalations,
    "ideas": _ideas,
}


def charts(dashboard: Dashboard, locale: str) -> list[Chart]:
    return [make(dashboard, lambda m: translate(locale, m)) for make in CHARTS.values()]


def chart(dashboard: Dashboard, name: str, locale: str) -> Chart:
    return CHARTS[name](dashboard, lambda m: translate(locale, m))


def as_csv(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in chart.rows)
    return out.getvalue()


def as_svg(chart: Chart, colours: tuple[str, ...]) -> bytes:
    """The chart as a standalone SVG document (no script: it is shown as an image)."""
    style = Style(
        background="#ffffff", plot_background="#ffffff", foreground="#1f2933",
        foreground_strong="#1f2933", foreground_subtle="#6b7280",
        colors=(*colours, "#9aa5b1", "#d97706"), font_family="system-ui, sans-serif",
        title_font_size=16, label_font_size=12, major_label_font_size=12,
    )  # fmt: skip
    kind = {"bar": pygal.Bar, "line": pygal.Line, "hbar": pygal.HorizontalBar}[chart.kind]
    series = chart.plotted or len(chart.columns) - 1
    drawn = kind(
        style=style, js=[], width=800, height=320, title=chart.title, show_legend=series > 1,
        legend_at_bottom=True, x_label_rotation=0 if chart.kind == "hbar" else 45,
        show_minor_x_labels=False, truncate_label=-1, print_values=False, margin=16,
        value_formatter=(lambda v: f"{v:.0%}") if chart.percent else (lambda v: f"{v:g}"),
        no_data_text=chart.columns[0] and "—",
    )  # fmt: skip
    drawn.x_labels = [str(row[0]) for row in chart.rows]
    if chart.kind != "hbar":
        drawn.x_labels_major_every = max(len(chart.rows) // 10, 1)
    for index, column in enumerate(chart.columns[1 : 1 + series], start=1):
        drawn.add(column, [row[index] for row in chart.rows])
    if chart.percent:
        drawn.range = (0, 1)
    svg: bytes = drawn.render()
    return SCRIPT.sub(b"", svg)  # pygal's tooltips script: dead weight in an image


def as_data_uri(chart: Chart, colours: tuple[str, ...]) -> str:
    """The SVG inside the page's <img> (no request per chart; `img-src data:` allows it)."""
    return "data:image/svg+xml;base64," + base64.b64encode(as_svg(chart, colours)).decode()
