// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

#include "isa/isa_table.h"

namespace incept::ops {

// Defined by the per-ISA files, each only for its architecture.
const IsaTable& isa_table_amx();
const IsaTable& isa_table_avx512vnni();
const IsaTable& isa_table_avx512f();
const IsaTable& isa_table_avx2_fma();
const IsaTable& isa_table_neondot();
const IsaTable& isa_table_neon();

IsaTables isa_tables() {
#if defined(__x86_64__)
  static const IsaTable* const kAll[] = {&isa_table_amx(), &isa_table_avx512vnni(), &isa_table_avx512f(),
                                         &isa_table_avx2_fma()};
  return {kAll, 4};
#elif defined(__aarch64__)
  static const IsaTable* const kAll[] = {&isa_table_neondot(), &isa_table_neon()};
  return {kAll, 2};
#elif defined(__arm__)
  static const IsaTable* const kAll[] = {&isa_table_neon()};
  return {kAll, 1};
#else
  return {nullptr, 0};
#endif
}

const IsaTable* isa_table(Isa isa) {
  for (const IsaTable* t : isa_tables())
    if (t->isa == isa) return t;
  return nullptr;
}

bool IsaTable::has(IsaPart part) const {
  switch (part) {
    case IsaPart::kGemmF32: return gemm_f32.full != nullptr;
    case IsaPart::kWinogradF32: return gemm_f32.full != nullptr && winograd_f32 != nullptr;
    case IsaPart::kMaxPoolF32: return max_pool_f32 != nullptr;
    case IsaPart::kGemmQ8: return gemm_q8.run != nullptr;
    case IsaPart::kPoolQ8: return q8_pool.max_row != nullptr;
    case IsaPart::kWinogradQ8: return winograd_q8.gemm.run != nullptr && winograd_q8.fns != nullptr;
  }
  return false;
}

void IsaTable::tile_name(IsaPart part, char* buf, size_t size) const {
  if (size == 0) return;
  buf[0] = '\0';
  if (!has(part)) return;
  switch (part) {
    case IsaPart::kGemmF32:
    case IsaPart::kWinogradF32: std::snprintf(buf, size, "%dx%d", gemm_f32.mr, gemm_f32.nr); break;
    case IsaPart::kMaxPoolF32: std::snprintf(buf, size, "c%d", max_pool_f32_lanes); break;
    case IsaPart::kGemmQ8: std::snprintf(buf, size, "%dx%d", gemm_q8.mr, gemm_q8.nr); break;
    case IsaPart::kPoolQ8: std::snprintf(buf, size, "c%d", q8_pool.lanes); break;
    case IsaPart::kWinogradQ8: std::snprintf(buf, size, "%dx%d", winograd_q8.gemm.mr, winograd_q8.gemm.nr); break;
  }
}

}  // namespace incept::ops
