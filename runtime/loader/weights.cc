// SPDX-License-Identifier: Apache-2.0
// Narrow weight storage (schema DType FLOAT16, INT8) widened to float32 for the kernels. Prepare calls
// expand_weights() one op at a time, just before that op's kernel packs the weights, so no float32 copy
// of the whole model is ever held. Plain portable code (baseline ISA): it runs once per weight at prepare.
#include <cstring>

#include "loader/graph.h"

namespace incept::detail {
namespace {

// IEEE 754 binary16 -> binary32, exact for every input (normals, subnormals, zeros, infinities, NaNs with
// their payload kept in the top mantissa bits).
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa x 2^-24, exact in float32
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign != 0 ? -magnitude : magnitude;
  }
  const uint32_t bits = exponent == 0x1fu ? sign | 0x7f800000u | (mantissa << 13)  // infinity or NaN
                                          : sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace

const char* storage_name(Storage s) {
  switch (s) {
    case Storage::kFloat32: return "float32";
    case Storage::kFloat16: return "float16";
    case Storage::kInt8: return "int8";
    case Storage::kUInt8: return "uint8";
  }
  return "?";
}

bool QuantParams::operator==(const QuantParams& o) const {
  return std::memcmp(&scale, &o.scale, sizeof(scale)) == 0 && zero_point == o.zero_point;
}

void expand_weights(const TensorInfo& t, float* out) {
  const int64_t n = t.num_elements;
  switch (t.storage) {
    case Storage::kFloat32: std::memcpy(out, t.raw, static_cast<size_t>(n) * sizeof(float)); return;
    case Storage::kFloat16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t.raw + 2 * i, sizeof(h));  // little-endian file, little-endian targets
        out[i] = half_to_float(h);
      }
      return;
    case Storage::kInt8: {
      const int64_t channels = t.shape[0], per_channel = n / channels;
      const int8_t* q = reinterpret_cast<const int8_t*>(t.raw);
      for (int64_t c = 0; c < channels; ++c) {
        const float scale = t.scales[c];
        for (int64_t i = c * per_channel; i < (c + 1) * per_channel; ++i) out[i] = static_cast<float>(q[i]) * scale;
      }
      return;
    }
    case Storage::kUInt8: return;  // activations only (the loader refuses a uint8 constant)
  }
}

}  // namespace incept::detail
