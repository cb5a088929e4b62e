# SPDX-License-Identifier: Apache-2.0
"""Writes the model configs of keras.applications' InceptionV3 and InceptionResNetV2 that the converter's
`--arch keras_inception_v3` / `keras_inception_resnet_v2` use for weights-only files. Run by hand with a
Keras 3 (tests/converter/fixtures/make_fixtures.py makes a venv with a pinned one):

    KERAS_BACKEND=jax tests/converter/fixtures/.venv-keras/bin/python converter/incept_convert/zoo/keras/make_configs.py

Each config is the functional model's get_config() from a fresh process (so the layer names are the ones
a fresh Keras gives: conv2d, conv2d_1, ...), its layers in model.layers order (the order Keras's own
load_weights() matches a weights-only .h5 by), without initializers, regularizers, constraints and dtype
policies, which inference does not need; gzipped JSON next to this script.
"""

import gzip
import json
import sys
from pathlib import Path

DROP = ("initializer", "regularizer", "constraint")


def _strip(layer: dict) -> dict:
    config = {k: v for k, v in layer["config"].items() if not k.endswith(DROP) and k not in ("dtype", "trainable")}
    return {"class_name": layer["class_name"], "name": layer["name"], "config": config,
            "inbound_nodes": layer["inbound_nodes"]}


def main() -> int:
    import keras
    out = Path(__file__).resolve().parent
    for name, build in (("inception_v3", keras.applications.InceptionV3),
                        ("inception_resnet_v2", keras.applications.InceptionResNetV2)):
        keras.backend.clear_session()   # layer names from a fresh state: conv2d, conv2d_1, ...
        model = build(weights=None)
        cfg = model.get_config()
        cfg["layers"] = [_strip(layer) for layer in cfg["layers"]]
        doc = {"class_name": "Functional", "config": cfg, "keras_version": keras.__version__}
        data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
        with gzip.GzipFile(out / f"{name}.json.gz", "wb", mtime=0) as f:
            f.write(data)
        print(f"{name}: {len(cfg['layers'])} layers, {len(data)} bytes of JSON")
    return 0


if __name__ == "__main__":
    sys.exit(main())
