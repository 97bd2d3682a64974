/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the struct_ops_bad_*.c objects: a congestion control that is
 * complete but for the one flaw each object adds, and must be refused.
 */
#ifndef __STRUCT_OPS_BAD_H
#define __STRUCT_OPS_BAD_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SOL_TCP		6
#define TCP_CONGESTION	13

SEC("struct_ops/bad_ssthresh")
__u32 BPF_PROG(bad_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/bad_undo_cwnd")
__u32 BPF_PROG(bad_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

/* .cong_avoid doing @stmt with @tp, the socket as a tcp_sock */
#define ST_BAD_CONG_AVOID(stmt)						\
SEC("struct_ops/bad_cong_avoid")					\
void BPF_PROG(bad_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)	\
{									\
	struct tcp_sock *tp = (void *)sk;				\
	stmt;								\
}

/* The struct_ops map, with @more members set */
#define ST_BAD_CC(more...)						\
SEC(".struct_ops")							\
struct tcp_congestion_ops st_bad = {					\
	.ssthresh	= (void *)bad_ssthresh,				\
	.undo_cwnd	= (void *)bad_undo_cwnd,			\
	.cong_avoid	= (void *)bad_cong_avoid,			\
	.name		= "st_bad", ##more				\
}

#endif
