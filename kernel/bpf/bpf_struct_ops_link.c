// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct_ops links: the registration of a BPF_F_LINK struct_ops map's
 * table, as a bpf_link.
 *
 * BPF_LINK_CREATE with a READY map registers its table with the subsystem
 * for as long as the link lives; closing the link's last fd and pin, or
 * BPF_LINK_DETACH, unregisters it, and a detached link reports EPOLLHUP.
 * BPF_LINK_UPDATE puts another map's table in its place in one step,
 * through the subsystem's update.  The map stays READY all along and may
 * back the next link.
 *
 * Locking: a link's mutex serializes what moves its map pointer (update,
 * detach; release runs when nothing else can reach the link).  It is taken
 * before a map's mutex, which the registration helpers of
 * bpf_struct_ops_map.c take, and those before the subsystem's own locks.
 * The link holds a reference on its map; the table's registration holds
 * a count on kvalue.common.refcnt, as in map mode.
 *
 * See Documentation/bpf/bpf_struct_ops.rst.
 */

#include <linux/bpf.h>
#include <linux/error-injection.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "bpf_struct_ops_map.h"

struct bpf_struct_ops_link {
	struct bpf_link link;
	/* Serializes what moves map: update, detach.  Taken before the
	 * maps' locks.
	 */
	struct mutex lock;
	/* The map whose table the link registered, and a reference on it;
	 * NULL once detached.  Written under lock; poll only tests it.
	 */
	struct bpf_map __rcu *map;
	/* Pollers, woken with EPOLLHUP when the link is detached. */
	wait_queue_head_t wait_hup;
};

static struct bpf_struct_ops_link *st_link_of(const struct bpf_link *link)
{
	return container_of(link, struct bpf_struct_ops_link, link);
}

static struct bpf_map *st_link_map(struct bpf_struct_ops_link *st_link)
{
	return rcu_dereference_protected(st_link->map,
					 lockdep_is_held(&st_link->lock));
}

static void st_link_dealloc(struct bpf_link *link)
{
	struct bpf_struct_ops_link *st_link = st_link_of(link);
	struct bpf_map *map;

	/* The link's last reference is gone: nobody else can reach it. */
	map = rcu_dereference_protected(st_link->map, true);
	if (map) {
		bpf_struct_ops_map_unregister(st_map_of(map));
		bpf_map_put(map);
	}
	mutex_destroy(&st_link->lock);
	kfree(st_link);
}

static int st_link_detach(struct bpf_link *link)
{
	struct bpf_struct_ops_link *st_link = st_link_of(link);
	struct bpf_map *map;

	mutex_lock(&st_link->lock);
	map = st_link_map(st_link);
	if (map) {
		bpf_struct_ops_map_unregister(st_map_of(map));
		RCU_INIT_POINTER(st_link->map, NULL);
		bpf_map_put(map);
	}
	mutex_unlock(&st_link->lock);

	wake_up_interruptible_poll(&st_link->wait_hup, EPOLLHUP);
	return 0;
}

static int st_link_update_map(struct bpf_link *link, struct bpf_map *new_map,
			      struct bpf_map *expected_map)
{
	struct bpf_struct_ops_link *st_link = st_link_of(link);
	struct bpf_struct_ops_map *new_st, *old_st;
	struct bpf_map *old_map;
	int err;

	if (!st_map_is_linkable(new_map))
		return -EINVAL;
	new_st = st_map_of(new_map);

	mutex_lock(&st_link->lock);
	old_map = st_link_map(st_link);
	if (!old_map) {
		err = -ENOLINK;
		goto unlock;
	}
	if (expected_map && expected_map != old_map) {
		err = -EPERM;
		goto unlock;
	}
	old_st = st_map_of(old_map);
	if (new_st->st_ops_desc != old_st->st_ops_desc) {
		err = -EINVAL;
		goto unlock;
	}
	if (!new_st->st_ops_desc->st_ops->update) {
		err = -EOPNOTSUPP;
		goto unlock;
	}
	/* Already in place: there is nothing to swap. */
	if (new_map == old_map) {
		err = 0;
		goto unlock;
	}

