// SPDX-License-Identifier: GPL-2.0
/*
 * st_modops deep: a prog on a private stack (st_modops_deep.bpf.c) in
 * member deep of a linked table, and one on the kernel stack in m0; the
 * module calls each once.  One line per step:
 *	attach_err ERRNO
 *	called N ok N bad N		(the module's, see st_modops_mod.c)
 *	native N trampoline N sleepable WHERE
 *	deep_again N		what the prog's nested call of deep returned
 *	on_task_stack N		1: its subprog's buffer was on the task's
 *				kernel stack, 0: elsewhere
 *	m0_on_task_stack N	the same of m0's buffer
 *	misses N		the prog's recursion misses (bpf_prog_info)
 *	recursions N		the module's recursion_detected calls
 * and exits 0 when every step ran (what the values should be is the
 * test's to check), 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "st_modops_deep.skel.h"
#include "st_modops_tool.h"

#define RECURSIONS_FILE	"/sys/kernel/debug/st_modops/recursions"

static int read_recursions(void)
{
	FILE *f = fopen(RECURSIONS_FILE, "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "recursions %d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static long long recursion_misses(const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return -1;
	return info.recursion_misses;
}

int run_deep(void)
{
	struct st_modops_deep *skel;
	struct bpf_link *link;
	int before, after, err = 1;

	skel = st_modops_deep__open_and_load();
	if (!skel) {
		fprintf(stderr, "st_modops: load: %s\n", strerror(errno));
		return 1;
	}
	link = bpf_map__attach_struct_ops(skel->maps.deep_table);
	printf("attach_err %d\n", link ? 0 : -errno);
	if (!link)
		goto out;
	before = read_recursions();
	if (before < 0 || call_members())
		goto out;
	after = read_recursions();
	printf("deep_again %d\n", skel->data->deep_again);
	printf("on_task_stack %d\n", skel->data->on_task_stack);
	printf("m0_on_task_stack %d\n", skel->data->m0_on_task_stack);
	printf("misses %lld\n", recursion_misses(skel->progs.deep));
	printf("recursions %d\n", after - before);
	err = after < 0;
out:
	bpf_link__destroy(link);
	st_modops_deep__destroy(skel);
	return err;
}
