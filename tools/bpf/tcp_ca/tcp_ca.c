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
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <gelf.h>
#include <libelf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Debian's uapi headers predate struct_ops links (mainline 6.4). */
#ifndef BPF_F_LINK
#define BPF_F_LINK		0x2000U	/* 1U << 13 */
#endif

#define PIN_DIR_DEFAULT		"/sys/fs/bpf/tcp_ca"

/* The objects' section, and so how they register: see the Makefile. */
#ifdef TCP_CA_MAP_MODE
#define LINK_MODE		0
#else
#define LINK_MODE		1
#endif

#include "st_aimd.skel.h"
#include "st_cubic.skel.h"
#include "st_dctcp.skel.h"

/*
 * The congestion controls we carry, each a skeleton whose only use here is
 * the object it embeds: they load as any object file does.
 */
struct tcp_ca_builtin {
	const char *name;	/* the .name of its tcp_congestion_ops */
	const char *about;
	const void *(*elf_bytes)(size_t *size);
};

static const struct tcp_ca_builtin tcp_ca_builtins[] = {
	{ "st_cubic", "CUBIC (RFC 9438) with HyStart++ delay detection",
	  st_cubic__elf_bytes },
	{ "st_dctcp", "DCTCP (RFC 8257), needs ECN", st_dctcp__elf_bytes },
	{ "st_aimd", "plain AIMD, Reno's rules spelled out", st_aimd__elf_bytes },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
	size_t i;

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
	for (i = 0; i < ARRAY_SIZE(tcp_ca_builtins); i++)
		fprintf(f, "  %-10s %s\n", tcp_ca_builtins[i].name,
			tcp_ca_builtins[i].about);
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

/* ---- list and unload: the kernel's tcp_congestion_ops maps, read via BTF */

/* Where things are in the value of a tcp_congestion_ops struct_ops map. */
struct ops_layout {
	const struct btf *btf;
	__u32 value_type_id;	/* struct bpf_struct_ops_tcp_congestion_ops */
	__u32 refcnt_off, state_off, data_off;
	const struct btf_type *ops;	/* struct tcp_congestion_ops */
	__u32 name_off, flags_off;
	/* enum bpf_struct_ops_state; ready is -1 on kernels without links */
	int registered, unregistered, ready;
};

static const struct btf_member *member(const struct btf *btf,
				       const struct btf_type *t,
				       const char *name)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return m;
	return NULL;
}

/* The value of enumerator name, or -1. */
static int enum_value(const struct btf *btf, const char *type, const char *name)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i;

	id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return e->val;
	return -1;
}

static int layout_init(struct ops_layout *l, const struct btf *btf)
{
	const struct btf_member *refcnt, *state, *data, *name, *flags, *common;
	const struct btf_type *value, *head;
	__u32 head_off;
	int id;

	id = btf__find_by_name_kind(btf, "bpf_struct_ops_tcp_congestion_ops",
				    BTF_KIND_STRUCT);
	if (id < 0)
		return id;
	value = btf__type_by_id(btf, id);
	data = member(btf, value, "data");
	/* refcnt and state: in the value itself (6.1), or in its "common"
	 * member (mainline's layout, and ours since module-defined types).
	 */
	head = value;
	head_off = 0;
	common = member(btf, value, "common");
	if (common) {
		head = btf__type_by_id(btf, btf__resolve_type(btf, common->type));
		head_off = btf_member_bit_offset(value, common - btf_members(value)) / 8;
	}
	refcnt = member(btf, head, "refcnt");
	state = member(btf, head, "state");
	if (!refcnt || !state || !data)
		return -ENOENT;

	l->btf = btf;
	l->value_type_id = id;
	l->refcnt_off = head_off +
			btf_member_bit_offset(head, refcnt - btf_members(head)) / 8;
	l->state_off = head_off +
		       btf_member_bit_offset(head, state - btf_members(head)) / 8;
	l->data_off = btf_member_bit_offset(value, data - btf_members(value)) / 8;
	l->ops = btf__type_by_id(btf, btf__resolve_type(btf, data->type));
	name = member(btf, l->ops, "name");
	flags = member(btf, l->ops, "flags");
	if (!name || !flags)
		return -ENOENT;
	l->name_off = btf_member_bit_offset(l->ops, name - btf_members(l->ops)) / 8;
	l->flags_off = btf_member_bit_offset(l->ops, flags - btf_members(l->ops)) / 8;
	l->registered = enum_value(btf, "bpf_struct_ops_state",
				   "BPF_STRUCT_OPS_STATE_INUSE");
	l->unregistered = enum_value(btf, "bpf_struct_ops_state",
				     "BPF_STRUCT_OPS_STATE_TOBEFREE");
	l->ready = enum_value(btf, "bpf_struct_ops_state",
			      "BPF_STRUCT_OPS_STATE_READY");
	if (l->registered < 0 || l->unregistered < 0)
		return -ENOENT;
	return 0;
}

