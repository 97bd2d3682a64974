/* SPDX-License-Identifier: GPL-2.0 */
/* Raw struct_ops values for the struct_ops_* tests: build the value of a
 * BPF_MAP_TYPE_STRUCT_OPS map by hand, from vmlinux BTF, so that tests can
 * hand the kernel exactly the bytes a rule is about.
 */
#ifndef __STRUCT_OPS_HELPERS_H
#define __STRUCT_OPS_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

enum { ST_STATE_INIT, ST_STATE_INUSE, ST_STATE_TOBEFREE, ST_STATE_READY };

struct st_value {
	struct btf *btf;
	const struct btf_type *ops;	/* e.g. struct tcp_congestion_ops */
	__u32 value_type_id;		/* struct bpf_struct_ops_<ops> */
	__u32 size;			/* of the value */
	__u32 data_off;			/* of the ops struct in the value */
	void *buf;			/* the value */
	int btf_fd;			/* map_create wants one, any will do */
};

/* The common head of every value: a refcount_t, then the state. */
static inline __u32 st_value_refcnt(const struct st_value *v)
{
	return *(__u32 *)v->buf;
}

static inline __u32 st_value_state(const struct st_value *v)
{
	return *(__u32 *)(v->buf + 4);
}

static inline void st_value_free(struct st_value *v)
{
	if (v->btf_fd > 0)
		close(v->btf_fd);
	btf__free(v->btf);
	free(v->buf);
	memset(v, 0, sizeof(*v));
}

/* BPF_MAP_CREATE takes a btf_fd even when the value type is vmlinux's:
 * load a one-type BTF to give it.
 */
static inline int st_tiny_btf_fd(void)
{
	struct btf *btf = btf__new_empty();
	int fd = -1;

	if (!btf)
		return -1;
	if (btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0 &&
	    !btf__load_into_kernel(btf))
		fd = dup(btf__fd(btf));
	btf__free(btf);
	return fd;
}

/* Write @s to the file at @path (sysfs, debugfs, cgroupfs): 0 or -errno. */
static inline int st_write_str(const char *path, const char *s)
{
	ssize_t n, len = strlen(s);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n != len)
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

/* Run iproute2's @tool ("ip" or "tc") once for all of @cmds, one command
 * a line, in network namespace @netns (NULL: the caller's).  One process
 * rather than a shell and a tool for each command: a debug kernel under
 * TCG takes most of a second for each.  The tool stops at the first
 * command that fails and names its line.  Returns the tool's exit status,
 * or -errno when it could not be run.
 */
static inline int st_ip_batch(const char *tool, const char *netns, const char *cmds)
{
	char cmd[128];
	int status;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s%s%s -batch -", tool, netns ? " -n " : "",
		 netns ?: "");
	f = popen(cmd, "w");
	if (!f)
		return -errno;
	fputs(cmds, f);
	status = pclose(f);
	if (status == -1)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Delete network namespaces @a and @b, whether or not they are there:
 * one ip, its complaints about a missing one silenced.
 */
static inline void st_netns_del(const char *a, const char *b)
{
	FILE *f = popen("ip -force -batch - 2>/dev/null", "w");

	if (!f)
		return;
	fprintf(f, "netns del %s\nnetns del %s\n", a, b);
	pclose(f);
}

/* Read the file at @path (debugfs, a pinned map) into @buf, NUL-terminated,
 * in one read: the bytes read, or -errno.
 */
