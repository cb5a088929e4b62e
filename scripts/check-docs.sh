#!/usr/bin/env bash
# Runs every command in the docs' ```sh blocks that needs no network, the long ones too (the op-benchmark
# suite, the bundled model's training, the Python binding's pip install, scripts/demo.sh: about an hour on two
# cores), as tests/docs/test_doc_commands.py runs the quick ones in every scripts/test.sh. Run it before a
# release, on a built tree (scripts/test.sh or `cmake --preset release && cmake --build --preset release`).
# Usage: scripts/check-docs.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
export INCEPT_BIN_DIR="${INCEPT_BIN_DIR:-$PWD/build/release/bin}"
INCEPT_DOCS_LONG=1 exec /usr/bin/python3 -m pytest tests/docs/test_doc_commands.py -q -s -p no:cacheprovider "$@"
