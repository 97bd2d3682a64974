// SPDX-License-Identifier: GPL-2.0
/*
 * The congestion controls st_stress registers, updates and deletes while
 * connections use them.  ss_tmpl is Reno, through the kernel's own Reno
 * kfuncs; ss_sw's .init switches its socket to switch_to with
 * bpf_setsockopt(), so that a CC under churn is entered from inside
 * another CC's init.  The maps below
 * only carry the programs: st_stress builds its own values from their fds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SOL_TCP		6
#define TCP_CONGESTION	13

char _license[] SEC("license") = "GPL";

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

/* Set by st_stress before load: the CC that ss_sw's .init switches to. */
char switch_to[16] = "reno";

__u64 init_calls;
__u64 switched;
__u64 switch_failed;
__u64 acked_calls;
__u64 event_calls;

SEC("struct_ops/ss_init")
void BPF_PROG(ss_init, struct sock *sk)
{
	__sync_fetch_and_add(&init_calls, 1);
}

SEC("struct_ops/ss_sw_init")
void BPF_PROG(ss_sw_init, struct sock *sk)
{
	__sync_fetch_and_add(&init_calls, 1);
	if (bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, switch_to,
			   sizeof(switch_to)))
		__sync_fetch_and_add(&switch_failed, 1);
	else
		__sync_fetch_and_add(&switched, 1);
}

SEC("struct_ops/ss_ssthresh")
__u32 BPF_PROG(ss_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/ss_cong_avoid")
void BPF_PROG(ss_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/ss_undo_cwnd")
__u32 BPF_PROG(ss_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops/ss_cwnd_event")
void BPF_PROG(ss_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	__sync_fetch_and_add(&event_calls, 1);
}

SEC("struct_ops/ss_pkts_acked")
void BPF_PROG(ss_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	__sync_fetch_and_add(&acked_calls, 1);
}

SEC(".struct_ops")
struct tcp_congestion_ops ss_tmpl = {
	.init		= (void *)ss_init,
	.ssthresh	= (void *)ss_ssthresh,
	.cong_avoid	= (void *)ss_cong_avoid,
	.undo_cwnd	= (void *)ss_undo_cwnd,
	.cwnd_event	= (void *)ss_cwnd_event,
	.pkts_acked	= (void *)ss_pkts_acked,
	.name		= "ss_tmpl",
};

SEC(".struct_ops")
struct tcp_congestion_ops ss_sw = {
	.init		= (void *)ss_sw_init,
	.ssthresh	= (void *)ss_ssthresh,
	.cong_avoid	= (void *)ss_cong_avoid,
	.undo_cwnd	= (void *)ss_undo_cwnd,
	.name		= "ss_sw",
};
