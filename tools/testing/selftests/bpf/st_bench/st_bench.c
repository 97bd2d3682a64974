// SPDX-License-Identifier: GPL-2.0
/*
 * st_bench: run in the guest by `make bench`, with st_bench_mod loaded.
 *
 *   st_bench --kernel NAME --clock CLOCK --out DIR [--calls N] [--rounds R]
 *	      [--ops M]
 *
 * 1. Callbacks: registers st_bench_bpf (st_bench_ca.bpf.c), then asks the
 *    module to call each member of it and of st_bench_native N times, R
 *    rounds, and writes DIR/callbacks.csv:
 *	kernel,clock,impl,member,calls,rounds,ticks_min,ticks_max,ns_min,ns_max
 *    per call, the empty loop's share taken off.  Under -icount shift=0 a
 *    tick is an instruction; "calib" rows give ticks for 2,000,000
 *    instructions to show it.  Then it has the module drive both through
 *    the same 2,000 TCP events (its "trace" file): being the same text,
 *    they must agree on cwnd, ssthresh and state after every one.
 * 2. Lifecycle: M times each, on maps it builds from stb_full's programs,
 *    the time the caller waits for map update (3 and 12 members: JIT and
 *    register), delete (unregister) and last close, and the time from that
 *    close until the module saw the map's memory freed; on kernels with
 *    struct_ops links, link map update (JIT only), link create, update and
 *    destroy.  DIR/lifecycle.csv: kernel,clock,op,n,p50_ns,p99_ns,max_ns.
 *
 * Exits non-zero if any figure could not be measured.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "st_bench_ca.skel.h"

#define DEBUGFS		"/sys/kernel/debug/st_bench/"
#define LIFE_CC		"stb_life"

static const char *kernel_name, *clock_name, *out_dir;
static unsigned int nr_calls = 100000, nr_rounds = 3, nr_ops = 1000;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static FILE *open_csv(const char *name, const char *header)
{
	char path[4096];
	FILE *f;
	bool fresh;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	fresh = access(path, F_OK) != 0;
	f = fopen(path, "a");
	if (!f) {
		fprintf(stderr, "st_bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (fresh)
		fprintf(f, "%s\n", header);
	return f;
}

/* ---- 1. callbacks */

#define MAX_ROUNDS	16
static const char * const members[] = {
	"ssthresh", "cong_avoid", "cwnd_event", "pkts_acked", "undo_cwnd",
};

#define NR_MEMBERS	(sizeof(members) / sizeof(*members))

struct run_result {
	unsigned long long loop_ticks[MAX_ROUNDS], loop_ns[MAX_ROUNDS];
	unsigned long long ticks[NR_MEMBERS][MAX_ROUNDS], ns[NR_MEMBERS][MAX_ROUNDS];
	unsigned long long calib_insns, calib_ticks;
};

static int member_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_MEMBERS; i++)
		if (!strcmp(members[i], name))
			return i;
	return -1;
}

static int module_run(const char *cc, struct run_result *res)
{
	unsigned long long ticks, ns;
	unsigned int round, calls;
	char line[256], name[32];
	FILE *f;
	int m, rows = 0;

	f = fopen(DEBUGFS "run", "w");
	if (!f) {
		fprintf(stderr, "st_bench: " DEBUGFS "run: %s (is st_bench_mod loaded?)\n",
			strerror(errno));
		return -1;
	}
	fprintf(f, "%s %u %u\n", cc, nr_calls, nr_rounds);
	if (fclose(f)) {
		fprintf(stderr, "st_bench: run %s: %s\n", cc, strerror(errno));
		return -1;
	}
	f = fopen(DEBUGFS "run", "r");
	if (!f)
		return -1;
	memset(res, 0, sizeof(*res));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "calib %llu %llu", &res->calib_insns, &res->calib_ticks) == 2)
			continue;
		if (sscanf(line, "%31s %u %u %llu %llu", name, &round, &calls, &ticks, &ns) != 5 ||
		    round >= nr_rounds || calls != nr_calls)
			continue;
		if (!strcmp(name, "loop")) {
			res->loop_ticks[round] = ticks;
			res->loop_ns[round] = ns;
			rows++;
			continue;
		}
		m = member_index(name);
		if (m < 0)
			continue;
		res->ticks[m][round] = ticks;
		res->ns[m][round] = ns;
		rows++;
	}
	fclose(f);
	if (rows != (int)((NR_MEMBERS + 1) * nr_rounds) || !res->calib_ticks) {
		fprintf(stderr, "st_bench: %s: the module gave %d of %u rows\n",
			cc, rows, (unsigned int)((NR_MEMBERS + 1) * nr_rounds));
		return -1;
	}
	return 0;
}

