// SPDX-License-Identifier: Apache-2.0
// Concat's registry entry. Its one kernel copies into the output's channel slices only the inputs the
// planner could not place there (graph inputs, repeated inputs, slices of another concat); when every
// input is already in its slice it is named concat_view and does nothing.
#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

#include "op_registry.h"

namespace incept::ops {
namespace {

using P = ConcatParams;

Status infer(const void* p, const Shape* in, int n, Shape* out) {
  return concat_infer_shape(*static_cast<const P*>(p), in, n, out);
}
double flops(const void*, const Shape*, int, const Shape&) { return 0.0; }

struct CopyState : KernelState {
  std::vector<int> copied;               // inputs to copy
  std::vector<int32_t> channel_offsets;  // each input's first channel in the output
  size_t element_bytes = sizeof(float);  // 1 for 8-bit tensors (which share the output's quantisation)
};

Status create_copy(const KernelConfig& c, KernelPlan* plan) {
  auto s = std::make_unique<CopyState>();
  s->element_bytes = c.output_type == DataType::kF32 ? sizeof(float) : 1;
  int32_t offset = 0;
  for (int i = 0; i < c.num_inputs; ++i) {
    const Shape& in = c.input_shapes[i];
    s->channel_offsets.push_back(offset);
    if (!c.in_output_slice[i]) s->copied.push_back(i);
    offset += in[in.rank - 1];
  }
  if (s->copied.empty()) {
    std::snprintf(plan->name, sizeof(plan->name), "concat_view");
    plan->view = true;
  }
  plan->state = std::move(s);
  return Status::ok();
}

// Pixel by pixel into the slice [offset, offset + c) of the output, as bytes (4 or 1 an element).
template <typename T>
void copy_inputs(const CopyState& s, const KernelIo& io) {
  for (int i : s.copied) {
    const ConstTensorView<T> src = view_as<T>(io.inputs[i]);
    TensorView<T> dst = view_as<T>(io.out);
    dst.data += s.channel_offsets[i];
    for (int32_t n = 0; n < src.n; ++n)
      for (int32_t y = 0; y < src.h; ++y)
        for (int32_t x = 0; x < src.w; ++x)
          std::memcpy(dst.pixel(n, y, x), src.pixel(n, y, x), static_cast<size_t>(src.c) * sizeof(T));
  }
}
void run_copy(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const CopyState& s = *static_cast<const CopyState*>(st);
  if (s.element_bytes == 1) {
    copy_inputs<uint8_t>(s, io);
  } else {
    copy_inputs<float>(s, io);
  }
}

const Kernel kRef = {"concat_f32_ref", KernelFamily::kRef, Isa::kScalar, create_copy, nullptr, run_copy};
// 8-bit: the loader made every input share the output's type and quantisation, so a copy is a byte copy.
const Kernel kRefQ8 = {"concat_q8_ref",
                       KernelFamily::kRef,
                       Isa::kScalar,
                       create_copy,
                       nullptr,
                       run_copy,
                       false,
                       0,
                       {DataType::kQ8, DataType::kNone, DataType::kQ8}};
const Kernel* const kKernels[] = {&kRefQ8, &kRef};

}  // namespace

const OpDef concat_op_def = {"Concat", "concat", infer, flops,    nullptr,
                             0,        nullptr,  0,     kKernels, static_cast<int>(std::size(kKernels)),
                             1,        1 << 16,  {}};

}  // namespace incept::ops
