// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca: load, list, swap and unload BPF TCP congestion controls.
 *
 *   tcp_ca load CC [--pin DIR]		register CC
 *   tcp_ca list			every BPF congestion control in the kernel
 *   tcp_ca swap NAME CC [--pin DIR]	replace NAME by CC, in one step
 *   tcp_ca unload NAME [--pin DIR]	unregister NAME
 *
 * CC is a BPF object file with one struct tcp_congestion_ops in a
 * .struct_ops or .struct_ops.link section (clang -target bpf, as any
 * libbpf object), or one of the three we carry, by name: their objects
 * are built into this binary (bpftool gen skeleton) and load the same way.
 * It comes in two builds (see the Makefile):
 *
 *  - link mode, on libbpf 1.5: a .struct_ops.link map (BPF_F_LINK) is
 *    filled and registered by a struct_ops link that load pins at
 *    DIR/NAME (DIR defaults to /sys/fs/bpf/tcp_ca), so that the CC
 *    outlives us and a loader that dies takes its CC with it.  swap fills
 *    CC's map and hands it to the link with BPF_LINK_UPDATE: tcp swaps the
 *    tables under the name atomically.  unload detaches the link and
 *    removes the pin.  A .struct_ops map loads as in map mode.
 *  - map mode, on Debian's libbpf 1.1.2, which knows .struct_ops only: the
 *    map is registered by its update; bpf_link__disconnect() keeps it
 *    registered once we exit, load pins the map if asked, and unload
 *    deletes the map's value.
 *
 * Either way, sockets that run a CC keep it until they close.  On failure
 * nothing stays behind: what was registered is unregistered, and closing
 * the object frees the rest.  A program the verifier refuses is reported
 * with the last lines of the verifier's log, where it says why.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcp_ca.h"

#define PIN_DIR_DEFAULT		"/sys/fs/bpf/tcp_ca"

/* The objects' section, and so how they register: see the Makefile. */
#ifdef TCP_CA_MAP_MODE
#define LINK_MODE		0
#else
#define LINK_MODE		1
#endif

/* ---- errors: the kernel's errno by name, and what libbpf said */

static char libbpf_msgs[8192];
static size_t libbpf_msgs_len;

#define LOG_BEGIN	"-- BEGIN PROG LOAD LOG --\n"
#define LOG_END		"-- END PROG LOAD LOG --"
#define LOG_TAIL	8	/* lines of a verifier log worth showing */

static void keep_msg(const char *msg, size_t len)
{
	size_t room = sizeof(libbpf_msgs) - libbpf_msgs_len - 1;

	if (len > room)
		len = room;
	memcpy(libbpf_msgs + libbpf_msgs_len, msg, len);
	libbpf_msgs_len += len;
	libbpf_msgs[libbpf_msgs_len] = '\0';
}

/* The verifier's statistics, which close every log and explain nothing. */
static bool log_stats_line(const char *line, size_t len)
{
	return !len || !strncmp(line, "processed ", 10) ||
	       !strncmp(line, "verification time ", 18) ||
	       !strncmp(line, "stack depth ", 12);
}

/*
 * libbpf passes a refused program's whole verifier log (at level 1, every
 * instruction with the registers' state) in one message, between LOG_BEGIN
 * and LOG_END.  What the verifier refused is in its last lines: keep those,
 * indented, without the statistics after them.
 */
static void keep_log_tail(const char *msg)
{
	const char *begin = strstr(msg, LOG_BEGIN);
	const char *end = strstr(msg, LOG_END);
	const char *from, *line = NULL, *nl;
	size_t len = 0;
	int lines = 0;

	if (!end || end < begin) {
		keep_msg(msg, strlen(msg));
		return;
	}
	keep_msg(msg, begin - msg);
	keep_msg("verifier log, last lines:\n", 26);
	begin += strlen(LOG_BEGIN);
	/* Walk back from the end: first past the statistics, then LOG_TAIL lines. */
	for (from = end; from > begin && lines < LOG_TAIL; from = line) {
		line = from - 1;
		while (line > begin && line[-1] != '\n')
			line--;
		len = from - line - 1;
		if (!lines && log_stats_line(line, len))
			end = line;
		else
			lines++;
	}
	if (lines == LOG_TAIL && from > begin)
		keep_msg("  ...\n", 6);
	for (line = from; line < end; line += len + 1) {
		nl = memchr(line, '\n', end - line);
		len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		keep_msg("  ", 2);
		keep_msg(line, len);
		keep_msg("\n", 1);
	}
}

