// SPDX-License-Identifier: GPL-2.0
/*
 * st_dctcp: DCTCP (RFC 8257) as a BPF congestion control.
 *
 * Switches mark packets Congestion Experienced (CE) as soon as their queue
 * passes a small threshold, and the receiver echoes every mark (ECE).  The
 * sender keeps alpha, a moving average of the fraction of its data that was
 * marked, updated once per window of data:
 *
 *	alpha = (1 - g) * alpha + g * F		g = 1/16
 *
 * and on marks cuts the window in proportion to the congestion it saw,
 * cwnd * (1 - alpha / 2), instead of halving it: a queue that is barely
 * over the threshold costs a few percent of the window, a full one half.
 * Growth is Reno's.  A real loss still halves the window.
 *
 * The receiver half: an ACK carries ECE exactly when the data it acks was
 * CE-marked.  With delayed ACKs one ACK covers several packets, so when the
 * CE state of arriving data flips, the ACK pending for the data before the
 * flip goes out at once, with the old state.
 *
 * DCTCP needs ECN on the connection; .flags asks the stack to negotiate
 * it.  Without ECN no mark ever arrives and st_dctcp is plain Reno.
 */
#include "tcp_ca.bpf.h"

char _license[] SEC("license") = "GPL";

#define ALPHA_SHIFT	10
#define ALPHA_MAX	1024U			/* alpha = 1.0, 1 << ALPHA_SHIFT */
#define G_SHIFT		4			/* g = 1/16 */

extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;

struct st_dctcp {
	__u32	alpha;		/* fraction marked, scaled by ALPHA_MAX */
	__u32	window_end;	/* the observation window ends when snd_una passes this */
	__u32	delivered;	/* tp->delivered at the window's start */
	__u32	delivered_ce;	/* tp->delivered_ce at the window's start */
	__u32	loss_cwnd;	/* cwnd before the last reduction, for undo */
	__u32	ce_state;	/* receiver: was the last data we got CE-marked? */
	__u32	prior_rcv_nxt;	/* receiver: rcv_nxt before the last data arrived */
};

CA_PRIV_FITS(struct st_dctcp);

static void window_start(struct st_dctcp *ca, const struct tcp_sock *tp)
{
	ca->window_end = tp->snd_nxt;
	ca->delivered = tp->delivered;
	ca->delivered_ce = tp->delivered_ce;
}

SEC("struct_ops/st_dctcp_init")
void BPF_PROG(st_dctcp_init, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct st_dctcp *ca = ca_priv(sk);

	__builtin_memset(ca, 0, sizeof(*ca));
	/* Until the first window is measured, assume the worst: halve. */
	ca->alpha = ALPHA_MAX;
	ca->prior_rcv_nxt = tp->rcv_nxt;
	window_start(ca, tp);
}

/* Reduction on ECE: cwnd * (1 - alpha / 2). */
SEC("struct_ops/st_dctcp_ssthresh")
__u32 BPF_PROG(st_dctcp_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct st_dctcp *ca = ca_priv(sk);
	__u32 cwnd = tp->snd_cwnd;

	ca->loss_cwnd = cwnd;
	return max_u32(cwnd - ((cwnd * ca->alpha) >> (ALPHA_SHIFT + 1)), 2);
}

/* Once per window of data: fold the fraction marked into alpha. */
static void alpha_update(struct st_dctcp *ca, const struct tcp_sock *tp)
{
	__u32 delivered = tp->delivered - ca->delivered;
	__u32 marked = tp->delivered_ce - ca->delivered_ce;
	__u32 f = 0;

	if (seq_before(tp->snd_una, ca->window_end))
		return;

	if (delivered)
		f = min_u32(((__u64)marked << ALPHA_SHIFT) / delivered, ALPHA_MAX);
	/* alpha += g * (F - alpha), in two steps to stay unsigned */
	ca->alpha -= ca->alpha >> G_SHIFT;
	ca->alpha = min_u32(ca->alpha + (f >> G_SHIFT), ALPHA_MAX);
	window_start(ca, tp);
}

