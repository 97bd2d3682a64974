// SPDX-License-Identifier: GPL-2.0
/* "st_write": writes every tcp_sock field a congestion control owns and
 * calls every helper it may, so that the verifier must accept them all.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, int);
} sk_stg SEC(".maps");

int stg_ok;
int send_ack_ret = 1;
int cong_avoid_cnt;

SEC("struct_ops/wr_init")
void BPF_PROG(wr_init, struct sock *sk)
{
	struct inet_connection_sock *icsk = (void *)sk;
	struct tcp_sock *tp = (void *)sk;
	int *stg;

	sk->sk_pacing_status = SK_PACING_NONE;
	sk->sk_pacing_rate = ~0UL;
	icsk->icsk_ca_priv[0] = 0;
	tp->snd_cwnd_cnt = 0;
	tp->ecn_flags = tp->ecn_flags;

	stg = bpf_sk_storage_get(&sk_stg, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (stg) {
		*stg = 42;
		stg_ok = 1;
	}
	send_ack_ret = bpf_tcp_send_ack(tp, tp->rcv_nxt);
}

SEC("struct_ops/wr_ssthresh")
__u32 BPF_PROG(wr_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = (void *)sk;
	__u32 half = tp->snd_cwnd >> 1;

	tp->snd_ssthresh = half > 2 ? half : 2;
	return tp->snd_ssthresh;
}

SEC("struct_ops/wr_cong_avoid")
void BPF_PROG(wr_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct inet_connection_sock *icsk = (void *)sk;
	struct tcp_sock *tp = (void *)sk;

	__sync_fetch_and_add(&cong_avoid_cnt, 1);
	icsk->icsk_ack.pending = icsk->icsk_ack.pending;
	if (tp->snd_cwnd < tp->snd_ssthresh)
		tcp_slow_start(tp, acked);
	else
		tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
	tp->snd_cwnd = tp->snd_cwnd ?: 2;
}

SEC("struct_ops/wr_undo_cwnd")
__u32 BPF_PROG(wr_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops st_write = {
	.init		= (void *)wr_init,
	.ssthresh	= (void *)wr_ssthresh,
	.cong_avoid	= (void *)wr_cong_avoid,
	.undo_cwnd	= (void *)wr_undo_cwnd,
	.name		= "st_write",
};