/* st_bench_native and st_bench_bpf, call for call: 0 if they agree. */
static int module_trace(void)
{
	char line[256], key[32];
	long val, steps = -1, differ = -1;
	FILE *f;

	f = fopen(DEBUGFS "trace", "w");
	if (!f)
		return -1;
	fprintf(f, "st_bench_native st_bench_bpf 2000 1\n");
	if (fclose(f)) {
		fprintf(stderr, "st_bench: trace: %s\n", strerror(errno));
		return -1;
	}
	f = fopen(DEBUGFS "trace", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %ld", key, &val) != 2)
			continue;
		if (!strcmp(key, "steps"))
			steps = val;
		else if (!strcmp(key, "differ"))
			differ = val;
	}
	fclose(f);
	printf("[bench] %s %s: native and BPF over %ld TCP events: %ld differ\n",
	       kernel_name, clock_name, steps, differ);
	if (steps != 2000 || differ != 0) {
		fprintf(stderr, "st_bench: native and BPF disagree\n");
		return -1;
	}
	return 0;
}

/* Per call, the loop's own share off; min and max over the rounds. */
/*
 * Per call, the empty loop's share taken off: the fastest round of the
 * calls less the fastest round of the loop (lo), and the slowest of the
 * calls less the same (hi).  Noise only adds time, so each fastest round
 * is the closest to the truth; taking the loop off round by round instead
 * would let one slow loop round make a call look free.
 */
static void per_call(const unsigned long long *total, const unsigned long long *loop,
		     double *lo, double *hi)
{
	unsigned long long tmin = total[0], tmax = total[0], lmin = loop[0];
	unsigned int r;

	for (r = 1; r < nr_rounds; r++) {
		if (total[r] < tmin)
			tmin = total[r];
		if (total[r] > tmax)
			tmax = total[r];
		if (loop[r] < lmin)
			lmin = loop[r];
	}
	*lo = ((double)tmin - (double)lmin) / nr_calls;
	*hi = ((double)tmax - (double)lmin) / nr_calls;
}

static int bench_callbacks(struct st_bench_ca *skel)
{
	static const char * const impls[] = { "native", "bpf" };
	static const char * const ccs[] = { "st_bench_native", "st_bench_bpf" };
	struct run_result res;
	struct bpf_link *link;
	unsigned int i, m;
	int err = 0;
	FILE *csv;

	link = bpf_map__attach_struct_ops(skel->maps.st_bench_bpf);
	if (!link) {
		fprintf(stderr, "st_bench: registering st_bench_bpf: %s\n", strerror(errno));
		return -1;
	}
	csv = open_csv("callbacks.csv",
		       "kernel,clock,impl,member,calls,rounds,ticks_min,ticks_max,ns_min,ns_max");
	for (i = 0; i < 2 && !err; i++) {
		err = module_run(ccs[i], &res);
		if (err)
			break;
		fprintf(csv, "%s,%s,%s,calib,%llu,1,%llu,%llu,,\n", kernel_name, clock_name,
			impls[i], res.calib_insns, res.calib_ticks, res.calib_ticks);
		printf("[bench] %s %s: calibration: %llu instructions took %llu TSC ticks\n",
		       kernel_name, clock_name, res.calib_insns, res.calib_ticks);
		for (m = 0; m < NR_MEMBERS; m++) {
			double tlo = 0, thi = 0, nlo = 0, nhi = 0;

			per_call(res.ticks[m], res.loop_ticks, &tlo, &thi);
			per_call(res.ns[m], res.loop_ns, &nlo, &nhi);
			fprintf(csv, "%s,%s,%s,%s,%u,%u,%.2f,%.2f,%.2f,%.2f\n", kernel_name,
				clock_name, impls[i], members[m], nr_calls, nr_rounds,
				tlo, thi, nlo, nhi);
			printf("[bench] %s %s: %-6s %-10s %9.2f ticks/call (%.2f..%.2f), %.2f ns\n",
			       kernel_name, clock_name, impls[i], members[m], tlo, tlo, thi, nlo);
			if (tlo <= 0 || nlo <= 0) {
				fprintf(stderr, "st_bench: %s %s: no cost measured\n",
					impls[i], members[m]);
				err = -1;
			}
		}
	}
	fclose(csv);
	if (!err)
		err = module_trace();
	bpf_link__destroy(link);
	return err;
}

/* ---- 2. lifecycle */

