// SPDX-License-Identifier: GPL-2.0
/*
 * A struct_ops type that a module defines: struct st_modops of
 * st_modops_mod (tools/testing/selftests/bpf/st_modops), 42 function
 * members that the module calls: 8 with six arguments, one whose argument
 * may be NULL, one that may sleep; and spare, ret_ptr, deep and seven,
 * for the subtests below.
 *  libbpf_1_5  st_modops (on libbpf 1.5) loads a table of 42 progs against
 *              the module's BTF, the last sleepable, links it with
 *              bpf_struct_ops.native_entries=0, and the module calls every member
 *              (nullable with NULL and without) through its trampoline:
 *              each returns what it should; the 42 trampolines' symbols
 *              span more than one page and go with the map
 *  native      the same with native entries, which the module's type
 *              allows: the 41 members that do not sleep point into their
 *              progs (six arguments, a NULL one, all in place), sleepable
 *              keeps its trampoline, whose symbol is the only one until
 *              BPF stats move the 41 to their trampolines and their 41
 *              symbols go in too
 *  max_pages   with bpf_struct_ops.image_max_pages at 1, the same table's
 *              update fails with -E2BIG and leaves no symbol; at 2 it
 *              fits
 *  nullable    a prog that dereferences nullable's argument unchecked is
 *              refused, with the verifier's reason
 *  sleepable   a sleepable prog on a member that may not sleep is
 *              refused, with the verifier's reason
 *  ids         bpf_struct_ops_id() gives the module's reg, update and
 *              unreg the id user space sees of each map they are handed:
 *              a link made on map A, moved to map B, destroyed
 *  assoc       BPF_PROG_ASSOC_STRUCT_OPS and the module's kfunc that asks
 *              for the calling prog's table: a syscall prog is tied to
 *              map A (its id once A is filled, 0 before), not again to B
 *              (-EBUSY), each bad attribute refused with its errno; a
 *              member prog finds the map it is in, and nothing once it
 *              is in two; the tied prog holds A until it is closed
 *  private_stack  deep's prog, whose two frames take 640 bytes of stack,
 *              loads on deep, which the module gives a private stack, and
 *              returns what it should; its subprog's buffer is not on the
 *              task's stack, where m0's prog's is; its call of deep from
 *              inside itself is skipped (0), counted as a recursion miss
 *              and reported to the module once; the member keeps its
 *              trampoline
 *  deep_refused   the same prog on m0, which has no private stack: the
 *              verifier refuses it, -EACCES, the frames' sum too large
 *  register    the module's init got -EEXIST for a second type of the
 *              same name, -EINVAL for one whose struct is in no BTF and
 *              for one whose stub of a member is not of its type
 *  map_create  the map attributes for a module's value type, each wrong
 *              one refused with its errno
 *  ctx_past_args  no member's prog may read the context past its last
 *              argument (-EACCES, the verifier naming the member), m25,
 *              m26 and m27 included, whose indexes are also the numbers
 *              of BPF_TRACE_FEXIT, BPF_MODIFY_RETURN and BPF_LSM_MAC, and
 *              ret_ptr, member 43 (BPF_LSM_CGROUP), which returns a
 *              pointer that the slot would have been typed as
 *  seven_args  seven, a member of seven arguments, one more than a
 *              native entry takes: a prog reading the seventh loads (the
 *              verifier still looks for its native-entry facts; it once
 *              oopsed there), one reading an eighth is refused, -EACCES
 *  unload      rmmod is refused while a map of the type exists, and
 *              succeeds once it is gone, though a prog of the type is
 *              still loaded; then the type is gone too, and once the
 *              module is back, its new type takes no prog of the old
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <test_progs.h>
#include <bpf/btf.h>

#include "struct_ops_helpers.h"

#define MOD_NAME	"st_modops_mod"
#define MOD_PATH	"st_modops_mod/st_modops_mod.ko"
#define ST_MODOPS	"./st_modops/st_modops"
/* The members the module calls: all but spare, ret_ptr and seven. */
#define NR_FUNCS	42
/* nullable is called twice: with NULL and without. */
#define NR_CALLS	(NR_FUNCS + 1)

