// SPDX-License-Identifier: Apache-2.0
// The int8 micro-kernel for the ARMv8.2 dot product (gemm_q8.h's contract), A in the kS8 form and packed
// (packs_a): MR 8 x NR 8, kr 4. Per group of 4 along the reduction, the 32 bytes of A (rows 0-3 in one
// register's lanes, rows 4-7 in another) and the 32 bytes of weights (columns 0-3, 4-7) come in one LDNP
// each, and 16 SDOT by element (row i's lane of A) add them into 16 accumulators.
//
// The loop is assembly, 8 groups a pass, each group's loads issued during the group before (the registers
// alternate between two sets), because what a core issues beside SDOT decides its rate (ops/README.md,
// "ARM on paper"; bench/arm_mca.py): on the in-order Cortex-A55 an SDOT, an LDR or an add each take an issue
// cycle and only loads without write-back such as LDNP pair with the vector pipes, and on a
// Neoverse-N1 / Cortex-A76 loads go to their own pipes but a DUP or LD1R would take a vector pipe from the
// SDOTs. Row pointers would cost an add per row (an issue cycle each on the A55): the driver packs A.
// Reads kQ8ReadAhead bytes past A and the weights (the next pass's first group). The groups past the last
// whole pass run in intrinsics. Included only by isa_neondot.cc (inside its anonymous namespace), after
// gemm_q8_neon.h.

#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)

// One group: A in A0 (rows 0-3) and A1 (rows 4-7), weights in W0 (columns 0-3) and W1 (4-7); the next
// group's A and weights loaded into NA and NW from OFF bytes on.
#define INCEPT_Q8DOT_GROUP(A0, A1, W0, W1, NA, NW, OFF) \
  "sdot v16.4s, " W0 ".16b, " A0                        \
  ".4b[0]\n"                                            \
  "sdot v17.4s, " W1 ".16b, " A0                        \
  ".4b[0]\n"                                            \
  "sdot v18.4s, " W0 ".16b, " A0                        \
  ".4b[1]\n"                                            \
  "sdot v19.4s, " W1 ".16b, " A0                        \
  ".4b[1]\n"                                            \
  "ldnp " NA ", [%[a], #" OFF                           \
  "]\n"                                                 \
  "sdot v20.4s, " W0 ".16b, " A0                        \
  ".4b[2]\n"                                            \
  "sdot v21.4s, " W1 ".16b, " A0                        \
  ".4b[2]\n"                                            \
  "sdot v22.4s, " W0 ".16b, " A0                        \
  ".4b[3]\n"                                            \
  "sdot v23.4s, " W1 ".16b, " A0                        \
  ".4b[3]\n"                                            \
  "sdot v24.4s, " W0 ".16b, " A1                        \
  ".4b[0]\n"                                            \
  "sdot v25.4s, " W1 ".16b, " A1                        \
  ".4b[0]\n"                                            \
  "ldnp " NW ", [%[w], #" OFF                           \
  "]\n"                                                 \
  "sdot v26.4s, " W0 ".16b, " A1                        \
  ".4b[1]\n"                                            \
  "sdot v27.4s, " W1 ".16b, " A1                        \
  ".4b[1]\n"                                            \
  "sdot v28.4s, " W0 ".16b, " A1                        \
  ".4b[2]\n"                                            \
  "sdot v29.4s, " W1 ".16b, " A1                        \
  ".4b[2]\n"                                            \
  "sdot v30.4s, " W0 ".16b, " A1                        \
  ".4b[3]\n"                                            \
  "sdot v31.4s, " W1 ".16b, " A1 ".4b[3]\n"

