#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM, booted from the kernel that make deb packaged: it is that
# release, and it runs our struct_ops: tcp_ca registers st_cubic, the
# kernel offers it, bpftool shows its struct_ops map, a connection runs
# it, and unload takes it away.
# usage: guest-deb.sh RELEASE TCP_CA_DIR BPFTOOL
set -u
krel=$1 tcp_ca=$2/tcp_ca bpftool=$3
avail=/proc/sys/net/ipv4/tcp_available_congestion_control

say() { printf '[deb] %s\n' "$*"; }
die() { printf '[deb] error: %s\n' "$*"; exit 1; }

[ "$(uname -r)" = "$krel" ] || die "booted $(uname -r), not the packaged $krel"
say "booted the packaged kernel: $(uname -r)"
out=$($tcp_ca load st_cubic 2>&1) || die "tcp_ca load st_cubic failed: $out"
grep -qw st_cubic $avail || die "st_cubic is not in $avail after tcp_ca load"
say "tcp_available_congestion_control: $(cat $avail)"
$bpftool struct_ops show | grep -q 'st_cubic' || die "bpftool struct_ops show lacks st_cubic"
say "bpftool struct_ops show: $($bpftool struct_ops show | grep st_cubic)"
# A connection over loopback that asks for it by name runs it.
ip link set lo up
iperf3 -s -1 -D -B 127.0.0.1 >/dev/null 2>&1
sleep 1
iperf3 -c 127.0.0.1 -t 1 -C st_cubic >/tmp/iperf.out 2>&1 ||
	die "iperf3 over st_cubic failed: $(tail -n 3 /tmp/iperf.out)"
say "iperf3 -C st_cubic: $(grep -m1 'sender' /tmp/iperf.out | awk '{ print $7, $8 }')"
out=$($tcp_ca unload st_cubic 2>&1) || die "tcp_ca unload st_cubic failed: $out"
grep -qw st_cubic $avail && die "st_cubic is still there after unload"
say "tcp_ca unload st_cubic: gone"
