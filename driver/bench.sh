#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot each kernel twice, under QEMU -icount (instructions) and
# plain TCG (or KVM, VM_ACCEL=kvm: nanoseconds), run st_bench in it, then
# print one table and write the figures as CSV and a PNG chart.
#
# usage: bench.sh OUT TOOLDIR CALLS ROUNDS OPS LABEL=BZIMAGE=MODULE...
#   OUT      build/bench: callbacks.csv, lifecycle.csv, callbacks.png,
#            table.txt, and each VM's console and output
#   TOOLDIR  st_bench, tsc_khz (tools/testing/selftests/bpf/st_bench)
#   CALLS    calls per member per round; ROUNDS rounds; OPS operations
#            per lifecycle figure
#   LABEL    a column of the table: "stock" (the base tree's own files)
#            and "ours", or any other name
#
# Exits non-zero if a VM failed or a figure is missing or insane: no cost
# for a native call, or a BPF call cheaper than the native one.  No speed
# is asserted.
set -u
out=$1 tooldir=$2 calls=$3 rounds=$4 ops=$5
shift 5
repo=$(cd "$(dirname "$0")/.." && pwd)
vm=$repo/tools/testing/vm/run
fast=${VM_ACCEL:-tcg}
[ "$fast" = icount ] && fast=tcg

die() { echo "[bench] error: $*" >&2; exit 1; }

. "$repo/driver/kernel-reports.sh"

mkdir -p "$out"
rm -f "$out"/callbacks.csv "$out"/lifecycle.csv "$out"/callbacks.png "$out"/table.txt

# A TCG guest's TSC runs at the host's rate; tell it that rate rather than
# let it calibrate against a PIT that a busy host makes useless (tsc_khz.c).
# Under -icount the TSC counts guest instructions: 1 GHz.
host_khz=$("$tooldir/tsc_khz") || die "cannot measure the host's TSC rate"

# run_one LABEL BZIMAGE MODULE CLOCK
run_one() {
	local label=$1 bzimage=$2 module=$3 clock=$4 khz accel start rc
	case $clock in
	icount) accel=icount khz=1000000 ;;
	kvm) accel=kvm khz= ;;
	*) accel=tcg khz=$host_khz ;;
	esac
	echo "[bench] $label, $clock: booting ${bzimage#"$repo"/} ($calls calls x $rounds rounds per member, $ops operations per lifecycle figure)"
	start=$(date +%s)
	VM_ACCEL=$accel "$vm" --kernel "$bzimage" --cpus 1 --timeout 1800 \
		${khz:+--append "tsc_early_khz=$khz"} \
		--log "$out/$label-$clock.console" -- \
		"$repo/driver/guest-bench.sh" "$module" "$tooldir/st_bench" "$out" \
		"$label" "$clock" "$calls" "$rounds" "$ops" >"$out/$label-$clock.out" 2>&1
	rc=$?
	grep '^\[bench\]' "$out/$label-$clock.out" | grep -v 'ticks/call' >&2
	# A kernel report during the run voids its figures.
	if grep -qE "$KERNEL_REPORTS" "$out/$label-$clock.console"; then
		grep -E "$KERNEL_REPORTS" "$out/$label-$clock.console" | head -n 10 | sed 's/^/[bench]   /' >&2
		die "$label under $clock: kernel report on the console ($out/$label-$clock.console)"
	fi
	if [ $rc != 0 ]; then
		tail -n 20 "$out/$label-$clock.out" | sed 's/^/[bench]   /' >&2
		die "$label under $clock: the VM exited with status $rc (log: $out/$label-$clock.out)"
	fi
	echo "[bench] $label, $clock: done in $(( $(date +%s) - start )) s"
}

labels=
for spec in "$@"; do
	IFS== read -r label bzimage module <<<"$spec"
	[ -f "$bzimage" ] || die "$label: no kernel $bzimage"
	[ -f "$module" ] || die "$label: no module $module"
	labels="$labels $label"
	for clock in icount "$fast"; do
		run_one "$label" "$bzimage" "$module" "$clock"
	done
done

# ---- sanity: every figure there, native > 0, BPF >= native (icount)
# shellcheck disable=SC2086
"$repo/driver/bench-sanity.sh" "$out" icount "$ops" $labels >&2 ||
	die "figures missing or insane (see above)"

