// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF implementation of struct st_modops, the type that the st_modops
 * module defines: every function member, each returning what st_modops.h
 * says.  libbpf finds the type in the module's BTF by name.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "st_modops.h"

char _license[] SEC("license") = "GPL";

#define ST_ONE_PROG(n)							\
	SEC("struct_ops/m" #n)						\
	int BPF_PROG(m##n, int a)					\
	{								\
		return ST_MODOPS_ONE_RET(n, a);				\
	}
#define ST_SIX_PROG(n)							\
	SEC("struct_ops/s" #n)						\
	__u64 BPF_PROG(s##n, __u64 a, __u64 b, __u64 c, __u64 d,	\
			__u64 e, __u64 f)				\
	{								\
		return ST_MODOPS_SIX_RET(n, a, b, c, d, e, f);		\
	}

ST_ONE_PROG(0)
ST_ONE_PROG(1)
ST_ONE_PROG(2)
ST_ONE_PROG(3)
ST_ONE_PROG(4)
ST_ONE_PROG(5)
ST_ONE_PROG(6)
ST_ONE_PROG(7)
ST_ONE_PROG(8)
ST_ONE_PROG(9)
ST_ONE_PROG(10)
ST_ONE_PROG(11)
ST_ONE_PROG(12)
ST_ONE_PROG(13)
ST_ONE_PROG(14)
ST_ONE_PROG(15)
ST_ONE_PROG(16)
ST_ONE_PROG(17)
ST_ONE_PROG(18)
ST_ONE_PROG(19)
ST_ONE_PROG(20)
ST_ONE_PROG(21)
ST_ONE_PROG(22)
ST_ONE_PROG(23)
ST_ONE_PROG(24)
ST_ONE_PROG(25)
ST_ONE_PROG(26)
ST_ONE_PROG(27)
ST_ONE_PROG(28)
ST_ONE_PROG(29)
ST_ONE_PROG(30)

/* m31 runs between the module's prologue and epilogue (st_modops.h).  A
 * second exit, which the module's calls never take, makes the verifier
 * put the epilogue at the first one and turn this one, the one they take,
 * into a jump to it: without that jump, m31 returns what it should not.
 */
SEC("struct_ops/m31")
int BPF_PROG(m31, int a)
{
	if (a < 0)
		asm volatile("w0 = -1; exit;");
	return ST_MODOPS_ONE_RET(31, a);
}

ST_SIX_PROG(0)
ST_SIX_PROG(1)
ST_SIX_PROG(2)
ST_SIX_PROG(3)
ST_SIX_PROG(4)
ST_SIX_PROG(5)
ST_SIX_PROG(6)
ST_SIX_PROG(7)

SEC("struct_ops/nullable")
int BPF_PROG(nullable, struct st_modops_arg *arg)
{
	return arg ? arg->x : ST_MODOPS_NULL_RET;
}

SEC("struct_ops.s/sleepable")
int BPF_PROG(sleepable, int a)
{
	return ST_MODOPS_SLEEP_RET(a);
}

#define ST_ONE_FIELD(n)	.m##n = (void *)m##n
#define ST_SIX_FIELD(n)	.s##n = (void *)s##n

SEC(".struct_ops.link")
struct st_modops st_modops_impl = {
	ST_ONE_FIELD(0),
	ST_ONE_FIELD(1),
	ST_ONE_FIELD(2),
	ST_ONE_FIELD(3),
	ST_ONE_FIELD(4),
	ST_ONE_FIELD(5),
	ST_ONE_FIELD(6),
	ST_ONE_FIELD(7),
	ST_ONE_FIELD(8),
	ST_ONE_FIELD(9),
	ST_ONE_FIELD(10),
	ST_ONE_FIELD(11),
	ST_ONE_FIELD(12),
	ST_ONE_FIELD(13),
	ST_ONE_FIELD(14),
	ST_ONE_FIELD(15),
	ST_ONE_FIELD(16),
	ST_ONE_FIELD(17),
	ST_ONE_FIELD(18),
	ST_ONE_FIELD(19),
	ST_ONE_FIELD(20),
	ST_ONE_FIELD(21),
	ST_ONE_FIELD(22),
	ST_ONE_FIELD(23),
	ST_ONE_FIELD(24),
	ST_ONE_FIELD(25),
	ST_ONE_FIELD(26),
	ST_ONE_FIELD(27),
	ST_ONE_FIELD(28),
	ST_ONE_FIELD(29),
	ST_ONE_FIELD(30),
	ST_ONE_FIELD(31),
	ST_SIX_FIELD(0),
	ST_SIX_FIELD(1),
	ST_SIX_FIELD(2),
	ST_SIX_FIELD(3),
	ST_SIX_FIELD(4),
	ST_SIX_FIELD(5),
	ST_SIX_FIELD(6),
	ST_SIX_FIELD(7),
	.nullable = (void *)nullable,
	.sleepable = (void *)sleepable,
};
