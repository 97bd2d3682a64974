// SPDX-License-Identifier: GPL-2.0
/* Native entries: a member whose prog needs nothing of the generic
 * trampoline points at the prog's native entry, which the JIT emitted in
 * the prog's image (see "Native entries" in
 * Documentation/bpf/bpf_struct_ops.rst).  These tests drive congestion
 * controls through st_bench_mod's "trace" file, which calls every member
 * the way TCP does, on two sockets in lockstep, and names the symbol each
 * member points into: bpf_prog_* for a native entry, bpf__* for a
 * trampoline.
 *
 *  traces           each of st_aimd, st_cubic, st_dctcp, bpf_cubic and
 *                   bpf_dctcp in two maps of the same progs: one updated
 *                   with native entries, one with bpf_struct_ops.native_entries=0
 *                   under another name.  Every member of the first points
 *                   into its prog, of the second at a trampoline, and the
 *                   two give the same cwnd, ssthresh and CC state after
 *                   every step.
 *  maps_and_storage a native CC counts its ACKs in a per-CPU array and in
 *                   socket storage: both counts match the calls made.
 *  stats            with BPF stats on, every member points at its
 *                   trampoline (the pinned map says so too): run_cnt
 *                   counts every call; with stats off again the members
 *                   are native, and it counts none.
 *  fentry           an fentry prog on cong_avoid's prog: while it is
 *                   attached, cong_avoid points at its trampoline, which
 *                   enters the prog where fentry hooks it, and fentry
 *                   counts every call; the other members stay native;
 *                   detached, cong_avoid is native again.
 *  run_ctx          st_cc's init calls bpf_getsockopt(), which needs the
 *                   trampoline's run context (it then knows the socket is
 *                   locked): init keeps the trampoline, and gets its
 *                   answer; the other members are native.
 *  folds            st_aimd, st_cubic, st_dctcp, bpf_dctcp and st_args,
 *                   each against a copy loaded with bpf_jit_harden=2,
 *                   which the JIT leaves unfolded (struct_ops_jit shows
 *                   it): the same traces, both native, then both on
 *                   their trampolines (the JIT folds every prog).
 *  args             st_args, whose native entries may take the arguments
 *                   in registers, against st_args_ref, whose progs keep
 *                   their context on the stack: the same bodies fold every
 *                   argument into their state, which stays the same.
 *  sleepable        TCP takes no sleepable prog (its ssthresh loaded
 *                   sleepable is refused, -EINVAL, with the verifier's
 *                   reason), so no CC has one to run; a type that does
 *                   take one keeps it on its trampoline (struct_ops_module
 * native).
 */
#include <sys/syscall.h>
#include <test_progs.h>
#include "struct_ops_helpers.h"
#include "st_aimd.skel.h"
#include "st_cubic.skel.h"
#include "st_dctcp.skel.h"
#include "bpf_cubic.skel.h"
#include "bpf_dctcp.skel.h"
#include "struct_ops_native.skel.h"
#include "struct_ops_native_trace.skel.h"
#include "struct_ops_native_args.skel.h"
#include "struct_ops_cc.skel.h"

#define MOD_PATH	"st_bench_mod/st_bench_mod.ko"
#define TRACE_FILE	"/sys/kernel/debug/st_bench/trace"
#define PIN_PATH	"/sys/fs/bpf/st_native_entries"
/* The symbol a member points into: its prog's, or its trampoline's. */
#define NATIVE		"bpf_prog_"
#define TRAMP		"bpf__tcp_congestion_ops_"

static bool set_native(bool on)
{
	return ASSERT_OK(st_set_native(on), "set native_entries");
}

/* Run a trace of @a against @b; its output in @out. */
static bool run_trace(const char *a, const char *b, int steps, int seed,
		      char *out, size_t size)
{
	char cmd[80];

	snprintf(cmd, sizeof(cmd), "%s %s %d %d", a, b, steps, seed);
	if (!ASSERT_OK(st_write_str(TRACE_FILE, cmd), cmd))
		return false;
	return ASSERT_GT(st_read_str(TRACE_FILE, out, size), 0, "read trace");
}

/* The line after the one @p is in, or NULL. */
static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* The value of line "@key VALUE" in @out, or -1. */
static long get(const char *out, const char *key)
{
	size_t len = strlen(key);
	const char *p;

	for (p = out; p && *p; p = next_line(p))
		if (!strncmp(p, key, len) && p[len] == ' ')
			return strtol(p + len + 1, NULL, 10);
	return -1;
}

