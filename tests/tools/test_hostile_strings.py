# SPDX-License-Identifier: Apache-2.0
"""Bytes from a model file are never printed raw: a model whose architecture, producer, op names, tensor names
and labels hold terminal control sequences, invalid UTF-8, a NUL and a right-to-left override goes through
every tool (human output, --json, the plan SVG) and through every tool's error path (a damaged identifier);
all output must be valid UTF-8 without control characters, the JSON must parse, the SVG must be XML, and the
escaped forms (\\x1b, \\xff, ...) must be what is shown."""
import json
import struct
import sys
import xml.etree.ElementTree as ET

import pytest

from tinynet import BIN, CONVERT, REPO, build_tiny, run

INSPECT, RUN, BENCH, CLASSIFY = (BIN / t for t in ("incept-inspect", "incept-run", "incept-bench", "incept-classify"))
C1_AND_FORMAT = ({chr(c) for c in range(0x80, 0xa0)}
                 | set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"))

# ASCII placeholders written by the converter, then overwritten in the file with hostile bytes of the same length.
HOSTILE = {
    "ARCH_PLACEHOLDER_0123": b"\x1b[2J\x1b]0;pwn\x07\xff\xfe\xe2\x80\xae",
    "PRODUCER_PLACEHOLDER_": b"\x9b31m\xc0\xaf\xed\xa0\x80\x00nul",
    "LABEL_PLACEHOLDER_012": b"\x1b[31mred\x07\xf4\x90\x80\x80\\",
}


def hostile_bytes(placeholder: str) -> bytes:
    h = HOSTILE[placeholder]
    assert len(h) <= len(placeholder)
    return h + b"A" * (len(placeholder) - len(h))


def check_printable(text_bytes: bytes, what: str) -> str:
    text = text_bytes.decode("utf-8")   # strict: raises on invalid UTF-8
    bad = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or ord(c) == 0x7f or c in C1_AND_FORMAT]
    assert not bad, f"{what}: raw control characters {bad[:5]!r} in {text[:300]!r}"
    return text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    if not INSPECT.exists():
        pytest.skip(f"{INSPECT} is not built")
    d = tmp_path_factory.mktemp("hostile")
    build_tiny(d)
    labels = d / "labels.txt"
    labels.write_text("\n".join(["LABEL_PLACEHOLDER_012"] * 7) + "\n")
    r = run(CONVERT, "--onnx", d / "tiny.onnx", "-o", d / "named.incept", "--labels", labels, "-q")
    assert r.returncode == 0, r.stderr
    sys.path.insert(0, str(REPO / "converter"))
    from incept_convert import reader, writer
    g = reader.read_model((d / "named.incept").read_bytes()).graph
    g.metadata.architecture = "ARCH_PLACEHOLDER_0123"
    g.metadata.producer = "PRODUCER_PLACEHOLDER_"
    for op in g.ops:   # "OP_" becomes an escape byte and an invalid one in the file
        op.name = "OP_" + op.name.lstrip("/").replace("/", "_")
    data = bytearray(writer.serialize(g))
    for placeholder in HOSTILE:
        n = data.count(placeholder.encode())
        assert n >= 1, placeholder
        data = bytearray(bytes(data).replace(placeholder.encode(), hostile_bytes(placeholder)))
    assert data.count(b"OP_") == len(g.ops)
    data = bytearray(bytes(data).replace(b"OP_", b"\x1b\xff_"))
    model = d / "hostile.incept"
    model.write_bytes(bytes(data))
    bad_id = bytearray(data)
    bad_id[8:12] = b"\xc9NCP"
    (d / "bad_id.incept").write_bytes(bytes(bad_id))
    row = bytes([128] * 17 * 3) + b"\0"   # a 17 x 17 grey 24-bit BMP, what the tiny net takes (rows padded to 4)
    pixels = row * 17
    (d / "img.bmp").write_bytes(b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54) +
                                struct.pack("<IiiHHIIiiII", 40, 17, 17, 1, 24, 0, len(pixels), 2835, 2835, 0, 0) +
                                pixels)
    return d


