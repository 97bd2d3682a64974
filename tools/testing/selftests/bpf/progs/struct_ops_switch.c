// SPDX-License-Identifier: GPL-2.0
/* Two CCs whose .init switch the socket away with bpf_setsockopt():
 *   st_sw_a: .init switches to st_sw_b, then to cubic;
 *   st_sw_b: .init, run from inside st_sw_a's switch, tries to switch the
 *            socket to itself, which must give -EBUSY.
 * The switch away from st_sw_a drops the socket's count on it from inside
 * st_sw_a's own .init: once st_sw_a is deleted, that is the last count.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SOL_TCP		6
#define TCP_CONGESTION	13
#define EBUSY		16

char _license[] SEC("license") = "GPL";

char cc_b[] = "st_sw_b";
char cc_cubic[] = "cubic";

int a_init_cnt;
int a_to_b_ok;
int a_to_cubic_ok;
int b_init_cnt;
int b_self_ebusy;

SEC("struct_ops/sw_a_init")
void BPF_PROG(sw_a_init, struct sock *sk)
{
	__sync_fetch_and_add(&a_init_cnt, 1);
	if (!bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc_b, sizeof(cc_b)))
		__sync_fetch_and_add(&a_to_b_ok, 1);
	if (!bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc_cubic,
			    sizeof(cc_cubic)))
		__sync_fetch_and_add(&a_to_cubic_ok, 1);
}

SEC("struct_ops/sw_b_init")
void BPF_PROG(sw_b_init, struct sock *sk)
{
	__sync_fetch_and_add(&b_init_cnt, 1);
	if (bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc_b,
			   sizeof(cc_b)) == -EBUSY)
		__sync_fetch_and_add(&b_self_ebusy, 1);
}

SEC("struct_ops/sw_ssthresh")
__u32 BPF_PROG(sw_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/sw_cong_avoid")
void BPF_PROG(sw_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/sw_undo_cwnd")
__u32 BPF_PROG(sw_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops st_sw_a = {
	.init		= (void *)sw_a_init,
	.ssthresh	= (void *)sw_ssthresh,
	.cong_avoid	= (void *)sw_cong_avoid,
	.undo_cwnd	= (void *)sw_undo_cwnd,
	.name		= "st_sw_a",
};

SEC(".struct_ops")
struct tcp_congestion_ops st_sw_b = {
	.init		= (void *)sw_b_init,
	.ssthresh	= (void *)sw_ssthresh,
	.cong_avoid	= (void *)sw_cong_avoid,
	.undo_cwnd	= (void *)sw_undo_cwnd,
	.name		= "st_sw_b",
};
