// SPDX-License-Identifier: Apache-2.0
// The x86-64 AVX2 + FMA table (this file alone is compiled with -mavx2 -mfma).
// GEMM 6x16: 12 accumulators + 2 weight vectors + 1 broadcast = 15 of 16 ymm; A rows as 6 pointers.
// Half kernel 6x8: 6 accumulators. Winograd transforms and max pool rows 8 channels a vector.
// int8 GEMM 4x16 over int16 pairs (gemm/gemm_q8_avx2.h); exact int8 Winograd on an int16 GEMM 4x16
// (conv2d/winograd_q8_transforms.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "conv2d/winograd_axes.h"
#include "conv2d/winograd_q8_axes.h"
#include "isa/isa_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "isa/simd_avx2.h"
#include "isa/simd_scalar.h"

#include "isa/isa_kernels.h"

#include "common/q8_pool_rows.h"
#include "conv2d/winograd_q8_transforms.h"
#include "gemm/gemm_q8_avx2.h"
#include "quantize/quantize_rows.h"

// The int8 Winograd's 8-lane store: the GEMM's epilogue (its constants made once per output transform).
class QwStoreAvx2 {
 public:
  explicit QwStoreAvx2(const WinogradQ8Epilogue& e)
      : e_(e),
        lo_(_mm256_set1_ps(static_cast<float>(e.lo - e.zp))),
        hi_(_mm256_set1_ps(static_cast<float>(e.hi - e.zp))),
        zp_(_mm256_set1_epi32(e.zp)) {}
  void store8(QwI32 acc, QwF32 mult, const uint8_t* r, uint8_t* dst, int32_t n) const {
    const __m256i a = reinterpret_cast<const __m256i&>(acc);
    const __m256 m = reinterpret_cast<const __m256&>(mult);
    if (r != nullptr || n < 8) {
      q8_requant8_avx2(a, m, r, e_.r_signed, e_.r_zp, e_.r_m, e_.zp, e_.lo, e_.hi, dst, n);
      return;
    }
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(a), m);  // q8_requant8_avx2 without a residual, 8 lanes
    v = _mm256_min_ps(_mm256_max_ps(v, lo_), hi_);
    const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), zp_);
    const __m256i low =
        _mm256_shuffle_epi8(q, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8,
                                                12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst),
                     _mm_unpacklo_epi32(_mm256_castsi256_si128(low), _mm256_extracti128_si256(low, 1)));
  }

 private:
  const WinogradQ8Epilogue& e_;
  __m256 lo_, hi_;
  __m256i zp_;
};

const IsaTable kTable = {
    Isa::kAvx2Fma,
    gemm_f32_entry<VecAvx2, 6>(Isa::kAvx2Fma),
    wino_fns<VecAvx2>,
    max_pool2d_rows<VecAvx2>,
    VecAvx2::kWidth,
    {Isa::kAvx2Fma, 4, 16, 2, Q8AForm::kS16, q8_gemm_avx2<4, 2>, q8_gemm_avx2<4, 1>},
    {q8_max_pool_row, q8_avg_pool_row, 32},
    {q8_quantize_run, q8_dequantize_run},
    {{Isa::kAvx2Fma, 4, 16, 2, q16_gemm_avx2<4>}, qw_fns<QwStoreAvx2>},
};

}  // namespace

const IsaTable& isa_table_avx2_fma() { return kTable; }

}  // namespace incept::ops
#endif
