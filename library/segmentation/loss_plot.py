"""Learning curves as a PNG without plotting libraries (Debian's torch does not pull in matplotlib).

Train loss in blue, validation loss in orange, per epoch; the y axis runs from 0 to the largest loss,
with grey grid lines at quarters. Exact figures are in loss.json beside it.
"""

import struct
import zlib

WIDTH, HEIGHT, MARGIN = 480, 300, 24
BLUE, ORANGE, GREY, BLACK = (31, 119, 180), (255, 127, 14), (220, 220, 220), (0, 0, 0)


def _png(pixels):
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _line(pixels, x0, y0, x1, y1, colour):
    steps = max(abs(x1 - x0), abs(y1 - y0), 1)
    for s in range(steps + 1):
        x = round(x0 + (x1 - x0) * s / steps)
        y = round(y0 + (y1 - y0) * s / steps)
        for dy in (0, 1):  # two pixels thick
            if 0 <= x < WIDTH and 0 <= y + dy < HEIGHT:
                pixels[y + dy][3 * x : 3 * x + 3] = colour


def loss_png(train, valid):
    """PNG bytes plotting the loss lists `train` and `valid` (either may be empty)."""
    pixels = [bytearray(b"\xff" * (3 * WIDTH)) for _ in range(HEIGHT)]
    values = [v for v in list(train) + list(valid) if v == v]
    top = max(values) if values else 1.0
    top = top if top > 0 else 1.0
    epochs = max(len(train), len(valid), 2)
    left, right, bottom, upper = MARGIN, WIDTH - MARGIN, HEIGHT - MARGIN, MARGIN

    def at(i, v):
        return left + (right - left) * i / (epochs - 1), bottom - (bottom - upper) * v / top

    for q in range(1, 5):
        y = round(bottom - (bottom - upper) * q / 4)
        _line(pixels, left, y, right, y, GREY)
    _line(pixels, left, bottom, right, bottom, BLACK)
    _line(pixels, left, bottom, left, upper, BLACK)
    for series, colour in ((train, BLUE), (valid, ORANGE)):
        points = [at(i, v) for i, v in enumerate(series) if v == v]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            _line(pixels, round(x0), round(y0), round(x1), round(y1), colour)
        if len(points) == 1:
            x, y = points[0]
            _line(pixels, round(x) - 2, round(y), round(x) + 2, round(y), colour)
    # A legend without text: a blue then an orange square at the top right.
    for n, colour in enumerate((BLUE, ORANGE)):
        for y in range(6, 14):
            _line(pixels, right - 30 + 14 * n, y, right - 22 + 14 * n, y, colour)
    return _png(pixels)
