// SPDX-License-Identifier: Apache-2.0
// The vector conversions between float32 and 8-bit runs (IsaTable::q8_convert): plain loops the compiler
// vectorises with the flags of the ISA file that includes this header (isa_avx2.cc, isa_avx512vnni.cc,
// isa_neon.cc, inside their anonymous namespaces), every step common/quant.h's rule, so the bytes and floats
// are quantize_ref's and dequantize_ref's. Rounding as in common/q8_pool_rows.h: after the clamp |v| <= 255,
// (v + 1.5 * 2^23) - 1.5 * 2^23 rounds to nearest even.

template <typename T>
void q8_quantize_run_t(const float* src, uint8_t* dst, int64_t n, Quant q) {
  const float inv = 1.0f / q.scale;  // the rule's reciprocal (quantize_ref's)
  const float vlo = static_cast<float>(QRange<T>::lo - q.zero_point);
  const float vhi = static_cast<float>(QRange<T>::hi - q.zero_point);
  T* d = reinterpret_cast<T*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    float v = src[i] * inv;
    v = v > vlo ? v : vlo;  // NaN becomes the low bound
    v = v < vhi ? v : vhi;
    d[i] = static_cast<T>(static_cast<int32_t>((v + 12582912.0f) - 12582912.0f) + q.zero_point);
  }
}

template <typename T>
void q8_dequantize_run_t(const uint8_t* src, float* dst, int64_t n, Quant q) {
  const T* s = reinterpret_cast<const T*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(static_cast<int32_t>(s[i]) - q.zero_point) * q.scale;
}

inline void q8_quantize_run(const float* src, uint8_t* dst, int64_t n, DataType t, Quant q) {
  with_q8_type(t, [&](auto type) { q8_quantize_run_t<decltype(type)>(src, dst, n, q); });
}
inline void q8_dequantize_run(const uint8_t* src, float* dst, int64_t n, DataType t, Quant q) {
  with_q8_type(t, [&](auto type) { q8_dequantize_run_t<decltype(type)>(src, dst, n, q); });
}