/* Check every "entry_@x MEMBER SYMBOL" line: SYMBOL is a prog's if
 * @native, else tcp_congestion_ops_MEMBER's trampoline, and the member
 * ran.  Returns the lines seen.
 */
static int check_entries(const char *out, char x, bool native)
{
	char head[16], member[32], sym[128], want[128], key[48];
	const char *p;
	int n = 0;

	snprintf(head, sizeof(head), "entry_%c ", x);
	for (p = out; p && *p; p = next_line(p)) {
		if (strncmp(p, head, strlen(head)) ||
		    sscanf(p + strlen(head), "%31s %127s", member, sym) != 2)
			continue;
		n++;
		if (native) {
			ASSERT_STRNEQ(sym, NATIVE, strlen(NATIVE), member);
		} else {
			snprintf(want, sizeof(want), TRAMP "%s", member);
			ASSERT_STREQ(sym, want, member);
		}
		snprintf(key, sizeof(key), "calls_%s", member);
		ASSERT_GT(get(out, key), 0, key);
	}
	return n;
}

/* A trace of 400 steps in @out: both CCs kept the same state throughout,
 * and the window moved.
 */
static void check_lockstep(const char *out)
{
	if (env.verbosity > VERBOSE_NONE)
		printf("%s", out);
	ASSERT_EQ(get(out, "steps"), 400, "steps");
	ASSERT_EQ(get(out, "differ"), 0, "steps that differ");
	ASSERT_EQ(get(out, "first_diff"), 0, "first difference");
	ASSERT_GE(get(out, "cwnd_changes"), 20, "cwnd moved");
}

/* A dup of the prog of @obj with the name of prog @fd, or -1. */
static int same_prog_in(struct bpf_object *obj, int fd)
{
	struct bpf_program *prog, *found = NULL;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int n = 0;

	if (!ASSERT_OK(bpf_obj_get_info_by_fd(fd, &info, &len), "prog info"))
		return -1;
	/* info.name is cut at BPF_OBJ_NAME_LEN - 1 */
	bpf_object__for_each_program(prog, obj) {
		if (!strncmp(bpf_program__name(prog), info.name,
			     strlen(info.name))) {
			found = prog;
			n++;
		}
	}
	if (!ASSERT_EQ(n, 1, info.name))
		return -1;
	return dup(bpf_program__fd(found));
}

/* A map of @map_fd's type and contents, under the name @twin: with @other
 * NULL the same progs, else the progs of the same names in @other;
 * updated (and so registered) with native entries on if @native, else
 * behind generic trampolines.  Its fd, or -1.
 */
static int make_twin(int map_fd, const char *twin, struct bpf_object *other,
		     bool native)
{
	const struct btf_member *m;
	struct st_value v;
	__u32 zero = 0, id;
	int i, off, fd = -1, err, *fds;
	__u64 *slot;

	if (!ASSERT_OK(st_value_init(&v, "tcp_congestion_ops"), "value type"))
		return -1;
	fds = calloc(btf_vlen(v.ops), sizeof(*fds));
	if (!ASSERT_OK_PTR(fds, "calloc") ||
	    !ASSERT_OK(bpf_map_lookup_elem(map_fd, &zero, v.buf), "lookup"))
		goto out;
	/* Lookup gives the state and refcount: a new value has neither. */
	memset(v.buf, 0, v.data_off);
	/* ... and prog ids where the update had prog fds. */
	for (i = 0, m = btf_members(v.ops); i < btf_vlen(v.ops); i++, m++) {
		if (!btf_is_ptr(btf__type_by_id(v.btf, m->type)))
			continue;
		off = v.data_off + btf_member_bit_offset(v.ops, i) / 8;
		slot = v.buf + off;
		id = *slot;
		if (!id)
			continue;
		fds[i] = bpf_prog_get_fd_by_id(id);
		if (!ASSERT_GE(fds[i], 0, "prog fd"))
			goto out;
		if (other) {
			err = same_prog_in(other, fds[i]);
			close(fds[i]);
			fds[i] = err;
			if (err < 0)
				goto out;
		}
		*slot = fds[i];
	}
	st_set_name(&v, twin);
	fd = st_map_create(&v);
	if (!ASSERT_GE(fd, 0, "twin map"))
		goto out;
	if (!set_native(native)) {
		close(fd);
		fd = -1;
		goto out;
	}
	err = st_map_update(fd, 0, &v);
	set_native(true);
	if (!ASSERT_OK(err, "twin update")) {
		close(fd);
		fd = -1;
	}
out:
	for (i = 0; fds && i < btf_vlen(v.ops); i++)
		if (fds[i] > 0)
			close(fds[i]);
	free(fds);
	st_value_free(&v);
	return fd;
}

