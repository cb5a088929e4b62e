# SPDX-License-Identifier: Apache-2.0
"""incept-classify as a user meets it. A tiny net with hand-set weights (1x1 conv = 2 x identity, global average
pool, FC = identity) makes the answer predictable: logit[c] = 2 x the image's mean normalised channel c, so a red
image is "red", green "green", blue "blue". Checked: PNG / JPEG / BMP / PPM, grey, palette, RGBA and 16-bit PNGs, both
resize policies (exact pixels via a probe net that outputs its input), a BGR model (mean/std listed in BGR
order), a model ending in Softmax without labels, logits equal to incept-run's on the same preprocessed input,
--json, and every error path (one line, exit 2)."""
import json
import struct
import sys
import zlib

import numpy as np
import pytest
import torch
from PIL import Image
from tinynet import BIN, CONVERT, REPO, one_error_line, run

CLASSIFY = BIN / "incept-classify"
RUN = BIN / "incept-run"
SIZE = 24
MEAN, STD = (0.4, 0.5, 0.6), (0.2, 0.25, 0.3)   # per RGB channel; distinct so a mix-up shows
COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255)}

pytestmark = pytest.mark.skipif(not CLASSIFY.exists(), reason=f"{CLASSIFY} not built (needs libstb-dev)")


class ColourNet(torch.nn.Module):
    def __init__(self, softmax=False, spatial_output=False):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3, 1)
        self.fc = torch.nn.Linear(3, 3)
        self.softmax, self.spatial_output = softmax, spatial_output
        with torch.no_grad():
            self.conv.weight.copy_(2 * torch.eye(3).reshape(3, 3, 1, 1))
            self.conv.bias.zero_()
            self.fc.weight.copy_(torch.eye(3))
            self.fc.bias.zero_()

    def forward(self, x):
        x = self.conv(x)
        if self.spatial_output:
            return x
        x = self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))
        return torch.softmax(x, 1) if self.softmax else x


class ProbeNet(torch.nn.Module):
    """Shows the preprocessed 8x8 input itself: an 8x8 conv with one-hot weights puts input element (c, y, x)
    into class c * 64 + y * 8 + x (the 1x1 global pool is there because only a pooled output may be flattened)."""
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 192, 8)
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(192).reshape(192, 3, 8, 8))
            self.conv.bias.zero_()

    def forward(self, x):
        return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(self.conv(x), 1), 1)


def convert(d, name, net, *flags, size=SIZE):
    torch.onnx.export(net.eval(), torch.zeros(1, 3, size, size), d / f"{name}.onnx", opset_version=13)
    r = run(CONVERT, "--onnx", d / f"{name}.onnx", "-o", d / f"{name}.incept", "-q", *flags)
    assert r.returncode == 0, r.stderr
    return d / f"{name}.incept"


def csv(v):
    return ",".join(map(str, v))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("classify")
    (d / "labels.txt").write_text("red\ngreen\nblue\n")
    m = {"rgb": convert(d, "rgb", ColourNet(), "--labels", d / "labels.txt", "--mean", csv(MEAN), "--std", csv(STD)),
         "softmax": convert(d, "softmax", ColourNet(softmax=True), "--mean", csv(MEAN), "--std", csv(STD)),
         "spatial": convert(d, "spatial", ColourNet(spatial_output=True)),
         "probe": convert(d, "probe", ProbeNet(), "--mean", "0,0,0", "--std", "1,1,1", size=8)}
    # The same network told that its input is BGR: labels and mean/std are listed in tensor (BGR) order.
    sys.path.insert(0, str(REPO / "converter"))
    from incept_convert import ir, reader, writer
    g = reader.read_model(m["rgb"].read_bytes()).graph
    g.metadata.channel_order = ir.ChannelOrder.BGR
    g.metadata.labels = ["blue", "green", "red"]
    g.metadata.mean, g.metadata.std = list(MEAN[::-1]), list(STD[::-1])
    m["bgr"] = d / "bgr.incept"
    writer.write_atomic(str(m["bgr"]), writer.serialize(g))
    return m


def save(path, rgb, **kw):
    Image.fromarray(np.asarray(rgb, np.uint8)).save(path, **kw)
    return path


def solid(rgb, w=SIZE, h=SIZE):
    return np.broadcast_to(np.array(rgb, np.uint8), (h, w, 3))


def expected_logits(rgb_pixels, mean=MEAN, std=STD):
    """The hand-set net's logits for an image already at the input size: 2 x mean of (pixel / 255 - mean) / std."""
    x = (np.asarray(rgb_pixels, np.float32).reshape(-1, 3) / np.float32(255) - np.float32(mean)) / np.float32(std)
    return 2 * x.mean(0)


