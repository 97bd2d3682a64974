// SPDX-License-Identifier: GPL-2.0
/* BPF_MAP_TYPE_STRUCT_OPS: create, update, lookup, delete and seq_show,
 * each rule with the exact errno, on values built byte by byte.
 */
#include <linux/capability.h>
#include <linux/filter.h>
#include <test_progs.h>
#include "cap_helpers.h"
#include "struct_ops_helpers.h"
#include "struct_ops_cc.skel.h"
#include "dummy_st_ops.skel.h"

/* A complete, valid tcp_congestion_ops value named @name. */
static void fill_cc(struct st_value *v, struct struct_ops_cc *skel,
		    const char *name)
{
	memset(v->buf, 0, v->size);
	st_set_u64(v, "ssthresh", bpf_program__fd(skel->progs.st_ssthresh));
	st_set_u64(v, "cong_avoid", bpf_program__fd(skel->progs.st_cong_avoid));
	st_set_u64(v, "undo_cwnd", bpf_program__fd(skel->progs.st_undo_cwnd));
	st_set_name(v, name);
}

static int create_with(const struct st_value *v, __u32 key_size,
		       __u32 value_size, __u32 max_entries, __u32 flags,
		       __u32 vtype_id)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .btf_fd = v->btf_fd,
		    .map_flags = flags, .btf_vmlinux_value_type_id = vtype_id);
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_STRUCT_OPS, "st_create", key_size,
			    value_size, max_entries, &opts);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return -errno;
}

/* Where most subtests start: the value type, st_cc's progs, a new map. */
struct fixture {
	struct st_value v;
	struct struct_ops_cc *skel;
	int map_fd;
};

static bool fixture_setup(struct fixture *f)
{
	f->skel = NULL;
	f->map_fd = -1;
	if (!ASSERT_OK(st_value_init(&f->v, "tcp_congestion_ops"), "value type"))
		return false;
	f->skel = struct_ops_cc__open_and_load();
	if (!ASSERT_OK_PTR(f->skel, "struct_ops_cc"))
		return false;
	f->map_fd = st_map_create(&f->v);
	return ASSERT_GE(f->map_fd, 0, "create");
}

static void fixture_teardown(struct fixture *f)
{
	if (f->map_fd >= 0)
		close(f->map_fd);
	struct_ops_cc__destroy(f->skel);
	st_value_free(&f->v);
}

static void test_create(void)
{
	__u64 caps = 1ULL << CAP_BPF | 1ULL << CAP_SYS_ADMIN, old_caps;
	struct st_value v;
	int other_id;

	if (!ASSERT_OK(st_value_init(&v, "tcp_congestion_ops"), "value type"))
		return;
	ASSERT_OK(create_with(&v, 4, v.size, 1, 0, v.value_type_id), "valid");
	ASSERT_EQ(create_with(&v, 8, v.size, 1, 0, v.value_type_id), -EINVAL, "key_size 8");
	ASSERT_EQ(create_with(&v, 4, v.size, 2, 0, v.value_type_id), -EINVAL, "max_entries 2");
	ASSERT_EQ(create_with(&v, 4, v.size, 1, BPF_F_NO_PREALLOC, v.value_type_id),
		  -EINVAL, "map_flags NO_PREALLOC");
	ASSERT_EQ(create_with(&v, 4, v.size, 1, BPF_F_RDONLY, v.value_type_id),
		  -EINVAL, "map_flags RDONLY");
	ASSERT_EQ(create_with(&v, 4, v.size, 1, 0, 0), -EINVAL, "no value type");
	ASSERT_EQ(create_with(&v, 4, v.size - 1, 1, 0, v.value_type_id), -EINVAL, "value_size - 1");
	ASSERT_EQ(create_with(&v, 4, v.size + 8, 1, 0, v.value_type_id), -EINVAL, "value_size + 8");

	/* A struct that is no struct_ops value type. */
	other_id = btf__find_by_name_kind(v.btf, "task_struct", BTF_KIND_STRUCT);
	if (ASSERT_GT(other_id, 0, "task_struct id"))
		ASSERT_EQ(create_with(&v, 4, v.size, 1, 0, other_id), -ENOTSUPP, "unknown type");

	if (ASSERT_OK(cap_disable_effective(caps, &old_caps), "drop CAP_BPF+CAP_SYS_ADMIN")) {
		ASSERT_EQ(create_with(&v, 4, v.size, 1, 0, v.value_type_id), -EPERM,
			  "unprivileged");
		ASSERT_OK(cap_enable_effective(old_caps, NULL), "restore caps");
	}
	st_value_free(&v);
}

