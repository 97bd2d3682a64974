// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress: what the parts share: counting results by errno, the loaded
 * programs and value template every part starts from, leak checks and
 * memcg files.  It calls none of the parts (st_stress.c has the
 * overview and main()).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/filter.h>

#include "st_stress.h"

unsigned int verbose;

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* xorshift64*: reproducible from a seed, one state per thread. */
uint64_t rand_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

const char *errno_name(int err)
{
	static __thread char buf[24];
	const char *name;

	if (err == ENOTSUPP)
		return "ENOTSUPP";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

static bool expected(const struct op_stat *st, int err)
{
	const int *e;

	for (e = st->expected; e && *e; e++)
		if (*e == err)
			return true;
	return false;
}

/* Count @ret (0 or -errno) for @st; 1 if it is an errno @st does not
 * expect, which is then said at once.
 */
int stat_record(struct op_stat *st, int ret)
{
	int err = -ret;

	if (!ret) {
		__atomic_fetch_add(&st->ok, 1, __ATOMIC_RELAXED);
		return 0;
	}
	__atomic_fetch_add(&st->err[err > 0 && err < ERRNO_SLOTS ? err :
				    ERRNO_SLOTS - 1], 1, __ATOMIC_RELAXED);
	if (expected(st, err))
		return 0;
	fprintf(stderr, "[stress] error: %s gave %s (%d), which it does not document\n",
		st->name, errno_name(err), ret);
	return 1;
}

unsigned long stat_total(const struct op_stat *st, int n)
{
	unsigned long sum = 0;
	int i, e;

	for (i = 0; i < n; i++) {
		sum += st[i].ok;
		for (e = 1; e < ERRNO_SLOTS; e++)
			sum += st[i].err[e];
	}
	return sum;
}

/* One line per operation: "op: N ok, EEXIST N, ..." */
void stat_print(const char *part, const struct op_stat *st, int n)
{
	int i, e;

	for (i = 0; i < n; i++) {
		if (!st[i].name)
			continue;
		printf("[stress] %s: %-16s %8lu ok", part, st[i].name, st[i].ok);
		for (e = 1; e < ERRNO_SLOTS; e++)
			if (st[i].err[e])
				printf(", %s %lu%s", errno_name(e), st[i].err[e],
				       expected(&st[i], e) ? "" : " (UNEXPECTED)");
		printf("\n");
	}
}

/* The cgroup2 root: /sys/fs/cgroup, or, where this process's mount
 * namespace has none there (test_progs may have unshared one), a cgroup2
 * mounted for us.
 */
const char *cg_root(void)
{
	static const char *const own = "/run/st_stress_cgroup";

	if (!access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		return "/sys/fs/cgroup";
	mkdir(own, 0755);
	if (access("/run/st_stress_cgroup/cgroup.controllers", F_OK) &&
	    mount("none", own, "cgroup2", 0, NULL))
		fprintf(stderr, "[stress] error: mount cgroup2 on %s: %s\n",
			own, strerror(errno));
	return own;
}

/* The number after "@key " in @path, or the file's first number when @key
 * is NULL; -1 when there is none.
 */
long long read_ll(const char *path, const char *key)
{
	char line[256], name[128];
	long long val = -1, v;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			val = strtoll(line, NULL, 10);
			break;
		}
		if (sscanf(line, "%127s %lld", name, &v) == 2 &&
		    !strcmp(name, key)) {
			val = v;
			break;
		}
	}
	fclose(f);
	return val;
}

/* @val into @cg's @file: 0, or -errno. */
int cg_write(const char *cg, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return st_write_str(path, val);
}

/* read_ll() of @cg's @file. */
long long cg_read(const char *cg, const char *file, const char *key)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return read_ll(path, key);
}

/* For a part that forks a loader into a memory cgroup of its own: an
 * empty cgroup @cg, with the memory controller, and a zeroed area of
 * @size bytes that the loader shares with its parent; NULL after saying
 * why on stderr, for @part.  The caller rmdir()s @cg and munmap()s the
 * area.
 */
void *cg_fresh(const char *part, const char *cg, size_t size)
{
	void *area;

	area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		fprintf(stderr, "[stress] error: %s: mmap: %s\n", part, strerror(errno));
		return NULL;
	}
	memset(area, 0, size);
	cg_write(cg_root(), "cgroup.subtree_control", "+memory");
	rmdir(cg);
	if (mkdir(cg, 0755)) {
		fprintf(stderr, "[stress] error: %s: mkdir %s: %s\n", part, cg, strerror(errno));
		munmap(area, size);
		return NULL;
	}
	return area;
}

/* slab + percpu of @cg, once the memcg has flushed its counters: what
 * maps are charged as, without the page counter's per-CPU stock.
 */
long long cg_kmem(const char *cg)
{
	sleep(2);
	return cg_read(cg, "memory.stat", "slab") +
	       cg_read(cg, "memory.stat", "percpu");
}

__u32 max_id(int (*next)(__u32, __u32 *))
{
	__u32 id = 0, max = 0;

	while (!next(id, &id))
		max = id;
	return max;
}

/* How many objects with an id above @base are alive. */
static int ids_above(int (*next)(__u32, __u32 *), __u32 base)
{
	__u32 id = base;
	int n = 0;

	while (!next(id, &id))
		n++;
	return n;
}

static void memcg_path(char *path, size_t len)
{
	char line[512] = "";
	FILE *f = fopen("/proc/self/cgroup", "r");

	/* cgroup2: one line, "0::/path" */
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	snprintf(path, len, "%s%s/memory.stat", cg_root(),
		 strncmp(line, "0::", 3) ? "" : line + 3);
}

