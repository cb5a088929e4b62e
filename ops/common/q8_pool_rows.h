// SPDX-License-Identifier: Apache-2.0
// The 8-bit pools' row kernels (max pool, average pool, and global average pool as an average pool over the
// whole image): one output row of one image per call, every step the rule of common/quant.h, so the bytes
// are the reference kernels'. Written as plain loops over channels (blocks of kQ8PoolBlock: a running max
// in the input's type, or an int32 sum), which the compiler vectorises with the flags of the ISA file that
// includes this header (isa_avx2.cc, isa_avx512vnni.cc, isa_neon.cc, inside their anonymous namespaces);
// the table holds the row functions (IsaTable::q8_pool), the op kernels run them over rows on the pool.
//
// Rounding: after the clamp |v| <= 255, so (v + 1.5 * 2^23) - 1.5 * 2^23 is v rounded to nearest even (the
// sum's unit in the last place is 1), two float operations every vector unit has, then an exact conversion.

constexpr int32_t kQ8PoolBlock = 256;

// The register-held path: a window of at most kQ8PoolTaps image pixels is a list of tap pointers, and each
// kQ8PoolVec channels (one vector register of bytes of the ISA the including file is compiled for: 64 with
// AVX-512BW, 32 with AVX2, 16 with NEON; wider GCC vector types than the ISA has are lowered badly, twice the
// time of the blocked loops on AVX2) are reduced over the taps in registers, the average pool's sums in int16
// (64 x 255 fits); then the epilogue. The blocked loops after it take the rest (a channel tail, larger
// windows). Both give the same bytes: max and integer sums do not depend on order.
#if defined(__AVX512BW__)
constexpr int32_t kQ8PoolVec = 64;
#elif defined(__AVX2__)
constexpr int32_t kQ8PoolVec = 32;
#else
constexpr int32_t kQ8PoolVec = 16;
#endif
constexpr int32_t kQ8PoolTaps = 64;
using Q8PoolU8 = uint8_t __attribute__((vector_size(kQ8PoolVec)));
using Q8PoolS8 = int8_t __attribute__((vector_size(kQ8PoolVec)));
using Q8PoolU8Half = uint8_t __attribute__((vector_size(kQ8PoolVec / 2)));
using Q8PoolS8Half = int8_t __attribute__((vector_size(kQ8PoolVec / 2)));
using Q8PoolI16 = int16_t __attribute__((vector_size(kQ8PoolVec)));

// Points taps[] at the image pixels of window [y0, y1) x [x0, x1) of image n; returns their count, or 0 when
// there are more than kQ8PoolTaps.
template <typename TIn>
inline int32_t q8_pool_taps(const ConstTensorView<TIn>& in, int32_t n, int32_t y0, int32_t y1, int32_t x0, int32_t x1,
                            const TIn** taps) {
  if (int64_t{y1 - y0} * (x1 - x0) > kQ8PoolTaps) return 0;
  int32_t count = 0;
  for (int32_t y = y0; y < y1; ++y)
    for (int32_t x = x0; x < x1; ++x) taps[count++] = in.pixel(n, y, x);
  return count;
}

// requantize(v, zp, lo, hi) of common/quant.h, in a form that vectorises (NaN becomes the low bound).
inline int32_t q8_pool_requantize(float v, float vlo, float vhi, int32_t zp) {
  v = v > vlo ? v : vlo;
  v = v < vhi ? v : vhi;
  return static_cast<int32_t>((v + 12582912.0f) - 12582912.0f) + zp;
}

