// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca's view of the kernel: the tcp_congestion_ops struct_ops maps it
 * has, read through the running kernel's BTF (where refcnt, state and the
 * ops sit in a map's value), the links that register them, and the value
 * a swap hands the kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcp_ca.h"

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

int layout_init(struct ops_layout *l, const struct btf *btf)
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
__u32 map_id_of_link(int fd)
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

void ops_map_release(struct ops_map *m)
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
int next_ops_map(const struct ops_layout *l, struct ops_map *m)
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
bool ops_map_registered(const struct ops_layout *l, const struct ops_map *m)
{
	return m->state == l->registered || m->link_id;
}

const char *ops_map_state(const struct ops_layout *l, const struct ops_map *m)
{
	if (m->state == l->ready)
		return m->link_id ? "linked" : "ready";
	return m->state == l->registered ? "registered" : "unregistered";
}

/* NAME MAP STATE SOCKETS member=prog_id... [link=link_id] */
void print_ops_map(const struct ops_layout *l, const struct ops_map *m)
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
int fill_value(const struct ops_layout *l, const struct ca_obj *ca,
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

/* Whether the kernel has a congestion control of that name, any kind. */
bool cc_registered(const char *name)
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