# ---- the table
awk -F, -v labels="$labels" -v fast="$fast" '
function cols(clock, what,   k) {
	printf "%-12s %10s", "member", "native"
	for (k = 1; k <= nl; k++)
		printf " %14s", L[k] " BPF"
	for (k = 1; k <= nl; k++)
		printf " %14s", L[k] "/native"
	printf "\n"
}
NR == FNR {
	if (FNR == 1) next
	if ($4 == "calib") { calib[$1, $2] = $7 " ticks for " $5 " instructions"; next }
	v = ($2 == "icount") ? $7 : $9
	spread[$1, $2, $3, $4] = ($2 == "icount") ? $8 - $7 : 0
	val[$1, $2, $3, $4] = v; calls = $5; rounds = $6
	next
}
FNR > 1 { life[$1, $2, $3] = sprintf("%9.1f %9.1f %9.1f", $5 / 1e3, $6 / 1e3, $7 / 1e3); lop[$3] = 1; n[$3] = $4 }
END {
	nl = split(labels, L, " ")
	split("ssthresh cong_avoid cwnd_event pkts_acked undo_cwnd", M, " ")
	for (c = 1; c <= 2; c++) {
		clock = (c == 1) ? "icount" : fast
		if (clock == "icount")
			printf "Instructions per callback (QEMU -icount shift=0: 1 TSC tick = 1 instruction; %s calls x %s rounds)\n", calls, rounds
		else
			printf "\nNanoseconds per callback under %s (%s; %s calls x %s rounds, best round)\n", clock, clock == "kvm" ? "hardware" : "NOISY: emulated, not the hardware'"'"'s time", calls, rounds
		cols()
		# native is the module compiled for each kernel alike: take the first
		for (m = 1; m <= 5; m++) {
			nat = val[L[1], clock, "native", M[m]]
			printf "%-12s %10.2f", M[m], nat
			for (k = 1; k <= nl; k++)
				printf " %14.2f", val[L[k], clock, "bpf", M[m]]
			for (k = 1; k <= nl; k++)
				printf " %13.2fx", (nat > 0 ? val[L[k], clock, "bpf", M[m]] / nat : 0)
			printf "\n"
		}
		if (clock == "icount") {
			worst = 0
			for (k = 1; k <= nl; k++) for (m = 1; m <= 5; m++) for (i = 1; i <= 2; i++) {
				s = spread[L[k], clock, i == 1 ? "native" : "bpf", M[m]]
				if (s > worst) worst = s
			}
			printf "repeatability: largest spread between rounds: %g instructions", worst
			for (k = 1; k <= nl; k++)
				printf "; %s calibration: %s", L[k], calib[L[k], "icount"]
			printf "\n"
		}
	}
	printf "\nLifecycle, microseconds the caller waits (free: from last close until the memory is freed)\n"
	printf "%-14s %-7s %6s", "operation", "clock", "n"
	for (k = 1; k <= nl; k++)
		printf "   %-29s", L[k] " p50 / p99 / max"
	printf "\n"
	no = split("update_3 update_12 delete_3 delete_12 close_3 close_12 free_3 free_12 update_link_3 link_create link_update link_destroy link_detach", O, " ")
	for (c = 1; c <= 2; c++) {
		clock = (c == 1) ? "icount" : fast
		for (o = 1; o <= no; o++) {
			if (!(O[o] in lop)) continue
			printf "%-14s %-7s %6s", O[o], clock, n[O[o]]
			for (k = 1; k <= nl; k++) {
				x = life[L[k], clock, O[o]]
				printf "   %-29s", x == "" ? "      n/a (no links)" : x
			}
			printf "\n"
		}
	}
}' "$out/callbacks.csv" "$out/lifecycle.csv" | tee "$out/table.txt"

# ---- the chart: instructions per call, per member and implementation
if command -v gnuplot >/dev/null; then
	awk -F, -v labels="$labels" 'NR > 1 && $2 == "icount" && $4 != "calib" {
		key = ($3 == "native") ? "native" : $1 " BPF"
		if ($3 == "native" && seen[$4]++) next
		v[$4, key] = $7; if (!(key in K)) { K[key] = ++nk; name[nk] = key }
		if (!($4 in Mi)) { Mi[$4] = ++nm; mem[nm] = $4 }
	}
	END {
		printf "member"; for (k = 1; k <= nk; k++) printf "\t\"%s\"", name[k]; printf "\n"
		for (m = 1; m <= nm; m++) {
			printf "%s", mem[m]; for (k = 1; k <= nk; k++) printf "\t%s", v[mem[m], name[k]]; printf "\n"
		}
	}' "$out/callbacks.csv" >"$out/callbacks.dat"
	ncol=$(head -n 1 "$out/callbacks.dat" | awk -F'\t' '{ print NF }')
	gnuplot <<-EOF || die "gnuplot failed"
	set terminal pngcairo size 900,500 noenhanced
	set output "$out/callbacks.png"
	set title "struct_ops callback cost: instructions per call (QEMU -icount)"
	set ylabel "instructions per call"
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set key top left autotitle columnhead
	set yrange [0:*]
	set grid ytics
	plot for [i=2:$ncol] "$out/callbacks.dat" using i:xtic(1)
	EOF
	echo "[bench] chart: $out/callbacks.png"
else
	die "gnuplot not installed (make deps)"
fi
echo "[bench] figures: $out/callbacks.csv, $out/lifecycle.csv; table: $out/table.txt"
