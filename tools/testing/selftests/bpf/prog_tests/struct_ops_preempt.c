// SPDX-License-Identifier: GPL-2.0
/* What a struct_ops prog may count on where the kernel can preempt it:
 * one CPU and an RCU read section for its whole run, on either path, and,
 * for a prog with a native entry, no other task on its CPU until it
 * returns.  .init (progs/struct_ops_preempt.c) updates a per-CPU slot in
 * two steps with a spin between them, from process context: THREADS
 * threads, each with its own connection, set its TCP_CONGESTION to the
 * CC and back to reno ROUNDS times, so that .init runs exactly THREADS *
 * ROUNDS times, more threads than CPUs side by side.  make check runs
 * this test in its preempt lane too (preempt=full, a CPU hog on every
 * vCPU).
 *
 *  native      st_pre's .init on its native entry: the slots sum to the
 *              runs (no run was preempted between its read and its
 *              write), none migrated, every run was inside an RCU read
 *              section and found preemption off.  .ssthresh, which calls
 *              bpf_loop(), is on its trampoline: our kernels are
 *              preemptible (configs/hardening.config), and a native entry
 *              would hold preemption off for all of the loop.
 *  trampoline  bpf_struct_ops.native_entries=0: st_pre's .init on its
 *              trampoline, its body still with preemption off (the
 *              body's, not the trampoline's): as native.
 *  generic     st_pre_gen, whose .init calls bpf_loop() and so has no
 *              native entry, on its trampoline: none migrated, every run
 *              was inside an RCU read section, and runs found preemption
 *              on, as __bpf_prog_enter() leaves it.  The slots may lose
 *              counts here: the test prints how many.
 */
#include <pthread.h>
#include <netinet/tcp.h>
#include <test_progs.h>
#include "network_helpers.h"
#include "struct_ops_helpers.h"
#include "struct_ops_preempt.skel.h"

#define THREADS		6
#define ROUNDS		300
#define PIN_PATH	"/sys/fs/bpf/st_preempt_map"

struct flipper {
	pthread_t thread;
	const char *cc;
	int lfd, cli, srv;
	int errors;	/* setsockopt() calls that failed */
	int first_errno;
};

static int set_cc(int fd, const char *cc)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc));
}

/* ROUNDS times: TCP_CONGESTION f->cc (its .init runs), then reno. */
static void *flip(void *arg)
{
	struct flipper *f = arg;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		if (set_cc(f->cli, f->cc) && !f->errors++)
			f->first_errno = errno;
		if (set_cc(f->cli, "reno") && !f->errors++)
			f->first_errno = errno;
	}
	return NULL;
}

static bool flipper_open(struct flipper *f)
{
	f->cli = -1;
	f->srv = -1;
	f->lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0);
	if (!ASSERT_GE(f->lfd, 0, "start_server"))
		return false;
	f->cli = connect_to_fd(f->lfd, 0);
	if (!ASSERT_GE(f->cli, 0, "connect"))
		return false;
	f->srv = accept(f->lfd, NULL, NULL);
	return ASSERT_GE(f->srv, 0, "accept");
}

static void flipper_close(struct flipper *f)
{
	if (f->srv >= 0)
		close(f->srv);
	if (f->cli >= 0)
		close(f->cli);
	if (f->lfd >= 0)
		close(f->lfd);
}

/* Flip THREADS connections to @cc at once; false when not every call
 * worked.
 */
static bool flip_all(const char *cc)
{
	struct flipper f[THREADS] = {};
	int i, started = 0, errors = 0;
	bool ok = true;

	for (i = 0; i < THREADS; i++) {
		f[i].cc = cc;
		ok &= flipper_open(&f[i]);
	}
	for (i = 0; ok && i < THREADS; i++, started++)
		if (!ASSERT_OK(pthread_create(&f[i].thread, NULL, flip, &f[i]),
			       "pthread_create"))
			ok = false;
	for (i = 0; i < started; i++) {
		pthread_join(f[i].thread, NULL);
		if (f[i].errors)
			printf("%s: thread %d: %d failed, the first with %s\n", __func__,
			       i, f[i].errors, strerror(f[i].first_errno));
		errors += f[i].errors;
	}
	for (i = 0; i < THREADS; i++)
		flipper_close(&f[i]);
	return ASSERT_EQ(errors, 0, "setsockopt(TCP_CONGESTION) errors") && ok;
}

enum st_pre_mode { ST_PRE_NATIVE, ST_PRE_TRAMPOLINE, ST_PRE_GENERIC };

static void run(enum st_pre_mode mode)
{
	static const char * const names[] = { "native", "trampoline", "generic" };
	/* st_pre's .init has a native entry, whose body keeps preemption off */
	bool preempt_off = mode != ST_PRE_GENERIC;
	bool native = mode == ST_PRE_NATIVE;
	struct struct_ops_preempt *skel;
	struct bpf_link *link = NULL;
	struct bpf_map *map;
	__u64 runs, sum;

	if (!ASSERT_OK(st_set_native(native), "set native_entries"))
		return;
	skel = struct_ops_preempt__open_and_load();
	if (!ASSERT_OK_PTR(skel, "open_and_load"))
		goto out;
	map = preempt_off ? skel->maps.st_pre : skel->maps.st_pre_gen;
	link = bpf_map__attach_struct_ops(map);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	ASSERT_EQ(st_member_points(bpf_map__fd(map), PIN_PATH, "init",
				   native ? "native" : "trampoline"), 1,
		  native ? "init is native" : "init is on its trampoline");
	ASSERT_EQ(st_member_points(bpf_map__fd(map), PIN_PATH, "ssthresh",
				   "trampoline"), 1,
		  "ssthresh, which calls bpf_loop(), is on its trampoline");
	if (!flip_all(preempt_off ? "st_pre" : "st_pre_gen"))
		goto out;

	runs = skel->bss->inits;
	ASSERT_OK(st_percpu_sum(skel->maps.slot, &sum), "per-CPU lookup");
	printf("%s: %s: %llu runs, per-CPU sum %llu (%llu lost),",
	       __func__, names[mode], runs, sum, runs - sum);
	printf(" %llu preemptible, %llu RCU checks\n", skel->bss->preemptible,
	       skel->bss->rcu_checked);
	ASSERT_EQ(runs, THREADS * ROUNDS, "runs of .init");
	ASSERT_EQ(skel->bss->migrated, 0, "runs that migrated");
	ASSERT_EQ(skel->bss->outside_rcu, 0, "runs outside an RCU read section");
	/* PREEMPT_RCU kernels (ours) count the nesting: every run checked */
	ASSERT_TRUE(!skel->bss->rcu_checked || skel->bss->rcu_checked == runs,
		    "runs whose RCU section was checked");
	if (preempt_off) {
		ASSERT_EQ(sum, runs, "per-CPU sum");
		ASSERT_EQ(skel->bss->preemptible, 0, "runs with preemption on");
	} else {
		ASSERT_LE(sum, runs, "per-CPU sum");
		ASSERT_GT(skel->bss->preemptible, 0, "runs with preemption on");
	}
out:
	bpf_link__destroy(link);
	struct_ops_preempt__destroy(skel);
	st_set_native(true);
}

void test_struct_ops_preempt(void)
{
	if (test__start_subtest("native"))
		run(ST_PRE_NATIVE);
	if (test__start_subtest("trampoline"))
		run(ST_PRE_TRAMPOLINE);
	if (test__start_subtest("generic"))
		run(ST_PRE_GENERIC);
}
