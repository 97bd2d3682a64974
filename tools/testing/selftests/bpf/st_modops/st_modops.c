// SPDX-License-Identifier: GPL-2.0
/*
 * st_modops: a module-defined struct_ops type through libbpf 1.5, for the
 * struct_ops_module test (prog_tests/struct_ops_module.c).
 *
 *   st_modops call | ids | assoc | deep | bad_null | bad_sleep | bad_deep
 *
 * With st_modops_mod loaded: opens and loads st_modops.bpf.o, whose
 * .struct_ops.link table libbpf finds in the module's BTF (the map is
 * created with BPF_F_VTYPE_BTF_OBJ_FD, the progs loaded against that BTF),
 * attaches it with a link, counts its trampolines' symbols in
 * /proc/kallsyms and the pages they lie in, has the module call every
 * member, counts the symbols again while BPF stats are on (which move
 * every member to its trampoline), detaches, and waits for the symbols to
 * go.  It prints one line per step:
 *	progs N
 *	attach_err ERRNO
 *	symbols N pages N
 *	called N ok N bad N
 *	native N trampoline N sleepable WHERE
 *	symbols_stats N pages N
 *	symbols_after N
 * (the "called" and "native" lines are the module's, see st_modops_mod.c)
 * and exits 0 when every step succeeded (what the values should be is
 * the test's to check), 1 otherwise.
 *
 * ids loads two tables, links the first (the module's reg), moves the
 * link to the second (its update) and destroys the link (its unreg),
 * printing the maps' ids and, after each step, what the module's
 * bpf_struct_ops_id() said of the tables it was handed:
 *	maps A B
 *	reg ID
 *	update OLD NEW
 *	unreg ID
 * and exits 0 when every step succeeded.
 *
 * assoc ties progs to tables (BPF_PROG_ASSOC_STRUCT_OPS) and prints what
 * the module's kfunc tells them: see st_modops_assoc.c.
 *
 * deep runs a prog on a private stack: see st_modops_deep.c.
 *
 * bad_null, bad_sleep and bad_deep load a table that the verifier must
 * refuse: a prog that dereferences nullable's argument unchecked, a
 * sleepable prog on m0, deep's prog on m0, which has no private stack.
 * They print
 *	load_err ERRNO
 *	verifier_says 0|1
 * the second 1 when the verifier's log has the reason, and exit 0 when
 * the load failed with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "st_modops.skel.h"
#include "st_modops_bad_null.skel.h"
#include "st_modops_bad_sleep.skel.h"
#include "st_modops_bad_deep.skel.h"
#include "st_modops_tool.h"

#define CALL_FILE	"/sys/kernel/debug/st_modops/call"
#define IDS_FILE	"/sys/kernel/debug/st_modops/ids"
#define SYM_PREFIX	"bpf__st_modops_"
#define MAX_SYMS	256

/* The trampolines' symbols now: how many, and on how many pages. */
static int count_symbols(int *pages)
{
	unsigned long long addr, page[MAX_SYMS];
	int n = 0, npages = 0, i;
	char line[512], name[256];
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %*s %255s", &addr, name) != 2 ||
		    strncmp(name, SYM_PREFIX, strlen(SYM_PREFIX)))
			continue;
		n++;
		for (i = 0; i < npages && page[i] != addr >> 12; i++)
			;
		if (i == npages && npages < MAX_SYMS)
			page[npages++] = addr >> 12;
	}
	fclose(f);
	if (pages)
		*pages = npages;
	return n;
}

/* The symbols while BPF stats are on, or -errno. */
static int count_symbols_stats(int *pages)
{
	int fd, n;

	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return -errno;
	n = count_symbols(pages);
	close(fd);
	return n;
}

int call_members(void)
{
	char out[256] = "";
	ssize_t len;
	int fd;

	fd = open(CALL_FILE, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "st_modops: %s: %s\n", CALL_FILE, strerror(errno));
		return -1;
	}
	len = -1;
	if (write(fd, "1", 1) == 1 && !lseek(fd, 0, SEEK_SET))
		len = read(fd, out, sizeof(out) - 1);
	close(fd);
	if (len <= 0) {
		fprintf(stderr, "st_modops: calling: %s\n", strerror(errno));
		return -1;
	}
	out[len] = '\0';
	fputs(out, stdout);
	return 0;
}

static int symbols_gone(void)
{
	struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	int i, n = 0;

	/* The map is freed after RCU grace periods, from a work item. */
	for (i = 0; i < 200; i++) {
		n = count_symbols(NULL);
		if (n <= 0)
			break;
		nanosleep(&tick, NULL);
	}
	printf("symbols_after %d\n", n);
	return n;
}

