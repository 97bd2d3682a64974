#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bench's sanity test: in OUT's callbacks.csv and lifecycle.csv, for
# each LABEL (a kernel), every member's figure is there under CLOCK, a
# native call costs something, a BPF call costs no less than a native one
# (ticks: instructions under icount, TSC ticks otherwise), and every
# lifecycle figure has its OPS operations.  No speed is asserted.
# usage: bench-sanity.sh OUT CLOCK OPS LABEL...
set -u
out=$1 clock=$2 ops=$3
shift 3
awk -F, -v labels="$*" -v ops="$ops" -v clock="$clock" '
NR == FNR {
	if (FNR > 1 && $2 == clock && $4 != "calib")
		tick[$1, $3, $4] = $7
	next
}
FNR > 1 { life[$1, $3] = $4 }
END {
	split(labels, L, " "); split("ssthresh cong_avoid cwnd_event pkts_acked undo_cwnd", M, " ")
	split("update_3 delete_3 close_3 free_3 update_12 delete_12 close_12 free_12", O, " ")
	bad = 0
	for (k in L) {
		for (m in M) {
			n = tick[L[k], "native", M[m]]; b = tick[L[k], "bpf", M[m]]
			if (n == "" || b == "") { print "[bench] error: " L[k] " " M[m] ": no figure"; bad = 1 }
			else if (n <= 0) { print "[bench] error: " L[k] " native " M[m] ": " n " ticks"; bad = 1 }
			else if (b < n) { print "[bench] error: " L[k] " " M[m] ": BPF " b " < native " n; bad = 1 }
		}
		for (o in O)
			if (life[L[k], O[o]] < ops) { print "[bench] error: " L[k] " " O[o] ": no figure"; bad = 1 }
	}
	exit bad
}' "$out/callbacks.csv" "$out/lifecycle.csv"