/* Where a struct_ops value keeps what: from the running kernel's BTF. */
struct st_layout {
	__u32 value_type_id;
	__u32 value_size;
	__u32 data_off;			/* the tcp_congestion_ops in the value */
	int obj_btf_fd;			/* map create wants a BTF, any */
	const struct btf *btf;
	const struct btf_type *ops;
};

static int layout_find(struct st_layout *l)
{
	const struct btf_type *vt;
	const struct btf_member *mb;
	struct btf *btf;
	int id, i;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "bpf_struct_ops_tcp_congestion_ops", BTF_KIND_STRUCT);
	if (id < 0)
		return id;
	vt = btf__type_by_id(btf, id);
	l->value_type_id = id;
	l->value_size = vt->size;
	for (i = 0, mb = btf_members(vt); i < btf_vlen(vt); i++, mb++)
		if (!strcmp(btf__name_by_offset(btf, mb->name_off), "data"))
			l->data_off = btf_member_bit_offset(vt, i) / 8;
	id = btf__find_by_name_kind(btf, "tcp_congestion_ops", BTF_KIND_STRUCT);
	if (id < 0 || !l->data_off)
		return -ENOENT;
	l->ops = btf__type_by_id(btf, id);
	l->btf = btf;
	return 0;
}

static int layout_member_off(const struct st_layout *l, const char *name)
{
	const struct btf_member *mb = btf_members(l->ops);
	int i;

	for (i = 0; i < btf_vlen(l->ops); i++, mb++)
		if (!strcmp(btf__name_by_offset(l->btf, mb->name_off), name))
			return l->data_off + btf_member_bit_offset(l->ops, i) / 8;
	return -ENOENT;
}

struct table {
	const char *what;
	unsigned int nr;
	const char *member[12];
	struct bpf_program *prog[12];
};

/* The value user space writes: the CC's name and a prog fd per member. */
static int table_value(const struct st_layout *l, const struct table *t, void *value)
{
	unsigned int i;
	int off;

	memset(value, 0, l->value_size);
	off = layout_member_off(l, "name");
	if (off < 0)
		return off;
	strcpy((char *)value + off, LIFE_CC);
	for (i = 0; i < t->nr; i++) {
		off = layout_member_off(l, t->member[i]);
		if (off < 0)
			return off;
		*(__u64 *)((char *)value + off) = bpf_program__fd(t->prog[i]);
	}
	return 0;
}

static int map_new(const struct st_layout *l, const char *name, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .btf_fd = l->obj_btf_fd,
		    .btf_vmlinux_value_type_id = l->value_type_id,
		    .map_flags = flags);

	return bpf_map_create(BPF_MAP_TYPE_STRUCT_OPS, name, sizeof(int), l->value_size, 1,
			      &opts);
}

struct series {
	const char *op;
	unsigned long long *v;
	unsigned int n;
};

static int cmp_ull(const void *a, const void *b)
{
	const unsigned long long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int series_report(FILE *csv, struct series *s)
{
	unsigned long long p50, p99, max;

	if (s->n < nr_ops) {
		fprintf(stderr, "st_bench: %s: %u of %u operations measured\n",
			s->op, s->n, nr_ops);
		return -1;
	}
	qsort(s->v, s->n, sizeof(*s->v), cmp_ull);
	p50 = s->v[(s->n - 1) * 50 / 100];
	p99 = s->v[(s->n - 1) * 99 / 100];
	max = s->v[s->n - 1];
	fprintf(csv, "%s,%s,%s,%u,%llu,%llu,%llu\n", kernel_name, clock_name, s->op, s->n,
		p50, p99, max);
	printf("[bench] %s %s: %-14s n=%u p50 %9.1f us  p99 %9.1f us  max %9.1f us\n",
	       kernel_name, clock_name, s->op, s->n, p50 / 1e3, p99 / 1e3, max / 1e3);
	return 0;
}

static struct series *series_new(const char *op)
{
	struct series *s = calloc(1, sizeof(*s));

	if (s)
		s->v = calloc(nr_ops, sizeof(*s->v));
	if (!s || !s->v)
		exit(1);
	s->op = op;
	return s;
}

/* Run CALL; on success add the time it took to series S. */
#define TIMED(s, call) ({						\
	struct series *__s = (s);					\
	unsigned long long __t0 = now_ns();				\
	int __err = (call);						\
	if (!__err)							\
		__s->v[__s->n++] = now_ns() - __t0;			\
	__err;								\
})

