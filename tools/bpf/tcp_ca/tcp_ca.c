// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca: load, list, swap and unload our BPF TCP congestion controls.
 *
 *   tcp_ca load NAME [--pin DIR]	register NAME
 *   tcp_ca list			every BPF congestion control in the kernel
 *   tcp_ca swap NAME OBJ [--pin DIR]	replace NAME by OBJ's, in one step
 *   tcp_ca unload NAME [--pin DIR]	unregister NAME
 *
 * Each congestion control is a BPF object with one struct_ops map, built
 * into this binary as a skeleton (bpftool gen skeleton).  It comes in two
 * builds (see the Makefile):
 *
 *  - link mode, on libbpf 1.5: the map is a .struct_ops.link one
 *    (BPF_F_LINK).  bpf_map__attach_struct_ops() fills it and makes a
 *    struct_ops link, which registers it; load pins the link at DIR/NAME
 *    (DIR defaults to /sys/fs/bpf/tcp_ca), so that the CC outlives us and
 *    a loader that dies takes its CC with it.  swap fills OBJ's map and
 *    hands it to the link with BPF_LINK_UPDATE: tcp swaps the tables under
 *    the name atomically.  unload detaches the link and removes the pin.
 *  - map mode, on Debian's libbpf 1.1.2: a .struct_ops map, registered by
 *    its update; bpf_link__disconnect() keeps it registered once we exit,
 *    load pins the map if asked, and unload deletes the map's value.
 *
 * Either way, sockets that run a CC keep it until they close.  On failure
 * nothing stays behind: what was registered is unregistered, and closing
 * the skeleton frees the rest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * One congestion control we carry.  open() is its skeleton's
 * __open_and_load(), which also hands back the struct_ops map; close() is
 * its __destroy().
 */
struct tcp_ca_obj {
	const char *name;	/* the .name of its tcp_congestion_ops */
	const char *about;
	void *(*open)(struct bpf_map **ops);
	void (*close)(void *skel);
};

static void *st_cubic_open(struct bpf_map **ops)
{
	struct st_cubic *skel = st_cubic__open_and_load();

	if (skel)
		*ops = skel->maps.st_cubic;
	return skel;
}

static void st_cubic_close(void *skel)
{
	st_cubic__destroy(skel);
}

static void *st_dctcp_open(struct bpf_map **ops)
{
	struct st_dctcp *skel = st_dctcp__open_and_load();

	if (skel)
		*ops = skel->maps.st_dctcp;
	return skel;
}

static void st_dctcp_close(void *skel)
{
	st_dctcp__destroy(skel);
}

static void *st_aimd_open(struct bpf_map **ops)
{
	struct st_aimd *skel = st_aimd__open_and_load();

	if (skel)
		*ops = skel->maps.st_aimd;
	return skel;
}

static void st_aimd_close(void *skel)
{
	st_aimd__destroy(skel);
}

