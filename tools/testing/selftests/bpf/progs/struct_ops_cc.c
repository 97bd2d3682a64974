// SPDX-License-Identifier: GPL-2.0
/* "st_cc": Reno assembled from the kernel's TCP kfuncs, counting its calls
 * so that tests can see it really runs.
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

int init_cnt;
int cong_avoid_cnt;
int release_cnt;
int getsockopt_ret = 1;
char cc_seen[16];

SEC("struct_ops/st_init")
void BPF_PROG(st_init, struct sock *sk)
{
	__sync_fetch_and_add(&init_cnt, 1);
	/* The socket's CC, as bpf_getsockopt() sees it: ourselves. */
	getsockopt_ret = bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION,
					cc_seen, sizeof(cc_seen));
}

SEC("struct_ops/st_ssthresh")
__u32 BPF_PROG(st_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/st_cong_avoid")
void BPF_PROG(st_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	__sync_fetch_and_add(&cong_avoid_cnt, 1);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/st_undo_cwnd")
__u32 BPF_PROG(st_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops/st_release")
void BPF_PROG(st_release, struct sock *sk)
{
	__sync_fetch_and_add(&release_cnt, 1);
}

SEC(".struct_ops")
struct tcp_congestion_ops st_cc = {
	.init		= (void *)st_init,
	.ssthresh	= (void *)st_ssthresh,
	.cong_avoid	= (void *)st_cong_avoid,
	.undo_cwnd	= (void *)st_undo_cwnd,
	.release	= (void *)st_release,
	.name		= "st_cc",
};