static void memcg_take(struct leak_base *b)
{
	char path[600];

	memcg_path(path, sizeof(path));
	b->slab = read_ll(path, "slab");
	b->percpu = read_ll(path, "percpu");
}

void leak_base_take(struct leak_base *b)
{
	b->map_id = max_id(bpf_map_get_next_id);
	b->prog_id = max_id(bpf_prog_get_next_id);
	b->link_id = max_id(bpf_link_get_next_id);
	b->ksyms = ksyms_count();
	memcg_take(b);
}

/* A map's memory charge may lag behind its free by the deferred work
 * and the memcg's per-CPU caches: slab and percpu must come back to
 * within this of where they were.
 */
#define MEMCG_SLACK	(256 * 1024)

/* Wait up to 30 s for everything above @b to be freed, then compare.
 * Prints one "leaks:" line; 0 when nothing is left.
 */
int leak_check(const char *part, const struct leak_base *b, bool memcg)
{
	int maps, progs, links, ksyms, waited;
	struct leak_base now;
	long long dslab = 0, dpcpu = 0;
	bool mem_ok = true;

	for (waited = 0; waited < 300; waited++) {
		maps = ids_above(bpf_map_get_next_id, b->map_id);
		progs = ids_above(bpf_prog_get_next_id, b->prog_id);
		links = ids_above(bpf_link_get_next_id, b->link_id);
		ksyms = ksyms_count();
		if (!maps && !progs && !links && ksyms == b->ksyms)
			break;
		usleep(100000);
	}
	/* The memcg's counters are flushed at most every 2 s. */
	sleep(2);
	memcg_take(&now);
	if (memcg && b->slab >= 0 && now.slab >= 0) {
		dslab = now.slab - b->slab;
		dpcpu = now.percpu - b->percpu;
		mem_ok = dslab + dpcpu <= MEMCG_SLACK;
	}
	printf("[stress] %s: left after %.1f s: %d maps, %d progs, %d links, %d trampoline symbols",
	       part, waited / 10.0, maps, progs, links, ksyms - b->ksyms);
	if (memcg && b->slab >= 0)
		printf("; memcg slab %lld -> %lld B, percpu %lld -> %lld B (%+lld B)",
		       b->slab, now.slab, b->percpu, now.percpu, dslab + dpcpu);
	printf("\n");
	if (maps || progs || links || ksyms != b->ksyms || !mem_ok) {
		fprintf(stderr, "[stress] error: %s leaked%s\n", part,
			mem_ok ? "" : " memory: the memcg's slab and percpu did not come back");
		return 1;
	}
	return 0;
}

/* A copy of the template with its own buffer: free() its buf only. */
int env_value(const struct stress_env *env, struct st_value *v)
{
	*v = env->tmpl;
	v->buf = calloc(1, v->size);
	return v->buf ? 0 : -ENOMEM;
}

/* @v: a whole CC named @name, ss_sw's .init when @sw. */
void value_fill(const struct stress_env *env, struct st_value *v,
		const char *name, bool sw)
{
	struct st_stress *s = env->skel;

	memset(v->buf, 0, v->size);
	st_set_u64(v, "init", bpf_program__fd(sw ? s->progs.ss_sw_init :
					       s->progs.ss_init));
	st_set_u64(v, "ssthresh", bpf_program__fd(s->progs.ss_ssthresh));
	st_set_u64(v, "cong_avoid", bpf_program__fd(s->progs.ss_cong_avoid));
	st_set_u64(v, "undo_cwnd", bpf_program__fd(s->progs.ss_undo_cwnd));
	if (!sw) {
		st_set_u64(v, "cwnd_event",
			   bpf_program__fd(s->progs.ss_cwnd_event));
		st_set_u64(v, "pkts_acked",
			   bpf_program__fd(s->progs.ss_pkts_acked));
	}
	st_set_name(v, name);
}

/* A CC of @name, made and updated: registered in map mode (@flags 0),
 * READY for a link with BPF_F_LINK.  Its fd, or -errno of the step that
 * failed.
 */
int table_new(const struct stress_env *env, struct st_value *v,
	      const char *name, __u32 flags)
{
	int fd, err;

	fd = st_map_create_flags(v, flags);
	if (fd < 0)
		return fd;
	value_fill(env, v, name, false);
	err = st_map_update(fd, 0, v);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int filter_prog_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ss_filter", "GPL",
			     insns, ARRAY_SIZE(insns), NULL);
}

int env_open(struct stress_env *env, const char *switch_to)
{
	int err;

	memset(env, 0, sizeof(*env));
	env->skel = st_stress__open();
	if (!env->skel)
		return -errno;
	snprintf(env->skel->data->switch_to, sizeof(env->skel->data->switch_to),
		 "%s", switch_to);
	err = st_stress__load(env->skel);
	if (err)
		goto fail;
	err = st_value_init(&env->tmpl, "tcp_congestion_ops");
	if (err)
		goto fail;
	env->filter_fd = filter_prog_load();
	if (env->filter_fd < 0) {
		err = -errno;
		goto fail;
	}
	/* Above RLIMIT_NOFILE's default: never an open fd. */
	env->dead_fd = 100000;
	return 0;
fail:
	env_close(env);
	return err;
}

void env_close(struct stress_env *env)
{
	if (env->filter_fd > 0)
		close(env->filter_fd);
	if (env->tmpl.buf)
		st_value_free(&env->tmpl);
	st_stress__destroy(env->skel);
	memset(env, 0, sizeof(*env));
}
