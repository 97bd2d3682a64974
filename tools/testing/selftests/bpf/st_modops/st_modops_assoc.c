// SPDX-License-Identifier: GPL-2.0
/*
 * st_modops assoc: BPF_PROG_ASSOC_STRUCT_OPS through raw bpf() calls
 * (libbpf 1.5 has no wrapper), and what st_modops_mod's kfunc,
 * st_modops_assoc_id(), tells the progs of st_modops_assoc.bpf.c.
 * One line per step:
 *	maps A B		the ids of table_a and table_b
 *	untied ID		the syscall prog, tied to nothing
 *	errnos FLAGS TAIL MEMBER ARRAY PROG_FD MAP_FD
 *				the command with flags, with a nonzero
 *				byte past the attribute, a member prog, an
 *				array map, a bad prog fd, a bad map fd
 *	tie ERR init ID		tied to table_a, not yet updated
 *	filled ID		table_a filled and linked
 *	again ERR other ERR still ID
 *				tied to table_a again, then to table_b
 *	m0 ID			the module calls m0 through table_a
 *	shared ID		table_a unlinked, table_b linked: m0 is a
 *				member of both
 *	held OPENS ID		the object closed but for the syscall prog:
 *				table_a's id still opens, the prog still
 *				finds it
 *	released GONE		the prog closed: table_a's id goes
 * and exits 0 when every step ran (what the values should be is the
 * test's to check), 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "st_modops_assoc.skel.h"
#include "st_modops_tool.h"

/* The series' uapi (tools/include/uapi/linux/bpf.h in the tree): command
 * 38, as mainline's; libbpf 1.5's headers predate it.
 */
#define ST_BPF_PROG_ASSOC_STRUCT_OPS	38

struct st_assoc_attr {
	__u32 map_fd;
	__u32 prog_fd;
	__u32 flags;
	__u32 tail;	/* past the attribute: must be zero */
};

static int assoc(int prog_fd, int map_fd, __u32 flags, __u32 tail)
{
	struct st_assoc_attr attr = {
		.map_fd = map_fd, .prog_fd = prog_fd,
		.flags = flags, .tail = tail,
	};

	if (syscall(__NR_bpf, ST_BPF_PROG_ASSOC_STRUCT_OPS, &attr,
		    sizeof(attr)))
		return -errno;
	return 0;
}

/* Run the syscall prog: what the kfunc told it, or -1. */
static long long run_syscall(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -1;
	return opts.retval;
}

/* Whether the map of @id can still be opened. */
static int map_opens(__u32 id)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* The map of @id goes once the prog that held it is freed: after an RCU
 * grace period, from a work item.  1 when it went within 5 s.
 */
static int map_gone(__u32 id)
{
	struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < 100; i++) {
		if (!map_opens(id))
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

static void print_errnos(struct st_modops_assoc *skel, int prog_fd)
{
	int map_fd = bpf_map__fd(skel->maps.table_a);
	int member_fd = bpf_program__fd(skel->progs.assoc_m0);
	int array_fd;

	array_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "st_assoc", 4, 4, 1,
				  NULL);
	printf("errnos %d %d %d %d %d %d\n",
	       assoc(prog_fd, map_fd, 1, 0), assoc(prog_fd, map_fd, 0, 1),
	       assoc(member_fd, map_fd, 0, 0),
	       array_fd < 0 ? array_fd : assoc(prog_fd, array_fd, 0, 0),
	       assoc(-1, map_fd, 0, 0), assoc(prog_fd, -1, 0, 0));
	if (array_fd >= 0)
		close(array_fd);
}

/* The steps up to "shared"; 0 when each ran. */
static int tie_and_ask(struct st_modops_assoc *skel, int prog_fd, __u32 a)
{
	int a_fd = bpf_map__fd(skel->maps.table_a);
	struct bpf_link *link;

	printf("untied %lld\n", run_syscall(prog_fd));
	print_errnos(skel, prog_fd);
	printf("tie %d init %lld\n", assoc(prog_fd, a_fd, 0, 0),
	       run_syscall(prog_fd));

	/* libbpf fills table_a here, then links it. */
	link = bpf_map__attach_struct_ops(skel->maps.table_a);
	if (!link)
		return -1;
	printf("filled %lld\n", run_syscall(prog_fd));
	printf("again %d other %d still %lld\n", assoc(prog_fd, a_fd, 0, 0),
	       assoc(prog_fd, bpf_map__fd(skel->maps.table_b), 0, 0),
	       run_syscall(prog_fd));
	if (call_members())
		goto fail;
	printf("m0 %u\n", skel->bss->m0_saw);

	bpf_link__destroy(link);
	link = bpf_map__attach_struct_ops(skel->maps.table_b);
	if (!link)
		return -1;
	skel->bss->m0_saw = a;
	if (call_members())
		goto fail;
	printf("shared %u\n", skel->bss->m0_saw);
	bpf_link__destroy(link);
	return 0;
fail:
	bpf_link__destroy(link);
	return -1;
}

int run_assoc(void)
{
	struct st_modops_assoc *skel;
	int prog_fd;
	__u32 a;

	skel = st_modops_assoc__open_and_load();
	if (!skel) {
		fprintf(stderr, "st_modops: load: %s\n", strerror(errno));
		return 1;
	}
	a = map_id(skel->maps.table_a);
	printf("maps %u %u\n", a, map_id(skel->maps.table_b));
	/* Ours, so that it outlives the object. */
	prog_fd = dup(bpf_program__fd(skel->progs.assoc_syscall));
	if (prog_fd < 0 || tie_and_ask(skel, prog_fd, a)) {
		fprintf(stderr, "st_modops: assoc: %s\n", strerror(errno));
		st_modops_assoc__destroy(skel);
		if (prog_fd >= 0)
			close(prog_fd);
		return 1;
	}

	st_modops_assoc__destroy(skel);
	printf("held %d %lld\n", map_opens(a), run_syscall(prog_fd));
	close(prog_fd);
	printf("released %d\n", map_gone(a));
	return 0;
}
