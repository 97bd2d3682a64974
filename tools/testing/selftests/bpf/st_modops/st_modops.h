/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct st_modops: the struct_ops type that the st_modops module defines,
 * shared by the module, its BPF implementation and the test tool.
 *
 * 32 members of one argument, m0..m31, and 8 of six, s0..s7, so that the
 * trampolines of one map take more than a page; nullable, whose argument
 * may be NULL (the module says so, in its stub); sleepable, which may
 * sleep; spare and ret_ptr, which the module never calls: they stand at
 * indexes 42 and 43, and ret_ptr returns a pointer (43 is BPF_LSM_CGROUP's
 * number, which the verifier once took a prog's member index for); deep,
 * whose progs run on a private stack (the module asks for one); seven,
 * of seven arguments, one more than a native entry takes in registers,
 * which the module never calls either (6.1's x86 trampoline takes six at
 * most: its progs only load).  Each
 * member's result is a function of its arguments that the module checks,
 * so that a member that got another's prog, or its arguments out of
 * place, shows.
 */
#ifndef _ST_MODOPS_H
#define _ST_MODOPS_H

/* __u64 comes from the includer: linux/types.h or vmlinux.h. */

#define ST_MODOPS_NR_ONES	32
#define ST_MODOPS_NR_SIXES	8
#define ST_MODOPS_NR_FUNCS	(ST_MODOPS_NR_ONES + ST_MODOPS_NR_SIXES + 5)

/* What nullable(NULL) returns; nullable(arg) returns arg->x. */
#define ST_MODOPS_NULL_RET	-1
/* What sleepable(a) returns. */
#define ST_MODOPS_SLEEP_RET(a)	((a) * 7)

struct st_modops_arg {
	int x;
};

/* What m<n>(a) and s<n>(a, ..., f) return. */
#define ST_MODOPS_ONE_RET(n, a)		((a) * 3 + (n))
/* m31 has the module's prologue and epilogue around its prog: the
 * prologue adds ST_MODOPS_PRO_ADD to its argument, in the context, and
 * the epilogue adds the argument, read back from the context, to what
 * the prog returned.  So m31(a) returns this where the prog returns
 * ST_MODOPS_ONE_RET(31, its argument): (a + 100) * 3 + 31 + (a + 100).
 */
#define ST_MODOPS_PRO_EPI_MEMBER	31
#define ST_MODOPS_PRO_ADD		100
#define ST_MODOPS_PRO_EPI_RET(a)	(((a) + ST_MODOPS_PRO_ADD) * 4 + 31)
/* deep(a), whose prog's two frames take more than MAX_BPF_STACK's 512
 * bytes together (st_modops_deep.bpf.c): 32 u64 of a + i in the main
 * prog's frame, 48 of 2 * a + j in its subprog's, summed, plus what the
 * prog's nested call of deep returned, which must be 0: a run of deep
 * that would nest in another on the same CPU is skipped.
 */
#define ST_MODOPS_DEEP_MAIN_WORDS	32
#define ST_MODOPS_DEEP_SUB_WORDS	48
#define ST_MODOPS_DEEP_RET(a)		((a) * 130 + 496 + 1128)
#define ST_MODOPS_SIX_RET(n, a, b, c, d, e, f)				\
	((a) + 2 * (b) + 3 * (c) + 4 * (d) + 5 * (e) + 6 * (f) + (n))

#define ST_MODOPS_ONE_MEMBER(n)	int (*m##n)(int a)
#define ST_MODOPS_SIX_MEMBER(n)						\
	__u64 (*s##n)(__u64 a, __u64 b, __u64 c, __u64 d,		\
		       __u64 e, __u64 f)

struct st_modops {
	ST_MODOPS_ONE_MEMBER(0);
	ST_MODOPS_ONE_MEMBER(1);
	ST_MODOPS_ONE_MEMBER(2);
	ST_MODOPS_ONE_MEMBER(3);
	ST_MODOPS_ONE_MEMBER(4);
	ST_MODOPS_ONE_MEMBER(5);
	ST_MODOPS_ONE_MEMBER(6);
	ST_MODOPS_ONE_MEMBER(7);
	ST_MODOPS_ONE_MEMBER(8);
	ST_MODOPS_ONE_MEMBER(9);
	ST_MODOPS_ONE_MEMBER(10);
	ST_MODOPS_ONE_MEMBER(11);
	ST_MODOPS_ONE_MEMBER(12);
	ST_MODOPS_ONE_MEMBER(13);
	ST_MODOPS_ONE_MEMBER(14);
	ST_MODOPS_ONE_MEMBER(15);
	ST_MODOPS_ONE_MEMBER(16);
	ST_MODOPS_ONE_MEMBER(17);
	ST_MODOPS_ONE_MEMBER(18);
	ST_MODOPS_ONE_MEMBER(19);
	ST_MODOPS_ONE_MEMBER(20);
	ST_MODOPS_ONE_MEMBER(21);
	ST_MODOPS_ONE_MEMBER(22);
	ST_MODOPS_ONE_MEMBER(23);
	ST_MODOPS_ONE_MEMBER(24);
	ST_MODOPS_ONE_MEMBER(25);
	ST_MODOPS_ONE_MEMBER(26);
	ST_MODOPS_ONE_MEMBER(27);
	ST_MODOPS_ONE_MEMBER(28);
	ST_MODOPS_ONE_MEMBER(29);
	ST_MODOPS_ONE_MEMBER(30);
	ST_MODOPS_ONE_MEMBER(31);
	ST_MODOPS_SIX_MEMBER(0);
	ST_MODOPS_SIX_MEMBER(1);
	ST_MODOPS_SIX_MEMBER(2);
	ST_MODOPS_SIX_MEMBER(3);
	ST_MODOPS_SIX_MEMBER(4);
	ST_MODOPS_SIX_MEMBER(5);
	ST_MODOPS_SIX_MEMBER(6);
	ST_MODOPS_SIX_MEMBER(7);
	int (*nullable)(struct st_modops_arg *arg);
	int (*sleepable)(int a);
	int (*spare)(int a);
	struct st_modops_arg *(*ret_ptr)(struct st_modops_arg *arg);
	int (*deep)(int a);
	__u64 (*seven)(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e, __u64 f,
		       __u64 g);
	/* Data: must be zero in the map's value, and so must the three
	 * bytes of padding between tag and reserved (struct_ops_module's
	 * padding subtest).
	 */
	char tag;
	int reserved;
};

#endif
