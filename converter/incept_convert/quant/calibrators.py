# SPDX-License-Identifier: Apache-2.0
"""Calibrators: the clipping threshold T of a tensor, from its statistics (observe.TensorStats).

Every calibrator returns T > 0 on |x|; scheme.py turns it into a range: [0, min(max, T)] for a tensor that
is never negative, [max(min, -T), min(max, T)] for one that may be (then widened to include 0).
  minmax      T = max |x|: nothing clipped.
  percentile  T = the upper edge of the histogram bin where the cumulative count of |x| reaches PERCENTILE
              (99.99 %), never above max |x|.
  entropy     TensorRT's / ncnn's KL-divergence search (TensorRT's "entropy calibration"): over candidate
              thresholds i = levels .. BINS (histogram bins), the reference distribution P is the first i
              bins with everything beyond folded into bin i-1; Q quantizes those i bins into `levels` groups
              (each group's count spread evenly over its nonzero bins); T = (i + 0.5) * bin width for the i of
              smallest KL(P || Q), candidates every 8 bins. levels = 128 for a signed tensor (the codes on one
              side of zero), 256 for an unsigned one; an unsigned tensor's first bin (ReLU's exact zeros, about
              half the values, exact in any range) is left out, else its spike decides the threshold.
"""

from typing import Callable, Dict

import numpy as np

from .observe import TensorStats

PERCENTILE = 99.99
NAMES = ("minmax", "percentile", "entropy")


def minmax(s: TensorStats, signed: bool) -> float:
    return s.absmax


def percentile(s: TensorStats, signed: bool, pct: float = PERCENTILE) -> float:
    total = s.hist.sum()
    if total <= 0 or s.edge <= 0:
        return s.absmax
    cdf = np.cumsum(s.hist)
    k = int(np.searchsorted(cdf, total * pct / 100.0, side="left"))
    return min(s.absmax, (k + 1) * s.bin_width())


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def entropy_threshold_bin(hist: np.ndarray, levels: int, stride: int = 1) -> int:
    """The candidate bin count i (levels <= i <= len(hist)) of least KL divergence."""
    hist = np.asarray(hist, np.float64)
    n = len(hist)
    nz = (hist > 0).astype(np.float64)
    best_i, best_kl = n, float("inf")
    for i in range(levels, n + 1, stride):
        p = hist[:i].copy()
        p[i - 1] += hist[i:].sum()
        if p.sum() <= 0:
            continue
        group = (np.arange(i) * levels) // i                 # which of the `levels` groups each bin joins
        gsum = np.bincount(group, weights=hist[:i], minlength=levels)
        gnz = np.bincount(group, weights=nz[:i], minlength=levels)
        q = np.where(nz[:i] > 0, gsum[group] / np.maximum(gnz[group], 1), 0.0)
        ps, qs = p / p.sum(), q.sum()
        if qs <= 0:
            continue
        q = q / qs
        if np.any((ps > 0) & (q <= 0)):   # P has mass where Q has none: smooth as TensorRT does
            eps = 1e-4
            zeros = q <= 0
            q = np.where(zeros, eps, q * (1 - eps * zeros.sum() / max((~zeros).sum(), 1)))
        kl = _kl(ps, q)
        if kl < best_kl - 1e-12:
            best_kl, best_i = kl, i
    return best_i


def entropy(s: TensorStats, signed: bool) -> float:
    if s.hist.sum() <= 0 or s.edge <= 0:
        return s.absmax
    levels = 128 if signed else 256
    hist = s.hist
    if not signed:   # ReLU's exact zeros (a spike of ~half the values) are exact in any range: leave them out
        hist = hist.copy()
        hist[0] = 0.0
    i = entropy_threshold_bin(hist, levels, stride=8)
    return min(s.absmax, (i + 0.5) * s.bin_width())


CALIBRATORS: Dict[str, Callable[[TensorStats, bool], float]] = {
    "minmax": minmax, "percentile": percentile, "entropy": entropy}
