// SPDX-License-Identifier: GPL-2.0
/* What the JIT does for a struct_ops prog that may have a native entry,
 * and the folds it makes in any prog, seen from their loads (see "Native
 * entries" in Documentation/bpf/bpf_struct_ops.rst).  Raw progs of
 * tcp_congestion_ops, whose type asks for native entries, of
 * bpf_dummy_ops, whose type does not, and socket filters.
 *
 *  long_progs    the native-entry analyses are linear in a prog's
 *                length: ssthresh progs "r0 = 0; goto top; exit;
 *                {goto -2} x N", where a flow that sweeps the prog moves
 *                one insn per sweep, load in times that grow as N does
 *                (20k, 40k, 80k insns: the 80k one within 10x of the 20k
 *                one, where a quadratic flow takes 16x).  The 20k one is
 *                loaded as bpf_dummy_ops too, for the share of the
 *                verifier and the folds' liveness, without the argument
 *                flow; the times are printed.
 *  blinded_twin  a blinded prog is unfolded: an ssthresh prog without a
 *                constant, whose only fold is a read-modify-write of the
 *                register form (rA += rC), JITs shorter than its load
 *                with bpf_jit_harden=2, where blinding changes none of
 *                its insns; the same prog less that shape JITs the same
 *                length both ways.  So does one whose folds are two
 *                loaded compares (32- and 64-bit), against its twin
 *                whose loaded registers are read again before the exit,
 *                which is not folded.  All keep their context on the
 *                stack (they spill R1).  A prog that reads its argument
 *                from R1 has it in a register unblinded; blinded, its
 *                native entry pushes the context and points R1 at it
 *                ("mov rdi, rsp" in its image).
 *  any_prog      folds are the JIT's for every prog, not only for a
 *                native entry's: a read-modify-write and a loaded
 *                compare of a stack slot, loaded as bpf_dummy_ops test_1
 *                (a type without native entries) and as a socket
 *                filter, JIT shorter than their loads with
 *                bpf_jit_harden=2.
 */
#include <test_progs.h>
#include "struct_ops_helpers.h"

#define HARDEN	"/proc/sys/net/core/bpf_jit_harden"

/* st_ops_member(), asserted: false when vmlinux BTF has not them. */
static bool ops_member(const char *ops, const char *name, __u32 *idx,
		       __u32 *type_id)
{
	return ASSERT_OK(st_ops_member(ops, name, idx, type_id), name);
}

/* Load st_chain_fill()'s chain of @n insns as member @idx of the struct_ops
 * type @type_id; its fd, or -errno.
 */
static int load_chain(struct bpf_insn *insns, int n, __u32 idx, __u32 type_id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = idx,
		    .attach_btf_id = type_id);
	int fd, len = st_chain_fill(insns, n);

	fd = bpf_prog_load(BPF_PROG_TYPE_STRUCT_OPS, "st_chain", "GPL", insns,
			   len, &opts);
	return fd < 0 ? -errno : fd;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* How long a load of a chain of @n takes, in ms; -1 on failure. */
static double chain_ms(struct bpf_insn *insns, int n, __u32 idx, __u32 type_id)
{
	double t = now_ms();
	int fd;

	fd = load_chain(insns, n, idx, type_id);
	t = now_ms() - t;
	if (!ASSERT_GE(fd, 0, "load chain"))
		return -1;
	close(fd);
	return t;
}

/* The length of the JITed code of @insns, loaded as a prog of @type (a
 * struct_ops prog: as member @idx of the type @type_id) with
 * bpf_jit_harden at @harden, and the code in @img (@size bytes) if
 * given; 0 on failure.
 */
static __u32 jited_as(enum bpf_prog_type type, const struct bpf_insn *insns,
		      int n, const char *harden, __u32 idx, __u32 type_id,
		      __u8 *img, __u32 size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = idx,
		    .attach_btf_id = type_id);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char old[8] = "0";
	int fd;

	if (!ASSERT_GT(st_read_str(HARDEN, old, sizeof(old)), 0, HARDEN) ||
	    !ASSERT_OK(st_write_str(HARDEN, harden), "harden"))
		return 0;
	fd = bpf_prog_load(type, "st_twin", "GPL", insns, n, &opts);
	ASSERT_OK(st_write_str(HARDEN, old), "harden back");
	if (!ASSERT_GE(fd, 0, "load"))
		return 0;
	if (img) {
		info.jited_prog_insns = (__u64)(unsigned long)img;
		info.jited_prog_len = size;
	}
	if (!ASSERT_OK(bpf_obj_get_info_by_fd(fd, &info, &len), "prog info"))
		info.jited_prog_len = 0;
	close(fd);
	return info.jited_prog_len;
}

/* The same as a struct_ops prog */
static __u32 jited(const struct bpf_insn *insns, int n, const char *harden,
		   __u32 idx, __u32 type_id, __u8 *img, __u32 size)
{
	return jited_as(BPF_PROG_TYPE_STRUCT_OPS, insns, n, harden, idx,
			type_id, img, size);
}

