# SPDX-License-Identifier: Apache-2.0
"""--keras X.h5 / X.keras: the Keras-built fixture (fixtures/keras_tiny.*, written by Keras itself with
make_fixtures.py: TensorFlow "same" padding, BatchNorm without gamma, a "same" average pool, residual scales
as CustomScaleLayer and Lambda, a last block without activation) matches Keras's output; broken or
unsupported files are refused with one line. INCEPT_SLOW=1 also runs full-size keras.applications
InceptionV3 and InceptionResNetV2 (seeded weights) through Keras and incept, when the fixtures' Keras venv
(fixtures/.venv-keras) exists."""

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import SLOW, assert_user_error, compare_logits, run_convert
import npref

h5py = pytest.importorskip("h5py", reason="Keras files are read with h5py (Debian: python3-h5py)")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KERAS_PYTHON = FIXTURES / ".venv-keras" / "bin" / "python"


def _compare(model_path, x, ref, what, incept_bin=None):
    from incept_convert.reader import read_model
    runs = [("npref", npref.run(read_model(model_path.read_bytes()), x)[0])]
    if incept_bin is not None:
        xin, yout = model_path.with_suffix(".x.npy"), model_path.with_suffix(".y.npy")
        np.save(xin, x)
        proc = subprocess.run([str(incept_bin), str(model_path), "--input", str(xin), "--output", str(yout)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        runs.append(("incept-run", np.load(yout)))
    for name, y in runs:
        diff, rel, top5 = compare_logits(y, ref)
        print(f"\n[keras] {what} ({name}): max|diff| = {diff:.3e} ({rel:.3e} x max|output|), top-5 identical: {top5}")
        assert rel <= 1e-4 and top5, (name, diff, rel, top5)


@pytest.fixture(scope="module")
def incept_bin():
    from conftest import REPO
    exe = Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin")) / "incept-run"
    return exe if exe.is_file() and os.access(exe, os.X_OK) else None


@pytest.mark.parametrize("suffix", ["h5", "keras"])
def test_keras_fixture_matches_keras(tmp_path, suffix, incept_bin):
    from incept_convert.reader import read_model
    out = tmp_path / f"tiny_{suffix}.incept"
    proc = run_convert("--keras", FIXTURES / f"keras_tiny.{suffix}", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "keras:keras_tiny" in proc.stdout
    meta = read_model(out.read_bytes()).graph.metadata
    assert meta.mean == pytest.approx([0.5] * 3) and meta.std == pytest.approx([0.5] * 3)   # x / 127.5 - 1
    _compare(out, np.load(FIXTURES / "keras_input.npy"), np.load(FIXTURES / "keras_probs.npy"), f"keras_tiny.{suffix}",
             incept_bin)


def _h5_with_config(tmp_path, edit, name="edited.h5"):
    dst = tmp_path / name
    shutil.copy(FIXTURES / "keras_tiny.h5", dst)
    with h5py.File(dst, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        edit(config["config"]["layers"])
        f.attrs["model_config"] = json.dumps(config)
    return dst


def _layer(layers, class_name, index=0):
    return [layer for layer in layers if layer["class_name"] == class_name][index]


def test_unsupported_layer_is_named(tmp_path):
    src = _h5_with_config(tmp_path, lambda layers: _layer(layers, "MaxPooling2D").update(class_name="LSTM"))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--keras", src, "-o", out), "'max_pooling2d' (LSTM)", "no incept equivalent",
                      output=out)


def test_other_lambda_is_refused(tmp_path):
    src = _h5_with_config(tmp_path, lambda layers: _layer(layers, "Lambda")["config"].update(arguments={}))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--keras", src, "-o", out), "(Lambda)", "Python code", output=out)


def test_channels_first_and_activation_are_checked(tmp_path):
    src = _h5_with_config(tmp_path, lambda layers: _layer(layers, "Conv2D")["config"].update(activation="tanh"))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--keras", src, "-o", out), "(Conv2D)", "activation 'tanh'", output=out)
    src = _h5_with_config(tmp_path, lambda layers: _layer(layers, "AveragePooling2D")["config"].update(
        data_format="channels_first"))
    assert_user_error(run_convert("--keras", src, "-o", out), "(AveragePooling2D)", "channels_first", output=out)


def test_kernel_shape_mismatch(tmp_path):
    dst = tmp_path / "shape.h5"
    shutil.copy(FIXTURES / "keras_tiny.h5", dst)
    with h5py.File(dst, "r+") as f:
        g = f["model_weights/conv2d/conv2d"]
        del g["kernel"]
        g["kernel"] = np.zeros((5, 5, 3, 16), dtype=np.float32)
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--keras", dst, "-o", out), "'conv2d' (Conv2D)", "[5, 5, 3, 16]", "[3, 3, 3, 16]",
                      output=out)


def _weights_only(dst, rename=lambda name: name):
    """The fixture's weights as model.save_weights() writes a legacy .h5 (no model config), layers renamed."""
    with h5py.File(FIXTURES / "keras_tiny.h5", "r") as src, h5py.File(dst, "w") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in src["model_weights"].attrs["layer_names"]]
        f.attrs["layer_names"] = np.array([rename(n).encode() for n in names])
        for n in names:
            g = f.create_group(rename(n))
            weight_names = []
            for w in src["model_weights"][n].attrs["weight_names"]:
                w = w.decode() if isinstance(w, bytes) else w
                new = f"{rename(n)}/{w.split('/')[-1]}:0"
                g[new] = np.asarray(src["model_weights"][n][w])
                weight_names.append(new.encode())
            g.attrs["weight_names"] = np.array(weight_names)
    return dst


def test_weights_only_h5_needs_an_arch(tmp_path):
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--keras", _weights_only(tmp_path / "w.h5"), "-o", out), "weights only",
                      "save the whole model", output=out)


