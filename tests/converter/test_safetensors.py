# SPDX-License-Identifier: Apache-2.0
"""--checkpoint X.safetensors: zoo nets in F32 / F16 / BF16 match PyTorch, the same key and shape checks as
.pth, and every malformed-file class of the reader refused with one line, exit 2 and no output file."""

import struct

import numpy as np
import pytest
import torch

from conftest import assert_user_error, compare_logits, run_convert
import npref
import st_writer
from st_writer import pack, tensor_bytes

SMALL, SMALL_SEED = "inception_small", 15


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """inception_small with seeded weights: (model, state_dict with aux keys, input)."""
    from incept_convert import make_checkpoint
    model = make_checkpoint.build(SMALL, SMALL_SEED)
    x = np.random.default_rng(SMALL_SEED).standard_normal((1, 3, 96, 96)).astype(np.float32)
    return model, model.state_dict(), x


def _logits(model, state, x):
    from incept_convert.torch_import import build_model
    m = build_model(SMALL, aux_logits=True)
    m.load_state_dict(state)
    with torch.no_grad():
        return m.eval()(torch.from_numpy(x)).numpy()


def test_f32_converts_to_the_same_file_as_pth(artifacts, tmp_path):
    """googlenet: the .safetensors conversion is byte for byte the .pth one."""
    pth = artifacts.make("googlenet")["pth"]
    src = tmp_path / "googlenet.safetensors"
    src.write_bytes(st_writer.serialize(torch.load(pth), "F32", metadata={"format": "pt"}))
    out = tmp_path / "st.incept"
    proc = run_convert("--arch", "googlenet", "--checkpoint", src, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == artifacts.converted("googlenet", "pth").read_bytes()


@pytest.mark.parametrize("dtype", ["F32", "F16", "BF16"])
def test_half_precision_matches_pytorch(small, tmp_path, dtype, request):
    """F16/BF16 are widened exactly: the converted net matches PyTorch run with the same rounded weights."""
    from incept_convert.reader import read_model
    model, state, x = small
    src = tmp_path / f"small_{dtype}.safetensors"
    src.write_bytes(st_writer.serialize({"module." + k: v for k, v in state.items()}, dtype))
    out = tmp_path / "m.incept"
    proc = run_convert("--arch", SMALL, "--checkpoint", src, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    ref = _logits(model, st_writer.rounded(state, dtype), x)
    diff, rel, top5 = compare_logits(npref.run(read_model(out.read_bytes()), x)[0], ref)
    print(f"\n[safetensors] {SMALL} {dtype} (npref): max|diff| = {diff:.3e} ({rel:.3e} x max|logit|), "
          f"top-5 identical: {top5}")
    assert rel <= 1e-4 and top5


def test_key_and_shape_checks_as_for_pth(small, tmp_path):
    _, state, _ = small
    out = tmp_path / "m.incept"
    missing = {k: v for k, v in state.items() if k != "fc.bias"}
    src = tmp_path / "missing.safetensors"
    src.write_bytes(st_writer.serialize(missing))
    assert_user_error(run_convert("--arch", SMALL, "--checkpoint", src, "-o", out), "missing.safetensors",
                      "does not match --arch inception_small", "missing keys fc.bias", output=out)
    src = tmp_path / "googlenet.safetensors"
    src.write_bytes(st_writer.serialize(state))
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", src, "-o", out),
                      "does not match --arch googlenet", "missing keys", "unexpected keys", output=out)
    shaped = dict(state)
    shaped["fc.bias"] = torch.zeros(7)
    src = tmp_path / "shape.safetensors"
    src.write_bytes(st_writer.serialize(shaped))
    assert_user_error(run_convert("--arch", SMALL, "--checkpoint", src, "-o", out), "'fc.bias'", "has shape [7]",
                      output=out)


W = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
TWO = tensor_bytes([1.0, 2.0])


def _entry(**changes):
    return {**W, **changes}


MALFORMED = {
    # name: (file bytes, words of the message)
    "shorter_than_8_bytes": (b"\x10\x00\x00", ["3 bytes", "fewer than the 8-byte header length"]),
    "header_over_cap": (struct.pack("<Q", 100_000_001) + b"{}", ["header length 100000001", "100000000-byte limit"]),
    "header_past_end": (struct.pack("<Q", 4096) + b'{"w": {}}', ["header length 4096", "past the end of the file"]),
    "not_an_object": (struct.pack("<Q", 6) + b"[1, 2]", ["does not start with '{'"]),
    "not_utf8": (struct.pack("<Q", 4) + b"{\xff\xfe}", ["not UTF-8"]),
    "bad_json": (struct.pack("<Q", 8) + b'{"w": [}', ["not valid JSON"]),
    "duplicate_name": (struct.pack("<Q", 25) + b'{"w": {}, "w": {}}       ', ["not valid JSON", "'w' appears twice"]),
    "entry_not_object": (pack({"w": [1, 2]}, b""), ["tensor 'w'", "JSON list", "expected an object"]),
    "missing_field": (pack({"w": {"dtype": "F32", "shape": [2]}}, TWO), ["tensor 'w'", "missing data_offsets"]),
    "unknown_field": (pack({"w": _entry(stride=[1])}, TWO), ["tensor 'w'", "unknown field stride"]),
    "unknown_dtype": (pack({"w": _entry(dtype="F99")}, TWO), ["tensor 'w'", 'unknown dtype "F99"']),
    "integer_weights": (pack({"w": _entry(dtype="I32")}, TWO), ["tensor 'w' has dtype I32", "F32, F16, BF16"]),
    "i64_weights": (pack({"w": _entry(dtype="I64", data_offsets=[0, 16])}, TWO * 2), ["'w' has dtype I64"]),
    "negative_dim": (pack({"w": _entry(shape=[-2])}, TWO), ["shape [-2]", "non-negative integers"]),
    "float_dim": (pack({"w": _entry(shape=[2.0])}, TWO), ["shape [2.0]", "non-negative integers"]),
    "reversed_offsets": (pack({"w": _entry(data_offsets=[8, 0])}, TWO), ["data_offsets [8, 0]", "begin <= end"]),
    "one_offset": (pack({"w": _entry(data_offsets=[8])}, TWO), ["data_offsets [8]", "[begin, end]"]),
    "size_mismatch": (pack({"w": _entry(shape=[3])}, TWO), ["hold 8 bytes", "shape [3] of F32 needs 12"]),
    "f16_size_mismatch": (pack({"w": _entry(dtype="F16")}, TWO), ["hold 8 bytes", "shape [2] of F16 needs 4"]),
    "out_of_range": (pack({"w": _entry(data_offsets=[8, 16])}, TWO),
                     ["data_offsets [8, 16]", "past the end of the data (8 bytes"]),
    "overlap": (pack({"a": W, "b": _entry(data_offsets=[4, 12])}, TWO + TWO[:4]),
                ["tensor 'b'", "overlap", "ends at 8"]),
    "gap": (pack({"a": W, "b": _entry(data_offsets=[12, 20])}, TWO + b"\0" * 4 + TWO),
            ["tensor 'b'", "gap after byte 8"]),
    "trailing_bytes": (pack({"w": W}, TWO + b"\0" * 4), ["end at data byte 8", "12 data bytes", "trailing bytes"]),
    "metadata_not_strings": (pack({"__metadata__": {"epoch": 3}, "w": W}, TWO), ["__metadata__", "object of strings"]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file(tmp_path, case):
    data, needles = MALFORMED[case]
    src = tmp_path / f"{case}.safetensors"
    src.write_bytes(data)
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", SMALL, "--checkpoint", src, "-o", out), f"{case}.safetensors", *needles,
                      output=out)


def test_truncated_file(small, tmp_path):
    _, state, _ = small
    data = st_writer.serialize(state)
    src = tmp_path / "cut.safetensors"
    src.write_bytes(data[: len(data) - 1000])
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", SMALL, "--checkpoint", src, "-o", out), "cut.safetensors",
                      "past the end of the data", "truncated", output=out)


def test_reader_accepts_what_the_format_allows():
    """Metadata, space padding, zero-size tensors, any order in the header; the values come back exactly."""
    import tempfile
    from incept_convert import safetensors_reader
    half = np.array([1.5, -2.25, 65504.0], dtype=np.float16)
    header = {"b": {"dtype": "F16", "shape": [3], "data_offsets": [8, 14]},
              "empty": {"dtype": "BF16", "shape": [0, 4], "data_offsets": [8, 8]},
              "a": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [0, 4]},
              "c": {"dtype": "F32", "shape": [], "data_offsets": [14, 18]},
              "n.num_batches_tracked": {"dtype": "I64", "shape": [], "data_offsets": [18, 26]},
              "z": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
              "__metadata__": {"format": "pt"}}
    body = (tensor_bytes([3.0, -0.5], "BF16") + tensor_bytes([7.0]) + half.astype("<f2").tobytes()
            + tensor_bytes(1.25) + struct.pack("<q", 42))
    with tempfile.NamedTemporaryFile(suffix=".safetensors") as f:
        f.write(pack(header, body, pad=5))
        f.flush()
        got = safetensors_reader.load(f.name)
    assert sorted(got) == ["a", "b", "c", "empty", "n.num_batches_tracked", "z"]
    assert got["a"].dtype == np.float32 and got["a"].tolist() == [[3.0, -0.5]]
    assert got["b"].tolist() == half.astype(np.float32).tolist() and got["empty"].shape == (0, 4)
    assert got["c"].shape == () and float(got["c"]) == 1.25 and got["z"].tolist() == [7.0]
    assert int(got["n.num_batches_tracked"]) == 42