inline void q8_gemm_neondot_8x8(const Q8GemmTile& t) {
  const int8_t* w = t.w;
  const int32x4_t bias0 = vld1q_s32(reinterpret_cast<const int32_t*>(w));
  const int32x4_t bias1 = vld1q_s32(reinterpret_cast<const int32_t*>(w) + 4);
  const float32x4_t m0 = vld1q_f32(reinterpret_cast<const float*>(w + 32));
  const float32x4_t m1 = vld1q_f32(reinterpret_cast<const float*>(w + 48));
  w += 64;
  const int8_t* a = static_cast<const int8_t*>(t.a[0]);
  // Accumulator (row i, columns 4j..4j+3): acc[i][j], v(16 + 2i + j) in the assembly, which loads and
  // stores them (an operand each would pass the 30 that inline assembly takes).
  int32x4_t acc[8][2];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) acc[i][0] = bias0, acc[i][1] = bias1;
  const int32_t groups = t.k / 4;
  int64_t passes = groups / 8;
  if (passes > 0) {
    int32x4_t* c = &acc[0][0];
    asm volatile(
        "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[c]], #64\n"
        "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[c]], #64\n"
        "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[c]], #64\n"
        "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[c]]\n"
        "ldnp q0, q1, [%[a]]\n"
        "ldnp q4, q5, [%[w]]\n"
        "1:\n"
      INCEPT_Q8DOT_GROUP("v0", "v1", "v4", "v5", "q2, q3", "q6, q7", "32")
      INCEPT_Q8DOT_GROUP("v2", "v3", "v6", "v7", "q0, q1", "q4, q5", "64")
      INCEPT_Q8DOT_GROUP("v0", "v1", "v4", "v5", "q2, q3", "q6, q7", "96")
      INCEPT_Q8DOT_GROUP("v2", "v3", "v6", "v7", "q0, q1", "q4, q5", "128")
      INCEPT_Q8DOT_GROUP("v0", "v1", "v4", "v5", "q2, q3", "q6, q7", "160")
      INCEPT_Q8DOT_GROUP("v2", "v3", "v6", "v7", "q0, q1", "q4, q5", "192")
      INCEPT_Q8DOT_GROUP("v0", "v1", "v4", "v5", "q2, q3", "q6, q7", "224")
      INCEPT_Q8DOT_GROUP("v2", "v3", "v6", "v7", "q0, q1", "q4, q5", "256")
        "add %[a], %[a], #256\n"
        "add %[w], %[w], #256\n"
        "subs %[n], %[n], #1\n"
        "b.ne 1b\n"
        "st1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[c]]\n"
        "sub %[c], %[c], #192\n"
        "st1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[c]], #64\n"
        "st1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[c]], #64\n"
        "st1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[c]]\n"
        : [a] "+r"(a), [w] "+r"(w), [n] "+r"(passes), [c] "+r"(c)
        :
        : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",
          "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "memory", "cc");
  }
  for (int32_t g = groups / 8 * 8; g < groups; ++g, a += 32, w += 32) {  // the groups past the last pass
    const int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16), w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16);
#pragma GCC unroll 2
    for (int j = 0; j < 2; ++j) {
      const int8x16_t wj = j == 0 ? w0 : w1;
      acc[0][j] = vdotq_laneq_s32(acc[0][j], wj, a0, 0);
      acc[1][j] = vdotq_laneq_s32(acc[1][j], wj, a0, 1);
      acc[2][j] = vdotq_laneq_s32(acc[2][j], wj, a0, 2);
      acc[3][j] = vdotq_laneq_s32(acc[3][j], wj, a0, 3);
      acc[4][j] = vdotq_laneq_s32(acc[4][j], wj, a1, 0);
      acc[5][j] = vdotq_laneq_s32(acc[5][j], wj, a1, 1);
      acc[6][j] = vdotq_laneq_s32(acc[6][j], wj, a1, 2);
      acc[7][j] = vdotq_laneq_s32(acc[7][j], wj, a1, 3);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    if (i < t.rows) {
      q8_store4_neon(t, acc[i][0], m0, i, 0, t.cols);
      if (t.cols > 4) q8_store4_neon(t, acc[i][1], m1, i, 4, t.cols - 4);
    }
  }
}

#undef INCEPT_Q8DOT_GROUP

#endif
