/* SPDX-License-Identifier: GPL-2.0 */
/* The struct_ops core's insides, shared by its files: the registry
 * (bpf_struct_ops.c), the map (bpf_struct_ops_map.c), its image
 * (bpf_struct_ops_image.c) and the links that register its table
 * (bpf_struct_ops_link.c).  Nothing outside kernel/bpf/ includes it.
 */
#ifndef _KERNEL_BPF_STRUCT_OPS_MAP_H
#define _KERNEL_BPF_STRUCT_OPS_MAP_H

#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/btf.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

/* Any struct_ops value, seen without its type: data is the ops struct. */
struct bpf_struct_ops_value {
	struct bpf_struct_ops_common_value common;
	char data[] ____cacheline_aligned_in_smp;
};

/* The most pages of trampolines one map may have. */
#define ST_IMAGE_MAX_PAGES	8

/* bpf_struct_ops_map.flags */
#define ST_MAP_REG_PUT_PENDING	0

/* Where a member may point: its generic trampoline (past its kCFI hash,
 * if any), and its prog's native entry if it may take that one (else
 * NULL).
 */
struct bpf_struct_ops_entry {
	void *tramp;
	void *native;
};

struct bpf_struct_ops_map {
	struct bpf_map map;
	/* The map's type; a module's stays loaded while the map exists. */
	const struct bpf_struct_ops_desc *st_ops_desc;
	/* Serializes update, delete, and registrations: they move
	 * kvalue.state, and a registration may take kvalue.refcnt from 0.
	 */
	struct mutex lock;
	/* progs[i] is the prog behind member i or NULL; a reference each. */
	struct bpf_prog **progs;
	/* The trampolines: the first page allocated with the map (or, after
	 * a failed update, by the next), any other by the update that needs
	 * it; each page holds whole ones, in member order.
	 */
	void *image_pages[ST_IMAGE_MAX_PAGES];
	u32 image_pages_cnt;
	/* One per member: its generic trampoline; a symbol is in kallsyms
	 * from when its member first points at it, after a successful
	 * update, until the free.
	 */
	struct bpf_ksym *ksyms;
	/* Per member, the two places it may point at: see "Native entries"
	 * in bpf_struct_ops_image.c.
	 */
	struct bpf_struct_ops_entry *entries;
	/* On st_native_maps while any member has a native entry. */
	struct list_head native_node;
	/* ST_MAP_REG_PUT_PENDING: a registration's count that the
	 * subsystem let go of waits in reg_put_rcu for the RCU readers
	 * that may still find the table (st_map_put_registration()).
	 */
	unsigned long flags;
	struct rcu_head reg_put_rcu;
	/* The free's two grace periods, RCU and tasks-RCU, waited for
	 * together; the last one to end queues free_work.
	 */
	struct rcu_head free_rcu;
	struct rcu_head free_rcu_tasks;
	atomic_t free_gps;
	struct work_struct free_work;
	/* The value as last updated, prog fds replaced by prog ids.  Written
	 * only in state INIT, so that lookup may read it without the lock.
	 */
	struct bpf_struct_ops_value *uvalue;
	/* The kernel's copy; kvalue.data is what the subsystem registers.
	 * Last: data is as large as the type's ops struct.
	 */
	struct bpf_struct_ops_value kvalue;
};

static inline struct bpf_struct_ops_map *st_map_of(struct bpf_map *map)
{
	return container_of(map, struct bpf_struct_ops_map, map);
}

/* A map of ours that BPF_LINK_CREATE may link. */
static inline bool st_map_is_linkable(const struct bpf_map *map)
{
	return map->map_type == BPF_MAP_TYPE_STRUCT_OPS &&
	       map->map_flags & BPF_F_LINK;
}

static inline u32 st_map_nr_members(const struct bpf_struct_ops_map *st_map)
{
	return btf_type_vlen(st_map->st_ops_desc->type);
}

/* Where @member of struct @t is, and how large it is. */
static inline u32 st_member_offset(const struct btf_type *t,
				   const struct btf_member *member)
{
	return __btf_member_bit_offset(t, member) / 8;
}

/* The subsystem's stub of @member (bpf_struct_ops_stub()), or NULL. */
static inline void *st_member_stub(const struct bpf_struct_ops_desc *desc,
				   const struct btf_member *member)
{
	return bpf_struct_ops_stub(desc->st_ops,
				   st_member_offset(desc->type, member));
}

static inline int st_member_size(const struct btf *btf,
				 const struct btf_member *member, u32 *size)
{
	const struct btf_type *mtype;

	mtype = btf_type_by_id(btf, member->type);
	mtype = btf_resolve_size(btf, mtype, size);
	return PTR_ERR_OR_ZERO(mtype);
}

/* The registry (bpf_struct_ops.c) */
const struct bpf_struct_ops_desc *
bpf_struct_ops_find_value(struct btf *btf, u32 value_id);
bool bpf_struct_ops_member_is_owner(const struct btf *btf,
				    const struct btf_member *member);
bool bpf_struct_ops_holes_zero(const struct bpf_struct_ops_desc *desc,
			       const struct bpf_struct_ops_value *value);

/* The map's image (bpf_struct_ops_image.c): at its creation, */
int bpf_struct_ops_map_image_init(struct bpf_struct_ops_map *st_map);
/* ... under the map's lock, */
int bpf_struct_ops_map_fill(struct bpf_struct_ops_map *st_map,
			    const struct bpf_struct_ops_value *user);
void bpf_struct_ops_map_reset(struct bpf_struct_ops_map *st_map);
void bpf_struct_ops_map_ksyms_add(struct bpf_struct_ops_map *st_map);
/* ... and from the map's free */
void bpf_struct_ops_map_native_del(struct bpf_struct_ops_map *st_map);
void bpf_struct_ops_map_ksyms_del(struct bpf_struct_ops_map *st_map);
void bpf_struct_ops_map_free_image(struct bpf_struct_ops_map *st_map);

/* Registration (bpf_struct_ops_map.c), for links */
int bpf_struct_ops_map_register(struct bpf_struct_ops_map *st_map);
int bpf_struct_ops_map_replace(struct bpf_struct_ops_map *new_st,
			       struct bpf_struct_ops_map *old_st);
void bpf_struct_ops_map_unregister(struct bpf_struct_ops_map *st_map);

#endif
