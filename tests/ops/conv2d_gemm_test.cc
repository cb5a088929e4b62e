// SPDX-License-Identifier: Apache-2.0
// conv2d_f32_gemm's own properties on every GEMM micro-kernel built for this architecture whose ISA this
// CPU has (not only the best one): the same bits for any thread count, NaN propagation, what it refuses,
// and the ISA cap. Its agreement with the reference on the four nets' layers and random shapes is
// conv2d_conformance_test's, through the registry like every other conv kernel.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "conv2d/conv2d_gemm.h"
#include "support/conv_cases.h"
#include "support/heap_counter.h"
#include "support/isa.h"

namespace incept {
namespace {

using test::ConvCase;
using test::Pool;
using test::runnable_ukernels;
using test::Tensor;

std::string kernel_name(const ops::GemmUkernel& uk) { return "conv2d_f32_gemm_" + test::tile_isa(uk); }

void run_gemm(const ops::Conv2DGemm& g, ConstTensorView<float> x, TensorView<float> y, pthreadpool_t pool) {
  test::heap_count_begin();
  ops::conv2d_f32_gemm_run(g, x, y, pool);
  CHECK(test::heap_count_end() <= 0);
}

TEST_CASE("conv2d gemm: this CPU runs at least the micro-kernels its ISA promises") {
  const std::vector<const ops::GemmUkernel*> uks = runnable_ukernels();
  std::string names;
  for (const ops::GemmUkernel* uk : uks) names += kernel_name(*uk) + " ";
  MESSAGE("runnable GEMM micro-kernels: " << (names.empty() ? "none" : names));
#if defined(__aarch64__)
  CHECK(uks.size() == 1);  // NEON is part of AArch64
#elif defined(__arm__)
  CHECK(uks.size() == static_cast<size_t>(ops::cpu_has(ops::Isa::kNeon)));  // optional on ARMv7-A
#elif defined(__x86_64__)
  CHECK(uks.size() == static_cast<size_t>(ops::cpu_has(ops::Isa::kAvx2Fma)) + ops::cpu_has(ops::Isa::kAvx512f));
#endif
}

TEST_CASE("conv2d gemm: 1, 2 and 3 threads give the same bits") {
  test::Rng rng(0x6e35);
  const ConvCase c{"v3 Mixed_6c.branch7x7_2 (1x7)", {1, 17, 17, 160}, test::conv(1, 7, 1, {0, 0, 3, 3}), 150};
  const test::ConvReference r = test::make_conv_reference(rng, c);
  for (const ops::GemmUkernel* uk : runnable_ukernels()) {
    CAPTURE(kernel_name(*uk));
    ops::Conv2DGemm g;
    REQUIRE(ops::conv2d_f32_gemm_create(*uk, c.p, c.in, r.out_shape, r.w.data.data(), r.bias(), &g).is_ok());
    Tensor alone(r.out_shape);
    run_gemm(g, r.x.cview(), alone.view(), nullptr);
    for (size_t threads : {1, 2, 3}) {
      CAPTURE(threads);
      Pool pool(threads);
      Tensor y(r.out_shape);
      run_gemm(g, r.x.cview(), y.view(), pool.get());
      CHECK(std::memcmp(y.data.data(), alone.data.data(), sizeof(float) * alone.data.size()) == 0);
    }
  }
}

TEST_CASE("conv2d gemm: grouped convs and windows over 64 taps are refused as unsupported") {
  for (const ops::GemmUkernel* uk : runnable_ukernels()) {
    CAPTURE(kernel_name(*uk));
    const std::vector<float> w(9 * 8 * 8 * 4, 0.5f);
    ops::Conv2DGemm g;
    CHECK(test::failed_with(ops::conv2d_f32_gemm_create(*uk, test::conv(3, 3, 1, {}, true, 2), Shape{1, 8, 8, 8},
                                                        Shape{1, 6, 6, 8}, w.data(), nullptr, &g),
                            StatusCode::kUnsupported, "groups = 2"));
    CHECK(test::failed_with(
        ops::conv2d_f32_gemm_create(*uk, test::conv(9, 9), Shape{1, 9, 9, 4}, Shape{1, 1, 1, 4}, w.data(), nullptr, &g),
        StatusCode::kUnsupported, "at most 64 taps (9x9)"));
  }
}

TEST_CASE("conv2d gemm: the ISA cap hides the micro-kernels above it") {
  {
    test::IsaCapGuard cap(ops::Isa::kScalar);
    for (const ops::GemmUkernel* uk : runnable_ukernels()) CHECK_FALSE(ops::isa_usable(uk->isa));
  }
  ops::Isa parsed;
  CHECK(ops::parse_isa("scalar", &parsed));
  CHECK(parsed == ops::Isa::kScalar);
  CHECK_FALSE(ops::parse_isa("sse9", &parsed));
#if defined(__x86_64__)
  CHECK(ops::parse_isa("avx2", &parsed));
  CHECK(parsed == ops::Isa::kAvx2Fma);
  CHECK_FALSE(ops::parse_isa("neon", &parsed));  // another architecture's
  if (ops::cpu_has(ops::Isa::kAvx512f)) {
    test::IsaCapGuard cap(ops::Isa::kAvx2Fma);
    CHECK_FALSE(ops::isa_usable(ops::Isa::kAvx512f));
    CHECK(ops::isa_usable(ops::Isa::kAvx2Fma));
  }
#elif defined(__aarch64__) || defined(__arm__)
  CHECK(ops::parse_isa("neon", &parsed));
  CHECK(parsed == ops::Isa::kNeon);
  CHECK_FALSE(ops::parse_isa("avx2", &parsed));  // another architecture's
#endif
}

}  // namespace
}  // namespace incept