def test_inspect_and_svg(hostile):
    r = run(INSPECT, hostile / "hostile.incept", "--svg", hostile / "plan.svg")
    assert r.returncode == 0, r.stderr
    out = check_printable(r.stdout.encode("utf-8", "surrogateescape"), "incept-inspect")
    assert "architecture  \\x1b[2J\\x1b]0;pwn\\x07\\xff\\xfe\\xe2\\x80\\xae" in out
    assert "producer      \\x9b31m\\xc0\\xaf\\xed\\xa0\\x80\n" in out   # the API's C strings end at the NUL
    assert '"\\x1b[31mred\\x07\\xf4\\x90\\x80\\x80\\\\' in out   # a label, the backslash doubled
    assert "\\x1b\\xff_stem" in out                                # an op name
    svg = (hostile / "plan.svg").read_bytes()
    check_printable(svg, "plan.svg")
    ET.fromstring(svg)   # well-formed XML


def test_run_bench_and_json(hostile):
    r = run(RUN, hostile / "hostile.incept", "--input", hostile / "x.npy", "--output", hostile / "y.npy")
    assert r.returncode == 0, r.stderr
    err = check_printable(r.stderr.encode("utf-8", "surrogateescape"), "incept-run")
    assert "\\x1b[2J" in err
    r = run(BENCH, hostile / "hostile.incept", "--runs", "1", "--warmup", "0", "--profile")
    assert r.returncode == 0, r.stderr
    out = check_printable(r.stdout.encode("utf-8", "surrogateescape"), "incept-bench")
    assert "\\x1b\\xff_" in out
    r = run(BENCH, hostile / "hostile.incept", "--runs", "1", "--warmup", "0", "--profile", "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(check_printable(r.stdout.encode("utf-8", "surrogateescape"), "incept-bench --json"))
    pad = "A" * (len("ARCH_PLACEHOLDER_0123") - len(HOSTILE["ARCH_PLACEHOLDER_0123"]))
    assert j["architecture"] == "\\x1b[2J\\x1b]0;pwn\\x07\\xff\\xfe\\xe2\\x80\\xae" + pad
    assert any(op["name"].startswith("\\x1b\\xff_") for op in j["ops"])


def test_classify_human_and_json(hostile):
    for flags in ([], ["--json"]):
        r = run(CLASSIFY, hostile / "hostile.incept", hostile / "img.bmp", "--top", "2", *flags)
        if r.returncode != 0 and "not built" in r.stderr:
            pytest.skip(r.stderr)
        assert r.returncode == 0, r.stderr
        out = check_printable(r.stdout.encode("utf-8", "surrogateescape"), f"incept-classify {flags}")
        if flags:
            top = json.loads(out.splitlines()[0])["top"]
            pad = "A" * (len("LABEL_PLACEHOLDER_012") - len(HOSTILE["LABEL_PLACEHOLDER_012"]))
            assert top[0]["label"] == "\\x1b[31mred\\x07\\xf4\\x90\\x80\\x80\\\\" + pad
        else:
            assert "\\x1b[31mred" in out


@pytest.mark.parametrize("tool,args", [(RUN, ["--input", "x.npy", "--output", "y.npy"]), (INSPECT, []),
                                       (BENCH, ["--runs", "1"]), (CLASSIFY, ["img.bmp"])])
def test_error_messages_escape_the_identifier(hostile, tool, args):
    r = run(tool, hostile / "bad_id.incept", *[hostile / a if a.endswith((".npy", ".bmp")) else a for a in args])
    assert r.returncode != 0
    err = check_printable(r.stderr.encode("utf-8", "surrogateescape"), tool.name)
    assert "file identifier is '\\xc9NCP'" in err