static int unload_mod(void)
{
	return syscall(__NR_delete_module, MOD_NAME, O_NONBLOCK) ? -errno : 0;
}

/* rmmod, waiting for the maps of the type to be freed: from a work item,
 * after RCU grace periods.
 */
static int unload_mod_wait(void)
{
	struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	int err, i;

	for (i = 0; i < 200; i++) {
		err = unload_mod();
		if (err != -EAGAIN)
			break;
		nanosleep(&tick, NULL);
	}
	return err;
}

/* The module's BTF: an fd of it, the ids of struct st_modops and its value
 * type, the value's size, where its data is, and where in the data its
 * members tag and reserved are.
 */
struct mod_btf {
	int fd;
	__u32 type_id;
	__u32 value_id;
	__u32 value_size;
	__u32 data_off;
	__u32 tag_off;
	__u32 reserved_off;
};

/* The offset of member @name of struct @id in @btf, in bytes, or 0. */
static __u32 member_off(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return btf_member_bit_offset(t, i) / 8;
	return 0;
}

/* BPF_MAP_CREATE wants a btf_fd whatever the value type's BTF is. */
static int tiny_btf_fd = -1;

static int find_mod_btf(struct mod_btf *m)
{
	struct bpf_btf_info info;
	struct btf *vmlinux, *btf;
	char name[64];
	__u32 id = 0, len;
	int fd, vid;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -errno;
	while (!bpf_btf_get_next_id(id, &id)) {
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.name = ptr_to_u64(name);
		info.name_len = sizeof(name);
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    strcmp(name, MOD_NAME)) {
			close(fd);
			continue;
		}
		btf = btf__load_from_kernel_by_id_split(id, vmlinux);
		vid = btf ? btf__find_by_name_kind(btf, "bpf_struct_ops_st_modops",
						   BTF_KIND_STRUCT) : -1;
		if (vid > 0) {
			m->fd = fd;
			m->type_id = btf__find_by_name_kind(btf, "st_modops",
							    BTF_KIND_STRUCT);
			m->value_id = vid;
			m->value_size = btf__resolve_size(btf, vid);
			m->data_off = member_off(btf, vid, "data");
			m->tag_off = member_off(btf, m->type_id, "tag");
			m->reserved_off = member_off(btf, m->type_id, "reserved");
		} else {
			close(fd);
		}
		btf__free(btf);
		btf__free(vmlinux);
		return vid > 0 ? 0 : -ENOENT;
	}
	btf__free(vmlinux);
	return -ENOENT;
}

/* BPF_MAP_CREATE of a struct_ops map, with the attributes given: the
 * tree's libbpf predates value_type_btf_obj_fd.
 */
static int map_create(__u32 type, __u32 flags, __u32 value_id,
		      __u32 value_size, int value_btf_fd)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = 4;
	attr.value_size = value_size;
	attr.max_entries = 1;
	attr.map_flags = flags;
	attr.btf_fd = tiny_btf_fd;
	attr.btf_vmlinux_value_type_id = value_id;
	attr.value_type_btf_obj_fd = value_btf_fd;
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

#define MAX_PAGES	"/sys/module/bpf_struct_ops/parameters/image_max_pages"

/* What st_modops call printed; -1 for a line it did not print. */
struct call_report {
	int progs, attach_err, syms, pages, called, ok, bad, after;
	/* The symbols with BPF stats on: every member on its trampoline. */
	int stats_syms, stats_pages;
	/* Members pointing into their progs, at trampolines; sleepable's. */
	int native, tramp;
	char sleepable_at[16];
	int exit_status, lines;
};

/* One line of st_modops call's report into @r; false for a message. */
static bool parse_call_line(const char *line, struct call_report *r)
{
	return sscanf(line, "progs %d", &r->progs) == 1 ||
	       sscanf(line, "attach_err %d", &r->attach_err) == 1 ||
	       sscanf(line, "symbols %d pages %d", &r->syms, &r->pages) == 2 ||
	       sscanf(line, "called %d ok %d bad %d",
		      &r->called, &r->ok, &r->bad) == 3 ||
	       sscanf(line, "native %d trampoline %d sleepable %15s",
		      &r->native, &r->tramp, r->sleepable_at) == 3 ||
	       sscanf(line, "symbols_stats %d pages %d",
		      &r->stats_syms, &r->stats_pages) == 2 ||
	       sscanf(line, "symbols_after %d", &r->after) == 1;
}