/* bpf_link_info.struct_ops.map_id: the first word of the union. */
static __u32 link_info_map_id(const struct bpf_link_info *info)
{
	__u32 id;

	memcpy(&id, (const char *)info + offsetof(struct bpf_link_info, raw_tracepoint),
	       sizeof(id));
	return id;
}

/* The map behind struct_ops link fd, or 0. */
static __u32 map_id_of_link(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_LINK_TYPE_STRUCT_OPS)
		return 0;
	return link_info_map_id(&info);
}

/*
 * The id of the live struct_ops link that registers map map_id, or 0.
 * tcp lets a table be registered once: one link at most.
 */
static __u32 link_of_map(__u32 map_id)
{
	__u32 id = 0;
	bool found;
	int fd;

	while (!bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		found = map_id_of_link(fd) == map_id;
		close(fd);
		if (found)
			return id;
	}
	return 0;
}

/* A tcp_congestion_ops struct_ops map, as next_ops_map() found it. */
struct ops_map {
	__u32 id;
	int fd;
	char name[16];
	int state;		/* enum bpf_struct_ops_state */
	__u32 refcnt;
	__u32 link_id;		/* the link that registers it, or 0 */
	void *value;
};

static void ops_map_release(struct ops_map *m)
{
	free(m->value);
	m->value = NULL;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* Read the map's value: the ops as registered, function members as prog ids. */
static int ops_map_read(const struct ops_layout *l, struct ops_map *m,
			__u32 value_size)
{
	__u32 key = 0;

	m->value = calloc(1, value_size);
	if (!m->value)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->fd, &key, m->value))
		return -errno;
	memcpy(&m->refcnt, (char *)m->value + l->refcnt_off, sizeof(m->refcnt));
	memcpy(&m->state, (char *)m->value + l->state_off, sizeof(m->state));
	memcpy(m->name, (char *)m->value + l->data_off + l->name_off, sizeof(m->name) - 1);
	return 0;
}

/*
 * Move m to the next tcp_congestion_ops map after m->id (start from a
 * zeroed m) that was ever registered.  Returns 1 when found, 0 when there
 * are no more, or a negative errno.  ops_map_release() after use.
 */
