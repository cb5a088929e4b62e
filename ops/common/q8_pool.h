// SPDX-License-Identifier: Apache-2.0
// The 8-bit pools on our own vector kernels: one output row per call of a table's row function
// (common/q8_pool_rows.h, compiled per ISA: IsaTable::q8_pool), the rows spread over the thread pool. The
// native max_pool2d, avg_pool2d and global_avg_pool 8-bit kernels share this; each writes the bytes of its
// reference kernel.
//
//   NativeKernel{"", IsaPart::kPoolQ8, q8_pool_create<P, kMax>, nullptr, q8_pool_run<P>, false, kQ8PoolTypes}
#pragma once

#include <pthreadpool.h>

#include <memory>

#include "avg_pool2d/avg_pool2d.h"
#include "common/kernel.h"
#include "common/parallel.h"
#include "common/q8_kernel.h"
#include "max_pool2d/max_pool2d.h"

namespace incept::ops {

// One output row (image n, row oy) of an 8-bit pool: its params (max or avg; a global average pool is an
// average pool over the whole image), views of the bytes, types and quantisation, the output's range.
struct Q8PoolRow {
  const MaxPool2DParams* max = nullptr;
  const AvgPool2DParams* avg = nullptr;
  ConstTensorView<float> in;  // bytes behind float views, as KernelIo holds them
  TensorView<float> out;
  DataType in_type = DataType::kQU8, out_type = DataType::kQU8;
  Quant qin, qout;
  int32_t lo = 0, hi = 255;
  int32_t n = 0, oy = 0;
};
using Q8PoolRowFn = void (*)(const Q8PoolRow& row);

// A table's 8-bit pool rows (nullptr: none) and their vector width in bytes (the "c32" of kernel names).
struct Q8PoolUkernels {
  Q8PoolRowFn max_row = nullptr;
  Q8PoolRowFn avg_row = nullptr;
  int32_t lanes = 0;
};

inline constexpr KernelTypes kQ8PoolTypes{DataType::kQ8, DataType::kNone, DataType::kQ8};

// The state of a native 8-bit pool: its row function, and the row every call starts from.
struct Q8PoolState : KernelState {
  MaxPool2DParams max;
  AvgPool2DParams avg;
  Q8PoolRowFn fn = nullptr;
  Q8PoolRow proto;
};

// create() of a native 8-bit pool from the table's row functions: `avg` set for an average pool (a global
// one passes its whole-image params), else p_max. kUnsupported for types that are not 8-bit, or a window
// whose int32 sum could overflow (more than 2^31 / 255 elements).
Status q8_pool_create(const KernelConfig& c, const MaxPool2DParams* p_max, const AvgPool2DParams* p_avg,
                      KernelPlan* plan);

// run(): every output row through the row function, on the pool.
void q8_pool_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool);

}  // namespace incept::ops
