// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress fuzz: BPF_MAP_UPDATE_ELEM on fresh struct_ops maps with
 * structure-aware random values, and BPF_MAP_CREATE with random attrs.
 *
 * A value is built member by member from the type's BTF: a function
 * member gets its own prog, another member's prog, a prog of another type,
 * a map fd, a closed fd, a random number or nothing; the name is valid,
 * taken, empty, unterminated or has bytes a name may not have; flags and
 * the members the subsystem does not take are zero or random; so are the
 * value's refcnt and state, the padding, the key and the update flags.
 * One value in three starts whole (it would register) and gets at most
 * two such changes, so that the paths past the checks run too.
 *
 * Each result must be 0 or an errno the operation documents; an update
 * that failed must leave the map in state INIT with nothing registered,
 * one that succeeded must have registered (map mode) or prepared (link
 * mode) the table, which is then deleted or linked.  All from one seed:
 * the same seed makes the same calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>
#include <unistd.h>

#include "st_stress.h"

/* What a map update and a map create may answer (bpf_struct_ops.rst). */
static const int update_errnos[] = {
	EINVAL, E2BIG, EBADF, EEXIST, ENOMEM, 0
};

static const int create_errnos[] = {
	EINVAL, E2BIG, EPERM, EACCES, EBADF, ENOTSUPP, ENOMEM, 0
};

static const int busy_errnos[] = { EBUSY, 0 };
static const int link_errnos[] = { EEXIST, 0 };

enum {
	S_CREATE, S_UPDATE, S_UPDATE_AGAIN, S_DELETE, S_LINK, S_RAND_CREATE,
	S_NR
};

struct fmember {
	const char *name;
	__u32 off, size;
	bool func;
	int prog_fd;		/* its own prog, or -1 */
};

struct fuzz {
	struct stress_env *env;
	struct st_value v;
	uint64_t rs;
	struct fmember m[64];
	int nm;
	int btf_fd, vmlinux_btf_fd;
	unsigned long iter, updates;
	unsigned long registered, linked, bad;
};

static uint64_t rnd(struct fuzz *f, uint64_t n)
{
	return n ? rand_next(&f->rs) % n : rand_next(&f->rs);
}

static int prog_for(const struct stress_env *env, const char *member)
{
	struct st_stress *s = env->skel;

	if (!strcmp(member, "init"))
		return bpf_program__fd(s->progs.ss_init);
	if (!strcmp(member, "ssthresh"))
		return bpf_program__fd(s->progs.ss_ssthresh);
	if (!strcmp(member, "cong_avoid"))
		return bpf_program__fd(s->progs.ss_cong_avoid);
	if (!strcmp(member, "undo_cwnd"))
		return bpf_program__fd(s->progs.ss_undo_cwnd);
	if (!strcmp(member, "cwnd_event"))
		return bpf_program__fd(s->progs.ss_cwnd_event);
	if (!strcmp(member, "pkts_acked"))
		return bpf_program__fd(s->progs.ss_pkts_acked);
	return -1;
}

static int fuzz_members(struct fuzz *f)
{
	const struct btf *btf = f->v.btf;
	const struct btf_member *m = btf_members(f->v.ops);
	const struct btf_type *t;
	int i;

	for (i = 0; i < btf_vlen(f->v.ops) && i < (int)ARRAY_SIZE(f->m); i++, m++) {
		struct fmember *fm = &f->m[f->nm++];
		__s64 size = btf__resolve_size(btf, m->type);

		fm->name = btf__name_by_offset(btf, m->name_off);
		fm->off = f->v.data_off + btf_member_bit_offset(f->v.ops, i) / 8;
		fm->size = size > 0 ? size : 0;
		t = btf__type_by_id(btf, m->type);
		while (btf_is_mod(t) || btf_is_typedef(t))
			t = btf__type_by_id(btf, t->type);
		fm->func = btf_is_ptr(t) &&
			   btf_is_func_proto(btf__type_by_id(btf, t->type));
		fm->prog_fd = prog_for(f->env, fm->name);
	}
	return f->nm;
}

