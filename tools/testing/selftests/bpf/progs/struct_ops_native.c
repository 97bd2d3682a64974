// SPDX-License-Identifier: GPL-2.0
/* "st_native": Reno that counts its ACKs in a per-CPU array and in socket
 * storage, so that a test can see both work when its members run through
 * native entries, and counts nothing else.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} acks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_acks SEC(".maps");

__u64 storage_created;	/* sockets whose init created their storage */
__u64 storage_max;	/* the most ACKs one socket's storage counted */

SEC("struct_ops/native_init")
void BPF_PROG(native_init, struct sock *sk)
{
	__u64 *n = bpf_sk_storage_get(&sk_acks, sk, NULL,
				      BPF_SK_STORAGE_GET_F_CREATE);

	if (n) {
		*n = 0;
		__sync_fetch_and_add(&storage_created, 1);
	}
}

SEC("struct_ops/native_ssthresh")
__u32 BPF_PROG(native_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/native_cong_avoid")
void BPF_PROG(native_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	__u32 zero = 0;
	__u64 *cnt, *n;

	cnt = bpf_map_lookup_elem(&acks, &zero);
	if (cnt)
		*cnt += 1;
	n = bpf_sk_storage_get(&sk_acks, sk, NULL, 0);
	if (n) {
		*n += 1;
		if (*n > storage_max)
			storage_max = *n;
	}
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/native_undo_cwnd")
__u32 BPF_PROG(native_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops st_native = {
	.init		= (void *)native_init,
	.ssthresh	= (void *)native_ssthresh,
	.cong_avoid	= (void *)native_cong_avoid,
	.undo_cwnd	= (void *)native_undo_cwnd,
	.name		= "st_native",
};
