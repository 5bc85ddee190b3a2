"""The app's icons, drawn in pure Python (no image library) and written as PNG files into the
static folder: ``python -m extramile.offline.icons``. A road running into the distance, white on
the brand's green; the maskable one keeps it inside the central safe zone (80 %)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

GREEN = (15, 107, 92)
WHITE = (255, 255, 255)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "extramile" / "icons"


def _png(size: int, pixels: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def draw(size: int, *, safe: float = 1.0, rounded: bool = True) -> bytes:
    """The road: a trapezoid from the bottom edge to the horizon, a dashed centre line."""
    rows = []
    inset = (1 - safe) / 2
    radius = size * 0.18 if rounded else 0
    for y in range(size):
        row = bytearray()
        for x in range(size):
            colour = GREEN
            # Rounded corners (transparent is not used: the corners take the page's white).
            cx = min(x, size - 1 - x)
            cy = min(y, size - 1 - y)
            corner = radius and cx < radius and cy < radius
            if corner and (radius - cx) ** 2 + (radius - cy) ** 2 > radius**2:
                row += bytes(WHITE)
                continue
            u = x / size
            v = y / size
            top, bottom = inset + 0.22 * safe, 1 - inset - 0.12 * safe
            if top <= v <= bottom:
                depth = (v - top) / (bottom - top)  # 0 at the horizon, 1 at the front
                half = (0.04 + 0.30 * depth) * safe
                if abs(u - 0.5) <= half:
                    colour = WHITE
                    dash = int(depth * depth * 9) % 2 == 0
                    if abs(u - 0.5) <= (0.006 + 0.03 * depth) * safe and dash:
                        colour = GREEN
            row += bytes(colour)
        rows.append(bytes(row))
    return _png(size, rows)


def ico(size: int = 32) -> bytes:
    """favicon.ico for the clients that ask for /favicon.ico: one PNG image inside an ICO."""
    png = draw(size, rounded=True)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


def write(folder: Path = STATIC) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name, size, safe, rounded in [
        ("icon-192.png", 192, 1.0, True),
        ("icon-512.png", 512, 1.0, True),
        ("maskable-512.png", 512, 0.8, False),
        ("apple-touch-icon.png", 180, 0.9, False),
    ]:
        path = folder / name
        path.write_bytes(draw(size, safe=safe, rounded=rounded))
        made.append(path)
    path = folder / "favicon.ico"
    path.write_bytes(ico())
    made.append(path)
    return made


if __name__ == "__main__":
    for path in write():
        print(path)
