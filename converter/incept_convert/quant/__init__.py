# SPDX-License-Identifier: Apache-2.0
"""Post-training quantisation (incept-convert --quantize int8 --calibration PATH).

    inputs = calibration.load(path, g)                    # float32 NCHW batch (an .npy, or images preprocessed)
    stats = observe.collect(g, inputs)                    # per activation tensor: min, max, histogram of |x|
    summary = scheme.assign(g, stats, "entropy")          # dtype + QuantParams on every activation
    y = reference.run(g, x)                               # the int8 arithmetic, exactly, in NumPy

  floatrun     the graph after the passes as incept runs it (torch, float32), reporting every tensor it makes
  observe      statistics per activation tensor over the calibration inputs
  calibrators  minmax, percentile, entropy: a clipping threshold from a tensor's statistics
  scheme       which tensor is UINT8 / INT8 / FLOAT32, and its (scale, zero point); free-concat groups
  reference    the int8 reference executor: the one arithmetic every int8 kernel must reproduce bit for bit
  calibration  the calibration set: an .npy batch or a folder of images, preprocessed as the file records
"""