static void st_modops_call(struct call_report *r)
{
	char line[256];
	int status;
	FILE *f;

	memset(r, 0xff, sizeof(*r));
	r->sleepable_at[0] = '\0';
	r->lines = 0;
	f = popen(ST_MODOPS " call 2>&1", "r");
	if (!ASSERT_OK_PTR(f, "popen"))
		return;
	while (fgets(line, sizeof(line), f)) {
		printf("%s", line);
		r->lines += parse_call_line(line, r);
	}
	status = pclose(f);
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* st_modops call with bpf_struct_ops.native_entries at @native: every step succeeded
 * and every member returned what it should; the report in @r.
 */
static bool call_all(struct call_report *r, bool native)
{
	if (!ASSERT_OK(st_set_native(native), "set native_entries"))
		return false;
	st_modops_call(r);
	ASSERT_OK(st_set_native(true), "native_entries back on");
	ASSERT_EQ(r->exit_status, 0, "st_modops");
	ASSERT_EQ(r->lines, 7, "st_modops's report lines");
	ASSERT_EQ(r->progs, NR_FUNCS, "progs loaded");
	ASSERT_EQ(r->attach_err, 0, "attach");
	/* Native entries or not, every member has its trampoline, in
	 * kallsyms once the member points at it.
	 */
	ASSERT_EQ(r->syms, r->tramp, "a symbol per member on its trampoline");
	ASSERT_EQ(r->stats_syms, NR_FUNCS, "a symbol per trampoline with stats");
	ASSERT_GT(r->stats_pages, 1, "trampolines on more than a page");
	ASSERT_EQ(r->called, NR_CALLS, "members called");
	ASSERT_EQ(r->ok, NR_CALLS, "members that returned what they should");
	ASSERT_EQ(r->bad, 0, "members that did not");
	ASSERT_EQ(r->after, 0, "symbols after the map is gone");
	/* A sleepable prog has no native entry to point at. */
	ASSERT_STREQ(r->sleepable_at, "trampoline", "sleepable's entry");
	return true;
}

static void test_libbpf_1_5(void)
{
	struct call_report r;

	if (!call_all(&r, false))
		return;
	ASSERT_EQ(r.native, 0, "members pointing into their progs");
	ASSERT_EQ(r.tramp, NR_FUNCS, "members pointing at trampolines");
}

static void test_native(void)
{
	struct call_report r;

	if (!call_all(&r, true))
		return;
	ASSERT_EQ(r.native, NR_FUNCS - 1, "members pointing into their progs");
	ASSERT_EQ(r.tramp, 1, "members pointing at trampolines");
}

static void test_ids(void)
{
	unsigned int a = 0, b = 0, reg = 0, old = 0, new = 0, unreg = 0;
	char line[256];
	int status, n = 0;
	FILE *f;

	f = popen(ST_MODOPS " ids 2>&1", "r");
	if (!ASSERT_OK_PTR(f, "popen"))
		return;
	while (fgets(line, sizeof(line), f)) {
		printf("%s", line);
		n += sscanf(line, "maps %u %u", &a, &b) == 2 ||
		     sscanf(line, "reg %u", &reg) == 1 ||
		     sscanf(line, "update %u %u", &old, &new) == 2 ||
		     sscanf(line, "unreg %u", &unreg) == 1;
	}
	status = pclose(f);
	if (!ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status), "st_modops ids") ||
	    !ASSERT_EQ(n, 4, "st_modops ids's report lines"))
		return;
	ASSERT_NEQ(a, 0, "map A's id");
	ASSERT_NEQ(b, a, "map B, another map");
	ASSERT_EQ(reg, a, "reg was handed A's table");
	ASSERT_EQ(old, a, "update: the old table, A's");
	ASSERT_EQ(new, b, "update: the new table, B's");
	ASSERT_EQ(unreg, b, "unreg was handed B's table");
}

