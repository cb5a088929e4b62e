// SPDX-License-Identifier: Apache-2.0
// FullyConnected on Eigen, threaded with pthreadpool: the portable fast path. No Eigen types here.
//
//   size_t bytes = fully_connected_f32_eigen_scratch_bytes(p, in_shape, out_shape, threads);   // prepare
//   fully_connected_f32_eigen(p, in, weights, bias, out, scratch, pool);                       // invoke
#pragma once

#include <pthreadpool.h>

#include <cstddef>

#include "fully_connected/fully_connected.h"

namespace incept::ops {

// Scratch bytes fully_connected_f32_eigen needs for input [N, in] and output [N, out] (rank 2, or
// rank 4 seen as [N, 1, 1, C]) on a pool of `threads` threads. A multiple of 64; 0 for small batches,
// which need none. Pure.
size_t fully_connected_f32_eigen_scratch_bytes(const FullyConnectedParams& p, const Shape& in, const Shape& out,
                                               int threads);

// out = act(in W^T + bias), the same function as fully_connected_f32_ref; weights are [out, in],
// `bias` may be nullptr, `in` and `out` are viewed as [N, 1, 1, C] and may be strided slices.
// `scratch` (64-byte aligned, not overlapping anything else) holds the bytes asked for with threads >=
// pthreadpool_get_threads_count(pool); `pool` may be nullptr. Batches up to 16 run as matrix-vector
// products over fixed blocks of output features (no scratch); larger ones as the GEMM of a 1x1
// convolution (conv2d_f32_eigen). Results are bit-identical for any pool. Never allocates.
void fully_connected_f32_eigen(const FullyConnectedParams& p, ConstTensorView<float> in, const float* weights,
                               const float* bias, TensorView<float> out, float* scratch, pthreadpool_t pool);

}  // namespace incept::ops
