// SPDX-License-Identifier: Apache-2.0
// What the 8-bit kernels of every op share: dispatch on the tensors' 8-bit types (uint8 or int8, each as
// KernelConfig says), and the state of a conv or fully connected op (int32 bias and multipliers made once at
// create, common/quant.h's rule).
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "common/kernel.h"
#include "common/quant.h"

namespace incept::ops {

inline bool is_q8(DataType t) { return t == DataType::kQU8 || t == DataType::kQS8; }

// f(T{}) with T the element type of an 8-bit DataType (kQU8: uint8_t, kQS8: int8_t).
template <typename F>
inline void with_q8_type(DataType t, F&& f) {
  if (t == DataType::kQU8) {
    f(uint8_t{});
  } else {
    f(int8_t{});
  }
}

// f(TA{}, TB{}) with the element types of two 8-bit DataTypes.
template <typename F>
inline void with_q8_types(DataType a, DataType b, F&& f) {
  with_q8_type(a, [&](auto ta) { with_q8_type(b, [&](auto tb) { f(ta, tb); }); });
}

// An 8-bit op with one activation input and no weights (the pools): its params, and the input's and output's
// types and quantisation.
template <typename P>
struct Q8UnaryState : KernelState {
  P p;
  Quant qin, qout;
  DataType in = DataType::kQU8, out = DataType::kQU8;
};

// create() of such an op (kUnsupported unless its input and output are 8-bit).
template <typename P>
Status q8_unary_create(const KernelConfig& c, KernelPlan* plan) {
  INCEPT_CHECK(is_q8(c.input_types[0]) && is_q8(c.output_type), kUnsupported, "not an 8-bit op");
  auto s = std::make_unique<Q8UnaryState<P>>();
  s->p = params_of<P>(c);
  s->qin = c.input_quant[0];
  s->qout = c.output_quant;
  s->in = c.input_types[0];
  s->out = c.output_type;
  plan->state = std::move(s);
  return Status::ok();
}

// The types an 8-bit conv or fully connected kernel takes: 8-bit activations of either type, int8 weights.
inline constexpr KernelTypes kQ8LinearTypes{DataType::kQ8, DataType::kQS8, DataType::kQ8};
// An 8-bit fully connected op writing float32 (a classifier's logits): float(acc) * s_in * s_w.
inline constexpr KernelTypes kQ8ToF32LinearTypes{DataType::kQ8, DataType::kQS8, DataType::kF32};

// An 8-bit conv or fully connected op: the params, the types, QLinear pointing into the vectors here.
template <typename P>
struct Q8LinearState : KernelState {
  P p;
  QLinear q;
  std::vector<int32_t> bias;
  std::vector<float> multiplier;
  DataType in = DataType::kQU8, out = DataType::kQU8;
  DataType residual = DataType::kNone;  // a fused residual's storage (q.residual its quantisation), else kNone
};

// What an 8-bit linear op whose activation input is 0, int8 weights input 1 and optional float bias input 2,
// with k products per output, needs before any kernel runs it: the int32 bias and multipliers (into the
// vectors) and q pointing at them, the weights and the op's quantisation. kUnsupported unless every type
// is there and an int32 accumulator holds every sum (common/quant.h, q8_accumulator_fits). With a fused residual
// (KernelConfig::residual_stride) q->residual is its quantisation (kUnsupported for a float one). A float32
// output (kQ8ToF32LinearTypes) has the quantisation {1, 0}: the multipliers are s_in * s_w.
inline Status q8_linear_config(const KernelConfig& c, Activation activation, int64_t k, int32_t cout,
                               std::vector<int32_t>* bias_q, std::vector<float>* multiplier, QLinear* q) {
  const bool out_ok = is_q8(c.output_type) || (c.output_type == DataType::kF32 && c.residual_stride == 0 &&
                                               c.output_quant.scale == 1.0f && c.output_quant.zero_point == 0);
  INCEPT_CHECK(c.num_inputs >= 2 && is_q8(c.input_types[0]) && out_ok && c.constants_q8[1] != nullptr &&
                   c.constant_scales[1] != nullptr,
               kUnsupported, "not an 8-bit op with int8 weights");
  bias_q->resize(static_cast<size_t>(cout));
  multiplier->resize(static_cast<size_t>(cout));
  const float* bias = c.num_inputs > 2 ? c.constants[2] : nullptr;
  q8_linear_prepare(bias, c.input_quant[0], c.constant_scales[1], c.output_quant, cout, bias_q->data(),
                    multiplier->data());
  int64_t max_bias = 0;
  for (int32_t b : *bias_q) max_bias = std::max<int64_t>(max_bias, b < 0 ? -int64_t{b} : int64_t{b});
  INCEPT_CHECK(q8_accumulator_fits(k, max_bias), kUnsupported,
               "an int32 accumulator cannot hold %lld products and a bias of %lld", static_cast<long long>(k),
               static_cast<long long>(max_bias));
  if (c.residual_stride > 0) {  // a fused residual add: 8-bit, with its own quantisation
    INCEPT_CHECK(is_q8(c.residual_type), kUnsupported, "a float residual");
    q->residual = c.residual_quant;
  }
  q->in = c.input_quant[0];
  q->out = c.output_quant;
  q->weights = c.constants_q8[1];
  q->bias = bias_q->data();
  q->multiplier = multiplier->data();
  q->activation = activation;
  return Status::ok();
}

// Creates the state of such an op for a kernel that runs from QLinear (the reference kernels).
template <typename P>
Status q8_linear_create(const KernelConfig& c, const P& p, Activation activation, int64_t k, int32_t cout,
                        KernelPlan* plan) {
  auto s = std::make_unique<Q8LinearState<P>>();
  INCEPT_RETURN_IF_ERROR(q8_linear_config(c, activation, k, cout, &s->bias, &s->multiplier, &s->q));
  s->p = p;
  s->in = c.input_types[0];
  s->out = c.output_type;
  if (c.residual_stride > 0) s->residual = c.residual_type;
  plan->state = std::move(s);
  return Status::ok();
}

}  // namespace incept::ops