static int set_max_pages(const char *n)
{
	return st_write_str(MAX_PAGES, n);
}

static void test_max_pages(void)
{
	struct call_report r;

	ASSERT_EQ(set_max_pages("0"), -EINVAL, "0 pages");
	ASSERT_EQ(set_max_pages("9"), -EINVAL, "9 pages");
	if (!ASSERT_OK(set_max_pages("1"), "1 page"))
		return;
	st_modops_call(&r);
	ASSERT_EQ(r.exit_status, 1, "st_modops");
	ASSERT_EQ(r.attach_err, -E2BIG, "update needs 2 pages");
	ASSERT_EQ(r.after, 0, "no symbol left");
	if (ASSERT_OK(set_max_pages("2"), "2 pages")) {
		st_modops_call(&r);
		ASSERT_EQ(r.exit_status, 0, "st_modops");
		ASSERT_EQ(r.attach_err, 0, "fits in 2 pages");
		ASSERT_EQ(r.stats_pages, 2, "on 2 pages");
		ASSERT_EQ(r.ok, NR_CALLS, "members that returned what they should");
	}
	ASSERT_OK(set_max_pages("8"), "back to 8 pages");
}

/* Run st_modops @cmd, echo what it prints and hand each line to @parse,
 * which fills @r.  Returns how many lines @parse took, -1 where the tool
 * did not run or did not exit 0.
 */
static int run_st_modops(const char *cmd,
			 bool (*parse)(const char *line, void *r), void *r)
{
	int status, n = 0;
	char line[256];
	FILE *f;

	snprintf(line, sizeof(line), "%s %s 2>&1", ST_MODOPS, cmd);
	f = popen(line, "r");
	if (!ASSERT_OK_PTR(f, "popen"))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		printf("%s", line);
		n += parse(line, r);
	}
	status = pclose(f);
	if (!ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status), cmd))
		return -1;
	return n;
}

/* st_modops assoc's report: see st_modops_assoc.c. */
struct assoc_report {
	unsigned int a, b;
	long long untied, init, filled, still;
	int errnos[6], tie, again, other, opens, gone;
	long long held;
	unsigned int m0, shared;
};

static bool parse_assoc_line(const char *line, void *report)
{
	struct assoc_report *r = report;
	int *e = r->errnos;

	return sscanf(line, "maps %u %u", &r->a, &r->b) == 2 ||
	       sscanf(line, "untied %lld", &r->untied) == 1 ||
	       sscanf(line, "errnos %d %d %d %d %d %d",
		      &e[0], &e[1], &e[2], &e[3], &e[4], &e[5]) == 6 ||
	       sscanf(line, "tie %d init %lld", &r->tie, &r->init) == 2 ||
	       sscanf(line, "filled %lld", &r->filled) == 1 ||
	       sscanf(line, "again %d other %d still %lld",
		      &r->again, &r->other, &r->still) == 3 ||
	       sscanf(line, "m0 %u", &r->m0) == 1 ||
	       sscanf(line, "shared %u", &r->shared) == 1 ||
	       sscanf(line, "held %d %lld", &r->opens, &r->held) == 2 ||
	       sscanf(line, "released %d", &r->gone) == 1;
}

static void test_assoc(void)
{
	struct assoc_report r;

	memset(&r, 0xff, sizeof(r));
	if (!ASSERT_EQ(run_st_modops("assoc", parse_assoc_line, &r), 10,
		       "st_modops assoc's report lines"))
		return;
	ASSERT_NEQ(r.a, 0, "map A's id");
	ASSERT_NEQ(r.b, r.a, "map B, another map");
	ASSERT_EQ(r.untied, 0, "a prog tied to nothing");
	ASSERT_EQ(r.errnos[0], -EINVAL, "flags");
	ASSERT_EQ(r.errnos[1], -EINVAL, "a nonzero byte past the attribute");
	ASSERT_EQ(r.errnos[2], -EINVAL, "a struct_ops prog");
	ASSERT_EQ(r.errnos[3], -EINVAL, "an array map");
	ASSERT_EQ(r.errnos[4], -EBADF, "a bad prog fd");
	ASSERT_EQ(r.errnos[5], -EBADF, "a bad map fd");
	ASSERT_EQ(r.tie, 0, "tied to A");
	ASSERT_EQ(r.init, 0, "A not filled yet: no table");
	ASSERT_EQ(r.filled, r.a, "A filled: A's table, from prog and subprog");
	ASSERT_EQ(r.again, 0, "tied to A again");
	ASSERT_EQ(r.other, -EBUSY, "not to B besides");
	ASSERT_EQ(r.still, r.a, "still A's table");
	ASSERT_EQ(r.m0, r.a, "a member prog: its map's table");
	ASSERT_EQ(r.shared, 0, "a member prog of two maps: none");
	ASSERT_EQ(r.opens, 1, "the tied prog holds A");
	ASSERT_EQ(r.held, r.a, "and still finds its table");
	ASSERT_EQ(r.gone, 1, "A goes with the prog");
}

