// SPDX-License-Identifier: Apache-2.0
// The vector convert runs of every ISA table this CPU has (IsaTable::q8_convert: the interpreter's quantize
// and dequantize steps) against quantize_ref / dequantize_ref: every float class (ties at .5, values past
// the range, infinities, NaN, subnormals, -0), both 8-bit types, zero points anywhere, scales whose
// reciprocal rounds, dense tensors and strided slices; every 8-bit value back to float.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "isa/isa_table.h"
#include "quantize/quantize.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::DataType;

std::vector<const ops::IsaTable*> convert_tables() {
  std::vector<const ops::IsaTable*> out;
  for (const ops::IsaTable* t : ops::isa_tables())
    if (t->q8_convert.quantize != nullptr && ops::cpu_has(t->isa)) out.push_back(t);
  return out;
}

TEST_CASE("q8 convert: every table's quantize and dequantize runs write the reference's values") {
  const std::vector<const ops::IsaTable*> tables = convert_tables();
#if defined(__x86_64__) || defined(__aarch64__)
  CHECK(!tables.empty());
#endif
  test::Rng rng(0xc0de);
  const float specials[] = {0.5f,   1.5f,     2.5f,      -0.5f, -2.5f, 127.5f, -128.5f, 255.5f, 1e30f,
                            -1e30f, INFINITY, -INFINITY, NAN,   -NAN,  1e-40f, -0.0f,   0.0f,   3.4e38f};
  for (const ops::IsaTable* t : tables) {
    CAPTURE(std::string(ops::isa_name(t->isa)));
    for (DataType type : {DataType::kQU8, DataType::kQS8}) {
      for (int trial = 0; trial < 40; ++trial) {
        const ops::Quant q{trial == 0   ? 1.0f
                           : trial == 1 ? 0.1f
                                        : rng.uniform(1e-3f, 0.5f),
                           type == DataType::kQU8 ? rng.uniform_int(0, 255) : rng.uniform_int(-128, 127)};
        const bool sliced = trial % 2 == 1;
        const Shape shape{1, 3, 5, 37};
        const int32_t stride = sliced ? 41 : 37;
        std::vector<float> x(static_cast<size_t>(3 * 5 * stride));
        for (size_t i = 0; i < x.size(); ++i) {
          x[i] = rng.coin(0.2f) ? specials[rng.uniform_int(0, 17)] : rng.uniform(-300.0f, 300.0f) * q.scale;
          if (rng.coin(0.2f)) x[i] = (std::nearbyint(x[i] / q.scale) + 0.5f) * q.scale;  // near a tie
        }
        const ConstTensorView<float> in{x.data(), 1, 3, 5, 37, stride};
        std::vector<uint8_t> want(x.size(), 0x77), got(x.size(), 0x77);
        ops::with_q8_type(type, [&](auto tt) {
          using T = decltype(tt);
          ops::quantize_ref<T>(q, in, {reinterpret_cast<T*>(want.data()), 1, 3, 5, 37, stride});
        });
        ops::quantize_with(t->q8_convert, type, q, in, {reinterpret_cast<float*>(got.data()), 1, 3, 5, 37, stride});
        CHECK(got == want);
        // Back: every stored byte (guards included, as bytes of the type) to float.
        std::vector<float> fwant(x.size(), -7.0f), fgot(x.size(), -7.0f);
        const ConstTensorView<float> qin{reinterpret_cast<const float*>(want.data()), 1, 3, 5, 37, stride};
        ops::with_q8_type(type, [&](auto tt) {
          using T = decltype(tt);
          ops::dequantize_ref<T>(q, ops::view_as<T>(qin), {fwant.data(), 1, 3, 5, 37, stride});
        });
        ops::dequantize_with(t->q8_convert, type, q, qin, {fgot.data(), 1, 3, 5, 37, stride});
        CHECK(std::memcmp(fgot.data(), fwant.data(), fgot.size() * sizeof(float)) == 0);
        (void)shape;
      }
    }
  }
}

}  // namespace
}  // namespace incept
