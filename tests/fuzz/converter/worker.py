# SPDX-License-Identifier: Apache-2.0
"""Runs checkpoint files through the converter's CLI in one process, under the memory bound, for the
deterministic mutation pass.

    /usr/bin/python3 worker.py JOBS RESULTS START
JOBS holds one `<format>\\t<path>` per line; from line START on, each file is converted in-process
(convfuzz.check_file, with the per-input time limit) and one JSON line {"i", "rc", "violation", "stderr"} is
appended to RESULTS and flushed. A crash (a signal, an abort inside a library) ends the process: the caller
sees which job had no result line, records it, and starts another worker after it.
"""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convfuzz  # noqa: E402


def main() -> None:
    jobs_path, results_path, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
    convfuzz.limit_memory()
    convfuzz.register_micro()
    jobs = [line.split("\t", 1) for line in Path(jobs_path).read_text().splitlines()]
    with open(results_path, "a") as results, tempfile.TemporaryDirectory() as work:
        for i in range(start, len(jobs)):
            fmt, path = jobs[i]
            rc, err, violation = convfuzz.check_file(fmt, Path(path), Path(work))
            results.write(json.dumps({"i": i, "rc": rc, "violation": violation, "stderr": err[-400:]}) + "\n")
            results.flush()


if __name__ == "__main__":
    main()