/* st_modops deep's report: see st_modops_deep.c; the module's lines in
 * call.
 */
struct deep_report {
	int attach_err, again, on_task_stack, m0_on_task_stack, recursions;
	long long misses;
	struct call_report call;
};

static bool parse_deep_line(const char *line, void *report)
{
	struct deep_report *d = report;

	return sscanf(line, "attach_err %d", &d->attach_err) == 1 ||
	       sscanf(line, "deep_again %d", &d->again) == 1 ||
	       sscanf(line, "on_task_stack %d", &d->on_task_stack) == 1 ||
	       sscanf(line, "m0_on_task_stack %d", &d->m0_on_task_stack) == 1 ||
	       sscanf(line, "misses %lld", &d->misses) == 1 ||
	       sscanf(line, "recursions %d", &d->recursions) == 1 ||
	       parse_call_line(line, &d->call);
}

static void test_private_stack(void)
{
	struct call_report *r;
	struct deep_report d;

	memset(&d, 0xff, sizeof(d));
	r = &d.call;
	if (!ASSERT_EQ(run_st_modops("deep", parse_deep_line, &d), 8,
		       "st_modops deep's report lines"))
		return;
	ASSERT_EQ(d.attach_err, 0, "a table whose prog takes 640 bytes of stack");
	ASSERT_EQ(r->called, 2, "the module called m0 and deep");
	ASSERT_EQ(r->ok, 2, "deep returned the sum of both frames, m0 its own");
	ASSERT_EQ(r->tramp, 1, "deep keeps its trampoline");
	ASSERT_EQ(r->native, 1, "no native entry on a private stack, m0's");
	ASSERT_EQ(d.m0_on_task_stack, 1, "m0's frame is on the task's stack");
	ASSERT_EQ(d.on_task_stack, 0, "deep's subprog's frame is not");
	ASSERT_EQ(d.again, 0, "the nested run was skipped");
	ASSERT_EQ(d.misses, 1, "and counted as a recursion miss");
	ASSERT_EQ(d.recursions, 1, "and reported to the module");
}

/* st_modops @cmd loads a table that the verifier must refuse, @want. */
static void test_refused(const char *cmd, int want)
{
	int status, err = 0, says = -1, parsed = 0;
	char line[512];
	FILE *f;

	snprintf(line, sizeof(line), "%s %s 2>&1", ST_MODOPS, cmd);
	f = popen(line, "r");
	if (!ASSERT_OK_PTR(f, "popen"))
		return;
	while (fgets(line, sizeof(line), f)) {
		printf("%s", line);
		parsed += sscanf(line, "load_err %d", &err) == 1;
		parsed += sscanf(line, "verifier_says %d", &says) == 1;
	}
	status = pclose(f);
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status), "st_modops");
	ASSERT_EQ(parsed, 2, "st_modops's two report lines");
	ASSERT_EQ(err, want, "load refused");
	ASSERT_EQ(says, 1, "the verifier's reason in its log");
}