/* @map under @name, native if @native, and its twin: with @other NULL,
 * generic under "@name_g"; else the same progs of @other under "@name_h",
 * entered as @map's are.  The traces of the two.
 */
static void twins(struct bpf_map *map, const char *name,
		  struct bpf_object *other, bool native)
{
	struct bpf_link *link = NULL;
	static char out[4096];
	int twin_fd = -1;
	char twin[16];

	snprintf(twin, sizeof(twin), "%s_%c", name, other ? 'h' : 'g');
	if (!set_native(native))
		return;
	link = bpf_map__attach_struct_ops(map);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	twin_fd = make_twin(bpf_map__fd(map), twin, other, other && native);
	if (twin_fd < 0)
		goto out;
	if (!run_trace(name, twin, 400, 42, out, sizeof(out)))
		goto out;
	check_lockstep(out);
	ASSERT_GE(check_entries(out, 'a', native), 3, "first map's entries");
	ASSERT_GE(check_entries(out, 'b', other && native), 3, "twin's entries");
out:
	if (twin_fd >= 0) {
		ASSERT_OK(st_map_delete(twin_fd), "twin delete");
		close(twin_fd);
	}
	bpf_link__destroy(link);
	set_native(true);
}

static void test_traces(void)
{
	struct st_aimd *aimd = st_aimd__open_and_load();
	struct st_cubic *cubic = st_cubic__open_and_load();
	struct st_dctcp *dctcp = st_dctcp__open_and_load();
	struct bpf_cubic *bcubic = bpf_cubic__open_and_load();
	struct bpf_dctcp *bdctcp = bpf_dctcp__open_and_load();

	if (ASSERT_OK_PTR(aimd, "st_aimd"))
		twins(aimd->maps.st_aimd, "st_aimd", NULL, true);
	if (ASSERT_OK_PTR(cubic, "st_cubic"))
		twins(cubic->maps.st_cubic, "st_cubic", NULL, true);
	if (ASSERT_OK_PTR(dctcp, "st_dctcp"))
		twins(dctcp->maps.st_dctcp, "st_dctcp", NULL, true);
	if (ASSERT_OK_PTR(bcubic, "bpf_cubic"))
		twins(bcubic->maps.cubic, "bpf_cubic", NULL, true);
	if (ASSERT_OK_PTR(bdctcp, "bpf_dctcp"))
		/* Its init calls bpf_setsockopt() only for a fallback CC; with
		 * none set (.rodata), the verifier drops those calls, and init
		 * runs from its native entry too.  See test_run_ctx() for a prog that calls one.
		 */
		twins(bdctcp->maps.dctcp, "bpf_dctcp", NULL, true);
	bpf_dctcp__destroy(bdctcp);
	bpf_cubic__destroy(bcubic);
	st_dctcp__destroy(dctcp);
	st_cubic__destroy(cubic);
	st_aimd__destroy(aimd);
}

/* st_native, registered with native entries; NULL on failure. */
static struct struct_ops_native *native_cc(struct bpf_link **link)
{
	struct struct_ops_native *skel;

	*link = NULL;
	if (!set_native(true))
		return NULL;
	skel = struct_ops_native__open_and_load();
	if (!ASSERT_OK_PTR(skel, "open_and_load"))
		return NULL;
	*link = bpf_map__attach_struct_ops(skel->maps.st_native);
	if (!ASSERT_OK_PTR(*link, "attach")) {
		struct_ops_native__destroy(skel);
		return NULL;
	}
	return skel;
}

