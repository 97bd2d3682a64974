// SPDX-License-Identifier: GPL-2.0
/*
 * Progs that ask st_modops_mod which table they are tied to, for
 * st_modops assoc (st_modops_assoc.c): a member prog, m0, in two tables,
 * and a syscall prog that user space ties to one with
 * BPF_PROG_ASSOC_STRUCT_OPS.  Both ask the module's kfunc, whose __prog
 * argument the verifier fills: they pass NULL.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "st_modops.h"

char _license[] SEC("license") = "GPL";

extern __u32 st_modops_assoc_id(void *aux__prog) __ksym;

/* What m0 was told the last time the module called it. */
__u32 m0_saw;

SEC("struct_ops/m0")
int BPF_PROG(assoc_m0, int a)
{
	m0_saw = st_modops_assoc_id(NULL);
	return ST_MODOPS_ONE_RET(0, a);
}

/* A subprog's call gets the main prog's aux too. */
static __noinline __u32 assoc_id_from_subprog(void)
{
	return st_modops_assoc_id(NULL);
}

/* The id, or ~0 when the prog and its subprog were told two things. */
SEC("syscall")
int assoc_syscall(void *ctx)
{
	__u32 id = st_modops_assoc_id(NULL);

	return id == assoc_id_from_subprog() ? id : ~0U;
}

/* m0 in both: once both are filled, its table cannot be told. */
SEC(".struct_ops.link")
struct st_modops table_a = {
	.m0 = (void *)assoc_m0,
};

SEC(".struct_ops.link")
struct st_modops table_b = {
	.m0 = (void *)assoc_m0,
};
