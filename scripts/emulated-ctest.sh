# SPDX-License-Identifier: Apache-2.0
# Sourced by scripts/test-arm64.sh and scripts/test-armv7.sh (not run on its own):
#   emulated_ctest LABEL CPU   runs ctest in $BUILD (the cross build, whose tests run under qemu -cpu CPU),
#                              leaving out the tests named by $SKIP; appends "LABEL -cpu CPU: P/T passed,
#                              S skipped under emulation" to the array summary and sets failed=1 when a test
#                              failed or none ran. Uses $BUILD, $JOBS, $SKIP; the log goes to $BUILD/ctest-CPU.log.
emulated_ctest() {
  local label=$1 cpu=$2 log="$BUILD/ctest-$2.log" rc=0 total bad skipped
  ctest --test-dir "$BUILD" -j "$JOBS" --timeout 900 --output-on-failure ${SKIP:+-E "$SKIP"} | tee "$log" || rc=$?
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  bad=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
  skipped=$(ctest --test-dir "$BUILD" -N ${SKIP:+-R "$SKIP"} | sed -n 's/^Total Tests: //p')
  [ -n "$SKIP" ] || skipped=0
  summary+=("$label -cpu $cpu: $(( ${total:-0} - ${bad:-0} ))/${total:-0} passed, ${skipped:-0} skipped under emulation")
  if [ "$rc" -ne 0 ] || [ -z "$total" ] || [ "${bad:-1}" -ne 0 ]; then failed=1; fi
}
