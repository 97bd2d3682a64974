#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (see driver/check.sh).
# usage: guest-check.sh SELFTESTS_DIR RESULTS_DIR SELECT TESTS [bench] [hog [then=MORE]]
#
# Runs test_progs SELECT TESTS (SELECT: -a, whole names or globs, or -t,
# substrings, as test_progs has them; TESTS "": every test it has),
# writing its output to RESULTS_DIR/test_progs.log rather than the console,
# so that the console holds only what the kernel printed.  With "bench",
# then the short bench, if no other lane has claimed it yet (the first
# to finish its tests makes RESULTS_DIR/../bench.claim): st_bench under
# this clock, a few calls and operations, its figures in
# RESULTS_DIR/bench/ (make bench's method; the host judges them).  Then
# asks kmemleak for its suspects, in RESULTS_DIR/kmemleak, the bench's
# objects included.  With "hog", a busy loop runs on every CPU beside
# test_progs, at its priority, so that a preemptible kernel preempts the
# tests' process-context callbacks (make check's preempt lane); the
# loops' count goes to RESULTS_DIR/hog.  With "then=MORE" (whole names,
# commas between), test_progs -a MORE runs once the loops are stopped,
# into the same log.
# Exits with test_progs' status.

selftests=$1 results=$2 select=$3 tests=$4
shift 4
bench= hog= more=
for opt in "$@"; do
	case $opt in
	bench) bench=1 ;;
	hog) hog=1 ;;
	then=*) more=${opt#then=} ;;
	*) echo "[check] error: guest-check.sh: unknown option $opt" >&2; exit 2 ;;
	esac
done
[ -n "$tests" ] || tests=$(cat "$selftests/tests.list") select=-a

hogs=
if [ -n "$hog" ]; then
	for _ in $(seq "$(nproc)"); do
		/bin/busybox sh -c 'while :; do :; done' &
		hogs="$hogs $!"
	done
	echo "$(echo $hogs | wc -w) busy loop(s) beside test_progs" >"$results/hog"
fi

echo "[check] test_progs $select $tests"
cd "$selftests" || exit 1
./test_progs "$select" "$tests" >"$results/test_progs.log" 2>&1
rc=$?
echo "[check] test_progs exited with status $rc"
# (kill fails for a loop that is gone: the host checks this line)
# shellcheck disable=SC2086
[ -z "$hogs" ] || { kill $hogs && echo "all still running when test_progs ended" >>"$results/hog"; }
if [ -n "$more" ]; then
	echo "[check] test_progs -a $more"
	./test_progs -a "$more" >>"$results/test_progs.log" 2>&1
	more_rc=$?
	echo "[check] test_progs exited with status $more_rc"
	[ "$rc" != 0 ] || rc=$more_rc
fi

if [ -n "$bench" ] && mkdir "$(dirname "$results")/bench.claim" 2>/dev/null; then
	start=$(date +%s)
	# (a test may have loaded the module already: there is no unloading)
	[ -d /sys/module/st_bench_mod ] || /bin/busybox insmod st_bench_mod/st_bench_mod.ko
	mkdir -p "$results/bench"
	ulimit -l unlimited
	./st_bench/st_bench --kernel ours-debug --clock tcg --out "$results/bench" \
		--calls 1000 --rounds 5 --ops 10 >"$results/bench.log" 2>&1
	echo "$? $(($(date +%s) - start))" >"$results/bench.rc"
fi

"$(dirname "$0")/guest-kmemleak.sh" "$results/kmemleak"
case $? in
2) echo "[check] kmemleak: not available in this kernel" ;;
*) echo "[check] kmemleak: $(grep -c '^unreferenced object' "$results/kmemleak") suspected leaks" ;;
esac
exit "$rc"
