// SPDX-License-Identifier: GPL-2.0
/* Two congestion controls with the same bodies, which fold every argument
 * of every call into their state: "st_args", whose progs read their
 * arguments straight from the context, so that the JIT may give their
 * native entries the arguments in registers, and "st_args_ref", whose
 * progs first copy the context pointer through the stack, which keeps it
 * a context the native entry pushes.  Driven in lockstep, the two must
 * keep the same state after every call: an argument the registers lost
 * or swapped would show.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

struct args_ca {
	__u32 mix;		/* every argument, hashed in call order */
	__u32 acked;		/* packets acked since the last increase */
	__u32 loss_cwnd;
	__u32 events;		/* cwnd events */
	__u32 event_sum;
	__u32 states;		/* set_state's argument, one nibble a call */
	__u32 ack_flags;
	__u32 last_ack;
	__u32 min_rtt_us;
	__u32 samples;
};

static __always_inline struct args_ca *ca_of(struct sock *sk)
{
	return (void *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline struct tcp_sock *tp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __always_inline void mix(struct args_ca *ca, __u32 v)
{
	ca->mix = (ca->mix ^ v) * 0x9e3779b1;
}

static __always_inline void init_body(struct sock *sk)
{
	struct args_ca *ca = ca_of(sk);

	ca->mix = 1;
	ca->min_rtt_us = ~0U;
}

static __always_inline __u32 ssthresh_body(struct sock *sk)
{
	struct tcp_sock *tp = tp_of(sk);
	struct args_ca *ca = ca_of(sk);

	ca->loss_cwnd = tp->snd_cwnd;
	mix(ca, tp->snd_cwnd);
	return tp->snd_cwnd > 4 ? tp->snd_cwnd * 3 / 4 : 2;
}

/* ack is read only after acked and a branch; acked twice. */
static __always_inline void cong_avoid_body(struct sock *sk, __u32 ack,
					    __u32 acked)
{
	struct tcp_sock *tp = tp_of(sk);
	struct args_ca *ca = ca_of(sk);
	__u32 cwnd = tp->snd_cwnd;

	if (cwnd < tp->snd_ssthresh) {
		cwnd += acked;
	} else {
		ca->acked += acked;
		if (ca->acked >= cwnd) {
			ca->acked -= cwnd;
			cwnd++;
		}
	}
	if (acked > 2)
		mix(ca, ack - ca->last_ack);
	ca->last_ack = ack;
	mix(ca, acked);
	tp->snd_cwnd = cwnd < tp->snd_cwnd_clamp ? cwnd : tp->snd_cwnd_clamp;
}

static __always_inline void set_state_body(struct sock *sk, __u8 new_state)
{
	struct args_ca *ca = ca_of(sk);

	ca->states = ca->states << 4 | new_state;
	mix(ca, new_state);
}

static __always_inline __u32 undo_cwnd_body(struct sock *sk)
{
	struct tcp_sock *tp = tp_of(sk);
	struct args_ca *ca = ca_of(sk);

	mix(ca, ca->loss_cwnd);
	return tp->snd_cwnd > ca->loss_cwnd ? tp->snd_cwnd : ca->loss_cwnd;
}

/* The event is read before the socket, into another register. */
static __always_inline void cwnd_event_body(struct sock *sk,
					    enum tcp_ca_event ev)
{
	struct args_ca *ca = ca_of(sk);

	ca->events++;
	ca->event_sum += ev * 3 + 1;
	if (ev == CA_EVENT_TX_START)
		ca->acked = 0;
	mix(ca, ev);
}

/* The sample is read first, the socket only where the RTT is new. */
static __always_inline void pkts_acked_body(struct sock *sk,
					    const struct ack_sample *sample)
{
	struct args_ca *ca;

	if (sample->rtt_us <= 0)
		return;
	ca = ca_of(sk);
	ca->samples++;
	if ((__u32)sample->rtt_us < ca->min_rtt_us)
		ca->min_rtt_us = sample->rtt_us;
	mix(ca, sample->pkts_acked);
}

static __always_inline void in_ack_event_body(struct sock *sk, __u32 flags)
{
	struct args_ca *ca = ca_of(sk);

	ca->ack_flags |= flags;
	mix(ca, flags);
}

/* st_args: BPF_PROG reads each argument from the context. */
SEC("struct_ops/args_init")
void BPF_PROG(args_init, struct sock *sk)
{
	init_body(sk);
}

SEC("struct_ops/args_ssthresh")
__u32 BPF_PROG(args_ssthresh, struct sock *sk)
{
	return ssthresh_body(sk);
}

SEC("struct_ops/args_cong_avoid")
void BPF_PROG(args_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	cong_avoid_body(sk, ack, acked);
}

SEC("struct_ops/args_set_state")
void BPF_PROG(args_set_state, struct sock *sk, __u8 new_state)
{
	set_state_body(sk, new_state);
}

SEC("struct_ops/args_undo_cwnd")
__u32 BPF_PROG(args_undo_cwnd, struct sock *sk)
{
	return undo_cwnd_body(sk);
}

SEC("struct_ops/args_cwnd_event")
void BPF_PROG(args_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	cwnd_event_body(sk, ev);
}

SEC("struct_ops/args_pkts_acked")
void BPF_PROG(args_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	pkts_acked_body(sk, sample);
}

SEC("struct_ops/args_in_ack_event")
void BPF_PROG(args_in_ack_event, struct sock *sk, __u32 flags)
{
	in_ack_event_body(sk, flags);
}

/* st_args_ref: the context pointer goes through the stack first. */
#define REF_CTX(ctx)	unsigned long long *volatile c = (ctx)

SEC("struct_ops/ref_init")
void ref_init(unsigned long long *ctx)
{
	REF_CTX(ctx);

	init_body((void *)c[0]);
}

SEC("struct_ops/ref_ssthresh")
__u32 ref_ssthresh(unsigned long long *ctx)
{
	REF_CTX(ctx);

	return ssthresh_body((void *)c[0]);
}

SEC("struct_ops/ref_cong_avoid")
void ref_cong_avoid(unsigned long long *ctx)
{
	REF_CTX(ctx);

	cong_avoid_body((void *)c[0], c[1], c[2]);
}

SEC("struct_ops/ref_set_state")
void ref_set_state(unsigned long long *ctx)
{
	REF_CTX(ctx);

	set_state_body((void *)c[0], c[1]);
}

SEC("struct_ops/ref_undo_cwnd")
__u32 ref_undo_cwnd(unsigned long long *ctx)
{
	REF_CTX(ctx);

	return undo_cwnd_body((void *)c[0]);
}

SEC("struct_ops/ref_cwnd_event")
void ref_cwnd_event(unsigned long long *ctx)
{
	REF_CTX(ctx);

	cwnd_event_body((void *)c[0], c[1]);
}

SEC("struct_ops/ref_pkts_acked")
void ref_pkts_acked(unsigned long long *ctx)
{
	REF_CTX(ctx);

	pkts_acked_body((void *)c[0], (void *)c[1]);
}

SEC("struct_ops/ref_in_ack_event")
void ref_in_ack_event(unsigned long long *ctx)
{
	REF_CTX(ctx);

	in_ack_event_body((void *)c[0], c[1]);
}

SEC(".struct_ops")
struct tcp_congestion_ops st_args = {
	.init		= (void *)args_init,
	.ssthresh	= (void *)args_ssthresh,
	.cong_avoid	= (void *)args_cong_avoid,
	.set_state	= (void *)args_set_state,
	.undo_cwnd	= (void *)args_undo_cwnd,
	.cwnd_event	= (void *)args_cwnd_event,
	.pkts_acked	= (void *)args_pkts_acked,
	.in_ack_event	= (void *)args_in_ack_event,
	.name		= "st_args",
};

SEC(".struct_ops")
struct tcp_congestion_ops st_args_ref = {
	.init		= (void *)ref_init,
	.ssthresh	= (void *)ref_ssthresh,
	.cong_avoid	= (void *)ref_cong_avoid,
	.set_state	= (void *)ref_set_state,
	.undo_cwnd	= (void *)ref_undo_cwnd,
	.cwnd_event	= (void *)ref_cwnd_event,
	.pkts_acked	= (void *)ref_pkts_acked,
	.in_ack_event	= (void *)ref_in_ack_event,
	.name		= "st_args_ref",
};
