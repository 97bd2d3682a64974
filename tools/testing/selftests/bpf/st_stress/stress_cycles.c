// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress cycles: the control plane's deferred work, in a loop.
 *
 * N cycles, each of them: a map-mode table of one name created, updated
 * (registered), deleted and closed; then two link-mode tables of another
 * name, a link on the first, updated to the second and destroyed.  No
 * call waits for a grace period (see "Lifetime" in bpf_struct_ops.rst):
 * what each cycle leaves, the registrations' counts and the maps' frees,
 * waits in RCU callbacks.  This part checks that:
 *
 *  - every call succeeds: a name is free for the next cycle's
 *    registration as soon as delete or the link's destroy returned
 *    (-EEXIST otherwise);
 *  - the backlog stays bounded: the loader runs in a memory cgroup of
 *    its own, every map is charged to it, and the cgroup's peak charge
 *    (memory.peak) must stay below what a quarter of the cycles' maps
 *    would take if none were freed while the loop ran (a map's charge is
 *    measured first, in the same run);
 *  - it all drains: once the loop ends, every map goes and the cgroup's
 *    slab and percpu come back to where they were (within 64 KiB).
 *
 * It prints the peak, the charge left when the loop ended (the backlog,
 * also in maps) and how long the drain took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "st_stress.h"

/* Maps kept at once to measure one map's charge. */
#define PROBE_MAPS	32

struct cycles_res {
	unsigned long done;		/* cycles that completed */
	int failed_step, failed_err;	/* the first failure, if any */
	unsigned long failed_cycle;
	long long per_map;		/* one registered map's slab+percpu */
	long long cur0;			/* memory.current before the loop */
	long long peak;			/* memory.peak, less cur0 */
	long long backlog;		/* memory.current at the loop's end, less cur0 */
	long long kmem0, kmem_end;	/* slab+percpu before, and once drained */
	double loop_s, drain_s;
	bool ok;
};

enum { S_MAP, S_DELETE, S_LINK_MAPS, S_LINK_CREATE, S_LINK_UPDATE };

static const char * const step_name[] = {
	"map create or update", "map delete", "link maps", "link create",
	"link update",
};

static int fail(struct cycles_res *r, unsigned long i, int step, int err)
{
	r->failed_cycle = i;
	r->failed_step = step;
	r->failed_err = err < 0 ? -err : err;
	return -1;
}

static int one_cycle(struct stress_env *env, struct st_value *v,
		     struct cycles_res *r, unsigned long i)
{
	int fd, a, b, link, err;

	fd = table_new(env, v, "ss_cy_map", 0);
	if (fd < 0)
		return fail(r, i, S_MAP, fd);
	err = st_map_delete(fd);
	close(fd);
	if (err)
		return fail(r, i, S_DELETE, err);

	a = table_new(env, v, "ss_cy_link", BPF_F_LINK);
	b = table_new(env, v, "ss_cy_link", BPF_F_LINK);
	if (a < 0 || b < 0) {
		err = a < 0 ? a : b;
		goto close_maps;
	}
	link = bpf_link_create(a, 0, BPF_STRUCT_OPS, NULL);
	if (link < 0) {
		err = fail(r, i, S_LINK_CREATE, -errno);
		goto close_maps;
	}
	err = bpf_link_update(link, b, NULL);
	if (err)
		err = fail(r, i, S_LINK_UPDATE, -errno);
	close(link);
close_maps:
	if (a < 0 || b < 0)
		err = fail(r, i, S_LINK_MAPS, err);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return err;
}

/* Wait until no map above @base is left; the seconds it took, or -1. */
static double maps_drain(__u32 base)
{
	unsigned long long t0 = now_ns();
	__u32 id;
	int i;

	for (i = 0; i < 600; i++) {
		id = base;
		if (bpf_map_get_next_id(id, &id))
			return (now_ns() - t0) / 1e9;
		usleep(50000);
	}
	return -1;
}

static long long probe_per_map(struct stress_env *env, struct st_value *v,
			       const char *cg, __u32 base)
{
	long long before, with;
	int fds[PROBE_MAPS];
	char name[16];
	int i, n;

	before = cg_kmem(cg);
	for (n = 0; n < PROBE_MAPS; n++) {
		snprintf(name, sizeof(name), "ss_cy_p%d", n);
		fds[n] = table_new(env, v, name, 0);
		if (fds[n] < 0)
			break;
	}
	with = cg_kmem(cg);
	for (i = 0; i < n; i++) {
		st_map_delete(fds[i]);
		close(fds[i]);
	}
	if (n < PROBE_MAPS || maps_drain(base) < 0)
		return -1;
	return (with - before) / PROBE_MAPS;
}

