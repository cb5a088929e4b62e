// SPDX-License-Identifier: Apache-2.0
// The micro-kernel templates a per-ISA table instantiates, and the helpers that build its entries.
// Included only by the per-ISA files (isa_avx2.cc, isa_avx512.cc, isa_neon.cc), inside their anonymous
// namespace after their vector type (and conv2d/winograd_axes.h at file scope), so everything compiled
// for a wide ISA has internal linkage and no code built for it can be picked by the linker for a
// baseline caller.

#include "conv2d/winograd_transforms.h"
#include "gemm/gemm_ukernel.h"
#include "max_pool2d/max_pool2d_rows.h"

// The GEMM entry of a table: an MR x (2 * V::kWidth) tile, its half (MR x kWidth, for a channel tail of
// at most half a panel) and its single row (1 x 2 * kWidth, for a lone row: a batch-1 fully connected).
template <class V, int MR>
constexpr GemmUkernel gemm_f32_entry(Isa isa) {
  return {isa, MR, 2 * V::kWidth, gemm_ukernel<V, MR, 2>, gemm_ukernel<V, MR, 1>, gemm_ukernel<V, 1, 2>};
}