/* A prog fd that belongs to some other member than @fm. */
static int other_prog(struct fuzz *f, const struct fmember *fm)
{
	int i, j;

	for (j = 0; j < 8; j++) {
		i = rnd(f, f->nm);
		if (f->m[i].prog_fd >= 0 && &f->m[i] != fm)
			return f->m[i].prog_fd;
	}
	return f->m[0].prog_fd;
}

static void put_u64(struct fuzz *f, __u32 off, __u64 val)
{
	memcpy(f->v.buf + off, &val, sizeof(val));
}

static void fuzz_func(struct fuzz *f, const struct fmember *fm, int map_fd)
{
	switch (rnd(f, 16)) {
	case 0 ... 6:
		put_u64(f, fm->off, fm->prog_fd >= 0 ? fm->prog_fd : 0);
		break;
	case 7 ... 9:
		put_u64(f, fm->off, 0);
		break;
	case 10:
		put_u64(f, fm->off, other_prog(f, fm));
		break;
	case 11:
		put_u64(f, fm->off, f->env->filter_fd);
		break;
	case 12:
		put_u64(f, fm->off, map_fd);
		break;
	case 13:
		put_u64(f, fm->off, f->env->dead_fd);
		break;
	case 14:
		put_u64(f, fm->off, (__u32)rnd(f, 0));
		break;
	default:
		put_u64(f, fm->off, rnd(f, 0));
		break;
	}
}

static void fuzz_name(struct fuzz *f, const struct fmember *fm)
{
	char *name = f->v.buf + fm->off;
	__u32 i;

	memset(name, 0, fm->size);
	switch (rnd(f, 12)) {
	case 0:
		strcpy(name, rnd(f, 2) ? "cubic" : "reno");
		break;
	case 1:
		break;
	case 2:
		for (i = 0; i < fm->size; i++)
			name[i] = 'a' + rnd(f, 26);
		break;
	case 3:
		for (i = 0; i < fm->size; i++)
			name[i] = rnd(f, 256);
		break;
	case 4:
		strcpy(name, "ss-fz");
		break;
	default:
		snprintf(name, fm->size, "ssfz%lu", f->iter);
		break;
	}
}

/* Random bytes over the member, now and then. */
static void fuzz_data(struct fuzz *f, const struct fmember *fm)
{
	__u32 i;

	memset(f->v.buf + fm->off, 0, fm->size);
	if (!strcmp(fm->name, "flags")) {
		if (rnd(f, 4) == 0)
			*(__u32 *)(f->v.buf + fm->off) = rnd(f, 3) ? rnd(f, 4) :
							 (__u32)rnd(f, 0);
		return;
	}
	if (rnd(f, 20) == 0)
		for (i = 0; i < fm->size; i++)
			((char *)f->v.buf)[fm->off + i] = rnd(f, 256);
}

static void fuzz_member(struct fuzz *f, const struct fmember *fm, int map_fd)
{
	if (fm->func)
		fuzz_func(f, fm, map_fd);
	else if (!strcmp(fm->name, "name"))
		fuzz_name(f, fm);
	else
		fuzz_data(f, fm);
}

static void fuzz_value(struct fuzz *f, int map_fd)
{
	char name[16];
	int i, n;

	if (rnd(f, 3) == 0) {
		/* whole, then at most two changes */
		snprintf(name, sizeof(name), "ssfz%lu", f->iter);
		value_fill(f->env, &f->v, name, false);
		for (n = rnd(f, 3); n > 0; n--)
			fuzz_member(f, &f->m[rnd(f, f->nm)], map_fd);
	} else {
		memset(f->v.buf, 0, f->v.size);
		for (i = 0; i < f->nm; i++)
			fuzz_member(f, &f->m[i], map_fd);
	}
	if (rnd(f, 16) == 0)
		*(__u32 *)f->v.buf = rnd(f, 0);			/* refcnt */
	if (rnd(f, 16) == 0)
		*(__u32 *)(f->v.buf + 4) = rnd(f, 5);		/* state */
	if (rnd(f, 30) == 0)					/* anywhere */
		((char *)f->v.buf)[rnd(f, f->v.size)] = rnd(f, 256);
}

