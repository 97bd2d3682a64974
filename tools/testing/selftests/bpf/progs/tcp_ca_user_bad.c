// SPDX-License-Identifier: GPL-2.0
/*
 * A congestion control the verifier refuses: its cong_avoid writes
 * snd_una, a field that belongs to the stack, not to the CC.  tcp_ca
 * reports the verifier's last words, not its whole log.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

SEC("struct_ops/st_bad_ssthresh")
__u32 BPF_PROG(st_bad_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/st_bad_cong_avoid")
void BPF_PROG(st_bad_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	tp->snd_cwnd += acked;
	tp->snd_una = ack;
}

SEC("struct_ops/st_bad_undo_cwnd")
__u32 BPF_PROG(st_bad_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops st_bad = {
	.ssthresh	= (void *)st_bad_ssthresh,
	.cong_avoid	= (void *)st_bad_cong_avoid,
	.undo_cwnd	= (void *)st_bad_undo_cwnd,
	.name		= "st_bad",
};
