// SPDX-License-Identifier: Apache-2.0
// The Winograd input and output transforms (conv2d_winograd.h), written once over the vector type V and
// the two axes' constant matrices (winograd_axes.h), included only by the ISA tables
// (ops/isa/isa_kernels.h, from isa_avx2.cc, isa_avx512.cc, isa_neon.cc) inside their anonymous namespace,
// after the Vec types and VecScalar. The matrices are compile-time constants and every loop over them is unrolled,
// so a zero coefficient costs nothing and +-1 costs an add or a subtract (see ops/README.md for
// the compiled code's check).

// Library templates (std::min) are not called here: an instance compiled with this file's flags could be
// the one the linker keeps for baseline callers.
inline int32_t wino_min(int32_t a, int32_t b) { return a < b ? a : b; }

// sum_k coef[k] * x[k] over the non-zero coefficients.
template <class V, int N>
inline typename V::Reg wino_combine(const float (&coef)[N], const typename V::Reg (&x)[N]) {
  typename V::Reg acc = V::zero();
#pragma GCC unroll 8
  for (int k = 0; k < N; ++k) {
    const float c = coef[k];
    if (c == 0.0f) continue;
    if (c == 1.0f) {
      acc = V::add(acc, x[k]);
    } else if (c == -1.0f) {
      acc = V::sub(acc, x[k]);
    } else {
      acc = V::fma(V::set1(c), x[k], acc);
    }
  }
  return acc;
}

// One group of channels (V::kWidth of them, from channel c) of one tile: src[a * alpha_w + b] is window
// pixel (a, b) (or zeros); point (i, l) goes to dst + (i * alpha_w + l) * point_stride.
template <class V, class AH, class AW>
inline void wino_input_channels(const float* const (&src)[AH::alpha * AW::alpha], int32_t c, float* dst,
                                int64_t point_stride) {
  using Reg = typename V::Reg;
  constexpr int kH = AH::alpha, kW = AW::alpha;
  Reg t[kH][kW];
#pragma GCC unroll 8
  for (int j = 0; j < kW; ++j) {  // down each column: BT_h d
    Reg d[kH];
#pragma GCC unroll 8
    for (int k = 0; k < kH; ++k) d[k] = V::load(src[k * kW + j] + c);
#pragma GCC unroll 8
    for (int i = 0; i < kH; ++i) t[i][j] = wino_combine<V, kH>(AH::bt[i], d);
  }
#pragma GCC unroll 8
  for (int i = 0; i < kH; ++i)  // along each row: (BT_h d) B_w
#pragma GCC unroll 8
    for (int l = 0; l < kW; ++l) V::store(dst + (i * kW + l) * point_stride, wino_combine<V, kW>(AW::bt[l], t[i]));
}

// WinogradFns::input.
template <class V, class AH, class AW>
void wino_input(const WinogradGeometry& g, const float* in, int64_t in_stride, int64_t tile0, int32_t count, float* v,
                int64_t point_stride) {
  constexpr int kH = AH::alpha, kW = AW::alpha;
  const float* src[kH * kW];
  for (int32_t i = 0; i < count; ++i) {
    const int64_t tile = tile0 + i, rest = tile / g.tiles_w;
    const int32_t tx = static_cast<int32_t>(tile % g.tiles_w), ty = static_cast<int32_t>(rest % g.tiles_h);
    const int64_t n = rest / g.tiles_h;
    const int32_t iy0 = ty * AH::m - g.pad_top, ix0 = tx * AW::m - g.pad_left;
    for (int a = 0; a < kH; ++a) {
      const int32_t iy = iy0 + a;
      for (int b = 0; b < kW; ++b) {
        const int32_t ix = ix0 + b;
        const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
        src[a * kW + b] = inside ? in + ((n * g.in_h + iy) * g.in_w + ix) * in_stride : g.zeros;
      }
    }
    float* dst = v + static_cast<int64_t>(i) * g.v_stride;
    int32_t c = 0;
    for (; c + V::kWidth <= g.cin; c += V::kWidth) wino_input_channels<V, AH, AW>(src, c, dst + c, point_stride);
    for (; c < g.cin; ++c) wino_input_channels<VecScalar, AH, AW>(src, c, dst + c, point_stride);
  }
}

