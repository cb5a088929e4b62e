# SPDX-License-Identifier: Apache-2.0
"""ARM micro-kernels on paper: the inner loop of a compiled kernel through llvm-mca's core models.

    /usr/bin/python3 bench/arm_mca.py [--build build/arm64] [--mca llvm-mca-19] [--iterations 300]
        [KERNEL=OBJECT:FUNCTION:MNEMONIC:MACS ...]

Disassembles FUNCTION (a substring of its demangled name) in OBJECT (under --build's CMakeFiles), takes the
loop (the span from a backward branch's target to the branch) with the most MNEMONIC instructions, drops
the branch, and runs llvm-mca on it for each model: cycles per iteration, and the MACs an iteration does
(MACS: its count of MNEMONIC times the MACs of one) against the core's peak for that instruction (the
model's reciprocal throughput of MNEMONIC alone, measured the same way on a loop of nothing else). Without
KERNEL arguments it reports the int8 kernels of ops/README.md's "ARM on paper" table. Needs llvm-19 (apt).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CPUS = ("neoverse-n1", "cortex-a55")
DEFAULT = [
    "q8_gemm_neondot_8x8=isa_neondot.cc.o:q8_gemm_neondot_8x8:sdot:16",
    "q8_gemm_neon<4>=isa_neon.cc.o:q8_gemm_neon<4>:smlal2:16",  # an SMULL (8 MACs) and an SMLAL2 (8) a pair
]


def objdump(obj: Path) -> str:
    tool = "aarch64-linux-gnu-objdump"
    return subprocess.run([tool, "-d", "--no-show-raw-insn", "-C", str(obj)], stdout=subprocess.PIPE, text=True,
                          check=True).stdout


def function_lines(text: str, name: str):
    """(address, instruction) of the first function whose header contains name."""
    out, inside = [], False
    for line in text.splitlines():
        header = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
        if header:
            if inside:
                break
            inside = name in header.group(2)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(.*)$", line)
        if inside and m:
            out.append((int(m.group(1), 16), m.group(2).split("//")[0].strip()))
    return out


BRANCH = re.compile(r"^(b\.\w+|cbnz|cbz|tbnz|tbz|b)\s.*?\b([0-9a-f]+) <")


def hot_loop(lines, mnemonic: str):
    """The instructions of the innermost loop (no branch inside) with the most `mnemonic` ones, its branch
    dropped."""
    best = []
    for addr, insn in lines:
        m = BRANCH.match(insn)
        if not m or int(m.group(2), 16) >= addr:
            continue
        start = int(m.group(2), 16)
        body = [ins for a, ins in lines if start <= a < addr]
        if any(BRANCH.match(ins) for ins in body):
            continue
        if sum(ins.split()[0] == mnemonic for ins in body) > sum(ins.split()[0] == mnemonic for ins in best):
            best = body
    return best


def mca(mca_tool: str, cpu: str, body, iterations: int) -> float:
    """Cycles per iteration of body under llvm-mca's model of cpu."""
    with tempfile.NamedTemporaryFile("w", suffix=".s") as f:
        f.write("\n".join(body) + "\n")
        f.flush()
        out = subprocess.run([mca_tool, "-mtriple=aarch64", f"-mcpu={cpu}", "-mattr=+dotprod",
                              f"-iterations={iterations}", f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, check=True).stdout
    return int(re.search(r"Total Cycles:\s+(\d+)", out).group(1)) / iterations


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kernels", nargs="*", default=DEFAULT)
    p.add_argument("--build", default=str(REPO / "build/arm64"))
    p.add_argument("--mca", default="llvm-mca-19")
    p.add_argument("--iterations", type=int, default=300)
    a = p.parse_args(argv)
    objects = {o.name: o for o in Path(a.build).rglob("*.o")}
    print("| kernel | per iteration | " + " | ".join(CPUS) + " |\n|---|---|" + "---|" * len(CPUS))
    for spec in a.kernels:
        label, rest = spec.split("=", 1)
        obj, func, mnemonic, macs = rest.split(":")
        if obj not in objects:
            sys.exit(f"arm_mca: no {obj} under {a.build} (build it: cmake --build {a.build})")
        body = hot_loop(function_lines(objdump(objects[obj]), func), mnemonic)
        if not body:
            sys.exit(f"arm_mca: no loop with {mnemonic} in {func} ({obj})")
        count = sum(ins.split()[0] == mnemonic for ins in body)
        # The model's rate for the instruction alone: a loop of nothing but it (independent accumulators).
        sample = next(ins for ins in body if ins.split()[0] == mnemonic)
        cells = []
        for cpu in CPUS:
            cycles = mca(a.mca, cpu, body, a.iterations)
            alone = mca(a.mca, cpu, [re.sub(r"^(\S+)\s+v\d+", lambda m: f"{m.group(1)} v{16 + i}", sample)
                                     for i in range(16)], a.iterations) / 16
            rate = count * int(macs) / cycles
            cells.append(f"{cycles:.1f} cycles, {rate:.1f} MACs / cycle: {count * alone / cycles:.0%} "
                         f"of {1 / alone:.1f} {mnemonic} / cycle")
        print(f"| `{label}` | {len(body)} instructions, {count} {mnemonic} = {count * int(macs)} MACs | "
              + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
