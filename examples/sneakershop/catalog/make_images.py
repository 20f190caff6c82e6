"""Draw the demo shop's product pictures: a flat sneaker, side view, one PNG per product.

Run it from anywhere; it reads ``products.csv`` next to it and writes every
product's ``image`` (``images/<sku>.png``). Pure standard library (no Pillow):
shapes are filled scanline by scanline into a palette canvas and written as a
4-bit indexed PNG, so a picture stays a few kilobytes. The same catalog gives
the same bytes, every time.

    python examples/sneakershop/catalog/make_images.py

The picture is 573 x 300 pixels (1.91:1, the ratio of Messenger's generic
template). The shoe's upper has the product's first colour, its stripe and heel
tab the second; the sole follows the category: a high collar for basketball,
a thick, sloped midsole for running, lugs for trail, a gum cupsole for skate
and lifestyle, hook-and-loop straps instead of laces for kids.
"""

from __future__ import annotations

import csv
import math
import struct
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "COLORS",
    "HEIGHT",
    "WIDTH",
    "Canvas",
    "Style",
    "draw",
    "encode_png",
    "main",
    "style_for",
]

WIDTH = 573
HEIGHT = 300

Point = tuple[float, float]
Rgb = tuple[int, int, int]

COLORS: dict[str, Rgb] = {
    "black": (0x26, 0x26, 0x28),
    "white": (0xFA, 0xFA, 0xF7),
    "grey": (0x9C, 0xA3, 0xAB),
    "blue": (0x2F, 0x6F, 0xD6),
    "red": (0xD6, 0x3A, 0x3A),
    "green": (0x2E, 0x9E, 0x5B),
    "yellow": (0xF2, 0xC2, 0x30),
    "orange": (0xF2, 0x8C, 0x28),
    "pink": (0xF2, 0x9B, 0xC0),
    "purple": (0x8A, 0x4F, 0xD1),
    "brown": (0x8B, 0x5A, 0x2B),
    "beige": (0xD9, 0xC6, 0xA5),
    "navy": (0x1F, 0x2F, 0x5C),
}

# Palette indices.
BG, SHADOW, LINE, OUTSOLE, MIDSOLE, UPPER, SHADE, ACCENT, LACE = range(9)
_GROUND = (BG, SHADOW)
_BACKGROUND: Rgb = (0xEE, 0xF1, 0xF5)
_SHADOW: Rgb = (0xD3, 0xD8, 0xDF)
_OUTLINE: Rgb = (0x3A, 0x3D, 0x42)
_GUM: Rgb = (0xB9, 0x7A, 0x3E)
_RUBBER: Rgb = (0x45, 0x48, 0x4D)


@dataclass(frozen=True, slots=True)
class Style:
    """How one product's shoe looks: its shape (from the category) and its colours."""

    collar: float
    """y of the top of the heel: lower numbers are higher collars."""
    heel_sole: float
    """y of the top of the sole at the heel (the sole slopes to ``toe_sole``)."""
    toe_sole: float
    lugs: bool
    straps: bool
    gum: bool
    main: Rgb
    accent: Rgb
    stripe: int
    """Which accent: 0 a sweeping stripe, 1 three slanted stripes, 2 a side band."""


@dataclass(frozen=True, slots=True)
class Canvas:
    """Palette indices, row by row."""

    pixels: bytearray

    @classmethod
    def blank(cls) -> Canvas:
        return cls(bytearray(WIDTH * HEIGHT))

    def fill(self, polygon: Sequence[Point], index: int, only: int | None = None) -> None:
        """Fill ``polygon`` (even-odd) with ``index``; with ``only``, paint just over it."""
        for y, start, end in _spans(polygon):
            row = y * WIDTH
            for x in range(start, end):
                if only is None or self.pixels[row + x] == only:
                    self.pixels[row + x] = index


# category → (collar, heel_sole, toe_sole, lugs, straps, gum), as in Style.
_SHAPES = {
    "running": (128.0, 196.0, 222.0, False, False, False),
    "basketball": (70.0, 208.0, 214.0, False, False, False),
    "lifestyle": (126.0, 214.0, 218.0, False, False, True),
    "skate": (124.0, 216.0, 218.0, False, False, True),
    "trail": (118.0, 204.0, 216.0, True, False, False),
    "kids": (118.0, 212.0, 216.0, False, True, False),
}