static void test_register(void)
{
	int again = 0, unknown = 0, badstub = 0, nostub = 1, kcfi = -1;
	FILE *f;

	f = fopen("/sys/kernel/debug/st_modops/register", "r");
	if (!ASSERT_OK_PTR(f, "open register"))
		return;
	ASSERT_EQ(fscanf(f, "again %d unknown %d badstub %d nostub %d kcfi %d",
			 &again, &unknown, &badstub, &nostub, &kcfi), 5,
		  "read register");
	fclose(f);
	ASSERT_EQ(again, -EEXIST, "a name taken");
	ASSERT_EQ(unknown, -EINVAL, "a struct in no BTF");
	ASSERT_EQ(badstub, -EINVAL, "a stub not of its member's type");
	/* Under kCFI a member without a stub would have no hash to carry. */
	ASSERT_EQ(nostub, kcfi ? -EINVAL : 0, "a type without stubs");
}

static void test_map_create(const struct mod_btf *m)
{
	int fd, vmlinux_fd;

	fd = map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			m->value_id, m->value_size, m->fd);
	if (ASSERT_GE(fd, 0, "module value type"))
		close(fd);
	fd = map_create(BPF_MAP_TYPE_STRUCT_OPS,
			BPF_F_VTYPE_BTF_OBJ_FD | BPF_F_LINK, m->value_id,
			m->value_size, m->fd);
	if (ASSERT_GE(fd, 0, "module value type, BPF_F_LINK"))
		close(fd);
	ASSERT_EQ(map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			     m->value_id, m->value_size - 8, m->fd),
		  -EINVAL, "value size");
	/* Without the flag the id is looked up in vmlinux BTF. */
	ASSERT_EQ(map_create(BPF_MAP_TYPE_STRUCT_OPS, 0, m->value_id,
			     m->value_size, 0), -ENOTSUPP, "no flag");
	ASSERT_EQ(map_create(BPF_MAP_TYPE_STRUCT_OPS, 0, m->value_id,
			     m->value_size, m->fd), -EINVAL, "fd without flag");
	vmlinux_fd = bpf_btf_get_fd_by_id(1);
	if (ASSERT_GE(vmlinux_fd, 0, "vmlinux BTF fd")) {
		ASSERT_EQ(map_create(BPF_MAP_TYPE_STRUCT_OPS,
				     BPF_F_VTYPE_BTF_OBJ_FD, m->value_id,
				     m->value_size, vmlinux_fd),
			  -EINVAL, "vmlinux BTF is no module's");
		close(vmlinux_fd);
	}
	ASSERT_EQ(map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			     m->value_id, m->value_size, 10000),
		  -EBADF, "no such fd");
	ASSERT_EQ(map_create(BPF_MAP_TYPE_ARRAY, BPF_F_VTYPE_BTF_OBJ_FD, 0,
			     8, m->fd), -EINVAL, "flag on an array map");
}

/* Load @insns as a prog of member @idx of the type in @m, the verifier's
 * log in @log (NULL: none); its fd, or -errno.
 */
static int load_member_prog(const struct mod_btf *m, __u32 idx,
			    const struct bpf_insn *insns, __u32 n,
			    char *log, __u32 log_size)
{
	struct bpf_prog_load_opts opts = {
		.sz = sizeof(opts),
		.attach_btf_obj_fd = m->fd,
		.attach_btf_id = m->type_id,
		.expected_attach_type = idx,
		.log_buf = log,
		.log_size = log ? log_size : 0,
		.log_level = log ? 1 : 0,
	};
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_STRUCT_OPS, NULL, "GPL", insns, n, &opts);
	return fd < 0 ? -errno : fd;
}

/* A prog of member m0 of the type in @m: "r0 = 0; exit". */
static int load_m0_prog(const struct mod_btf *m)
{
	struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};

	return load_member_prog(m, 0, insns, ARRAY_SIZE(insns), NULL, 0);
}

/*
 * A struct_ops prog's expected_attach_type is its member's index, not an
 * attach type.  The verifier once took indexes 25, 26, 27 and 43 for
 * BPF_TRACE_FEXIT, BPF_MODIFY_RETURN, BPF_LSM_MAC and BPF_LSM_CGROUP, and
 * let the prog read the context slot after its last argument as the
 * return value: a slot a trampoline never writes, and that holds the prog's
 * own stack, or the saved frame pointer, on a native entry; for ret_ptr,
 * a pointer the verifier would have typed as ret_ptr's return type.
 * m0..m31 and ret_ptr take one argument: ctx[0] is theirs, ctx[1] is no
 * one's.
 */