static inline ssize_t st_read_str(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

/* bpf_struct_ops.native_entries: whether a map update points members at native
 * entries (1, the default) or leaves every member its trampoline (0).
 */
static inline int st_set_native(bool on)
{
	return st_write_str("/sys/module/bpf_struct_ops/parameters/native_entries",
			    on ? "1" : "0");
}

/* The bpffs file of struct_ops map @map_fd, pinned at @pin for the
 * moment of the read, into @buf: its value, then a line "entries:
 * MEMBER=native|trampoline ...".  Its length, or -errno.
 */
static inline int st_map_read_pinned(int map_fd, const char *pin, char *buf,
				     size_t size)
{
	int n;

	unlink(pin);
	if (bpf_obj_pin(map_fd, pin))
		return -errno;
	n = st_read_str(pin, buf, size);
	unlink(pin);
	if (n >= 0 && !strstr(buf, "entries:"))
		return -ENOENT;
	return n;
}

/* Does the struct_ops map @map_fd say that @member points at @where
 * ("native" or "trampoline")?  1 or 0, or -errno.
 */
static inline int st_member_points(int map_fd, const char *pin,
				   const char *member, const char *where)
{
	char buf[4096], want[64];
	int n;

	n = st_map_read_pinned(map_fd, pin, buf, sizeof(buf));
	if (n < 0)
		return n;
	snprintf(want, sizeof(want), " %s=%s", member, where);
	return !!strstr(buf, want);
}

/* How many members of the struct_ops map @map_fd point at @where, or
 * -errno.
 */
static inline int st_members_pointing(int map_fd, const char *pin,
				      const char *where)
{
	char buf[4096], want[32];
	const char *p;
	int n;

	n = st_map_read_pinned(map_fd, pin, buf, sizeof(buf));
	if (n < 0)
		return n;
	snprintf(want, sizeof(want), "=%s", where);
	n = 0;
	for (p = strstr(buf, "entries:"); (p = strstr(p, want)); p++)
		n++;
	return n;
}

/* Between two relays of the way in to a chain: a jump reaches 32767. */
#define ST_CHAIN_RELAY	30000

/* The next relay after insn @from of a chain whose top is @top, or the top */
static inline int st_chain_relay(int from, int top)
{
	return from + ST_CHAIN_RELAY < top ? from + ST_CHAIN_RELAY : top;
}

/*
 * Fill @insns (n + 3 of them) with "r0 = 0; goto top; exit; {goto -2} x n"
 * and return its length.  The verifier walks it once, from the top of the
 * chain down to the exit, one backward jump per insn: a data flow that
 * sweeps the prog in order moves one insn per sweep along it.  A jump's
 * offset is 16 bits: every ST_CHAIN_RELAY insns the way in to the top
 * takes a relay, "goto next relay", which the chain steps over (goto -3).
 */
static inline int st_chain_fill(struct bpf_insn *insns, int n)
{
	const struct bpf_insn ja = { .code = BPF_JMP | BPF_JA };
	int k, len = n + 3, top = len - 1;

	for (k = 1; k < len; k++)
		insns[k] = ja;
	insns[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K };
	insns[2] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	/* relays at 3 + ST_CHAIN_RELAY * j - 1, below the top */
	for (k = 3; k < len; k++) {
		if ((k - 2) % ST_CHAIN_RELAY == 0 && k < top)
			insns[k].off = st_chain_relay(k, top) - k - 1;
		else if ((k - 3) % ST_CHAIN_RELAY == 0 && k > 3)
			insns[k].off = -3;	/* over a relay */
		else
			insns[k].off = -2;
	}
	insns[1].off = st_chain_relay(2, top) - 2;
	return len;
}

/* Load the module at @path, the test's own build of it: 0, also when it
 * is loaded already, or -errno.
 */
static inline int st_load_module(const char *path)
{
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(__NR_finit_module, fd, "", 0) && errno != EEXIST)
		err = -errno;
	close(fd);
	return err;
}

/* The index of member @name of struct @ops in vmlinux BTF, and the
 * struct's BTF id: what a struct_ops prog's load names.  0 or -errno.
 */
static inline int st_ops_member(const char *ops, const char *name, __u32 *idx,
				__u32 *type_id)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i, err = -ENOENT;
	struct btf *btf;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, ops, BTF_KIND_STRUCT);
	if (id <= 0)
		goto out;
	t = btf__type_by_id(btf, id);
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name)) {
			*idx = i;
			*type_id = id;
			err = 0;
			break;
		}
	}
out:
	btf__free(btf);
	return err;
}

/* Find the value type of struct @ops_name; 0 or -errno. */
static inline int st_value_init(struct st_value *v, const char *ops_name)
{
	const struct btf_type *vt;
	const struct btf_member *m;
	char vname[128];
	int ops_id, i;

	memset(v, 0, sizeof(*v));
	v->btf = btf__load_vmlinux_btf();
	if (!v->btf)
		return -errno;
	ops_id = btf__find_by_name_kind(v->btf, ops_name, BTF_KIND_STRUCT);
	snprintf(vname, sizeof(vname), "bpf_struct_ops_%s", ops_name);
	v->value_type_id = btf__find_by_name_kind(v->btf, vname, BTF_KIND_STRUCT);
	if (ops_id < 0 || (int)v->value_type_id < 0)
		goto nope;
	v->ops = btf__type_by_id(v->btf, ops_id);
	vt = btf__type_by_id(v->btf, v->value_type_id);
	v->size = vt->size;
	for (i = 0, m = btf_members(vt); i < btf_vlen(vt); i++, m++)
		if (m->type == (__u32)ops_id)
			v->data_off = btf_member_bit_offset(vt, i) / 8;
	v->buf = calloc(1, v->size);
	v->btf_fd = st_tiny_btf_fd();
	if (!v->data_off || !v->buf || v->btf_fd < 0)
		goto nope;
	return 0;
nope:
	st_value_free(v);
	return -ENOENT;
}

