#!/usr/bin/python3
"""make.py -- the images of the image test, written into DIR.

usage: make.py DIR

  sig.png        a good 120x40 grey signature scan
  sig.jpg        a good baseline JPEG (made by hand: SOI, DQT, SOF0, DHT,
                 SOS, one all-zero block per 8x8, EOI)
  corrupt.png    sig.png with bytes of its image data changed (CRC error)
  truncated.png  sig.png cut in the middle of its image data
  fake.png       a GIF image saved under a .png name
  interlaced.png an Adam7-interlaced PNG
"""
import os
import struct
import sys
import zlib


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(w, h, interlace=0):
    rows = b""
    for y in range(h):
        rows += b"\0" + bytes((255 if (x + y) % 7 else 0) for x in range(w))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def jpeg(w, h):
    # Grey baseline JPEG whose every block is DC 0 with no AC: the entropy
    # data is one 0 bit (DC category 0) and a 2-bit EOB per block.
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes([1] * 64)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, h, w, 1) + b"\x01\x11\x00"
    # DC table: one code of length 1 for category 0
    dc = b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    # AC table: one code of length 1 for EOB (0x00)
    ac = b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    dht = b"\xff\xc4" + struct.pack(">H", 2 + len(dc) + len(ac)) + dc + ac
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    blocks = ((w + 7) // 8) * ((h + 7) // 8)
    bits = "00" * blocks            # DC code 0, EOB code 0
    bits += "1" * (-len(bits) % 8)  # pad with ones
    data = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
    data = data.replace(b"\xff", b"\xff\x00")
    return b"\xff\xd8" + dqt + sof + dht + sos + data + b"\xff\xd9"


def main():
    d = sys.argv[1]
    good = png(120, 40)
    open(os.path.join(d, "sig.png"), "wb").write(good)
    open(os.path.join(d, "sig.jpg"), "wb").write(jpeg(120, 40))
    bad = bytearray(good)
    at = good.index(b"IDAT") + 12
    for i in range(at, at + 8):
        bad[i] ^= 0x5A
    open(os.path.join(d, "corrupt.png"), "wb").write(bytes(bad))
    open(os.path.join(d, "truncated.png"), "wb").write(good[:at + 10])
    gif = (b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00" +
           b"\x00\x00\x00\xff\xff\xff" + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00" +
           b"\x02\x02D\x01\x00;")
    open(os.path.join(d, "fake.png"), "wb").write(gif)
    open(os.path.join(d, "interlaced.png"), "wb").write(png(16, 16, 1))


if __name__ == "__main__":
    main()
