/* SPDX-License-Identifier: GPL-2.0 */
/* What a subsystem, built in or a module, uses to offer a struct_ops
 * type: the value type's layout and its registration.  And the trampoline
 * image, shared by the struct_ops map and the bpf_dummy_ops test runner,
 * and what subsystems use to decide which progs may run from their native
 * entries.
 */
#ifndef _LINUX_BPF_STRUCT_OPS_H
#define _LINUX_BPF_STRUCT_OPS_H

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/cache.h>
#include <linux/refcount.h>
#include <linux/types.h>

enum bpf_struct_ops_state {
	BPF_STRUCT_OPS_STATE_INIT,	/* empty, may be updated */
	BPF_STRUCT_OPS_STATE_INUSE,	/* registered with its subsystem */
	BPF_STRUCT_OPS_STATE_TOBEFREE,	/* deleted, waits for its users */
	BPF_STRUCT_OPS_STATE_READY,	/* BPF_F_LINK: filled, for links */
};

/**
 * struct bpf_struct_ops_common_value - the head of every struct_ops value
 * @refcnt: the holders of the kernel's copy (see bpf_struct_ops_map.c)
 * @state: where the map is in its life
 *
 * User space passes it zeroed; a lookup fills it in.
 */
struct bpf_struct_ops_common_value {
	refcount_t refcnt;
	enum bpf_struct_ops_state state;
};

/* The map value of struct_ops type @type: "struct bpf_struct_ops_<type>",
 * which user space (libbpf, bpftool) finds by name in the type's BTF.
 */
#define BPF_STRUCT_OPS_VALUE(type)					\
	struct bpf_struct_ops_##type {					\
		struct bpf_struct_ops_common_value common;		\
		struct type data ____cacheline_aligned_in_smp;		\
	}

int __register_bpf_struct_ops(const struct bpf_struct_ops *st_ops);

/**
 * register_bpf_struct_ops() - offer struct @type to struct_ops
 * @st_ops: the subsystem's description; owner is THIS_MODULE
 * @type: the ops struct's tag, e.g. tcp_congestion_ops
 *
 * For a built-in subsystem's initcall or a module's init function.
 * Defines the value type, makes sure that it is in the BTF of vmlinux or
 * of the module, and registers the type, found in that BTF.  A module's
 * type goes when the module does, which no map of it lets happen.
 *
 * Return: 0, or -ENOENT when there is no BTF, -EEXIST when @st_ops
 * is registered already, -EINVAL or -E2BIG for a type that struct_ops
 * cannot serve, -ENOMEM, or @st_ops->init()'s error.
 */
#define register_bpf_struct_ops(st_ops, type)				\
	({								\
		BPF_STRUCT_OPS_VALUE(type);				\
		BTF_TYPE_EMIT(struct bpf_struct_ops_##type);		\
		__register_bpf_struct_ops(st_ops);			\
	})

struct bpf_prog;

u32 bpf_struct_ops_id(const void *kdata);

void *bpf_struct_ops_image_alloc(void);
void bpf_struct_ops_image_seal(void *image);
void bpf_struct_ops_image_free(void *image);

#endif
