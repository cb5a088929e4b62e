#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed inputs of the npy, image and C API fuzz targets into CORPUS/<target>/ (each small).

Usage: /usr/bin/python3 tests/fuzz/write_file_seeds.py tests/fuzz/corpus   (scripts/fuzz.sh --seeds runs it)

Each seed starts with the selector bytes its target reads first (tests/support/{npy,image,c_api}_fuzz.h):
the npy one names the layout and the model input, the image one the resize, preprocessing and input size;
a C API seed is a whole call program.
"""
import io
import pathlib
import struct
import sys
import zlib

import numpy as np
from PIL import Image

# npy target: selector = layout (0 auto, 1 nchw, 2 nhwc) | model << 2, the models in npy_fuzz.h's order.
TINY, QUANT, SQUARE, FLAT = 0, 1, 2, 3
AUTO, NCHW, NHWC = 0, 1, 2


def npy_bytes(a, version=None, fortran=False):
    out = io.BytesIO()
    if version is None:
        np.save(out, np.asfortranarray(a) if fortran else a)
    else:
        np.lib.format.write_array(out, np.asfortranarray(a) if fortran else a, version=version)
    return out.getvalue()


def npy_seeds():
    rng = np.random.default_rng(26)

    def arr(*shape, dtype=np.float32):
        return rng.standard_normal(shape).astype(dtype)

    return {
        "tiny_nchw_auto": (AUTO | TINY << 2, npy_bytes(arr(1, 3, 10, 10))),
        "tiny_nhwc_asked": (NHWC | TINY << 2, npy_bytes(arr(1, 10, 10, 3))),
        "tiny_nhwc_as_nchw": (NCHW | TINY << 2, npy_bytes(arr(1, 10, 10, 3))),
        "quant_nchw_v2": (AUTO | QUANT << 2, npy_bytes(arr(1, 4, 8, 8), version=(2, 0))),
        "quant_nhwc_v3": (NHWC | QUANT << 2, npy_bytes(arr(1, 8, 8, 4), version=(3, 0))),
        "square_ambiguous": (AUTO | SQUARE << 2, npy_bytes(arr(1, 4, 4, 4))),
        "square_nchw": (NCHW | SQUARE << 2, npy_bytes(arr(1, 4, 4, 4))),
        "flat": (AUTO | FLAT << 2, npy_bytes(arr(1, 6))),
        "flat_big_endian": (AUTO | FLAT << 2, npy_bytes(arr(1, 6).astype(">f4"))),
        "flat_float64": (AUTO | FLAT << 2, npy_bytes(arr(1, 6, dtype=np.float64))),
        "flat_fortran": (AUTO | FLAT << 2, npy_bytes(arr(2, 3), fortran=True)),
        "scalar": (AUTO | FLAT << 2, npy_bytes(np.float32(1.5))),
        "empty": (AUTO | TINY << 2, npy_bytes(np.zeros((1, 0, 10, 3), np.float32))),
        "truncated": (AUTO | TINY << 2, npy_bytes(arr(1, 3, 10, 10))[:-5]),
    }


# image target: byte 0 = policy (bit 0) | BGR (bit 1) | preprocessing set << 2; bytes 1, 2 = H - 1, W - 1.
def image_bytes(img, fmt, **kw):
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def png_by_hand(pixels, interlace=False, extra_zeros=0):
    """An RGB PNG written here (Pillow writes no interlaced PNGs): Adam7 passes when asked, and `extra_zeros`
    bytes of zeros after the image data inside the zlib stream (some writers leave them; decoders accept them)."""
    h, w = pixels.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes if interlace else [(0, 0, 1, 1)]:
        sub = pixels[y0::dy, x0::dx]
        if sub.shape[0] and sub.shape[1]:
            raw += b"".join(b"\0" + row.tobytes() for row in sub)   # filter type 0 on every row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1 if interlace else 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw + b"\0" * extra_zeros, 9))
            + chunk(b"IEND", b""))


def image_seeds():
    rng = np.random.default_rng(26)
    rgb = Image.fromarray(rng.integers(0, 256, (6, 9, 3), dtype=np.uint8), "RGB")
    grey = rgb.convert("L")
    rgba = rgb.convert("RGBA")
    pal = rgb.convert("P", palette=Image.ADAPTIVE, colors=8)
    grey16 = Image.fromarray((rng.integers(0, 65536, (5, 4))).astype(np.uint16))
    return {
        "png_rgb": (bytes([0, 15, 15]), image_bytes(rgb, "PNG")),
        "png_grey_stretch": (bytes([1 | 1 << 2, 7, 3]), image_bytes(grey, "PNG")),
        "png_rgba_bgr": (bytes([2 | 2 << 2, 5, 8]), image_bytes(rgba, "PNG")),
        "png_palette": (bytes([3 << 2, 2, 2]), image_bytes(pal, "PNG")),
        "png_16bit": (bytes([1, 4, 3]), image_bytes(grey16, "PNG")),
        "png_interlaced": (bytes([0, 15, 15]), png_by_hand(np.asarray(rgb), interlace=True)),
        "png_trailing_zeros": (bytes([0, 15, 15]), png_by_hand(np.asarray(rgb), extra_zeros=4096)),
        "jpeg_baseline": (bytes([0, 5, 8]), image_bytes(rgb, "JPEG", quality=80)),
        "jpeg_progressive": (bytes([1 << 2, 31, 31]), image_bytes(rgb, "JPEG", quality=60, progressive=True)),
        "jpeg_grey": (bytes([1, 0, 0]), image_bytes(grey, "JPEG", quality=70)),
        "bmp_rgb": (bytes([2, 6, 9]), image_bytes(rgb, "BMP")),
        "bmp_palette": (bytes([1 << 2, 3, 3]), image_bytes(pal, "BMP")),
        "ppm_p6": (bytes([0, 5, 8]), image_bytes(rgb, "PPM")),
        "pgm_p5": (bytes([1, 11, 11]), image_bytes(grey, "PPM")),
    }


# C API target: a program of calls, one byte each and the argument bytes c_api_fuzz.cc reads for it.
def load(slot, model, how=0, opt=0):
    return [0, slot, model, how, opt]


def create(slot, model, backend=None, threads=0, arena=0, winograd=1):
    if backend is None:
        return [3, slot, model, 0, 1]
    return [3, slot, model, 1, backend, threads, arena, winograd, 1]


def c_api_seeds():
    prepare = [6, 0]
    arena_bytes = [5, 0, 1]
    prepare_with_arena = [7, 0, 1, 0, 1]  # slot 0, no skew, size = what arena_bytes said, an arena
    invoke = [8, 0]
    write_input = [9, 0, 1, 0]
    read_output = [10, 0, 1, 0]
    set_input_nchw = [12, 0, 0, 1, 1, 1]
    set_image = [13, 0, 0, 0, 0, 0, 0, 1, 0]
    by_name = [11, 1, 0, 1, 0]
    return {
        "float_model_every_call": bytes(load(0, 0) + create(0, 0) + arena_bytes + prepare + write_input + invoke
                                        + read_output + set_input_nchw + invoke + set_image + invoke + by_name),
        "int8_image_pending": bytes(load(0, 3) + create(0, 0) + arena_bytes + prepare_with_arena + set_image
                                    + invoke + read_output + set_image + [4, 0]),
        "quantised_two_interpreters": bytes(load(1, 2) + create(0, 1) + create(1, 1, backend=4, threads=2)
                                            + [6, 0, 6, 1] + [12, 1, 0, 1, 1, 0] + [8, 1] + [10, 1, 1, 0] + [8, 0]),
        "misuse_before_prepare": bytes(load(0, 1) + create(0, 0) + invoke + set_input_nchw + write_input
                                       + [7, 0, 1, 3, 1] + invoke + [2, 0] + invoke + [4, 0] + [4, 0]),
        "truncated_and_null": bytes(load(0, 0, how=1) + [40] + load(1, 0, how=4) + load(0, 1, how=5) + [1, 1, 0]
                                    + create(0, 2) + [14, 0, 2, 14, 1, 6, 14, 2, 14, 3]),
        "options_and_caps": bytes(load(0, 1, opt=2) + [3, 3, 0, 0, 0] + create(0, 0, backend=1, arena=2)
                                  + prepare + create(1, 0, backend=5, threads=3, winograd=2)),
    }


def write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    print(f"{folder / name} ({len(data)} bytes)")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: write_file_seeds.py CORPUS_DIR")
    corpus = pathlib.Path(sys.argv[1])
    for name, (selector, data) in npy_seeds().items():
        write(corpus / "npy", name + ".npy", struct.pack("B", selector) + data)
    for name, (selector, data) in image_seeds().items():
        write(corpus / "image", name, selector + data)
    for name, data in c_api_seeds().items():
        write(corpus / "c_api", name, data)


if __name__ == "__main__":
    main()
