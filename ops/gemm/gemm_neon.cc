// SPDX-License-Identifier: Apache-2.0
// gemm 8x8 for aarch64 NEON (Advanced SIMD with FMA is baseline there: no extra flags).
// Registers: 16 accumulators + 8 A vectors (four k steps of each row, used by lane) + 2 weight vectors
// = 26 of 32 q registers; per four k steps 8 A loads + 8 W loads feed 64 by-element FMAs. (8x12 would
// need 24 + 8 + 3 = 35 registers with A read in place: it needs A packed, which costs a pass over A.)
// Half kernel 8x4: 8 accumulators.
#include "gemm/gemm.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

struct VecNeon {
  using Reg = float32x4_t;
  static constexpr int kWidth = 4;
  static constexpr bool kLaneFma = true;
  static Reg load(const float* p) { return vld1q_f32(p); }
  static Reg broadcast(const float* p) { return vld1q_dup_f32(p); }
  static Reg set1(float v) { return vdupq_n_f32(v); }
  static Reg fma(Reg a, Reg b, Reg acc) { return vfmaq_f32(acc, a, b); }
  template <int L>
  static Reg fma_lane(Reg acc, Reg b, Reg a) {
    return vfmaq_laneq_f32(acc, b, a, L);
  }
  static Reg max(Reg a, Reg b) { return vmaxq_f32(a, b); }
  static void store(float* p, Reg v) { vst1q_f32(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) {
    if (n >= 2) {
      vst1_f32(p, vget_low_f32(v));
      if (n == 3) vst1q_lane_f32(p + 2, v, 2);
    } else {
      vst1q_lane_f32(p, v, 0);
    }
  }
};

#include "gemm/gemm_ukernel.h"

void gemm_8x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 8, 2>(t); }
void gemm_8x4_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 8, 1>(t); }

const GemmUkernel kUkernel = {"8x8", Isa::kNeon, 8, 8, gemm_8x8_neon, gemm_8x4_neon};

}  // namespace

const GemmUkernel* gemm_ukernel_neon() { return &kUkernel; }

}  // namespace incept::ops
#endif