static int loader(struct stress_env *env, const char *cg, unsigned long n,
		  struct cycles_res *r)
{
	unsigned long long t0;
	struct st_value v;
	char buf[32];
	__u32 base;
	unsigned long i;

	if (env_value(env, &v))
		return 1;
	/* fault in what the loop uses, while still charged elsewhere */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	snprintf(buf, sizeof(buf), "%d", getpid());
	if (cg_write(cg, "cgroup.procs", buf))
		return 1;
	base = max_id(bpf_map_get_next_id);
	r->per_map = probe_per_map(env, &v, cg, base);
	if (r->per_map <= 0)
		return 1;

	r->kmem0 = cg_kmem(cg);
	r->cur0 = cg_read(cg, "memory.current", NULL);
	/* memory.peak cannot be reset in 6.1: the probe's maps were fewer
	 * than the bound allows, and it is read against cur0 below.
	 */
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (one_cycle(env, &v, r, i))
			break;
		r->done++;
	}
	r->loop_s = (now_ns() - t0) / 1e9;
	r->backlog = cg_read(cg, "memory.current", NULL) - r->cur0;
	r->peak = cg_read(cg, "memory.peak", NULL) - r->cur0;
	r->drain_s = maps_drain(base);
	r->kmem_end = cg_kmem(cg);
	free(v.buf);
	r->ok = true;
	return 0;
}

/**
 * stress_cycles() - N cycles of the control plane, the backlog measured
 * @env: the part's programs and value template
 * @n: cycles
 * @cg: the memory cgroup to make and run the loader in
 *
 * Return: 0 when every check held.
 */
int stress_cycles(struct stress_env *env, unsigned long n, const char *cg)
{
	unsigned long long start = now_ns();
	struct cycles_res *r;
	long long bound;
	int status, err = 0;
	pid_t child;

	r = cg_fresh("cycles", cg, sizeof(*r));
	if (!r)
		return 1;
	child = fork();
	if (child == 0)
		_exit(loader(env, cg, n, r));
	waitpid(child, &status, 0);
	rmdir(cg);

	if (!WIFEXITED(status) || WEXITSTATUS(status) || !r->ok) {
		fprintf(stderr,
			"[stress] error: cycles: the loader %s %d (one map's charge: %lld B)\n",
			WIFSIGNALED(status) ? "was killed by signal" : "exited with",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
			r->per_map);
		err = 1;
	}
	printf("[stress] cycles: %lu of %lu cycles (map create/update/delete/close,",
	       r->done, n);
	printf(" link create/update/destroy) in %.1f s, %.0f us a cycle\n",
	       r->loop_s, r->done ? r->loop_s * 1e6 / r->done : 0);
	printf("[stress] cycles: one map %lld B; peak %+lld B (%.1f maps),",
	       r->per_map, r->peak, r->per_map > 0 ? (double)r->peak / r->per_map : 0);
	printf(" at the loop's end %+lld B", r->backlog);
	printf(" (%.1f maps), drained in %.2f s; slab+percpu then %+lld B from the start\n",
	       r->per_map > 0 ? (double)r->backlog / r->per_map : 0, r->drain_s,
	       r->kmem_end - r->kmem0);
	if (r->done < n) {
		fprintf(stderr, "[stress] error: cycles: cycle %lu: %s: %s\n", r->failed_cycle,
			step_name[r->failed_step], errno_name(r->failed_err));
		err = 1;
	}
	/* three maps a cycle; a quarter of them, had none been freed */
	bound = (long long)n * 3 / 4 * r->per_map;
	if (r->ok && r->peak > bound) {
		fprintf(stderr,
			"[stress] error: cycles: peak charge %lld B over the bound %lld B\n",
			r->peak, bound);
		err = 1;
	}
	if (r->ok && (r->drain_s < 0 || r->kmem_end - r->kmem0 > 64 * 1024)) {
		fprintf(stderr,
			"[stress] error: cycles: the maps did not drain (%.2f s, %+lld B)\n",
			r->drain_s, r->kmem_end - r->kmem0);
		err = 1;
	}
	printf("[stress] cycles: %lu in %.0f s%s\n", n, (now_ns() - start) / 1e9,
	       err ? "" : "; all held");
	munmap(r, sizeof(*r));
	return err;
}
