#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make run, in the VM: what one iperf3 -J -i 0.1 transfer measured.

usage: iperf_cwnd.py IPERF_JSON SS_SAMPLES [DAT]

Prints "Mbit/s retrans cwnd_avg cwnd_max" with no newline: the goodput at
the receiver, the retransmitted segments, and the sender's cwnd in
packets (snd_cwnd / MSS) over iperf3's 100 ms intervals, which iperf3
reads from the socket in-process, ten times a second.  With DAT, writes
"seconds cwnd ssthresh" there per interval, ssthresh from the last sample
of SS_SAMPLES ("seconds cwnd ssthresh cc", from ss -ti every half second)
at or before it.  Exits 1 with iperf3's error when the transfer failed.
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        run = json.load(f)
    if "error" in run:
        print("iperf3: " + run["error"], file=sys.stderr)
        return 1
    mss = run["start"].get("tcp_mss_default") or 1448
    cwnd = []
    for iv in run["intervals"]:
        stream = iv["streams"][0]
        cwnd.append((stream["end"], stream["snd_cwnd"] / mss))
    ss = []
    with open(sys.argv[2]) as f:
        for line in f:
            t, _, ssthresh, _ = line.split()
            ss.append((float(t), ssthresh))
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            i, ssthresh = 0, "-"
            for t, c in cwnd:
                while i < len(ss) and ss[i][0] <= t:
                    ssthresh = ss[i][1]
                    i += 1
                f.write("%.2f %.1f %s\n" % (t, c, ssthresh))
    end = run["end"]
    rate = end["sum_received"]["bits_per_second"] / 1e6
    rtx = end["sum_sent"].get("retransmits", 0)
    avg = sum(c for _, c in cwnd) / len(cwnd) if cwnd else 0
    top = max((c for _, c in cwnd), default=0)
    sys.stdout.write("%.1f %d %d %d" % (rate, rtx, avg, top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