static __u32 jited_len(const struct bpf_insn *insns, int n, const char *harden,
		       __u32 idx, __u32 type_id)
{
	return jited(insns, n, harden, idx, type_id, NULL, 0);
}

/* Does @img (@len bytes) have a "mov rdi, rsp": a native entry that points
 * R1 at the context it pushed?
 */
static bool pushes_ctx(const __u8 *img, __u32 len)
{
	static const __u8 mov_rdi_rsp[] = { 0x48, 0x89, 0xe7 };
	__u32 i;

	for (i = 0; i + sizeof(mov_rdi_rsp) <= len; i++)
		if (!memcmp(img + i, mov_rdi_rsp, sizeof(mov_rdi_rsp)))
			return true;
	return false;
}

/* How the progs of test_blinded_twin() start: the context spilled and
 * read back (so that the native entry pushes it both ways), a u32 of sk
 * in R2 and at fp - 8.
 */
static const struct bpf_insn sk_u32_on_stack[] = {
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -16),
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -16),
	BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_2, 0),	/* sk */
	BPF_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_2, 0),	/* a u32 of it */
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -8),
};

/* jited_len() of sk_u32_on_stack, then @tail (@n insns) */
static __u32 twin_len(const struct bpf_insn *tail, int n, const char *harden,
		      __u32 idx, __u32 type_id)
{
	int k = ARRAY_SIZE(sk_u32_on_stack);
	struct bpf_insn insns[32];

	if (!ASSERT_LE(k + n, (int)ARRAY_SIZE(insns), "twin's length"))
		return 0;
	memcpy(insns, sk_u32_on_stack, sizeof(sk_u32_on_stack));
	memcpy(insns + k, tail, n * sizeof(*tail));
	return jited_len(insns, k + n, harden, idx, type_id);
}

static void test_blinded_twin(void)
{
	/* No insn with a constant: blinding leaves every one as it is. */
	struct bpf_insn rmw[] = {
		/* the fold: add qword ptr [rbp - 8], r2's register */
		BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_10, -8),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_2),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_3, -8),
		BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, -8),
		BPF_EXIT_INSN(),
	};
	struct bpf_insn plain[] = {
		BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, -8),
		BPF_EXIT_INSN(),
	};
	/* the folds: cmp dword ptr [rbp - 8], r0's register, then qword */
	struct bpf_insn cmp[] = {
		BPF_MOV64_REG(BPF_REG_0, BPF_REG_2),
		BPF_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_10, -8),
		BPF_JMP32_REG(BPF_JGE, BPF_REG_3, BPF_REG_0, 1),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_0),
		BPF_LDX_MEM(BPF_DW, BPF_REG_4, BPF_REG_10, -8),
		BPF_JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_0, 1),
		BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_0),
		BPF_EXIT_INSN(),
	};
	/* the same, the loaded registers read before the exit: no fold */
	struct bpf_insn cmp_live[ARRAY_SIZE(cmp) + 2];
	/* plain, reading sk from R1: an argument in a register */
	struct bpf_insn args[] = {
		BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
		BPF_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_2, 0),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -8),
		BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, -8),
		BPF_EXIT_INSN(),
	};
	__u32 idx, type_id, folded, blinded, p0, p2, a0, a2, c0, c2, l0, l2;
	__u8 img0[512], img2[512];

	memcpy(cmp_live, cmp, sizeof(cmp) - sizeof(cmp[0]));
	cmp_live[ARRAY_SIZE(cmp) - 1] = BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3);
	cmp_live[ARRAY_SIZE(cmp)] = BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_4);
	cmp_live[ARRAY_SIZE(cmp) + 1] = BPF_EXIT_INSN();
	if (!ops_member("tcp_congestion_ops", "ssthresh", &idx, &type_id))
		return;
	folded = twin_len(rmw, ARRAY_SIZE(rmw), "0", idx, type_id);
	blinded = twin_len(rmw, ARRAY_SIZE(rmw), "2", idx, type_id);
	p0 = twin_len(plain, ARRAY_SIZE(plain), "0", idx, type_id);
	p2 = twin_len(plain, ARRAY_SIZE(plain), "2", idx, type_id);
	c0 = twin_len(cmp, ARRAY_SIZE(cmp), "0", idx, type_id);
	c2 = twin_len(cmp, ARRAY_SIZE(cmp), "2", idx, type_id);
	l0 = twin_len(cmp_live, ARRAY_SIZE(cmp_live), "0", idx, type_id);
	l2 = twin_len(cmp_live, ARRAY_SIZE(cmp_live), "2", idx, type_id);
	a0 = jited(args, ARRAY_SIZE(args), "0", idx, type_id, img0, sizeof(img0));
	a2 = jited(args, ARRAY_SIZE(args), "2", idx, type_id, img2, sizeof(img2));
	printf("%s: JITed bytes: rmw %u, blinded %u; without it %u, blinded %u; ",
	       __func__, folded, blinded, p0, p2);
	printf("cmp %u, blinded %u; read after %u, blinded %u; ", c0, c2, l0, l2);
	printf("from R1 %u, blinded %u\n", a0, a2);
	ASSERT_GT(folded, 0, "rmw JITed");
	ASSERT_GT(p0, 0, "plain JITed");
	ASSERT_EQ(p2, p0, "blinding changes nothing else");
	ASSERT_LT(folded, blinded, "the blinded twin is not folded");
	ASSERT_GT(c0, 0, "cmp JITed");
	ASSERT_GT(l0, 0, "cmp_live JITed");
	ASSERT_LT(c0, c2, "the blinded cmp twin is not folded");
	ASSERT_EQ(l2, l0, "a compare whose load is read after is not folded");
	if (!ASSERT_GT(a0, 0, "args JITed") || !ASSERT_GT(a2, 0, "args JITed blinded") ||
	    !ASSERT_LE(a0, sizeof(img0), "image") || !ASSERT_LE(a2, sizeof(img2), "image"))
		return;
	ASSERT_FALSE(pushes_ctx(img0, a0), "argument in a register unblinded");
	ASSERT_TRUE(pushes_ctx(img2, a2), "a blinded prog pushes its context");
}

