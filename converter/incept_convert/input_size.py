# SPDX-License-Identifier: Apache-2.0
"""The input size a file is written for, proven by shape inference before anything is written.

    shapes = input_size.infer(g, 24, 24)     # every activation's shape at 24x24 (the runtime's rules)
    input_size.check(g, "--arch googlenet")  # ConvertError naming the first layer that cannot run at
                                             # g's own input size (or a given one), and the sizes it runs at
    input_size.note(given, native, what)     # the line saying a size differs from the network's own

The rules are opspec's (the runtime's ops/<op>/<op>_shape.cc), plus the loader's cap of 2^30 elements per
tensor, so a size that passes here is a size every tool can prepare. A network that refuses a size refuses
all smaller ones (a window no longer fits) or all larger ones (a tensor grows past the cap), so the limits
are found by bisection.
"""

from typing import Dict, List, Optional, Tuple

from . import ir, opspec
from .errors import ConvertError, UnsupportedOp, node_label

MAX_ELEMENTS = 1 << 30   # kMaxElements in runtime/loader/loader.cc: elements per tensor
MAX_SIDE = 16384         # --input-size's own bound (cli._size)


class SizeError(Exception):
    """A layer that cannot run at the size tried: `label` names it, `why` says what, `too_big` whether a
    tensor outgrew the runtime's cap (else a window or kernel no longer fits)."""

    def __init__(self, label: str, why: str, too_big: bool):
        super().__init__(why)
        self.label, self.why, self.too_big = label, why, too_big


def _elements(shape: List[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def infer(g: ir.Graph, h: int, w: int) -> Dict[int, List[int]]:
    """Every activation's shape (by id of the tensor) with g's input at h x w; SizeError at the first op
    that cannot run. The ops are the schema ops left after passes.run_all()."""
    n, _, _, c = g.inputs[0].shape
    x = [n, h, w, c]
    if _elements(x) > MAX_ELEMENTS:
        raise SizeError(f"input '{g.inputs[0].name}'", f"{x} has {_elements(x):,} elements, more than the "
                        f"runtime's {MAX_ELEMENTS:,} per tensor", True)
    shapes = {id(g.inputs[0]): x}
    for op in g.ops:
        xs = [None if t is None else list(t.shape) if t.is_constant else shapes[id(t)] for t in op.inputs]
        try:
            out = opspec.of(op).shape(op, xs)
        except UnsupportedOp as e:
            raise SizeError(node_label(op.label), e.why, False) from None
        if _elements(out) > MAX_ELEMENTS:
            raise SizeError(node_label(op.label), f"its output {out} has {_elements(out):,} elements, more than "
                            f"the runtime's {MAX_ELEMENTS:,} per tensor", True)
        shapes[id(op.outputs[0])] = out
    return shapes


def _runs(g: ir.Graph, side: int) -> Optional[SizeError]:
    try:
        infer(g, side, side)
        return None
    except SizeError as e:
        return e


def limits(g: ir.Graph, start: int) -> Optional[Tuple[int, int]]:
    """(smallest, largest) square side in 1..MAX_SIDE that g runs at, bisecting from `start` (a side it
    runs at, or near one); None when none of the sides tried runs."""
    first = _runs(g, start)
    good, side = (start if first is None else None), start
    while good is None:   # double a side too small, halve one too big, until one runs or the other rule fails
        side = max(side // 2, 1) if first.too_big else min(2 * side, MAX_SIDE)
        e = _runs(g, side)
        if e is None:
            good = side
        elif e.too_big != first.too_big or side in (1, MAX_SIDE):
            return None
    lo, hi = 0, good                 # lo fails (or is 0), hi runs
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if _runs(g, mid) is None else (mid, hi)
    smallest = hi
    lo, hi = good, MAX_SIDE + 1      # lo runs, hi fails (or is past the bound)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _runs(g, mid) is None else (lo, mid)
    return smallest, lo


def check(g: ir.Graph, what: str, size: Optional[Tuple[int, int]] = None, near: Optional[int] = None) -> None:
    """ConvertError when g cannot run at input size `size` (default: its own): names the layer, the rule and
    the sizes it can run at (searched from `near`, e.g. the size it was trained at, or the size itself)."""
    _, h, w, _ = g.inputs[0].shape
    h, w = size or (h, w)
    try:
        infer(g, h, w)
        return
    except SizeError as e:
        err = e
    found = limits(g, near or max(h, w))
    span = (f"; it runs at {found[0]}..{found[1]} pixels a side" if found else "")
    raise ConvertError(f"{what} cannot run at input size {h}x{w}: {err.label}: {err.why}{span}")


def note(given: Tuple[int, int], native: Optional[Tuple[int, int]], what: str) -> Optional[str]:
    """The line for an input size other than the network's own (`what`: "--arch X is defined and pretrained
    at", "x.onnx declares"), or None."""
    if native is None or tuple(given) == tuple(native):
        return None
    size = f"{given[0]}x{given[1]}"
    return (f"note: input size {size} differs from the {native[0]}x{native[1]} {what}; unless the weights were "
            f"trained at {size}, their accuracy at this size is unknown (images are resized to it): check it on "
            f"held-out images, or convert without --input-size")