static bool value_zero(const struct st_value *v)
{
	__u32 i;

	for (i = 0; i < v->size; i++)
		if (((char *)v->buf)[i])
			return false;
	return true;
}

static int lookup(int map_fd, struct st_value *v)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(map_fd, &key, v->buf) ? -errno : 0;
}

/* What a successful update must have done, then undo it. */
static void fuzz_after_success(struct fuzz *f, int map_fd, bool link,
			       const char *name, struct op_stat *st)
{
	int link_fd, want = link ? ST_STATE_READY : ST_STATE_INUSE;
	__u32 key = 0;

	/* the same value again: the map is taken */
	if (rnd(f, 4) == 0)
		f->bad += stat_record(&st[S_UPDATE_AGAIN],
				      bpf_map_update_elem(map_fd, &key, f->v.buf, 0) ?
				      -errno : 0);
	if (lookup(map_fd, &f->v) || st_value_state(&f->v) != (__u32)want) {
		fprintf(stderr, "[stress] error: fuzz %lu: updated map not in state %d\n",
			f->iter, want);
		f->bad++;
	}
	if (!link) {
		f->registered++;
		if (!tcp_cc_available(name)) {
			fprintf(stderr, "[stress] error: fuzz %lu: %s not registered\n",
				f->iter, name);
			f->bad++;
		}
		f->bad += stat_record(&st[S_DELETE], st_map_delete(map_fd));
		return;
	}
	if (rnd(f, 2))
		return;
	link_fd = bpf_link_create(map_fd, 0, BPF_STRUCT_OPS, NULL);
	f->bad += stat_record(&st[S_LINK], link_fd < 0 ? -errno : 0);
	if (link_fd >= 0) {
		f->linked++;
		close(link_fd);
	}
}

static void fuzz_update(struct fuzz *f, struct op_stat *st)
{
	bool link = rnd(f, 2);
	char name[17] = "";
	__u32 key = 0;
	int map_fd, ret, i;

	map_fd = st_map_create_flags(&f->v, link ? BPF_F_LINK : 0);
	f->bad += stat_record(&st[S_CREATE], map_fd < 0 ? map_fd : 0);
	if (map_fd < 0)
		return;
	fuzz_value(f, map_fd);
	f->updates++;
	for (i = 0; i < f->nm; i++)
		if (!strcmp(f->m[i].name, "name"))
			memcpy(name, f->v.buf + f->m[i].off, 16);
	if (rnd(f, 30) == 0)
		key = rnd(f, 0) | 1;
	ret = bpf_map_update_elem(map_fd, &key, f->v.buf,
				  rnd(f, 30) ? 0 : rnd(f, 0) | 1) ? -errno : 0;
	f->bad += stat_record(&st[S_UPDATE], ret);
	if (!ret) {
		fuzz_after_success(f, map_fd, link, name, st);
	} else if (lookup(map_fd, &f->v) || !value_zero(&f->v) ||
		   (!strncmp(name, "ssfz", 4) && tcp_cc_available(name))) {
		fprintf(stderr, "[stress] error: fuzz %lu: %s (%s) %s\n", f->iter,
			"a failed update", errno_name(-ret), "left the map or the CC changed");
		f->bad++;
	}
	close(map_fd);
}

static int sys_map_create(union bpf_attr *attr)
{
	int fd = syscall(__NR_bpf, BPF_MAP_CREATE, attr, sizeof(*attr));

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -errno : 0;
}

