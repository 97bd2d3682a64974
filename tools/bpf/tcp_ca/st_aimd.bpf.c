// SPDX-License-Identifier: GPL-2.0
/*
 * st_aimd: additive increase, multiplicative decrease, spelled out.
 *
 * The smallest complete congestion control, and the one to start from when
 * writing your own: no kfunc does the work, every step is here.
 *
 *  - Slow start: below ssthresh, one more packet of window per packet
 *    acked, which doubles the window every round trip.
 *  - Congestion avoidance: ADD_PKTS more packets of window per window of
 *    data acked, i.e. per round trip.  snd_cwnd_cnt, a tcp_sock field that
 *    belongs to the CC, counts the packets acked towards the next step.
 *  - On loss or ECN: ssthresh = cwnd * DEC_NUM / DEC_DEN; the stack then
 *    brings cwnd down to it (proportional rate reduction).
 *  - A reduction found spurious is taken back: the stack saved the window
 *    from before it in prior_cwnd.
 *
 * With ADD_PKTS = 1 and DEC = 1/2 this is Reno (RFC 5681).  The values
 * are read-only data: a loader may change them before loading the object
 * (skel->rodata->add_pkts = 2, say) without recompiling it.
 */
#include "tcp_ca.bpf.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 add_pkts = 1;
const volatile __u32 dec_num = 1;
const volatile __u32 dec_den = 2;

SEC("struct_ops/st_aimd_cong_avoid")
void BPF_PROG(st_aimd_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 cwnd = tp->snd_cwnd, step;

	if (!tcp_cwnd_limited(sk))
		return;

	if (tcp_in_slow_start(tp)) {
		step = min_u32(acked, tp->snd_ssthresh - cwnd);
		cwnd += step;
		acked -= step;
		if (!acked)
			goto out;
	}

	/* One window's worth of ACKs buys add_pkts packets. */
	tp->snd_cwnd_cnt += acked * add_pkts;
	if (tp->snd_cwnd_cnt >= cwnd) {
		step = tp->snd_cwnd_cnt / cwnd;
		tp->snd_cwnd_cnt -= step * cwnd;
		cwnd += step;
	}
out:
	tp->snd_cwnd = min_u32(cwnd, tp->snd_cwnd_clamp);
}

SEC("struct_ops/st_aimd_ssthresh")
__u32 BPF_PROG(st_aimd_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return max_u32((__u64)tp->snd_cwnd * dec_num / dec_den, 2);
}

SEC("struct_ops/st_aimd_undo_cwnd")
__u32 BPF_PROG(st_aimd_undo_cwnd, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return max_u32(tp->snd_cwnd, tp->prior_cwnd);
}

SEC(TCP_CA_OPS_SEC)
struct tcp_congestion_ops st_aimd = {
	.ssthresh	= (void *)st_aimd_ssthresh,
	.cong_avoid	= (void *)st_aimd_cong_avoid,
	.undo_cwnd	= (void *)st_aimd_undo_cwnd,
	.name		= "st_aimd",
};