static int next_ops_map(const struct ops_layout *l, struct ops_map *m)
{
	struct bpf_map_info info;
	__u32 len;
	int err;

	ops_map_release(m);
	m->link_id = 0;
	while (!bpf_map_get_next_id(m->id, &m->id)) {
		m->fd = bpf_map_get_fd_by_id(m->id);
		if (m->fd < 0) {
			if (errno == ENOENT)	/* freed meanwhile */
				continue;
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(m->fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_STRUCT_OPS &&
		    info.btf_vmlinux_value_type_id == l->value_type_id) {
			err = ops_map_read(l, m, info.value_size);
			if (err)
				return err;
			/* Never updated (state INIT): not a congestion control. */
			if (m->state == l->registered || m->state == l->unregistered)
				return 1;
			if (m->state == l->ready) {
				m->link_id = link_of_map(m->id);
				return 1;
			}
		}
		ops_map_release(m);
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Registered, by its update or by a link. */
static bool ops_map_registered(const struct ops_layout *l, const struct ops_map *m)
{
	return m->state == l->registered || m->link_id;
}

static const char *ops_map_state(const struct ops_layout *l, const struct ops_map *m)
{
	if (m->state == l->ready)
		return m->link_id ? "linked" : "ready";
	return m->state == l->registered ? "registered" : "unregistered";
}

/* NAME MAP STATE SOCKETS member=prog_id... [link=link_id] */
static void print_ops_map(const struct ops_layout *l, const struct ops_map *m)
{
	const struct btf_member *mb = btf_members(l->ops);
	const struct btf_type *t;
	__u64 prog_id;
	int i;
	/* The registration holds one count; each socket running it, one. */
	__u32 users = m->refcnt - ops_map_registered(l, m);

	printf("%-15s %6u  %-12s %7u ", m->name, m->id, ops_map_state(l, m), users);
	for (i = 0; i < btf_vlen(l->ops); i++, mb++) {
		t = btf__type_by_id(l->btf, btf__resolve_type(l->btf, mb->type));
		if (!btf_is_ptr(t) || !btf_is_func_proto(btf__type_by_id(l->btf, t->type)))
			continue;
		memcpy(&prog_id, (char *)m->value + l->data_off +
		       btf_member_bit_offset(l->ops, i) / 8, sizeof(prog_id));
		if (prog_id)
			printf(" %s=%llu", btf__name_by_offset(l->btf, mb->name_off),
			       (unsigned long long)prog_id);
	}
	if (m->link_id)
		printf(" link=%u", m->link_id);
	printf("\n");
}

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

/* ---- objects: one of ours, or any file with one tcp_congestion_ops */

#define OPS_TYPE	"tcp_congestion_ops"

/* What tcp_ca needs of a BPF object, found by ca_open(). */
struct ca_obj {
	const char *elf;	/* the object file's bytes */
	size_t elf_size;
	void *file;		/* elf, when read from a file */
	struct bpf_object *obj;
	const char *sec;	/* .struct_ops or .struct_ops.link */
	const char *var;	/* its struct tcp_congestion_ops variable */
	__u32 type_id;		/* that struct, in obj's BTF */
	__u32 var_off, var_size;	/* the variable in sec */
	const char *init;	/* the variable's bytes, as the object has them */
	char name[16];		/* the CC's .name */
	struct bpf_map *map;	/* the struct_ops map libbpf made of it */
	char why[192];		/* what is wrong with the object, on failure */
};

static const struct tcp_ca_builtin *builtin(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tcp_ca_builtins); i++)
		if (!strcmp(tcp_ca_builtins[i].name, name))
			return &tcp_ca_builtins[i];
	return NULL;
}

/* An argument names a file when it has a '/' or ends in ".o". */
static bool is_path(const char *arg)
{
	size_t len = strlen(arg);

	return strchr(arg, '/') || (len > 2 && !strcmp(arg + len - 2, ".o"));
}

static int read_file(const char *path, void **buf, size_t *size)
{
	struct stat st;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st)) {
		err = -errno;
	} else {
		*size = st.st_size;
		*buf = malloc(*size ? *size : 1);
		if (!*buf)
			err = -ENOMEM;
		else if (fread(*buf, 1, *size, f) != *size)
			err = -EIO;
	}
	fclose(f);
	return err;
}

/* The bytes of section name in an ELF object, or NULL. */
static const char *elf_section(const char *elf, size_t size, const char *name,
			       size_t *sec_size)
{
	const char *found = NULL, *s;
	Elf_Scn *scn = NULL;
	size_t strndx;
	GElf_Shdr sh;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_memory((char *)elf, size);
	if (!e || elf_getshdrstrndx(e, &strndx))
		goto out;
	while ((scn = elf_nextscn(e, scn)) && gelf_getshdr(scn, &sh)) {
		s = elf_strptr(e, strndx, sh.sh_name);
		if (!s || strcmp(s, name))
			continue;
		if (sh.sh_type == SHT_PROGBITS && sh.sh_offset <= size &&
		    sh.sh_size <= size - sh.sh_offset) {
			found = elf + sh.sh_offset;
			*sec_size = sh.sh_size;
		}
		break;
	}
out:
	elf_end(e);
	return found;
}

