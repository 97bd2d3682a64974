// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress fault: every fallible step of map create, map update (map and
 * link mode), link create and link update made to fail in turn.
 *
 * /proc/thread-self/fail-nth makes the Nth fault point this thread meets
 * fail; the fault points are failslab's kmalloc/kmem_cache_alloc, the page
 * allocator's, and fail_function's functions (ours that are marked with
 * ALLOW_ERROR_INJECTION).  One class at a time is armed, so that each
 * injected failure is known by its class.  For N = 1, 2, ... the operation
 * runs with fail-nth = N until a run leaves fail-nth unconsumed: then no
 * Nth point was met and every point of the path has failed once.
 *
 * After each injected failure: the errno must be documented for the
 * operation, nothing of it may be left half-done (state, registration,
 * symbols, objects), and the same operation without injection must then
 * succeed on the same objects.  A point whose failure the kernel absorbs
 * (a fallback) must leave a complete result instead.  Trampoline symbols
 * are counted by their perf records (stress_ksyms.c), which must agree
 * with kallsyms once an operation's walks are done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "st_stress.h"

#define DBG		"/sys/kernel/debug/"
#define FAULT_CC	"ss_fault"
#define MAX_POINTS	5000
#define PIN_FAULT	"/sys/fs/bpf/ss_fault_map"

/* Ours, marked ALLOW_ERROR_INJECTION: each is armed alone. */
static const char *const fail_functions[] = {
	"st_map_alloc",
	"st_map_emit_member",
	"bpf_struct_ops_image_alloc",
	"bpf_struct_ops_prepare_trampoline",
	"tcp_ca_ops_reg",
	"tcp_ca_ops_validate",
	"bpf_struct_ops_link_create",
	"bpf_struct_ops_map_register",
	"bpf_struct_ops_map_replace",
	"tcp_ca_ops_update",
};

struct fctx {
	struct stress_env *env;
	struct st_value v;
	int map_fd, map2_fd, link_fd, new_fd;
	__u32 map_id, map2_id;
	__u32 id_base;
	int ksyms;
};

struct fault_op {
	const char *name;
	int (*prepare)(struct fctx *c);
	int (*run)(struct fctx *c);
	/* after a failed run: "" when nothing is half-done, else what is */
	const char *(*check_failed)(struct fctx *c);
	/* after a run that succeeded: "" when all of it is done */
	const char *(*check_done)(struct fctx *c);
	void (*cleanup)(struct fctx *c);
	/* the ids of what the operation makes (check_failed's id_base) */
	int (*next_id)(__u32 id, __u32 *next);
};

static int state_of(int map_fd, struct st_value *v)
{
	__u32 key = 0;

	if (bpf_map_lookup_elem(map_fd, &key, v->buf))
		return -errno;
	return st_value_state(v);
}

static int closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return 0;
}

static int link_map_id(int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -errno;
	return info.struct_ops.map_id;
}

/* ---- map create */

static int mc_run(struct fctx *c)
{
	c->new_fd = st_map_create(&c->v);
	return c->new_fd < 0 ? c->new_fd : 0;
}

static const char *mc_failed(struct fctx *c)
{
	__u32 id = c->id_base;

	return bpf_map_get_next_id(id, &id) ? "" : "a map id was left behind";
}

static const char *mc_done(struct fctx *c)
{
	return state_of(c->new_fd, &c->v) == ST_STATE_INIT ? "" :
	       "the new map is not in state INIT";
}

static void mc_cleanup(struct fctx *c)
{
	closefd(&c->new_fd);
}

/* ---- map update, map mode: JIT and registration */

static int mu_prepare_flags(struct fctx *c, __u32 flags)
{
	c->map_fd = st_map_create_flags(&c->v, flags);
	if (c->map_fd < 0)
		return c->map_fd;
	value_fill(c->env, &c->v, FAULT_CC, false);
	return 0;
}

static int mu_prepare(struct fctx *c)
{
	return mu_prepare_flags(c, 0);
}

static int mu_run(struct fctx *c)
{
	/* fill again: a lookup in a check may have overwritten it */
	value_fill(c->env, &c->v, FAULT_CC, false);
	return st_map_update(c->map_fd, 0, &c->v);
}

static const char *mu_failed(struct fctx *c)
{
	__u32 i;

	if (state_of(c->map_fd, &c->v) != ST_STATE_INIT)
		return "the map left state INIT";
	for (i = 0; i < c->v.size; i++)
		if (((char *)c->v.buf)[i])
			return "lookup shows a value in state INIT";
	if (tcp_cc_available(FAULT_CC))
		return "the CC is registered";
	if (ksym_watch_count() > c->ksyms)
		return "trampoline symbols were added";
	return "";
}

