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
  for (int32_t ox = 0; ox < out.w; ++ox) {
    const int32_t x0 = std::max(ox * p.stride.w - p.pad.left, 0);
    const int32_t x1 = std::min(ox * p.stride.w - p.pad.left + p.kernel.w, in.w);
    TOut* o = out.pixel(n, oy, ox);
    for (int32_t c0 = 0; c0 < out.c; c0 += kQ8PoolBlock) {
      const int32_t nc = std::min(kQ8PoolBlock, out.c - c0);
      TIn best[kQ8PoolBlock];
      for (int32_t c = 0; c < nc; ++c) best[c] = static_cast<TIn>(QRange<TIn>::lo);
      for (int32_t y = y0; y < y1; ++y) {
        for (int32_t x = x0; x < x1; ++x) {
          const TIn* src = in.pixel(n, y, x) + c0;
          for (int32_t c = 0; c < nc; ++c) best[c] = best[c] > src[c] ? best[c] : src[c];
        }
      }
      if (same) {  // requantize(best - zp, zp, lo, hi) = clamp(best, lo, hi)
        for (int32_t c = 0; c < nc; ++c)
          o[c0 + c] = static_cast<TOut>(std::min(std::max(static_cast<int32_t>(best[c]), r.lo), r.hi));
      } else {
        for (int32_t c = 0; c < nc; ++c) {
          const float v = static_cast<float>(static_cast<int32_t>(best[c]) - qin.zero_point) * m;
          o[c0 + c] = static_cast<TOut>(q8_pool_requantize(v, vlo, vhi, qout.zero_point));
        }
      }
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
  for (int32_t ox = 0; ox < out.w; ++ox) {
    const int32_t xs = ox * p.stride.w - p.pad.left;
    const int32_t xe = std::min(xs + p.kernel.w, in.w + p.pad.right);
    const int32_t x0 = std::max(xs, 0), x1 = std::min(xe, in.w);
    const int32_t divisor = p.count_include_pad ? (ye - ys) * (xe - xs) : (y1 - y0) * (x1 - x0);
    const float m = avg_multiplier(qin.scale, qout.scale, divisor);
    const int32_t offset = (y1 - y0) * (x1 - x0) * qin.zero_point;  // sum (q - zp) = sum q - count * zp
    TOut* o = out.pixel(n, oy, ox);
    for (int32_t c0 = 0; c0 < out.c; c0 += kQ8PoolBlock) {
      const int32_t nc = std::min(kQ8PoolBlock, out.c - c0);
      int32_t sum[kQ8PoolBlock];
      for (int32_t c = 0; c < nc; ++c) sum[c] = 0;
      for (int32_t y = y0; y < y1; ++y) {
        for (int32_t x = x0; x < x1; ++x) {
          const TIn* src = in.pixel(n, y, x) + c0;
          for (int32_t c = 0; c < nc; ++c) sum[c] += src[c];
        }
      }
      for (int32_t c = 0; c < nc; ++c) {
        const float v = static_cast<float>(sum[c] - offset) * m;
        o[c0 + c] = static_cast<TOut>(q8_pool_requantize(v, vlo, vhi, qout.zero_point));
      }
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
