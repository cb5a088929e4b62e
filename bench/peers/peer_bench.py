# SPDX-License-Identifier: Apache-2.0
"""One measurement of one peer runtime in a fresh process, printed as one JSON object on stdout.
Runs under the bench venv's Python (bench/peers/run.sh makes it); bench/peers/peers.py drives it.

    build/peers-venv/bin/python bench/peers/peer_bench.py --runtime ort MODEL --input X.npy --threads T \
        [--runs R] [--warmup W] [--output Y.npy]
    build/peers-venv/bin/python bench/peers/peer_bench.py --runtime ort MODEL --each X.npy --output Y.npy
    build/peers-venv/bin/python bench/peers/peer_bench.py --runtime ort --baseline   # import only, no model
    build/peers-venv/bin/python bench/peers/peer_bench.py --baseline                 # python + numpy alone

Timings: create_ms = from nothing to ready to run (read the model file, build the session/interpreter/net,
pack weights); first_ms = the first inference; then W untimed warm-up runs; then R timed runs ->
median / p90 (nearest rank) / min. The input is set once before the first run where the API allows it
(it is then not part of the timed call); each peer's class says what one timed run is.
peak_rss_bytes is VmHWM from /proc/self/status, read at the very end.
--each X.npy: no timing; every row of X [N, 3, S, S] run on its own, the outputs written as Y.npy [N, ...]
(the int8 error against PyTorch's logits).
"""

import argparse
import json
import sys
import time

import numpy as np


def proc_status_bytes(field: str):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return None


class Peer:
    """One runtime. load() builds everything for one model at T threads; run() is one timed inference."""
    name = module = dist = settings = ""

    def __init__(self):
        self.lib = __import__(self.module, fromlist=["_"])

    def version(self) -> str:
        from importlib.metadata import version
        return version(self.dist)


class Ort(Peer):
    name, module, dist = "ONNX Runtime", "onnxruntime", "onnxruntime"
    settings = ("InferenceSession, CPUExecutionProvider, graph_optimization_level ORT_ENABLE_ALL, "
                "intra_op_num_threads T, inter_op_num_threads 1, ORT_SEQUENTIAL; one run = session.run()")

    def load(self, model, threads):
        ort = self.lib
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])

    def set_input(self, x):
        self.feeds = {self.s.get_inputs()[0].name: x}

    def run(self):
        self.y = self.s.run(None, self.feeds)[0]

    def output(self):
        return self.y


class TFLite(Peer):
    name, module, dist = "TFLite (LiteRT)", "ai_edge_litert.interpreter", "ai-edge-litert"
    settings = ("ai_edge_litert Interpreter(num_threads=T), default op resolver with the XNNPACK delegate; "
                "NHWC input set once; one run = invoke()")

    def load(self, model, threads):
        self.it = self.lib.Interpreter(model_path=model, num_threads=threads)
        self.it.allocate_tensors()
        self.inp, self.out = self.it.get_input_details()[0], self.it.get_output_details()[0]

    def set_input(self, x):
        self.it.set_tensor(self.inp["index"], np.ascontiguousarray(x.transpose(0, 2, 3, 1)))

    def run(self):
        self.it.invoke()

    def output(self):
        return self.it.get_tensor(self.out["index"])


class Ncnn(Peer):
    name, module, dist = "ncnn", "ncnn", "ncnn"
    settings = ("Net with opt.num_threads T and fp16/bf16 storage, packing and arithmetic off (fp32 like the others; "
                "the rest ncnn's defaults: Winograd, sgemm, packing layout, light mode); one run = "
                "create_extractor() + input() + extract()")

    def load(self, param, threads):
        ncnn = self.lib
        self.net = ncnn.Net()
        o = self.net.opt
        o.num_threads = threads
        o.use_fp16_packed = o.use_fp16_storage = o.use_fp16_arithmetic = o.use_bf16_storage = False
        # the blob names: the Input layer's top, and the last layer's top (pnnx writes in0 / out0)
        with open(param) as f:
            layers = [ln.split() for ln in f.read().splitlines()[2:] if ln.strip()]
        self.in_name = next(x for x in layers if x[0] == "Input")[4]
        last = layers[-1]
        self.out_name = last[4 + int(last[2])]
        if self.net.load_param(param) != 0 or self.net.load_model(param[:-len(".param")] + ".bin") != 0:
            raise RuntimeError(f"ncnn could not load {param} and its .bin")

    def set_input(self, x):
        self.x = self.lib.Mat(np.ascontiguousarray(x[0])).clone()

    def run(self):
        with self.net.create_extractor() as ex:
            ex.input(self.in_name, self.x)
            rc, y = ex.extract(self.out_name)
            if rc != 0:
                raise RuntimeError(f"ncnn extract('{self.out_name}') returned {rc}")
            self.y = y

    def output(self):
        return np.array(self.y.numpy()).reshape(1, -1)


