// SPDX-License-Identifier: GPL-2.0
/*
 * Tables of struct st_modops that the verifier must refuse, one per
 * build (-DST_BAD_NULL or -DST_BAD_SLEEP):
 *  ST_BAD_NULL   nullable's argument dereferenced without a NULL check
 *  ST_BAD_SLEEP  a sleepable prog on m0, which may not sleep
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "st_modops.h"

char _license[] SEC("license") = "GPL";

#ifdef ST_BAD_NULL
SEC("struct_ops/nullable")
int BPF_PROG(nullable, struct st_modops_arg *arg)
{
	return arg->x;
}

SEC(".struct_ops.link")
struct st_modops st_modops_bad = {
	.nullable = (void *)nullable,
};
#endif

#ifdef ST_BAD_SLEEP
SEC("struct_ops.s/m0")
int BPF_PROG(m0, int a)
{
	return ST_MODOPS_ONE_RET(0, a);
}

SEC(".struct_ops.link")
struct st_modops st_modops_bad = {
	.m0 = (void *)m0,
};
#endif