@pytest.fixture
def tiny_arch(tmp_path, monkeypatch):
    """The fixture's model config as a keras.applications-style zoo arch of this process (like zoo/keras/)."""
    import gzip
    from incept_convert import keras_import
    with h5py.File(FIXTURES / "keras_tiny.h5", "r") as f:
        config = f.attrs["model_config"]
    path = tmp_path / "keras_tiny.json.gz"
    path.write_bytes(gzip.compress(config.encode() if isinstance(config, str) else config))
    monkeypatch.setitem(keras_import.ARCHS, "keras_fixture_tiny", str(path))
    return "keras_fixture_tiny"


@pytest.mark.parametrize("source", ["weights_only", "renamed", "h5", "keras"])
def test_arch_takes_weights_by_layer_order(tmp_path, tiny_arch, source):
    """--arch keras_...: weights matched as Keras's load_weights() matches them, by order whatever the names
    (published weights files name their layers conv2d_1, batch_normalization_1, ...)."""
    from incept_convert import cli
    src = {"weights_only": lambda: _weights_only(tmp_path / "w.h5"),
           "renamed": lambda: _weights_only(tmp_path / "w.h5", lambda n: f"old_{n}"),
           "h5": lambda: FIXTURES / "keras_tiny.h5", "keras": lambda: FIXTURES / "keras_tiny.keras"}[source]()
    out = tmp_path / "m.incept"
    assert cli.main(["--arch", tiny_arch, "--checkpoint", str(src), "-o", str(out), "-q"]) == 0
    _compare(out, np.load(FIXTURES / "keras_input.npy"), np.load(FIXTURES / "keras_probs.npy"), f"--arch from {source}")


def test_arch_counts_and_shapes_are_checked(tmp_path, tiny_arch, capsys):
    from incept_convert import cli
    out = tmp_path / "m.incept"
    assert cli.main(["--arch", "keras_inception_v3", "--checkpoint", str(FIXTURES / "keras_tiny.h5"),
                     "-o", str(out)]) == 2
    assert "has weights for 40 layers, --arch keras_inception_v3 for 189" in capsys.readouterr().err
    dst = _weights_only(tmp_path / "w.h5", lambda n: f"old_{n}")
    with h5py.File(dst, "r+") as f:
        g = f["old_conv2d_1"]
        del g["old_conv2d_1/kernel:0"]
        g["old_conv2d_1/kernel:0"] = np.zeros((3, 3, 16, 8), dtype=np.float32)
    assert cli.main(["--arch", tiny_arch, "--checkpoint", str(dst), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'conv2d_1' (Conv2D, 'old_conv2d_1' in the file) kernel has shape [3, 3, 16, 8]" in err, err
    assert not out.exists()


def test_damaged_files(tmp_path):
    out = tmp_path / "m.incept"
    cut = tmp_path / "cut.h5"
    data = (FIXTURES / "keras_tiny.h5").read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_user_error(run_convert("--keras", cut, "-o", out), "cannot read Keras model", "cut.h5", output=out)
    text = tmp_path / "text.keras"
    text.write_text("not a model\n")
    assert_user_error(run_convert("--keras", text, "-o", out), "cannot read Keras model", output=out)
    zipped = tmp_path / "other.keras"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("config.json", "{}")
    assert_user_error(run_convert("--keras", zipped, "-o", out), "not a .keras model", output=out)
    bad_config = tmp_path / "bad.h5"
    shutil.copy(FIXTURES / "keras_tiny.h5", bad_config)
    with h5py.File(bad_config, "r+") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Functional",
                                              "config": {"layers": [{"class_name": "Conv2D"}]}})
    assert_user_error(run_convert("--keras", bad_config, "-o", out), "model config", output=out)


