// SPDX-License-Identifier: Apache-2.0
// The x86-64 AMX table (this file alone is compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni
// -mamx-tile -mamx-int8): the int8 GEMM 32x32 on TDPBUSD tiles (gemm/gemm_q8_amx.h), its epilogue the AVX-512
// VNNI kernel's. It holds nothing else: these CPUs run the 8-bit pools and converts of the AVX-512 VNNI table
// and the float kernels of the AVX-512F table.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "isa/isa_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "gemm/gemm_q8_avx512vnni.h"  // first: the AMX kernel's epilogue is its q8_store16_avx512

#include "gemm/gemm_q8_amx.h"

const IsaTable kTable = {
    Isa::kAmx,
    {},
    nullptr,
    nullptr,
    0,
    {Isa::kAmx, 32, 32, 4, Q8AForm::kU8, q8_gemm_amx<2>, q8_gemm_amx<1>, true, 64, q8_pack_a_amx, true, 15 * 4 * 32, 32,
     q8_amx_begin, q8_amx_end},
    {},
    {},
    {},
};

}  // namespace

const IsaTable& isa_table_amx() { return kTable; }

}  // namespace incept::ops
#endif
