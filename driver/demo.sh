#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make run, in the VM on the release kernel: load our BPF congestion
# controls with tcp_ca, then push TCP through a shaped link with each of
# them and with the kernel's own, and print one table.
#
# usage: demo.sh TCP_CA_DIR [NAME=VALUE...]
#   SECS=8 RATE=50mbit DELAY=10ms LOSS=0.2% QUEUE=100
#   RUNS="reno cubic dctcp st_cubic st_dctcp st_aimd"  the transfers, in order
#   (by default the kernel's reno, cubic and dctcp, then every CC tcp_ca has);
#   an entry with a '/' or ending in ".o" is a BPF object, loaded by tcp_ca
#   SWAPS=10  replacements of st_aimd under traffic (link-mode tcp_ca only)
#   BPFTOOL=bpftool
#   OUT=DIR   where each transfer's cwnd samples go, DIR/cwnd.CC.dat:
#             "seconds cwnd ssthresh" (driver/cwnd-chart.sh draws them)
#
# The link: two network namespaces over a veth pair.  netem on the sender's
# side limits it to $RATE with a $QUEUE-packet queue, delays it and drops
# $LOSS of the packets at random (CE-marks them instead when the flow uses
# ECN, as DCTCP's does); netem on the receiver's side delays the ACKs.
# Each transfer is one iperf3 run, which reports the sender's cwnd every
# 100 ms; ss -ti samples its ssthresh and CC every half second.  Then st_aimd is replaced SWAPS times while short
# connections ask for it by name: by tcp_ca swap (one BPF_LINK_UPDATE) and
# by unload + load; not one connect may fail across the swaps.  Exits
# non-zero when a BPF CC fails to load, does not run the connection,
# carries no traffic, or a swap makes a connect fail.
set -u
tcp_ca=$1/tcp_ca
shift
for arg; do
	case $arg in
	SECS=*|RATE=*|DELAY=*|LOSS=*|QUEUE=*|RUNS=*|SWAPS=*|BPFTOOL=*|OUT=*) export "$arg" ;;
	*) printf '[run] error: unknown setting %s\n' "$arg"; exit 2 ;;
	esac
done
secs=${SECS:-8} swaps=${SWAPS:-10} bpftool=${BPFTOOL:-bpftool} outdir=${OUT:-}
churn=$(dirname "$0")/churn.py
iperf_cwnd=$(dirname "$0")/iperf_cwnd.py
RATE=${RATE:-50mbit} DELAY=${DELAY:-10ms} LOSS=${LOSS:-0.2%} QUEUE=${QUEUE:-100}
NATIVE="reno cubic dctcp"
[ -x "$tcp_ca" ] || { printf '[run] error: no %s\n' "$tcp_ca"; exit 1; }
# Ours: every congestion control tcp_ca carries ("NAME is one of:").
OURS=$($tcp_ca --help | awk '/^  [a-z]/ { printf "%s ", $1 }')
RUNS=${RUNS-$NATIVE $OURS}
SRV=10.9.0.2 PORT=5201 CPORT=5301

say() { printf '[run] %s\n' "$*"; }
die() { printf '[run] error: %s\n' "$*"; exit 1; }
snd() { ip netns exec snd "$@"; }

link_up() {
	ip netns add snd && ip netns add rcv || return 1
	# One MSS per packet, so that netem's queue limit counts packets.
	ip link add veth0 netns snd gso_max_segs 1 type veth \
		peer name veth1 netns rcv gso_max_segs 1 || return 1
	ip -n snd addr add 10.9.0.1/24 dev veth0 &&
	ip -n rcv addr add $SRV/24 dev veth1 &&
	ip -n snd link set veth0 up && ip -n rcv link set veth1 up &&
	ip -n snd link set lo up && ip -n rcv link set lo up || return 1
	tc -n snd qdisc add dev veth0 root netem rate $RATE delay $DELAY \
		loss $LOSS ecn limit $QUEUE &&
	tc -n rcv qdisc add dev veth1 root netem delay $DELAY
}