template <typename TIn, typename TOut>
void q8_max_pool_row_t(const Q8PoolRow& r) {
  const MaxPool2DParams& p = *r.max;
  const ConstTensorView<TIn> in = view_as<TIn>(r.in);
  const TensorView<TOut> out = view_as<TOut>(r.out);
  const Quant qin = r.qin, qout = r.qout;
  const bool same = qin.scale == qout.scale && qin.zero_point == qout.zero_point;
  const float m = qin.scale / qout.scale;
  const float vlo = static_cast<float>(r.lo - qout.zero_point), vhi = static_cast<float>(r.hi - qout.zero_point);
  const int32_t oy = r.oy, n = r.n;
  const int32_t y0 = std::max(oy * p.stride.h - p.pad.top, 0);
  const int32_t y1 = std::min(oy * p.stride.h - p.pad.top + p.kernel.h, in.h);
  using V = std::conditional_t<std::is_same_v<TIn, uint8_t>, Q8PoolU8, Q8PoolS8>;
  // The window's maxima of nc channels from best into o.
  auto store = [&](const TIn* best, int32_t nc, TOut* o) {
    if (same) {  // requantize(best - zp, zp, lo, hi) = clamp(best, lo, hi)
      for (int32_t c = 0; c < nc; ++c)
        o[c] = static_cast<TOut>(std::min(std::max(static_cast<int32_t>(best[c]), r.lo), r.hi));
    } else {
      for (int32_t c = 0; c < nc; ++c) {
        const float v = static_cast<float>(static_cast<int32_t>(best[c]) - qin.zero_point) * m;
        o[c] = static_cast<TOut>(q8_pool_requantize(v, vlo, vhi, qout.zero_point));
      }
    }
  };
  for (int32_t ox = 0; ox < out.w; ++ox) {
    const int32_t x0 = std::max(ox * p.stride.w - p.pad.left, 0);
    const int32_t x1 = std::min(ox * p.stride.w - p.pad.left + p.kernel.w, in.w);
    TOut* o = out.pixel(n, oy, ox);
    const TIn* taps[kQ8PoolTaps];
    const int32_t count = q8_pool_taps(in, n, y0, y1, x0, x1, taps);
    int32_t c0 = 0;
    for (; count > 0 && c0 + kQ8PoolVec <= out.c; c0 += kQ8PoolVec) {
      V best;
      std::memcpy(&best, taps[0] + c0, sizeof(V));
      for (int32_t t = 1; t < count; ++t) {
        V v;
        std::memcpy(&v, taps[t] + c0, sizeof(V));
        best = best > v ? best : v;
      }
      if constexpr (std::is_same_v<TIn, TOut>) {
        if (same) {  // the clamp in the vector's own type (lo and hi are TOut values)
          const V lo = static_cast<TIn>(r.lo) + V{}, hi = static_cast<TIn>(r.hi) + V{};
          best = best > lo ? best : lo;
          best = best < hi ? best : hi;
          std::memcpy(o + c0, &best, sizeof(V));
          continue;
        }
      }
      TIn b[kQ8PoolVec];
      std::memcpy(b, &best, sizeof(V));
      store(b, kQ8PoolVec, o + c0);
    }
    for (; c0 < out.c; c0 += kQ8PoolBlock) {
      const int32_t nc = std::min(kQ8PoolBlock, out.c - c0);
      TIn best[kQ8PoolBlock];
      for (int32_t c = 0; c < nc; ++c) best[c] = static_cast<TIn>(QRange<TIn>::lo);
      for (int32_t y = y0; y < y1; ++y) {
        for (int32_t x = x0; x < x1; ++x) {
          const TIn* src = in.pixel(n, y, x) + c0;
          for (int32_t c = 0; c < nc; ++c) best[c] = best[c] > src[c] ? best[c] : src[c];
        }
      }
      store(best, nc, o + c0);
    }
  }
}

