"""The EU emblem, drawn from its published geometry (no downloaded artwork).

The flag is a blue rectangle of proportions 3:2 with twelve gold five-pointed stars on an
invisible circle whose radius is a third of the height, centred on the flag; each star's points
lie on a circle whose radius is one eighteenth of the height, one point straight up, and the
stars stand like the hours on a clock face (upright, not turned with the circle). Colours:
Reflex Blue and Yellow, #003399 and #FFCC00 on screen.

`emblem_svg()` is the file shipped as static/img/eu-emblem.svg (a test keeps the two equal);
`emblem_png()` is the same drawing as a bitmap, for Word, which python-docx cannot give SVG.
"""

import io
import math
from functools import cache

BLUE = "#003399"
GOLD = "#FFCC00"
HEIGHT = 200  # units of the SVG's coordinate system; the width is 3/2 of it
WIDTH = HEIGHT * 3 // 2
STARS = 12
# A regular five-pointed star: its inner corners lie on this fraction of its points' circle.
INNER_RATIO = math.sin(math.radians(18)) / math.sin(math.radians(54))


def star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """The ten corners of an upright five-pointed star centred on (cx, cy), clockwise from its top point."""
    points = []
    for corner in range(10):
        angle = math.radians(-90 + 36 * corner)
        r = radius if corner % 2 == 0 else radius * INNER_RATIO
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def star_centres(width: float, height: float) -> list[tuple[float, float]]:
    """The twelve stars' centres, from twelve o'clock clockwise."""
    cx, cy, ring = width / 2, height / 2, height / 3
    return [
        (
            cx + ring * math.cos(math.radians(-90 + 360 * n / STARS)),
            cy + ring * math.sin(math.radians(-90 + 360 * n / STARS)),
        )
        for n in range(STARS)
    ]


def emblem_svg() -> str:
    star_radius = HEIGHT / 18
    polygons = "\n".join(
        '  <polygon points="' + " ".join(f"{x:.2f},{y:.2f}" for x, y in star_points(cx, cy, star_radius)) + '"/>'
        for cx, cy in star_centres(WIDTH, HEIGHT)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        ' role="img" aria-label="Flag of the European Union">\n'
        "  <title>Flag of the European Union</title>\n"
        f'  <rect width="{WIDTH}" height="{HEIGHT}" fill="{BLUE}"/>\n'
        f'  <g fill="{GOLD}">\n{polygons}\n  </g>\n'
        "</svg>\n"
    )


@cache
def emblem_png(height: int = 240) -> bytes:
    """The emblem as a PNG `height` pixels high (drawn 4 times larger and scaled down: smooth edges)."""
    from PIL import Image, ImageDraw

    scale = 4
    big_height = height * scale
    big_width = big_height * 3 // 2
    image = Image.new("RGB", (big_width, big_height), BLUE)
    draw = ImageDraw.Draw(image)
    for cx, cy in star_centres(big_width, big_height):
        draw.polygon(star_points(cx, cy, big_height / 18), fill=GOLD)
    image = image.resize((big_width // scale, height), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
