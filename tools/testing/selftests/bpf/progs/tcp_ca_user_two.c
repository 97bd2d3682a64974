// SPDX-License-Identifier: GPL-2.0
/*
 * Two congestion controls in one object, which tcp_ca refuses: it loads
 * one per object, and would not know which to register.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

SEC("struct_ops/st_two_ssthresh")
__u32 BPF_PROG(st_two_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/st_two_cong_avoid")
void BPF_PROG(st_two_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/st_two_undo_cwnd")
__u32 BPF_PROG(st_two_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops st_two_a = {
	.ssthresh	= (void *)st_two_ssthresh,
	.cong_avoid	= (void *)st_two_cong_avoid,
	.undo_cwnd	= (void *)st_two_undo_cwnd,
	.name		= "st_two_a",
};

SEC(".struct_ops")
struct tcp_congestion_ops st_two_b = {
	.ssthresh	= (void *)st_two_ssthresh,
	.cong_avoid	= (void *)st_two_cong_avoid,
	.undo_cwnd	= (void *)st_two_undo_cwnd,
	.name		= "st_two_b",
};