// WinogradFns::output.
template <class V, class AH, class AW>
void wino_output(const WinogradGeometry& g, const float* m, int64_t point_stride, const float* bias, int64_t tile0,
                 int32_t count, float* out, int64_t out_stride, const float* r, int64_t r_stride, int32_t cols,
                 float min) {
  using Reg = typename V::Reg;
  constexpr int kH = AH::alpha, kW = AW::alpha, kMh = AH::m, kMw = AW::m, kVw = V::kWidth;
  const Reg lo = V::set1(min);
  for (int32_t i = 0; i < count; ++i) {
    const int64_t tile = tile0 + i, rest = tile / g.tiles_w;
    const int32_t tx = static_cast<int32_t>(tile % g.tiles_w), ty = static_cast<int32_t>(rest % g.tiles_h);
    const int64_t n = rest / g.tiles_h;
    const int32_t oy0 = ty * kMh, ox0 = tx * kMw;
    const int32_t rows = wino_min(kMh, g.out_h - oy0), row_px = wino_min(kMw, g.out_w - ox0);
    const float* src = m + static_cast<int64_t>(i) * g.nr;
    const int64_t pixel0 = (n * g.out_h + oy0) * g.out_w + ox0;
    float* base = out + pixel0 * out_stride;
    const float* rbase = r == nullptr ? nullptr : r + pixel0 * r_stride;
    for (int32_t c = 0; c < cols; c += kVw) {
      const int32_t lanes = wino_min(kVw, cols - c);
      Reg t[kMh][kW];
#pragma GCC unroll 8
      for (int j = 0; j < kW; ++j) {  // down each column: AT_h M
        Reg d[kH];
#pragma GCC unroll 8
        for (int k = 0; k < kH; ++k) d[k] = V::load(src + (k * kW + j) * point_stride + c);
#pragma GCC unroll 8
        for (int y = 0; y < kMh; ++y) t[y][j] = wino_combine<V, kH>(AH::at[y], d);
      }
      const Reg b = V::load(bias + c);
#pragma GCC unroll 8
      for (int y = 0; y < kMh; ++y) {
        if (y >= rows) break;
#pragma GCC unroll 8
        for (int x = 0; x < kMw; ++x) {
          if (x >= row_px) break;
          Reg v = V::add(wino_combine<V, kW>(AW::at[x], t[y]), b);
          const int64_t px = static_cast<int64_t>(y) * g.out_w + x;
          if (rbase != nullptr) {  // read before the same pixel is written (it may be out itself)
            const float* rp = rbase + px * r_stride + c;
            v = V::add(v, lanes == kVw ? V::load(rp) : V::load_partial(rp, lanes));
          }
          v = V::max(lo, v);
          float* dst = base + px * out_stride + c;
          if (lanes == kVw) {
            V::store(dst, v);
          } else {
            V::store_partial(dst, v, lanes);
          }
        }
      }
    }
  }
}

// The transforms of every variant for vector type V.
template <class V>
const WinogradFns* wino_fns(WinogradVariant variant) {
  using Id = WinoAxisIdentity;
  static const WinogradFns kF2x2K3x3 = {wino_input<V, WinoAxisF2x3, WinoAxisF2x3>,
                                        wino_output<V, WinoAxisF2x3, WinoAxisF2x3>};
  static const WinogradFns kF4x4K3x3 = {wino_input<V, WinoAxisF4x3, WinoAxisF4x3>,
                                        wino_output<V, WinoAxisF4x3, WinoAxisF4x3>};
  static const WinogradFns kF1x2K1x7 = {wino_input<V, Id, WinoAxisF2x7>, wino_output<V, Id, WinoAxisF2x7>};
  static const WinogradFns kF2x1K7x1 = {wino_input<V, WinoAxisF2x7, Id>, wino_output<V, WinoAxisF2x7, Id>};
  static const WinogradFns kF1x4K1x3 = {wino_input<V, Id, WinoAxisF4x3>, wino_output<V, Id, WinoAxisF4x3>};
  static const WinogradFns kF4x1K3x1 = {wino_input<V, WinoAxisF4x3, Id>, wino_output<V, WinoAxisF4x3, Id>};
  switch (variant) {
    case WinogradVariant::kF2x2K3x3: return &kF2x2K3x3;
    case WinogradVariant::kF4x4K3x3: return &kF4x4K3x3;
    case WinogradVariant::kF1x2K1x7: return &kF1x2K1x7;
    case WinogradVariant::kF2x1K7x1: return &kF2x1K7x1;
    case WinogradVariant::kF1x4K1x3: return &kF1x4K1x3;
    case WinogradVariant::kF4x1K3x1: return &kF4x1K3x1;
    case WinogradVariant::kNone: break;
  }
  return nullptr;
}
