// SPDX-License-Identifier: Apache-2.0
// The int8 Winograd engine's input and output transforms (conv2d_q8_winograd.h), written once in GCC vector
// extensions (16 int16 or 8 int32 lanes: one ymm register on AVX2) over the integer axes of
// winograd_q8_axes.h, and included only by the ISA tables (inside their anonymous namespace), which compile
// them with their own flags. Integer arithmetic is exact (int16 within the bounds of winograd_q8_axes.h,
// int32 modulo 2^32); the epilogue is common/quant.h's rule in float lanes.

using QwI16 = int16_t __attribute__((vector_size(32)));
using QwI32 = int32_t __attribute__((vector_size(32)));
using QwU32 = uint32_t __attribute__((vector_size(32)));
using QwF32 = float __attribute__((vector_size(32)));
using QwU8x16 = uint8_t __attribute__((vector_size(16)));
using QwS8x16 = int8_t __attribute__((vector_size(16)));
using QwU8x8 = uint8_t __attribute__((vector_size(8)));
using QwS8x8 = int8_t __attribute__((vector_size(8)));

template <class T>
inline T qw_load(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// sum_k coef[k] * x[k] over the non-zero coefficients (unrolled: +-1 is an add or a subtract).
template <class T, class E, int N>
inline T qw_combine(const int32_t (&coef)[N], const T (&x)[N]) {
  T acc = {};
#pragma GCC unroll 8
  for (int k = 0; k < N; ++k) {
    const int32_t c = coef[k];
    if (c == 0) continue;
    if (c == 1) {
      acc += x[k];
    } else if (c == -1) {
      acc -= x[k];
    } else {
      acc += x[k] * (T{} + static_cast<E>(c));
    }
  }
  return acc;
}

// 16 channels of a window pixel as int16 q - zp (src null: outside the image, real zero).
inline QwI16 qw_pixel(const uint8_t* src, bool in_signed, QwI16 zp) {
  if (src == nullptr) return QwI16{};
  const QwI16 q = in_signed ? __builtin_convertvector(qw_load<QwS8x16>(src), QwI16)
                            : __builtin_convertvector(qw_load<QwU8x16>(src), QwI16);
  return q - zp;
}

// 16 channels of one tile: src[a * alpha_w + b] is window pixel (a, b) at these channels (or null); point
// (i, l) goes to dst + (i * alpha_w + l) * point_stride.
template <class AH, class AW>
inline void qw_input_channels(const uint8_t* const (&src)[AH::alpha * AW::alpha], bool in_signed, QwI16 zp,
                              int16_t* dst, int64_t point_stride) {
  constexpr int kH = AH::alpha, kW = AW::alpha;
  QwI16 t[kH][kW];
#pragma GCC unroll 8
  for (int j = 0; j < kW; ++j) {  // down each column: BT_h d
    QwI16 d[kH];
#pragma GCC unroll 8
    for (int k = 0; k < kH; ++k) d[k] = qw_pixel(src[k * kW + j], in_signed, zp);
#pragma GCC unroll 8
    for (int i = 0; i < kH; ++i) t[i][j] = qw_combine<QwI16, int16_t, kH>(AH::bt[i], d);
  }
#pragma GCC unroll 8
  for (int i = 0; i < kH; ++i)  // along each row: (BT_h d) B_w
#pragma GCC unroll 8
    for (int l = 0; l < kW; ++l) {
      const QwI16 v = qw_combine<QwI16, int16_t, kW>(AW::bt[l], t[i]);
      std::memcpy(dst + (i * kW + l) * point_stride, &v, sizeof(v));
    }
}

// WinogradQ8Fns::input.
template <class AH, class AW>
void qw_input(const WinogradQ8Geometry& g, const uint8_t* in, int64_t in_stride, int64_t tile0, int32_t count,
              int16_t* v, int64_t point_stride) {
  constexpr int kH = AH::alpha, kW = AW::alpha, kP = kH * kW;
  const QwI16 zp = QwI16{} + static_cast<int16_t>(g.in_zp);
  const uint8_t* src[kP];
  const uint8_t* tail_src[kP];
  alignas(16) uint8_t tail[kP][16];  // the last channels, padded with the zero point (real zero)
  const int32_t full = g.cin / 16 * 16;
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
        src[a * kW + b] = inside ? in + ((n * g.in_h + iy) * g.in_w + ix) * in_stride : nullptr;
      }
    }
    int16_t* dst = v + static_cast<int64_t>(i) * g.v_stride;
    for (int32_t c = 0; c < full; c += 16) {
      const uint8_t* at[kP];
      for (int p = 0; p < kP; ++p) at[p] = src[p] == nullptr ? nullptr : src[p] + c;
      qw_input_channels<AH, AW>(at, g.in_signed, zp, dst + c, point_stride);
    }
    if (full < g.cin) {
      for (int p = 0; p < kP; ++p) {
        tail_src[p] = nullptr;
        if (src[p] == nullptr) continue;
        std::memset(tail[p], static_cast<uint8_t>(g.in_zp), 16);
        std::memcpy(tail[p], src[p] + full, static_cast<size_t>(g.cin - full));
        tail_src[p] = tail[p];
      }
      qw_input_channels<AH, AW>(tail_src, g.in_signed, zp, dst + full, point_stride);
    }
  }
}

