// SPDX-License-Identifier: Apache-2.0
// Winograd transforms for x86-64 AVX-512F (this file alone is compiled with -mavx512f).
#include <cmath>
#include <cstdint>

#include "conv2d/conv2d_winograd.h"
#include "conv2d/winograd_axes.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "common/simd_avx512.h"
#include "common/simd_scalar.h"

#include "conv2d/winograd_transforms.h"

}  // namespace

const WinogradFns* winograd_fns_avx512f(WinogradVariant variant) { return wino_fns<VecAvx512>(variant); }

}  // namespace incept::ops
#endif
