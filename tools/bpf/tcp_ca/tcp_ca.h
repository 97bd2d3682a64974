/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ca's parts: tcp_ca.c (the commands), tcp_ca_obj.c (the objects it
 * loads) and tcp_ca_maps.c (the kernel's maps it lists, unloads and swaps).
 */
#ifndef TCP_CA_H
#define TCP_CA_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Debian's uapi headers predate struct_ops links (mainline 6.4). */
#ifndef BPF_F_LINK
#define BPF_F_LINK		0x2000U	/* 1U << 13 */
#endif

/* ---- tcp_ca_obj.c */

/* One we carry, built into the binary; tcp_ca_builtins[] ends with { }. */
struct tcp_ca_builtin {
	const char *name;	/* the .name of its tcp_congestion_ops */
	const char *about;
	const void *(*elf_bytes)(size_t *size);
};

extern const struct tcp_ca_builtin tcp_ca_builtins[];

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

const struct tcp_ca_builtin *builtin(const char *name);
bool is_path(const char *arg);
int ca_open(struct ca_obj *ca, const char *arg);
void ca_close(struct ca_obj *ca);
int ops_member_off(const struct ca_obj *ca, const char *name);
const struct btf_member *member(const struct btf *btf, const struct btf_type *t,
				const char *name);

/* ---- tcp_ca_maps.c */

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

int layout_init(struct ops_layout *l, const struct btf *btf);
int next_ops_map(const struct ops_layout *l, struct ops_map *m);
void ops_map_release(struct ops_map *m);
bool ops_map_registered(const struct ops_layout *l, const struct ops_map *m);
const char *ops_map_state(const struct ops_layout *l, const struct ops_map *m);
void print_ops_map(const struct ops_layout *l, const struct ops_map *m);
__u32 map_id_of_link(int fd);
int fill_value(const struct ops_layout *l, const struct ca_obj *ca, char *value);
bool cc_registered(const char *name);

#endif
