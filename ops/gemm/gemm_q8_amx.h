// SPDX-License-Identifier: Apache-2.0
// The int8 micro-kernel for AMX (gemm_q8.h's contract): 16 x 64 outputs (16 x 32 for a last panel of at most
// 32 columns), A in the kU8 form and packed by the driver row after row (packs_a, a_row 64: each row's runs
// back to back, so a stem's short window rows fill whole tiles; zero to a multiple of 64), kr = 4, the weights packed
// as the VNNI kernel's (column j's 4 bytes adjacent, NR columns a group): 16 groups of one 16-column stripe are a
// TDPBUSD B tile (16 rows of 64 bytes, a group's size apart). Per 64 values of the reduction: one A tile load, then per
// 16 columns a B tile load and one TDPBUSD into C tiles 0-3, which start as the bias (a tile load with stride 0 repeats
// one row). The last B tiles read up to 15 groups past the weights (Q8GemmUkernel::w_read_ahead) against A's zeros. The
// C tiles go through a stack buffer to the VNNI kernel's requantising epilogue (q8_store16_avx512), so the bytes are
// the reference's. The full kernel takes a block's panels in one call (Q8GemmUkernel::panels) and requantises one panel
// while the next one's tiles multiply.
// Convs over fewer than 32 input channels are left to the VNNI kernel (Q8GemmUkernel::min_cin), measured on a
// Xeon with AMX (2 vCPUs, KVM; BM_conv2d_q8_gemm_amx against _avx512vnni, every GoogLeNet and Inception-v3
// shape): the 3 x 3 convs over 16 and 24 channels took 1.1-2.1 x the VNNI kernel's time and Inception-v3's
// stem (3 channels, 27 products an output) 1.24 x, while from 32 channels on the median was 0.41 x.
// The driver loads the tile configuration on a thread before its run of calls and releases the tiles after it
// (Q8GemmUkernel::begin, end): no state lives past a conv's run, whoever else on the thread uses the tiles. Included
// only by isa_amx.cc (inside its anonymous namespace), after gemm_q8_avx512vnni.h; compiled with AVX-512 VNNI,
// -mamx-tile and -mamx-int8.

// LDTILECFG's 64-byte operand: palette 1; the 8 tiles are 16 rows of 64 bytes.
struct AmxTileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};
static_assert(sizeof(AmxTileConfig) == 64, "LDTILECFG reads 64 bytes");

// The driver's A copy for this kernel (Q8GemmUkernel::pack_a): row i of the strip's 32 at dst + i * stride, its
// runs back to back, zero from k to the stride (k rounded up to 64); 64 bytes a vector, the last of a run masked.
void q8_pack_a_amx(const Q8GemmTile& t, uint8_t* dst) {
  const size_t kc = static_cast<size_t>(t.kc), end = static_cast<size_t>(t.taps) * kc;
  const size_t stride = (static_cast<size_t>(t.k) + 63) / 64 * 64;
  const __mmask64 tail = (stride - end) % 64 == 0 ? 0 : ~__mmask64{0} >> (64 - (stride - end) % 64);
  for (int i = 0; i < 32; ++i) {
    uint8_t* row = dst + static_cast<size_t>(i) * stride;
    for (int32_t r = 0; r < t.taps; ++r) {
      const uint8_t* src = static_cast<const uint8_t*>(t.a[r * 32 + i]);
      uint8_t* d = row + static_cast<size_t>(r) * kc;
      size_t c = 0;
      for (; c + 64 <= kc; c += 64) _mm512_storeu_si512(d + c, _mm512_loadu_si512(src + c));
      if (c < kc) {
        const __mmask64 m = ~__mmask64{0} >> (64 - (kc - c));
        _mm512_mask_storeu_epi8(d + c, m, _mm512_maskz_loadu_epi8(m, src + c));
      }
    }
    for (size_t c = end; c + 64 <= stride; c += 64) _mm512_storeu_si512(row + c, _mm512_setzero_si512());
    if (tail != 0) _mm512_mask_storeu_epi8(row + stride - (stride - end) % 64, tail, _mm512_setzero_si512());
  }
}

// Row i of a finished panel (its outputs, residual and columns in p, its 32-lane constants in e; its sums in
// c, 16 * NV a row; its multipliers m) requantised into the panel's output.
template <int NV>
inline void amx_epilogue_row(const Q8GemmTile& p, const Q8Rows32& e, const int32_t* c, const float* m, int i) {
  if constexpr (NV == 2) {
    if (e.fast) {
      q8_store32_row(e, _mm512_load_si512(c + i * 32), _mm512_load_si512(c + i * 32 + 16), i);
    } else {
      q8_store32_avx512(p, _mm512_load_si512(c + i * 32), _mm512_load_si512(c + i * 32 + 16), _mm512_load_ps(m),
                        _mm512_load_ps(m + 16), i, 0, p.cols);
    }
  } else {
    q8_store16_avx512(p, _mm512_load_si512(c + i * 16), _mm512_load_ps(m), i, 0, p.cols);
  }
}

