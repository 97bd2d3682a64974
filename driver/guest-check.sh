#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (see driver/check.sh).
# usage: guest-check.sh SELFTESTS_DIR RESULTS_DIR [TESTS]
#
# Runs test_progs for TESTS (default: every test the pruned build has),
# writing its output to RESULTS_DIR/test_progs.log rather than the console,
# so that the console holds only what the kernel printed.  Then asks
# kmemleak for a scan and saves its report in RESULTS_DIR/kmemleak.
# Exits with test_progs' status.

selftests=$1 results=$2 tests=${3:-}
[ -n "$tests" ] || tests=$(cat "$selftests/tests.list")

echo "[check] test_progs -t $tests"
cd "$selftests" || exit 1
./test_progs -t "$tests" >"$results/test_progs.log" 2>&1
rc=$?
echo "[check] test_progs exited with status $rc"

# kmemleak reports only objects older than 5 s that two scans in a row
# found unreferenced: wait, then scan twice.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$results/kmemleak"
	echo "[check] kmemleak: $(grep -c '^unreferenced object' "$results/kmemleak") suspected leaks"
else
	echo "[check] kmemleak: not available in this kernel"
fi
exit "$rc"
