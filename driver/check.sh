#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: make lint, the harness's own self-tests when the harness
# changed, then test_progs under the debug kernel in lanes (VMs side by
# side), a short run of make bench's method in one of them, and each
# lane's console and kmemleak verdicts.
# usage: check.sh BUILD KERNEL_DIR SELFTESTS_DIR [TESTS]
#
# Every check counts as a test; a kernel report on the console (BUG,
# WARNING, KASAN, lockdep, RCU stall) or a kmemleak suspect fails the run
# even when every test passed.  The last line is always
# "N passed, N failed, N skipped"; the exit status is non-zero on any failure.
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
	local scratch fake tsc="tsc_early_khz=$host_khz"
	scratch=$(mktemp -d "$build/harness.XXXXXX")
	echo "[check] harness self-tests (each bad input must fail loudly)"

	spawn vm_exit_status "$vm" --kernel "$bzimage" --cpus 1 --append "$tsc" \
		--log "$scratch/exit.console" -- sh -c 'exit 3'
	spawn vm_test_crash "$vm" --kernel "$bzimage" --cpus 1 --append "$tsc" \
		--log "$scratch/crash.console" -- sh -c 'kill -SEGV $$'
	spawn vm_kernel_panic "$vm" --kernel "$bzimage" --cpus 1 --append "$tsc" \
		--log "$scratch/panic.console" -- sh -c 'echo c >/proc/sysrq-trigger; sleep 60'
	# A guest that comes up with fewer CPUs than asked for.
	spawn vm_cpu_count "$vm" --kernel "$bzimage" --cpus 2 --append "nr_cpus=1 $tsc" \
		--log "$scratch/cpus.console" -- true
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
	spawn vm_hang "$vm" --kernel "$bzimage" --append "$tsc" --log "$scratch/hang.console" \
		--timeout 60 -- sh -c 'echo hang-started; sleep 600'
	wait

	judge vm_exit_status 3 'status 3'
	judge vm_test_crash 139 'status 139'
	judge vm_kernel_panic 125 'kernel panic'
	judge vm_hang 124 'timed out after'
	judge vm_cpu_count 125 'has 1 CPU\(s\) online, not the 2 asked for'
	grep -q hang-started "$scratch/hang.console" ||
		fail harness/vm_hang_started "the hung command never started"
	judge tree_bad_patch 1 'patches/0001-bad.patch does not apply'
	judge tree_missing_owned 1 'OWNED file kernel/bpf/no_such_file.c is missing'
	judge config_option_dropped 1 'CONFIG_NO_SUCH_OPTION=y'
	rm -rf "$scratch"
}

# count_test_progs LOG: count test_progs' results, subtests where a test
# has them.
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
	}' "$1"
	read -r p f s fl <"$results/counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	for t in $fl; do
		failures="$failures[check] failed: $t: see its log above
"
	done
	echo "[check] ${2:+$2: }test_progs: $p passed, $f failed, $s skipped"
}

# A guest calibrates its TSC, and with it its local APIC timer, against a
# PIT that a busy host (the other VMs, a build) makes useless.  It then
# keeps time by jiffies, and a timer calibrated that way may hardly fire:
# one harness guest of four booted side by side hung at its first sleep
# (the RCU-tasks self-test) until the 900 s timeout.  Tell every guest,
# the harness's and the lanes', the host's rate (as make bench does).
host_khz=$("$selftests/st_bench/tsc_khz") || { echo "[check] error: cannot measure the TSC rate" >&2; exit 1; }

# checkpatch --strict on our files and patches (make lint): seconds, and a
# finding fails the run like a test.
if [ -z "$tests" ] || [ "${CHECK_LINT:-}" = 1 ]; then
	"$repo/driver/lint.sh" "$repo" "$build/linux/scripts/checkpatch.pl" "$build/lint.cache" \
		>"$results/lint.log" 2>&1
	lintrc=$?
	grep -v '^\[lint\] checkpatch' "$results/lint.log" | head -n 40
	if [ $lintrc = 0 ]; then
		pass "lint/checkpatch ($(tail -n 1 "$results/lint.log" | sed 's/^\[lint\] checkpatch --strict: //'))"
	else
		fail lint/checkpatch "$(tail -n 1 "$results/lint.log" | sed 's/^\[lint\] //')"
	fi