template <typename TIn, typename TOut>
void q8_avg_pool_row_t(const Q8PoolRow& r) {
  const AvgPool2DParams& p = *r.avg;
  const ConstTensorView<TIn> in = view_as<TIn>(r.in);
  const TensorView<TOut> out = view_as<TOut>(r.out);
  const Quant qin = r.qin, qout = r.qout;
  const float vlo = static_cast<float>(r.lo - qout.zero_point), vhi = static_cast<float>(r.hi - qout.zero_point);
  const int32_t oy = r.oy, n = r.n;
  const int32_t ys = oy * p.stride.h - p.pad.top;
  const int32_t ye = std::min(ys + p.kernel.h, in.h + p.pad.bottom);
  const int32_t y0 = std::max(ys, 0), y1 = std::min(ye, in.h);
  using H = std::conditional_t<std::is_same_v<TIn, uint8_t>, Q8PoolU8Half, Q8PoolS8Half>;
  for (int32_t ox = 0; ox < out.w; ++ox) {
    const int32_t xs = ox * p.stride.w - p.pad.left;
    const int32_t xe = std::min(xs + p.kernel.w, in.w + p.pad.right);
    const int32_t x0 = std::max(xs, 0), x1 = std::min(xe, in.w);
    const int32_t divisor = p.count_include_pad ? (ye - ys) * (xe - xs) : (y1 - y0) * (x1 - x0);
    const float m = avg_multiplier(qin.scale, qout.scale, divisor);
    const int32_t offset = (y1 - y0) * (x1 - x0) * qin.zero_point;  // sum (q - zp) = sum q - count * zp
    TOut* o = out.pixel(n, oy, ox);
    auto store = [&](const int32_t* sum, int32_t nc, TOut* dst) {
      for (int32_t c = 0; c < nc; ++c) {
        const float v = static_cast<float>(sum[c] - offset) * m;
        dst[c] = static_cast<TOut>(q8_pool_requantize(v, vlo, vhi, qout.zero_point));
      }
    };
    const TIn* taps[kQ8PoolTaps];
    const int32_t count = q8_pool_taps(in, n, y0, y1, x0, x1, taps);
    int32_t c0 = 0;
    for (; count > 0 && c0 + kQ8PoolVec <= out.c; c0 += kQ8PoolVec) {
      Q8PoolI16 s0 = {}, s1 = {};  // the block's two halves of channels
      for (int32_t t = 0; t < count; ++t) {
        H lo, hi;
        std::memcpy(&lo, taps[t] + c0, sizeof(H));
        std::memcpy(&hi, taps[t] + c0 + kQ8PoolVec / 2, sizeof(H));
        s0 += __builtin_convertvector(lo, Q8PoolI16);
        s1 += __builtin_convertvector(hi, Q8PoolI16);
      }
      int32_t sum[kQ8PoolVec];
      for (int32_t c = 0; c < kQ8PoolVec / 2; ++c) sum[c] = s0[c], sum[c + kQ8PoolVec / 2] = s1[c];
      store(sum, kQ8PoolVec, o + c0);
    }
    for (; c0 < out.c; c0 += kQ8PoolBlock) {
      const int32_t nc = std::min(kQ8PoolBlock, out.c - c0);
      int32_t sum[kQ8PoolBlock];
      for (int32_t c = 0; c < nc; ++c) sum[c] = 0;
      for (int32_t y = y0; y < y1; ++y) {
        for (int32_t x = x0; x < x1; ++x) {
          const TIn* src = in.pixel(n, y, x) + c0;
          for (int32_t c = 0; c < nc; ++c) sum[c] += src[c];
        }
      }
      store(sum, nc, o + c0);
    }
  }
}

// The row functions a table holds: each dispatches on the tensors' 8-bit types.
inline void q8_max_pool_row(const Q8PoolRow& r) {
  with_q8_types(r.in_type, r.out_type, [&](auto ti, auto to) { q8_max_pool_row_t<decltype(ti), decltype(to)>(r); });
}
inline void q8_avg_pool_row(const Q8PoolRow& r) {
  with_q8_types(r.in_type, r.out_type, [&](auto ti, auto to) { q8_avg_pool_row_t<decltype(ti), decltype(to)>(r); });
}