static void test_maps_and_storage(void)
{
	struct struct_ops_native *skel;
	struct bpf_link *link;
	static char out[4096];
	long calls, restarts;
	__u64 sum;

	skel = native_cc(&link);
	if (!skel)
		return;
	if (!run_trace("st_native", "st_native", 300, 7, out, sizeof(out)))
		goto out;
	ASSERT_GE(check_entries(out, 'a', true), 4, "native entries");
	ASSERT_EQ(get(out, "differ"), 0, "steps that differ");
	calls = get(out, "calls_cong_avoid");
	restarts = get(out, "restarts");
	ASSERT_GT(calls, 0, "cong_avoid calls");
	/* Two sockets per run, each created its storage in init and counted
	 * its own ACKs there; the array counted both.
	 */
	ASSERT_OK(st_percpu_sum(skel->maps.acks, &sum), "per-CPU lookup");
	ASSERT_EQ(sum, 2 * calls, "per-CPU count");
	ASSERT_EQ(skel->bss->storage_created, 2 * (restarts + 1),
		  "storages created");
	ASSERT_GT(skel->bss->storage_max, 0, "storage count");
	ASSERT_LE(skel->bss->storage_max, calls, "storage count bound");
	if (!restarts)
		ASSERT_EQ(skel->bss->storage_max, calls, "storage count");
out:
	bpf_link__destroy(link);
	struct_ops_native__destroy(skel);
}

static __u64 run_cnt(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (!ASSERT_OK(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info,
					      &len), "prog info"))
		return ~0ULL;
	return info.run_cnt;
}

/* Does @map say that @member points at @where (st_member_points())? */
static bool pinned_says(struct bpf_map *map, const char *member,
			const char *where)
{
	int ret = st_member_points(bpf_map__fd(map), PIN_PATH, member, where);

	ASSERT_GE(ret, 0, "read pinned map");
	return ret > 0;
}

static void test_stats(void)
{
	struct struct_ops_native *skel;
	struct bpf_link *link;
	static char out[4096];
	__u64 before, during;
	long calls;
	int stats_fd;

	skel = native_cc(&link);
	if (!skel)
		return;
	ASSERT_TRUE(pinned_says(skel->maps.st_native, "cong_avoid", "native"),
		    "native before stats");
	before = run_cnt(skel->progs.native_cong_avoid);
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (!ASSERT_GE(stats_fd, 0, "enable stats"))
		goto out;
	ASSERT_TRUE(pinned_says(skel->maps.st_native, "cong_avoid",
				"trampoline"), "trampoline with stats");
	if (!run_trace("st_native", "st_native", 100, 3, out, sizeof(out))) {
		close(stats_fd);
		goto out;
	}
	during = run_cnt(skel->progs.native_cong_avoid);
	close(stats_fd);
	calls = get(out, "calls_cong_avoid");
	ASSERT_GT(calls, 0, "cong_avoid calls");
	/* Every call of both sockets went through the generic trampoline. */
	ASSERT_EQ(during - before, 2 * calls, "run_cnt with stats on");
	ASSERT_GE(check_entries(out, 'a', false), 4, "trampolines with stats");

	/* Stats off: the native entries run the progs, and count nothing. */
	ASSERT_TRUE(pinned_says(skel->maps.st_native, "cong_avoid", "native"),
		    "native after stats");
	if (!run_trace("st_native", "st_native", 100, 4, out, sizeof(out)))
		goto out;
	ASSERT_GT(get(out, "calls_cong_avoid"), 0, "cong_avoid calls");
	ASSERT_GE(check_entries(out, 'a', true), 4, "native after stats");
	ASSERT_EQ(run_cnt(skel->progs.native_cong_avoid), during,
		  "run_cnt with stats off");
out:
	bpf_link__destroy(link);
	struct_ops_native__destroy(skel);
}

/* Does "entry_@x @member SYMBOL" in @out have SYMBOL start with @sym? */
static bool entry_is(const char *out, char x, const char *member,
		     const char *sym)
{
	char line[128];

	snprintf(line, sizeof(line), "entry_%c %s %s", x, member, sym);
	return strstr(out, line);
}