def classify(model, *args):
    r = run(CLASSIFY, model, *args, "--json")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == sum(1 for a in args if str(a).endswith((".png", ".jpg", ".bmp", ".ppm")))
    return out


def logits_by_class(result):
    return np.array([t["logit"] for t in sorted(result["top"], key=lambda t: t["class"])], np.float32)


@pytest.mark.parametrize("ext,kw", [("png", {}), ("jpg", {"quality": 95}), ("bmp", {}), ("ppm", {})])
def test_colours_top1(models, tmp_path, ext, kw):
    files = [save(tmp_path / f"{name}.{ext}", solid(rgb), **kw) for name, rgb in COLOURS.items()]
    for model in (models["rgb"], models["bgr"]):
        for f, res in zip(files, classify(model, *files)):
            assert res["image"] == str(f) and res["top"][0]["label"] == f.stem and res["top"][0]["rank"] == 1
            assert (res["width"], res["height"], res["resize"]) == (SIZE, SIZE, "crop")


def test_all_classes_probabilities_and_logits(models, tmp_path):
    f = save(tmp_path / "green.png", solid((30, 200, 90)))
    (res,) = classify(models["rgb"], f, "--top", "all")
    top = res["top"]
    assert [t["rank"] for t in top] == [1, 2, 3] and sorted(t["class"] for t in top) == [0, 1, 2]
    p = np.array([t["probability"] for t in top])
    assert np.all((p >= 0) & (p <= 1)) and abs(p.sum() - 1) < 1e-6 and np.all(np.diff(p) <= 0)
    logits = logits_by_class(res)
    np.testing.assert_allclose(logits, expected_logits(solid((30, 200, 90))), rtol=1e-5, atol=1e-5)
    e = np.exp(logits - logits.max())
    np.testing.assert_allclose(sorted(e / e.sum(), reverse=True), p, rtol=1e-5)


@pytest.mark.parametrize("model", ["rgb", "bgr"])
def test_logits_equal_incept_run_on_the_same_input(models, tmp_path, model):
    rgb = np.random.default_rng(7).integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    f = save(tmp_path / "noise.png", rgb)
    (res,) = classify(models[model], f, "--top", "all", "--resize", "stretch")
    x = (rgb.astype(np.float32) / np.float32(255) - np.float32(MEAN)) / np.float32(STD)   # stretch at 24x24: none
    if model == "bgr":
        x = x[..., ::-1]
    np.save(tmp_path / "x.npy", np.ascontiguousarray(x.transpose(2, 0, 1)[None]))
    r = run(RUN, models[model], "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy", "-q")
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(logits_by_class(res), np.load(tmp_path / "y.npy")[0], rtol=1e-6, atol=1e-6)
    want = expected_logits(rgb)
    np.testing.assert_allclose(logits_by_class(res), want if model == "rgb" else want[::-1], rtol=1e-4, atol=1e-5)


def test_resize_policies(models, tmp_path):
    wide = np.concatenate([solid(COLOURS["blue"]), solid(COLOURS["red"]), solid(COLOURS["blue"])], 1)   # 72x24
    tall = np.concatenate([solid(COLOURS["blue"], 30, 30), solid(COLOURS["green"], 30, 30),
                           solid(COLOURS["blue"], 30, 30)], 0)                                       # 30x90
    files = [save(tmp_path / "wide.png", wide), save(tmp_path / "tall.png", tall)]
    crop = classify(models["rgb"], *files)
    assert [r["top"][0]["label"] for r in crop] == ["red", "green"]
    np.testing.assert_allclose(logits_by_class(crop[0]), expected_logits(solid(COLOURS["red"])), rtol=1e-5, atol=1e-5)
    stretch = classify(models["rgb"], *files, "--resize", "stretch")
    assert [r["top"][0]["label"] for r in stretch] == ["blue", "blue"] and stretch[0]["resize"] == "stretch"
    assert [(r["width"], r["height"]) for r in stretch] == [(72, 24), (30, 90)]


