// SPDX-License-Identifier: Apache-2.0
// The op table, generated from ops/op_list.inc: for every op its kind, params type, shape rule, FLOP
// count, kernel list (priority order) and inputs (arity, roles). The loader checks inputs against op_def()
// and parses into OpParams; prepare asks op_def() for everything else, so adding an op or a kernel
// touches ops/ and the loader's parse_<op>() only; adding an ISA touches its table (ops/isa/) and no op.
//
//   const OpDef& d = op_def(OpKind::kConv2D);
//   INCEPT_RETURN_IF_ERROR(d.infer_shape(&params, shapes, n, &out));
//   for (int i = 0; i < d.num_kernels; ++i) { const Kernel& k = *d.kernels[i]; ... }
#pragma once

#include <variant>

#include "add/add.h"
#include "avg_pool2d/avg_pool2d.h"
#include "common/kernel.h"
#include "concat/concat.h"
#include "conv2d/conv2d.h"
#include "fully_connected/fully_connected.h"
#include "global_avg_pool/global_avg_pool.h"
#include "lrn/lrn.h"
#include "max_pool2d/max_pool2d.h"
#include "softmax/softmax.h"

namespace incept::ops {

enum class OpKind : uint8_t {
#define INCEPT_OP(Name, snake) k##Name,
#include "op_list.inc"
#undef INCEPT_OP
};

using OpParams = std::variant<std::monostate
#define INCEPT_OP(Name, snake) , Name##Params
#include "op_list.inc"
#undef INCEPT_OP
                              >;

// The params struct an OpParams holds, as the OpDef and Kernel functions take it.
inline const void* op_params(const OpParams& p) {
  return std::visit([](const auto& v) { return static_cast<const void*>(&v); }, p);
}

// What an op input must be. The converter's op table (converter/incept_convert/opspec.py) uses the same
// roles; tests/converter/test_opspec.py checks that the two sides agree.
enum class InputRole : uint8_t {
  kActivation,  // computed at run time: a graph input or an op's output, no data in the file
  kWeights,     // a constant with data in the file
  kBias,        // a constant with data in the file, or absent (index -1), which means zero
};
constexpr int kMaxInputRoles = 3;  // inputs from this index on are activations

struct OpDef {
  const char* name;   // "Conv2D"
  const char* snake;  // "conv2d": the op part of kernel names
  // Validates params against the input shapes (rank 0: absent optional input) and writes the output shape.
  Status (*infer_shape)(const void* params, const Shape* inputs, int num_inputs, Shape* out);
  // Multiply-adds x 2 for one run (comparisons / additions for pools, 0 for a concat).
  double (*flops)(const void* params, const Shape* inputs, int num_inputs, const Shape& out);
  // Every kernel, best first: the native kernels made for each ISA table (best ISA first, each table in
  // `natives` order), then `fixed`; the last is the reference kernel, which takes every op. op_def()
  // fills these two; the ops' own definitions below leave them empty.
  const Kernel* const* kernels;
  int num_kernels;
  const NativeKernel* natives;  // written once over the ISA tables
  int num_natives;
  const Kernel* const* fixed;  // XNNPACK, Eigen, ref: the same on every ISA
  int num_fixed;
  // Inputs, checked by the loader before parse_<op>: min_inputs..max_inputs of them, input j in role
  // input_role(def, j) (roles left out of the list are kActivation).
  int min_inputs, max_inputs;
  InputRole input_roles[kMaxInputRoles];
};

inline InputRole input_role(const OpDef& d, int j) {
  return j >= 0 && j < kMaxInputRoles ? d.input_roles[j] : InputRole::kActivation;
}

// The op's definition with its full kernel list (made once, on the first call; thread-safe).
const OpDef& op_def(OpKind kind);

// Each op's own definition, in ops/<op>/<op>_kernels.cc (kernels empty: ask op_def()).
#define INCEPT_OP(Name, snake) extern const OpDef snake##_op_def;
#include "op_list.inc"
#undef INCEPT_OP

}  // namespace incept::ops