/* Progs of any type, on a random number: no constant, no context. */
static const struct bpf_insn any_rmw[] = {
	BPF_EMIT_CALL(BPF_FUNC_get_prandom_u32),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -8),
	/* the fold: add qword ptr [rbp - 8], rax */
	BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_10, -8),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_0),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_3, -8),
	BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_10, -8),
	BPF_EXIT_INSN(),
};

static const struct bpf_insn any_cmp[] = {
	BPF_EMIT_CALL(BPF_FUNC_get_prandom_u32),
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -8),
	/* the fold: cmp dword ptr [rbp - 8], eax */
	BPF_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_10, -8),
	BPF_JMP32_REG(BPF_JGE, BPF_REG_3, BPF_REG_0, 1),
	BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_0),
	BPF_EXIT_INSN(),
};

/* @insns, @n of them, JITed shorter unblinded than blinded as @type? */
static void any_folded(const char *what, enum bpf_prog_type type,
		       const struct bpf_insn *insns, int n, __u32 idx,
		       __u32 type_id)
{
	__u32 j0 = jited_as(type, insns, n, "0", idx, type_id, NULL, 0);
	__u32 j2 = jited_as(type, insns, n, "2", idx, type_id, NULL, 0);

	printf("%s: %s: JITed bytes %u, blinded %u\n", __func__, what, j0, j2);
	if (ASSERT_GT(j0, 0, what))
		ASSERT_LT(j0, j2, what);
}

static void test_any_prog(void)
{
	__u32 idx, type_id;

	if (!ops_member("bpf_dummy_ops", "test_1", &idx, &type_id))
		return;
	any_folded("dummy rmw", BPF_PROG_TYPE_STRUCT_OPS, any_rmw,
		   ARRAY_SIZE(any_rmw), idx, type_id);
	any_folded("dummy cmp", BPF_PROG_TYPE_STRUCT_OPS, any_cmp,
		   ARRAY_SIZE(any_cmp), idx, type_id);
	any_folded("socket filter rmw", BPF_PROG_TYPE_SOCKET_FILTER, any_rmw,
		   ARRAY_SIZE(any_rmw), 0, 0);
	any_folded("socket filter cmp", BPF_PROG_TYPE_SOCKET_FILTER, any_cmp,
		   ARRAY_SIZE(any_cmp), 0, 0);
}

static void test_long_progs(void)
{
	static const int lens[] = { 20000, 40000, 80000 };
	__u32 idx, type_id, d_idx, d_type_id;
	double ms[ARRAY_SIZE(lens)], d_ms;
	struct bpf_insn *insns;
	int i;

	if (!ops_member("tcp_congestion_ops", "ssthresh", &idx, &type_id) ||
	    !ops_member("bpf_dummy_ops", "test_1", &d_idx, &d_type_id))
		return;
	insns = calloc(lens[ARRAY_SIZE(lens) - 1] + 3, sizeof(*insns));
	if (!ASSERT_OK_PTR(insns, "insns"))
		return;
	for (i = 0; i < (int)ARRAY_SIZE(lens); i++) {
		ms[i] = chain_ms(insns, lens[i], idx, type_id);
		if (ms[i] < 0)
			goto out;
		printf("%s: %d insns: %.1f ms to load\n", __func__, lens[i] + 3,
		       ms[i]);
	}
	/* the shortest again, where no native entry is asked for */
	d_ms = chain_ms(insns, lens[0], d_idx, d_type_id);
	if (d_ms >= 0)
		printf("%s: %d insns: %.1f ms to load as bpf_dummy_ops\n",
		       __func__, lens[0] + 3, d_ms);
	/* Linear: 4x from 20k to 80k; quadratic: 16x. */
	ASSERT_LT(ms[2], 10 * ms[0], "80k insns within 10x of 20k");
out:
	free(insns);
}

void test_struct_ops_jit(void)
{
	if (test__start_subtest("long_progs"))
		test_long_progs();
	if (test__start_subtest("blinded_twin"))
		test_blinded_twin();
	if (test__start_subtest("any_prog"))
		test_any_prog();
}
