// SPDX-License-Identifier: Apache-2.0
// Winograd transforms for ARM NEON (aarch64, and armv7 with -mfpu=neon: the transforms use only the
// vector ops every VecNeon has).
#include <cmath>
#include <cstdint>

#include "conv2d/conv2d_winograd.h"
#include "conv2d/winograd_axes.h"

#if defined(__aarch64__) || defined(__arm__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "common/simd_neon.h"
#include "common/simd_scalar.h"

#include "conv2d/winograd_transforms.h"

}  // namespace

const WinogradFns* winograd_fns_neon(WinogradVariant variant) { return wino_fns<VecNeon>(variant); }

}  // namespace incept::ops
#endif