/* Keep libbpf's warnings to print with the error they explain. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *msg;

	if (level == LIBBPF_DEBUG || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	if (strstr(msg, LOG_BEGIN))
		keep_log_tail(msg);
	else
		keep_msg(msg, strlen(msg));
	free(msg);
	return 0;
}

/* err: a negative errno.  Returns 1, the tool's exit status on error. */
static int fail(int err, const char *fmt, ...)
{
	const char *name = strerrorname_np(-err);
	char what[128];
	va_list ap;

	fprintf(stderr, "tcp_ca: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* libbpf's own codes (-4000 and down) are not errnos. */
	if (!name && !libbpf_strerror(err, what, sizeof(what)))
		fprintf(stderr, ": %s\n", what);
	else
		fprintf(stderr, ": %s (%s)\n", name ? name : "?", strerror(-err));
	/* Each of libbpf's lines starts "libbpf: ". */
	fputs(libbpf_msgs, stderr);
	return 1;
}

static int print_usage(FILE *f)
{
	const struct tcp_ca_builtin *b;

	fprintf(f, "usage: tcp_ca load CC [--pin DIR]        %s\n",
		"register CC (pin its link or map at DIR/NAME)");
	fprintf(f, "       tcp_ca list                       %s\n",
		"BPF congestion controls in the kernel");
	fprintf(f, "       tcp_ca swap NAME CC [--pin DIR]   %s\n",
		"replace NAME by CC, of the same name, in one step");
	fprintf(f, "       tcp_ca unload NAME [--pin DIR]    unregister NAME\n");
	fprintf(f, "CC is a BPF object file (PATH.bpf.o) with one struct %s\n",
		"tcp_congestion_ops,");
	fprintf(f, "or one of ours by NAME.  This build registers by %s (DIR: %s).\n",
		LINK_MODE ? "struct_ops link" : "map update", PIN_DIR_DEFAULT);
	fprintf(f, "NAME is one of:\n");
	for (b = tcp_ca_builtins; b->name; b++)
		fprintf(f, "  %-10s %s\n", b->name, b->about);
	return f == stderr ? 2 : 0;
}

/* ---- pins: DIR/NAME holds a registration past our exit */

/* DIR/NAME into path; 0 or -ENAMETOOLONG. */
static int pin_path(char *path, size_t size, const char *dir, const char *name)
{
	if (snprintf(path, size, "%s/%s", dir, name) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Pin what holds the registration at DIR/NAME: the link in link mode, the
 * map in map mode.  libbpf makes DIR if need be.
 */
static int pin_ca(struct bpf_link *link, struct bpf_map *map, bool linked,
		  const char *dir, const char *name)
{
	char path[4096];
	int err;

	err = pin_path(path, sizeof(path), dir, name);
	if (err)
		return err;
	return linked ? bpf_link__pin(link, path) : bpf_map__pin(map, path);
}

/* ---- list and unload */

static int cmd_list(const struct ops_layout *l)
{
	struct ops_map m = { .fd = -1 };
	int ret;

	printf("%-15s %6s  %-12s %7s  %s\n", "NAME", "MAP", "STATE", "SOCKETS", "PROGS");
	while ((ret = next_ops_map(l, &m)) > 0)
		print_ops_map(l, &m);
	ops_map_release(&m);
	return ret ? fail(ret, "listing congestion controls") : 0;
}

/*
 * Detach link link_id, which unregisters its table now, whoever else holds
 * the link; then remove the pin at DIR/NAME, if it is there.
 */
static int unload_link(__u32 link_id, const char *dir, const char *name)
{
	char path[4096];
	int fd, err = 0;

	fd = bpf_link_get_fd_by_id(link_id);
	if (fd < 0)
		return -errno;
	if (bpf_link_detach(fd))
		err = -errno;
	close(fd);
	if (!err && !pin_path(path, sizeof(path), dir, name) &&
	    unlink(path) && errno != ENOENT)
		err = -errno;
	return err;
}

static int cmd_unload(const struct ops_layout *l, const char *name,
		      const char *pin_dir)
{
	struct ops_map m = { .fd = -1 };
	__u32 key = 0;
	int ret;

	while ((ret = next_ops_map(l, &m)) > 0) {
		if (!ops_map_registered(l, &m) || strcmp(m.name, name))
			continue;
		/* Unregisters; sockets running it keep it until they close. */
		if (m.link_id)
			ret = unload_link(m.link_id, pin_dir, name);
		else if (bpf_map_delete_elem(m.fd, &key))
			ret = -errno;
		if (ret < 0)
			break;
		printf("unloaded %s (struct_ops map id %u, %u sockets still use it)\n",
		       name, m.id, m.refcnt - 1);
		ret = 1;
		break;
	}
	ops_map_release(&m);
	if (ret < 0)
		return fail(ret, "unloading %s", name);
	if (!ret)
		return fail(-ENOENT, "unloading %s: %s", name,
			    "no BPF congestion control of that name is registered");
	return 0;
}

/* ---- load */

/* Whether a CC argument names one of ours or a file; says why not. */
static bool cc_arg_ok(const char *arg)
{
	if (builtin(arg) || is_path(arg))
		return true;
	fprintf(stderr, "tcp_ca: '%s' is neither one of ours nor a .o file\n", arg);
	return false;
}

#define NAME_TAKEN	" (a congestion control of that name is registered: tcp_ca list)"

static int cmd_load(const char *arg, const char *pin_dir)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), link_id = 0;
	struct bpf_link *link;
	struct ca_obj ca;
	bool linked;
	int err, ret = 1;

	if (!cc_arg_ok(arg))
		return print_usage(stderr);
	err = ca_open(&ca, arg);
	if (err) {
		fail(err, "loading %s: %s", arg, ca.why);
		goto out;
	}
	/* Before the verifier runs, a name the kernel has. */
	if (cc_registered(ca.name)) {
		fail(-EEXIST, "registering %s" NAME_TAKEN, ca.name);
		goto out;
	}
	/* Verifies every program; nothing is registered yet. */
	err = bpf_object__load(ca.obj);
	if (err) {
		fail(err, "loading %s%s%s", ca.name, ca.file ? " from " : "",
		     ca.file ? arg : "");
		goto out;
	}

	/* The map update (the trampolines), then the registration: by the
	 * update itself in map mode, by a new struct_ops link in link mode.
	 */
	link = bpf_map__attach_struct_ops(ca.map);
	if (!link) {
		err = -errno;
		fail(err, "registering %s%s", ca.name, err == -EEXIST ? NAME_TAKEN : "");
		goto out;
	}

	/* Link mode always pins: the pin is what outlives us. */
	linked = bpf_map__map_flags(ca.map) & BPF_F_LINK;
	if (linked && !pin_dir)
		pin_dir = PIN_DIR_DEFAULT;
	if (pin_dir) {
		err = pin_ca(link, ca.map, linked, pin_dir, ca.name);
		if (err) {
			/* Destroying the link while connected unregisters. */
			bpf_link__destroy(link);
			fail(err, "pinning %s in %s", ca.name, pin_dir);
			goto out;
		}
	}

	bpf_obj_get_info_by_fd(bpf_map__fd(ca.map), &info, &len);
	if (linked) {
		struct bpf_link_info linfo = {};
		__u32 llen = sizeof(linfo);

		if (!bpf_obj_get_info_by_fd(bpf_link__fd(link), &linfo, &llen))
			link_id = linfo.id;
	}
	/* Stay registered after we exit: in map mode the kernel holds the
	 * map now; in link mode the pin holds the link.
	 */
	if (!linked)
		bpf_link__disconnect(link);
	bpf_link__destroy(link);

	printf("loaded %s", ca.name);
	if (ca.file)
		printf(" from %s", arg);
	printf(": struct_ops map id %u", info.id);
	if (linked)
		printf(", link id %u", link_id);
	if (pin_dir)
		printf(", pinned at %s/%s", pin_dir, ca.name);
	printf("\n");
	ret = 0;
out:
	ca_close(&ca);
	return ret;
}

/* ---- swap: a new build of a running CC takes its place, through its link */

/* Fill ca's loaded map (state READY), hand it to its name's pinned link. */
static int swap_into_link(const struct ops_layout *l, const struct ca_obj *ca,
			  const char *pin_dir, __u32 *ids)
{
	char path[4096], *value;
	__u32 key = 0;
	int link_fd, err;

	value = calloc(1, bpf_map__value_size(ca->map));
	if (!value)
		return -ENOMEM;
	err = fill_value(l, ca, value);
	if (!err && bpf_map_update_elem(bpf_map__fd(ca->map), &key, value, 0))
		err = -errno;
	free(value);
	if (err)
		return err;

	err = pin_path(path, sizeof(path), pin_dir, ca->name);
	if (err)
		return err;
	link_fd = bpf_obj_get(path);
	if (link_fd < 0)
		return -errno;
	ids[0] = map_id_of_link(link_fd);
	/* tcp puts the new table in the old one's place, under its lock. */
	if (bpf_link_update(link_fd, bpf_map__fd(ca->map), NULL))
		err = -errno;
	ids[1] = map_id_of_link(link_fd);
	close(link_fd);
	return err;
}

static int cmd_swap(const struct ops_layout *l, const char *name,
		    const char *arg, const char *pin_dir)
{
	struct ca_obj ca;
	__u32 ids[2] = {};
	int err, ret = 1;

	if (!cc_arg_ok(arg))
		return print_usage(stderr);
	err = ca_open(&ca, arg);
	if (err) {
		fail(err, "swapping %s: %s: %s", name, arg, ca.why);
		goto out;
	}
	/* The link stays under its name: the new table must have it too. */
	if (strcmp(ca.name, name)) {
		fail(-EINVAL, "swapping %s: %s holds %s", name, arg, ca.name);
		goto out;
	}
	if (!(bpf_map__map_flags(ca.map) & BPF_F_LINK)) {
		fail(-EINVAL, "swapping %s: a link takes a .struct_ops.link map; %s's is in %s",
		     name, arg, ca.sec);
		goto out;
	}
	err = bpf_object__load(ca.obj);
	if (err) {
		fail(err, "loading %s from %s", name, arg);
		goto out;
	}
	err = swap_into_link(l, &ca, pin_dir, ids);
	if (err) {
		fail(err, "swapping %s for %s's (link pinned at %s/%s)",
		     name, arg, pin_dir, name);
		goto out;
	}
	printf("swapped %s: struct_ops map id %u -> %u\n", name, ids[0], ids[1]);
	ret = 0;
out:
	/* The link holds the new map now; the object may go. */
	ca_close(&ca);
	return ret;
}

/* list, unload and swap find the maps through the running kernel's BTF. */
static int with_layout(int (*cmd)(const struct ops_layout *l, const char **args),
		       const char **args)
{
	struct ops_layout l;
	struct btf *btf;
	int err;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return fail(-errno, "reading the kernel's BTF");
	err = layout_init(&l, btf);
	if (err)
		err = fail(err, "finding %s in the kernel's BTF",
			   "struct bpf_struct_ops_tcp_congestion_ops");
	else
		err = cmd(&l, args);
	btf__free(btf);
	return err;
}

static int do_list(const struct ops_layout *l, const char **args)
{
	return cmd_list(l);
}

/* args: NAME, pin dir */
static int do_unload(const struct ops_layout *l, const char **args)
{
	return cmd_unload(l, args[0], args[1]);
}

/* args: NAME, OBJ, pin dir */
static int do_swap(const struct ops_layout *l, const char **args)
{
	return cmd_swap(l, args[0], args[1], args[2]);
}

/*
 * argv[first..] is either nothing or "--pin DIR": DIR into *dir.  Returns
 * false on anything else.
 */
static bool pin_arg(int argc, char **argv, int first, const char **dir)
{
	if (argc == first)
		return true;
	if (argc != first + 2 || strcmp(argv[first], "--pin"))
		return false;
	*dir = argv[first + 1];
	return true;
}

int main(int argc, char **argv)
{
	const char *pin_dir = NULL;
	const char *args[3] = {};

	libbpf_set_print(libbpf_print);

	if (argc == 2 && !strcmp(argv[1], "list"))
		return with_layout(do_list, args);
	if (argc >= 3 && !strcmp(argv[1], "unload")) {
		args[0] = argv[2];
		args[1] = PIN_DIR_DEFAULT;
		if (!pin_arg(argc, argv, 3, &args[1]))
			return print_usage(stderr);
		return with_layout(do_unload, args);
	}
	if (argc >= 4 && !strcmp(argv[1], "swap")) {
		args[0] = argv[2];
		args[1] = argv[3];
		args[2] = PIN_DIR_DEFAULT;
		if (!pin_arg(argc, argv, 4, &args[2]))
			return print_usage(stderr);
		return with_layout(do_swap, args);
	}
	if (argc >= 3 && !strcmp(argv[1], "load")) {
		if (!pin_arg(argc, argv, 3, &pin_dir))
			return print_usage(stderr);
		return cmd_load(argv[2], pin_dir);
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return print_usage(stdout);
	return print_usage(stderr);
}