static void test_fentry(void)
{
	struct struct_ops_native_trace *trace = NULL;
	struct struct_ops_native *skel;
	struct bpf_link *link;
	static char out[4096];
	long calls;

	skel = native_cc(&link);
	if (!skel)
		return;
	trace = struct_ops_native_trace__open();
	if (!ASSERT_OK_PTR(trace, "trace open") ||
	    !ASSERT_OK(bpf_program__set_attach_target(trace->progs.count_calls,
			bpf_program__fd(skel->progs.native_cong_avoid),
			"native_cong_avoid"), "set target") ||
	    !ASSERT_OK(struct_ops_native_trace__load(trace), "trace load") ||
	    !ASSERT_OK(struct_ops_native_trace__attach(trace), "trace attach"))
		goto out;
	ASSERT_TRUE(pinned_says(skel->maps.st_native, "cong_avoid",
				"trampoline"), "traced: trampoline");
	ASSERT_TRUE(pinned_says(skel->maps.st_native, "ssthresh", "native"),
		    "untraced: native");
	if (!run_trace("st_native", "st_native", 100, 5, out, sizeof(out)))
		goto out;
	calls = get(out, "calls_cong_avoid");
	ASSERT_GT(calls, 0, "cong_avoid calls");
	ASSERT_EQ(trace->bss->hits, 2 * calls, "fentry saw every call");
	ASSERT_TRUE(entry_is(out, 'a', "cong_avoid", TRAMP "cong_avoid\n"),
		    "traced member at its trampoline");
	ASSERT_TRUE(entry_is(out, 'a', "ssthresh", NATIVE),
		    "other members native");
	ASSERT_EQ(get(out, "differ"), 0, "steps that differ");

	/* Detached: the member takes its native entry again. */
	struct_ops_native_trace__destroy(trace);
	trace = NULL;
	ASSERT_TRUE(pinned_says(skel->maps.st_native, "cong_avoid", "native"),
		    "untraced again: native");
	if (!run_trace("st_native", "st_native", 50, 6, out, sizeof(out)))
		goto out;
	ASSERT_TRUE(entry_is(out, 'a', "cong_avoid", NATIVE),
		    "native after detach");
out:
	struct_ops_native_trace__destroy(trace);
	bpf_link__destroy(link);
	struct_ops_native__destroy(skel);
}