# Print "seconds cwnd ssthresh cc" for the data connection, from ss -ti;
# seconds since $2 (an uptime).  The data socket is the one on our fixed
# client port.  cc is $1 when ss shows it on the socket (alone, or as
# "dctcp:(...)" with the CC's info), else "?".
ss_sample() {
	read -r now _ </proc/uptime
	snd ss -tinH state established "( sport = :$CPORT )" 2>/dev/null |
	awk -v cc="$1" -v t="$now" -v t0="$2" '{ for (i = 1; i <= NF; i++) {
		if ($i ~ /^cwnd:/) c = substr($i, 6)
		if ($i ~ /^ssthresh:/) s = substr($i, 10)
		if ($i == cc || index($i, cc ":") == 1) n = cc } }
	     END { if (c != "") printf "%.2f %s %s %s\n", t - t0, c,
			(s == "" ? "-" : s), (n == "" ? "?" : n) }'
}

# One transfer with CC $1; prints "Mbit/s retrans cwnd_avg cwnd_max ssthresh seen_cc".
transfer() {
	cc=$1 out=/tmp/iperf.$cc samples=/tmp/ss.$cc ecn=2
	: >"$samples"
	# DCTCP runs with ECN on, as it would in a data center: netem then
	# marks its packets where it drops the others'.
	case $cc in *dctcp) ecn=1 ;; esac
	ip netns exec snd sysctl -qw net.ipv4.tcp_ecn=$ecn
	read -r start _ </proc/uptime
	# cwnd from iperf3 itself, every 100 ms; ssthresh and the CC's name
	# from ss, which costs a process each time, every half second.
	snd iperf3 -c $SRV -p $PORT --cport $CPORT -C "$cc" -t "$secs" \
		-i 0.1 -J >"$out" 2>/tmp/iperf.err &
	pid=$!
	sleep 1
	while kill -0 $pid 2>/dev/null; do
		ss_sample "$cc" "$start" >>"$samples"
		sleep 0.5
	done
	wait $pid
	python3 "$iperf_cwnd" "$out" "$samples" ${outdir:+"$outdir/cwnd.$cc.dat"} ||
		{ sed 's/^/[run]   /' /tmp/iperf.err; return 1; }
	awk '{ ss = $3; cc = $4 } END { printf " %s %s\n", ss == "" ? "-" : ss, cc == "" ? "?" : cc }' \
		"$samples"
}

say "kernel $(uname -r); link: netem rate $RATE, delay $DELAY each way, loss $LOSS, queue $QUEUE packets"
[ -z "$outdir" ] || { mkdir -p "$outdir" && rm -f "$outdir"/cwnd.*.dat; } ||
	die "cannot write to $outdir"
link_up || die "cannot set up the veth pair and netem (see the console log)"

for cc in $OURS; do
	out=$($tcp_ca load "$cc" 2>&1) || die "$(printf 'tcp_ca load %s failed:\n%s' "$cc" "$out")"
	say "$out"
	grep -qw "$cc" /proc/sys/net/ipv4/tcp_available_congestion_control ||
		die "$cc is not among the congestion controls after tcp_ca load"
done
# RUNS may name BPF object files too (a '/' or ".o"), a user's own CC:
# tcp_ca loads each, and it runs as BPF under its .name.
runs= theirs=
for cc in $RUNS; do
	case $cc in
	*/* | *.o)
		[ -r "$cc" ] || die "no $cc in the VM (it sees the host's files, but not /tmp or /run)"
		out=$($tcp_ca load "$cc" 2>&1) || die "$(printf 'tcp_ca load %s failed:\n%s' "$cc" "$out")"
		say "$out"
		cc=$(printf '%s\n' "$out" | sed -n 's/^loaded \([^ ]*\) from .*/\1/p')
		theirs="$theirs $cc" ;;
	esac
	runs="$runs $cc"
