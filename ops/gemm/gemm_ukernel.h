// SPDX-License-Identifier: Apache-2.0
// The micro-kernel, written once over a thin vector type V and included only by the ISA tables
// (ops/isa/isa_kernels.h, from isa_avx2.cc, isa_avx512.cc, isa_neon.cc), each compiled with its own flags. Everything
// here has internal linkage (an anonymous namespace in the including file) and calls no library templates, so no code
// compiled for a wide ISA can be picked by the linker for a baseline caller.
//
// V provides: Reg, kWidth, load, broadcast (from memory), set1, fma(a, b, acc) = acc + a * b, max,
// store, store_partial(p, v, n) (the first n lanes); and, when kLaneFma, load4 + fma_lane<L>(acc, b, a)
// = acc + b * a[L] (NEON's by-element FMA: one 4-float load of A serves four k steps).
//
// Register budget (MR * NV accumulators + NV weight vectors + the A operands) is stated by each
// instantiation; the compiled inner loop must show no spills (checked with objdump, see ops/README.md).

template <int L>
struct Lane {
  static constexpr int value = L;
};

// One line of GemmTile::pf per k step while any are left: into L2 (read, moderate locality), so the
// lines do not evict the A rows from L1.
struct Prefetcher {
  const char* p;
  const char* end;
  explicit Prefetcher(const GemmTile& t)
      : p(reinterpret_cast<const char*>(t.pf)), end(p + static_cast<ptrdiff_t>(t.pf_lines) * 64) {}
  void step() {
    if (p < end) {
      __builtin_prefetch(p, 0, 2);
      p += 64;
    }
  }
};

// Accumulates taps * kc rank-1 updates into acc and returns the advanced weight pointer.
template <class V, int MR, int NV>
inline const float* gemm_accumulate(const GemmTile& t, typename V::Reg (&acc)[MR][NV], const float* w) {
  using Reg = typename V::Reg;
  constexpr int kW = V::kWidth;
  Prefetcher pf(t);
  const float* const* ap = t.a;
  for (int32_t tap = 0; tap < t.taps; ++tap, ap += MR) {
    const float* a[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) a[i] = ap[i];
    int32_t k = 0;
    if constexpr (V::kLaneFma) {
      for (; k + 4 <= t.kc; k += 4) {
        Reg av[MR];
#pragma GCC unroll 16
        for (int i = 0; i < MR; ++i) av[i] = V::load(a[i] + k);
        auto step = [&](auto lane) {
          Reg b[NV];
#pragma GCC unroll 8
          for (int j = 0; j < NV; ++j) b[j] = V::load(w + j * kW);
          w += NV * kW;
          pf.step();
#pragma GCC unroll 16
          for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j)
              acc[i][j] = V::template fma_lane<decltype(lane)::value>(acc[i][j], b[j], av[i]);
        };
        step(Lane<0>{});
        step(Lane<1>{});
        step(Lane<2>{});
        step(Lane<3>{});
      }
    }
    for (; k < t.kc; ++k) {
      Reg b[NV];
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) b[j] = V::load(w + j * kW);
      w += NV * kW;
      pf.step();
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const Reg va = V::broadcast(a[i] + k);
#pragma GCC unroll 8
        for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(va, b[j], acc[i][j]);
      }
    }
  }
  return w;
}

// The MR x (NV * kWidth) micro-kernel of GemmTile's contract.
template <class V, int MR, int NV>
void gemm_ukernel(const GemmTile& t) {
  using Reg = typename V::Reg;
  constexpr int kW = V::kWidth;
  Reg acc[MR][NV];
#pragma GCC unroll 8
  for (int j = 0; j < NV; ++j) acc[0][j] = V::load(t.w + j * kW);  // the panel starts with its bias
#pragma GCC unroll 16
  for (int i = 1; i < MR; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) acc[i][j] = acc[0][j];
  gemm_accumulate<V, MR, NV>(t, acc, t.w + NV * kW);
  if (t.r != nullptr) {  // a fused residual add: read before the row is written (r may be c)
    const float* r = t.r;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      if (i < t.rows) {
#pragma GCC unroll 8
        for (int j = 0; j < NV; ++j) {
          const int32_t n = t.cols - j * kW;
          if (n >= kW) {
            acc[i][j] = V::add(acc[i][j], V::load(r + j * kW));
          } else if (n > 0) {
            acc[i][j] = V::add(acc[i][j], V::load_partial(r + j * kW, n));
          }
        }
      }
      r += t.r_stride;
    }
  }

  // max(min, acc): the NaN-propagating order (a NaN sum stays NaN, as in the reference).
  const Reg lo = V::set1(t.min);
  float* c = t.c;
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i < t.rows) {
      if (t.cols == NV * kW) {
#pragma GCC unroll 8
        for (int j = 0; j < NV; ++j) V::store(c + j * kW, V::max(lo, acc[i][j]));
      } else {
#pragma GCC unroll 8
        for (int j = 0; j < NV; ++j) {
          const int32_t n = t.cols - j * kW;
          if (n >= kW) {
            V::store(c + j * kW, V::max(lo, acc[i][j]));
          } else if (n > 0) {
            V::store_partial(c + j * kW, V::max(lo, acc[i][j]), n);
          }
        }
      }
    }
    c += t.c_stride;
  }
}