/* A filled map has a symbol for each member that points at its
 * trampoline, none for one that calls its prog's native entry.
 */
static const char *ksyms_done(struct fctx *c)
{
	int tramps = st_members_pointing(c->map_fd, PIN_FAULT, "trampoline");

	if (tramps < 0)
		return "the pinned map tells no entries";
	if (ksym_watch_count() != c->ksyms + tramps)
		return "not one trampoline symbol per member on its trampoline";
	return "";
}

static const char *mu_done(struct fctx *c)
{
	if (state_of(c->map_fd, &c->v) != ST_STATE_INUSE)
		return "the map is not INUSE";
	if (!tcp_cc_available(FAULT_CC))
		return "the CC is not registered";
	return ksyms_done(c);
}

static void mu_cleanup(struct fctx *c)
{
	if (state_of(c->map_fd, &c->v) == ST_STATE_INUSE)
		st_map_delete(c->map_fd);
	closefd(&c->map_fd);
}

/* ---- map update, link mode: JIT and validation, no registration */

static int ml_prepare(struct fctx *c)
{
	return mu_prepare_flags(c, BPF_F_LINK);
}

static const char *ml_done(struct fctx *c)
{
	if (state_of(c->map_fd, &c->v) != ST_STATE_READY)
		return "the map is not READY";
	if (tcp_cc_available(FAULT_CC))
		return "a link-mode update registered the CC";
	return "";
}

static void ml_cleanup(struct fctx *c)
{
	closefd(&c->map_fd);
}

/* ---- link create: registration through a link */

static int lc_prepare(struct fctx *c)
{
	int err = ml_prepare(c);

	return err ?: mu_run(c);
}

static int lc_run(struct fctx *c)
{
	c->link_fd = bpf_link_create(c->map_fd, 0, BPF_STRUCT_OPS, NULL);
	return c->link_fd < 0 ? -errno : 0;
}

static const char *lc_failed(struct fctx *c)
{
	__u32 id = c->id_base;

	if (tcp_cc_available(FAULT_CC))
		return "the CC is registered";
	if (state_of(c->map_fd, &c->v) != ST_STATE_READY)
		return "the map left READY";
	if (!bpf_link_get_next_id(id, &id))
		return "a link id was left behind";
	return "";
}

static const char *lc_done(struct fctx *c)
{
	return tcp_cc_available(FAULT_CC) ? "" : "the CC is not registered";
}

static void lc_cleanup(struct fctx *c)
{
	closefd(&c->link_fd);
	closefd(&c->map_fd);
}

/* ---- link update: one table for another, atomically */

static int lu_prepare(struct fctx *c)
{
	int err = lc_prepare(c) ?: lc_run(c);

	if (err)
		return err;
	c->map_id = bpf_fd_id(c->map_fd);
	c->map2_fd = st_map_create_flags(&c->v, BPF_F_LINK);
	if (c->map2_fd < 0)
		return c->map2_fd;
	c->map2_id = bpf_fd_id(c->map2_fd);
	value_fill(c->env, &c->v, FAULT_CC, false);
	return st_map_update(c->map2_fd, 0, &c->v);
}

static int lu_run(struct fctx *c)
{
	return bpf_link_update(c->link_fd, c->map2_fd, NULL) ? -errno : 0;
}

static const char *lu_failed(struct fctx *c)
{
	if (link_map_id(c->link_fd) != (int)c->map_id)
		return "the link left its old map";
	if (!tcp_cc_available(FAULT_CC))
		return "the CC is no longer registered";
	return "";
}

static const char *lu_done(struct fctx *c)
{
	if (link_map_id(c->link_fd) != (int)c->map2_id)
		return "the link does not hold the new map";
	return tcp_cc_available(FAULT_CC) ? "" : "the CC is not registered";
}

static void lu_cleanup(struct fctx *c)
{
	closefd(&c->link_fd);
	closefd(&c->map_fd);
	closefd(&c->map2_fd);
}

static int no_prepare(struct fctx *c)
{
	return 0;
}

static const struct fault_op fault_ops[] = {
	{ "map_create", no_prepare, mc_run, mc_failed, mc_done, mc_cleanup,
	  bpf_map_get_next_id },
	{ "map_update", mu_prepare, mu_run, mu_failed, mu_done, mu_cleanup,
	  bpf_map_get_next_id },
	{ "map_update_link", ml_prepare, mu_run, mu_failed, ml_done, ml_cleanup,
	  bpf_map_get_next_id },
	{ "link_create", lc_prepare, lc_run, lc_failed, lc_done, lc_cleanup,
	  bpf_link_get_next_id },
	{ "link_update", lu_prepare, lu_run, lu_failed, lu_done, lu_cleanup,
	  bpf_link_get_next_id },
};