def style_for(sku: str, category: str, colors: Sequence[str]) -> Style:
    """The look of a product from its SKU, ``category`` key and colour keys (first = main)."""
    collar, heel, toe, lugs, straps, gum = _SHAPES.get(category, _SHAPES["lifestyle"])
    main = COLORS.get(colors[0] if colors else "white", COLORS["white"])
    accent = COLORS.get(colors[1], main) if len(colors) > 1 else main
    if accent == main:
        accent = COLORS["white"] if _light(main) < 0.5 else COLORS["black"]
    stripe = 2 if straps else sum(sku.encode()) % 3
    return Style(collar, heel, toe, lugs, straps, gum, main, accent, stripe)


def draw(style: Style) -> Canvas:
    """The sneaker of ``style`` on a light background, toe to the right."""
    canvas = Canvas.blank()
    canvas.fill(_ellipse(290, 262, 222, 11), SHADOW)
    _draw_sole(canvas, style)
    _draw_upper(canvas, style)
    _outline(canvas)
    return canvas


def _draw_sole(canvas: Canvas, style: Style) -> None:
    bottom = 254.0
    canvas.fill(_sole(style.heel_sole, style.toe_sole, bottom), MIDSOLE)
    canvas.fill(_sole(bottom - 11, bottom - 11, bottom), OUTSOLE)
    if style.lugs:
        for x in range(96, 496, 26):
            canvas.fill(_rect(x, bottom - 1, x + 14, bottom + 6), OUTSOLE)


def _draw_upper(canvas: Canvas, style: Style) -> None:
    canvas.fill(_upper(style), UPPER)
    canvas.fill(_ellipse(508, 226, 92, 46), SHADE, only=UPPER)
    canvas.fill(_ellipse(72, 214, 58, 62), SHADE, only=UPPER)
    _draw_accent(canvas, style)
    c = style.collar
    canvas.fill(_thick((98, c + 8), (94, c - 14), 11), ACCENT)
    canvas.fill(_ellipse(88, c + 22, 22, 30), ACCENT, only=UPPER)
    canvas.fill([*_collar(c), *_collar(c + 9)[::-1]], SHADE, only=UPPER)
    if style.straps:
        for x in (270.0, 330.0):
            canvas.fill(_strap(style, x), ACCENT)
    else:
        _draw_laces(canvas, style)


def _draw_accent(canvas: Canvas, style: Style) -> None:
    base = style.heel_sole
    if style.stripe == 0:
        outer = _bezier((112, base - 4), (220, base - 12), (320, base - 44), (372, 174))
        inner = _bezier((372, 174), (350, base - 14), (230, base + 6), (112, base - 4))
        canvas.fill([*outer, *inner], ACCENT, only=UPPER)
    elif style.stripe == 1:
        for dx in (0, 26, 52):
            x = 170.0 + dx
            canvas.fill(_thick((x, base), (x + 52, base - 84), 13), ACCENT, only=UPPER)
    else:
        canvas.fill(_rect(100, base - 22, 470, base - 10), ACCENT, only=UPPER)


def _draw_laces(canvas: Canvas, style: Style) -> None:
    line = _instep(style)
    for i in range(1, 6):
        x, y = line[i * 3]
        canvas.fill(_thick((x - 9, y + 4), (x + 7, y + 22), 6), LACE)


def _instep(style: Style) -> list[Point]:
    top = style.collar - 16
    return _bezier((236, top + 6), (290, top + 30), (360, 142), (420, 166), steps=18)


def _upper(style: Style) -> list[Point]:
    c, heel = style.collar, style.heel_sole
    back = _bezier((96, heel + 4), (66, heel - 40), (72, c + 30), (104, c))
    tongue = [(206.0, c - 16), (236.0, c - 10)]
    toe = _bezier((420, 166), (470, 178), (512, 188), (512, 212))
    return [*back, *_collar(c), *tongue, *_instep(style), *toe, (504.0, style.toe_sole + 4)]


def _collar(top: float) -> list[Point]:
    """The edge of the ankle opening, from the heel to the tongue."""
    return _bezier((104, top), (140, top + 6), (170, top + 22), (198, top + 12))


def _strap(style: Style, x: float) -> list[Point]:
    top = _instep(style)
    _, y = min(top, key=lambda p: abs(p[0] - x))
    return [(x - 4, y - 5), (x + 30, y + 7), (x + 22, y + 56), (x - 12, y + 44)]


def _sole(heel: float, toe: float, bottom: float) -> list[Point]:
    top = _bezier((84, heel), (250, heel), (380, toe), (500, toe))
    nose = _bezier((500, toe), (528, toe), (530, bottom - 10), (506, bottom - 4))
    underside = _bezier((506, bottom - 4), (380, bottom), (200, bottom), (92, bottom))
    tail = _bezier((92, bottom), (70, bottom - 4), (70, heel + 2), (84, heel))
    return [*top, *nose, *underside, *tail]


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 16) -> list[Point]:
    points = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
        x = a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0]
        y = a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]
        points.append((x, y))
    return points


