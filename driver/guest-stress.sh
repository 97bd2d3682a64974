#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the stress VM (see driver/stress.sh).
# usage: guest-stress.sh ST_STRESS OUT SECS FUZZ_N FUZZ_SEED
#
# Each part of st_stress in turn, its output in OUT/PART.log and its exit
# status in OUT/PART.rc; then kmemleak's suspects in OUT/kmemleak.

tool=$1 out=$2 secs=$3 fuzz_n=$4 seed=$5
cd "$(dirname "$tool")" || exit 1

part() {
	name=$1
	shift
	echo "[stress] $name: st_stress $*"
	"$tool" "$@" >"$out/$name.log" 2>&1
	echo $? >"$out/$name.rc"
}

# the longest last
part conc conc --secs "$secs"
part fault fault
part memcg memcg
part cycles cycles --iters 10000
part bigprog bigprog
part fuzz fuzz --iters "$fuzz_n" ${seed:+--seed "$seed"} --verbose

"$(dirname "$0")/guest-kmemleak.sh" "$out/kmemleak"
[ $? = 2 ] && echo "kmemleak: not available" >"$out/kmemleak"
exit 0