/* ---- the fault classes */

enum fclass { FC_SLAB, FC_PAGE, FC_FUNC };

static const char *const fclass_name[] = { "slab", "page", "function" };

static int fault_arm(enum fclass fc, const char *func)
{
	char path[256];
	int err = 0;

	/* failslab: off through its cache filter (no cache is marked) */
	err |= st_write_str(DBG "failslab/cache-filter", fc == FC_SLAB ? "N" : "Y");
	err |= st_write_str(DBG "failslab/ignore-gfp-wait", "N");
	/* fail_page_alloc: off by a minimum order no allocation has */
	err |= st_write_str(DBG "fail_page_alloc/min-order", fc == FC_PAGE ? "0" : "11");
	err |= st_write_str(DBG "fail_page_alloc/ignore-gfp-wait", "N");
	err |= st_write_str(DBG "fail_page_alloc/ignore-gfp-highmem", "N");
	err |= st_write_str(DBG "fail_function/inject", "");
	if (fc == FC_FUNC) {
		err |= st_write_str(DBG "fail_function/inject", func);
		snprintf(path, sizeof(path), DBG "fail_function/%s/retval", func);
		/* -ENOMEM, as fail_function's u64 */
		err |= st_write_str(path, "0xfffffffffffffff4");
	}
	return err;
}

static void fault_disarm(void)
{
	st_write_str(DBG "failslab/cache-filter", "N");
	st_write_str(DBG "failslab/ignore-gfp-wait", "Y");
	st_write_str(DBG "fail_page_alloc/min-order", "1");
	st_write_str(DBG "fail_page_alloc/ignore-gfp-wait", "Y");
	st_write_str(DBG "fail_page_alloc/ignore-gfp-highmem", "Y");
	st_write_str(DBG "fail_function/inject", "");
}

static int fault_setup(void)
{
	static const char *const verbose_files[] = {
		DBG "failslab/verbose", DBG "fail_page_alloc/verbose",
		DBG "fail_function/verbose",
	};
	char line[256];
	unsigned int i, found = 0;
	FILE *f;

	/* one line per injected failure would flood the console */
	for (i = 0; i < ARRAY_SIZE(verbose_files); i++)
		if (st_write_str(verbose_files[i], "0")) {
			fprintf(stderr, "[stress] error: %s: %s (%s?)\n",
				verbose_files[i], strerror(errno),
				"CONFIG_FAILSLAB, FAIL_PAGE_ALLOC, FAIL_FUNCTION");
			return -1;
		}
	f = fopen(DBG "error_injection/list", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < ARRAY_SIZE(fail_functions); i++)
			if (!strncmp(line, fail_functions[i], strlen(fail_functions[i])) &&
			    line[strlen(fail_functions[i])] == '\t')
				found |= 1U << i;
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(fail_functions); i++)
		if (!(found & (1U << i))) {
			fprintf(stderr, "[stress] error: %s is not in error_injection/list\n",
				fail_functions[i]);
			return -1;
		}
	return 0;
}

