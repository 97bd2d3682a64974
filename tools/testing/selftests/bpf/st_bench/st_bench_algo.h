/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The congestion control that `make bench` times, written once.
 *
 * st_bench_mod.c compiles these bodies with the kernel's gcc into a native
 * tcp_congestion_ops ("st_bench_native"); st_bench_ca.bpf.c compiles the
 * very same text with clang for BPF into a struct_ops map ("st_bench_bpf").
 * Whatever differs between the two per-call costs is then the path to the
 * body (trampoline, JIT code, checked loads), not the algorithm.
 *
 * The includer supplies struct tcp_sock, struct ack_sample, enum
 * tcp_ca_event and u32: the kernel's headers or vmlinux.h.
 *
 * Reno with an RTT floor, in the members TCP calls most:
 *  - ssthresh: halve the window, remember it for undo;
 *  - cong_avoid: +acked per ACK in slow start, +1 per window after;
 *  - cwnd_event: a new transmit burst restarts the increase count;
 *  - pkts_acked: keep the smallest RTT sample;
 *  - undo_cwnd: take a spurious reduction back.
 */
#ifndef ST_BENCH_ALGO_H
#define ST_BENCH_ALGO_H

struct stb_ca {
	u32 loss_cwnd;
	u32 acked;
	u32 min_rtt_us;
	u32 events;
};

static inline void stb_algo_init(struct tcp_sock *tp, struct stb_ca *ca)
{
	ca->loss_cwnd = 0;
	ca->acked = 0;
	ca->min_rtt_us = ~0U;
	ca->events = 0;
}

static inline u32 stb_algo_ssthresh(struct tcp_sock *tp, struct stb_ca *ca)
{
	u32 half = tp->snd_cwnd >> 1;

	ca->loss_cwnd = tp->snd_cwnd;
	return half > 2 ? half : 2;
}

static inline void stb_algo_cong_avoid(struct tcp_sock *tp, struct stb_ca *ca,
				       u32 acked)
{
	u32 cwnd = tp->snd_cwnd;

	if (cwnd < tp->snd_ssthresh) {
		cwnd += acked;
	} else {
		ca->acked += acked;
		if (ca->acked >= cwnd) {
			ca->acked -= cwnd;
			cwnd++;
		}
	}
	tp->snd_cwnd = cwnd < tp->snd_cwnd_clamp ? cwnd : tp->snd_cwnd_clamp;
}

static inline void stb_algo_cwnd_event(struct tcp_sock *tp, struct stb_ca *ca,
				       enum tcp_ca_event ev)
{
	if (ev == CA_EVENT_TX_START)
		ca->acked = 0;
	ca->events++;
}

static inline void stb_algo_pkts_acked(struct tcp_sock *tp, struct stb_ca *ca,
				       const struct ack_sample *sample)
{
	if (sample->rtt_us > 0 && (u32)sample->rtt_us < ca->min_rtt_us)
		ca->min_rtt_us = sample->rtt_us;
}

static inline u32 stb_algo_undo_cwnd(struct tcp_sock *tp, struct stb_ca *ca)
{
	return tp->snd_cwnd > ca->loss_cwnd ? tp->snd_cwnd : ca->loss_cwnd;
}

#endif /* ST_BENCH_ALGO_H */
