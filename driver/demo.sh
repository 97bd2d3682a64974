#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make run, in the VM on the release kernel: register a BPF congestion
# control with Debian's bpftool, run TCP traffic through it next to the
# kernel's cubic, show it with bpftool, unregister it.
# usage: demo.sh DIR_WITH_struct_ops_cc.bpf.o
set -u
obj=$1/struct_ops_cc.bpf.o
secs=3

say() { printf '[run] %s\n' "$*"; }
die() { printf '[run] error: %s\n' "$*"; exit 1; }

say "kernel $(uname -r); congestion controls: $(cat /proc/sys/net/ipv4/tcp_available_congestion_control)"
bpftool struct_ops register "$obj" >/dev/null || die "bpftool struct_ops register $obj failed"
grep -qw st_cc /proc/sys/net/ipv4/tcp_available_congestion_control ||
	die "st_cc is not among the congestion controls after register"
say "registered st_cc (BPF): $(cat /proc/sys/net/ipv4/tcp_available_congestion_control)"

printf '[run] %-8s %-7s %12s %8s\n' CC kind Mbit/s retrans
for cc in cubic st_cc; do
	kind=native
	[ "$cc" = st_cc ] && kind=BPF
	iperf3 -s -D -1 -p 5202 >/dev/null 2>&1 || die "iperf3 server did not start"
	sleep 1
	out=$(iperf3 -c 127.0.0.1 -p 5202 -t "$secs" -C "$cc" -J 2>&1) || die "iperf3 with $cc failed"
	bps=$(printf '%s' "$out" | sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' | tail -n 1)
	rtx=$(printf '%s' "$out" | sed -n 's/.*"retransmits":[[:space:]]*\([0-9]*\).*/\1/p' | tail -n 1)
	[ -n "$bps" ] || die "no throughput from iperf3 with $cc"
	printf '[run] %-8s %-7s %12.1f %8s\n' "$cc" "$kind" "$(echo "$bps / 1000000" | bc -l)" "${rtx:-0}"
done
bpftool struct_ops show
bpftool struct_ops unregister name st_cc >/dev/null || die "unregister failed"
say "unregistered st_cc"
