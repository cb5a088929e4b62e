# SPDX-License-Identifier: Apache-2.0
"""atheris harness for the converter's checkpoint readers: each input is a checkpoint file of one surface,
converted by the CLI's main in-process; breaking the converter rule (convfuzz.rule_violation) is a crash.

    build/fuzz-venv/bin/python tests/fuzz/converter/fuzz_readers.py TARGET [libFuzzer flags] CORPUS...
TARGET: safetensors, onnx, keras (.h5 and .keras) or pth. Run it through run_atheris.sh, which makes the venv,
keeps the corpus and copies findings into tests/fuzz/regressions/converter-<format>/.

Half the mutations are atheris's own byte mutations, half convfuzz's format-aware ones (the deterministic
pass's mutators: JSON header fields, protobuf fields, HDF5 structures, zip members with their CRCs fixed), so
inputs get past the checksums and parsers into the readers' semantic checks. Time is bounded by libFuzzer's
-timeout (run_atheris.sh: 120 s, past the 60 s the converter gives libhdf5's child process), memory by RLIMIT_AS
(convfuzz.MEMORY_LIMIT: a MemoryError is a traceback, hence a crash) and -rss_limit_mb.
"""

import random
import sys
import tempfile
import zipfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convfuzz  # noqa: E402

with atheris.instrument_imports(include=["incept_convert"]):
    from incept_convert import (cli, keras_files, keras_import, onnx_import,  # noqa: F401
                                safetensors_reader, torch_import)

TARGET = None
WORK = Path(tempfile.mkdtemp(prefix="incept-fuzz-"))


def fmt_of(data: bytes) -> str:
    if TARGET == "keras":
        return "keras_zip" if data.startswith(b"PK") else "keras_h5"
    return convfuzz.SURFACES[TARGET][0]


def test_one_input(data: bytes) -> None:
    fmt = fmt_of(data)
    path = WORK / ("input" + convfuzz.FORMATS[fmt])
    path.write_bytes(data)
    rc, err, violation = convfuzz.check_file(fmt, path, WORK, time_limit=0)
    if violation:
        raise RuntimeError(f"{fmt} input breaks the converter rule: {violation}")


def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    if rng.random() < 0.5:
        return atheris.Mutate(data, max_size)
    try:
        with convfuzz.warnings_off():
            out = convfuzz.mutate(fmt_of(data), rng, data)
    except (Exception, RecursionError, zipfile.BadZipFile):   # noqa: BLE001 - a mutator tripped on odd bytes
        return atheris.Mutate(data, max_size)
    return out[:max_size]


def main() -> None:
    global TARGET
    if len(sys.argv) < 2 or sys.argv[1] not in convfuzz.SURFACES:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(convfuzz.SURFACES)}}} [libFuzzer flags] CORPUS...")
    TARGET = sys.argv.pop(1)
    convfuzz.limit_memory()
    convfuzz.register_micro()
    atheris.Setup(sys.argv, test_one_input, custom_mutator=custom_mutator)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