fi

# The harness self-tests prove the harness, not the kernel: they run when
# a file of the harness changed since they last passed here, in CI, or
# with CHECK_HARNESS=1 (CHECK_HARNESS=0: never).  Not run, they count as
# skipped.
harness_key=$(cd "$repo" && cat tools/testing/vm/run tools/testing/vm/init driver/check.sh driver/tree.sh \
	driver/config.sh driver/kernel-reports.sh | sha1sum | cut -c1-40)
harness_passed=$build/harness.passed
if [ "${CHECK_HARNESS:-}" = 1 ] || [ "${CI:-}" = true ] ||
   { [ "${CHECK_HARNESS:-}" != 0 ] && [ "$(cat "$harness_passed" 2>/dev/null)" != "$harness_key" ]; }; then
	before=$failed
	harness_selftests
	[ "$failed" = "$before" ] && echo "$harness_key" >"$harness_passed"
else
	n=$(grep -c '^	judge ' "$0")
	skipped=$((skipped + n))
	echo "[check] harness self-tests: $n skipped:" \
		"$([ "${CHECK_HARNESS:-}" = 0 ] && echo "CHECK_HARNESS=0" ||
		   echo "the harness is unchanged since they passed (CHECK_HARNESS=1 runs them)")"
fi

# make configs-check's lines (driver/configs-check.sh): our change
# compiled under other configs, before the VMs take the cores.  CI runs
# Debian's own (CHECK_CONFIGS="NAME ...": these; CHECK_CONFIGS=none:
# none).
configs=${CHECK_CONFIGS:-}
[ -z "$configs" ] && [ "${CI:-}" = true ] && configs=debian
[ "$configs" = none ] && configs=
if [ -n "$configs" ]; then
	echo "[check] make configs-check CONFIGS=\"$configs\" (log: $results/configs.log)"
	# shellcheck disable=SC2086
	"$repo/driver/configs-check.sh" "$repo" "$build/linux" "$build/configs" $configs \
		>"$results/configs.log" 2>&1
	for name in $configs; do
		line=$(grep "^\[configs\] $name: " "$results/configs.log" | tail -n 1)
		case $line in
		*": ok "*) pass "configs/$name (${line#*: ok (}" ;;
		'') fail "configs/$name" "no verdict (log: $results/configs.log)" ;;
		*) fail "configs/$name" "${line#*: }"
		   grep "^\[configs\]   " "$results/configs.log" | head -n 10 ;;
		esac
	done
fi

# ---- test_progs, in lanes
# The tests are split over lanes, VMs that run side by side, each booting
# the debug kernel with its own test_progs: our serial tests share names
# that a kernel keeps for all (a CC, a pin, a netns), and separate kernels
# keep them apart.  Longest first, each test goes to the lane with the
# least work so far, by how long it took in the last run here
# (build/check.durations), or in driver/check.durations (measured on a
# 2-core machine), or 30 s for a test in neither.
# CHECK_LANES (default: the host's cores, at most 4) sets how many.  A
# TESTS that is not a list of whole test names (a subtest, a glob) runs
# in one lane.
durations=$build/check.durations
seed=$repo/driver/check.durations