static const struct tcp_ca_obj tcp_ca_objs[] = {
	{ "st_cubic", "CUBIC (RFC 9438) with HyStart++ delay detection",
	  st_cubic_open, st_cubic_close },
	{ "st_dctcp", "DCTCP (RFC 8257), needs ECN",
	  st_dctcp_open, st_dctcp_close },
	{ "st_aimd", "plain AIMD, Reno's rules spelled out",
	  st_aimd_open, st_aimd_close },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors: the kernel's errno by name, and what libbpf said */

static char libbpf_msgs[8192];
static size_t libbpf_msgs_len;

/* Keep libbpf's warnings to print with the error they explain. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	size_t room = sizeof(libbpf_msgs) - libbpf_msgs_len;
	int n;

	if (level == LIBBPF_DEBUG || room <= 1)
		return 0;
	n = vsnprintf(libbpf_msgs + libbpf_msgs_len, room, fmt, ap);
	if (n > 0)
		libbpf_msgs_len += (size_t)n < room ? (size_t)n : room - 1;
	return 0;
}

/* err: a negative errno.  Returns 1, the tool's exit status on error. */
static int fail(int err, const char *fmt, ...)
{
	const char *name = strerrorname_np(-err);
	va_list ap;

	fprintf(stderr, "tcp_ca: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", name ? name : "?", strerror(-err));
	if (libbpf_msgs_len)
		fprintf(stderr, "libbpf:\n%s", libbpf_msgs);
	return 1;
}

static int print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tcp_ca load NAME [--pin DIR]      %s\n",
		"register NAME (pin its link or map at DIR/NAME)");
	fprintf(f, "       tcp_ca list                       %s\n",
		"BPF congestion controls in the kernel");
	fprintf(f, "       tcp_ca swap NAME OBJ [--pin DIR]  %s\n",
		"replace NAME by the one in BPF object OBJ");
	fprintf(f, "       tcp_ca unload NAME [--pin DIR]    unregister NAME\n");
	fprintf(f, "This build registers by %s (DIR: %s).\n",
		LINK_MODE ? "struct_ops link" : "map update", PIN_DIR_DEFAULT);
	fprintf(f, "NAME is one of:\n");
	for (i = 0; i < ARRAY_SIZE(tcp_ca_objs); i++)
		fprintf(f, "  %-10s %s\n", tcp_ca_objs[i].name, tcp_ca_objs[i].about);
	return f == stderr ? 2 : 0;
}

/* ---- load */

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

static int cmd_load(const char *name, const char *pin_dir)
{
	const struct tcp_ca_obj *obj = NULL;
	struct bpf_link *link;
	struct bpf_map *map;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), link_id = 0;
	bool linked;
	void *skel;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(tcp_ca_objs); i++)
		if (!strcmp(tcp_ca_objs[i].name, name))
			obj = &tcp_ca_objs[i];
	if (!obj) {
		fprintf(stderr, "tcp_ca: no congestion control named '%s' here\n", name);
		return print_usage(stderr);
	}

	/* Verifies every program; nothing is registered yet. */
	skel = obj->open(&map);
	if (!skel)
		return fail(-errno, "loading %s", name);

	/* The map update (the trampolines), then the registration: by the
	 * update itself in map mode, by a new struct_ops link in link mode.
	 */
	link = bpf_map__attach_struct_ops(map);
	if (!link) {
		err = -errno;
		obj->close(skel);
		return fail(err, "registering %s%s", name, err == -EEXIST ?
			    " (a congestion control of that name is registered: tcp_ca list)" : "");
	}

	/* Link mode always pins: the pin is what outlives us. */
	linked = bpf_map__map_flags(map) & BPF_F_LINK;
	if (linked && !pin_dir)
		pin_dir = PIN_DIR_DEFAULT;
	if (pin_dir) {
		err = pin_ca(link, map, linked, pin_dir, name);
		if (err) {
			/* Destroying the link while connected unregisters. */
			bpf_link__destroy(link);
			obj->close(skel);
			return fail(err, "pinning %s in %s", name, pin_dir);
		}
	}

	bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len);
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
	obj->close(skel);

	printf("loaded %s: struct_ops map id %u", name, info.id);
	if (linked)
		printf(", link id %u", link_id);
	if (pin_dir)
		printf(", pinned at %s/%s", pin_dir, name);
	printf("\n");
	return 0;
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

/* Offset of member name in obj's own ops struct (its BTF), or -1. */
static int obj_member_off(struct bpf_object *obj, const struct bpf_map *map,
			  const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const struct btf_member *m;

	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	m = t ? member(btf, t, name) : NULL;
	return m ? btf_member_bit_offset(t, m - btf_members(t)) / 8 : -1;
}

/*
 * The kernel's value for map, as libbpf builds it on attach: each function
 * member the fd of the loaded program that implements it (libbpf set each
 * program's expected attach type to its member's index), name and flags
 * from the object's ops struct.
 */
