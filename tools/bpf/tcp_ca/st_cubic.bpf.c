// SPDX-License-Identifier: GPL-2.0
/*
 * st_cubic: CUBIC (RFC 9438) as a BPF congestion control.
 *
 * After a loss CUBIC does not grow the window by one packet per round trip
 * as Reno does, but along a cubic curve of the time t since the reduction:
 *
 *	W(t) = C * (t - K)^3 + W_max		C = 0.4, t and K in seconds
 *
 * W_max is the window at the loss, and K the time the curve takes to climb
 * back to it from where the reduction left the window.  The curve rises
 * fast far from W_max, flattens near it (where the last loss happened) and
 * then probes beyond it ever faster.  Because it is a function of time, not
 * of round trips, flows with different RTTs converge to similar windows.
 *
 * On loss the window is multiplied by beta = 0.7.  A flow that loses before
 * regaining its previous W_max is likely sharing the link with a newcomer,
 * so it remembers a lower W_max and yields ("fast convergence").
 *
 * Where Reno would do better (short RTTs, small windows) CUBIC follows an
 * estimate of Reno's window instead, W_est, so it is never less aggressive
 * than the flows it shares the link with ("Reno-friendly region").
 *
 * Slow start ends early when RTTs in a round rise above the previous
 * round's minimum, the delay-increase test of HyStart++ (RFC 9406): the
 * queue is growing, so the pipe is full before any packet is lost.
 *
 * Time comes from tp->tcp_mstamp, the microsecond clock the stack stamps
 * on every ACK it processes.  All arithmetic is integer: beta and C are
 * fractions, and K comes from an integer cube root.
 */
#include "tcp_ca.bpf.h"

char _license[] SEC("license") = "GPL";

extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

#define BETA_SCALE		1024
#define BETA			717	/* 0.7 * BETA_SCALE */
/* W(t) in packets with t in ms: C * t^3 / 10^9 = 2 * t^3 / (5 * 10^9) */
#define C_NUM			2ULL
#define C_DEN			5000000000ULL
/* |t - K| is capped at 2^20 ms (17 min) so that its cube fits in 64 bits */
#define MAX_OFFS_MS		1048576ULL

/* HyStart++ delay-increase threshold, clamped to [4 ms, 16 ms] */
#define HYSTART_MIN_SAMPLES	8
#define HYSTART_MIN_ETA_US	4000
#define HYSTART_MAX_ETA_US	16000
#define HYSTART_LOW_WINDOW	16

struct st_cubic {
	__u64	epoch_us;	/* start of this congestion avoidance epoch; 0: none */
	__u32	w_max;		/* window (packets) at the last reduction */
	__u32	prior_w_max;	/* w_max before it, should the reduction be undone */
	__u32	origin;		/* plateau of the curve: W_max, or cwnd if above it */
	__u32	k_ms;		/* time from the epoch to the plateau */
	__u32	cnt;		/* grow cwnd by 1 per cnt packets acked */
	__u32	w_est;		/* Reno's window, had it been in charge since the epoch */
	__u32	est_acked;	/* packets acked towards the next w_est increment */
	__u32	min_rtt_us;	/* lowest RTT of the connection */
	/* HyStart++, one round being one window of data */
	__u32	round_end;	/* the round ends when snd_una passes this */
	__u32	round_min_us;	/* lowest RTT sample of this round */
	__u32	prev_round_min_us;
	__u32	round_samples;
	__u32	hystart_done;
};

CA_PRIV_FITS(struct st_cubic);

/*
 * floor(cbrt(x)) for x < 2^62, bit by bit: each group of three bits of x
 * decides one bit of the root.  Branch-free, so that the verifier walks
 * the 21 steps once rather than every combination of their outcomes.
 */
static __u32 cube_root(__u64 x)
{
	__u64 y = 0, b, take;
	int s;

	for (s = 60; s >= 0; s -= 3) {
		y <<= 1;
		/* what setting the next bit adds to the cube, at this scale */
		b = 3 * y * (y + 1) + 1;
		/* take = (x >> s) >= b; both are below 2^63 */
		take = 1 - (((x >> s) - b) >> 63);
		x -= (b << s) & -take;
		y += take;
	}
	return y;
}

