"""The report's charts, drawn as SVG by matplotlib's SVG backend.

Why matplotlib: it writes plain SVG without a browser or JavaScript (pygal's charts rely on
embedded scripts and CSS that WeasyPrint does not run), it renders identically in a browser and
in WeasyPrint's PDF, and it is maintained and packaged for every platform. Only the headless
``Agg``/SVG code paths are used; text stays text (``svg.fonttype = none``) so charts stay small
and searchable.

Each function returns a ``data:image/svg+xml`` URI, embedded as an ``<img>`` with a Dutch
``alt`` text, so the HTML report stays one self-contained file.
"""

from __future__ import annotations

import base64
import io

from weerbaar.assess.verdicts import LEVELS, NO_EVIDENCE, NOT_ASSESSED

#: One colour per state, shared with the report's CSS (contrast checked against the label colour).
COLOURS = {"hoog": "#1d6b2f", "midden": "#f5c400", "laag": "#c4314b", NO_EVIDENCE: "#f0b8c2",
           NOT_ASSESSED: "#e6e6e6"}
STATE_ORDER = (*LEVELS, NO_EVIDENCE, NOT_ASSESSED)
_FONT = "DejaVu Sans"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.family": _FONT, "font.size": 8,
                         "svg.hashsalt": "weerbaar", "axes.spines.top": False, "axes.spines.right": False})
    return plt


def _uri(fig) -> str:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def stacked_states(rows: list[tuple[str, dict[str, int]]], *, width_in: float = 7.5) -> str:
    """One horizontal bar per row (a pillar), stacked hoog → niet beoordeeld, as shares of its cells."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(width_in, 0.38 * len(rows) + 0.9))
    labels = [label for label, _ in rows]
    y = list(range(len(rows)))[::-1]
    left = [0.0] * len(rows)
    for state in STATE_ORDER:
        shares = []
        for _, counts in rows:
            total = sum(counts.values()) or 1
            shares.append(100 * counts.get(state, 0) / total)
        bars = ax.barh(y, shares, left=left, color=COLOURS[state], edgecolor="white", linewidth=0.6, label=state)
        for bar, share, (_, counts) in zip(bars, shares, rows):
            if share >= 7:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(counts.get(state, 0)),
                        ha="center", va="center", fontsize=7,
                        color="white" if state in ("hoog", "laag") else "#1b1b1b")
        left = [a + b for a, b in zip(left, shares)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("aandeel van de cellen (organisatie × maatregel), in %")
    ax.legend(ncol=5, loc="lower center", bbox_to_anchor=(0.45, 1.0), frameon=False, fontsize=7)
    return _uri(fig)


def timeline(rows: list[tuple[str, int | None, int | None, int | None]], years: tuple[int, int]) -> str:
    """Per measure a line from first mention to plan to execution (years on the x-axis)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 0.26 * len(rows) + 0.75))
    y = list(range(len(rows)))[::-1]
    # Nested glyphs, so that a mention, a plan and an execution in the same year all stay visible.
    marks = (("eerste vermelding", "o", "#6b6b6b", 90, False), ("eerste plan", "s", "#b38f00", 40, False),
             ("eerste uitvoering", "D", "#1d6b2f", 14, True))
    for yi, (_, *points) in zip(y, rows):
        present = [p for p in points if p is not None]
        if len(present) > 1:
            ax.plot([min(present), max(present)], [yi, yi], color="#8c8c8c", linewidth=1, zorder=1)
    for index, (label, marker, colour, size, filled) in enumerate(marks):
        xs = [r[1 + index] for r in rows]
        ax.scatter([x for x in xs if x is not None], [yi for yi, x in zip(y, xs) if x is not None], marker=marker,
                   facecolors=colour if filled else "none", edgecolors=colour, linewidths=1.2, s=size, label=label,
                   zorder=2 + index)
    ax.set_yticks(y, [r[0] for r in rows])
    low, high = years
    ax.set_xlim(low - 0.5, high + 0.5)
    ax.set_xticks(range(low, high + 1))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.4, 1.0), frameon=False, fontsize=7)
    return _uri(fig)


def state_grid(organisations: list[str], measures: list[str], state: dict[tuple[str, str], str]) -> str:
    """A small organisations × measures grid in the state colours: the regional view."""
    from matplotlib.patches import Rectangle

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(min(9.5, 1.8 + 0.19 * len(measures)), 0.28 * len(organisations) + 0.9))
    for row, org in enumerate(organisations):
        for col, mid in enumerate(measures):
            s = state.get((org, mid), NOT_ASSESSED)
            ax.add_patch(Rectangle((col, len(organisations) - 1 - row), 0.92, 0.88, color=COLOURS[s], linewidth=0))
    ax.set_xlim(0, len(measures))
    ax.set_ylim(0, len(organisations))
    ax.set_yticks([len(organisations) - 1 - i + 0.44 for i in range(len(organisations))], organisations)
    ticks = [i for i, m in enumerate(measures) if m.endswith(".1")]
    ax.set_xticks([i + 0.46 for i in ticks], [measures[i] for i in ticks])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("maatregelen (per pijler vanaf x.1)")
    return _uri(fig)
