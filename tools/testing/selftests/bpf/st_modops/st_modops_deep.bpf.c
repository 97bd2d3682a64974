// SPDX-License-Identifier: GPL-2.0
/*
 * deep: a prog whose main frame and subprog frame take 640 bytes of stack
 * together, more than MAX_BPF_STACK's 512.  On member deep, which the
 * module gives a private stack, each frame has a stack of its own and the
 * prog loads; built with -DST_BAD_DEEP the same prog sits on m0, which has
 * none, and the verifier refuses it.  From inside its run it calls deep
 * again (st_modops_deep_again()), a run that must be skipped, and asks
 * whether its subprog's buffer is on the task's stack: deep_again and
 * on_task_stack keep what it was told.  See ST_MODOPS_DEEP_RET().  m0's
 * prog, on the kernel stack, asks the same of its own buffer
 * (m0_on_task_stack), so that the answer is seen to tell them apart.
 * Each frame adds a to its first word in place: a read-modify-write that
 * the JIT, which reaches a private frame through r9, must not fold into
 * one instruction on R10's frame.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "st_modops.h"

char _license[] SEC("license") = "GPL";

extern int st_modops_deep_again(int a, void *aux__prog) __ksym;
extern int st_modops_on_task_stack(void *mem, int mem__sz) __ksym;

int deep_again = -2;
int on_task_stack = -1;
int m0_on_task_stack = -1;

/* 48 words of 2 * a + j, the first plus a, summed: a 384-byte frame. */
static __noinline int deep_sub(int a)
{
	volatile __u64 buf[ST_MODOPS_DEEP_SUB_WORDS];
	__u64 sum = 0;
	int j;

#pragma clang loop unroll(full)
	for (j = 0; j < ST_MODOPS_DEEP_SUB_WORDS; j++)
		buf[j] = 2 * a + j;
	buf[0] += a;	/* a read-modify-write of the frame */
	on_task_stack = st_modops_on_task_stack((void *)buf, sizeof(buf));
#pragma clang loop unroll(full)
	for (j = 0; j < ST_MODOPS_DEEP_SUB_WORDS; j++)
		sum += buf[j];
	return sum;
}

/* 32 words of a + i, the first plus a, summed, and the subprog's sum: a
 * 256-byte frame.
 */
SEC("struct_ops/deep")
int BPF_PROG(deep, int a)
{
	volatile __u64 buf[ST_MODOPS_DEEP_MAIN_WORDS];
	__u64 sum = 0;
	int again = 0, i;

#pragma clang loop unroll(full)
	for (i = 0; i < ST_MODOPS_DEEP_MAIN_WORDS; i++)
		buf[i] = a + i;
	buf[0] += a;	/* a read-modify-write of the frame */
	/* Only the outer run calls itself: were the nested one not
	 * skipped, it would return its own sum, not 0.
	 */
	if (a >= 0) {
		again = st_modops_deep_again(-1, NULL);
		deep_again = again;
	}
	sum = deep_sub(a);
#pragma clang loop unroll(full)
	for (i = 0; i < ST_MODOPS_DEEP_MAIN_WORDS; i++)
		sum += buf[i];
	return sum + again;
}

#ifndef ST_BAD_DEEP
SEC("struct_ops/m0")
int BPF_PROG(task_stack_m0, int a)
{
	volatile int buf[2] = { a, 1 };

	m0_on_task_stack = st_modops_on_task_stack((void *)buf, sizeof(buf));
	return ST_MODOPS_ONE_RET(0, buf[0] * buf[1]);
}
#endif

#ifdef ST_BAD_DEEP
SEC(".struct_ops.link")
struct st_modops st_modops_bad = {
	.m0 = (void *)deep,
};
#else
SEC(".struct_ops.link")
struct st_modops deep_table = {
	.m0 = (void *)task_stack_m0,
	.deep = (void *)deep,
};
#endif