// 32 rows (A tiles 4 and 5) x NV 16-column stripes (B tiles 6, 7): NV = 2 the full tile (t.panels of them,
// Q8GemmUkernel::panels; C tiles 0-3), 1 its half (one panel; C tiles 0, 2). Each B tile serves both A tiles,
// halving the weights' traffic from L2 against a 16-row tile. A panel's sums wait in a stack buffer while the
// next panel's products run: its rows are requantised between the next panel's tile products
// (ceil(rows / chunks) rows per 64 values of the reduction), so the vector epilogue and the tile unit work at
// once; the last panel's rows follow the tiles' release.
template <int NV>
void q8_gemm_amx(const Q8GemmTile& t) {
  constexpr int kMr = 32, kNr = 16 * NV;
  constexpr size_t kGroup = 4 * kNr;  // bytes of one group of 4 along the reduction: a B tile's row stride
  // Packed (a_stride 0): one run, rows 16-31 the next 16 of the packing. Read in place: run r of half h at
  // a[2r + h], its rows a_stride (h = 1: a_stride1, where set) apart.
  const bool packed = t.a_stride == 0;
  const size_t s0 = packed ? static_cast<size_t>(t.k + 63) / 64 * 64 : t.a_stride;
  const size_t s1 = packed || t.a_stride1 == 0 ? s0 : t.a_stride1;
  const int32_t chunks = (t.k + 63) / 64;
  alignas(64) int32_t c[kMr * kNr];
  Q8GemmTile prev = t;  // the panel whose sums wait in c (j > 0)
  const float* prev_m = nullptr;
  Q8Rows32 rows32;  // prev's 32-lane epilogue constants (NV = 2)
  for (int32_t j = 0; j < t.panels; ++j) {
    const int8_t* w = t.w + static_cast<size_t>(j) * t.w_stride;
    _tile_loadd(0, w, 0);  // the bias, every row
    _tile_loadd(2, w, 0);
    if constexpr (NV == 2) {
      _tile_loadd(1, w + 64, 0);
      _tile_loadd(3, w + 64, 0);
    }
    const float* m = reinterpret_cast<const float*>(w + 4 * kNr);
    w += 8 * kNr;
    const int32_t per = j > 0 ? (t.rows + chunks - 1) / chunks : 0;
    int32_t row = 0;
    for (int32_t r = 0; r < (packed ? 1 : t.taps); ++r) {
      const uint8_t* a0 = static_cast<const uint8_t*>(t.a[packed ? 0 : 2 * r]);
      const uint8_t* a1 = packed ? a0 + 16 * s0 : static_cast<const uint8_t*>(t.a[2 * r + 1]);
      for (int32_t k0 = 0; k0 < (packed ? t.k : t.kc); k0 += 64, w += 16 * kGroup) {
        _tile_loadd(4, a0 + k0, s0);
        _tile_loadd(5, a1 + k0, s1);
        _tile_loadd(6, w, kGroup);
        _tile_dpbusd(0, 4, 6);
        _tile_dpbusd(2, 5, 6);
        if constexpr (NV == 2) {
          _tile_loadd(7, w + 64, kGroup);
          _tile_dpbusd(1, 4, 7);
          _tile_dpbusd(3, 5, 7);
        }
        for (int32_t e = 0; e < per && row < t.rows; ++e, ++row) amx_epilogue_row<NV>(prev, rows32, c, prev_m, row);
      }
    }
    for (; j > 0 && row < t.rows; ++row) amx_epilogue_row<NV>(prev, rows32, c, prev_m, row);
    _tile_stored(0, c, kNr * 4);
    _tile_stored(2, c + 16 * kNr, kNr * 4);
    if constexpr (NV == 2) {
      _tile_stored(1, c + 16, kNr * 4);
      _tile_stored(3, c + 16 * kNr + 16, kNr * 4);
    }
    prev.c = t.c + static_cast<size_t>(j) * kNr * (t.f32 ? sizeof(float) : 1);
    prev.r = t.r == nullptr ? nullptr : t.r + static_cast<size_t>(j) * kNr;
    prev.cols = std::min(kNr, t.cols - j * kNr);
    prev_m = m;
    if constexpr (NV == 2) rows32 = q8_rows32(prev, _mm512_load_ps(m), _mm512_load_ps(m + 16), 0, prev.cols);
  }
  for (int32_t row = 0; row < t.rows; ++row) amx_epilogue_row<NV>(prev, rows32, c, prev_m, row);
}

// Q8GemmUkernel::begin and end: the tile configuration, loaded before a thread's run of calls; the tiles
// released after it.
void q8_amx_begin() {
  alignas(64) static constexpr AmxTileConfig kConfig{};
  _tile_loadconfig(&kConfig);
}
void q8_amx_end() { _tile_release(); }