static void test_run_ctx(void)
{
	struct struct_ops_cc *skel;
	struct bpf_link *link;
	static char out[4096];

	if (!set_native(true))
		return;
	skel = struct_ops_cc__open_and_load();
	if (!ASSERT_OK_PTR(skel, "open_and_load"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_cc);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	if (!run_trace("st_cc", "st_cc", 50, 5, out, sizeof(out)))
		goto out;
	ASSERT_TRUE(entry_is(out, 'a', "init", TRAMP "init\n"),
		    "init keeps the trampoline");
	ASSERT_TRUE(entry_is(out, 'a', "ssthresh", NATIVE),
		    "ssthresh is native");
	ASSERT_TRUE(entry_is(out, 'a', "cong_avoid", NATIVE),
		    "cong_avoid is native");
	ASSERT_GT(skel->bss->init_cnt, 0, "init ran");
	ASSERT_EQ(skel->data->getsockopt_ret, 0, "bpf_getsockopt");
	ASSERT_STREQ(skel->bss->cc_seen, "st_cc", "CC seen from init");
	ASSERT_EQ(get(out, "differ"), 0, "steps that differ");
out:
	bpf_link__destroy(link);
	struct_ops_cc__destroy(skel);
}

#define HARDEN	"/proc/sys/net/core/bpf_jit_harden"

/*
 * Each CC loaded twice, the second time with bpf_jit_harden=2: blinding
 * rewrites every constant into a sequence through the JIT's scratch
 * register, so that what the JIT folds in the first copy (see "Folds" in
 * the x86 JIT) it cannot in the second; both must do the same, through
 * their native entries and through their trampolines.  Only
 * CCs that do not read jiffies: bpf_cubic does, and a twin that is slower
 * meets more clock ticks between the two sockets' calls.  One round:
 * entered natively if @native, else through their trampolines.  A map
 * serves one registration: each round loads its own.
 */
static void folds_round(bool native)
{
	struct st_aimd *aimd = st_aimd__open_and_load(), *aimd_h = NULL;
	struct st_cubic *cubic = st_cubic__open_and_load(), *cubic_h = NULL;
	struct st_dctcp *dctcp = st_dctcp__open_and_load(), *dctcp_h = NULL;
	struct bpf_dctcp *bdctcp = bpf_dctcp__open_and_load(), *bdctcp_h = NULL;
	struct struct_ops_native_args *args = struct_ops_native_args__open_and_load();
	struct struct_ops_native_args *args_h = NULL;
	char harden[8] = "0";

	if (!ASSERT_GT(st_read_str(HARDEN, harden, sizeof(harden)), 0, HARDEN) ||
	    !ASSERT_OK(st_write_str(HARDEN, "2"), "harden"))
		goto out;
	aimd_h = st_aimd__open_and_load();
	cubic_h = st_cubic__open_and_load();
	dctcp_h = st_dctcp__open_and_load();
	bdctcp_h = bpf_dctcp__open_and_load();
	args_h = struct_ops_native_args__open_and_load();
	ASSERT_OK(st_write_str(HARDEN, harden), "harden back");

	if (ASSERT_OK_PTR(aimd, "st_aimd") && ASSERT_OK_PTR(aimd_h, "st_aimd_h"))
		twins(aimd->maps.st_aimd, "st_aimd", aimd_h->obj, native);
	if (ASSERT_OK_PTR(cubic, "st_cubic") &&
	    ASSERT_OK_PTR(cubic_h, "st_cubic_h"))
		twins(cubic->maps.st_cubic, "st_cubic", cubic_h->obj, native);
	if (ASSERT_OK_PTR(dctcp, "st_dctcp") &&
	    ASSERT_OK_PTR(dctcp_h, "st_dctcp_h"))
		twins(dctcp->maps.st_dctcp, "st_dctcp", dctcp_h->obj, native);
	if (ASSERT_OK_PTR(bdctcp, "bpf_dctcp") &&
	    ASSERT_OK_PTR(bdctcp_h, "bpf_dctcp_h"))
		twins(bdctcp->maps.dctcp, "bpf_dctcp", bdctcp_h->obj, native);
	if (ASSERT_OK_PTR(args, "st_args") && ASSERT_OK_PTR(args_h, "st_args_h"))
		twins(args->maps.st_args, "st_args", args_h->obj, native);
out:
	struct_ops_native_args__destroy(args_h);
	struct_ops_native_args__destroy(args);
	bpf_dctcp__destroy(bdctcp_h);
	bpf_dctcp__destroy(bdctcp);
	st_dctcp__destroy(dctcp_h);
	st_dctcp__destroy(dctcp);
	st_cubic__destroy(cubic_h);
	st_cubic__destroy(cubic);
	st_aimd__destroy(aimd_h);
	st_aimd__destroy(aimd);
}

static void test_folds(void)
{
	/* the JIT folds every prog: both ways */
	folds_round(true);
	folds_round(false);
}

/*
 * st_args against st_args_ref: the same bodies, arguments read straight
 * from the context against through a copy of its pointer on the stack,
 * both through native entries.  Every argument of every call goes into
 * their state, which must stay the same.
 */
static void test_args(void)
{
	struct bpf_link *link = NULL, *ref_link = NULL;
	struct struct_ops_native_args *skel;
	static char out[4096];

	if (!set_native(true))
		return;
	skel = struct_ops_native_args__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_native_args"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_args);
	ref_link = bpf_map__attach_struct_ops(skel->maps.st_args_ref);
	if (!ASSERT_OK_PTR(link, "attach st_args") ||
	    !ASSERT_OK_PTR(ref_link, "attach st_args_ref") ||
	    !run_trace("st_args", "st_args_ref", 400, 11, out, sizeof(out)))
		goto out;
	check_lockstep(out);
	ASSERT_EQ(check_entries(out, 'a', true), 8, "native entries");
	ASSERT_EQ(check_entries(out, 'b', true), 8, "native entries, ref");
out:
	bpf_link__destroy(ref_link);
	bpf_link__destroy(link);
	struct_ops_native_args__destroy(skel);
}

/* What the verifier says of a sleepable prog on a TCP CC's member. */
#define NO_SLEEP_REASON \
	"member ssthresh of struct tcp_congestion_ops does not take a sleepable prog"

static void test_sleepable(void)
{
	struct struct_ops_native *skel;
	static char log[16384];
	int err;

	skel = struct_ops_native__open();
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	bpf_program__set_flags(skel->progs.native_ssthresh, BPF_F_SLEEPABLE);
	bpf_program__set_log_buf(skel->progs.native_ssthresh, log, sizeof(log));
	err = struct_ops_native__load(skel);
	ASSERT_EQ(err, -EINVAL, "sleepable ssthresh refused");
	ASSERT_HAS_SUBSTR(log, NO_SLEEP_REASON, "verifier's reason");
	struct_ops_native__destroy(skel);
}

void test_struct_ops_native(void)
{
	/* Loaded once and left loaded: guest-check.sh may have loaded it. */
	if (!ASSERT_OK(st_load_module(MOD_PATH), "load " MOD_PATH))
		return;
	if (test__start_subtest("traces"))
		test_traces();
	if (test__start_subtest("maps_and_storage"))
		test_maps_and_storage();
	if (test__start_subtest("stats"))
		test_stats();
	if (test__start_subtest("fentry"))
		test_fentry();
	if (test__start_subtest("run_ctx"))
		test_run_ctx();
	if (test__start_subtest("args"))
		test_args();
	if (test__start_subtest("folds"))
		test_folds();
	if (test__start_subtest("sleepable"))
		test_sleepable();
}