/*
 * The frees the module saw: for each name in @names, its free time less
 * @closed[i].  Waits until all have come, or gives up after @wait_s.
 */
static int collect_frees(struct series *s, char (*names)[16], unsigned long long *closed,
			 unsigned int n, unsigned int wait_s)
{
	unsigned long long deadline = now_ns() + wait_s * 1000000000ULL, ns;
	unsigned int i, missed = 0;
	char line[128], name[32];
	FILE *f;

	do {
		s->n = 0;
		f = fopen(DEBUGFS "frees", "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "missed %u", &missed) == 1)
				continue;
			if (sscanf(line, "%31s %llu", name, &ns) != 2)
				continue;
			for (i = 0; i < n; i++)
				if (!strcmp(names[i], name) && s->n < nr_ops)
					s->v[s->n++] = ns - closed[i];
		}
		fclose(f);
		if (s->n == n)
			return 0;
		usleep(20000);
	} while (now_ns() < deadline && !missed);
	fprintf(stderr, "st_bench: %s: %u of %u frees seen (%u missed by the probe)\n",
		s->op, s->n, n, missed);
	return -1;
}

static int frees_reset(void)
{
	FILE *f = fopen(DEBUGFS "frees", "w");

	if (!f)
		return -1;
	fputs("0\n", f);
	return fclose(f);
}

/* update, delete, last close and free of a map-mode struct_ops map */
static int bench_map_mode(FILE *csv, const struct st_layout *l, const struct table *t)
{
	char op[4][32], (*names)[16] = calloc(nr_ops, 16);
	unsigned long long *closed = calloc(nr_ops, sizeof(*closed));
	struct series *s[4];
	void *value = malloc(l->value_size);
	unsigned int i, zero = 0;
	int fd, err = 0;

	if (!names || !closed || !value || table_value(l, t, value) || frees_reset())
		return -1;
	snprintf(op[0], 32, "update_%u", t->nr);
	snprintf(op[1], 32, "delete_%u", t->nr);
	snprintf(op[2], 32, "close_%u", t->nr);
	snprintf(op[3], 32, "free_%u", t->nr);
	for (i = 0; i < 4; i++)
		s[i] = series_new(op[i]);

	for (i = 0; i < nr_ops && !err; i++) {
		snprintf(names[i], 16, "stb%u_%u", t->nr, i);
		fd = map_new(l, names[i], 0);
		if (fd < 0) {
			fprintf(stderr, "st_bench: creating map %s (value type %u, %u bytes): %s\n",
				names[i], l->value_type_id, l->value_size, strerror(errno));
			err = fd;
			break;
		}
		err = TIMED(s[0], bpf_map_update_elem(fd, &zero, value, 0)) ?:
		      TIMED(s[1], bpf_map_delete_elem(fd, &zero));
		closed[i] = now_ns();
		close(fd);
		s[2]->v[s[2]->n++] = now_ns() - closed[i];
	}
	if (err)
		fprintf(stderr, "st_bench: %s table, operation %u: %s\n", t->what, i,
			strerror(errno));
	else
		err = collect_frees(s[3], names, closed, nr_ops, 300);
	for (i = 0; i < 4; i++)
		err = series_report(csv, s[i]) ?: err;
	free(value);
	free(closed);
	free(names);
	return err;
}

/* link map update (JIT only), link create, update, destroy and detach */
static int bench_link_mode(FILE *csv, const struct st_layout *l, const struct table *t)
{
	static const char * const ops[] = {
		"update_link_3", "link_create", "link_update", "link_destroy",
		"link_detach",
	};
	void *value = malloc(l->value_size);
	unsigned int i, zero = 0;
	int a = -1, b = -1, c = -1, link = -1, err = 0;
	struct series *s[5];

	if (!value || table_value(l, t, value))
		return -1;
	for (i = 0; i < 5; i++)
		s[i] = series_new(ops[i]);
	for (i = 0; i < nr_ops && !err; i++) {
		a = map_new(l, "stb_la", BPF_F_LINK);
		b = map_new(l, "stb_lb", BPF_F_LINK);
		/* a third map for the detach: a and b were just unlinked,
		 * and a table linked again within a grace period of that
		 * waits for the rest of it
		 */
		c = map_new(l, "stb_lc", BPF_F_LINK);
		if (a < 0 || b < 0 || c < 0) {
			err = -1;
			break;
		}
		err = TIMED(s[0], bpf_map_update_elem(a, &zero, value, 0)) ?:
		      bpf_map_update_elem(b, &zero, value, 0) ?:
		      bpf_map_update_elem(c, &zero, value, 0);
		if (!err) {
			unsigned long long t0 = now_ns();

			link = bpf_link_create(a, 0, BPF_STRUCT_OPS, NULL);
			if (link < 0)
				err = link;
			else
				s[1]->v[s[1]->n++] = now_ns() - t0;
		}
		if (!err)
			err = TIMED(s[2], bpf_link_update(link, b, NULL));
		if (link >= 0) {
			unsigned long long t0 = now_ns();

			close(link);
			s[3]->v[s[3]->n++] = now_ns() - t0;
			link = -1;
		}
		if (!err) {
			link = bpf_link_create(c, 0, BPF_STRUCT_OPS, NULL);
			if (link < 0)
				err = link;
			else
				err = TIMED(s[4], bpf_link_detach(link));
		}
		if (link >= 0)
			close(link);
		link = -1;
		close(a);
		close(b);
		close(c);
	}
	if (err)
		fprintf(stderr, "st_bench: links, operation %u: %s\n", i, strerror(errno));
	for (i = 0; i < 5; i++)
		err = series_report(csv, s[i]) ?: err;
	free(value);
	return err;
}

