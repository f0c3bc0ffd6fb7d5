"""Charts drawn on the server as SVG: no JavaScript, no library to vendor, printable.

Every chart is ``role="img"`` with a ``<title>`` and ``<desc>`` (the page puts the numbers
in a table beside it for screen readers). Series differ by dash pattern as well as colour,
so they read in greyscale and for colour-blind readers. A zero is drawn as nothing (no
minimum width) and a missing value breaks the line instead of pretending it is zero.
"""

import math

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 58
COLOURS = ["#0b5cad", "#b45309", "#15803d", "#7c3aed", "#be123c", "#0f766e", "#4b5563"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4"]


def nice_ceiling(value):
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ not below ``value`` (1 for nothing)."""
    if not value or value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def _number(value, decimals=0):
    return number_format(round(value, decimals), decimals, use_l10n=True)


def _svg(template, *args):
    """format_html with floats written to one decimal (format_html escapes before formatting)."""
    return format_html(template.replace("{:.1f}", "{}"), *[f"{a:.1f}" if isinstance(a, float) else a for a in args])


def _frame(chart_id, title, description, body):
    return mark_safe(
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
            'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
            '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description,
        )
        + body
        + "</svg>"
    )


def _y_axis(top_value, suffix):
    parts, plot_h = [], HEIGHT - TOP - BOTTOM
    for n in range(5):
        value = top_value * n / 4
        y = TOP + plot_h - plot_h * n / 4
        parts.append(_svg(
            '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="grid"/>'
            '<text x="{}" y="{:.1f}" class="tick" text-anchor="end">{}{}</text>',
            LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y + 4, _number(value, 0 if top_value >= 4 else 1), suffix,
        ))
    return "".join(parts)


def _legend(names):
    parts, x = [], LEFT
    y = HEIGHT - 14
    for index, name in enumerate(names):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        parts.append(_svg(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>'
            '<text x="{}" y="{}" class="legend">{}</text>',
            x, x + 22, y - 4, y - 4, colour, dash, x + 27, y, name,
        ))
        x += 40 + 7 * len(str(name))
    return "".join(parts)


def line_chart(chart_id, title, description, x_labels, series, y_max=None, suffix=""):
    """``series``: [(name, [value or None per x label])]. ``y_max`` fixes the scale
    (100 for percentages); otherwise it is the data's, rounded up to a readable number."""
    values = [v for _name, vs in series for v in vs if v is not None]
    top_value = y_max or nice_ceiling(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(x_labels), 1)

    def x_at(i):
        return LEFT + (plot_w * (i + 0.5) / count)

    def y_at(v):
        return TOP + plot_h - plot_h * min(v, top_value) / top_value

    parts = [_y_axis(top_value, suffix)]
    every = max(1, math.ceil(count / 8))
    for i, label in enumerate(x_labels):
        if i % every == 0:
            parts.append(_svg('<text x="{:.1f}" y="{}" class="tick" text-anchor="middle">{}</text>',
                                     x_at(i), HEIGHT - BOTTOM + 16, label))
    for index, (name, vs) in enumerate(series):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        run = []
        for i, v in enumerate(list(vs) + [None]):
            if v is not None:
                run.append(f"{x_at(i):.1f},{y_at(v):.1f}")
                continue
            if run:
                parts.append(_svg(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"/>',
                    " ".join(run), colour, dash))
                run = []
        for i, v in enumerate(vs):
            if v is not None:
                parts.append(_svg(
                    '<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"><title>{}: {} — {}{}</title></circle>',
                    x_at(i), y_at(v), colour, name, x_labels[i], _number(v, 1), suffix))
    parts.append(_legend([name for name, _ in series]))
    if not values:
        parts.append(_svg('<text x="{}" y="{}" class="empty" text-anchor="middle">{}</text>',
                                 LEFT + plot_w / 2, TOP + plot_h / 2, description))
    return _frame(chart_id, title, description, "".join(parts))


def bar_chart(chart_id, title, description, rows, max_value=None, suffix=""):
    """Horizontal bars, ``rows``: [(label, value or None, highlighted)]. A zero or missing
    value draws no bar at all; the value is written beside it ("—" only when missing)."""
    top_value = max_value or nice_ceiling(max((v for _l, v, _h in rows if v is not None), default=0))
    row_h, label_w = 22, 170
    height = TOP + row_h * max(len(rows), 1) + 8
    plot_w = WIDTH - label_w - RIGHT - 60
    parts = []
    for i, (label, value, highlighted) in enumerate(rows):
        y = TOP + i * row_h
        parts.append(_svg('<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
                                 label_w - 8, y + 15, str(label)[:28]))
        width = plot_w * min(value, top_value) / top_value if value else 0
        if width > 0:
            parts.append(_svg('<rect x="{}" y="{}" width="{:.1f}" height="{}" class="{}"/>',
                                     label_w, y + 3, width, row_h - 6, "bar over" if highlighted else "bar"))
        text = "—" if value is None else f"{_number(value, 0)}{suffix}"
        parts.append(_svg('<text x="{:.1f}" y="{}" class="tick">{}</text>', label_w + width + 6, y + 15, text))
    svg = _frame(chart_id, title, description, "".join(parts))
    return mark_safe(svg.replace(f'viewBox="0 0 {WIDTH} {HEIGHT}"', f'viewBox="0 0 {WIDTH} {height}"', 1))


def curve_chart(chart_id, title, description, points, marks=(), x_suffix=" %", y_suffix=" %"):
    """A cumulative curve on 0–100 × 0–100 (the Pareto chart): ``points`` [(x, y)],
    ``marks`` [(x, label)] are vertical guides (the top 1 % and 20 %)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x, y):
        return LEFT + plot_w * x / 100, TOP + plot_h - plot_h * y / 100

    parts = [_y_axis(100, y_suffix)]
    for x in (0, 25, 50, 75, 100):
        px, _ = at(x, 0)
        parts.append(_svg('<text x="{:.1f}" y="{}" class="tick" text-anchor="middle">{}{}</text>',
                                 px, HEIGHT - BOTTOM + 16, x, x_suffix))
    for x, label in marks:
        px, _ = at(x, 0)
        parts.append(_svg(
            '<line x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}" class="mark"/><text x="{:.1f}" y="{}" class="tick">{}</text>',
            px, px, TOP, TOP + plot_h, px + 3, TOP + 10, label))
    if points:
        path = " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in [(0, 0), *points])
        parts.append(_svg('<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>', path, COLOURS[0]))
    else:
        parts.append(_svg('<text x="{}" y="{}" class="empty" text-anchor="middle">{}</text>',
                                 LEFT + plot_w / 2, TOP + plot_h / 2, description))
    return _frame(chart_id, title, description, "".join(parts))

