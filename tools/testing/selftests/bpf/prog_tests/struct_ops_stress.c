// SPDX-License-Identifier: GPL-2.0
/*
 * make stress's short form: st_stress (tools/testing/selftests/bpf/st_stress),
 * built next to test_progs, a few seconds of each part.  st_stress makes the
 * checks; a subtest passes when it exited 0 and its summary line says every
 * check held, and prints st_stress's output either way.
 *  concurrency  5 s of map, link and pin churn under TCP over veth
 *  fault        every fault point of a map-mode update (slab, page
 *               allocator, fail_function), each failed in turn
 *  fuzz         2,000 random updates and map creates, fixed seed
 *  memcg        charge, uncharge and -ENOMEM under memory.max
 *  cycles       1,000 cycles of map and link create, update, delete or
 *               destroy: no call waits for a grace period, and the
 *               deferred frees' backlog stays bounded and drains
 */
#include <test_progs.h>

#define ST_STRESS	"./st_stress/st_stress"

/* Run st_stress with @args; 0 when it exited 0 with @summary's line
 * ending in "all held".
 */
static void run_st_stress(const char *args, const char *summary)
{
	char cmd[256], line[512], last[512] = "";
	int status;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", ST_STRESS, args);
	f = popen(cmd, "r");
	if (!ASSERT_OK_PTR(f, "popen"))
		return;
	while (fgets(line, sizeof(line), f)) {
		printf("%s", line);
		if (strstr(line, summary))
			snprintf(last, sizeof(last), "%s", line);
	}
	status = pclose(f);
	ASSERT_TRUE(WIFEXITED(status), "exited");
	ASSERT_EQ(WEXITSTATUS(status), 0, "exit status");
	ASSERT_OK_PTR(strstr(last, "all held"), summary);
}

void test_struct_ops_stress(void)
{
	if (test__start_subtest("concurrency"))
		run_st_stress("conc --secs 5", "[stress] conc: 5 s");
	if (test__start_subtest("fault"))
		run_st_stress("fault --ops map_update", "[stress] fault: 1 operations");
	if (test__start_subtest("fuzz"))
		run_st_stress("fuzz --iters 2000 --seed 1", "[stress] fuzz: ");
	if (test__start_subtest("memcg"))
		run_st_stress("memcg", "[stress] memcg: in ");
	if (test__start_subtest("cycles"))
		run_st_stress("cycles --iters 1000", "[stress] cycles: 1000 in ");
}
