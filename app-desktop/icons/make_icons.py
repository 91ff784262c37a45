#!/usr/bin/env python3
"""Regenerates Flow's RGBA PNG icons with the standard library only (zlib + struct).

A rounded dark square (#0f0a2a) carrying a violet (#8b5cf6) "flow" glyph: three
staggered bars, like cards moving across a board. Run from anywhere:
    python3 app-desktop/icons/make_icons.py
"""
import os
import struct
import zlib

BG = (0x0F, 0x0A, 0x2A)
FG = (0x8B, 0x5C, 0xF6)
# Bars in unit coordinates: (x0, y0, x1, y1).
BARS = [(0.22, 0.24, 0.70, 0.36), (0.30, 0.44, 0.78, 0.56), (0.22, 0.64, 0.58, 0.76)]
SS = 4  # supersampling per axis for anti-aliased edges


def rounded_rect(u, v, x0, y0, x1, y1, r):
    cx = min(max(u, x0 + r), x1 - r)
    cy = min(max(v, y0 + r), y1 - r)
    return (u - cx) ** 2 + (v - cy) ** 2 <= r * r and x0 <= u <= x1 and y0 <= v <= y1


def pixel(px, py, size):
    bg = fg = 0
    for sy in range(SS):
        for sx in range(SS):
            u = (px + (sx + 0.5) / SS) / size
            v = (py + (sy + 0.5) / SS) / size
            if rounded_rect(u, v, 0.0, 0.0, 1.0, 1.0, 0.22):
                if any(rounded_rect(u, v, *b, 0.06) for b in BARS):
                    fg += 1
                else:
                    bg += 1
    n = SS * SS
    cover = bg + fg
    if cover == 0:
        return (0, 0, 0, 0)
    rgb = tuple(round((BG[i] * bg + FG[i] * fg) / cover) for i in range(3))
    return rgb + (round(255 * cover / n),)


def png(size):
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(pixel(x, y, size))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        with open(os.path.join(here, name), "wb") as f:
            f.write(png(size))
        print(name, size)
