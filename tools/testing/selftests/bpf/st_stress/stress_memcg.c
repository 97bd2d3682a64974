// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress memcg: a loader in a memory cgroup of its own.
 *
 * 1. Charge: MEMCG_MAPS registered maps, the cgroup's slab and percpu
 *    (memory.stat) before, with them, and after they are freed: a map's
 *    memory goes to its creator's memcg and comes back on free.
 * 2. Limit: memory.max a little above what the loader uses, then maps
 *    created and registered, and kept, until the kernel refuses: every
 *    refusal must be -ENOMEM, no task may be OOM-killed (the global
 *    oom_kill count of /proc/vmstat), and once the maps are freed the
 *    charge is back.
 * The loader is a child process, so that the limit holds it alone.
 *
 * Our allocations under the limit fail (__GFP_NORETRY); the map fd's
 * struct file, the base tree's, is an ordinary charge, and when it is the
 * one that reaches the limit the memcg OOM-kills the loader.  Such a run,
 * whose every kill was in the loader's cgroup, proves nothing either way:
 * it is said and run again, up to MEMCG_ATTEMPTS times, each with the
 * limit LIMIT_SHIFT higher, so that the maps end elsewhere against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "st_stress.h"

#define MEMCG_MAPS	64
#define LIMIT_MAPS	4096
#define LIMIT_SLACK	(96 * 1024)
#define MEMCG_ATTEMPTS	4
/* About a quarter of a map's charge. */
#define LIMIT_SHIFT	(9 * 1024)

struct memcg_res {
	long long slab0, slab1, slab2;	/* slab + percpu: before, with, after */
	long long cur0, cur1, cur2;	/* memory.current, the same */
	long long max;			/* the limit set in part 2 */
	int attempt;			/* 1 for the first run */
	long long lim_slab2;		/* slab + percpu after part 2 */
	int fit;			/* maps made under the limit */
	int enomem, other;		/* refusals */
	int other_err;
	bool done;
};

static void free_maps(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		st_map_delete(fds[i]);
		close(fds[i]);
		fds[i] = -1;
	}
}

/* Wait for the maps above @base to be freed (their charge with them). */
static void maps_gone(__u32 base)
{
	__u32 id;
	int i;

	for (i = 0; i < 300; i++) {
		id = base;
		if (bpf_map_get_next_id(id, &id))
			return;
		usleep(100000);
	}
}

/* A killed loader's maps: closing its fds left them registered (map
 * mode), under the names the next loader wants.  Unregister those above
 * @base, and wait for them to go.
 */
static void unregister_left(__u32 base)
{
	__u32 id = base;
	int fd;

	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		st_map_delete(fd);
		close(fd);
	}
	maps_gone(base);
}

/* One registered map: fd, or -errno of the step that failed. */
static int one_map(struct stress_env *env, struct st_value *v, int i)
{
	char name[16];

	snprintf(name, sizeof(name), "ss_mc%d", i);
	return table_new(env, v, name, 0);
}

static int loader(struct stress_env *env, const char *cg, struct memcg_res *r)
{
	static int fds[LIMIT_MAPS];
	char buf[32];
	struct st_value v;
	__u32 base;
	int i, fd;

	if (env_value(env, &v))
		return 1;
	for (i = 0; i < LIMIT_MAPS; i++)
		fds[i] = -1;
	/* fault in what the loop uses, while still charged elsewhere */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	snprintf(buf, sizeof(buf), "%d", getpid());
	if (cg_write(cg, "cgroup.procs", buf))
		return 1;
	base = max_id(bpf_map_get_next_id);

	/* 1. charge and uncharge */
	r->slab0 = cg_kmem(cg);
	r->cur0 = cg_read(cg, "memory.current", NULL);
	for (i = 0; i < MEMCG_MAPS; i++) {
		fds[i] = one_map(env, &v, i);
		if (fds[i] < 0)
			return 1;
	}
	r->slab1 = cg_kmem(cg);
	r->cur1 = cg_read(cg, "memory.current", NULL);
	free_maps(fds, MEMCG_MAPS);
	maps_gone(base);
	r->slab2 = cg_kmem(cg);
	r->cur2 = cg_read(cg, "memory.current", NULL);

	/* 2. under memory.max */
	r->max = cg_read(cg, "memory.current", NULL) + LIMIT_SLACK +
		 (r->attempt - 1) * LIMIT_SHIFT;
	snprintf(buf, sizeof(buf), "%lld", r->max);
	if (cg_write(cg, "memory.max", buf))
		return 1;
	for (i = 0; i < LIMIT_MAPS && r->enomem + r->other < 8; i++) {
		fd = one_map(env, &v, i);
		if (fd >= 0) {
			fds[i] = fd;
			r->fit++;
		} else if (fd == -ENOMEM) {
			r->enomem++;
		} else {
			r->other++;
			r->other_err = -fd;
		}
	}
	free_maps(fds, LIMIT_MAPS);
	maps_gone(base);
	cg_write(cg, "memory.max", "max");
	r->lim_slab2 = cg_kmem(cg);
	free(v.buf);
	r->done = true;
	return 0;
}