	err = bpf_struct_ops_map_replace(new_st, old_st);
	if (err)
		goto unlock;
	/* The link's own reference moves from the old map to the new; the
	 * caller holds both for the call.
	 */
	bpf_map_inc(new_map);
	rcu_assign_pointer(st_link->map, new_map);
	bpf_map_put(old_map);
unlock:
	mutex_unlock(&st_link->lock);
	return err;
}

static u32 st_link_map_id(const struct bpf_link *link)
{
	struct bpf_struct_ops_link *st_link = st_link_of(link);
	struct bpf_map *map;
	u32 id;

	mutex_lock(&st_link->lock);
	map = st_link_map(st_link);
	id = map ? map->id : 0;
	mutex_unlock(&st_link->lock);
	return id;
}

static void st_link_show_fdinfo(const struct bpf_link *link,
				struct seq_file *seq)
{
	seq_printf(seq, "map_id:\t%u\n", st_link_map_id(link));
}

static int st_link_fill_link_info(const struct bpf_link *link,
				  struct bpf_link_info *info)
{
	info->struct_ops.map_id = st_link_map_id(link);
	return 0;
}

static __poll_t st_link_poll(struct file *file, struct poll_table_struct *pts)
{
	struct bpf_struct_ops_link *st_link = st_link_of(file->private_data);

	poll_wait(file, &st_link->wait_hup, pts);
	/* A test for NULL: no dereference, so no lock. */
	return rcu_access_pointer(st_link->map) ? 0 : EPOLLHUP;
}

static const struct bpf_link_ops st_link_ops = {
	.dealloc	= st_link_dealloc,
	.detach		= st_link_detach,
	.update_map	= st_link_update_map,
	.show_fdinfo	= st_link_show_fdinfo,
	.fill_link_info	= st_link_fill_link_info,
	.poll		= st_link_poll,
};

/**
 * bpf_struct_ops_link_create() - BPF_LINK_CREATE of a struct_ops map
 * @attr: link_create.map_fd names a BPF_F_LINK map in state READY
 *
 * Registers the map's table with its subsystem for as long as the link
 * lives and is not detached.
 *
 * Return: the link's fd; -EINVAL when the map is not a READY BPF_F_LINK
 * struct_ops map or flags are set, the subsystem's errno when it refuses
 * the table (tcp: -EEXIST for a name taken).
 */
int bpf_struct_ops_link_create(union bpf_attr *attr)
{
	struct bpf_struct_ops_link *st_link;
	struct bpf_link_primer primer;
	struct bpf_map *map;
	int err;

	if (attr->link_create.flags)
		return -EINVAL;
	map = bpf_map_get(attr->link_create.map_fd);
	if (IS_ERR(map))
		return PTR_ERR(map);
	if (!st_map_is_linkable(map)) {
		err = -EINVAL;
		goto put_map;
	}

	st_link = kzalloc(sizeof(*st_link), GFP_USER);
	if (!st_link) {
		err = -ENOMEM;
		goto put_map;
	}
	bpf_link_init(&st_link->link, BPF_LINK_TYPE_STRUCT_OPS, &st_link_ops,
		      NULL);
	mutex_init(&st_link->lock);
	init_waitqueue_head(&st_link->wait_hup);

	err = bpf_link_prime(&st_link->link, &primer);
	if (err) {
		kfree(st_link);
		goto put_map;
	}
	err = bpf_struct_ops_map_register(st_map_of(map));
	if (err) {
		/* Frees the link through st_link_dealloc(): it has no map. */
		bpf_link_cleanup(&primer);
		goto put_map;
	}
	/* The link keeps the reference bpf_map_get() took. */
	RCU_INIT_POINTER(st_link->map, map);
	return bpf_link_settle(&primer);

put_map:
	bpf_map_put(map);
	return err;
}

ALLOW_ERROR_INJECTION(bpf_struct_ops_link_create, ERRNO);