# plan_lanes N NAME...: one line per non-empty lane, its tests' names
# joined by commas.  A test whose subtests driver/check.durations names
# ("struct_ops_netem/cubic_*") is planned by those parts, each a
# test_progs -a pattern: a long test of subtests that wait on the clock
# gets two lanes.  A NAME marked "^" is pinned to lane N, the preempt
# lane, which then comes last as "preempt:PINNED;MORE": its pinned tests
# run beside the busy loops, then MORE, the tests the plan gave it, once
# the loops are gone.
plan_lanes() {
	local n=$1 pin name
	shift
	for name in "$@"; do
		pin=-
		case $name in ^*) pin=p name=${name#^} ;; esac
		awk -v t="$name" -v p="$pin" 'index($1, t "/") == 1 { print p, $1; found = 1 }
					      END { if (!found) print p, t }' "$seed"
	done | while read -r pin unit; do
		echo "$pin $unit $(cat "$durations" "$seed" 2>/dev/null |
			      awk -v t="$unit" '$1 == t { print $2; exit }')"
	done | awk -v n="$n" '
	{ d[$2] = ($3 == "") ? 30 : $3; names[++nt] = $2; pinned[$2] = ($1 == "p") }
	END {
		# longest first (ties by name, so that a plan repeats)
		for (i = 1; i <= nt; i++)
			for (j = i + 1; j <= nt; j++)
				if (d[names[j]] > d[names[i]] ||
				    (d[names[j]] == d[names[i]] && names[j] < names[i])) {
					t = names[i]; names[i] = names[j]; names[j] = t
				}
		for (i = 1; i <= nt; i++)
			if (pinned[names[i]]) {
				load[n] += d[names[i]]
				pins = pins (pins == "" ? "" : ",") names[i]
			}
		for (i = 1; i <= nt; i++) {
			if (pinned[names[i]])
				continue
			best = 1
			for (k = 2; k <= n; k++)
				if (load[k] < load[best] ||
				    (load[k] == load[best] && k != n && best == n))
					best = k
			load[best] += d[names[i]]
			lane[best] = lane[best] (lane[best] == "" ? "" : ",") names[i]
		}
		for (k = 1; k <= n; k++)
			if (k == n && pins != "")
				print "preempt:" pins (lane[k] == "" ? "" : ";" lane[k])
			else if (lane[k] != "")
				print lane[k]
	}'
}

# record_duration DIR TEST SECS: TEST, or the one part of it that the
# lane DIR ran, took SECS (two parts in one lane: their last figures
# stay).
record_duration() {
	local units
	units=$(cat "$1/tests" "$1/tests.then" 2>/dev/null | tr ',' '\n' | grep "^$2/")
	[ -n "$units" ] || units=$2
	[ "$(echo "$units" | wc -l)" = 1 ] && echo "$units $3" >>"$1/durations"
}

# run_order FILE: the tests of the lane list in FILE, one a line, in the
# order test_progs runs them (tests.h's).
run_order() {
	[ -f "$1" ] || return 0
	sed -n 's/^DEFINE_TEST(\(.*\))$/\1/p' "$selftests/prog_tests/tests.h" |
		while read -r name; do
			case ",$(cat "$1")," in *",$name,"* | *",$name/"*) echo "$name" ;; esac
		done
}

# watch_lane DIR PID LABEL: while the VM PID runs, say when the guest is
# up and, as test_progs writes each result, which test ended and which
# one starts (DIR/tests, then DIR/tests.then, each in tests.h's order).
# Writes each test's seconds, as seen from here, to DIR/durations.
watch_lane() {
	local dir=$1 pid=$2 label=$3 start=$SECONDS up= seen=0 last line name next order
	order=$(run_order "$dir/tests"; run_order "$dir/tests.then")
	: >"$dir/durations"
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if [ -z "$up" ] && grep -q 'guest up in' "$dir/console" 2>/dev/null; then
			up=1 last=$((SECONDS - start))
			echo "[check]${label:+ $label}$(grep -m1 'guest up in' "$dir/console" | sed 's/^.*\[vm\]//');" \
				"test_progs: starting $(echo "$order" | head -n 1)"
		fi
		# (test_progs repeats failed results after "All error logs:")
		while line=$(sed '/^All error logs:/,/^Summary:/d' "$dir/test_progs.log" 2>/dev/null |
			     grep -E '^#[0-9]+ +[A-Za-z0-9_]+:' | sed -n "$((seen + 1))p") &&
		      [ -n "$line" ]; do
			seen=$((seen + 1))
			name=$(echo "$line" | sed -E 's/^#[0-9]+ +//')
			next=$(echo "$order" | sed -n "$((seen + 1))p")
			echo "[check]${label:+ $label} test_progs: $name at $((SECONDS - start)) s${next:+; starting $next}"
			record_duration "$dir" "${name%%:*}" $((SECONDS - start - last))
			last=$((SECONDS - start))
		done
	done
}