// 8 lanes of the rule: acc (int32) -> float * mult [+ residual] -> clamp (NaN to lo) -> round to nearest
// even -> + zp, as bytes; n of them stored at dst.
inline void qw_store8(QwI32 acc, QwF32 mult, const WinogradQ8Epilogue& e, const uint8_t* r, uint8_t* dst, int32_t n) {
  QwF32 f = __builtin_convertvector(acc, QwF32) * mult;
  if (r != nullptr) {  // read before the pixel is written (r may be dst)
    QwI32 ri;
    if (e.r_signed) {
      QwS8x8 rb = {};
      std::memcpy(&rb, r, static_cast<size_t>(n));
      ri = __builtin_convertvector(rb, QwI32);
    } else {
      QwU8x8 rb = {};
      std::memcpy(&rb, r, static_cast<size_t>(n));
      ri = __builtin_convertvector(rb, QwI32);
    }
    f = f + __builtin_convertvector(ri - e.r_zp, QwF32) * e.r_m;
  }
  // Clamp by bit selection (vector casts reinterpret): a NaN fails f > vlo and becomes the low bound.
  const QwF32 vlo = QwF32{} + static_cast<float>(e.lo - e.zp), vhi = QwF32{} + static_cast<float>(e.hi - e.zp);
  const QwI32 above = f > vlo;
  f = (QwF32)(((QwI32)f & above) | ((QwI32)vlo & ~above));
  const QwI32 below = f < vhi;
  f = (QwF32)(((QwI32)f & below) | ((QwI32)vhi & ~below));
  // |f| <= 255: adding 1.5 * 2^23 rounds it to an integer, to nearest even, in the default mode.
  const QwF32 magic = QwF32{} + 12582912.0f;
  f = (f + magic) - magic;
  const QwU8x8 q = __builtin_convertvector(__builtin_convertvector(f, QwI32) + e.zp, QwU8x8);
  std::memcpy(dst, &q, static_cast<size_t>(n));
}

// The portable store (ISAs without one of their own): qw_store8.
class QwStoreGeneric {
 public:
  explicit QwStoreGeneric(const WinogradQ8Epilogue& e) : e_(e) {}
  void store8(QwI32 acc, QwF32 mult, const uint8_t* r, uint8_t* dst, int32_t n) const {
    qw_store8(acc, mult, e_, r, dst, n);
  }

 private:
  const WinogradQ8Epilogue& e_;
};