/* Bytes of the ops struct after its last member: trailing padding. */
static int ops_tail(const struct st_value *v, int *start)
{
	const struct btf_member *m = btf_members(v->ops);
	int i, end = 0, off, size;

	for (i = 0; i < btf_vlen(v->ops); i++, m++) {
		off = btf_member_bit_offset(v->ops, i) / 8;
		size = btf__resolve_size(v->btf, m->type);
		if (off + size > end)
			end = off + size;
	}
	*start = v->data_off + end;
	return v->ops->size - end;
}

/* One member set wrong in an otherwise valid value. */
struct bad_member {
	const char *what;
	const char *member;
	int width;
	__u64 val;
	int err;
};

static const struct bad_member bad_members[] = {
	/* data the type does not take must be zero */
	{ "key member", "key", 4, 1, -EINVAL },
	{ "list member", "list", 8, 1, -EINVAL },
	{ "owner member", "owner", 8, 0x1000, -EINVAL },
	{ "unknown flag", "flags", 4, 0x100, -EINVAL },
	/* TCP's own rules, from the registration */
	{ "no ssthresh (reg fails)", "ssthresh", 8, 0, -EINVAL },
	{ "no undo_cwnd (reg fails)", "undo_cwnd", 8, 0, -EINVAL },
	{ "no cong_avoid/cong_control", "cong_avoid", 8, 0, -EINVAL },
};

static void test_update(void)
{
	struct struct_ops_cc *skel2 = NULL;
	struct dummy_st_ops *dummy = NULL;
	struct bpf_insn ret0[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	__u32 ids[3], zero_key = 0;
	int map_fd, filter_fd = -1, tail, tail_off, i;
	struct struct_ops_cc *skel;
	void *zeroes = NULL;
	struct st_value *v;
	struct fixture f;

	if (!fixture_setup(&f))
		goto out;
	v = &f.v;
	skel = f.skel;
	map_fd = f.map_fd;
	zeroes = calloc(1, v->size);

	fill_cc(v, skel, "st_raw");
	ASSERT_EQ(bpf_map_update_elem(map_fd, &zero_key, v->buf, BPF_NOEXIST) ? -errno : 0,
		  -EINVAL, "flags");
	ASSERT_EQ(st_map_update(map_fd, 1, v), -E2BIG, "key 1");

	*(__u32 *)v->buf = 1;
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "refcnt set");
	fill_cc(v, skel, "st_raw");
	*(__u32 *)(v->buf + 4) = ST_STATE_INUSE;
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "state set");
	fill_cc(v, skel, "st_raw");
	if (ASSERT_GT(v->data_off, 8, "padding before data")) {
		((char *)v->buf)[8] = 1;
		ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "value padding");
	}
	fill_cc(v, skel, "st_raw");
	tail = ops_tail(v, &tail_off);
	if (ASSERT_GT(tail, 0, "ops struct tail padding")) {
		((char *)v->buf)[tail_off + tail - 1] = 1;
		ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "ops padding");
	}

	for (i = 0; i < ARRAY_SIZE(bad_members); i++) {
		const struct bad_member *b = &bad_members[i];

		fill_cc(v, skel, "st_raw");
		if (b->width == 4)
			st_set_u32(v, b->member, b->val);
		else
			st_set_u64(v, b->member, b->val);
		ASSERT_EQ(st_map_update(map_fd, 0, v), b->err, b->what);
	}
	fill_cc(v, skel, "bad name!");
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "bad name");
	fill_cc(v, skel, "");
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "empty name");

	filter_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL",
				  ret0, ARRAY_SIZE(ret0), NULL);
	if (ASSERT_GE(filter_fd, 0, "socket filter")) {
		fill_cc(v, skel, "st_raw");
		st_set_u64(v, "ssthresh", filter_fd);
		ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "not a struct_ops prog");
	}
	dummy = dummy_st_ops__open_and_load();
	if (ASSERT_OK_PTR(dummy, "dummy_st_ops")) {
		fill_cc(v, skel, "st_raw");
		st_set_u64(v, "ssthresh", bpf_program__fd(dummy->progs.test_1));
		ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "prog of another type");
	}
	fill_cc(v, skel, "st_raw");
	st_set_u64(v, "undo_cwnd", bpf_program__fd(skel->progs.st_ssthresh));
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EINVAL, "prog of another member");
	fill_cc(v, skel, "cubic");
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EEXIST, "name taken (reg fails)");
	ASSERT_FALSE(tcp_cc_available("st_raw"), "nothing registered");

	/* Every failure left the map as new: still empty, still updatable. */
	ASSERT_OK(bpf_map_lookup_elem(map_fd, &zero_key, v->buf), "lookup");
	ASSERT_OK(memcmp(v->buf, zeroes, v->size), "still zeroes");
	fill_cc(v, skel, "st_raw");
	ASSERT_OK(st_map_update(map_fd, 0, v), "valid update");
	ASSERT_TRUE(tcp_cc_available("st_raw"), "registered");
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EBUSY, "second update");
	ASSERT_OK(st_map_delete(map_fd), "delete");
	ASSERT_FALSE(tcp_cc_available("st_raw"), "unregistered");

	/* A failed update drops every prog it took: once their fds close,
	 * the progs go though the map still exists.
	 */
	skel2 = struct_ops_cc__open_and_load();
	map_fd = st_map_create(v);
	if (!ASSERT_OK_PTR(skel2, "struct_ops_cc 2") || !ASSERT_GE(map_fd, 0, "create 2"))
		goto out;
	fill_cc(v, skel2, "cubic");
	ids[0] = bpf_fd_id(bpf_program__fd(skel2->progs.st_ssthresh));
	ids[1] = bpf_fd_id(bpf_program__fd(skel2->progs.st_cong_avoid));
	ids[2] = bpf_fd_id(bpf_program__fd(skel2->progs.st_undo_cwnd));
	ASSERT_EQ(st_map_update(map_fd, 0, v), -EEXIST, "failing update");
	struct_ops_cc__destroy(skel2);
	skel2 = NULL;
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(bpf_id_gone(bpf_prog_get_fd_by_id, ids[i], 5000), "prog freed");
	close(map_fd);