def test_keras_archive_caps(tmp_path, monkeypatch, capsys):
    """A .keras zip's members are read into memory: over the caps, the converter refuses before reading."""
    from incept_convert import cli, keras_files
    out = tmp_path / "m.incept"
    monkeypatch.setattr(keras_files, "MAX_WEIGHTS_BYTES", 1024)
    assert cli.main(["--keras", str(FIXTURES / "keras_tiny.keras"), "-o", str(out)]) == 2
    assert "model.weights.h5 is over the 9.53674e-07 GiB the converter reads into memory" in capsys.readouterr().err
    monkeypatch.setattr(keras_files, "MAX_CONFIG_BYTES", 16)
    assert cli.main(["--keras", str(FIXTURES / "keras_tiny.keras"), "-o", str(out)]) == 2
    assert "config.json is over" in capsys.readouterr().err
    assert not out.exists()


def test_keras_goes_alone(tmp_path):
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--keras", FIXTURES / "keras_tiny.h5", "--arch", "googlenet", "-o", out),
                      "give one of", output=out)


FULL_SIZE = """
import os, sys
import numpy as np, keras
from keras import layers
name, out = sys.argv[1], sys.argv[2]
keras.utils.set_random_seed(1)
build = {"inception_v3": keras.applications.InceptionV3,
         "inception_resnet_v2": keras.applications.InceptionResNetV2}[name]
model = build(weights=None, classifier_activation=None)   # logits, not probabilities
rng = np.random.default_rng(1)
for layer in model.layers:
    if isinstance(layer, layers.BatchNormalization):
        beta, mean, var = layer.get_weights()
        layer.set_weights([rng.normal(0, 0.2, beta.shape), rng.normal(0, 0.2, mean.shape),
                           rng.uniform(0.5, 2.0, var.shape)])
model.save(os.path.join(out, name + ".keras"))
model.save(os.path.join(out, name + ".h5"))
import h5py
from keras.src.legacy.saving import legacy_h5_format
with h5py.File(os.path.join(out, name + "_weights.h5"), "w") as f:   # as keras.applications' published weights
    legacy_h5_format.save_weights_to_hdf5_group(f, model)
x = rng.standard_normal((1, 3, 299, 299)).astype(np.float32)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), np.asarray(model(x.transpose(0, 2, 3, 1))))
"""


@pytest.mark.skipif(not SLOW, reason="full-size keras.applications nets: INCEPT_SLOW=1 runs them")
@pytest.mark.skipif(not KERAS_PYTHON.exists(), reason="needs Keras: run tests/converter/fixtures/make_fixtures.py once "
                    "(it makes fixtures/.venv-keras)")