// WinogradQ8Fns::output. Store (made once from the epilogue) writes 8 lanes as qw_store8 does: an ISA's
// own, where the portable one compiles to scalar byte moves. Per tile and 8 columns the transform makes
// every output pixel's sums in registers (unrolled), then stores the pixels inside the image in a loop.
template <class Store, class AH, class AW>
void qw_output(const WinogradQ8Geometry& g, const int32_t* m, int64_t point_stride, int64_t tile0, int32_t count,
               uint8_t* out, int64_t out_stride, int32_t cols, const WinogradQ8Epilogue& e) {
  constexpr int kH = AH::alpha, kW = AW::alpha, kMh = AH::m, kMw = AW::m;
  constexpr QWinoDivisor kDiv = qwino_divisor(int64_t{AH::l} * AW::l);
  const Store store(e);
  for (int32_t i = 0; i < count; ++i) {
    const int64_t tile = tile0 + i, rest = tile / g.tiles_w;
    const int32_t tx = static_cast<int32_t>(tile % g.tiles_w), ty = static_cast<int32_t>(rest % g.tiles_h);
    const int64_t n = rest / g.tiles_h;
    const int32_t oy0 = ty * kMh, ox0 = tx * kMw;
    const int32_t rows = g.out_h - oy0 < kMh ? g.out_h - oy0 : kMh;
    const int32_t row_px = g.out_w - ox0 < kMw ? g.out_w - ox0 : kMw;
    const int32_t* src = m + static_cast<int64_t>(i) * g.nr;
    const int64_t pixel0 = (n * g.out_h + oy0) * g.out_w + ox0;
    uint8_t* base = out + pixel0 * out_stride;
    const uint8_t* rbase = e.r == nullptr ? nullptr : e.r + pixel0 * e.r_stride;
    for (int32_t c = 0; c < cols; c += 8) {
      const int32_t lanes = cols - c < 8 ? cols - c : 8;
      QwU32 t[kMh][kW];
#pragma GCC unroll 8
      for (int j = 0; j < kW; ++j) {  // down each column: at_h M
        QwU32 d[kH];
#pragma GCC unroll 8
        for (int k = 0; k < kH; ++k) d[k] = qw_load<QwU32>(src + (k * kW + j) * point_stride + c);
#pragma GCC unroll 8
        for (int y = 0; y < kMh; ++y) t[y][j] = qw_combine<QwU32, uint32_t, kH>(AH::at[y], d);
      }
      const QwI32 bias = qw_load<QwI32>(e.bias + c);
      QwI32 acc[kMh * kMw];
#pragma GCC unroll 8
      for (int y = 0; y < kMh; ++y)
#pragma GCC unroll 8
        for (int x = 0; x < kMw; ++x) {
          // L_h L_w y modulo 2^32 -> y: the odd factor by its inverse, then the power of two by a shift.
          const QwU32 u = qw_combine<QwU32, uint32_t, kW>(AW::at[x], t[y]) * kDiv.inverse;
          acc[y * kMw + x] = ((QwI32)u >> kDiv.shift) + bias;
        }
      const QwF32 mult = qw_load<QwF32>(e.mult + c);
#pragma GCC unroll 1
      for (int32_t y = 0; y < rows; ++y)
#pragma GCC unroll 1
        for (int32_t x = 0; x < row_px; ++x) {
          const int64_t px = static_cast<int64_t>(y) * g.out_w + x;
          store.store8(acc[y * kMw + x], mult, rbase == nullptr ? nullptr : rbase + px * e.r_stride + c,
                       base + px * out_stride + c, lanes);
        }
    }
  }
}

// The transforms of every variant the engine runs (nullptr for the others), with the ISA's Store.
template <class Store>
const WinogradQ8Fns* qw_fns(WinogradVariant variant) {
  using Id = QWinoAxisIdentity;
  static const WinogradQ8Fns kF2x2K3x3 = {qw_input<QWinoAxisF2x3, QWinoAxisF2x3>,
                                          qw_output<Store, QWinoAxisF2x3, QWinoAxisF2x3>};
  static const WinogradQ8Fns kF4x4K3x3 = {qw_input<QWinoAxisF4x3, QWinoAxisF4x3>,
                                          qw_output<Store, QWinoAxisF4x3, QWinoAxisF4x3>};
  static const WinogradQ8Fns kF1x2K1x7 = {qw_input<Id, QWinoAxisF2x7>, qw_output<Store, Id, QWinoAxisF2x7>};
  static const WinogradQ8Fns kF2x1K7x1 = {qw_input<QWinoAxisF2x7, Id>, qw_output<Store, QWinoAxisF2x7, Id>};
  switch (variant) {
    case WinogradVariant::kF2x2K3x3: return &kF2x2K3x3;
    case WinogradVariant::kF4x4K3x3: return &kF4x4K3x3;
    case WinogradVariant::kF1x2K1x7: return &kF1x2K1x7;
    case WinogradVariant::kF2x1K7x1: return &kF2x1K7x1;
    default: break;
  }
  return nullptr;
}
