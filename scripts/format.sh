#!/usr/bin/env bash
# One layout for the project's code: clang-format-14 (.clang-format) for C, C++ and Java, flake8 (.flake8)
# for Python. Files are those git tracks, so build output and fetched dependencies are never touched.
# Usage: scripts/format.sh           rewrite every C, C++ and Java file in place, then lint the Python
#        scripts/format.sh --check   change nothing; exit 1 naming each file that differs or fails the lint
#                                    (scripts/test.sh runs this first)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=apply
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: scripts/format.sh [--check]" >&2; exit 2 ;;
esac

mapfile -t sources < <(git ls-files '*.h' '*.cc' '*.c' '*.inc' '*.java')
mapfile -t python < <(git ls-files '*.py')
status=0
if [ "$mode" = check ]; then
  # --dry-run -Werror prints each change as a warning and exits non-zero when any file would change.
  if ! clang-format-14 --style=file --dry-run -Werror "${sources[@]}" 2>/tmp/incept-format.$$; then
    grep -o '^[^:]*' /tmp/incept-format.$$ | sort -u | sed 's/^/incept: not formatted (run scripts\/format.sh): /' >&2
    status=1
  fi
  rm -f /tmp/incept-format.$$
else
  clang-format-14 --style=file -i "${sources[@]}"
fi
[ ${#python[@]} -eq 0 ] || flake8 "${python[@]}" || { echo "incept: flake8 found the problems above" >&2; status=1; }
exit $status
