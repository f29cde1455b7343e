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
                centre = (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2)
                ax.text(*centre, str(counts.get(state, 0)), ha="center", va="center", fontsize=7,
                        color="white" if state in ("hoog", "laag") else "#1b1b1b")
        left = [a + b for a, b in zip(left, shares)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("aandeel van de cellen (organisatie × maatregel), in %")
    ax.legend(ncol=5, loc="lower center", bbox_to_anchor=(0.45, 1.0), frameon=False, fontsize=7)
    return _uri(fig)


def timelines(rows: list[tuple[str, dict[int, tuple[int, int, int]]]], years: tuple[int, int]) -> str:
    """Per organisation (a row) a small timeline: per year how many measures were first mentioned,
    first planned and first executed there (three lanes, circle area = number of measures).
    One figure for all organisations, so the cost does not grow with a figure per organisation."""
    plt = _pyplot()
    low, high = years
    fig, ax = plt.subplots(figsize=(min(9.5, 3.2 + 0.55 * (high - low + 1)), 0.42 * len(rows) + 0.9))
    lanes = (("eerste vermelding", "#6b6b6b", -0.25), ("eerste plan", "#b38f00", 0.0),
             ("eerste uitvoering", "#1d6b2f", 0.25))
    for index, (label, colour, offset) in enumerate(lanes):
        xs, ys, sizes, counts = [], [], [], []
        for r, (_, per_year) in enumerate(rows):
            for year, triple in per_year.items():
                if triple[index]:
                    xs.append(year)
                    ys.append(len(rows) - 1 - r - offset)
                    sizes.append(12 + 10 * triple[index])
                    counts.append(triple[index])
        ax.scatter(xs, ys, s=sizes, color=colour, label=label, zorder=3)
        for x, y, n in zip(xs, ys, counts):
            ax.annotate(str(n), (x, y), xytext=(7, -2.5), textcoords="offset points", fontsize=6, color="#1b1b1b")
    ax.set_yticks([len(rows) - 1 - r for r in range(len(rows))], [name for name, _ in rows])
    ax.set_xlim(low - 0.6, high + 0.8)
    ax.set_xticks(range(low, high + 1))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
    ax.tick_params(axis="y", length=0)
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.4, 1.0), frameon=False, fontsize=7,
              title="aantal maatregelen per jaar", title_fontsize=7)
    return _uri(fig)


def state_grid(organisations: list[str], measures: list[str], state: dict[tuple[str, str], str]) -> str:
    """A small organisations × measures grid in the state colours: the regional view (one mesh, so
    a region of 40 organisations costs no more than one of 3)."""
    from matplotlib.colors import ListedColormap

    plt = _pyplot()
    codes = {s: i for i, s in enumerate(STATE_ORDER)}
    grid = [[codes[state.get((org, mid), NOT_ASSESSED)] for mid in measures] for org in organisations]
    fig, ax = plt.subplots(figsize=(min(9.5, 2.2 + 0.17 * len(measures)), 0.26 * len(organisations) + 0.8))
    ax.pcolormesh(grid, cmap=ListedColormap([COLOURS[s] for s in STATE_ORDER]), vmin=-0.5,
                  vmax=len(STATE_ORDER) - 0.5, edgecolors="white", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_yticks([i + 0.5 for i in range(len(organisations))], organisations)
    ticks = [i for i, m in enumerate(measures) if m.endswith(".1")]
    ax.set_xticks([i + 0.5 for i in ticks], [measures[i] for i in ticks])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("maatregelen (per pijler vanaf x.1)")
    return _uri(fig)