if [ -n "$tests" ]; then
	names=$(echo "$tests" | tr ',' ' ')
	for name in $names; do
		tr ',' '\n' <"$selftests/tests.list" | grep -qxF "$name" || { names=; break; }
	done
else
	names=$(tr ',' ' ' <"$selftests/tests.list")
fi
# The short bench (make bench's method: st_bench, a few calls and
# operations, under the debug kernel and plain TCG) runs in the lane that
# ends its tests first: every figure must be there and sane, with no
# kernel report.  Skipped when TESTS narrows the run, unless CHECK_BENCH=1.
bench=
{ [ -z "$tests" ] || [ "${CHECK_BENCH:-0}" = 1 ]; } && bench=bench
# The preempt lane: the tests whose callbacks run in process context
# (sendmsg, the backlog in release_sock, setsockopt), on a kernel booted
# with preempt=full (PREEMPT_DYNAMIC, configs/hardening.config) and a busy
# loop on every vCPU (guest-check.sh hog), so that the generic path's
# callbacks are preempted in the middle of their programs and a native
# entry's are not.  These tests run there and in no other lane; the lane
# is one of CHECK_LANES.  Once they are done, the loops stop and the lane
# runs the other tests the plan gave it, as any lane would.  A full run
# has it; a TESTS run only with CHECK_PREEMPT=1 (CHECK_PREEMPT=0: never).
preempt_set="struct_ops_native struct_ops_lifecycle struct_ops_link struct_ops_stress struct_ops_preempt"
preempt_tests=
if [ -n "$names" ] && [ "${CHECK_PREEMPT:-}" != 0 ] &&
   { [ -z "$tests" ] || [ "${CHECK_PREEMPT:-}" = 1 ]; }; then
	rest=
	for name in $names; do
		case " $preempt_set " in
		*" $name "*) preempt_tests="$preempt_tests${preempt_tests:+,}$name" ;;
		*) rest="$rest $name" ;;
		esac
	done
	names=$rest
fi
select=-t plan=$tests
lanes=${CHECK_LANES:-$(($(nproc) < 4 ? $(nproc) : 4))}
if [ -n "$names" ] || [ -n "$preempt_tests" ]; then
	select=-a
	pins=
	for name in $(echo "$preempt_tests" | tr ',' ' '); do
		pins="$pins ^$name"
	done
	# shellcheck disable=SC2086
	plan=$(plan_lanes "$lanes" $names $pins)
fi
nlanes=$(echo "$plan" | wc -l)
# The host's cores shared out: more vCPUs than cores makes a lane's own
# spinlocks wait on vCPUs the host has descheduled (one try with 2 lanes
# of 2 vCPUs on 2 cores: boots 7 -> 11 s, tests 1.5x slower, one netem
# flow lost its bandwidth).  CHECK_LANE_CPUS overrides.
lane_cpus=${CHECK_LANE_CPUS:-$(($(nproc) / nlanes > 1 ? $(nproc) / nlanes : 1))}

echo "[check] booting build/$(basename "$kdir") for test_progs in $nlanes lane(s) of $lane_cpus CPU(s) (results: $results/lane*)${bench:+;" \
	"the short bench in the lane that ends its tests first}"
