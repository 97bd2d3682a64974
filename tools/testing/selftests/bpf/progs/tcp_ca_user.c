// SPDX-License-Identifier: GPL-2.0
/*
 * A congestion control as a user writes one outside this tree, for
 * prog_tests/tcp_ca_tool.c: vmlinux.h, libbpf's headers and the kernel's
 * Reno kfuncs, nothing of tools/bpf/tcp_ca.  It marks the connections it
 * runs: each starts with ssthresh ST_USER_SSTHRESH, which TCP_INFO shows
 * (the loopback never loses a packet, so nothing lowers it).
 *
 * In .struct_ops, which both of tcp_ca's builds load; tcp_ca_user_link.c
 * is the same CC in .struct_ops.link.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#ifndef TCP_CA_USER_SEC
#define TCP_CA_USER_SEC		".struct_ops"
#endif

#define ST_USER_SSTHRESH	77

char _license[] SEC("license") = "GPL";

extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

SEC("struct_ops/st_user_init")
void BPF_PROG(st_user_init, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	tp->snd_ssthresh = ST_USER_SSTHRESH;
}

SEC("struct_ops/st_user_ssthresh")
__u32 BPF_PROG(st_user_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/st_user_cong_avoid")
void BPF_PROG(st_user_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/st_user_undo_cwnd")
__u32 BPF_PROG(st_user_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(TCP_CA_USER_SEC)
struct tcp_congestion_ops st_user = {
	.init		= (void *)st_user_init,
	.ssthresh	= (void *)st_user_ssthresh,
	.cong_avoid	= (void *)st_user_cong_avoid,
	.undo_cwnd	= (void *)st_user_undo_cwnd,
	.name		= "st_user",
};
