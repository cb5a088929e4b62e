// SPDX-License-Identifier: Apache-2.0
#include "gemm/gemm.h"

namespace incept::ops {

const GemmUkernel* const* gemm_ukernels(int* count) {
#if defined(__x86_64__)
  static const GemmUkernel* const kAll[] = {gemm_ukernel_avx512f(), gemm_ukernel_avx2_fma()};
  *count = 2;
  return kAll;
#elif defined(__aarch64__) || defined(__arm__)
  static const GemmUkernel* const kAll[] = {gemm_ukernel_neon()};
  *count = 1;
  return kAll;
#else
  *count = 0;
  return nullptr;
#endif
}

const GemmUkernel* gemm_ukernel_for(Isa isa) {
  int count = 0;
  const GemmUkernel* const* all = gemm_ukernels(&count);
  for (int i = 0; i < count; ++i)
    if (all[i]->isa == isa) return all[i];
  return nullptr;
}

}  // namespace incept::ops
