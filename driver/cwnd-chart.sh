#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run's picture: cwnd over time for each congestion control of the
# run, from the samples demo.sh left in DIR/cwnd.CC.dat ("seconds cwnd
# ssthresh").  One panel per family, a native CC and its BPF twin on the
# same axes in shades of one colour, so that a reader sees whether they
# behave alike: reno / st_aimd, cubic / st_cubic, dctcp / st_dctcp; any
# other CC gets a panel of its own.  Writes DIR/cwnd.png and DIR/cwnd.svg.
#
# usage: cwnd-chart.sh DIR "TITLE"
set -eu
dir=$1 title=$2

command -v gnuplot >/dev/null || { echo "[run] error: gnuplot not installed (make deps)" >&2; exit 1; }

# family: native name, BPF twin, native colour, twin colour
families="reno st_aimd #b2182b #f4a582
cubic st_cubic #2166ac #92c5de
dctcp st_dctcp #1b7837 #a6dba0"

have() { [ -s "$dir/cwnd.$1.dat" ]; }

# Each panel: "title|file colour name|file colour name..."
panels=()
grouped=" "
while read -r native twin c1 c2; do
	plot=
	have "$native" && plot="$plot|$native $c1" && grouped="$grouped$native "
	have "$twin" && plot="$plot|$twin $c2" && grouped="$grouped$twin "
	[ -n "$plot" ] && panels+=("$native and its BPF twin $twin$plot")
done <<<"$families"
for f in "$dir"/cwnd.*.dat; do
	[ -s "$f" ] || continue
	cc=${f##*/cwnd.}
	cc=${cc%.dat}
	case $grouped in *" $cc "*) continue ;; esac
	panels+=("$cc|$cc #525252")
done
[ ${#panels[@]} -gt 0 ] || { echo "[run] error: no cwnd samples in $dir" >&2; exit 1; }

# One gnuplot script, two terminals.
script() {
	local p name rest item cc colour plots
	echo "set multiplot layout ${#panels[@]},1 title \"$title\" noenhanced"
	echo "set ylabel 'cwnd (packets)'; set grid; set key outside right top noenhanced"
	echo "set yrange [0:*]; set xrange [0:*]"
	for p in "${panels[@]}"; do
		name=${p%%|*}
		rest=${p#*|}
		plots=
		IFS='|' read -ra items <<<"$rest"
		for item in "${items[@]}"; do
			read -r cc colour <<<"$item"
			plots="$plots${plots:+, }'$dir/cwnd.$cc.dat' using 1:2 with lines lw 2 lc rgb '$colour' title '$cc'"
		done
		echo "set title '$name' noenhanced"
		echo "set xlabel 'seconds since the transfer began'"
		echo "plot $plots"
	done
	echo "unset multiplot"
}

h=$((260 * ${#panels[@]} + 60))
{ echo "set terminal pngcairo size 900,$h"; echo "set output '$dir/cwnd.png'"; script; } | gnuplot
{ echo "set terminal svg size 900,$h dynamic"; echo "set output '$dir/cwnd.svg'"; script; } | gnuplot
echo "[run] cwnd over time: $dir/cwnd.png, $dir/cwnd.svg"
