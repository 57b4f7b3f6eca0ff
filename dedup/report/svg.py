"""The LSH S-curve: how likely a pair of a given Jaccard is to become a candidate.

The math is kept apart from the drawing so the tests can check the numbers; the drawing
is a plain SVG string (no script, no external reference) that the page embeds inline.
"""

from __future__ import annotations

from html import escape

from dedup.params import candidate_probability

WIDTH = 420
HEIGHT = 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 16, 14, 44


def half_point(bands: int, rows: int) -> float:
    """The Jaccard at which a pair is a candidate half the time (the curve's midpoint),
    solved in closed form: s = (1 - 0.5^(1/bands))^(1/rows)."""
    if bands < 1 or rows < 1:
        raise ValueError(f"bands and rows must be >= 1, got {bands}x{rows}")
    return float((1.0 - 0.5 ** (1.0 / bands)) ** (1.0 / rows))


def curve_points(bands: int, rows: int, steps: int = 100) -> list[tuple[float, float]]:
    """``steps + 1`` evenly spaced (s, P) points from s = 0 to 1."""
    return [(i / steps, candidate_probability(i / steps, bands, rows)) for i in range(steps + 1)]


def _x(s: float) -> float:
    return _LEFT + s * (WIDTH - _LEFT - _RIGHT)


def _y(p: float) -> float:
    return HEIGHT - _BOTTOM - p * (HEIGHT - _TOP - _BOTTOM)


def s_curve_svg(bands: int, rows: int) -> str:
    """The curve with its axes, tick labels and a marker where P = 0.5, as inline SVG."""
    half = half_point(bands, rows)
    parts = [
        f'<svg class="s-curve" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(f"LSH S-curve for {bands} bands of {rows} rows")}">',
        f"<title>P(candidate | s) = 1 - (1 - s^{rows})^{bands}</title>",
    ]
    x0, x1, y0, y1 = _x(0), _x(1), _y(0), _y(1)
    for i in range(6):
        v = i / 5
        parts.append(f'<line class="grid" x1="{_x(v):.1f}" y1="{y0}" x2="{_x(v):.1f}" y2="{y1}"/>')
        parts.append(f'<line class="grid" x1="{x0}" y1="{_y(v):.1f}" x2="{x1}" y2="{_y(v):.1f}"/>')
        parts.append(
            f'<text class="tick" x="{_x(v):.1f}" y="{y0 + 16}" text-anchor="middle">{v:.1f}</text>'
        )
        parts.append(
            f'<text class="tick" x="{x0 - 6}" y="{_y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>'
        )
    parts.append(f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}"/>')
    parts.append(f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/>')
    parts.append(
        f'<text class="label" x="{(x0 + x1) / 2:.1f}" y="{HEIGHT - 6}" '
        'text-anchor="middle">Jaccard similarity s</text>'
    )
    parts.append(
        f'<text class="label" transform="translate(14 {(y0 + y1) / 2:.1f}) rotate(-90)" '
        'text-anchor="middle">P(candidate)</text>'
    )
    points = " ".join(f"{_x(s):.1f},{_y(p):.1f}" for s, p in curve_points(bands, rows))
    parts.append(f'<polyline class="curve" points="{points}"/>')
    hx, hy = _x(half), _y(0.5)
    parts.append(f'<line class="half" x1="{hx:.1f}" y1="{y0}" x2="{hx:.1f}" y2="{hy:.1f}"/>')
    parts.append(f'<circle class="half" cx="{hx:.1f}" cy="{hy:.1f}" r="4"/>')
    anchor = "start" if half < 0.7 else "end"
    shift = 8 if half < 0.7 else -8
    parts.append(
        f'<text class="half-label" x="{hx + shift:.1f}" y="{hy - 6:.1f}" text-anchor="{anchor}">'
        f"P = 0.5 at s = {half:.3f}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
