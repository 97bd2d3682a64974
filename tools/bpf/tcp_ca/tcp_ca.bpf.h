/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What our BPF congestion controls share: the socket views a CC needs, the
 * few TCP constants that are #defines (and so not in vmlinux.h), and the
 * kernel's TCP kfuncs.
 *
 * A struct_ops program receives the socket as a BTF pointer; the kernel
 * lets it read any tcp_sock field and write only the ones a CC owns
 * (snd_cwnd, snd_ssthresh, snd_cwnd_cnt, ecn_flags, icsk_ca_priv, ...).
 * Per-connection state lives in icsk_ca_priv, ICSK_CA_PRIV_SIZE bytes.
 *
 * The kernel's Reno building blocks (tcp_slow_start(), tcp_cong_avoid_ai(),
 * tcp_reno_*()) are kfuncs: each CC declares those it calls, __ksym.
 */
#ifndef TCP_CA_BPF_H
#define TCP_CA_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* include/net/tcp.h and inet_ecn.h, which vmlinux.h cannot carry */
#define TCP_CONG_NEEDS_ECN	0x2
#define TCP_ECN_DEMAND_CWR	4

#define USEC_PER_MSEC		1000ULL

/* The section of each CC's struct tcp_congestion_ops map.  libbpf 1.2 and
 * later make a .struct_ops.link map (BPF_F_LINK), which a struct_ops link
 * registers, as mainline's CCs are written; the map-mode build for
 * Debian's libbpf 1.1.2 defines TCP_CA_MAP_MODE and gets a .struct_ops
 * map, registered by its update.
 */
#ifdef TCP_CA_MAP_MODE
#define TCP_CA_OPS_SEC		".struct_ops"
#else
#define TCP_CA_OPS_SEC		".struct_ops.link"
#endif

static __always_inline __u32 min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

static __always_inline __u32 max_u32(__u32 a, __u32 b)
{
	return a > b ? a : b;
}

static __always_inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __always_inline struct inet_connection_sock *inet_csk(const struct sock *sk)
{
	return (struct inet_connection_sock *)sk;
}

/* A CC's per-connection state must fit in icsk_ca_priv. */
#define CA_PRIV_FITS(type) \
	_Static_assert(sizeof(type) <= \
		       sizeof(((struct inet_connection_sock *)0)->icsk_ca_priv), \
		       #type " does not fit in icsk_ca_priv")

/* The CC's private per-connection area. */
static __always_inline void *ca_priv(const struct sock *sk)
{
	return (void *)inet_csk(sk)->icsk_ca_priv;
}

static __always_inline bool tcp_in_slow_start(const struct tcp_sock *tp)
{
	return tp->snd_cwnd < tp->snd_ssthresh;
}

/*
 * Grow cwnd only when it is what limits the sender: an application that
 * sends less than a window must not inflate it.  In slow start the window
 * may run up to twice what was in flight.
 */
static __always_inline bool tcp_cwnd_limited(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (tcp_in_slow_start(tp) && tp->snd_cwnd < 2 * tp->max_packets_out)
		return true;
	return BPF_CORE_READ_BITFIELD(tp, is_cwnd_limited);
}

/* Sequence-space order, as before()/after() in include/net/tcp.h. */
static __always_inline bool seq_before(__u32 seq1, __u32 seq2)
{
	return (__s32)(seq1 - seq2) < 0;
}

#endif /* TCP_CA_BPF_H */