/* Does this kernel have struct_ops links?  A BPF_F_LINK map says. */
static bool have_links(const struct st_layout *l)
{
	int fd = map_new(l, "stb_probe", BPF_F_LINK);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int bench_lifecycle(struct st_bench_ca *skel)
{
	struct table small = {
		.what = "3-member", .nr = 3,
		.member = { "ssthresh", "cong_avoid", "undo_cwnd" },
		.prog = { skel->progs.stbf_ssthresh, skel->progs.stbf_cong_avoid,
			  skel->progs.stbf_undo_cwnd },
	};
	struct table full = {
		.what = "full", .nr = 12,
		.member = { "init", "release", "ssthresh", "cong_avoid", "set_state",
			    "cwnd_event", "in_ack_event", "pkts_acked", "min_tso_segs",
			    "cong_control", "undo_cwnd", "sndbuf_expand" },
		.prog = { skel->progs.stbf_init, skel->progs.stbf_release,
			  skel->progs.stbf_ssthresh, skel->progs.stbf_cong_avoid,
			  skel->progs.stbf_set_state, skel->progs.stbf_cwnd_event,
			  skel->progs.stbf_in_ack_event, skel->progs.stbf_pkts_acked,
			  skel->progs.stbf_min_tso_segs, skel->progs.stbf_cong_control,
			  skel->progs.stbf_undo_cwnd, skel->progs.stbf_sndbuf_expand },
	};
	struct st_layout l = {};
	FILE *csv;
	int err;

	l.obj_btf_fd = btf__fd(bpf_object__btf(skel->obj));
	err = layout_find(&l);
	if (err) {
		fprintf(stderr, "st_bench: the kernel's struct_ops value type: %s\n",
			strerror(-err));
		return err;
	}
	csv = open_csv("lifecycle.csv", "kernel,clock,op,n,p50_ns,p99_ns,max_ns");
	err = bench_map_mode(csv, &l, &small);
	err = bench_map_mode(csv, &l, &full) ?: err;
	if (have_links(&l))
		err = bench_link_mode(csv, &l, &small) ?: err;
	else
		printf("[bench] %s %s: no struct_ops links in this kernel\n",
		       kernel_name, clock_name);
	fclose(csv);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "clock", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "calls", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "ops", required_argument, NULL, 'm' },
		{}
	};
	struct st_bench_ca *skel;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel_name = optarg;
			break;
		case 'c':
			clock_name = optarg;
			break;
		case 'o':
			out_dir = optarg;
			break;
		case 'n':
			nr_calls = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			nr_rounds = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			nr_ops = strtoul(optarg, NULL, 0);
			break;
		default:
			return 2;
		}
	}
	if (!kernel_name || !clock_name || !out_dir || !nr_calls || !nr_ops ||
	    !nr_rounds || nr_rounds > MAX_ROUNDS) {
		fprintf(stderr,
			"usage: st_bench --kernel NAME --clock CLOCK --out DIR [--calls N] [--rounds R<=%d] [--ops M]\n",
			MAX_ROUNDS);
		return 2;
	}

	skel = st_bench_ca__open_and_load();
	if (!skel) {
		fprintf(stderr, "st_bench: loading st_bench_ca.bpf.o: %s\n", strerror(errno));
		return 1;
	}
	err = bench_callbacks(skel);
	err = bench_lifecycle(skel) ?: err;
	st_bench_ca__destroy(skel);
	return err ? 1 : 0;
}
