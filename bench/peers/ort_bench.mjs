// SPDX-License-Identifier: Apache-2.0
// ONNX Runtime (npm onnxruntime-node, CPU) latency, session-creation time and peak RSS for one model,
// printed as one JSON object on stdout. bench/peers/run.sh drives it; see bench/peers/README.md.
//
//   node ort_bench.mjs MODEL.onnx --input X.npy [--threads T] [--runs R] [--warmup W] [--output Y.npy]
//   node ort_bench.mjs --baseline ort    # RSS of node with onnxruntime-node loaded, no session
//   node ort_bench.mjs --baseline bare   # RSS of node alone
//
// Session: graphOptimizationLevel 'all', intraOpNumThreads T, interOpNumThreads 1, executionMode
// 'sequential'; everything else ORT's default (CPU memory arena and memory patterns on, intra-op
// threads spin). Timings: create_ms = InferenceSession.create; first_ms = the first run; then W
// untimed warm-up runs; then R timed runs -> median / p90 (nearest rank) / min. Each timed run is
// `await session.run(feeds)`: the native run is synchronous on the main thread (the JS wrapper only
// defers it by one setImmediate), and includes wrapping the output in a JS Tensor.
// peak_rss_bytes is VmHWM from /proc/self/status, read at the very end.
import { readFileSync, writeFileSync } from 'node:fs';

function fail(msg) {
  process.stderr.write(`ort_bench: ${msg}\n`);
  process.exit(2);
}

function procStatusBytes(field) {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : null;
}

// Minimal .npy reader: little-endian float32, C order, format 1.0 / 2.0 / 3.0.
function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') fail(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = header.match(/'descr':\s*'([^']+)'/);
  const fortran = header.match(/'fortran_order':\s*(True|False)/);
  const shape = header.match(/'shape':\s*\(([^)]*)\)/);
  if (!descr || !fortran || !shape) fail(`${path}: unreadable .npy header ${header.trim()}`);
  if (descr[1] !== '<f4') fail(`${path}: dtype ${descr[1]}, expected float32 ('<f4')`);
  if (fortran[1] !== 'False') fail(`${path}: Fortran-order arrays are not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (buf.length - offset !== count * 4) fail(`${path}: ${buf.length - offset} data bytes for shape [${dims}]`);
  const data = new Float32Array(count);   // copy: the Buffer's offset need not be 4-byte aligned
  new Uint8Array(data.buffer).set(buf.subarray(offset, offset + count * 4));
  return { dims, data };
}

function writeNpy(path, dims, data) {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const f32 = Float32Array.from(data);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(f32.buffer)]));
}

function parseArgs(argv) {
  const a = { model: null, input: null, output: null, threads: 1, runs: 20, warmup: 3, baseline: null };
  const int = (flag, v, min) => {
    if (!/^\d+$/.test(v ?? '') || Number(v) < min) fail(`${flag} must be an integer >= ${min}, got '${v}'`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; ++i) {
    const f = argv[i];
    if (f === '--input') a.input = argv[++i];
    else if (f === '--output') a.output = argv[++i];
    else if (f === '--threads') a.threads = int(f, argv[++i], 1);
    else if (f === '--runs') a.runs = int(f, argv[++i], 1);
    else if (f === '--warmup') a.warmup = int(f, argv[++i], 0);
    else if (f === '--baseline') a.baseline = argv[++i];
    else if (f.startsWith('-')) fail(`unknown option '${f}'`);
    else if (a.model === null) a.model = f;
    else fail(`unexpected argument '${f}'`);
  }
  if (a.baseline !== null) {
    if (a.baseline !== 'ort' && a.baseline !== 'bare') fail(`--baseline takes 'ort' or 'bare', got '${a.baseline}'`);
  } else if (a.model === null || a.input === null) {
    fail('usage: node ort_bench.mjs MODEL.onnx --input X.npy [--threads T] [--runs R] [--warmup W] [--output Y.npy]');
  }
  return a;
}

const args = parseArgs(process.argv.slice(2));
const now = () => Number(process.hrtime.bigint()) / 1e6;

if (args.baseline === 'bare') {
  process.stdout.write(JSON.stringify({ baseline: 'bare', peak_rss_bytes: procStatusBytes('VmHWM'),
                                        rss_bytes: procStatusBytes('VmRSS') }) + '\n');
  process.exit(0);
}

const ort = (await import('onnxruntime-node')).default;   // loads the native binding (libonnxruntime.so)
const version = ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
if (args.baseline === 'ort') {
  process.stdout.write(JSON.stringify({ baseline: 'ort', version, peak_rss_bytes: procStatusBytes('VmHWM'),
                                        rss_bytes: procStatusBytes('VmRSS') }) + '\n');
  process.exit(0);
}

const x = readNpy(args.input);
const t0 = now();
const session = await ort.InferenceSession.create(args.model, {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: args.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
});
const createMs = now() - t0;
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims) };
const outName = session.outputNames[0];

let t = now();
const first = await session.run(feeds);
const firstMs = now() - t;
if (args.output) writeNpy(args.output, first[outName].dims, first[outName].data);
const outDims = first[outName].dims;

for (let i = 0; i < args.warmup; ++i) await session.run(feeds);
const times = [];
for (let i = 0; i < args.runs; ++i) {
  t = now();
  await session.run(feeds);
  times.push(now() - t);
}
const sorted = [...times].sort((p, q) => p - q);
const n = sorted.length;
const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
const p90 = sorted[Math.max(0, Math.ceil(0.9 * n) - 1)];

process.stdout.write(JSON.stringify({
  runtime: 'onnxruntime-node', version, threads: args.threads, runs: args.runs, warmup: args.warmup,
  create_ms: createMs, first_ms: firstMs, median_ms: median, p90_ms: p90, min_ms: sorted[0],
  mean_ms: times.reduce((p, q) => p + q, 0) / n, times_ms: times,
  peak_rss_bytes: procStatusBytes('VmHWM'), rss_bytes: procStatusBytes('VmRSS'),
  input: { name: session.inputNames[0], dims: x.dims }, output: { name: outName, dims: outDims },
}) + '\n');
