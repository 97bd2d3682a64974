// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress: struct_ops under load, faults, fuzzing and memory limits.
 * Run in the guest by `make stress` (long form) and by the struct_ops_stress
 * test of `make check` (short form), as root, on the debug kernel.
 *
 *   st_stress conc  [--secs S]
 *	threads register, update, delete and close map-mode CCs, create,
 *	update, detach and destroy links, pin and unpin, while a child
 *	process makes TCP connections between two netns over veth and
 *	switches their CCs (stress_conc.c)
 *   st_stress fault [--ops LIST]
 *	fail the Nth fallible step of each operation, N = 1, 2, ... until it
 *	succeeds, through failslab, fail_page_alloc and fail_function
 *	(stress_fault.c)
 *   st_stress fuzz  [--iters N] [--seed S]
 *	structure-aware random values and map_create attrs (stress_fuzz.c)
 *   st_stress memcg [--cgroup DIR]
 *	charge, uncharge and -ENOMEM under memory.max (stress_memcg.c)
 *   st_stress cycles [--iters N] [--cgroup DIR]
 *	N cycles of map create/update/delete/close and link create/update/
 *	destroy in a memcg: the deferred frees' backlog stays bounded and
 *	drains (stress_cycles.c)
 *   st_stress bigprog
 *	load a prog of about a million insns as a member with a native
 *	entry (stress_bigprog.c)
 *
 * Each part counts every operation's result by errno, fails on an errno
 * the operation does not document, and ends by proving that nothing it
 * made is left: no map, prog or link id above those before it, no
 * trampoline symbol, the memcg's slab and percpu back where they were.
 * Each part prints one summary line "[stress] PART: ..."; the exit status
 * is 0 only when every check of every part held.
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

static void bad_args(void)
{
	fprintf(stderr,
		"st_stress conc|fault|fuzz|memcg|cycles|bigprog [--secs S] [--ops LIST] [--iters N]\n"
		"          [--seed S] [--cgroup DIR] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "secs", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'o' },
		{ "iters", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 'S' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	const char *part, *ops = "";
	const char *cgroup = NULL;
	char cg_dir[128], cy_dir[128];
	unsigned long iters = 2000;
	unsigned int secs = 5;
	uint64_t seed = 0;
	struct stress_env env;
	int c, err;

	if (argc < 2)
		bad_args();
	part = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			secs = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			ops = optarg;
			break;
		case 'i':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			bad_args();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	err = env_open(&env, "reno");
	if (err) {
		fprintf(stderr, "[stress] error: cannot load st_stress.bpf.o: %s\n",
			strerror(-err));
		return 1;
	}
	snprintf(cg_dir, sizeof(cg_dir), "%s/st_stress_memcg", cg_root());
	snprintf(cy_dir, sizeof(cy_dir), "%s/st_stress_cycles", cg_root());
	if (!strcmp(part, "conc"))
		err = stress_conc(&env, secs);
	else if (!strcmp(part, "fault"))
		err = stress_fault(&env, ops);
	else if (!strcmp(part, "fuzz"))
		err = stress_fuzz(&env, iters, seed);
	else if (!strcmp(part, "memcg"))
		err = stress_memcg(&env, cgroup ?: cg_dir);
	else if (!strcmp(part, "cycles"))
		err = stress_cycles(&env, iters, cgroup ?: cy_dir);
	else if (!strcmp(part, "bigprog"))
		err = stress_bigprog();
	else
		bad_args();
	env_close(&env);
	return err ? 1 : 0;
}
