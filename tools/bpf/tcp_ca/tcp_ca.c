// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca: load, list and unload our BPF TCP congestion controls.
 *
 *   tcp_ca load NAME [--pin DIR]	register NAME; pin its map at DIR/NAME
 *   tcp_ca list			every BPF congestion control in the kernel
 *   tcp_ca unload NAME			unregister NAME
 *
 * Each congestion control is a BPF object with one struct_ops map, built
 * into this binary as a skeleton (bpftool gen skeleton).  Loading it is
 * three libbpf calls: __open_and_load() verifies the programs,
 * bpf_map__attach_struct_ops() writes the map's value, which makes the
 * kernel build the trampolines and call tcp_register_congestion_control(),
 * and bpf_link__disconnect() keeps it registered once we exit.  From then
 * on the registration holds the map; "unload" deletes the map's value,
 * which unregisters it.  Sockets that run it keep it until they close.
 *
 * On failure nothing stays behind: what was registered is unregistered,
 * and closing the skeleton frees the rest.
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

	fprintf(f, "usage: tcp_ca load NAME [--pin DIR]  %s\n",
		"register NAME (pin its map at DIR/NAME)");
	fprintf(f, "       tcp_ca list                   %s\n",
		"BPF congestion controls in the kernel");
	fprintf(f, "       tcp_ca unload NAME            unregister NAME\n");
	fprintf(f, "NAME is one of:\n");
	for (i = 0; i < ARRAY_SIZE(tcp_ca_objs); i++)
		fprintf(f, "  %-10s %s\n", tcp_ca_objs[i].name, tcp_ca_objs[i].about);
	return f == stderr ? 2 : 0;
}

/* ---- load */

static int pin_map(struct bpf_map *map, const char *dir, const char *name)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return bpf_map__pin(map, path);
}

static int cmd_load(const char *name, const char *pin_dir)
{
	const struct tcp_ca_obj *obj = NULL;
	struct bpf_link *link;
	struct bpf_map *map;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
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

	/* The map update: trampolines, then tcp_register_congestion_control(). */
	link = bpf_map__attach_struct_ops(map);
	if (!link) {
		err = -errno;
		obj->close(skel);
		return fail(err, "registering %s%s", name, err == -EEXIST ?
			    " (a congestion control of that name is registered: tcp_ca list)" : "");
	}

	if (pin_dir) {
		err = pin_map(map, pin_dir, name);
		if (err) {
			/* Destroying the link while connected unregisters. */
			bpf_link__destroy(link);
			obj->close(skel);
			return fail(err, "pinning %s in %s", name, pin_dir);
		}
	}

	bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len);
	/* Stay registered after we exit: the kernel holds the map now. */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	obj->close(skel);

	printf("loaded %s: struct_ops map id %u%s%s%s%s\n", name, info.id,
	       pin_dir ? ", pinned at " : "", pin_dir ? pin_dir : "",
	       pin_dir ? "/" : "", pin_dir ? name : "");
	return 0;
}

/* ---- list and unload: the kernel's tcp_congestion_ops maps, read via BTF */

/* Where things are in the value of a tcp_congestion_ops struct_ops map. */
struct ops_layout {
	const struct btf *btf;
	__u32 value_type_id;	/* struct bpf_struct_ops_tcp_congestion_ops */
	__u32 refcnt_off, state_off, data_off;
	const struct btf_type *ops;	/* struct tcp_congestion_ops */
	__u32 name_off;
	int registered, unregistered;	/* enum bpf_struct_ops_state */
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
	const struct btf_member *refcnt, *state, *data, *name;
	const struct btf_type *value;
	int id;

	id = btf__find_by_name_kind(btf, "bpf_struct_ops_tcp_congestion_ops",
				    BTF_KIND_STRUCT);
	if (id < 0)
		return id;
	value = btf__type_by_id(btf, id);
	refcnt = member(btf, value, "refcnt");
	state = member(btf, value, "state");
	data = member(btf, value, "data");
	if (!refcnt || !state || !data)
		return -ENOENT;

	l->btf = btf;
	l->value_type_id = id;
	l->refcnt_off = btf_member_bit_offset(value, refcnt - btf_members(value)) / 8;
	l->state_off = btf_member_bit_offset(value, state - btf_members(value)) / 8;
	l->data_off = btf_member_bit_offset(value, data - btf_members(value)) / 8;
	l->ops = btf__type_by_id(btf, btf__resolve_type(btf, data->type));
	name = member(btf, l->ops, "name");
	if (!name)
		return -ENOENT;
	l->name_off = btf_member_bit_offset(l->ops, name - btf_members(l->ops)) / 8;
	l->registered = enum_value(btf, "bpf_struct_ops_state",
				   "BPF_STRUCT_OPS_STATE_INUSE");
	l->unregistered = enum_value(btf, "bpf_struct_ops_state",
				     "BPF_STRUCT_OPS_STATE_TOBEFREE");
	if (l->registered < 0 || l->unregistered < 0)
		return -ENOENT;
	return 0;
}

/* A tcp_congestion_ops struct_ops map, as next_ops_map() found it. */
struct ops_map {
	__u32 id;
	int fd;
	char name[16];
	int state;		/* enum bpf_struct_ops_state */
	__u32 refcnt;
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
		}
		ops_map_release(m);
	}
	return errno == ENOENT ? 0 : -errno;
}

/* NAME MAP STATE SOCKETS member=prog_id... */
static void print_ops_map(const struct ops_layout *l, const struct ops_map *m)
{
	const struct btf_member *mb = btf_members(l->ops);
	const struct btf_type *t;
	__u64 prog_id;
	int i;
	/* The registration holds one count; each socket running it, one. */
	__u32 users = m->refcnt - (m->state == l->registered);

	printf("%-15s %6u  %-12s %7u ", m->name, m->id,
	       m->state == l->registered ? "registered" : "unregistered", users);
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

static int cmd_unload(const struct ops_layout *l, const char *name)
{
	struct ops_map m = { .fd = -1 };
	__u32 key = 0;
	int ret;

	while ((ret = next_ops_map(l, &m)) > 0) {
		if (m.state != l->registered || strcmp(m.name, name))
			continue;
		/* Unregisters; sockets running it keep it until they close. */
		if (bpf_map_delete_elem(m.fd, &key)) {
			ret = -errno;
			break;
		}
		printf("unloaded %s (struct_ops map id %u, %u sockets still use it)\n",
		       name, m.id, m.refcnt - 1);
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

/*
 * list (name NULL) and unload name: both find the maps through the running
 * kernel's BTF.
 */
static int cmd_list_or_unload(const char *name)
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
	else if (name)
		err = cmd_unload(&l, name);
	else
		err = cmd_list(&l);
	btf__free(btf);
	return err;
}

int main(int argc, char **argv)
{
	const char *pin_dir = NULL;

	libbpf_set_print(libbpf_print);

	if (argc == 2 && !strcmp(argv[1], "list"))
		return cmd_list_or_unload(NULL);
	if (argc == 3 && !strcmp(argv[1], "unload"))
		return cmd_list_or_unload(argv[2]);
	if ((argc == 3 || argc == 5) && !strcmp(argv[1], "load")) {
		if (argc == 5) {
			if (strcmp(argv[3], "--pin"))
				return print_usage(stderr);
			pin_dir = argv[4];
		}
		return cmd_load(argv[2], pin_dir);
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return print_usage(stdout);
	return print_usage(stderr);
}
