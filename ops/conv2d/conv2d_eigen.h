// SPDX-License-Identifier: Apache-2.0
// Conv2D on Eigen's GEMM micro-kernels, threaded with pthreadpool: the portable fast path (header-only
// Eigen, builds for any target). No Eigen types here; the kernel lives in conv2d_eigen.cc.
//
//   size_t bytes = conv2d_f32_eigen_scratch_bytes(p, in_shape, out_shape, threads);   // prepare time
//   ... reserve `bytes` (64-byte aligned) in the arena ...
//   conv2d_f32_eigen(p, in, weights, bias, out, scratch, pool);   // invoke time: no heap, no checks
#pragma once

#include <pthreadpool.h>

#include <cstddef>

#include "conv2d/conv2d.h"

namespace incept::ops {

// Scratch bytes conv2d_f32_eigen needs for these shapes (in and out NHWC, as conv2d_infer_shape
// returns them) when run on a pool of `threads` threads (pthreadpool_get_threads_count; 1 for no
// pool). A multiple of 64. Pure.
size_t conv2d_f32_eigen_scratch_bytes(const Conv2DParams& p, const Shape& in, const Shape& out, int threads);

// out = act(conv(in, weights) + bias), the same function as conv2d_f32_ref. `in` and `out` may be
// strided channel slices (only the slice of `out` is written); `bias` may be nullptr; weights are
// OHWI. `scratch` is 64-byte aligned and holds at least conv2d_f32_eigen_scratch_bytes(..., threads)
// bytes for threads >= pthreadpool_get_threads_count(pool); it must not overlap in, out or weights.
// `pool` may be nullptr (calling thread only).
//
// Method: the weights are packed once per call into Eigen's GEMM panel format (in scratch, split
// over the pool), then work items (a tile of output pixels x a block of output channels) are handed
// out to the workers: each builds its tile's im2col columns block by block in its own scratch slot
// (1x1 stride-1 convs read the input pixels in place instead) and runs Eigen's gebp micro-kernel
// straight into `out` on top of the bias, then applies the ReLU while the tile is in cache. The split
// depends only on the shapes and every item is computed the same way whichever worker takes it, so
// results are bit-identical for any pool, thread count and scheduling. Never allocates.
void conv2d_f32_eigen(const Conv2DParams& p, ConstTensorView<float> in, const float* weights, const float* bias,
                      TensorView<float> out, float* scratch, pthreadpool_t pool);

}  // namespace incept::ops
