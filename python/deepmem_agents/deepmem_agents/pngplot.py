"""A learning curve as a PNG with the standard library only (zlib):
lines on a white canvas with axes; no text (the caller names the file
and prints the numbers)."""

from __future__ import annotations

import struct
import zlib

COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
           (148, 103, 189), (140, 86, 75)]


def line_plot(path: str, series: list[list[float]], width: int = 640,
              height: int = 400) -> None:
    px = [[(255, 255, 255)] * width for _ in range(height)]
    margin = 30
    values = [v for s in series for v in s]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi == lo:
        hi = lo + 1.0
    n = max((len(s) for s in series), default=1)

    def put(x: int, y: int, c) -> None:
        if 0 <= x < width and 0 <= y < height:
            px[y][x] = c

    for x in range(margin, width - margin):
        put(x, height - margin, (0, 0, 0))
    for y in range(margin, height - margin):
        put(margin, y, (0, 0, 0))

    def to_xy(i: int, v: float) -> tuple[int, int]:
        x = margin + (width - 2 * margin) * (i / max(1, n - 1))
        y = height - margin - (height - 2 * margin) * ((v - lo) / (hi - lo))
        return int(x), int(y)

    for k, s in enumerate(series):
        c = COLOURS[k % len(COLOURS)]
        for i in range(len(s) - 1):
            (x0, y0), (x1, y1) = to_xy(i, s[i]), to_xy(i + 1, s[i + 1])
            steps = max(abs(x1 - x0), abs(y1 - y0), 1)
            for t in range(steps + 1):
                x = x0 + (x1 - x0) * t // steps
                y = y0 + (y1 - y0) * t // steps
                for dx in (0, 1):
                    for dy in (0, 1):
                        put(x + dx, y + dy, c)
    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in px)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                           0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))