static void test_ctx_past_args(const struct mod_btf *m)
{
	struct bpf_insn read_arg[] = {
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
		BPF_EXIT_INSN(),
	};
	struct bpf_insn read_past[] = {
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 8),
		BPF_EXIT_INSN(),
	};
	static const __u32 members[] = { 0, 24, 25, 26, 27, 28, 43 };
	char log[4096], want[64], name[48], member[16];
	int i, fd;

	for (i = 0; i < (int)ARRAY_SIZE(members); i++) {
		if (members[i] == 43)
			snprintf(member, sizeof(member), "ret_ptr");
		else
			snprintf(member, sizeof(member), "m%u", members[i]);
		snprintf(name, sizeof(name), "%s reads its argument", member);
		fd = load_member_prog(m, members[i], read_arg, ARRAY_SIZE(read_arg),
				      NULL, 0);
		if (ASSERT_GE(fd, 0, name))
			close(fd);
		snprintf(name, sizeof(name), "%s reads ctx[1]", member);
		log[0] = 0;
		fd = load_member_prog(m, members[i], read_past,
				      ARRAY_SIZE(read_past), log, sizeof(log));
		if (!ASSERT_EQ(fd, -EACCES, name) && fd >= 0)
			close(fd);
		snprintf(want, sizeof(want), "'%s'", member);
		ASSERT_HAS_SUBSTR(log, want, "the verifier names the member");
	}
}

/* seven's index: after spare 42, ret_ptr 43 and deep 44. */
#define SEVEN_IDX	45

static void test_seven_args(const struct mod_btf *m)
{
	struct bpf_insn read_7th[] = {
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 6 * 8),
		BPF_EXIT_INSN(),
	};
	struct bpf_insn read_8th[] = {
		BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 7 * 8),
		BPF_EXIT_INSN(),
	};
	char log[4096];
	int fd;

	fd = load_member_prog(m, SEVEN_IDX, read_7th, ARRAY_SIZE(read_7th),
			      log, sizeof(log));
	if (!ASSERT_GE(fd, 0, "seven reads its seventh argument"))
		printf("%s", log);
	else
		close(fd);
	fd = load_member_prog(m, SEVEN_IDX, read_8th, ARRAY_SIZE(read_8th),
			      log, sizeof(log));
	ASSERT_EQ(fd, -EACCES, "seven reads an eighth");
	if (fd >= 0)
		close(fd);
	ASSERT_HAS_SUBSTR(log, "'seven'", "the verifier names the member");
}

/*
 * The compiler leaves three bytes between st_modops's tag and reserved.
 * A value that is right but for one byte set there, any of the three, is
 * refused; the same value with the hole clear registers, which it could
 * not (-EEXIST: the module takes one table at a time) had a refused one
 * stayed registered; and it unregisters on delete.
 */
static void test_padding(const struct mod_btf *m)
{
	__u32 key = 0, hole = m->data_off + m->tag_off + 1;
	__u32 end = m->data_off + m->reserved_off;
	char *value = NULL, what[32];
	int fd = -1, prog_fd;
	__u32 b;

	if (!ASSERT_GT(m->reserved_off, m->tag_off + 1, "a hole after tag"))
		return;
	prog_fd = load_m0_prog(m);
	if (!ASSERT_GE(prog_fd, 0, "prog of m0"))
		return;
	value = calloc(1, m->value_size);
	fd = map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			m->value_id, m->value_size, m->fd);
	if (!ASSERT_OK_PTR(value, "value") || !ASSERT_GE(fd, 0, "map"))
		goto out;
	/* m0 is the first member of the data. */
	*(__u64 *)(value + m->data_off) = prog_fd;
	for (b = hole; b < end; b++) {
		value[b] = 0x80;
		snprintf(what, sizeof(what), "hole byte %u set", b - hole);
		ASSERT_EQ(bpf_map_update_elem(fd, &key, value, 0), -EINVAL, what);
		value[b] = 0;
	}
	ASSERT_OK(bpf_map_update_elem(fd, &key, value, 0), "the hole clear");
	ASSERT_OK(bpf_map_delete_elem(fd, &key), "delete");