out:
	if (filter_fd >= 0)
		close(filter_fd);
	dummy_st_ops__destroy(dummy);
	struct_ops_cc__destroy(skel2);
	free(zeroes);
	fixture_teardown(&f);
}

static void test_lookup(void)
{
	struct bpf_insn lookup_prog[] = {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF_LD_MAP_FD(BPF_REG_1, 0),
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	__u32 key = 0, next = 7, bad_key = 1;
	struct fixture f;
	void *zeroes = NULL;
	char log[4096] = "";
	int fd;

	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log,
		    .log_size = sizeof(log), .log_level = 1);

	if (!fixture_setup(&f))
		goto out;
	zeroes = calloc(1, f.v.size);

	ASSERT_EQ(bpf_map_lookup_elem(f.map_fd, &bad_key, f.v.buf) ? -errno : 0, -ENOENT, "key 1");
	memset(f.v.buf, 0xff, f.v.size);
	ASSERT_OK(bpf_map_lookup_elem(f.map_fd, &key, f.v.buf), "lookup new");
	ASSERT_OK(memcmp(f.v.buf, zeroes, f.v.size), "zeroes before update");
	ASSERT_OK(bpf_map_get_next_key(f.map_fd, NULL, &next), "first key");
	ASSERT_EQ(next, 0, "first key is 0");
	ASSERT_EQ(bpf_map_get_next_key(f.map_fd, &key, &next) ? -errno : 0, -ENOENT,
		  "no key after 0");

	fill_cc(&f.v, f.skel, "st_lookup");
	if (!ASSERT_OK(st_map_update(f.map_fd, 0, &f.v), "update"))
		goto out;
	memset(f.v.buf, 0, f.v.size);
	ASSERT_OK(bpf_map_lookup_elem(f.map_fd, &key, f.v.buf), "lookup");
	ASSERT_EQ(st_value_state(&f.v), ST_STATE_INUSE, "state");
	ASSERT_EQ(st_value_refcnt(&f.v), 1, "refcnt");
	ASSERT_EQ(st_get_u64(&f.v, "ssthresh"),
		  bpf_fd_id(bpf_program__fd(f.skel->progs.st_ssthresh)), "ssthresh prog id");
	ASSERT_EQ(st_get_u64(&f.v, "cong_avoid"),
		  bpf_fd_id(bpf_program__fd(f.skel->progs.st_cong_avoid)), "cong_avoid prog id");
	ASSERT_EQ(st_get_u64(&f.v, "undo_cwnd"),
		  bpf_fd_id(bpf_program__fd(f.skel->progs.st_undo_cwnd)), "undo_cwnd prog id");
	ASSERT_EQ(st_get_u64(&f.v, "init"), 0, "no init");
	ASSERT_EQ(st_get_u64(&f.v, "owner"), 0, "no owner address");
	ASSERT_STREQ(f.v.buf + st_member_off(&f.v, "name"), "st_lookup", "name");

	/* Programs may not use a struct_ops map. */
	lookup_prog[3].imm = f.map_fd;
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", lookup_prog,
			   ARRAY_SIZE(lookup_prog), &opts);
	ASSERT_LT(fd, 0, "prog using the map");
	ASSERT_HAS_SUBSTR(log, "bpf_struct_ops map cannot be used in prog", "verifier log");
	if (fd >= 0)
		close(fd);

	ASSERT_OK(st_map_delete(f.map_fd), "delete");
	ASSERT_OK(bpf_map_lookup_elem(f.map_fd, &key, f.v.buf), "lookup deleted");
	ASSERT_EQ(st_value_state(&f.v), ST_STATE_TOBEFREE, "state deleted");
	ASSERT_EQ(st_value_refcnt(&f.v), 0, "refcnt deleted");
