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