out:
	if (fd >= 0)
		close(fd);
	free(value);
	close(prog_fd);
}

/* After the module is back: its type is a new one, which takes no prog
 * of the type that went (@prog_fd, loaded against the old BTF).
 */
static void test_old_prog(int prog_fd)
{
	struct mod_btf m = { .fd = -1 };
	__u32 key = 0;
	void *value;
	int fd;

	if (!ASSERT_OK(st_load_module(MOD_PATH), "load again") ||
	    !ASSERT_OK(find_mod_btf(&m), "the new module BTF"))
		return;
	value = calloc(1, m.value_size);
	fd = map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			m.value_id, m.value_size, m.fd);
	if (ASSERT_GE(fd, 0, "map of the new type") && ASSERT_OK_PTR(value, "value")) {
		/* m0 is the first member of the data. */
		*(__u64 *)(value + m.data_off) = prog_fd;
		ASSERT_EQ(bpf_map_update_elem(fd, &key, value, 0), -EINVAL,
			  "a prog of the old type");
	}
	if (fd >= 0)
		close(fd);
	free(value);
	close(m.fd);
}

static void test_unload(const struct mod_btf *m)
{
	int fd, prog_fd;

	prog_fd = load_m0_prog(m);
	if (!ASSERT_GE(prog_fd, 0, "prog of the module's type"))
		return;
	fd = map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			m->value_id, m->value_size, m->fd);
	if (!ASSERT_GE(fd, 0, "map of the module's type"))
		goto out;
	ASSERT_EQ(unload_mod(), -EAGAIN, "rmmod while a map exists");
	close(fd);
	if (!ASSERT_OK(unload_mod_wait(), "rmmod once the map is gone, a prog left"))
		goto out;
	ASSERT_EQ(access("/sys/module/" MOD_NAME, F_OK), -1, "module gone");
	/* The BTF outlives its module while we hold it; the type does not. */
	ASSERT_EQ(map_create(BPF_MAP_TYPE_STRUCT_OPS, BPF_F_VTYPE_BTF_OBJ_FD,
			     m->value_id, m->value_size, m->fd),
		  -EINVAL, "type gone with its module");
	test_old_prog(prog_fd);
out:
	close(prog_fd);
}

void test_struct_ops_module(void)
{
	struct mod_btf m = { .fd = -1 };

	tiny_btf_fd = st_tiny_btf_fd();
	if (!ASSERT_GE(tiny_btf_fd, 0, "a BTF fd for BPF_MAP_CREATE"))
		return;
	if (!ASSERT_OK(st_load_module(MOD_PATH), "load " MOD_PATH))
		goto out;
	if (!ASSERT_OK(find_mod_btf(&m), "module BTF"))
		goto out;
	if (test__start_subtest("libbpf_1_5"))
		test_libbpf_1_5();
	if (test__start_subtest("native"))
		test_native();
	if (test__start_subtest("max_pages"))
		test_max_pages();
	if (test__start_subtest("nullable"))
		test_refused("bad_null", -EACCES);
	if (test__start_subtest("sleepable"))
		test_refused("bad_sleep", -EINVAL);
	if (test__start_subtest("ids"))
		test_ids();
	if (test__start_subtest("assoc"))
		test_assoc();
	if (test__start_subtest("private_stack"))
		test_private_stack();
	if (test__start_subtest("deep_refused"))
		test_refused("bad_deep", -EACCES);
	if (test__start_subtest("register"))
		test_register();
	if (test__start_subtest("map_create"))
		test_map_create(&m);
	if (test__start_subtest("padding"))
		test_padding(&m);
	if (test__start_subtest("ctx_past_args"))
		test_ctx_past_args(&m);
	if (test__start_subtest("seven_args"))
		test_seven_args(&m);
	if (test__start_subtest("unload"))
		test_unload(&m);
out:
	if (m.fd >= 0)
		close(m.fd);
	close(tiny_btf_fd);
	/* Leave no module behind, whatever failed. */
	unload_mod_wait();
}