i=0 vmpids= watchers=
set -f	# (a lane's tests may be globs)
for lanetests in $plan; do
	i=$((i + 1))
	dir=$results/lane$i
	mkdir -p "$dir"
	append="tsc_early_khz=$host_khz" opts=$bench
	case $lanetests in
	preempt:*)
		lanetests=${lanetests#preempt:}
		append="$append preempt=full" opts=hog
		touch "$dir/preempt"
		case $lanetests in
		*";"*)
			opts="$opts then=${lanetests#*;}"
			echo "${lanetests#*;}" >"$dir/tests.then"
			lanetests=${lanetests%%;*} ;;
		esac ;;
	esac
	echo "$lanetests" >"$dir/tests"
	[ "$nlanes" = 1 ] && label= || label="lane $i:"
	case $opts in
	hog*) more=${opts#hog}
	      echo "[check] ${label:+$label }$lanetests (preempt=full, a busy loop per vCPU)${more:+; then, the loops stopped: ${more# then=}}" ;;
	*) echo "[check] ${label:+$label }$lanetests" ;;
	esac
	# shellcheck disable=SC2086
	"$vm" --kernel "$bzimage" --cpus "$lane_cpus" --mem "${CHECK_LANE_MEM:-512}" \
		--append "$append" --log "$dir/console" --timeout "${VM_TIMEOUT:-900}" -- \
		"$repo/driver/guest-check.sh" "$selftests" "$dir" "$select" "$lanetests" $opts \
		>/dev/null 2>"$dir/vm.err" &
	vmpids="$vmpids $!"
	watch_lane "$dir" $! "$label" &
	watchers="$watchers $!"
done
set +f
i=0
for pid in $vmpids; do
	i=$((i + 1))
	wait "$pid"
	echo $? >"$results/lane$i/vm.rc"
done
# shellcheck disable=SC2086
wait $watchers

# The kCFI lane: KCFI_TESTS (from the Makefile: in a full run, or those
# TESTS names, struct_ops_tcp_ca, _link and _module) again, once the
# other lanes are done, under build/kernel-cfi: the release config built
# by clang-16 with CONFIG_CFI_CLANG, where an indirect call to code
# without its type's hash traps (and the trap is a console report).  Its
# files are build/selftests-cfi: those of build/selftests, and
# st_modops_mod built against that kernel.
# shellcheck disable=SC2086
kcfi_tests=$(echo ${KCFI_TESTS:-} | tr ' ' ',')
if [ -n "$kcfi_tests" ]; then
	dir=$results/kcfi
	mkdir -p "$dir"
	touch "$dir/kcfi"
	echo "$kcfi_tests" >"$dir/tests"
	if grep -qx 'CONFIG_CFI_CLANG=y' "$build/kernel-cfi/.config"; then
		pass "kernel/kcfi/config (build/kernel-cfi has CONFIG_CFI_CLANG=y)"
	else
		fail kernel/kcfi/config "build/kernel-cfi is not a kCFI kernel"
	fi
	echo "[check] kcfi: $kcfi_tests under build/kernel-cfi (clang-16, kCFI)"
	"$vm" --kernel "$build/kernel-cfi/arch/x86/boot/bzImage" --cpus "$(nproc)" \
		--mem "${CHECK_LANE_MEM:-512}" --append "tsc_early_khz=$host_khz" \
		--log "$dir/console" --timeout "${VM_TIMEOUT:-900}" -- \
		"$repo/driver/guest-check.sh" "$build/selftests-cfi" "$dir" -a "$kcfi_tests" \
		>/dev/null 2>"$dir/vm.err" &
	vmpid=$!
	watch_lane "$dir" $vmpid kcfi: &
	watcher=$!
	wait $vmpid
	echo $? >"$dir/vm.rc"
	wait $watcher
fi

# What each test took, for the next run's plan: this run's figures over
# the last ones (not from a run of a pattern, which plans nothing).
if [ "$select" = -a ]; then
	{
		cat "$results"/lane*/durations
		cat "$durations" 2>/dev/null
	} | awk '!seen[$1]++' | sort >"$results/durations"
	cp "$results/durations" "$durations"
fi