static int run_call(void)
{
	struct st_modops_bpf *skel;
	struct bpf_program *prog;
	struct bpf_link *link;
	int err = 1, n = 0, pages = 0;

	skel = st_modops_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "st_modops: load: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj)
		n += bpf_program__fd(prog) >= 0;
	printf("progs %d\n", n);

	/* libbpf updates the map here, then links it. */
	link = bpf_map__attach_struct_ops(skel->maps.st_modops_impl);
	printf("attach_err %d\n", link ? 0 : -errno);
	if (!link)
		goto out;
	n = count_symbols(&pages);
	printf("symbols %d pages %d\n", n, pages);
	if (call_members() == 0)
		err = 0;
	n = count_symbols_stats(&pages);
	printf("symbols_stats %d pages %d\n", n, pages);
	if (n < 0)
		err = 1;
	bpf_link__destroy(link);
out:
	st_modops_bpf__destroy(skel);
	if (symbols_gone())
		err = 1;
	return err;
}

/* The module's ids line: reg, unreg, update's old and new.  0 or -1. */
static int read_ids(unsigned int ids[4])
{
	FILE *f = fopen(IDS_FILE, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "reg %u unreg %u update %u %u",
		   &ids[0], &ids[1], &ids[2], &ids[3]);
	fclose(f);
	return n == 4 ? 0 : -1;
}

__u32 map_id(const struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

static int run_ids(void)
{
	struct st_modops_bpf *a, *b = NULL;
	struct bpf_link *link = NULL;
	unsigned int ids[4];
	int err = 1;

	a = st_modops_bpf__open_and_load();
	if (a)
		b = st_modops_bpf__open_and_load();
	if (!b) {
		fprintf(stderr, "st_modops: load: %s\n", strerror(errno));
		goto out;
	}
	printf("maps %u %u\n", map_id(a->maps.st_modops_impl),
	       map_id(b->maps.st_modops_impl));
	link = bpf_map__attach_struct_ops(a->maps.st_modops_impl);
	if (!link || read_ids(ids))
		goto out;
	printf("reg %u\n", ids[0]);
	/* libbpf fills b's map, then BPF_LINK_UPDATE moves the link to it. */
	if (bpf_link__update_map(link, b->maps.st_modops_impl) || read_ids(ids))
		goto out;
	printf("update %u %u\n", ids[2], ids[3]);
	bpf_link__destroy(link);
	link = NULL;
	if (read_ids(ids))
		goto out;
	printf("unreg %u\n", ids[1]);
	err = 0;
out:
	bpf_link__destroy(link);
	st_modops_bpf__destroy(b);
	st_modops_bpf__destroy(a);
	return err;
}

/* libbpf's messages, the verifier's log among them, for the bad loads. */
static char libbpf_log[64 * 1024];
static size_t libbpf_log_len;

static int log_libbpf(enum libbpf_print_level level, const char *fmt,
		      va_list args)
{
	size_t room = sizeof(libbpf_log) - libbpf_log_len;
	int n;

	n = vsnprintf(libbpf_log + libbpf_log_len, room, fmt, args);
	if (n > 0)
		libbpf_log_len += (size_t)n < room ? (size_t)n : room - 1;
	return 0;
}

/* Print how the load ended and whether the log says @reason. */
static int report_refusal(int err, const char *reason)
{
	bool says = strstr(libbpf_log, reason);

	printf("load_err %d\n", err);
	printf("verifier_says %d\n", says);
	if (!says)
		fputs(libbpf_log, stderr);
	return err && says ? 0 : 1;
}

/* Load a skeleton's object, which the verifier must refuse for @reason. */
static int run_bad(const void *(*elf_bytes)(size_t *sz), const char *reason)
{
	struct bpf_object *obj;
	const void *elf;
	size_t sz;
	int err;

	libbpf_set_print(log_libbpf);
	elf = elf_bytes(&sz);
	obj = bpf_object__open_mem(elf, sz, NULL);
	err = obj ? bpf_object__load(obj) : -errno;
	bpf_object__close(obj);
	return report_refusal(err, reason);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "call"))
		return run_call();
	if (argc == 2 && !strcmp(argv[1], "ids"))
		return run_ids();
	if (argc == 2 && !strcmp(argv[1], "assoc"))
		return run_assoc();
	if (argc == 2 && !strcmp(argv[1], "deep"))
		return run_deep();
	if (argc == 2 && !strcmp(argv[1], "bad_null"))
		return run_bad(st_modops_bad_null__elf_bytes,
			       "invalid mem access 'ptr_or_null_'");
	if (argc == 2 && !strcmp(argv[1], "bad_sleep"))
		return run_bad(st_modops_bad_sleep__elf_bytes,
			       "member m0 of struct st_modops does not take a sleepable prog");
	if (argc == 2 && !strcmp(argv[1], "bad_deep"))
		return run_bad(st_modops_bad_deep__elf_bytes,
			       "combined stack size of 2 calls is");
	fprintf(stderr, "usage: st_modops call | ids | assoc | deep | %s\n",
		"bad_null | bad_sleep | bad_deep");
	return 2;
}