def test_resize_shrinks_by_area_and_enlarges_bilinearly(models, tmp_path):
    def pixels(res):   # the probe's logits are the resized image / 255, NCHW-flattened
        return logits_by_class(res).reshape(3, 8, 8).transpose(1, 2, 0) * 255

    img = np.random.default_rng(3).integers(0, 256, (16, 24, 3), dtype=np.uint8)   # 24 wide, 16 high
    narrow = np.ascontiguousarray(img[:, 4:8])                                      # 4 wide, 16 high
    files = [save(tmp_path / "wide.png", img), save(tmp_path / "narrow.png", narrow)]
    crop = classify(models["probe"], *files, "--top", "all")
    stretch = classify(models["probe"], *files, "--top", "all", "--resize", "stretch")
    f = img.astype(np.float64)
    # crop: the centre 16x16 (columns 4..19) shrunk 2:1 = the mean of each 2x2 block (8-bit rounding)
    assert np.abs(pixels(crop[0]) - f[:, 4:20].reshape(8, 2, 8, 2, 3).mean((1, 3))).max() <= 0.5 + 1e-3
    # stretch: 3:1 across and 2:1 down = the mean of each 2x3 block
    assert np.abs(pixels(stretch[0]) - f.reshape(8, 2, 8, 3, 3).mean((1, 3))).max() <= 0.5 + 1e-3
    # crop: the centre 4x4 (rows 6..9) enlarged 2:1 bilinearly, as PIL does (half-pixel centres, edges clamped)
    want = np.asarray(Image.fromarray(np.ascontiguousarray(narrow[6:10])).resize((8, 8), Image.BILINEAR), np.float64)
    assert np.abs(pixels(crop[1]) - want).max() <= 1 + 1e-3


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_empty_first_idat(rgb):
    """A valid PNG whose first IDAT chunk is empty (the format allows it; stb would pass memcpy a null pointer)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + row.tobytes() for row in np.ascontiguousarray(rgb))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            png_chunk(b"IDAT", b"") + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def test_grey_palette_rgba_and_16bit_pngs(models, tmp_path):
    grey = np.full((SIZE, SIZE), 200, np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    Image.fromarray(np.full((SIZE, SIZE), 200 * 256 + 77, np.uint16)).save(tmp_path / "grey16.png")
    Image.fromarray(np.dstack([grey, grey])).convert("LA").save(tmp_path / "grey_alpha.png")
    Image.fromarray(np.asarray(solid((10, 220, 40)))).convert("P").save(tmp_path / "palette.png")
    rgba = np.dstack([solid(COLOURS["red"]), np.zeros((SIZE, SIZE), np.uint8)])   # fully transparent red
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    assert Image.open(tmp_path / "grey16.png").mode.startswith("I")
    (tmp_path / "empty_idat.png").write_bytes(png_with_empty_first_idat(solid(COLOURS["red"])))
    names = ["grey", "grey16", "grey_alpha", "palette", "rgba", "empty_idat"]
    res = classify(models["rgb"], *[tmp_path / f"{n}.png" for n in names], "--top", "all")
    want_grey = expected_logits(solid((200, 200, 200)))
    for n, r in zip(names[:3], res[:3]):
        np.testing.assert_allclose(logits_by_class(r), want_grey, rtol=1e-5, atol=1e-5, err_msg=n)
    assert res[3]["top"][0]["label"] == "green"
    for r in res[4:]:
        np.testing.assert_allclose(logits_by_class(r), expected_logits(solid(COLOURS["red"])), rtol=1e-5, atol=1e-5)


def test_text_output_timing_and_quiet(models, tmp_path):
    f = save(tmp_path / "blue.png", solid(COLOURS["blue"]))
    r = run(CLASSIFY, models["rgb"], f, "--threads", "2", "--backend", "ref")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == str(f) and len(lines) == 4   # K = 5 is capped at the 3 classes
    assert lines[1].split()[0] == "1" and lines[1].split()[-1] == "blue" and "logit" in lines[1]
    assert "load+prepare" in r.stderr and "inference" in r.stderr and "1 image(s)" in r.stderr
    q = run(CLASSIFY, models["rgb"], f, "--top", "1", "-q")
    assert q.returncode == 0 and q.stderr == "" and len(q.stdout.splitlines()) == 2


def test_model_ending_in_softmax_without_labels(models, tmp_path):
    rgb = solid((40, 90, 250))
    (res,) = classify(models["softmax"], save(tmp_path / "b.png", rgb), "--top", "all")
    assert [t["label"] for t in res["top"]] == ["class 2", "class 1", "class 0"]
    assert all(t["logit"] is None for t in res["top"])
    e = np.exp(expected_logits(rgb))
    np.testing.assert_allclose([t["probability"] for t in res["top"]], sorted(e / e.sum(), reverse=True), rtol=1e-5)
    r = run(CLASSIFY, models["softmax"], tmp_path / "b.png", "--top", "1", "-q")
    assert r.returncode == 0 and "logit" not in r.stdout and "class 2" in r.stdout


def test_one_bad_image_among_good_ones(models, tmp_path):
    good = save(tmp_path / "red.png", solid(COLOURS["red"]))
    r = run(CLASSIFY, models["rgb"], tmp_path / "nope.png", good, "--json", "-q")
    assert r.returncode == 2
    failed, ok = [json.loads(line) for line in r.stdout.splitlines()]   # one JSON line per image, in order
    assert failed == {"image": str(tmp_path / "nope.png"),
                      "error": f"cannot open image file {tmp_path / 'nope.png'}: No such file or directory"}
    assert ok["top"][0]["label"] == "red"
    assert r.stderr.splitlines() == [f"incept-classify: cannot open image file {tmp_path / 'nope.png'}: "
                                     "No such file or directory"]


def _truncated_png(d):
    data = save(d / "full.png", np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)).read_bytes()
    (d / "bad.png").write_bytes(data[: len(data) // 2])


def _jpeg_with_oversized_huffman_table(d):
    """A DHT that declares 16 x 255 codes: Debian's stb_image would write past its 257-entry table."""
    data = bytearray(save(d / "full.jpg", solid(COLOURS["red"])).read_bytes())
    at = data.index(b"\xff\xc4") + 5          # marker (2), length (2), class/id (1), then 16 code counts
    data[at:at + 16] = b"\xff" * 16
    (d / "bad.png").write_bytes(bytes(data))


