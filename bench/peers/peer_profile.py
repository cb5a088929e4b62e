# SPDX-License-Identifier: Apache-2.0
"""Where a peer's inference time goes: its own per-op profiler, summed by op type and by kernel, beside the
slowest ops. The counterpart of `incept-bench MODEL --profile` for the runtimes that have one.
Runs under the bench venv's Python (bench/peers/run.sh makes it):

    build/peers-venv/bin/python bench/peers/peer_profile.py --runtime openvino MODEL.xml --input X.npy --threads T
    build/peers-venv/bin/python bench/peers/peer_profile.py --runtime ort MODEL.onnx --input X.npy --threads T

openvino: the CPU plugin's performance counters (PERF_COUNT), the same settings as peer_bench.py otherwise;
each op's real time, as its plugin measures it, for the op type it executes and the kernel it chose
(exec_type: e.g. brgconv_avx512_core_vnni_I8). ort: SessionOptions.enable_profiling, every node's kernel
time, by op type. Each figure is the mean over --runs profiled runs after --warmup, in ms; the op times of a
profiled run add up to less than a timed run (the runtime's work between ops is not in them).
"""

import argparse
import collections
import json
import os
import sys
import tempfile

import numpy as np

import peer_bench


def openvino_ops(model, x, threads, runs, warmup):
    import openvino as ov
    core = ov.Core()
    cfg = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
           "INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": True}
    req = core.compile_model(core.read_model(model), "CPU", cfg).create_infer_request()
    req.set_input_tensor(ov.Tensor(np.ascontiguousarray(x)))
    for _ in range(warmup):
        req.infer()
    ops = collections.defaultdict(float)
    kinds = {}
    for _ in range(runs):
        req.infer()
        for p in req.get_profiling_info():
            if p.status == p.Status.EXECUTED:
                ops[p.node_name] += p.real_time.total_seconds() * 1e3 / runs
                kinds[p.node_name] = (p.node_type, p.exec_type)
    return [(name, kinds[name][0], kinds[name][1], ms) for name, ms in ops.items()]


def ort_ops(model, x, threads, runs, warmup):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    with tempfile.TemporaryDirectory() as d:
        so.enable_profiling = True
        so.profile_file_prefix = os.path.join(d, "ort")
        s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        feeds = {s.get_inputs()[0].name: x}
        for _ in range(warmup + runs):   # every run is traced; the last `runs` of each node are kept
            s.run(None, feeds)
        with open(s.end_profiling()) as f:
            events = json.load(f)
    per_run = collections.defaultdict(list)
    kinds = {}
    for e in events:
        if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            name = e["name"][:-len("_kernel_time")]
            per_run[name].append(e["dur"] / 1e3)
            kinds[name] = (e.get("args", {}).get("op_name", "?"), e.get("args", {}).get("provider", ""))
    return [(name, kinds[name][0], kinds[name][1], sum(t[-runs:]) / runs) for name, t in per_run.items()]


PROFILERS = {"openvino": openvino_ops, "ort": ort_ops}


def report(ops, top) -> str:
    total = sum(ms for *_, ms in ops)
    lines = [f"{len(ops)} ops, {total:.3f} ms in all (mean over the profiled runs)"]
    for title, key in (("by op type", lambda o: o[1]), ("by kernel", lambda o: o[2])):
        sums, counts = collections.defaultdict(float), collections.Counter()
        for o in ops:
            sums[key(o)] += o[3]
            counts[key(o)] += 1
        lines.append(f"\n{title}:")
        for k, ms in sorted(sums.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {k[:48]:48s} {counts[k]:4d} ops {ms:9.3f} ms {100 * ms / total:5.1f} %")
    lines.append(f"\nthe {top} slowest ops:")
    for name, kind, kernel, ms in sorted(ops, key=lambda o: -o[3])[:top]:
        lines.append(f"  {ms:8.3f} ms  {kind[:18]:18s} {kernel[:34]:34s} {name[:60]}")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--runtime", choices=sorted(PROFILERS), required=True)
    p.add_argument("--input", required=True, help="NCHW float32 .npy, one image")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--json", action="store_true", help="the ops as JSON [name, type, kernel, ms] instead")
    a = p.parse_args(argv)
    if a.threads < 1 or a.runs < 1 or a.warmup < 0:
        p.error("--threads and --runs >= 1, --warmup >= 0")
    x = np.load(a.input).astype(np.float32, copy=False)
    try:
        ops = PROFILERS[a.runtime](a.model, x, a.threads, a.runs, a.warmup)
    except Exception as e:   # one line, whatever the runtime raised
        print(f"peer_profile {a.runtime}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps({"runtime": a.runtime, "version": peer_bench.PEERS[a.runtime]().version(), "ops": ops}))
    else:
        print(f"{peer_bench.PEERS[a.runtime].name} {peer_bench.PEERS[a.runtime]().version()}, {a.threads} thread(s): "
              + report(ops, a.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
