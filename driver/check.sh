#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the harness's own self-tests, then test_progs in the VM under
# the debug kernel, then the console and kmemleak verdicts, then a short
# run of make bench's method under the same kernel.
# usage: check.sh BUILD KERNEL_DIR SELFTESTS_DIR [TESTS]
#
# Every check counts as a test; a kernel report on the console (BUG,
# WARNING, KASAN, lockdep, RCU stall) or a kmemleak suspect fails the run
# even when every test passed.  The last line is always
# "N passed, N failed, N skipped"; the exit status is non-zero on any failure.
# CHECK_HARNESS=0 skips the harness self-tests (for quick iteration).
# make lint runs first, unless TESTS narrows the run (CHECK_LINT=1 forces).

set -u
build=$1 kdir=$2 selftests=$3 tests=${4:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
vm=$repo/tools/testing/vm/run
bzimage=$kdir/arch/x86/boot/bzImage
results=$build/check
. "$repo/driver/kernel-reports.sh"
passed=0 failed=0 skipped=0
# One line per failure, name and cause, repeated just above the closing
# count: CI shows only the tail of a run, and it must say why.
failures=

rm -rf "$results"
mkdir -p "$results"

pass() { passed=$((passed + 1)); echo "[check] PASS $1"; }
fail() {
	failed=$((failed + 1))
	failures="$failures[check] failed: $1: $2
"
	echo "[check] FAIL $1: $2"
}

# spawn NAME CMD...: run CMD in the background, output and status kept
# under $scratch for judge().
spawn() {
	local name=$1
	shift
	("$@" >"$scratch/$name.out" 2>&1; echo $? >"$scratch/$name.rc") &
}

# judge NAME WANT_STATUS WANT_TEXT: the spawned NAME must have exited
# WANT_STATUS and printed WANT_TEXT (a grep -E pattern).
judge() {
	local name=$1 want=$2 text=$3 rc
	rc=$(cat "$scratch/$name.rc" 2>/dev/null)
	if [ "$rc" = "$want" ] && grep -qE "$text" "$scratch/$name.out"; then
		pass "harness/$name (exit $rc: $(grep -E "$text" "$scratch/$name.out" | tail -n 1))"
	else
		fail "harness/$name" "expected exit $want and /$text/, got exit ${rc:-none}: $(grep -v '^\[vm\]   ' "$scratch/$name.out" | tail -n 1)"
		tail -n 15 "$scratch/$name.out" | sed 's/^/[check]   /'
	fi
}

# Each bad input must fail loudly, naming its cause.  The cases are
# independent: they run side by side (one vCPU per VM: more TCG vCPU
# threads than host cores only slow the boots).
harness_selftests() {
	local scratch fake
	scratch=$(mktemp -d "$build/harness.XXXXXX")
	echo "[check] harness self-tests (each bad input must fail loudly)"

	spawn vm_exit_status "$vm" --kernel "$bzimage" --cpus 1 --log "$scratch/exit.console" -- \
		sh -c 'exit 3'
	spawn vm_test_crash "$vm" --kernel "$bzimage" --cpus 1 --log "$scratch/crash.console" -- \
		sh -c 'kill -SEGV $$'
	spawn vm_kernel_panic "$vm" --kernel "$bzimage" --cpus 1 --log "$scratch/panic.console" -- \
		sh -c 'echo c >/proc/sysrq-trigger; sleep 60'
	# A patch that does not apply, and an OWNED file the repo lacks: both
	# stop the tree step, naming the culprit, before the tree is touched.
	fake=$scratch/repo
	mkdir -p "$fake/patches" "$fake/bad"
	cat >"$fake/bad/0001-bad.patch" <<-'EOF'
	From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
	From: Harness <harness@localhost>
	Date: Sat, 1 Jan 2000 00:00:00 +0000
	Subject: [PATCH] harness: a patch whose context is not in the tree

	---
	 Makefile | 2 +-
	 1 file changed, 1 insertion(+), 1 deletion(-)

	diff --git a/Makefile b/Makefile
	--- a/Makefile
	+++ b/Makefile
	@@ -1,3 +1,3 @@
	 # no such first line
	-VERSION = 5
	+VERSION = 7
	 PATCHLEVEL = 1
	EOF
	cp -r "$fake" "$scratch/repo2"
	cp "$fake/bad/0001-bad.patch" "$fake/patches/"
	echo 0001-bad.patch >"$fake/patches/series"
	spawn tree_bad_patch "$repo/driver/tree.sh" "$fake" "$build/linux" /dev/null \
		"$scratch/rev"
	spawn tree_missing_owned "$repo/driver/tree.sh" "$scratch/repo2" "$build/linux" \
		/dev/null "$scratch/rev2" kernel/bpf/no_such_file.c

	# A requested option that Kconfig drops must fail the config step.
	printf 'CONFIG_BPF_SYSCALL=y\nCONFIG_NO_SUCH_OPTION=y\n' >"$scratch/bad.config"
	spawn config_option_dropped "$repo/driver/config.sh" "$build/linux" \
		"$scratch/config" "$scratch/bad.config"
	wait

	# The command must have started: its marker, then the timeout.  Alone,
	# once the others are done: the timeout counts the boot too, and a
	# boot beside three others and a build took over 80 s here.
	spawn vm_hang "$vm" --kernel "$bzimage" --log "$scratch/hang.console" --timeout 60 -- \
		sh -c 'echo hang-started; sleep 600'
	wait

	judge vm_exit_status 3 'status 3'
	judge vm_test_crash 139 'status 139'
	judge vm_kernel_panic 125 'kernel panic'
	judge vm_hang 124 'timed out after'
	grep -q hang-started "$scratch/hang.console" ||
		fail harness/vm_hang_started "the hung command never started"
	judge tree_bad_patch 1 'patches/0001-bad.patch does not apply'
	judge tree_missing_owned 1 'OWNED file kernel/bpf/no_such_file.c is missing'
	judge config_option_dropped 1 'CONFIG_NO_SUCH_OPTION=y'
	rm -rf "$scratch"
}

# Count test_progs results, subtests where a test has them.
count_test_progs() {
	awk -v out="$results/counts" '
	match($0, /^#[0-9]+(\/[0-9]+)? +[^ ]+:(OK|SKIP|FAIL)/) {
		split($2, f, ":"); name = f[1]; st = f[2]
		# test_progs repeats failed results in its closing error log
		if (name in seen)
			next
		seen[name] = 1
		if ($1 ~ /\//) { split(name, t, "/"); nsub[t[1]]++; res[name] = st; order[++n] = name }
		else { top[name] = st; order[++n] = name }
	}
	END {
		p = 0; F = 0; s = 0
		for (i = 1; i <= n; i++) {
			name = order[i]
			if (name in top && nsub[name] > 0) continue
			st = (name in res) ? res[name] : top[name]
			if (st == "OK") p++; else if (st == "SKIP") s++; else { F++; fl = fl " " name }
		}
		print p, F, s, fl > out
	}' "$results/test_progs.log"
	read -r p f s fl <"$results/counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	for t in $fl; do
		failures="$failures[check] failed: $t: see its log above
"
	done
	echo "[check] test_progs: $p passed, $f failed, $s skipped"
}

# checkpatch --strict on our files and patches (make lint): seconds, and a
# finding fails the run like a test.
if [ -z "$tests" ] || [ "${CHECK_LINT:-}" = 1 ]; then
	"$repo/driver/lint.sh" "$repo" "$build/linux/scripts/checkpatch.pl" >"$results/lint.log" 2>&1
	lintrc=$?
	grep -v '^\[lint\] checkpatch' "$results/lint.log" | head -n 40
	if [ $lintrc = 0 ]; then
		pass "lint/checkpatch ($(tail -n 1 "$results/lint.log" | sed 's/^\[lint\] checkpatch --strict: //'))"
	else
		fail lint/checkpatch "$(tail -n 1 "$results/lint.log" | sed 's/^\[lint\] //')"
	fi
fi

if [ "${CHECK_HARNESS:-1}" != 0 ]; then
	harness_selftests
fi

# watch_test_progs PID: while the VM PID runs, say when the guest is up
# and, as test_progs writes each result, which test ended and which one
# starts (tests.h has them in test_progs' order).
watch_test_progs() {
	local pid=$1 start=$SECONDS up= seen=0 line name next order
	order=$(sed -n 's/^DEFINE_TEST(\(.*\))$/\1/p' "$selftests/prog_tests/tests.h")
	if [ -n "$tests" ]; then
		order=$(for name in $order; do
			case ",$tests," in *",$name,"*) echo "$name" ;; esac
		done)
	fi
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if [ -z "$up" ] && grep -q 'guest up in' "$results/console" 2>/dev/null; then
			up=1
			grep -m1 'guest up in' "$results/console" | sed 's/^.*\[vm\]/[check]/'
			echo "[check] test_progs: starting $(echo "$order" | head -n 1)"
		fi
		# (test_progs repeats failed results after "All error logs:")
		while line=$(sed '/^All error logs:/,$d' "$results/test_progs.log" 2>/dev/null |
			     grep -E '^#[0-9]+ +[A-Za-z0-9_]+:' | sed -n "$((seen + 1))p") &&
		      [ -n "$line" ]; do
			seen=$((seen + 1))
			name=$(echo "$line" | sed -E 's/^#[0-9]+ +//')
			next=$(echo "$order" | sed -n "$((seen + 1))p")
			echo "[check] test_progs: $name at $((SECONDS - start)) s${next:+; starting $next}"
		done
	done
}

echo "[check] booting build/$(basename "$kdir") for test_progs (console: $results/console)"
"$vm" --kernel "$bzimage" --log "$results/console" --timeout "${VM_TIMEOUT:-900}" -- \
	"$repo/driver/guest-check.sh" "$selftests" "$results" "$tests" >/dev/null 2>"$results/vm.err" &
vmpid=$!
watch_test_progs $vmpid
wait $vmpid
vmrc=$?

if [ -s "$results/test_progs.log" ]; then
	sed 's/^/  /' "$results/test_progs.log"
	count_test_progs
	grep -qE '^Summary: ' "$results/test_progs.log" ||
		fail test_progs "no summary line: test_progs did not finish"
else
	fail test_progs "no output: test_progs did not run"
fi
case $vmrc in
0) pass "vm/test_progs_exit (status 0)" ;;
124 | 125 | 126) fail vm "$(tail -n 1 "$results/vm.err")"; sed 's/^/  /' "$results/vm.err" ;;
*) if [ "$vmrc" -gt 128 ]; then
	fail vm/test_progs_exit "test_progs died of signal $((vmrc - 128))"
   else
	fail vm/test_progs_exit "test_progs exited with status $vmrc"
   fi ;;