def _ppm_16bit(d):
    """maxval 65535: Debian's stb_image would overrun its 8-bit conversion of the 16-bit samples."""
    (d / "bad.png").write_bytes(b"P6\n2 2\n65535\n" + b"\x12\x34" * 12)


@pytest.mark.parametrize("make,expect", [
    (lambda d: None, "cannot open image file"),
    (_ppm_16bit, "maxval 65535; only 8-bit samples"),
    (lambda d: (d / "bad.png").write_bytes(b"P6\n4 4\n255\n" + b"\x00" * 47), "(truncated)"),
    (_jpeg_with_oversized_huffman_table, "Huffman table declares more than 256 codes"),
    (lambda d: (d / "bad.png").write_text("this is text, not a picture\n"), "is not a PNG, JPEG, BMP or PPM file"),
    (lambda d: (d / "bad.png").write_bytes(b""), "is empty"),
    (_truncated_png, "cannot decode PNG file"),
    (lambda d: (d / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), "cannot decode PNG file"),
    (lambda d: (d / "bad.png").mkdir(), "cannot read image file"),
])
def test_bad_images(models, tmp_path, make, expect):
    make(tmp_path)
    r = run(CLASSIFY, models["rgb"], tmp_path / "bad.png")
    line = one_error_line(r, "incept-classify")
    assert r.returncode == 2 and expect in line and "bad.png" in line and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1, r.stderr


@pytest.mark.parametrize("args,expect", [
    (["--bogus"], "unknown option '--bogus'"),
    (["--top", "0"], "--top must be an integer in 1..1000000 or 'all', got '0'"),
    (["--top", "x"], "--top must be an integer"),
    (["--top"], "--top needs a value"),
    (["--resize", "fit"], "unknown resize policy 'fit'"),
    (["--threads", "0"], "--threads must be an integer in 1..256"),
    (["--backend", "gpu"], "unknown backend 'gpu'"),
])
def test_bad_flags(models, tmp_path, args, expect):
    f = save(tmp_path / "red.png", solid(COLOURS["red"]))
    r = run(CLASSIFY, models["rgb"], f, *args)
    assert r.returncode == 2 and expect in one_error_line(r, "incept-classify") and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1, r.stderr


def test_bad_models(models, tmp_path):
    f = save(tmp_path / "red.png", solid(COLOURS["red"]))
    (tmp_path / "junk.incept").write_bytes(b"\x00" * 64)
    for model, expect in [(tmp_path / "missing.incept", "cannot open model file"),
                          (tmp_path / "junk.incept", "invalid model"),
                          (models["spatial"], "is not an image classifier")]:
        r = run(CLASSIFY, model, f)
        assert r.returncode == 2 and expect in one_error_line(r, "incept-classify") and r.stdout == ""
        assert len(r.stderr.splitlines()) == 1, r.stderr


def test_usage():
    r = run(CLASSIFY)
    assert r.returncode == 2 and "usage: incept-classify" in r.stderr
    r = run(CLASSIFY, "--help")
    assert r.returncode == 0 and "--resize" in r.stdout and "stretch" in r.stdout