/* BPF_MAP_CREATE of a struct_ops map with random attrs. */
static void fuzz_create(struct fuzz *f, struct op_stat *st)
{
	union bpf_attr attr = {};
	__u32 i;

	attr.map_type = rnd(f, 10) ? BPF_MAP_TYPE_STRUCT_OPS : rnd(f, 40);
	attr.key_size = rnd(f, 3) ? 4 : rnd(f, 16);
	attr.value_size = rnd(f, 3) ? f->v.size :
			  rnd(f, 2) ? f->v.size + rnd(f, 33) - 16 : (__u32)rnd(f, 0);
	attr.max_entries = rnd(f, 3) ? 1 : rnd(f, 4);
	attr.map_flags = rnd(f, 3) ? (rnd(f, 2) ? BPF_F_LINK : 0) :
			 1U << rnd(f, 20);
	switch (rnd(f, 6)) {
	case 0:
		attr.btf_fd = f->env->filter_fd;
		break;
	case 1:
		attr.btf_fd = f->vmlinux_btf_fd;
		break;
	case 2:
		attr.btf_fd = rnd(f, 0);
		break;
	default:
		attr.btf_fd = f->btf_fd;
		break;
	}
	switch (rnd(f, 5)) {
	case 0:
		attr.btf_vmlinux_value_type_id = 0;
		break;
	case 1:
		attr.btf_vmlinux_value_type_id = rnd(f, 200000);
		break;
	default:
		attr.btf_vmlinux_value_type_id = f->v.value_type_id;
		break;
	}
	if (rnd(f, 10) == 0)
		attr.btf_key_type_id = rnd(f, 3);
	if (rnd(f, 10) == 0)
		attr.btf_value_type_id = rnd(f, 3);
	if (rnd(f, 10) == 0)
		attr.map_extra = rnd(f, 0);
	if (rnd(f, 10) == 0)
		attr.numa_node = rnd(f, 4);
	for (i = 0; i < sizeof(attr.map_name) - 1; i++)
		attr.map_name[i] = rnd(f, 4) ? 'a' + rnd(f, 26) : rnd(f, 256);
	f->bad += stat_record(&st[S_RAND_CREATE], sys_map_create(&attr));
}

int stress_fuzz(struct stress_env *env, unsigned long iters, uint64_t seed)
{
	static struct op_stat st[S_NR] = {
		[S_CREATE] = { "map_create" },
		[S_UPDATE] = { "map_update", update_errnos },
		[S_UPDATE_AGAIN] = { "update_again", busy_errnos },
		[S_DELETE] = { "map_delete" },
		[S_LINK] = { "link_create", link_errnos },
		[S_RAND_CREATE] = { "random_create", create_errnos },
	};
	unsigned long long start = now_ns();
	struct fuzz f = { .env = env };
	struct leak_base base;
	int err;

	if (!seed)
		seed = now_ns() ^ getpid();
	f.rs = seed;
	printf("[stress] fuzz: seed %llu (FUZZ_SEED=%llu repeats this run), %lu updates\n",
	       (unsigned long long)seed, (unsigned long long)seed, iters);
	if (env_value(env, &f.v) || fuzz_members(&f) <= 0)
		return 1;
	f.btf_fd = f.v.btf_fd;
	f.vmlinux_btf_fd = bpf_btf_get_fd_by_id(1);
	leak_base_take(&base);
	for (f.iter = 0; f.updates < iters; f.iter++) {
		if (rnd(&f, 20) == 0)
			fuzz_create(&f, st);
		else
			fuzz_update(&f, st);
		if (verbose && f.iter % 10000 == 9999)
			printf("[stress] fuzz: %lu updates, %.0f s\n", f.updates,
			       (now_ns() - start) / 1e9);
	}
	stat_print("fuzz", st, S_NR);
	err = leak_check("fuzz", &base, false);
	if (f.vmlinux_btf_fd >= 0)
		close(f.vmlinux_btf_fd);
	free(f.v.buf);
	printf("[stress] fuzz: %lu calls (%lu updates) in %.0f s, seed %llu:",
	       stat_total(st, S_NR), stat_total(&st[S_UPDATE], 1),
	       (now_ns() - start) / 1e9, (unsigned long long)seed);
	printf(" %lu registered, %lu linked, %lu unexpected%s\n", f.registered,
	       f.linked, f.bad, err || f.bad ? "" : "; all held");
	return err || f.bad;
}
