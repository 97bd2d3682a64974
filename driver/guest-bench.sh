#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, for `make bench`: load st_bench_mod, run st_bench.
# usage: guest-bench.sh MODULE TOOL OUTDIR KERNEL CLOCK CALLS ROUNDS OPS
set -eu
mod=$1 tool=$2 out=$3 kernel=$4 clock=$5 calls=$6 rounds=$7 ops=$8

/bin/busybox insmod "$mod"
ulimit -l unlimited
"$tool" --kernel "$kernel" --clock "$clock" --out "$out" \
	--calls "$calls" --rounds "$rounds" --ops "$ops"

# Under a kmemleak kernel (make check's short bench), the maps, links and
# sockets the run made and dropped must have left nothing behind.  As in
# guest-check.sh: objects older than 5 s, unreferenced in two scans.
leaks=/sys/kernel/debug/kmemleak
if [ -w $leaks ]; then
	sleep 6
	echo scan >$leaks
	echo scan >$leaks
	if grep -q '^unreferenced object' $leaks; then
		echo "[bench] error: kmemleak suspects:"
		head -n 40 $leaks
		exit 1
	fi
	echo "[bench] $kernel $clock: kmemleak: no suspected leaks"
fi
