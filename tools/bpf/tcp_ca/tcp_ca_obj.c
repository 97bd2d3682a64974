// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca's objects: one of the three we carry, by name, or any BPF object
 * file with one struct tcp_congestion_ops, opened with libbpf and read
 * with libelf for what libbpf 1.1.2 does not tell (the ops' .name).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gelf.h>
#include <libelf.h>

#include "tcp_ca.h"

#include "st_aimd.skel.h"
#include "st_cubic.skel.h"
#include "st_dctcp.skel.h"

/*
 * The congestion controls we carry, each a skeleton whose only use here is
 * the object it embeds: they load as any object file does.
 */
const struct tcp_ca_builtin tcp_ca_builtins[] = {
	{ "st_cubic", "CUBIC (RFC 9438) with HyStart++ delay detection",
	  st_cubic__elf_bytes },
	{ "st_dctcp", "DCTCP (RFC 8257), needs ECN", st_dctcp__elf_bytes },
	{ "st_aimd", "plain AIMD, Reno's rules spelled out", st_aimd__elf_bytes },
	{ }
};

/* Member name of struct t, or NULL. */
const struct btf_member *member(const struct btf *btf, const struct btf_type *t,
				const char *name)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return m;
	return NULL;
}

const struct tcp_ca_builtin *builtin(const char *name)
{
	const struct tcp_ca_builtin *b;

	for (b = tcp_ca_builtins; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

/* An argument names a file when it has a '/' or ends in ".o". */
bool is_path(const char *arg)
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
int ops_member_off(const struct ca_obj *ca, const char *name)
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
int ca_open(struct ca_obj *ca, const char *arg)
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

void ca_close(struct ca_obj *ca)
{
	bpf_object__close(ca->obj);
	free(ca->file);
}
