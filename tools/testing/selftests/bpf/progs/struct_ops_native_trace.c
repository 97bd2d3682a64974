// SPDX-License-Identifier: GPL-2.0
/* An fentry prog on a struct_ops prog: the test sets its target (the
 * struct_ops prog and its name) before load.  It counts the calls that
 * enter the target through bpf_func, where a trampoline hooks it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__u64 hits;

SEC("fentry")
int BPF_PROG(count_calls)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