int stress_memcg(struct stress_env *env, const char *cg)
{
	unsigned long long start = now_ns();
	long long oom0, oom1, cg_oom;
	int status, attempt, err = 0;
	struct memcg_res *r;
	pid_t child;
	__u32 base;

	/* Without CONFIG_VM_EVENT_COUNTERS no kill would show. */
	if (read_ll("/proc/vmstat", "oom_kill") < 0) {
		fprintf(stderr, "[stress] error: memcg: /proc/vmstat counts no oom_kill\n");
		return 1;
	}
	r = cg_fresh("memcg", cg, sizeof(*r));
	if (!r)
		return 1;
	for (attempt = 1; ; attempt++) {
		memset(r, 0, sizeof(*r));
		r->attempt = attempt;
		base = max_id(bpf_map_get_next_id);
		oom0 = read_ll("/proc/vmstat", "oom_kill");
		child = fork();
		if (child == 0)
			_exit(loader(env, cg, r));
		waitpid(child, &status, 0);
		oom1 = read_ll("/proc/vmstat", "oom_kill");
		cg_oom = cg_read(cg, "memory.events", "oom_kill");
		rmdir(cg);
		if (attempt == MEMCG_ATTEMPTS || !WIFSIGNALED(status) ||
		    !cg_oom || oom1 - oom0 != cg_oom || r->other)
			break;
		printf("[stress] memcg: attempt %d: the loader was OOM-killed in its cgroup",
		       attempt);
		printf(" after %d maps and %d -ENOMEM: the base tree's charge of",
		       r->fit, r->enomem);
		printf(" a map fd's file reached the limit first; again\n");
		unregister_left(base);
		if (mkdir(cg, 0755))
			break;
	}

	if (!WIFEXITED(status) || WEXITSTATUS(status) || !r->done) {
		fprintf(stderr, "[stress] error: memcg: the loader %s %d\n",
			WIFSIGNALED(status) ? "was killed by signal" : "exited with",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		err = 1;
	}
	printf("[stress] memcg: %d maps charged %+lld B of slab+percpu (%lld B a map),",
	       MEMCG_MAPS, r->slab1 - r->slab0, (r->slab1 - r->slab0) / MEMCG_MAPS);
	printf(" memory.current %+lld B; freed: %+lld B from the start\n",
	       r->cur1 - r->cur0, r->slab2 - r->slab0);
	printf("[stress] memcg: memory.max %lld B: %d maps fit, then %d -ENOMEM and %d other (%s);",
	       r->max, r->fit, r->enomem, r->other,
	       r->other ? errno_name(r->other_err) : "none");
	printf(" OOM kills: %lld in the cgroup, %lld in all; freed: %+lld B from the start\n",
	       cg_oom, oom1 - oom0, r->lim_slab2 - r->slab0);
	if (r->slab1 - r->slab0 < MEMCG_MAPS * 256) {
		fprintf(stderr, "[stress] error: memcg: the maps were not charged to the cgroup\n");
		err = 1;
	}
	if (r->slab2 - r->slab0 > 64 * 1024 || r->lim_slab2 - r->slab0 > 64 * 1024) {
		fprintf(stderr, "[stress] error: memcg: the charge did not come back\n");
		err = 1;
	}
	if (!r->enomem || r->other || oom1 != oom0 || cg_oom) {
		fprintf(stderr, "[stress] error: memcg: %s\n",
			"the limit must give -ENOMEM and only that, with no OOM kill");
		err = 1;
	}
	printf("[stress] memcg: in %.0f s%s\n", (now_ns() - start) / 1e9,
	       err ? "" : "; all held");
	munmap(r, sizeof(*r));
	return err;
}