static int fill_value(const struct ops_layout *l, struct bpf_object *obj,
		      const struct bpf_map *map, char *value)
{
	const struct btf_member *mb = btf_members(l->ops);
	const struct bpf_program *prog;
	const struct btf_type *t;
	int name_off, flags_off;
	const char *init;
	__u64 fd;
	size_t sz;
	int i;

	init = bpf_map__initial_value((struct bpf_map *)map, &sz);
	name_off = obj_member_off(obj, map, "name");
	flags_off = obj_member_off(obj, map, "flags");
	if (!init || name_off < 0 || flags_off < 0 ||
	    (size_t)name_off + 16 > sz || (size_t)flags_off + 4 > sz)
		return -ENOENT;
	memcpy(value + l->data_off + l->name_off, init + name_off, 16);
	memcpy(value + l->data_off + l->flags_off, init + flags_off, 4);

	for (i = 0; i < btf_vlen(l->ops); i++, mb++) {
		t = btf__type_by_id(l->btf, btf__resolve_type(l->btf, mb->type));
		if (!btf_is_ptr(t) || !btf_is_func_proto(btf__type_by_id(l->btf, t->type)))
			continue;
		prog = prog_of_member(obj, i);
		if (!prog)
			continue;
		fd = bpf_program__fd(prog);
		memcpy(value + l->data_off + btf_member_bit_offset(l->ops, i) / 8,
		       &fd, sizeof(fd));
	}
	return 0;
}

/* The .struct_ops.link map of obj, or NULL. */
static struct bpf_map *obj_link_map(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS &&
		    bpf_map__map_flags(map) & BPF_F_LINK)
			return map;
	return NULL;
}

/* Load obj, fill its map (state READY), hand it to NAME's pinned link. */
static int swap_into_link(const struct ops_layout *l, struct bpf_object *obj,
			  const char *name, const char *pin_dir, __u32 *ids)
{
	char path[4096], *value;
	struct bpf_map *map;
	__u32 key = 0;
	int link_fd, err;

	map = obj_link_map(obj);
	if (!map)
		return -EINVAL;
	value = calloc(1, bpf_map__value_size(map));
	if (!value)
		return -ENOMEM;
	err = fill_value(l, obj, map, value);
	if (!err && strncmp(value + l->data_off + l->name_off, name, 16))
		err = -EINVAL;
	if (!err && bpf_map_update_elem(bpf_map__fd(map), &key, value, 0))
		err = -errno;
	free(value);
	if (err)
		return err;

	err = pin_path(path, sizeof(path), pin_dir, name);
	if (err)
		return err;
	link_fd = bpf_obj_get(path);
	if (link_fd < 0)
		return -errno;
	ids[0] = map_id_of_link(link_fd);
	/* tcp puts the new table in the old one's place, under its lock. */
	if (bpf_link_update(link_fd, bpf_map__fd(map), NULL))
		err = -errno;
	ids[1] = map_id_of_link(link_fd);
	close(link_fd);
	return err;
}

static int cmd_swap(const struct ops_layout *l, const char *name,
		    const char *path, const char *pin_dir)
{
	struct bpf_object *obj;
	__u32 ids[2] = {};
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return fail(-errno, "opening %s", path);
	if (bpf_object__load(obj)) {
		err = fail(-errno, "loading %s", path);
		goto out;
	}
	err = swap_into_link(l, obj, name, pin_dir, ids);
	if (err == -EINVAL)
		err = fail(err, "swapping %s: %s", name,
			   "the object needs a .struct_ops.link map of that name, and the running CC a link");
	else if (err)
		err = fail(err, "swapping %s for %s's (link pinned at %s/%s)",
			   name, path, pin_dir, name);
	else
		printf("swapped %s: struct_ops map id %u -> %u\n", name, ids[0], ids[1]);
out:
	/* The link holds the new map now; the object may go. */
	bpf_object__close(obj);
	return err;
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
