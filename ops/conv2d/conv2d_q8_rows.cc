// SPDX-License-Identifier: Apache-2.0
// The int8 GEMM engine's rows of A: gathering, pointing, the stems' copies, packing. See conv2d_q8_rows.h.
#include "conv2d/conv2d_q8_rows.h"

#include <algorithm>
#include <cstring>

#include "conv2d/q8_row_bytes.h"

namespace incept::ops::q8_gemm {
namespace {

using q8_rows::convert_bytes;
using q8_rows::convert_widen;

// n input bytes in the kernel's form at dst (T: the form's element).
template <typename T>
inline void convert(T* dst, const uint8_t* src, int32_t n, const Conv2DQ8Gemm& g) {
  if constexpr (sizeof(T) == 2) {
    convert_widen(reinterpret_cast<int16_t*>(dst), src, n, g.types.in == DataType::kQS8);
  } else if (g.a_xor == 0 && n >= 64) {  // bytes as they are (a whole-row kernel's gathered rows): libc's copy
    std::memcpy(dst, src, static_cast<size_t>(n));
  } else {
    convert_bytes(reinterpret_cast<uint8_t*>(dst), src, n, g.a_xor);
  }
}

}  // namespace

using q8_rows::fill;

template <typename T>
void gather_rows(const Q8GemmJob& job, int64_t first, int32_t count, T* buf, const void** rows, int64_t row_stride) {
  const Conv2DQ8Gemm& g = *job.g;
  const Conv2DParams& p = g.p;
  const int32_t cin = g.cin, kw = p.kernel.w;
  const T zero = static_cast<T>(g.a_zero);
  const bool window_rows = job.in.pixel_stride == cin && p.dilation.w == 1;
  StripWalk walk(g.geometry, first);
  for (int32_t i = 0; i < count; ++i, walk.next()) {
    T* row = buf + static_cast<int64_t>(i) * row_stride;
    rows[i] = row;
    const int32_t n = walk.n(), iy0 = walk.iy0(), ix0 = walk.ix0();
    for (int32_t ky = 0; ky < p.kernel.h; ++ky, row += g.row_k) {
      const int32_t iy = iy0 + ky * p.dilation.h;
      fill(row + int64_t{kw} * cin, g.row_k - int64_t{kw} * cin, zero);  // a copied mode's run past the row
      if (iy < 0 || iy >= g.in_h) {
        fill(row, int64_t{kw} * cin, zero);
      } else if (window_rows) {  // taps [lo, hi) are inside the image and adjacent in memory
        const int32_t lo = std::clamp(-ix0, 0, kw), hi = std::clamp(g.in_w - ix0, lo, kw);
        fill(row, int64_t{lo} * cin, zero);
        if (hi > lo) convert(row + lo * cin, job.in.pixel(n, iy, ix0 + lo), (hi - lo) * cin, g);
        fill(row + hi * cin, int64_t{kw - hi} * cin, zero);
      } else {
        for (int32_t kx = 0; kx < kw; ++kx) {
          const int32_t ix = ix0 + kx * p.dilation.w;
          if (ix < 0 || ix >= g.in_w) {
            fill(row + kx * cin, cin, zero);
          } else {
            convert(row + kx * cin, job.in.pixel(n, iy, ix), cin, g);
          }
        }
      }
    }
    fill(row, g.k - int64_t{p.kernel.h} * g.row_k, zero);
    fill(row + (g.k - int64_t{p.kernel.h} * g.row_k), row_stride - g.k, T{0});  // a whole-row packing's tail
  }
}

int32_t tap_pointers(const Q8GemmJob& job, int64_t s, const void** ptrs) {
  const Conv2DQ8Gemm& g = *job.g;
  const Conv2DParams& p = g.p;
  const int32_t mr = g.uk->mr, kh = p.kernel.h, kw = p.kernel.w, in_h = g.in_h, in_w = g.in_w;
  const int32_t dh = p.dilation.h, dw = p.dilation.w;
  const uint8_t* const data = job.in.data;
  const ptrdiff_t pixel = job.in.pixel_stride, row = static_cast<ptrdiff_t>(in_w) * pixel;
  const ptrdiff_t image = static_cast<ptrdiff_t>(in_h) * row;
  bool window_rows = kw > 1 && pixel == g.cin && dw == 1;
  if (window_rows) {
    StripWalk walk(g.geometry, s * mr);
    for (int32_t i = 0; i < mr && window_rows; ++i, walk.next())
      window_rows = walk.ix0() >= 0 && walk.ix0() + kw <= in_w;
  }
  const void* const zeros = g.zeros.data();
  StripWalk walk(g.geometry, s * mr);
  for (int32_t i = 0; i < mr; ++i, walk.next()) {
    const int32_t iy0 = walk.iy0(), ix0 = walk.ix0();
    const uint8_t* const first = data + walk.n() * image + static_cast<ptrdiff_t>(ix0) * pixel;  // at row 0
    for (int32_t ky = 0, iy = iy0; ky < kh; ++ky, iy += dh) {
      const bool row_inside = iy >= 0 && iy < in_h;
      const uint8_t* const at = first + static_cast<ptrdiff_t>(iy) * row;
      if (window_rows) {
        ptrs[ky * mr + i] = row_inside ? at : zeros;
        continue;
      }
      for (int32_t kx = 0, ix = ix0; kx < kw; ++kx, ix += dw)
        ptrs[(ky * kw + kx) * mr + i] =
            row_inside && ix >= 0 && ix < in_w ? at + static_cast<ptrdiff_t>(kx) * dw * pixel : zeros;
    }
  }
  return window_rows ? kh : kh * kw;
}

void copied_pointers(const Q8GemmJob& job, int64_t s, const void** ptrs) {
  const Conv2DQ8Gemm& g = *job.g;
  const int32_t mr = g.uk->mr, kh = g.p.kernel.h, in_h = g.in_h, dh = g.p.dilation.h, left = g.p.pad.left;
  const size_t elem = static_cast<size_t>(element_bytes(g.uk->a_form));
  const size_t pixel_bytes = static_cast<size_t>(g.cin) * elem;
  const size_t row_bytes = static_cast<size_t>(g.copy_w) * pixel_bytes;
  const uint8_t* const copy = job.copy;
  const void* const zeros = g.zeros.data();
  StripWalk walk(g.geometry, s * mr);
  for (int32_t i = 0; i < mr; ++i, walk.next()) {
    const int32_t iy0 = walk.iy0();
    const uint8_t* p = copy + (static_cast<size_t>(walk.n()) * static_cast<size_t>(in_h) * row_bytes) +
                       static_cast<size_t>(walk.ix0() + left) * pixel_bytes;
    for (int32_t ky = 0, iy = iy0; ky < kh; ++ky, iy += dh)
      ptrs[ky * mr + i] =
          iy < 0 || iy >= in_h ? zeros : p + static_cast<ptrdiff_t>(iy) * static_cast<ptrdiff_t>(row_bytes);
  }
}

void copy_row(void* context, size_t item) {
  const Q8GemmJob& job = *static_cast<const Q8GemmJob*>(context);
  const Conv2DQ8Gemm& g = *job.g;
  const int64_t n = static_cast<int64_t>(item) / g.in_h, y = static_cast<int64_t>(item) % g.in_h;
  const size_t elem = static_cast<size_t>(element_bytes(g.uk->a_form)), cin = static_cast<size_t>(g.cin);
  uint8_t* dst = job.copy + static_cast<size_t>(item) * static_cast<size_t>(g.copy_w) * cin * elem;
  const int64_t left = int64_t{g.p.pad.left} * g.cin, right = int64_t{g.copy_w - g.in_w - g.p.pad.left} * g.cin;
  uint8_t* const pixels = dst + static_cast<size_t>(left) * elem;
  if (elem == 2) {
    fill(reinterpret_cast<int16_t*>(dst), left, static_cast<int16_t>(g.a_zero));
    fill(reinterpret_cast<int16_t*>(pixels) + int64_t{g.in_w} * g.cin, right, static_cast<int16_t>(g.a_zero));
  } else {
    fill(dst, left, static_cast<uint8_t>(g.a_zero));
    fill(pixels + int64_t{g.in_w} * g.cin, right, static_cast<uint8_t>(g.a_zero));
  }
  const bool dense = job.in.pixel_stride == g.cin;
  for (int32_t x = 0; x < (dense ? 1 : g.in_w); ++x) {
    const int32_t count = dense ? g.in_w * g.cin : g.cin;
    uint8_t* d = pixels + static_cast<size_t>(x) * cin * elem;
    if (elem == 2) {
      convert(reinterpret_cast<int16_t*>(d), job.in.pixel(n, static_cast<int32_t>(y), x), count, g);
    } else {
      convert(d, job.in.pixel(n, static_cast<int32_t>(y), x), count, g);
    }
  }
}

void copy_windows(void* context, size_t item) {
  const Q8GemmJob& job = *static_cast<const Q8GemmJob*>(context);
  const Conv2DQ8Gemm& g = *job.g;
  const int32_t n = static_cast<int32_t>(static_cast<int64_t>(item) / g.out_h);
  const int32_t oy = static_cast<int32_t>(static_cast<int64_t>(item) % g.out_h);
  const int32_t kh = g.p.kernel.h, cin = g.cin, left = g.p.pad.left, in_w = g.in_w;
  const size_t column = static_cast<size_t>(kh) * static_cast<size_t>(cin);
  uint8_t* const dst = job.copy + static_cast<size_t>(item) * static_cast<size_t>(g.copy_w) * column;
  const uint8_t zero = static_cast<uint8_t>(g.a_zero), x = g.a_xor;
  const uint32_t x4 = 0x01010101u * x;
  // The padding's columns, then the image's: each window row's cin bytes, RGB as 4-byte words for every
  // window row but the last (the fourth byte lands on the next window row's first, written after it) and
  // every pixel but a row's last (the word would read past the row).
  std::memset(dst, zero, static_cast<size_t>(left) * column);
  std::memset(dst + static_cast<size_t>(left + in_w) * column, zero,
              static_cast<size_t>(g.copy_w - left - in_w) * column);
  for (int32_t ky = 0; ky < kh; ++ky) {
    const int32_t iy = oy * g.p.stride.h - g.p.pad.top + ky * g.p.dilation.h;
    uint8_t* d = dst + static_cast<size_t>(left) * column + static_cast<size_t>(ky) * static_cast<size_t>(cin);
    if (iy < 0 || iy >= g.in_h) {
      for (int32_t sx = 0; sx < in_w; ++sx, d += column) std::memset(d, zero, static_cast<size_t>(cin));
      continue;
    }
    const uint8_t* src = job.in.pixel(n, iy, 0);
    const ptrdiff_t step = job.in.pixel_stride;
    int32_t sx = 0;
    if (cin == 3 && step == 3 && ky + 1 < kh)
      for (; sx + 1 < in_w; ++sx, d += column, src += 3) {
        uint32_t word;
        std::memcpy(&word, src, 4);
        word ^= x4;
        std::memcpy(d, &word, 4);
      }
    for (; sx < in_w; ++sx, d += column, src += step)
      for (int32_t c = 0; c < cin; ++c) d[c] = static_cast<uint8_t>(src[c] ^ x);
  }
}

void pack_a(Q8GemmTile& t, const Q8GemmUkernel& uk, uint8_t* dst, const void** a) {
  const int32_t mr = uk.mr, kr = uk.kr;
  if (uk.pack_a != nullptr) {
    uk.pack_a(t, dst);
  } else if (uk.a_row > 0) {
    const size_t kc = static_cast<size_t>(t.kc), stride = static_cast<size_t>(q8_a_row_stride(uk, t.k));
    const size_t end = static_cast<size_t>(t.taps) * kc;
    for (int32_t i = 0; i < mr; ++i) {
      uint8_t* row = dst + static_cast<size_t>(i) * stride;
      for (int32_t r = 0; r < t.taps; ++r) std::memcpy(row + static_cast<size_t>(r) * kc, t.a[r * mr + i], kc);
      std::memset(row + end, 0, stride - end);
    }
  } else {
    const size_t group = static_cast<size_t>(mr) * static_cast<size_t>(kr);
    for (int32_t r = 0; r < t.taps; ++r)
      for (int32_t i = 0; i < mr; ++i) {
        const uint8_t* src = static_cast<const uint8_t*>(t.a[r * mr + i]);
        uint8_t* d =
            dst + static_cast<size_t>(r) * static_cast<size_t>(t.kc / kr) * group + static_cast<size_t>(i) * kr;
        for (int32_t c = 0; c < t.kc; c += kr, d += group) std::memcpy(d, src + c, static_cast<size_t>(kr));
      }
  }
  a[0] = dst;
  t.a = a;
  t.taps = 1;
  t.kc = t.k;
}

size_t packed_a_bytes(const Q8GemmUkernel& uk, int64_t k) {
  return static_cast<size_t>(q8_a_row_stride(uk, k) * uk.mr * element_bytes(uk.a_form));
}

template void gather_rows(const Q8GemmJob&, int64_t, int32_t, uint8_t*, const void**, int64_t);
template void gather_rows(const Q8GemmJob&, int64_t, int32_t, int16_t*, const void**, int64_t);

}  // namespace incept::ops::q8_gemm