/* The next ACK starts a new epoch; epoch_start() sets the rest. */
static void epoch_reset(struct st_cubic *ca)
{
	ca->epoch_us = 0;
}

static void hystart_new_round(struct st_cubic *ca, const struct tcp_sock *tp)
{
	ca->round_end = tp->snd_nxt;
	ca->prev_round_min_us = ca->round_min_us;
	ca->round_min_us = ~0U;
	ca->round_samples = 0;
}

SEC("struct_ops/st_cubic_init")
void BPF_PROG(st_cubic_init, struct sock *sk)
{
	struct st_cubic *ca = ca_priv(sk);

	__builtin_memset(ca, 0, sizeof(*ca));
	ca->round_min_us = ~0U;
	hystart_new_round(ca, tcp_sk(sk));
}

/* Start an epoch: the curve runs from the current window to W_max. */
static void epoch_start(struct st_cubic *ca, __u32 cwnd, __u64 now_us)
{
	ca->epoch_us = now_us;
	ca->w_est = cwnd;
	ca->est_acked = 0;
	if (ca->w_max > cwnd) {
		/* K = cbrt((W_max - cwnd) / C); windows are far below 2^31 */
		ca->k_ms = cube_root((__u64)min_u32(ca->w_max - cwnd, 1U << 30) *
				     C_DEN / C_NUM);
		ca->origin = ca->w_max;
	} else {
		ca->k_ms = 0;
		ca->origin = cwnd;
	}
}

/* Set ca->cnt, the number of packets to ACK before cwnd grows by one. */
static void cubic_update(struct st_cubic *ca, __u32 cwnd, __u32 acked, __u64 now_us)
{
	__u64 t_ms, offs, delta, target;
	__u32 per_pkt, max_cnt;

	if (!ca->epoch_us)
		epoch_start(ca, cwnd, now_us);

	/* Aim where the curve will be one minimum RTT from now. */
	t_ms = (now_us - ca->epoch_us + ca->min_rtt_us) / USEC_PER_MSEC;
	offs = t_ms > ca->k_ms ? t_ms - ca->k_ms : ca->k_ms - t_ms;
	offs = (offs < MAX_OFFS_MS ? offs : MAX_OFFS_MS);
	delta = C_NUM * offs * offs * offs / C_DEN;
	if (t_ms < ca->k_ms)
		target = ca->origin > delta ? ca->origin - delta : 0;
	else
		target = ca->origin + delta;

	if (target > cwnd)
		ca->cnt = cwnd / (target - cwnd);
	else
		ca->cnt = 100 * cwnd;	/* at the plateau: all but flat */

	/* Before the first loss there is no W_max: grow at least 5% per RTT. */
	if (!ca->w_max && ca->cnt > 20)
		ca->cnt = 20;

	/*
	 * Reno-friendly region: Reno with CUBIC's beta would grow by
	 * 3 (1 - beta) / (1 + beta) = 9/17 packets per window acked.
	 */
	ca->est_acked += acked;
	per_pkt = max_u32(cwnd * 17 / 9, 1);
	ca->w_est += ca->est_acked / per_pkt;
	ca->est_acked %= per_pkt;
	if (ca->w_est > cwnd) {
		max_cnt = cwnd / (ca->w_est - cwnd);
		if (ca->cnt > max_cnt)
			ca->cnt = max_cnt;
	}

	/* Never more than 1.5 times the window per round trip. */
	ca->cnt = max_u32(ca->cnt, 2);
}

