// SPDX-License-Identifier: GPL-2.0
/*
 * Sleepable struct_ops progs, on bpf_dummy_ops, whose check_member lets
 * test_sleepable alone take one.
 *  run          a sleepable prog on test_sleepable loads, and run through
 *               its trampoline reads user memory with bpf_copy_from_user()
 *  not_member   a sleepable prog on test_1 is refused, -EINVAL, and the
 *               verifier's log says why
 *  not_helper   a non-sleepable prog may not call bpf_copy_from_user()
 */
#include <test_progs.h>
#include <bpf/btf.h>

#include "struct_ops_sleepable.skel.h"

static void test_run(void)
{
	struct struct_ops_sleepable *skel;
	int secret = 0x5eed, err;
	__u64 args[1] = {};
	struct bpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.ctx_in = args,
		.ctx_size_in = sizeof(args),
	};

	skel = struct_ops_sleepable__open();
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	bpf_program__set_flags(skel->progs.test_sleepable, BPF_F_SLEEPABLE);
	err = struct_ops_sleepable__load(skel);
	if (!ASSERT_OK(err, "load sleepable on test_sleepable"))
		goto out;
	skel->bss->uptr = (unsigned long)&secret;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_sleepable),
				     &opts);
	ASSERT_OK(err, "test_run");
	ASSERT_EQ(opts.retval, secret, "read from user memory");
out:
	struct_ops_sleepable__destroy(skel);
}

/* Load "r0 = 0; exit" as a struct_ops prog of bpf_dummy_ops' member
 * @member; the verifier's log in @log.
 */
static int load_dummy_prog(__u32 member, __u32 flags, bool copy_from_user,
			   char *log, size_t log_size)
{
	struct bpf_insn insns[] = {
		/* bpf_copy_from_user(fp - 8, 4, NULL) when asked */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),
		BPF_MOV64_IMM(BPF_REG_2, 4),
		BPF_MOV64_IMM(BPF_REG_3, 0),
		BPF_EMIT_CALL(BPF_FUNC_copy_from_user),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	size_t skip = copy_from_user ? 0 : 5;
	struct bpf_prog_load_opts opts = {
		.sz = sizeof(opts),
		.prog_flags = flags,
		.expected_attach_type = member,
		.log_buf = log,
		.log_size = log_size,
		.log_level = 1,
	};
	struct btf *vmlinux;
	int id, fd;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -errno;
	id = btf__find_by_name_kind(vmlinux, "bpf_dummy_ops", BTF_KIND_STRUCT);
	btf__free(vmlinux);
	if (id < 0)
		return id;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_STRUCT_OPS, NULL, "GPL", insns + skip,
			   ARRAY_SIZE(insns) - skip, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Member indexes in struct bpf_dummy_ops. */
enum { DUMMY_TEST_1, DUMMY_TEST_2, DUMMY_TEST_SLEEPABLE };

static void test_not_member(void)
{
	char log[4096] = "";

	ASSERT_OK(load_dummy_prog(DUMMY_TEST_SLEEPABLE, BPF_F_SLEEPABLE, false,
				  log, sizeof(log)), "sleepable on test_sleepable");
	log[0] = '\0';
	ASSERT_EQ(load_dummy_prog(DUMMY_TEST_1, BPF_F_SLEEPABLE, false, log,
				  sizeof(log)), -EINVAL, "sleepable on test_1");
	ASSERT_OK_PTR(strstr(log, "member test_1 of struct bpf_dummy_ops does not take"),
		      "the verifier's reason");
}

static void test_not_helper(void)
{
	char log[4096] = "";

	ASSERT_OK(load_dummy_prog(DUMMY_TEST_SLEEPABLE, BPF_F_SLEEPABLE, true,
				  log, sizeof(log)), "sleepable prog calls it");
	log[0] = '\0';
	ASSERT_EQ(load_dummy_prog(DUMMY_TEST_SLEEPABLE, 0, true, log,
				  sizeof(log)), -EINVAL, "non-sleepable prog calls it");
	ASSERT_OK_PTR(strstr(log, "unknown func bpf_copy_from_user"),
		      "the verifier's reason");
}

void test_struct_ops_sleepable(void)
{
	if (test__start_subtest("run"))
		test_run();
	if (test__start_subtest("not_member"))
		test_not_member();
	if (test__start_subtest("not_helper"))
		test_not_helper();
}