SEC("struct_ops/st_dctcp_in_ack_event")
void BPF_PROG(st_dctcp_in_ack_event, struct sock *sk, __u32 flags)
{
	alpha_update(ca_priv(sk), tcp_sk(sk));
}

SEC("struct_ops/st_dctcp_cong_avoid")
void BPF_PROG(st_dctcp_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

/*
 * A lost packet is congestion beyond what marking could signal: halve, as
 * Reno does, whatever alpha says, and remember the window for undo.
 */
static void react_to_loss(struct sock *sk, struct st_dctcp *ca)
{
	struct tcp_sock *tp = tcp_sk(sk);

	ca->loss_cwnd = tp->snd_cwnd;
	tp->snd_ssthresh = max_u32(tp->snd_cwnd / 2, 2);
}

/* Fast recovery begins; cwnd is still the window that met the loss. */
SEC("struct_ops/st_dctcp_set_state")
void BPF_PROG(st_dctcp_set_state, struct sock *sk, __u8 new_state)
{
	if (new_state == TCP_CA_Recovery &&
	    new_state != inet_csk(sk)->icsk_ca_state)
		react_to_loss(sk, ca_priv(sk));
}

SEC("struct_ops/st_dctcp_undo_cwnd")
__u32 BPF_PROG(st_dctcp_undo_cwnd, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct st_dctcp *ca = ca_priv(sk);

	return max_u32(tp->snd_cwnd, ca->loss_cwnd);
}

/* Receiver: echo (ECE) whether the data being acked was marked. */
static void ecn_echo(struct tcp_sock *tp, __u32 ce)
{
	if (ce)
		tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
	else
		tp->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
}

/*
 * Receiver: data arrived, CE-marked or not.  When the state flips while an
 * ACK is being delayed, that ACK covers data of the old state: send it now,
 * for rcv_nxt as it was before this packet and with the old echo, and ACK
 * the packet that flipped the state at once too.
 */
static void ce_state_update(struct sock *sk, struct st_dctcp *ca, __u32 ce)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	if (ca->ce_state != ce) {
		if (icsk->icsk_ack.pending & ICSK_ACK_TIMER) {
			ecn_echo(tp, ca->ce_state);
			bpf_tcp_send_ack(tp, ca->prior_rcv_nxt);
		}
		icsk->icsk_ack.pending |= ICSK_ACK_NOW;
	}
	ca->prior_rcv_nxt = tp->rcv_nxt;
	ca->ce_state = ce;
	ecn_echo(tp, ce);
}

SEC("struct_ops/st_dctcp_cwnd_event")
void BPF_PROG(st_dctcp_cwnd_event, struct sock *sk, enum tcp_ca_event event)
{
	struct st_dctcp *ca = ca_priv(sk);

	if (event == CA_EVENT_ECN_IS_CE)
		ce_state_update(sk, ca, 1);
	else if (event == CA_EVENT_ECN_NO_CE)
		ce_state_update(sk, ca, 0);
	else if (event == CA_EVENT_LOSS)	/* a retransmission timeout */
		react_to_loss(sk, ca);
}

SEC(TCP_CA_OPS_SEC)
struct tcp_congestion_ops st_dctcp = {
	.init		= (void *)st_dctcp_init,
	.ssthresh	= (void *)st_dctcp_ssthresh,
	.cong_avoid	= (void *)st_dctcp_cong_avoid,
	.set_state	= (void *)st_dctcp_set_state,
	.undo_cwnd	= (void *)st_dctcp_undo_cwnd,
	.cwnd_event	= (void *)st_dctcp_cwnd_event,
	.in_ack_event	= (void *)st_dctcp_in_ack_event,
	.flags		= TCP_CONG_NEEDS_ECN,
	.name		= "st_dctcp",
};