SEC("struct_ops/st_cubic_cong_avoid")
void BPF_PROG(st_cubic_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct st_cubic *ca = ca_priv(sk);

	if (!tcp_cwnd_limited(sk))
		return;

	if (tcp_in_slow_start(tp)) {
		/* What is left over once cwnd reaches ssthresh goes on below. */
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	cubic_update(ca, tp->snd_cwnd, acked, tp->tcp_mstamp);
	tcp_cong_avoid_ai(tp, ca->cnt, acked);
}

SEC("struct_ops/st_cubic_ssthresh")
__u32 BPF_PROG(st_cubic_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct st_cubic *ca = ca_priv(sk);
	__u32 cwnd = tp->snd_cwnd;

	epoch_reset(ca);
	ca->prior_w_max = ca->w_max;
	/* Lost before regaining the last W_max: yield to the newcomer. */
	if (cwnd < ca->w_max)
		ca->w_max = cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE);
	else
		ca->w_max = cwnd;
	return max_u32(cwnd * BETA / BETA_SCALE, 2);
}

/* The loss was spurious: take back the window and the memory of W_max. */
SEC("struct_ops/st_cubic_undo_cwnd")
__u32 BPF_PROG(st_cubic_undo_cwnd, struct sock *sk)
{
	struct st_cubic *ca = ca_priv(sk);

	epoch_reset(ca);
	ca->w_max = max_u32(ca->w_max, ca->prior_w_max);
	return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops/st_cubic_set_state")
void BPF_PROG(st_cubic_set_state, struct sock *sk, __u8 new_state)
{
	struct st_cubic *ca = ca_priv(sk);

	/* A retransmission timeout: what the curve knew no longer holds. */
	if (new_state == TCP_CA_Loss) {
		epoch_reset(ca);
		ca->w_max = 0;
		ca->hystart_done = 1;
	}
}

SEC("struct_ops/st_cubic_cwnd_event")
void BPF_PROG(st_cubic_cwnd_event, struct sock *sk, enum tcp_ca_event event)
{
	struct st_cubic *ca = ca_priv(sk);

	/*
	 * Sending again after the application went idle: time spent idle is
	 * not time spent probing the link, so start a new epoch from here
	 * rather than jump along the curve.
	 */
	if (event == CA_EVENT_TX_START)
		epoch_reset(ca);
}

/* HyStart++: leave slow start when this round's RTTs rose clearly. */
static void hystart_sample(struct sock *sk, struct st_cubic *ca, __u32 rtt_us)
{
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 eta;

	if (!seq_before(tp->snd_una, ca->round_end))
		hystart_new_round(ca, tp);

	ca->round_min_us = min_u32(ca->round_min_us, rtt_us);
	if (++ca->round_samples < HYSTART_MIN_SAMPLES ||
	    ca->prev_round_min_us == ~0U || tp->snd_cwnd < HYSTART_LOW_WINDOW)
		return;

	eta = ca->prev_round_min_us / 8;
	eta = max_u32(eta, HYSTART_MIN_ETA_US);
	eta = min_u32(eta, HYSTART_MAX_ETA_US);
	if (ca->round_min_us >= ca->prev_round_min_us + eta) {
		tp->snd_ssthresh = tp->snd_cwnd;
		ca->hystart_done = 1;
	}
}

SEC("struct_ops/st_cubic_pkts_acked")
void BPF_PROG(st_cubic_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct st_cubic *ca = ca_priv(sk);
	__s32 rtt_us = sample->rtt_us;

	/* No RTT sample (only retransmitted data was acked), or recovering. */
	if (rtt_us <= 0 || inet_csk(sk)->icsk_ca_state != TCP_CA_Open)
		return;

	if (!ca->min_rtt_us || rtt_us < ca->min_rtt_us)
		ca->min_rtt_us = rtt_us;

	if (!ca->hystart_done && tcp_in_slow_start(tp))
		hystart_sample(sk, ca, rtt_us);
}

SEC(TCP_CA_OPS_SEC)
struct tcp_congestion_ops st_cubic = {
	.init		= (void *)st_cubic_init,
	.ssthresh	= (void *)st_cubic_ssthresh,
	.cong_avoid	= (void *)st_cubic_cong_avoid,
	.set_state	= (void *)st_cubic_set_state,
	.undo_cwnd	= (void *)st_cubic_undo_cwnd,
	.cwnd_event	= (void *)st_cubic_cwnd_event,
	.pkts_acked	= (void *)st_cubic_pkts_acked,
	.name		= "st_cubic",
};