@pytest.mark.parametrize("name", ["inception_v3", "inception_resnet_v2"])
def test_full_size_keras_applications(tmp_path, name, incept_bin):
    if incept_bin is None:
        pytest.skip("needs the built incept-run (the NumPy oracle is too slow at full size)")
    proc = subprocess.run([str(KERAS_PYTHON), "-c", FULL_SIZE, name, str(tmp_path)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=1200, env={**os.environ, "KERAS_BACKEND": "jax"})
    assert proc.returncode == 0, proc.stdout[-2000:]
    x, y = np.load(tmp_path / "x.npy"), np.load(tmp_path / "y.npy")
    for suffix, args in (("keras", ["--keras", tmp_path / f"{name}.keras"]),
                         ("h5", ["--keras", tmp_path / f"{name}.h5"]),
                         ("arch_weights_h5",
                          ["--arch", f"keras_{name}", "--checkpoint", tmp_path / f"{name}_weights.h5"]),
                         ("arch_keras", ["--arch", f"keras_{name}", "--checkpoint", tmp_path / f"{name}.keras"])):
        out = tmp_path / f"{name}_{suffix}.incept"
        conv = run_convert(*args, "-o", out, "-q")
        assert conv.returncode == 0, conv.stderr
        exe = incept_bin
        xin, yout = tmp_path / "xin.npy", tmp_path / f"{suffix}_y.npy"
        np.save(xin, x)
        run = subprocess.run([str(exe), str(out), "--input", str(xin), "--output", str(yout)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        # keras.applications ends in softmax; the model above was built without it, to compare logits
        ref = y if not suffix.startswith("arch") else np.exp(y - y.max()) / np.exp(y - y.max()).sum()
        diff, rel, top5 = compare_logits(np.load(yout), ref)
        print(f"\n[keras] {name}.{suffix} full size (incept-run): max|diff| = {diff:.3e} ({rel:.3e} x max|output|), "
              f"top-5 identical: {top5}")
        assert rel <= 1e-4 and top5


def _as_tf_keras_2(config: dict) -> dict:
    """The Keras 3 config in tf.keras 2's spelling: nested-list inbound nodes [[[name, 0, 0, {}], ...]],
    batch_input_shape, nested input/output layer lists, a Lambda's function as [code, defaults, closure]."""
    def history(v, out):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            name, node, index = v["config"]["keras_history"]
            out.append([name, node, index, {}])
        elif isinstance(v, (list, dict)):
            for x in (v.values() if isinstance(v, dict) else v):
                history(x, out)
        return out
    cfg = config["config"]
    for layer in cfg["layers"]:
        layer["inbound_nodes"] = [history(node["args"], []) for node in layer["inbound_nodes"]]
        c = layer["config"]
        if layer["class_name"] == "InputLayer":
            c["batch_input_shape"] = c.pop("batch_shape")
        if layer["class_name"] == "Lambda":
            c["function"], c["function_type"] = ["4wIAAAAA", None, None], "lambda"
        if layer["class_name"] == "CustomScaleLayer":   # tf.keras 2 wrote a Lambda here
            layer["class_name"] = "Lambda"
            c.update(function=["4wIAAAAA", None, None], function_type="lambda", arguments={"scale": c.pop("scale")})
    cfg["input_layers"], cfg["output_layers"] = [cfg["input_layers"]], [cfg["output_layers"]]
    return {"class_name": "Model", "config": cfg, "keras_version": "2.4.0", "backend": "tensorflow"}


def test_tf_keras_2_config_spelling(tmp_path):
    dst = tmp_path / "tf2.h5"
    shutil.copy(FIXTURES / "keras_tiny.h5", dst)
    with h5py.File(dst, "r+") as f:
        f.attrs["model_config"] = json.dumps(_as_tf_keras_2(json.loads(f.attrs["model_config"]))).encode()
    out = tmp_path / "tf2.incept"
    proc = run_convert("--keras", dst, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    _compare(out, np.load(FIXTURES / "keras_input.npy"), np.load(FIXTURES / "keras_probs.npy"), "tf.keras 2 spelling")


def test_sequential_model(tmp_path):
    """A Sequential model (no inbound nodes: each layer reads the previous one), in tf.keras 2's spelling with
    the input shape on the first layer; checked against the same network in NumPy."""
    rng = np.random.default_rng(4)
    k, b = rng.standard_normal((1, 1, 3, 4)), rng.standard_normal(4)
    dk, db = rng.standard_normal((4, 2)), rng.standard_normal(2)
    layers = [{"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": [1, 1], "strides": [1, 1],
                                                  "padding": "valid", "activation": "relu", "use_bias": True,
                                                  "batch_input_shape": [None, 6, 6, 3]}},
              {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}},
              {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "linear", "use_bias": True}}]
    dst = tmp_path / "seq.h5"
    with h5py.File(dst, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "seq", "layers": layers}})
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"c", b"gap", b"d"])
        for name, arrays in (("c", [k, b]), ("gap", []), ("d", [dk, db])):
            lg = g.create_group(name)
            lg.attrs["weight_names"] = np.array([f"{name}/w{i}:0".encode() for i in range(len(arrays))])
            for i, a in enumerate(arrays):
                lg[f"{name}/w{i}:0"] = a.astype(np.float32)
    out = tmp_path / "seq.incept"
    proc = run_convert("--keras", dst, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    x = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    hidden = np.maximum(np.einsum("nchw,co->nhwo", x, k.astype(np.float32)[0, 0]) + b.astype(np.float32), 0)
    ref = hidden.mean(axis=(1, 2)) @ dk.astype(np.float32) + db.astype(np.float32)
    _compare(out, x, ref, "Sequential")