class Mnn(Peer):
    name, module, dist = "MNN", "MNN", "MNN"
    settings = ("Interpreter + createSession({backend CPU, numThread T, precision normal (fp32 here)}); input copied "
                "in once; one run = runSession()")

    def load(self, model, threads):
        self.it = self.lib.Interpreter(model)
        self.s = self.it.createSession({"backend": "CPU", "numThread": threads, "precision": "normal"})

    def set_input(self, x):
        mnn = self.lib
        host = mnn.Tensor(tuple(x.shape), mnn.Halide_Type_Float, np.ascontiguousarray(x).copy(),
                          mnn.Tensor_DimensionType_Caffe)
        self.it.getSessionInput(self.s).copyFrom(host)

    def run(self):
        self.it.runSession(self.s)

    def output(self):
        mnn = self.lib
        out = self.it.getSessionOutput(self.s)
        shape = tuple(out.getShape())
        host = mnn.Tensor(shape, mnn.Halide_Type_Float, np.zeros(shape, np.float32), mnn.Tensor_DimensionType_Caffe)
        out.copyToHostTensor(host)
        return np.array(host.getNumpyData(), np.float32).reshape(shape)


class OpenVino(Peer):
    name, module, dist = "OpenVINO", "openvino", "openvino"
    settings = ("Core.compile_model(IR, 'CPU', INFERENCE_NUM_THREADS T, NUM_STREAMS 1, PERFORMANCE_HINT LATENCY, "
                "INFERENCE_PRECISION_HINT f32 (the default here would be bf16)); input tensor set once; "
                "one run = InferRequest.infer()")

    def load(self, xml, threads):
        ov = self.lib
        core = ov.Core()
        cfg = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
               "INFERENCE_PRECISION_HINT": "f32"}
        self.req = core.compile_model(core.read_model(xml), "CPU", cfg).create_infer_request()

    def set_input(self, x):
        self.req.set_input_tensor(self.lib.Tensor(np.ascontiguousarray(x)))

    def run(self):
        self.req.infer()

    def output(self):
        return np.array(self.req.get_output_tensor().data)


PEERS = {"ort": Ort, "tflite": TFLite, "ncnn": Ncnn, "mnn": Mnn, "openvino": OpenVino}


def write_npy(path, y):
    np.save(path, np.asarray(y, np.float32))


def measure(a) -> dict:
    peer = PEERS[a.runtime]()
    x = np.load(a.input).astype(np.float32, copy=False)
    ns = time.perf_counter_ns
    t = ns()
    peer.load(a.model, a.threads)
    create_ms = (ns() - t) / 1e6
    peer.set_input(x)
    t = ns()
    peer.run()
    first_ms = (ns() - t) / 1e6
    y = peer.output()
    if a.output:
        write_npy(a.output, y)
    for _ in range(a.warmup):
        peer.run()
    times = []
    for _ in range(a.runs):
        t = ns()
        peer.run()
        times.append((ns() - t) / 1e6)
    s = sorted(times)
    n = len(s)
    median = s[(n - 1) // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"runtime": a.runtime, "name": peer.name, "version": peer.version(), "settings": peer.settings,
            "threads": a.threads, "runs": a.runs, "warmup": a.warmup, "create_ms": create_ms, "first_ms": first_ms,
            "median_ms": median, "p90_ms": s[max(0, -(-9 * n // 10) - 1)], "min_ms": s[0],
            "mean_ms": sum(times) / n, "times_ms": times, "output_shape": list(np.shape(y)),
            "peak_rss_bytes": proc_status_bytes("VmHWM"), "rss_bytes": proc_status_bytes("VmRSS")}


def each(a) -> dict:
    peer = PEERS[a.runtime]()
    x = np.load(a.each).astype(np.float32, copy=False)
    peer.load(a.model, a.threads)
    ys = []
    for i in range(len(x)):
        peer.set_input(x[i:i + 1])
        peer.run()
        ys.append(np.array(peer.output(), np.float32).reshape(1, -1))
    write_npy(a.output, np.concatenate(ys))
    return {"runtime": a.runtime, "name": peer.name, "version": peer.version(), "inputs": len(x)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", nargs="?", help="the peer's model file (.onnx, .tflite, .ncnn.param, .mnn, .xml)")
    p.add_argument("--runtime", choices=sorted(PEERS))
    p.add_argument("--input", help="NCHW float32 .npy")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--output", help="write the first run's output here (.npy); with --each, every row's")
    p.add_argument("--each", metavar="X.npy", help="run every row of X once, untimed, outputs to --output")
    p.add_argument("--baseline", action="store_true",
                   help="peak RSS of python + numpy (+ the runtime's import with --runtime), no model")
    a = p.parse_args(argv)
    if a.baseline:
        r = {"baseline": a.runtime or "bare"}
        if a.runtime:
            r["version"] = PEERS[a.runtime]().version()
        r.update(peak_rss_bytes=proc_status_bytes("VmHWM"), rss_bytes=proc_status_bytes("VmRSS"))
        print(json.dumps(r))
        return 0
    if a.each and not (a.runtime and a.model and a.output):
        p.error("--each needs --runtime, MODEL and --output")
    if not a.each and (not (a.runtime and a.model and a.input) or a.threads < 1 or a.runs < 1 or a.warmup < 0):
        p.error("needs --runtime, MODEL and --input; --threads and --runs >= 1, --warmup >= 0")
    try:
        r = each(a) if a.each else measure(a)
    except Exception as e:   # one line for peers.py's row, whatever the runtime raised
        print(f"peer_bench {a.runtime}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
