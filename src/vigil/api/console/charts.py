"""Charts as inline SVG, drawn on the server: no JavaScript library, nothing fetched by the browser.

``bars`` draws stacked bars (one per label, one colour per series) with a legend and the total
above each bar; every bar carries a ``<title>`` so hovering shows its numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")


def bars(
    labels: Sequence[str], series: Mapping[str, Sequence[float]], *, height: int = 180, unit: str = ""
) -> str:
    width = max(320, 48 * len(labels) + 60)
    top = max((sum(s[i] for s in series.values()) for i in range(len(labels))), default=0) or 1
    plot = height - 40
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 20 * ((len(series) + 3) // 4)}"'
        f' width="{width}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, label in enumerate(labels):
        x, base = 50 + 48 * i, float(plot + 10)
        total = 0.0
        for k, (name, values) in enumerate(series.items()):
            v = values[i]
            if v <= 0:
                continue
            h = plot * v / top
            base -= h
            total += v
            colour = PALETTE[k % len(PALETTE)]
            out.append(
                f'<rect x="{x}" y="{base:.1f}" width="32" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)} {escape(name)}: {v:g}{escape(unit)}</title></rect>"
            )
        out.append(
            f'<text x="{x + 16}" y="{base - 3:.1f}" text-anchor="middle" font-size="10">{total:g}</text>'
        )
        out.append(
            f'<text x="{x + 16}" y="{plot + 24}" text-anchor="middle" font-size="10">{escape(label)}</text>'
        )
    out.append(f'<line x1="45" y1="{plot + 10}" x2="{width - 5}" y2="{plot + 10}" stroke="#999"/>')
    for k, name in enumerate(series):
        lx, ly = 50 + 110 * (k % 4), height + 5 + 20 * (k // 4)
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(f'<text x="{lx + 14}" y="{ly}" font-size="11">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