static int nth_set(int nth_fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

static int nth_left(int nth_fd)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

struct op_tally {
	unsigned long points[3];	/* failed, by class */
	unsigned long absorbed[3];	/* injected, and the op succeeded */
	unsigned long bad;		/* checks that did not hold */
};

static const int fault_errnos[] = { ENOMEM, 0 };

/* Clean up after one run, and wait until what it made is freed: the
 * next run's counts start from @ksyms again.
 */
static void walk_cleanup(struct fctx *c, const struct fault_op *op, int ksyms,
			 struct op_tally *t)
{
	int left;

	op->cleanup(c);
	left = ksym_watch_settle(ksyms);
	if (left != ksyms) {
		fprintf(stderr,
			"[stress] error: fault: %s: %d trampoline symbols 10 s after the cleanup, not %d\n",
			op->name, left, ksyms);
		t->bad++;
	}
}

/* One operation, one class: N = 1, 2, ... until the Nth point is not met. */
static int fault_walk(struct fctx *c, const struct fault_op *op, int nth_fd,
		      enum fclass fc, const char *func, struct op_tally *t,
		      struct op_stat *st)
{
	int ret, left, ksyms = ksym_watch_count();
	const char *what;
	unsigned int n;

	for (n = 1; n <= MAX_POINTS; n++) {
		c->map_fd = -1;
		c->map2_fd = -1;
		c->link_fd = -1;
		c->new_fd = -1;
		if (op->prepare(c)) {
			fprintf(stderr, "[stress] error: fault: %s: cannot prepare: %s\n",
				op->name, strerror(errno));
			return -1;
		}
		c->id_base = max_id(op->next_id);
		/* walk_cleanup() brought the count back to the walk's */
		c->ksyms = ksyms;

		if (nth_set(nth_fd, n))
			return -1;
		ret = op->run(c);
		left = nth_left(nth_fd);
		nth_set(nth_fd, 0);

		if (left != 0) {
			/* no Nth point on the path: it ran whole */
			what = ret ? "it failed without an injected failure" :
			       op->check_done(c);
			if (*what) {
				fprintf(stderr, "[stress] error: fault: %s with %u points: %s\n",
					op->name, n - 1, what);
				t->bad++;
			}
			walk_cleanup(c, op, ksyms, t);
			return 0;
		}
		if (!ret) {
			t->absorbed[fc]++;
			what = op->check_done(c);
		} else {
			t->points[fc]++;
			t->bad += stat_record(st, ret);
			what = op->check_failed(c);
			if (!*what) {
				ret = op->run(c);
				what = ret ? "the retry without injection failed" :
				       op->check_done(c);
			}
		}
		if (*what) {
			fprintf(stderr, "[stress] error: fault: %s, %s point %u%s%s: %s\n",
				op->name, fclass_name[fc], n, func ? " " : "",
				func ?: "", what);
			t->bad++;
		}
		walk_cleanup(c, op, ksyms, t);
	}
	fprintf(stderr, "[stress] error: fault: %s: still failing at point %u\n",
		op->name, MAX_POINTS);
	return -1;
}

int stress_fault(struct stress_env *env, const char *ops)
{
	static struct op_stat stats[ARRAY_SIZE(fault_ops)];
	struct op_tally tally[ARRAY_SIZE(fault_ops)] = {};
	unsigned long total[3] = {}, absorbed[3] = {}, bad = 0;
	unsigned long long start = now_ns();
	struct fctx c = { .env = env };
	struct leak_base base;
	unsigned int i, f, nops = 0;
	int nth_fd, err = 0;

	if (fault_setup() || env_value(env, &c.v))
		return 1;
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		fprintf(stderr, "[stress] error: /proc/thread-self/fail-nth: %s\n",
			strerror(errno));
		return 1;
	}
	leak_base_take(&base);
	err = ksym_watch_start();
	if (err) {
		fprintf(stderr, "[stress] error: fault: cannot follow PERF_RECORD_KSYMBOL: %s\n",
			strerror(-err));
		close(nth_fd);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(fault_ops) && !err; i++) {
		const struct fault_op *op = &fault_ops[i];
		struct op_tally *t = &tally[i];

		if (*ops && !strstr(ops, op->name))
			continue;
		nops++;
		stats[i].name = op->name;
		stats[i].expected = fault_errnos;
		err = fault_arm(FC_SLAB, NULL) ?:
		      fault_walk(&c, op, nth_fd, FC_SLAB, NULL, t, &stats[i]);
		err = err ?: fault_arm(FC_PAGE, NULL) ?:
		      fault_walk(&c, op, nth_fd, FC_PAGE, NULL, t, &stats[i]);
		for (f = 0; f < ARRAY_SIZE(fail_functions) && !err; f++)
			err = fault_arm(FC_FUNC, fail_functions[f]) ?:
			      fault_walk(&c, op, nth_fd, FC_FUNC, fail_functions[f],
					 t, &stats[i]);
		fault_disarm();
		t->bad += ksym_watch_check("fault");
		printf("[stress] fault: %-16s %4lu points failed", op->name,
		       t->points[0] + t->points[1] + t->points[2]);
		printf(" (slab %lu, page %lu, function %lu),", t->points[0],
		       t->points[1], t->points[2]);
		printf(" absorbed: slab %lu, page %lu; %lu bad\n", t->absorbed[0],
		       t->absorbed[1], t->bad);
		for (f = 0; f < 3; f++) {
			total[f] += t->points[f];
			absorbed[f] += t->absorbed[f];
		}
		bad += t->bad;
	}
	fault_disarm();
	ksym_watch_stop();
	close(nth_fd);
	free(c.v.buf);
	stat_print("fault", stats, ARRAY_SIZE(stats));
	err |= leak_check("fault", &base, false);
	printf("[stress] fault: %u operations, %lu failure points injected",
	       nops, total[0] + total[1] + total[2]);
	printf(" (slab %lu, page %lu, function %lu), %lu more absorbed by fallbacks,",
	       total[0], total[1], total[2], absorbed[0] + absorbed[1] + absorbed[2]);
	printf(" %lu checks failed, in %.0f s%s\n", bad, (now_ns() - start) / 1e9,
	       err || bad ? "" : "; all held");
	return err || bad || !nops;
}