done
RUNS=$runs
say "congestion controls: $(cat /proc/sys/net/ipv4/tcp_available_congestion_control)"

ip netns exec rcv iperf3 -s -D -p $PORT || die "iperf3 server did not start"
sleep 1

say "$secs s of TCP per congestion control, sender snd -> receiver rcv:"
printf '[run]\n[run] %-9s %-6s %8s %8s %11s %9s  %s\n' \
	CC kind Mbit/s retrans "cwnd avg/max" ssthresh "on socket"
bad=
for cc in $RUNS; do
	case " $OURS $theirs " in *" $cc "*) kind=BPF ;; *) kind=native ;; esac
	if ! r=$(transfer "$cc"); then
		bad="$bad $cc"
		continue
	fi
	set -- $r
	printf '[run] %-9s %-6s %8s %8s %5s / %-5s %9s  %s\n' \
		"$cc" $kind "$1" "$2" "$3" "$4" "$5" "$6"
	# A BPF CC passes when ss saw it on the socket and it moved data.
	if [ $kind = BPF ]; then
		[ "$6" = "$cc" ] && awk "BEGIN { exit !($1 > 1) }" || bad="$bad $cc"
	fi
done
echo '[run]'

# replace_under_load HOW: replace st_aimd $swaps times (HOW: swap or
# reload) while churn.py connects by name; prints "connects failed".
replace_under_load() {
	stop=/tmp/churn.stop
	rm -f $stop
	snd python3 "$churn" st_aimd $stop >/tmp/churn.out 2>&1 &
	cpid=$!
	sleep 1
	i=0
	while [ $i -lt "$swaps" ]; do
		if [ "$1" = swap ]; then
			$tcp_ca swap st_aimd "$(dirname "$tcp_ca")/st_aimd.bpf.o" >/tmp/swap.out 2>&1
		else
			$tcp_ca unload st_aimd >/tmp/swap.out 2>&1 &&
				$tcp_ca load st_aimd >>/tmp/swap.out 2>&1
		fi || { sed 's/^/[run]   /' /tmp/swap.out; touch $stop; wait $cpid; return 1; }
		i=$((i + 1))
	done
	sleep 1
	touch $stop
	wait $cpid
	cat /tmp/churn.out
}

if $tcp_ca --help | grep -q 'struct_ops link' && echo " $OURS " | grep -q ' st_aimd '; then
	say "st_aimd replaced $swaps times while connections keep asking for it by name:"
	r=$(replace_under_load swap) || die "tcp_ca swap failed"
	set -- $r
	say "  tcp_ca swap (BPF_LINK_UPDATE): $(printf '%5s' "$1") connects, $2 failed"
	[ "$2" = 0 ] || bad="$bad st_aimd(swap)"
	r=$(replace_under_load reload) || die "tcp_ca unload + load failed"
	set -- $r
	say "  tcp_ca unload + load:          $(printf '%5s' "$1") connects, $2 failed"
	echo '[run]'
fi

say "tcp_ca list:"
$tcp_ca list | sed 's/^/[run]   /'
say "bpftool struct_ops show:"
$bpftool struct_ops show | sed 's/^/[run]   /'
say "bpftool link show (struct_ops):"
$bpftool link show | grep struct_ops | sed 's/^/[run]   /'

for cc in $OURS $theirs; do
	out=$($tcp_ca unload "$cc" 2>&1) || die "$(printf 'tcp_ca unload %s failed:\n%s' "$cc" "$out")"
	say "$out"
done
# The maps go once the last socket lets go and RCU has run.
for i in 1 2 3 4 5 6 7 8 9 10; do
	left=$($bpftool struct_ops show)
	[ -z "$left" ] && break
	sleep 0.5
done
[ -z "$left" ] || die "struct_ops maps left 5 s after unload: $left"

[ -z "$bad" ] || die "BPF congestion control(s) that did not carry the traffic:$bad"
say "all BPF congestion controls loaded, ran their connections and unloaded"
