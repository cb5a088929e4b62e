# SPDX-License-Identifier: Apache-2.0
"""incept: run Inception CNNs from a .incept model file (written by incept-convert) in memory planned up front.

    import incept
    with incept.Interpreter("model.incept") as interp:
        x = incept.load_image("cat.png", interp)        # the model's own resize, mean/std and channel order
        logits = interp.run(x)                          # float32 NHWC in; layout="nchw" for PyTorch's order
        print(interp.labels[int(logits.argmax())])

No copies where the runtime allows: interp.input is a writeable view of the input tensor inside the arena
and interp.output a read-only view of the output; fill one, invoke(), read the other. run() and invoke()
release the GIL. Runtime errors raise incept.Error (a RuntimeError) with the runtime's message.
"""
from ._incept import Error, Interpreter, __version__, available_backends, load_image

__all__ = ["Error", "Interpreter", "__version__", "available_backends", "load_image"]
