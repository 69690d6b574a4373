"""Small inline SVG charts for the HTML report (no scripts, no network, text escaped)."""

from __future__ import annotations

from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#65a30d",
           "#db2777")


def sparkline(scores: list[float], width: int = 160, height: int = 34) -> str:
    """Scores (0-100) of one question over time, oldest first."""
    if not scores:
        return ""
    pad = 3
    step = (width - 2 * pad) / max(1, len(scores) - 1)
    points = [(pad + i * step, height - pad - (score / 100) * (height - 2 * pad))
              for i, score in enumerate(scores)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    label = escape(", ".join(f"{score:.0f}" for score in scores))
    return (f'<svg class="spark" width="{width}" height="{height}" role="img" '
            f'aria-label="scores {label}" viewBox="0 0 {width} {height}">'
            f'<line x1="0" y1="{height / 2:.1f}" x2="{width}" y2="{height / 2:.1f}" '
            f'stroke="#e5e7eb"/>'
            f'<polyline fill="none" stroke="#2563eb" stroke-width="2" points="{path}"/>'
            f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="#2563eb"/></svg>')


def line_chart(series: dict[str, list[tuple[str, float]]], title: str, width: int = 640,
               height: int = 240) -> str:
    """Several lines on a 0-100 scale; each series is a list of (x label, score)."""
    labels: list[str] = []
    for points in series.values():
        for label, _ in points:
            if label not in labels:
                labels.append(label)
    if not labels:
        return ""
    left, right, top, bottom = 36, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)

    def x_of(label: str) -> float:
        return left + labels.index(label) * step if len(labels) > 1 else left + plot_w / 2

    def y_of(score: float) -> float:
        return top + plot_h - score / 100 * plot_h

    parts = [f'<svg class="chart" width="{width}" height="{height + 22 * len(series)}" '
             f'role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height + 22 * len(series)}">']
    for value in (0, 25, 50, 75, 100):
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="#e5e7eb"/><text x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11" fill="#6b7280">{value}</text>')
    every = max(1, len(labels) // 8)
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(f'<text x="{x_of(label):.1f}" y="{height - 8}" text-anchor="middle" '
                         f'font-size="11" fill="#6b7280">{escape(label)}</text>')
    for number, (name, points) in enumerate(series.items()):
        color = PALETTE[number % len(PALETTE)]
        coords = " ".join(f"{x_of(label):.1f},{y_of(score):.1f}" for label, score in points)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                     f'points="{coords}"/>')
        for label, score in points:
            parts.append(f'<circle cx="{x_of(label):.1f}" cy="{y_of(score):.1f}" r="3" '
                         f'fill="{color}"><title>{escape(name)}: {score:.0f}</title></circle>')
        legend_y = height + 16 + 22 * number
        parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="12" height="12" '
                     f'fill="{color}"/><text x="{left + 18}" y="{legend_y + 1}" '
                     f'font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
