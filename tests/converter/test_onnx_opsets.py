# SPDX-License-Identifier: Apache-2.0
"""ONNX opsets 18-21: the input forms of ReduceMean (axes) and Pad (axes), AveragePool's dilations, new
element types, and the refusal beyond 21. Models in the newer spelling come from onnx_upgrade.py here and
from the real onnx version converter in fixtures/ (test_fixtures.py)."""

import numpy as np
import onnx
import pytest
import torch
from onnx import helper, numpy_helper

from conftest import assert_user_error, export_onnx, run_convert
from fixture_nets import OpsetNet
from onnx_upgrade import upgrade

SHAPE = OpsetNet.SHAPE


@pytest.fixture(scope="module")
def net_model():
    net = OpsetNet().eval()
    return net, onnx.load_model_from_string(export_onnx(net, SHAPE, keep_bn=True, opset=13))


def _convert(tmp_path, model, name="m"):
    src = tmp_path / f"{name}.onnx"
    src.write_bytes(model.SerializeToString())
    out = tmp_path / f"{name}.incept"
    return src, out, run_convert("--onnx", src, "-o", out, "-q")


@pytest.mark.parametrize("opset", [18, 19, 20, 21])
@pytest.mark.parametrize("pad_axes", [(2, 3), (-2, -1), None], ids=["axes", "negative_axes", "no_axes"])
def test_newer_opsets_convert_like_opset_13(net_model, tmp_path, opset, pad_axes):
    net, model = net_model
    kinds = [n.op_type for n in model.graph.node]
    assert {"ReduceMean", "Pad", "AveragePool"} <= set(kinds), kinds
    _, base, proc = _convert(tmp_path, model, "base")
    assert proc.returncode == 0, proc.stderr
    _, out, proc = _convert(tmp_path, upgrade(model, opset, pad_axes), f"opset{opset}")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == base.read_bytes()


def test_reduce_mean_matches_pytorch(net_model):
    import npref
    from incept_convert import passes, onnx_import
    from conftest import roundtrip
    net, model = net_model
    g = passes.run_all(onnx_import.import_onnx(upgrade(model, 18), "opset 18"))
    assert [op.kind for op in g.ops].count("GlobalAvgPool") == 1
    x = np.random.default_rng(1).standard_normal(SHAPE).astype(np.float32)
    y = npref.run(roundtrip(g)[1], x)[0]
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    assert np.abs(y - ref).max() <= 1e-5 * np.abs(ref).max()


def _one_node_model(node, opset, initializers=(), out_shape=(1, 3, 8, 8), extra_nodes=()):
    g = helper.make_graph([*extra_nodes, node], "t",
                          [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info(node.output[0], onnx.TensorProto.FLOAT, list(out_shape))],
                          list(initializers))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def _i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def test_opset_22_is_refused_by_number(net_model, tmp_path):
    _, model = net_model
    newer = upgrade(model, 21)
    newer.opset_import[0].version = 22
    src, out, proc = _convert(tmp_path, newer)
    assert_user_error(proc, "m.onnx", "ONNX opset 22", "the highest supported is 21", output=out)


def test_split_with_num_outputs_is_refused_by_name(tmp_path):
    split = helper.make_node("Split", ["x"], ["a", "b"], name="halves", axis=2, num_outputs=2)
    model = _one_node_model(split, 18, out_shape=(1, 3, 4, 8))
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "'halves' (Split)", "no incept equivalent", output=out)


def test_pad_wrap_is_refused(tmp_path):
    pad = helper.make_node("Pad", ["x", "p"], ["y"], name="wrap_pad", mode="wrap")
    model = _one_node_model(pad, 19, [_i64("p", [0, 0, 1, 1, 0, 0, 1, 1])], out_shape=(1, 3, 10, 10))
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "'wrap_pad' (Pad)", "mode 'wrap'", output=out)


def test_pad_axes_must_be_constant_and_match(tmp_path):
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    w = numpy_helper.from_array(np.ones((3, 3, 1, 1), dtype=np.float32), "w")
    pad = helper.make_node("Pad", ["c", "p", "", "dyn"], ["y"], name="pad_dyn")   # 'dyn': no constant
    model = _one_node_model(pad, 18, [w, _i64("p", [1, 1, 1, 1])], out_shape=(1, 3, 10, 10), extra_nodes=[conv])
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "'pad_dyn' (Pad)", "axes (input 3 'dyn') must be a constant", output=out)
    pad = helper.make_node("Pad", ["c", "p", "", "a"], ["y"], name="pad_bad")
    model = _one_node_model(pad, 18, [w, _i64("p", [1, 1, 1]), _i64("a", [2, 3])], out_shape=(1, 3, 10, 10),
                            extra_nodes=[conv])
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "'pad_bad' (Pad)", "pads [1, 1, 1] and axes [2, 3] do not match", output=out)


def test_dilated_average_pool_is_refused(tmp_path):
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    w = numpy_helper.from_array(np.ones((3, 3, 1, 1), dtype=np.float32), "w")
    pool = helper.make_node("AveragePool", ["c"], ["y"], name="dil_pool", kernel_shape=[3, 3], dilations=[2, 2])
    model = _one_node_model(pool, 19, [w], out_shape=(1, 3, 4, 4), extra_nodes=[conv])
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "'dil_pool' (AveragePool)", "dilations [2, 2]", output=out)


def test_float8_weights_are_refused_by_type(tmp_path):
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="conv")
    w = onnx.TensorProto(name="w", data_type=17, dims=[3, 3, 1, 1], raw_data=bytes(9))
    model = _one_node_model(conv, 19, [w])
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "m.onnx", "initializer 'w'", "FLOAT8E4M3FN", "float32", output=out)


def test_reduce_mean_over_other_axes_is_refused(tmp_path):
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    w = numpy_helper.from_array(np.ones((3, 3, 1, 1), dtype=np.float32), "w")
    mean = helper.make_node("ReduceMean", ["c", "axes"], ["y"], name="channel_mean", keepdims=1)
    model = _one_node_model(mean, 18, [w, _i64("axes", [1])], out_shape=(1, 1, 8, 8), extra_nodes=[conv])
    src, out, proc = _convert(tmp_path, model)
    assert_user_error(proc, "'channel_mean' (ReduceMean)", "mean over axes [1]", "only the mean over H and W",
                      output=out)


def test_reduce_mean_keepdims_then_flatten(tmp_path):
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    w = numpy_helper.from_array(np.ones((3, 3, 1, 1), dtype=np.float32), "w")
    mean = helper.make_node("ReduceMean", ["c", "axes"], ["m"], name="mean")
    flat = helper.make_node("Flatten", ["m"], ["y"], name="flat")
    g = helper.make_graph([conv, mean, flat], "t",
                          [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 3])],
                          [w, _i64("axes", [-1, -2])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    src, out, proc = _convert(tmp_path, model)
    assert proc.returncode == 0, proc.stderr
    from incept_convert.reader import read_model
    assert [op.kind for op in read_model(out.read_bytes()).graph.ops] == ["Conv2D", "GlobalAvgPool"]
