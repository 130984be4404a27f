"""The weekly digest's picture: the week's top tags, sessions heard with each per day, as a PNG.

Drawn by matplotlib through its Agg backend (no display, no GUI toolkit), with a ``Figure`` of
its own rather than pyplot's global state, so drawing is safe off the event loop's thread. Its
only words are the tags (the legend) and the dates (ISO, the same in every language); the
digest's message carries every sentence.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.digest_figures import DigestFigures

CHART_FILENAME = "tags-this-week.png"
# 8 x 4 inches at 100 dpi: 800 x 400 pixels, wide enough for seven dates under the axis.
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100


def tags_chart_png(figures: DigestFigures) -> bytes:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = range(len(figures.days))
    for tag, per_day in figures.daily.items():
        axes.plot(days, per_day, marker="o", label=_literal(tag))
    axes.set_xticks(list(days), [day.isoformat() for day in figures.days])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    if figures.daily:
        axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _literal(tag: str) -> str:
    """A tag shown as written: ``$`` would start matplotlib's math text, and a label starting
    with ``_`` would be left out of the legend."""
    text = tag.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text