static bool ops_section(const char *name)
{
	return !strcmp(name, ".struct_ops") || !strcmp(name, ".struct_ops.link");
}

/*
 * The object's struct tcp_congestion_ops variables, from its BTF: the
 * DATASECs of the two struct_ops sections.  Records the first; returns how
 * many there are.
 */
static int find_ops_vars(struct ca_obj *ca)
{
	const struct btf *btf = bpf_object__btf(ca->obj);
	const struct btf_type *sec, *var, *t;
	const struct btf_var_secinfo *vs;
	__u32 id, n, i;
	int found = 0, tid;

	n = btf ? btf__type_cnt(btf) : 0;
	for (id = 1; id < n; id++) {
		sec = btf__type_by_id(btf, id);
		if (!btf_is_datasec(sec) ||
		    !ops_section(btf__name_by_offset(btf, sec->name_off)))
			continue;
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			var = btf__type_by_id(btf, vs->type);
			tid = btf__resolve_type(btf, var->type);
			t = tid < 0 ? NULL : btf__type_by_id(btf, tid);
			if (!t || !btf_is_struct(t) ||
			    strcmp(btf__name_by_offset(btf, t->name_off), OPS_TYPE))
				continue;
			if (found++)
				continue;
			ca->sec = btf__name_by_offset(btf, sec->name_off);
			ca->var = btf__name_by_offset(btf, var->name_off);
			ca->type_id = tid;
			ca->var_off = vs->offset;
			ca->var_size = vs->size;
		}
	}
	return found;
}

/* Offset of member name in the object's struct tcp_congestion_ops, or -1. */
static int ops_member_off(const struct ca_obj *ca, const char *name)
{
	const struct btf *btf = bpf_object__btf(ca->obj);
	const struct btf_type *t = btf__type_by_id(btf, ca->type_id);
	const struct btf_member *m = member(btf, t, name);

	return m ? (int)(btf_member_bit_offset(t, m - btf_members(t)) / 8) : -1;
}

/* Find the one tcp_congestion_ops of an open object, and its .name. */
static int ca_find_ops(struct ca_obj *ca)
{
	size_t sec_size = 0;
	const char *sec;
	int n, off;

	n = find_ops_vars(ca);
	if (n != 1) {
		snprintf(ca->why, sizeof(ca->why), n ?
			 "it has %d struct " OPS_TYPE ", and tcp_ca loads one per object" :
			 "it has no struct " OPS_TYPE " in .struct_ops or .struct_ops.link", n);
		return n ? -EINVAL : -ENOENT;
	}
	sec = elf_section(ca->elf, ca->elf_size, ca->sec, &sec_size);
	off = ops_member_off(ca, "name");
	if (!sec || ca->var_off > sec_size || ca->var_size > sec_size - ca->var_off ||
	    off < 0 || off + sizeof(ca->name) > ca->var_size) {
		snprintf(ca->why, sizeof(ca->why), "its %s section does not hold %s",
			 ca->sec, ca->var);
		return -EINVAL;
	}
	ca->init = sec + ca->var_off;
	memcpy(ca->name, ca->init + off, sizeof(ca->name) - 1);

	/* libbpf names a struct_ops map after its variable. */
	ca->map = bpf_object__find_map_by_name(ca->obj, ca->var);
	if (!ca->map) {
		snprintf(ca->why, sizeof(ca->why), "%s needs libbpf 1.2 or later %s",
			 ca->sec, "(tcp_ca's link-mode build); this one loads .struct_ops");
		return -EOPNOTSUPP;
	}
	if (!ca->name[0]) {
		snprintf(ca->why, sizeof(ca->why), "%s has no .name", ca->var);
		return -EINVAL;
	}
	return 0;
}