out:
	free(zeroes);
	fixture_teardown(&f);
}

static void test_delete(void)
{
	struct fixture f;

	if (!fixture_setup(&f))
		goto out;
	ASSERT_EQ(st_map_delete(f.map_fd), -ENOENT, "delete before update");
	fill_cc(&f.v, f.skel, "st_delete");
	ASSERT_OK(st_map_update(f.map_fd, 0, &f.v), "update");
	ASSERT_TRUE(tcp_cc_available("st_delete"), "registered");
	ASSERT_OK(st_map_delete(f.map_fd), "delete");
	ASSERT_FALSE(tcp_cc_available("st_delete"), "unregistered");
	ASSERT_EQ(st_map_delete(f.map_fd), -EINPROGRESS, "delete twice");
	ASSERT_EQ(st_map_update(f.map_fd, 0, &f.v), -EBUSY, "update after delete");
out:
	fixture_teardown(&f);
}

static void test_seq_show(void)
{
	const char *pin = "/sys/fs/bpf/st_seq_show";
	char out[8192] = "";
	struct fixture f;

	if (!fixture_setup(&f))
		goto out;
	fill_cc(&f.v, f.skel, "st_seq");
	if (!ASSERT_OK(st_map_update(f.map_fd, 0, &f.v), "update"))
		goto out;
	unlink(pin);
	if (!ASSERT_OK(bpf_obj_pin(f.map_fd, pin), "pin"))
		goto delete;
	ASSERT_GT(st_read_str(pin, out, sizeof(out)), 0, "read pinned map");
	if (env.verbosity > VERBOSE_NONE)
		printf("%s", out);
	ASSERT_HAS_SUBSTR(out, "BPF_STRUCT_OPS_STATE_INUSE", "state shown");
	/* Function members hold prog ids; no kernel text address shows. */
	ASSERT_NULL(strstr(out, "ffffffff"), "no kernel address");
	unlink(pin);
delete:
	st_map_delete(f.map_fd);
out:
	fixture_teardown(&f);
}

static void test_dummy(void)
{
	struct struct_ops_cc *cc = NULL;
	struct dummy_st_ops *skel;
	struct st_value v;
	__u64 args[2] = {};
	int map_fd = -1;

	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = args);

	skel = dummy_st_ops__open_and_load();
	if (!ASSERT_OK_PTR(skel, "dummy_st_ops"))
		return;
	if (ASSERT_OK(st_value_init(&v, "bpf_dummy_ops"), "value type")) {
		map_fd = st_map_create(&v);
		if (ASSERT_GE(map_fd, 0, "create")) {
			st_set_u64(&v, "test_1", bpf_program__fd(skel->progs.test_1));
			ASSERT_EQ(st_map_update(map_fd, 0, &v), -EOPNOTSUPP, "update");
			close(map_fd);
		}
		st_value_free(&v);
	}

	/* test_1 takes one argument: ctx must be exactly one u64. */
	topts.ctx_size_in = 2 * sizeof(__u64);
	ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_1), &topts) ?
		  -errno : 0, -EINVAL, "ctx of 2 args for 1");
	topts.ctx_size_in = 0;
	ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_1), &topts) ?
		  -errno : 0, -EINVAL, "no ctx");
	topts.ctx_size_in = sizeof(__u64);
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_1), &topts),
		  "ctx of 1 arg");

	/* Test runs are for bpf_dummy_ops progs only. */
	cc = struct_ops_cc__open_and_load();
	if (ASSERT_OK_PTR(cc, "struct_ops_cc"))
		ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(cc->progs.st_ssthresh), &topts) ?
			  -errno : 0, -EOPNOTSUPP, "test_run of a tcp CC prog");
	struct_ops_cc__destroy(cc);
	dummy_st_ops__destroy(skel);
}

void serial_test_struct_ops_map(void)
{
	if (test__start_subtest("create"))
		test_create();
	if (test__start_subtest("update"))
		test_update();
	if (test__start_subtest("lookup"))
		test_lookup();
	if (test__start_subtest("delete"))
		test_delete();
	if (test__start_subtest("seq_show"))
		test_seq_show();
	if (test__start_subtest("dummy"))
		test_dummy();
}