esac

# The console holds only what the kernel printed (test output goes to a file).
reports=$(grep -nE "$KERNEL_REPORTS" \
	"$results/console")
if [ -z "$reports" ]; then
	pass "kernel/console_clean (no BUG, WARNING, KASAN, lockdep or RCU report)"
else
	fail kernel/console_clean "$(printf '%s\n' "$reports" | wc -l) report line(s) on the console"
	printf '%s\n' "$reports" | head -n 20 | sed 's/^/[check]   console:/'
fi
if [ ! -f "$results/kmemleak" ]; then
	fail kernel/kmemleak "no kmemleak report was taken"
elif grep -q '^unreferenced object' "$results/kmemleak"; then
	fail kernel/kmemleak "$(grep -c '^unreferenced object' "$results/kmemleak") suspected leak(s)"
	head -n 40 "$results/kmemleak" | sed 's/^/[check]   /'
else
	pass "kernel/kmemleak (no suspected leaks)"
fi

# The short bench (make bench's method, a few operations, our debug kernel
# only): it must still produce every figure, sane, with no kernel report.
# Skipped when TESTS narrows the run, unless CHECK_BENCH=1.
if [ -z "$tests" ] || [ "${CHECK_BENCH:-0}" = 1 ]; then
	echo "[check] short bench: $results/bench/table.txt (log: $results/bench.log)"
	if "$repo/driver/bench.sh" "$results/bench" "$selftests/st_bench" 1000 2 20 \
		"ours-debug=$bzimage=$selftests/st_bench_mod/st_bench_mod.ko" >"$results/bench.log" 2>&1; then
		pass "bench/short (every figure produced; native > 0, BPF >= native)"
	else
		fail bench/short "$(grep 'error:' "$results/bench.log" | tail -n 1)"
		tail -n 20 "$results/bench.log" | sed 's/^/[check]   /'
	fi
fi

printf '%s' "$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