/* Offset of member @name in the value, or -1. */
static inline int st_member_off(const struct st_value *v, const char *name)
{
	const struct btf_member *m = btf_members(v->ops);
	int i;

	for (i = 0; i < btf_vlen(v->ops); i++, m++)
		if (!strcmp(btf__name_by_offset(v->btf, m->name_off), name))
			return v->data_off + btf_member_bit_offset(v->ops, i) / 8;
	return -1;
}

static inline void st_set_u64(struct st_value *v, const char *member, __u64 val)
{
	*(__u64 *)(v->buf + st_member_off(v, member)) = val;
}

static inline __u64 st_get_u64(const struct st_value *v, const char *member)
{
	return *(__u64 *)(v->buf + st_member_off(v, member));
}

static inline void st_set_u32(struct st_value *v, const char *member, __u32 val)
{
	*(__u32 *)(v->buf + st_member_off(v, member)) = val;
}

static inline void st_set_name(struct st_value *v, const char *name)
{
	strncpy(v->buf + st_member_off(v, "name"), name, 16);
}

/* A new struct_ops map for this value type, with @flags; fd or -errno. */
static inline int st_map_create_flags(const struct st_value *v, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .btf_fd = v->btf_fd,
		    .btf_vmlinux_value_type_id = v->value_type_id,
		    .map_flags = flags);
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_STRUCT_OPS, "st_raw", sizeof(int),
			    v->size, 1, &opts);
	return fd < 0 ? -errno : fd;
}

/* A new struct_ops map for this value type; fd or -errno. */
static inline int st_map_create(const struct st_value *v)
{
	return st_map_create_flags(v, 0);
}

/* Update key @key of @map_fd with the value; 0 or -errno. */
static inline int st_map_update(int map_fd, __u32 key, const struct st_value *v)
{
	return bpf_map_update_elem(map_fd, &key, v->buf, 0) ? -errno : 0;
}

static inline int st_map_delete(int map_fd)
{
	__u32 key = 0;

	return bpf_map_delete_elem(map_fd, &key) ? -errno : 0;
}

/* Is @name among the registered TCP congestion controls? */
static inline bool tcp_cc_available(const char *name)
{
	char buf[4096], *tok, *save;
	FILE *f;
	bool found = false;

	f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, "\n ", &save); tok && !found;
		     tok = strtok_r(NULL, "\n ", &save))
			found = !strcmp(tok, name);
	fclose(f);
	return found;
}

/* Wait up to @ms for BPF object @id of kind @get_fd_by_id to be freed. */
static inline bool bpf_id_gone(int (*get_fd_by_id)(__u32), __u32 id, int ms)
{
	int fd;

	for (; ms > 0; ms -= 10) {
		fd = get_fd_by_id(id);
		if (fd < 0 && errno == ENOENT)
			return true;
		if (fd >= 0)
			close(fd);
		usleep(10000);
	}
	return false;
}

/* Id of the map or prog behind @fd, or 0: both infos start with type, id. */
static inline __u32 bpf_fd_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The sum over every CPU of the u64 at key 0 of the per-CPU array @map,
 * in *@sum: 0, or a negative errno (-E2BIG past 256 CPUs).
 */
static inline int st_percpu_sum(const struct bpf_map *map, __u64 *sum)
{
	int i, err, ncpu = libbpf_num_possible_cpus();
	__u64 vals[256] = {};
	__u32 zero = 0;

	*sum = 0;
	if (ncpu < 0)
		return ncpu;
	if (ncpu > 256)
		return -E2BIG;
	err = bpf_map__lookup_elem(map, &zero, sizeof(zero), vals,
				   sizeof(vals[0]) * ncpu, 0);
	if (err)
		return err;
	for (i = 0; i < ncpu; i++)
		*sum += vals[i];
	return 0;
}

#endif
