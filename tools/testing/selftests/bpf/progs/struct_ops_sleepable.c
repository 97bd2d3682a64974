// SPDX-License-Identifier: GPL-2.0
/* A sleepable struct_ops prog: bpf_dummy_ops' test_sleepable reads user
 * memory with bpf_copy_from_user(), a helper that may fault pages in.
 * The test loads it with BPF_F_SLEEPABLE (the tree's libbpf predates
 * SEC("struct_ops.s/")).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* Where the test's value is, in its address space. */
__u64 uptr;

SEC("struct_ops/test_sleepable")
int BPF_PROG(test_sleepable, struct bpf_dummy_ops_state *state)
{
	int v = 0;

	if (bpf_copy_from_user(&v, sizeof(v), (void *)uptr))
		return -1;
	return v;
}

SEC(".struct_ops")
struct bpf_dummy_ops dummy_sleepable = {
	.test_sleepable = (void *)test_sleepable,
};