# judge_lane DIR LABEL: the verdicts of the lane that ran in DIR, its
# lines marked LABEL (none: the only lane).
judge_lane() {
	local dir=$1 lane=$2 vmrc mode reports
	vmrc=$(cat "$dir/vm.rc")
	if [ -s "$dir/test_progs.log" ]; then
		sed 's/^/  /' "$dir/test_progs.log"
		count_test_progs "$dir/test_progs.log" "$lane"
		grep -qE '^Summary: ' "$dir/test_progs.log" ||
			fail "${lane:+$lane/}test_progs" "no summary line: test_progs did not finish"
	else
		fail "${lane:+$lane/}test_progs" "no output: test_progs did not run"
	fi
	case $vmrc in
	0) pass "vm/${lane:+$lane/}test_progs_exit (status 0)" ;;
	124 | 125 | 126) fail "vm${lane:+/$lane}" "$(tail -n 1 "$dir/vm.err")"; sed 's/^/  /' "$dir/vm.err" ;;
	*) if [ "$vmrc" -gt 128 ]; then
		fail "vm/${lane:+$lane/}test_progs_exit" "test_progs died of signal $((vmrc - 128))"
	   else
		fail "vm/${lane:+$lane/}test_progs_exit" "test_progs exited with status $vmrc"
	   fi ;;
	esac

	# The preempt lane: the kernel took preempt=full, and the busy loops
	# ran from the first test to the last.
	if [ -f "$dir/preempt" ]; then
		mode=$(grep -o 'Dynamic Preempt: [a-z]*' "$dir/console" | head -n 1)
		if [ "$mode" = "Dynamic Preempt: full" ] &&
		   grep -q 'all still running' "$dir/hog" 2>/dev/null; then
			pass "kernel/${lane:+$lane/}preempt_full (console: \"$mode\"; $(head -n 1 "$dir/hog"))"
		else
			fail "kernel/${lane:+$lane/}preempt_full" \
				"console: \"${mode:-no Dynamic Preempt line}\"; hog: $(tr '\n' ' ' <"$dir/hog" 2>/dev/null)"
		fi
	fi

	# The console holds only what the kernel printed (test output goes
	# to a file).
	reports=$(grep -nE "$KERNEL_REPORTS" "$dir/console")
	if [ -z "$reports" ]; then
		pass "kernel/${lane:+$lane/}console_clean (no BUG, WARNING, KASAN, lockdep or RCU report)"
	else
		fail "kernel/${lane:+$lane/}console_clean" \
			"$(printf '%s\n' "$reports" | wc -l) report line(s) on the console"
		printf '%s\n' "$reports" | head -n 20 | sed 's/^/[check]   console:/'
	fi
	# (the kCFI kernel is a release kernel: no kmemleak)
	if [ -f "$dir/kcfi" ]; then
		:
	elif [ ! -f "$dir/kmemleak" ]; then
		fail "kernel/${lane:+$lane/}kmemleak" "no kmemleak report was taken"
	elif grep -q '^unreferenced object' "$dir/kmemleak"; then
		fail "kernel/${lane:+$lane/}kmemleak" \
			"$(grep -c '^unreferenced object' "$dir/kmemleak") suspected leak(s)"
		head -n 40 "$dir/kmemleak" | sed 's/^/[check]   /'
	else
		pass "kernel/${lane:+$lane/}kmemleak (no suspected leaks)"
	fi
}

for dir in "$results"/lane*; do
	[ "$nlanes" = 1 ] && lane= || lane=$(basename "$dir")
	judge_lane "$dir" "$lane"
done
[ -d "$results/kcfi" ] && judge_lane "$results/kcfi" kcfi

for rc in "$results"/lane*/bench.rc; do
	[ -f "$rc" ] || continue
	dir=$(dirname "$rc")
	read -r brc secs <"$rc"
	if [ "$brc" = 0 ] && "$repo/driver/bench-sanity.sh" "$dir/bench" tcg 10 ours-debug \
		>>"$dir/bench.log" 2>&1; then
		pass "bench/short (every figure produced; native > 0, BPF >= native; $secs s in $(basename "$dir"))"
	else
		fail bench/short "$(grep -E 'error|rror:' "$dir/bench.log" | tail -n 1)"
		tail -n 20 "$dir/bench.log" | sed 's/^/[check]   /'
	fi
done
if [ -n "$bench" ] && ! ls "$results"/lane*/bench.rc >/dev/null 2>&1; then
	fail bench/short "the short bench did not run"
fi

printf '%s' "$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
