// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF side of `make bench`.
 *
 * st_bench_bpf: st_bench_algo.h's congestion control as a struct_ops map,
 * the twin of st_bench_mod.c's st_bench_native.  The module calls both the
 * same way and reports the cost of each call.
 *
 * stb_full: a program for every tcp_congestion_ops member BPF may implement
 * (all but get_info), bodies next to empty.  st_bench never registers this
 * map: it builds its own maps from these programs, the smallest table TCP
 * accepts (ssthresh, cong_avoid, undo_cwnd) and the full one, to time map
 * update, delete, close and free, and links.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "st_bench_algo.h"

char _license[] SEC("license") = "GPL";

static __always_inline struct tcp_sock *tp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __always_inline struct stb_ca *ca_of(struct sock *sk)
{
	return (struct stb_ca *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

SEC("struct_ops/stb_init")
void BPF_PROG(stb_init, struct sock *sk)
{
	stb_algo_init(tp_of(sk), ca_of(sk));
}

SEC("struct_ops/stb_ssthresh")
__u32 BPF_PROG(stb_ssthresh, struct sock *sk)
{
	return stb_algo_ssthresh(tp_of(sk), ca_of(sk));
}

SEC("struct_ops/stb_cong_avoid")
void BPF_PROG(stb_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	stb_algo_cong_avoid(tp_of(sk), ca_of(sk), acked);
}

SEC("struct_ops/stb_cwnd_event")
void BPF_PROG(stb_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	stb_algo_cwnd_event(tp_of(sk), ca_of(sk), ev);
}

SEC("struct_ops/stb_pkts_acked")
void BPF_PROG(stb_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	stb_algo_pkts_acked(tp_of(sk), ca_of(sk), sample);
}

SEC("struct_ops/stb_undo_cwnd")
__u32 BPF_PROG(stb_undo_cwnd, struct sock *sk)
{
	return stb_algo_undo_cwnd(tp_of(sk), ca_of(sk));
}

SEC(".struct_ops")
struct tcp_congestion_ops st_bench_bpf = {
	.init		= (void *)stb_init,
	.ssthresh	= (void *)stb_ssthresh,
	.cong_avoid	= (void *)stb_cong_avoid,
	.cwnd_event	= (void *)stb_cwnd_event,
	.pkts_acked	= (void *)stb_pkts_acked,
	.undo_cwnd	= (void *)stb_undo_cwnd,
	.name		= "st_bench_bpf",
};

/* ---- one program per member, for the lifecycle maps */

SEC("struct_ops/stbf_init")
void BPF_PROG(stbf_init, struct sock *sk)
{
}

SEC("struct_ops/stbf_release")
void BPF_PROG(stbf_release, struct sock *sk)
{
}

SEC("struct_ops/stbf_ssthresh")
__u32 BPF_PROG(stbf_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/stbf_cong_avoid")
void BPF_PROG(stbf_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/stbf_set_state")
void BPF_PROG(stbf_set_state, struct sock *sk, __u8 new_state)
{
}

SEC("struct_ops/stbf_cwnd_event")
void BPF_PROG(stbf_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
}

SEC("struct_ops/stbf_in_ack_event")
void BPF_PROG(stbf_in_ack_event, struct sock *sk, __u32 flags)
{
}

SEC("struct_ops/stbf_pkts_acked")
void BPF_PROG(stbf_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
}

SEC("struct_ops/stbf_min_tso_segs")
__u32 BPF_PROG(stbf_min_tso_segs, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/stbf_cong_control")
void BPF_PROG(stbf_cong_control, struct sock *sk, const struct rate_sample *rs)
{
}

SEC("struct_ops/stbf_undo_cwnd")
__u32 BPF_PROG(stbf_undo_cwnd, struct sock *sk)
{
	return tp_of(sk)->snd_cwnd;
}

SEC("struct_ops/stbf_sndbuf_expand")
__u32 BPF_PROG(stbf_sndbuf_expand, struct sock *sk)
{
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops stb_full = {
	.init		= (void *)stbf_init,
	.release	= (void *)stbf_release,
	.ssthresh	= (void *)stbf_ssthresh,
	.cong_avoid	= (void *)stbf_cong_avoid,
	.set_state	= (void *)stbf_set_state,
	.cwnd_event	= (void *)stbf_cwnd_event,
	.in_ack_event	= (void *)stbf_in_ack_event,
	.pkts_acked	= (void *)stbf_pkts_acked,
	.min_tso_segs	= (void *)stbf_min_tso_segs,
	.cong_control	= (void *)stbf_cong_control,
	.undo_cwnd	= (void *)stbf_undo_cwnd,
	.sndbuf_expand	= (void *)stbf_sndbuf_expand,
	.name		= "stb_full",
};
