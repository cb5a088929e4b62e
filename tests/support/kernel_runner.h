// SPDX-License-Identifier: Apache-2.0
// Runs registered kernels (ops/op_registry.h) exactly as prepare and invoke do: create from a KernelConfig,
// setup and run on a KernelIo, with the activations dense, in channel slices of wider NaN-guarded buffers or
// in place (Slices, cases.h), scratch of exactly the size asked for with a guard block behind it, and the
// heap and XNNPACK's allocator watched around run(). Every kernel test goes through here, so a new kernel in
// a registry is tested by the op's conformance test without new test code.
//
//   test::KernelTally tally;
//   test::check_kernels(ops::OpKind::kMaxPool2D, &c.p, {test::KernelInput::of(x)}, out_shape, c.slices, pool2,
//                       [&](const ops::Kernel&, const test::Tensor& y) { return count_differences(ref, y); }, &tally);
//   tally.check_every_kernel_ran(ops::OpKind::kMaxPool2D);
#pragma once

#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif
#include "support/cases.h"
#include "support/heap_counter.h"
#include "support/isa.h"
#include "support/test_util.h"

namespace incept::test {

// Why this CPU cannot run `k`, whatever the INCEPT_ISA cap says ("for avx512f, which this CPU lacks"); ""
// when it can.
inline std::string why_not_runnable(const ops::Kernel& k) {
  if (!ops::cpu_has(k.isa)) return std::string("for ") + ops::isa_name(k.isa) + ", which this CPU lacks";
  if (k.types.input != ops::DataType::kF32)  // these cases are float32; 8-bit kernels have their own tests
    return "for 8-bit tensors (float32 cases)";
  const IsaCapGuard cap(ops::cpu_best_isa());
  if (ops::kernel_usable(k)) return "";
  return k.family == ops::KernelFamily::kXnnpack ? "of XNNPACK, not built in or not usable on this CPU"
                                                 : "not usable on this CPU";
}

// The kernels of `kind` this CPU cannot run, one line per reason, as
// "skipped: 2 conv2d kernels for neon, which this CPU lacks: <name>, <name>"; empty when it runs them all.
inline std::vector<std::string> skipped_kernel_lines(ops::OpKind kind) {
  const ops::OpDef& def = ops::op_def(kind);
  std::map<std::string, std::vector<std::string>> by_reason;
  for (int i = 0; i < def.num_kernels; ++i) {
    const std::string why = why_not_runnable(*def.kernels[i]);
    if (!why.empty()) by_reason[why].push_back(def.kernels[i]->name);
  }
  std::vector<std::string> lines;
  for (const auto& [why, names] : by_reason) {
    std::string line = "skipped: " + std::to_string(names.size()) + " " + def.snake +
                       (names.size() == 1 ? " kernel " : " kernels ") + why + ":";
    for (size_t i = 0; i < names.size(); ++i) line += (i == 0 ? " " : ", ") + names[i];
    lines.push_back(line);
  }
  return lines;
}

// Every kernel of `kind` this CPU can run, whatever the INCEPT_ISA cap says (XNNPACK: where it initialises),
// in registry order. The first call for each op in a run prints the kernels it leaves out and why.
inline std::vector<const ops::Kernel*> runnable_kernels(ops::OpKind kind) {
  static bool reported[256] = {};
  if (!reported[static_cast<uint8_t>(kind)]) {
    reported[static_cast<uint8_t>(kind)] = true;
    for (const std::string& line : skipped_kernel_lines(kind)) MESSAGE(line);
  }
  const ops::OpDef& def = ops::op_def(kind);
  std::vector<const ops::Kernel*> out;
  for (int i = 0; i < def.num_kernels; ++i)
    if (why_not_runnable(*def.kernels[i]).empty()) out.push_back(def.kernels[i]);
  return out;
}

// The op's reference kernel: the last of its list, which takes every float32 op (the 8-bit reference kernels
// come just before it).
inline const ops::Kernel& ref_kernel(ops::OpKind kind) {
  const ops::OpDef& def = ops::op_def(kind);
  return *def.kernels[def.num_kernels - 1];
}

// The kernels of one family this CPU can run (for what only that engine does).
inline std::vector<const ops::Kernel*> runnable_kernels_of(ops::OpKind kind, ops::KernelFamily family) {
  std::vector<const ops::Kernel*> out;
  for (const ops::Kernel* k : runnable_kernels(kind))
    if (k->family == family) out.push_back(k);
  return out;
}

// One op input: an activation (laid out as the run says), a constant, absent (rank 0 shape), or the very
// buffer of an earlier activation (a + a).
struct KernelInput {
  Shape shape;
  const Tensor* activation = nullptr;
  const float* constant = nullptr;
  int same_as = -1;
  static KernelInput of(const Tensor& t) { return {t.shape, &t, nullptr}; }
  static KernelInput weights(const Shape& s, const float* data) { return {s, nullptr, data}; }
  static KernelInput absent() { return {}; }
  static KernelInput same(int input, const Shape& s) { return {s, nullptr, nullptr, input}; }
};

struct KernelRun {
  Tensor out;                     // dense copy of the output
  bool outside_untouched = true;  // nothing outside the output (slice) was written
  Status declined;                // create's kUnsupported answer, when run_kernel returned false
};

// A residual add fused into the kernel (Kernel::fuses_residual): x of the output's shape, added before
// `activation`. In place: x is first copied into the output slice, which the kernel reads as the residual
// and overwrites (as prepare arranges it over a dying input); apart, x lives in a NaN-guarded channel
// slice of its own (channels [1, 1 + C) of C + 5).
struct KernelResidual {
  const Tensor* x = nullptr;
  ops::Activation activation = ops::Activation::kNone;
  bool in_place = false;
};

// Creates and runs `k` on `pool` (nullptr: none) with the activations laid out as `layout` says, every input
// buffer followed by 16 NaN floats (room for XNNPACK's read slack) and the output's surroundings holding
// 12345.5. Checks that run() touches no heap and leaves XNNPACK's allocator as it was, that scratch is used
// within its size, and that inputs other than the one run over are unchanged. Returns false when create
// declines (kUnsupported, kept in result->declined); any other error fails the test.
inline bool run_kernel(const ops::Kernel& k, const void* params, const std::vector<KernelInput>& inputs,
                       const Shape& out_shape, pthreadpool_t pool, const Slices& layout, KernelRun* result,
                       const KernelResidual* residual = nullptr) {
  const int n = static_cast<int>(inputs.size());
  std::vector<std::unique_ptr<StridedTensor>> xs(n);
  ops::KernelInputs args(n);
  std::vector<ConstTensorView<float>> views(n);
  for (int i = 0; i < n; ++i) {
    args.shapes[i] = inputs[i].shape;
    args.constants[i] = inputs[i].constant;
    if (inputs[i].same_as >= 0) {
      REQUIRE(inputs[i].same_as < i);
      REQUIRE(xs[inputs[i].same_as] != nullptr);
      args.strides[i] = args.strides[inputs[i].same_as];
      views[i] = views[inputs[i].same_as];
      continue;
    }
    if (inputs[i].activation == nullptr) continue;
    args.strides[i] = layout.in_offset + as_nhwc(inputs[i].shape)[3] + layout.in_extra;
    xs[i] = std::make_unique<StridedTensor>(inputs[i].shape, layout.in_offset, args.strides[i], std::nanf(""));
    xs[i]->copy_from(*inputs[i].activation);
    xs[i]->buffer.resize(xs[i]->buffer.size() + 16, std::nanf(""));
    views[i] = xs[i]->cview();
  }
  const int32_t out_c = as_nhwc(out_shape)[3];
  StridedTensor own_out(out_shape, layout.out_offset, layout.out_offset + out_c + layout.out_extra, 12345.5f);
  StridedTensor* ys = &own_out;
  if (layout.alias >= 0) {  // in place: the output is the input's own slice
    REQUIRE(layout.alias < n);
    REQUIRE(xs[layout.alias] != nullptr);
    REQUIRE(inputs[layout.alias].shape == out_shape);
    ys = xs[layout.alias].get();
  }

  ops::KernelConfig config;
  args.bind(&config);
  config.params = params;
  config.output_shape = out_shape;
  config.output_stride = ys->pixel_stride;
  config.threads = pool == nullptr ? 1 : static_cast<int>(pthreadpool_get_threads_count(pool));
  std::unique_ptr<StridedTensor> rs;
  if (residual != nullptr) {
    REQUIRE(k.fuses_residual);
    if (residual->in_place) {
      ys->copy_from(*residual->x);
    } else {
      rs = std::make_unique<StridedTensor>(out_shape, 1, out_c + 5, std::nanf(""));
      rs->copy_from(*residual->x);
    }
    config.residual_stride = residual->in_place ? ys->pixel_stride : rs->pixel_stride;
    config.fused_activation = residual->activation;
  }
  ops::KernelPlan plan;
  const Status s = ops::create_kernel(k, config, &plan);
  if (s.code() == StatusCode::kUnsupported) {
    result->declined = s;
    return false;
  }
  REQUIRE_MESSAGE(s.is_ok(), s.message());

  // Scratch of exactly scratch_bytes, NaN-filled (a kernel may not count on what the arena held before),
  // and a guard block of 64 bytes behind it that must stay as it was.
  const size_t guard_at = plan.scratch_bytes;
  std::unique_ptr<uint8_t, decltype(&std::free)> scratch(
      static_cast<uint8_t*>(std::aligned_alloc(64, (guard_at + 63) / 64 * 64 + 64)), &std::free);
  std::memset(scratch.get(), 0xff, guard_at);
  std::memset(scratch.get() + guard_at, 0xa5, 64);
  ops::KernelIo io;
  io.inputs = views.data();
  io.constants = args.constants.data();
  io.num_inputs = n;
  io.out = ys->view();
  io.scratch = plan.scratch_bytes > 0 ? reinterpret_cast<float*>(scratch.get()) : nullptr;
  if (residual != nullptr) io.residual = residual->in_place ? ys->cview() : rs->cview();
  if (k.setup != nullptr) {
    const Status set = k.setup(plan.state.get(), io, pool);
    REQUIRE_MESSAGE(set.is_ok(), set.message());
  }
#if INCEPT_WITH_XNNPACK
  const size_t xnn_live = ops::xnn_live_bytes();
#endif
  heap_count_begin();
  k.run(plan.state.get(), io, pool);
  CHECK(heap_count_end() <= 0);
#if INCEPT_WITH_XNNPACK
  CHECK(ops::xnn_live_bytes() == xnn_live);  // XNNPACK's allocator (arena-backed in prepare) unused in run
#endif
  int guard_changed = 0;
  for (size_t i = 0; i < 64; ++i) guard_changed += scratch.get()[guard_at + i] != 0xa5 ? 1 : 0;
  CHECK_MESSAGE(guard_changed == 0, "wrote past its " << plan.scratch_bytes << " bytes of scratch");
  for (int i = 0; i < n; ++i) {
    if (xs[i] == nullptr || xs[i].get() == ys) continue;
    const Tensor now = xs[i]->to_dense();
    CHECK_MESSAGE(std::memcmp(now.data.data(), inputs[i].activation->data.data(), now.data.size() * sizeof(float)) == 0,
                  "input " << i << " changed");
    CHECK_MESSAGE(xs[i]->outside_untouched(), "wrote around input " << i);
  }
  result->outside_untouched = ys->outside_untouched();
  result->out = ys->to_dense();
  return true;
}

// The reference kernel's output, dense, without a pool (it takes every op).
inline Tensor run_ref(ops::OpKind kind, const void* params, const std::vector<KernelInput>& inputs,
                      const Shape& out_shape) {
  KernelRun r;
  REQUIRE(ref_kernel(kind).family == ops::KernelFamily::kRef);
  REQUIRE(run_kernel(ref_kernel(kind), params, inputs, out_shape, nullptr, kDense, &r));
  CHECK(r.outside_untouched);
  return r.out;
}

// create() alone on a config with the given shapes and pixel strides (0 for constants): what a kernel says
// of a layout or params it must refuse. The plan, if any, is dropped.
inline Status create_status(const ops::Kernel& k, const void* params, const std::vector<Shape>& shapes,
                            const std::vector<int32_t>& strides, const std::vector<const float*>& constants,
                            const Shape& out_shape, int32_t out_stride) {
  ops::KernelInputs args(static_cast<int>(shapes.size()));
  args.shapes = shapes;
  args.strides = strides;
  args.constants = constants;
  ops::KernelConfig config;
  args.bind(&config);
  config.params = params;
  config.output_shape = out_shape;
  config.output_stride = out_stride;
  ops::KernelPlan plan;
  return ops::create_kernel(k, config, &plan);
}

// What the runs of one op's kernels over a test's cases came to: runs and declines per kernel.
struct KernelTally {
  std::map<std::string, int> ran, declined;
  std::string summary() const {
    std::string s;
    for (const auto& [name, count] : ran) {
      const auto d = declined.find(name);
      s += name + " ran " + std::to_string(count) + ", declined " +
           std::to_string(d == declined.end() ? 0 : d->second) + "; ";
    }
    return s;
  }
  // Every kernel of `kind` this CPU runs took some case (nobody idle, so nobody untested).
  void check_every_kernel_ran(ops::OpKind kind) const {
    for (const ops::Kernel* k : runnable_kernels(kind)) {
      const auto r = ran.find(k->name);
      CHECK_MESSAGE((r != ran.end() && r->second > 0), k->name << " ran no case");
    }
  }
};

// The number of elements of a kernel's output that are out of bound (0: it passes).
using OutputCheck = std::function<int(const ops::Kernel& k, const Tensor& out)>;

// Every kernel of `kind` this CPU runs (the reference kernel too, unless !with_ref), each twice: laid out as
// `slices` on the 2-thread pool `pool2`, and dense without a pool. Each run passes run_kernel's checks,
// writes nothing outside its output and has bad(kernel, out) == 0; where both runs ran, they agree bit for
// bit (no kernel's result depends on the thread count or the layout). A kernel may decline a run only as
// kUnsupported.
inline void check_kernels(ops::OpKind kind, const void* params, const std::vector<KernelInput>& inputs,
                          const Shape& out_shape, const Slices& slices, pthreadpool_t pool2, const OutputCheck& bad,
                          KernelTally* tally, bool with_ref = true) {
  for (const ops::Kernel* k : runnable_kernels(kind)) {
    if (k->family == ops::KernelFamily::kRef && !with_ref) continue;
    const std::string kernel = k->name;
    CAPTURE(kernel);
    KernelRun runs[2];
    bool ran[2] = {};
    for (int dense = 0; dense < 2; ++dense) {
      CAPTURE(dense);
      ran[dense] =
          run_kernel(*k, params, inputs, out_shape, dense ? nullptr : pool2, dense ? kDense : slices, &runs[dense]);
      ++(ran[dense] ? tally->ran : tally->declined)[kernel];
      if (!ran[dense]) continue;
      CHECK(runs[dense].outside_untouched);
      CHECK(bad(*k, runs[dense].out) == 0);
    }
    if (ran[0] && ran[1]) {
      CHECK_MESSAGE(
          std::memcmp(runs[0].out.data.data(), runs[1].out.data.data(), runs[1].out.data.size() * sizeof(float)) == 0,
          "sliced on 2 threads and dense on 1 differ");
    }
  }
}

// Elements where |got - want| > bound(want); NaN against NaN agrees, NaN against a number does not.
inline int count_over(const Tensor& want, const Tensor& got, const std::function<double(double want)>& bound) {
  if (want.data.size() != got.data.size()) return static_cast<int>(want.data.size() + got.data.size());
  int over = 0;
  for (size_t i = 0; i < want.data.size(); ++i) {
    const double r = want.data[i], y = got.data[i];
    if (std::isnan(r) && std::isnan(y)) continue;
    over += std::fabs(y - r) <= bound(r) ? 0 : 1;
  }
  return over;
}

// Every runnable kernel's output on one small case (dense, no pool), for hand-checked values: {name, output}
// for the kernels that take it.
inline std::vector<std::pair<std::string, Tensor>> every_kernel_output(ops::OpKind kind, const void* params,
                                                                       const std::vector<KernelInput>& inputs,
                                                                       const Shape& out_shape) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const ops::Kernel* k : runnable_kernels(kind)) {
    KernelRun r;
    if (!run_kernel(*k, params, inputs, out_shape, nullptr, kDense, &r)) continue;
    CHECK(r.outside_untouched);
    out.emplace_back(k->name, r.out);
  }
  REQUIRE(!out.empty());
  return out;
}

}  // namespace incept::test
