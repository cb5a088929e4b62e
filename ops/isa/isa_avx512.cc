// SPDX-License-Identifier: Apache-2.0
// The x86-64 AVX-512F table (this file alone is compiled with -mavx512f -mfma).
// GEMM 8x32: 16 accumulators + 2 weight vectors + 1 broadcast = 19 of 32 zmm; the broadcasts fold into
// the FMAs ({1to16}). A rows as 8 pointers, so the general-purpose registers do not spill either.
// Half kernel 8x16: 8 accumulators. Winograd transforms 16 channels a vector.
// No max pool: the AVX2 table's 8-wide rows measured faster on AVX-512 CPUs (Zen 5: 40-43 GiB/s against
// 30-34 for 16-wide rows on Inception-v3's pools, one core; the masks of the 16-wide compare cost more
// than they save), so those CPUs run the AVX2 kernel.
#include <cmath>
#include <cstdint>

#include "conv2d/winograd_axes.h"
#include "isa/isa_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "isa/simd_avx512.h"
#include "isa/simd_scalar.h"

#include "isa/isa_kernels.h"

const IsaTable kTable = {
    Isa::kAvx512f, gemm_f32_entry<VecAvx512, 8>(Isa::kAvx512f), wino_fns<VecAvx512>, nullptr, 0, {}, {}, {}, {}};

}  // namespace

const IsaTable& isa_table_avx512f() { return kTable; }

}  // namespace incept::ops
#endif
