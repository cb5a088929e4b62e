// SPDX-License-Identifier: Apache-2.0
// Winograd transforms for x86-64 AVX2 + FMA (this file alone is compiled with -mavx2 -mfma).
#include <cmath>
#include <cstdint>

#include "conv2d/conv2d_winograd.h"
#include "conv2d/winograd_axes.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "common/simd_avx2.h"
#include "common/simd_scalar.h"

#include "conv2d/winograd_transforms.h"

}  // namespace

const WinogradFns* winograd_fns_avx2_fma(WinogradVariant variant) { return wino_fns<VecAvx2>(variant); }

}  // namespace incept::ops
#endif