/*
 * Open arg, one of our congestion controls by name or an object file, and
 * find its tcp_congestion_ops.  On failure ca->why says what is wrong with
 * it.  ca_close() after, either way.
 */
static int ca_open(struct ca_obj *ca, const char *arg)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	const struct tcp_ca_builtin *b = builtin(arg);
	const char *base = strrchr(arg, '/');
	int err;

	memset(ca, 0, sizeof(*ca));
	if (b) {
		ca->elf = b->elf_bytes(&ca->elf_size);
		opts.object_name = b->name;
	} else {
		err = read_file(arg, &ca->file, &ca->elf_size);
		if (err) {
			snprintf(ca->why, sizeof(ca->why), "cannot read it");
			return err;
		}
		ca->elf = ca->file;
		opts.object_name = base ? base + 1 : arg;
	}
	ca->obj = bpf_object__open_mem(ca->elf, ca->elf_size, &opts);
	if (!ca->obj) {
		err = -errno;
		snprintf(ca->why, sizeof(ca->why), "libbpf cannot open it");
		return err;
	}
	return ca_find_ops(ca);
}

static void ca_close(struct ca_obj *ca)
{
	bpf_object__close(ca->obj);
	free(ca->file);
}

/* Whether the kernel has a congestion control of that name, any kind. */
static bool cc_registered(const char *name)
{
	char buf[4096], *tok, *save;
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
	bool found = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, "\n ", &save); tok && !found;
		     tok = strtok_r(NULL, "\n ", &save))
			found = !strcmp(tok, name);
	fclose(f);
	return found;
}

/* ---- load */

#define NAME_TAKEN	" (a congestion control of that name is registered: tcp_ca list)"

static int cmd_load(const char *arg, const char *pin_dir)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), link_id = 0;
	struct bpf_link *link;
	struct ca_obj ca;
	bool linked;
	int err, ret = 1;

	if (!builtin(arg) && !is_path(arg)) {
		fprintf(stderr, "tcp_ca: '%s' is neither one of ours nor a .o file\n", arg);
		return print_usage(stderr);
	}
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

/* The program of obj that implements member idx of the kernel's ops. */
static struct bpf_program *prog_of_member(struct bpf_object *obj, __u32 idx)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS &&
		    bpf_program__expected_attach_type(prog) == idx &&
		    bpf_program__fd(prog) >= 0)
			return prog;
	return NULL;
}

/*
 * The kernel's value for ca's map, as libbpf builds it on attach: each
 * function member the fd of the loaded program that implements it (libbpf
 * set each program's expected attach type to its member's index), name and
 * flags from the object's ops struct.
 */
static int fill_value(const struct ops_layout *l, const struct ca_obj *ca,
		      char *value)
{
	const struct btf_member *mb = btf_members(l->ops);
	const struct bpf_program *prog;
	const struct btf_type *t;
	int name_off, flags_off;
	__u64 fd;
	int i;

	name_off = ops_member_off(ca, "name");
	flags_off = ops_member_off(ca, "flags");
	if (name_off < 0 || flags_off < 0 || (__u32)flags_off + 4 > ca->var_size)
		return -ENOENT;
	memcpy(value + l->data_off + l->name_off, ca->init + name_off, 16);
	memcpy(value + l->data_off + l->flags_off, ca->init + flags_off, 4);

	for (i = 0; i < btf_vlen(l->ops); i++, mb++) {
		t = btf__type_by_id(l->btf, btf__resolve_type(l->btf, mb->type));
		if (!btf_is_ptr(t) || !btf_is_func_proto(btf__type_by_id(l->btf, t->type)))
			continue;
		prog = prog_of_member(ca->obj, i);
		if (!prog)
			continue;
		fd = bpf_program__fd(prog);
		memcpy(value + l->data_off + btf_member_bit_offset(l->ops, i) / 8,
		       &fd, sizeof(fd));
	}
	return 0;
}

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

	if (!builtin(arg) && !is_path(arg)) {
		fprintf(stderr, "tcp_ca: '%s' is neither one of ours nor a .o file\n", arg);
		return print_usage(stderr);
	}
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
