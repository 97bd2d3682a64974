#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the long form of st_stress under the debug kernel, in one
# VM of 2 vCPUs alone on the host (the concurrency part needs them truly
# parallel), then one summary line per part and a verdict on the kernel's
# console and kmemleak.
# usage: stress.sh KERNEL_DIR ST_STRESS OUT SECS FUZZ_N [FUZZ_SEED]
# Exits non-zero when a part failed or the kernel reported anything.
set -u
kdir=$1 tool=$2 out=$3 secs=$4 fuzz_n=$5 seed=${6:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/driver/kernel-reports.sh"
failed=0

rm -rf "$out"
mkdir -p "$out"
khz=$("$(dirname "$tool")/../st_bench/tsc_khz") || { echo "[stress] error: cannot measure the TSC rate" >&2; exit 1; }
echo "[stress] booting build/$(basename "$kdir") on 2 vCPUs: conc ${secs} s, fault (every operation)," \
	"memcg, 10000 cycles, a 1M-insn prog, fuzz $fuzz_n updates${seed:+ (seed $seed)} (console: $out/console)"
start=$SECONDS
# 2 GiB: the verifier's states for bigprog's million insns, under KASAN
# and kmemleak, leave 1 GiB short (ODEBUG's pool then runs dry).
"$repo/tools/testing/vm/run" --kernel "$kdir/arch/x86/boot/bzImage" --cpus 2 --mem 2048 \
	--append "tsc_early_khz=$khz" --log "$out/console" --timeout "${VM_TIMEOUT:-5400}" -- \
	"$repo/driver/guest-stress.sh" "$tool" "$out" "$secs" "$fuzz_n" "$seed" >"$out/vm.out" 2>&1
vmrc=$?
grep '^\[stress\]' "$out/vm.out"

for part in conc fault memcg cycles bigprog fuzz; do
	log=$out/$part.log
	# every per-operation line, then the part's summary (its last line)
	[ -f "$log" ] && grep -v '^\[stress\] error' "$log" | grep -vE "^\[stress\] $part: [^ ]+ +[0-9]+ ok" |
		grep -vE 'fuzz: [0-9]+ updates, ' | sed '$d' | sed 's/^/  /'
	[ -f "$log" ] && grep -E "^\[stress\] $part: [^ ]+ +[0-9]+ ok" "$log" | sed 's/^/  /'
	grep '^\[stress\] error' "$log" 2>/dev/null | sort | uniq -c | head -n 20 | sed 's/^/  /'
	if [ "$(cat "$out/$part.rc" 2>/dev/null)" = 0 ]; then
		echo "[stress] PASS $(tail -n 1 "$log" | sed 's/^\[stress\] //')"
	else
		echo "[stress] FAIL $part: exit $(cat "$out/$part.rc" 2>/dev/null || echo none): $(tail -n 1 "$log" 2>/dev/null)"
		failed=$((failed + 1))
	fi
done

reports=$(grep -cE "$KERNEL_REPORTS" "$out/console")
if [ "$reports" = 0 ] && [ "$vmrc" = 0 ]; then
	echo "[stress] PASS kernel: no BUG, WARNING, KASAN, lockdep or RCU report on the console"
else
	echo "[stress] FAIL kernel: $reports report line(s) on the console, VM exit $vmrc"
	grep -E "$KERNEL_REPORTS" "$out/console" | head -n 20 | sed 's/^/  /'
	failed=$((failed + 1))
fi
if grep -q '^unreferenced object' "$out/kmemleak" 2>/dev/null || [ ! -f "$out/kmemleak" ]; then
	echo "[stress] FAIL kmemleak: $(grep -c '^unreferenced object' "$out/kmemleak" 2>/dev/null) suspected leak(s) ($out/kmemleak)"
	failed=$((failed + 1))
else
	echo "[stress] PASS kmemleak: no suspected leaks after the run"
fi
echo "[stress] $((8 - failed)) passed, $failed failed in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
[ "$failed" = 0 ]