def _ellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 48) -> list[Point]:
    angles = (2 * math.pi * i / steps for i in range(steps))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _thick(p: Point, q: Point, width: float) -> list[Point]:
    """A straight band of ``width`` from ``p`` to ``q``."""
    length = math.dist(p, q) or 1.0
    nx, ny = (q[1] - p[1]) / length * width / 2, (p[0] - q[0]) / length * width / 2
    return [
        (p[0] + nx, p[1] + ny),
        (q[0] + nx, q[1] + ny),
        (q[0] - nx, q[1] - ny),
        (p[0] - nx, p[1] - ny),
    ]


def _spans(polygon: Sequence[Point]) -> Iterator[tuple[int, int, int]]:
    """(y, x_start, x_end) runs of pixels whose centres lie inside ``polygon``."""
    edges = list(zip(polygon, [*polygon[1:], polygon[0]], strict=True))
    ys = [p[1] for p in polygon]
    for y in range(max(0, math.floor(min(ys))), min(HEIGHT, math.ceil(max(ys)) + 1)):
        centre = y + 0.5
        xs = sorted(
            a[0] + (centre - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            for a, b in edges
            if (a[1] <= centre) != (b[1] <= centre)
        )
        for left, right in zip(xs[::2], xs[1::2], strict=False):
            start, end = max(0, math.ceil(left - 0.5)), min(WIDTH, math.ceil(right - 0.5))
            if start < end:
                yield y, start, end


def _outline(canvas: Canvas) -> None:
    """A dark line wherever two parts of the shoe meet, or the shoe meets the ground."""
    px = canvas.pixels
    marks: set[int] = set()
    for y in range(HEIGHT - 1):
        row = y * WIDTH
        for i in range(row, row + WIDTH - 1):
            for j in (i + 1, i + WIDTH):
                if px[i] != px[j]:
                    marks.update(_edge_side(px, i, j))
    for i in marks:
        px[i] = LINE


def _edge_side(px: bytearray, i: int, j: int) -> tuple[int, ...]:
    """Which of two different neighbours gets the line: the shoe's, never the ground's."""
    a_ground, b_ground = px[i] in _GROUND, px[j] in _GROUND
    if a_ground and b_ground:
        return ()
    return (j,) if a_ground else (i,)


def _light(rgb: Rgb) -> float:
    return (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255


def _palette(style: Style) -> list[Rgb]:
    outsole = _GUM if style.gum else _RUBBER
    shade = _shade(style.main)
    lace = COLORS["white"] if _light(style.main) < 0.6 else _OUTLINE
    midsole = COLORS["white"] if style.main != COLORS["white"] else (0xE4, 0xE2, 0xDC)
    return [_BACKGROUND, _SHADOW, _OUTLINE, outsole, midsole, style.main, shade, style.accent, lace]


def _shade(rgb: Rgb) -> Rgb:
    """A darker tone of ``rgb`` (a lighter one for black, which cannot get darker)."""
    if _light(rgb) < 0.2:
        return (0x44, 0x46, 0x4B)
    r, g, b = (int(c * 0.82) for c in rgb)
    return (r, g, b)


def encode_png(canvas: Canvas, palette: Sequence[Rgb]) -> bytes:
    """``canvas`` as a 4-bit indexed PNG (at most 16 colours)."""
    rows = bytearray()
    for y in range(HEIGHT):
        line = canvas.pixels[y * WIDTH : (y + 1) * WIDTH] + b"\x00"
        rows.append(0)  # filter type: none
        rows.extend((line[x] << 4) | line[x + 1] for x in range(0, WIDTH, 2))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 4, 3, 0, 0, 0)
    plte = b"".join(bytes(rgb) for rgb in palette)
    chunks = (
        _chunk(b"IHDR", header),
        _chunk(b"PLTE", plte),
        _chunk(b"IDAT", zlib.compress(bytes(rows), 9)),
    )
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def main(catalog: Path | None = None) -> int:
    """Write the picture of every product in ``catalog`` (default: products.csv here)."""
    csv_path = catalog or Path(__file__).with_name("products.csv")
    with csv_path.open(encoding="utf-8", newline="") as file:
        products = list(csv.DictReader(file))
    for product in products:
        colors = [c.strip() for c in product["colors"].split(",") if c.strip()]
        style = style_for(product["sku"], product["category"], colors)
        target = csv_path.parent / product["image"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(encode_png(draw(style), _palette(style)))
    print(f"wrote {len(products)} pictures next to {csv_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
