"""Figures of recorded runs as chart geometry, drawn by the pages as inline SVG: no chart library,
nothing fetched, and the numbers are in the HTML for tests and screen readers alike."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD, LEFT = 560, 180, 32, 56  # LEFT: room for the scale's labels


@dataclass
class Line:
    name: str
    points: list[tuple[float, float, str]]  # x, y, the value as shown
    key: str = ""            # the figure's own name, for a tooltip
    labelled: bool = False   # one run: each point carries its value as text

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


@dataclass
class LineChart:
    title: str
    lines: list[Line]
    labels: list[tuple[float, str]]  # x, run id
    ticks: list[tuple[float, str]]   # y, value
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT


def line_chart(title: str, runs: list[dict], series: dict[str, str], top: float | None = None,
               percent: bool = True) -> LineChart:
    """One line per figure name in `series` ({figure: label}) over `runs` (each {"id", "figures"}),
    oldest first; a run without the figure leaves a gap. `top` fixes the scale (1.0 for shares)."""
    values = [v for r in runs for k in series if (v := r["figures"].get(k)) is not None]
    high = top or max(values, default=1.0) or 1.0
    lines = [Line(label, [(x, _y(v, high), _shown(v, percent)) for x, r in zip(xs, runs)
                          if (v := r["figures"].get(key)) is not None], key, len(runs) == 1)
             for (key, label), xs in zip(series.items(), _columns(len(runs), len(series)))]
    ticks = [(_y(high * f, high), _shown(high * f, percent)) for f in (0, 0.5, 1)]
    return LineChart(title, lines, [(x, str(r["id"])) for x, r in zip(_spread(len(runs)), runs)], ticks)


def _columns(runs: int, series: int) -> list[list[float]]:
    """Each series' x positions: the runs spread over the width; a single run puts each series in
    a column of its own, so that its points and values never sit on one another."""
    if runs != 1:
        return [_spread(runs)] * series
    step = (WIDTH - LEFT - PAD) / series
    return [[LEFT + step * (i + 0.5)] for i in range(series)]


@dataclass
class Bar:
    label: str
    value: float | None
    items: int

    @property
    def percent(self) -> float:
        return round(float(self.value or 0) * 100, 1)


def bars(groups: dict[str, dict]) -> list[Bar]:
    """Per-category or per-tag accuracy ({name: {"accuracy", "items"}}), weakest first: where to look."""
    found = [Bar(name, g.get("accuracy"), g.get("items", 0)) for name, g in groups.items()]
    return sorted(found, key=lambda b: (b.value if b.value is not None else 2, b.label))


def _spread(count: int) -> list[float]:
    if count == 1:
        return [WIDTH / 2]
    step = (WIDTH - LEFT - PAD) / max(count - 1, 1)
    return [LEFT + i * step for i in range(count)]


def _y(value: float, high: float) -> float:
    return HEIGHT - PAD - (value / high) * (HEIGHT - 2 * PAD)


def _shown(value: float, percent: bool) -> str:
    return f"{value * 100:.1f}%" if percent else f"{value:.0f}"
