// SPDX-License-Identifier: Apache-2.0
// The native max pool, written once over a vector type V (ops/isa/simd_*.h) and included only by the
// ISA tables (ops/isa/isa_kernels.h) inside an anonymous namespace.
//
// NHWC, so one output pixel is a max over its clipped window's input pixels, kWidth channels at a time.
// Lane by lane it is the reference's loop exactly: windows clipped to the image, taps in (y, x) order,
// m = (v > m || v is NaN) ? v : m from -infinity, then max(0, m) for ReLU (which keeps NaN and -0.0), so
// the result is the reference's to the bit, NaN payloads included.

// Max over the clipped window [y0, y1) x [x0, x1) of NB vectors of channels starting at ch, written to dst:
// NB independent chains, so the compare-and-select latency of one overlaps the others.
template <class V, int NB>
inline void max_pool2d_block(const MaxPool2DParams& p, const ConstTensorView<float>& in, int32_t n, int32_t y0,
                             int32_t y1, int32_t x0, int32_t x1, int32_t ch, float* dst) {
  using Reg = typename V::Reg;
  constexpr int kW = V::kWidth;
  Reg m[NB];
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) m[j] = V::set1(-INFINITY);
  for (int32_t y = y0; y < y1; ++y) {
    for (int32_t x = x0; x < x1; ++x) {
      const float* src = in.pixel(n, y, x) + ch;
#pragma GCC unroll 4
      for (int j = 0; j < NB; ++j) m[j] = V::take_if_greater_or_nan(m[j], V::load(src + j * kW));
    }
  }
  const bool relu = p.activation == Activation::kRelu;
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) V::store(dst + ch + j * kW, relu ? V::max(V::set1(0.0f), m[j]) : m[j]);
}

// Output rows [row_begin, row_end) (a row = one (n, oy)) of max_pool2d_f32_ref's function.
template <class V>
void max_pool2d_rows(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out, int64_t row_begin,
                     int64_t row_end) {
  using Reg = typename V::Reg;
  constexpr int kW = V::kWidth;
  const int32_t c = out.c, tail = c % kW;
  const bool relu = p.activation == Activation::kRelu;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t n = static_cast<int32_t>(row / out.h), oy = static_cast<int32_t>(row % out.h);
    const int32_t wy = oy * p.stride.h - p.pad.top;
    const int32_t y0 = wy > 0 ? wy : 0, y1 = wy + p.kernel.h < in.h ? wy + p.kernel.h : in.h;
    for (int32_t ox = 0; ox < out.w; ++ox) {
      const int32_t wx = ox * p.stride.w - p.pad.left;
      const int32_t x0 = wx > 0 ? wx : 0, x1 = wx + p.kernel.w < in.w ? wx + p.kernel.w : in.w;
      float* dst = out.pixel(n, oy, ox);
      int32_t ch = 0;
      for (; ch + 4 * kW <= c; ch += 4 * kW) max_pool2d_block<V, 4>(p, in, n, y0, y1, x0, x1, ch, dst);
      for (; ch + kW <= c; ch += kW) max_pool2d_block<V, 1>(p, in, n, y0, y1, x0, x1, ch, dst);
      if (tail > 0) {
        Reg m = V::set1(-INFINITY);
        for (int32_t y = y0; y < y1; ++y)
          for (int32_t x = x0; x < x1; ++x)
            m = V::take_if_greater_or_nan(m, V::load_partial(in.pixel(n, y, x) + ch, tail));
        V::store_partial(dst + ch, relu ? V::max(V::set1(0.0f), m) : m, tail);
      }
    }
  }
}
