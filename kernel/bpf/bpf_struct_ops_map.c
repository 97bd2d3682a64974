// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF struct_ops: the BPF_MAP_TYPE_STRUCT_OPS map.
 *
 * A map holds one value, "struct bpf_struct_ops_T": a refcount, a state
 * and the ops struct T.  User space fills T with prog fds; on update the
 * map builds its image (bpf_struct_ops_image.c), points the kernel copy's
 * members at it and registers the kernel copy with the subsystem.  A map
 * created with BPF_F_LINK is only prepared by its update (state READY);
 * BPF_LINK_CREATE registers it and the link's release unregisters it, and
 * BPF_LINK_UPDATE swaps the link's map for another in one step through
 * the subsystem's update.  A map of a module's type holds the module from
 * its creation to its free.
 *
 * Lifetime: kvalue.common.refcnt counts the holders of the kernel copy:
 * one per registration, and one per user of the ops (a socket running the
 * congestion control) through bpf_struct_ops_get().  The holders together
 * own one map reference: the registration that takes the count from 0
 * takes it, under the map's lock, and the bpf_struct_ops_put() that takes
 * the count to 0 drops it.  The map frees its image only after an RCU
 * grace period (progs run in an RCU read section) and a tasks-RCU one (no
 * task is left in the trampolines' last instructions).
 *
 * No control-plane call waits for a grace period: the subsystem's unreg
 * and update unlink a table without waiting, the registration's count
 * goes one RCU grace period later from a callback, and the map's free
 * waits for its two grace periods in callbacks too.  Only a table handed
 * to the subsystem again within a grace period of its unlinking waits
 * for the rest of it (st_map_hold_registration()).
 *
 * Locks: a link's lock (bpf_struct_ops_link.c), then a map's lock, then
 * the subsystem's own.  The map's lock serializes update, delete and
 * registrations; lookup reads uvalue without it (see the struct).
 *
 * Test hooks: the steps marked ALLOW_ERROR_INJECTION may fail, and make
 * stress (st_stress fault) fails each through fail_function to prove that
 * every error path leaves nothing behind; they cost nothing unless
 * CONFIG_FUNCTION_ERROR_INJECTION is set and a test arms one.
 * st_map_free_now() is out of line for make bench's kretprobe.
 */
#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/error-injection.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "bpf_struct_ops_map.h"

/* ---------------------------------------------------------------------
 * Checking a value from user space.
 */

static int st_check_user_value(const struct bpf_struct_ops_desc *desc,
			       const struct bpf_struct_ops_value *uvalue)
{
	/* Both are the kernel's to report, never the user's to set. */
	if (uvalue->common.state || refcount_read(&uvalue->common.refcnt))
		return -EINVAL;
	/* Padding the compiler left between (and after) the members must be
	 * zero: the kernel gives it no meaning today and may tomorrow.
	 */
	return bpf_struct_ops_holes_zero(desc, uvalue) ? 0 : -EINVAL;
}

static struct bpf_struct_ops_value *st_value_of(const void *kdata)
{
	return container_of(kdata, struct bpf_struct_ops_value, data);
}

/* ---------------------------------------------------------------------
 * Registration: the subsystem sees kvalue.data.
 */

/* The registration's count on kvalue.  Sockets of an earlier registration
 * of a link-backed map may still hold counts: join them.  Otherwise this
 * is the first count since the last one was dropped, and it takes the map
 * reference that the holders own together; the bpf_struct_ops_put() that
 * drops the last count drops it.
 */
static void st_map_hold_registration(struct bpf_struct_ops_map *st_map)
{
	refcount_t *refcnt = &st_map->kvalue.common.refcnt;

	lockdep_assert_held(&st_map->lock);
	/* The table goes to the subsystem again only once the readers of
	 * its last unlinking are gone: they may be on its list node.
	 */
	wait_on_bit(&st_map->flags, ST_MAP_REG_PUT_PENDING,
		    TASK_UNINTERRUPTIBLE);
	if (refcount_inc_not_zero(refcnt))
		return;
	/* At 0 nothing else moves the count: bpf_struct_ops_get() fails on
	 * 0, no holder is left to put it, and other registrations wait for
	 * the lock.  The caller holds a map reference: inc is safe.
	 */
	bpf_map_inc(&st_map->map);
	refcount_set(refcnt, 1);
}

static void st_map_reg_put_rcu(struct rcu_head *rcu)
{
	struct bpf_struct_ops_map *st_map;

	st_map = container_of(rcu, struct bpf_struct_ops_map, reg_put_rcu);
	/* The count put below holds the map until then.  A registration
	 * woken here may join that count first (refcount_inc_not_zero()):
	 * it holds a map reference of its own.
	 */
	clear_and_wake_up_bit(ST_MAP_REG_PUT_PENDING, &st_map->flags);
	bpf_struct_ops_put(st_map->kvalue.data);
}

/* Drop the registration's count once the subsystem's unreg() or update()
 * has unlinked the table, one RCU grace period later, without waiting
 * for it.  A reader that found the table in the subsystem's RCU-walked
 * lists before the unlinking may still take its count on it
 * (bpf_struct_ops_get(), TCP's try_module_get()): until the grace period
 * ends the count we hold keeps that from failing, and keeps the map,
 * kdata in it, where it is.  Any context but hard IRQ.
 */
static void st_map_put_registration(struct bpf_struct_ops_map *st_map)
{
	if (!test_and_set_bit_lock(ST_MAP_REG_PUT_PENDING, &st_map->flags)) {
		call_rcu(&st_map->reg_put_rcu, st_map_reg_put_rcu);
		return;
	}
	/* Two registrations of one table let go of it within one grace
	 * period (a subsystem that takes a table twice): the second
	 * waits for its readers here.
	 */
	synchronize_rcu();
	bpf_struct_ops_put(st_map->kvalue.data);
}

/* Register the table with the subsystem, under the map's lock: a
 * registration's count, then reg, which on failure leaves no holder.
 * A table reg refused was never where readers find it: its count goes
 * at once.
 */
static int st_map_reg_locked(struct bpf_struct_ops_map *st_map)
{
	void *kdata = st_map->kvalue.data;
	int err;

	st_map_hold_registration(st_map);
	err = st_map->st_ops_desc->st_ops->reg(kdata);
	if (err)
		bpf_struct_ops_put(kdata);
	return err;
}

/**
 * bpf_struct_ops_map_register() - register a link-backed map's table
 * @st_map: a BPF_F_LINK map; the caller holds a reference on it
 *
 * For a new struct_ops link: the table gets a registration's count and
 * goes to the subsystem's reg.
 *
 * Return: 0; -EINVAL when @st_map is not READY, or reg's errno.
 */
int bpf_struct_ops_map_register(struct bpf_struct_ops_map *st_map)
{
	int err = -EINVAL;

	mutex_lock(&st_map->lock);
	if (st_map->kvalue.common.state == BPF_STRUCT_OPS_STATE_READY)
		err = st_map_reg_locked(st_map);
	mutex_unlock(&st_map->lock);
	return err;
}

ALLOW_ERROR_INJECTION(bpf_struct_ops_map_register, ERRNO);

/**
 * bpf_struct_ops_map_replace() - put one map's table in another's place
 * @new_st: a BPF_F_LINK map of @old_st's type; the caller holds a reference
 * @old_st: the map whose table a link registered
 *
 * For BPF_LINK_UPDATE: the subsystem's update swaps the tables in one
 * step, and the registration's count moves from @old_st to @new_st.
 *
 * Return: 0; -EINVAL when @new_st is not READY, or update's errno, after
 * which @old_st's table is still registered.
 */
int bpf_struct_ops_map_replace(struct bpf_struct_ops_map *new_st,
			       struct bpf_struct_ops_map *old_st)
{
	void *kdata = new_st->kvalue.data;
	int err = -EINVAL;

	mutex_lock(&new_st->lock);
	if (new_st->kvalue.common.state == BPF_STRUCT_OPS_STATE_READY) {
		st_map_hold_registration(new_st);
		err = new_st->st_ops_desc->st_ops->update(kdata,
							  old_st->kvalue.data);
		if (err)
			bpf_struct_ops_put(kdata);
	}
	mutex_unlock(&new_st->lock);
	if (err)
		return err;

	/* update() unlinked the old table without waiting: readers that
	 * found it take their counts within a grace period, ours lasts
	 * that long.
	 */
	st_map_put_registration(old_st);
	return 0;
}

ALLOW_ERROR_INJECTION(bpf_struct_ops_map_replace, ERRNO);

/**
 * bpf_struct_ops_map_unregister() - take a link's registration back
 * @st_map: the map whose table the link registered
 *
 * The subsystem's unreg, then the registration's count dropped one RCU
 * grace period later, without waiting for it: sockets that run the
 * table keep it, and the map, until they let go.
 */
void bpf_struct_ops_map_unregister(struct bpf_struct_ops_map *st_map)
{
	mutex_lock(&st_map->lock);
	/* unreg() returns once no new user can find kdata; those that have
	 * it keep it alive through their counts, and those about to take
	 * one through the registration's, for a grace period.
	 */
	st_map->st_ops_desc->st_ops->unreg(st_map->kvalue.data);
	st_map_put_registration(st_map);
	mutex_unlock(&st_map->lock);
}

/* ---------------------------------------------------------------------
 * Map callbacks.
 */

static int st_map_alloc_check(union bpf_attr *attr)
{
	if (attr->key_size != sizeof(u32) || attr->max_entries != 1 ||
	    attr->map_flags & ~(BPF_F_LINK | BPF_F_VTYPE_BTF_OBJ_FD) ||
	    !attr->btf_vmlinux_value_type_id)
		return -EINVAL;
	return 0;
}

/* The BTF that the map's value type id is in: vmlinux's, or with
 * BPF_F_VTYPE_BTF_OBJ_FD a module's, whose module *@mod then holds it for
 * the caller.  A module that is not live (still in its init, or going)
 * has no types to offer.
 */
static struct btf *st_map_value_btf(const union bpf_attr *attr,
				    struct module **mod)
{
	struct btf *btf;

	*mod = NULL;
	if (!(attr->map_flags & BPF_F_VTYPE_BTF_OBJ_FD)) {
		btf = bpf_get_btf_vmlinux();
		return btf ?: ERR_PTR(-ENOTSUPP);
	}
	btf = btf_get_by_fd(attr->value_type_btf_obj_fd);
	if (IS_ERR(btf))
		return btf;
	if (btf_is_module(btf))
		*mod = btf_try_get_module(btf);
	/* The module holds its BTF for as long as we hold the module. */
	btf_put(btf);
	return *mod ? btf : ERR_PTR(-EINVAL);
}

static struct bpf_map *st_map_alloc(union bpf_attr *attr)
{
	const struct bpf_struct_ops_desc *desc;
	struct bpf_struct_ops_map *st_map;
	const struct btf_type *vt;
	struct module *mod;
	struct btf *btf;
	u32 i, n;
	int err;

	if (!bpf_capable())
		return ERR_PTR(-EPERM);

	btf = st_map_value_btf(attr, &mod);
	if (IS_ERR(btf))
		return ERR_CAST(btf);
	err = -ENOTSUPP;
	desc = bpf_struct_ops_find_value(btf, attr->btf_vmlinux_value_type_id);
	if (!desc)
		goto put_module;
	vt = desc->value_type;
	err = -EINVAL;
	if (attr->value_size != vt->size)
		goto put_module;

	/* kvalue ends the struct and is as large as the value type.  The
	 * areas below are charged to the creator's memcg.
	 */
	err = -ENOMEM;
	n = btf_type_vlen(desc->type);
	st_map = bpf_map_area_alloc(offsetof(struct bpf_struct_ops_map, kvalue) +
				    vt->size, NUMA_NO_NODE);
	if (!st_map)
		goto put_module;
	st_map->st_ops_desc = desc;
	st_map->uvalue = bpf_map_area_alloc(vt->size, NUMA_NO_NODE);
	st_map->progs = bpf_map_area_alloc(n * sizeof(*st_map->progs),
					   NUMA_NO_NODE);
	st_map->ksyms = bpf_map_area_alloc(n * sizeof(*st_map->ksyms),
					   NUMA_NO_NODE);
	st_map->entries = bpf_map_area_alloc(n * sizeof(*st_map->entries),
					     NUMA_NO_NODE);
	if (!st_map->uvalue || !st_map->progs || !st_map->ksyms ||
	    !st_map->entries)
		goto free_map;
	err = bpf_struct_ops_map_image_init(st_map);
	if (err)
		goto free_map;
	for (i = 0; i < n; i++)
		INIT_LIST_HEAD_RCU(&st_map->ksyms[i].lnode);
	INIT_LIST_HEAD(&st_map->native_node);
	mutex_init(&st_map->lock);
	bpf_map_init_from_attr(&st_map->map, attr);
	/* The map keeps mod's reference: st_map_free() drops it. */
	return &st_map->map;

free_map:
	bpf_map_area_free(st_map->entries);
	bpf_map_area_free(st_map->ksyms);
	bpf_map_area_free(st_map->progs);
	bpf_map_area_free(st_map->uvalue);
	bpf_map_area_free(st_map);
put_module:
	module_put(mod);
	return ERR_PTR(err);
}

ALLOW_ERROR_INJECTION(st_map_alloc, ERRNO);

/* Tie each of the map's progs to it (bpf_prog_assoc_struct_ops()): a
 * member prog's kfuncs then act on this map's table.  Under the map's
 * lock, once the image is filled.
 */
static void st_map_assoc_progs(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++)
		if (st_map->progs[i])
			bpf_prog_assoc_struct_ops(st_map->progs[i], &st_map->map);
}

/* Untie the progs still tied to this map alone; one that another map
 * has too stays marked ambiguous.  Called when an update fails and when
 * the map goes: in both, before any grace period that the map's memory
 * waits for.
 */
static void st_map_disassoc_progs(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);
	struct bpf_prog_aux *aux;

	for (i = 0; i < n; i++) {
		if (!st_map->progs[i])
			continue;
		aux = st_map->progs[i]->aux;
		mutex_lock(&aux->st_ops_assoc_mutex);
		if (aux->st_ops_assoc == &st_map->map)
			WRITE_ONCE(aux->st_ops_assoc, NULL);
		mutex_unlock(&aux->st_ops_assoc_mutex);
	}
}

/* What is left of a map once nothing can run its image, nor read its
 * symbols.  Noinline, and named in no header: make bench's module
 * (st_bench_mod.c) puts a kretprobe here to see when a map's memory
 * really went.
 */
static noinline void st_map_free_now(struct bpf_map *map)
{
	struct bpf_struct_ops_map *st_map = st_map_of(map);
	struct module *owner = st_map->st_ops_desc->st_ops->owner;

	bpf_struct_ops_map_free_image(st_map);
	bpf_map_area_free(st_map->entries);
	bpf_map_area_free(st_map->ksyms);
	bpf_map_area_free(st_map->progs);
	bpf_map_area_free(st_map->uvalue);
	bpf_map_area_free(st_map);
	/* Last: the type's description and text are the module's. */
	module_put(owner);
}

static void st_map_free_work(struct work_struct *work)
{
	struct bpf_struct_ops_map *st_map;

	st_map = container_of(work, struct bpf_struct_ops_map, free_work);
	st_map_free_now(&st_map->map);
}

/* The grace periods end in softirq or in a kthread; the frees sleep. */
static void st_map_free_gp_end(struct bpf_struct_ops_map *st_map)
{
	if (atomic_dec_and_test(&st_map->free_gps))
		queue_work(system_unbound_wq, &st_map->free_work);
}

static void st_map_free_rcu(struct rcu_head *rcu)
{
	st_map_free_gp_end(container_of(rcu, struct bpf_struct_ops_map,
					free_rcu));
}

static void st_map_free_rcu_tasks(struct rcu_head *rcu)
{
	st_map_free_gp_end(container_of(rcu, struct bpf_struct_ops_map,
					free_rcu_tasks));
}

/* Called from a worker (bpf_map_free_deferred()) once the map's last
 * reference is gone; returns without waiting, and no worker waits
 * either: the grace periods below end in callbacks.
 */
static void st_map_free(struct bpf_map *map)
{
	struct bpf_struct_ops_map *st_map = st_map_of(map);

	/* The last user may have dropped the map from inside a trampoline of
	 * this image, or a native entry (a .init that switched its socket to
	 * another congestion control): bpf_struct_ops_put() delayed the map
	 * put past that prog's RCU read section (a native entry's prog runs
	 * in one too: see emit_native_entry() in the x86 JIT); tasks-RCU
	 * covers the few instructions the trampoline or the native entry
	 * still runs outside it.  Only then are the progs put, and with
	 * them their native entries.  The same RCU grace period lets
	 * kallsyms readers leave the symbols.  Both grace periods start
	 * here, after the unlinking, and run side by side.
	 */
	bpf_struct_ops_map_native_del(st_map);
	bpf_struct_ops_map_ksyms_del(st_map);
	/* Before the grace periods: see bpf_prog_get_assoc_struct_ops(). */
	st_map_disassoc_progs(st_map);
	INIT_WORK(&st_map->free_work, st_map_free_work);
	if (st_map->kvalue.common.state == BPF_STRUCT_OPS_STATE_INIT) {
		/* Never filled: nothing ran, nothing to wait for. */
		st_map_free_now(map);
		return;
	}
	atomic_set(&st_map->free_gps, 2);
	call_rcu(&st_map->free_rcu, st_map_free_rcu);
	call_rcu_tasks(&st_map->free_rcu_tasks, st_map_free_rcu_tasks);
}

static int st_map_get_next_key(struct bpf_map *map, void *key, void *next_key)
{
	/* One element, key 0. */
	if (key && *(u32 *)key == 0)
		return -ENOENT;
	*(u32 *)next_key = 0;
	return 0;
}

static void *st_map_lookup_elem(struct bpf_map *map, void *key)
{
	/* Programs may not look into a struct_ops map. */
	return ERR_PTR(-EINVAL);
}

/**
 * bpf_struct_ops_map_sys_lookup_elem() - the BPF_MAP_LOOKUP_ELEM syscall
 * @map: a struct_ops map
 * @key: must be 0
 * @value: receives the value
 *
 * Gives zeroes before the first update; afterwards the value user space
 * gave, each function member holding its prog's id, with the current state
 * and refcount.
 *
 * Return: 0, or -ENOENT for a key other than 0.
 */
int bpf_struct_ops_map_sys_lookup_elem(struct bpf_map *map, void *key,
				       void *value)
{
	struct bpf_struct_ops_map *st_map = st_map_of(map);
	struct bpf_struct_ops_value *uvalue = value;
	enum bpf_struct_ops_state state;
	unsigned int refcnt;

	if (*(u32 *)key != 0)
		return -ENOENT;

	/* Pairs with smp_store_release() in st_map_update_elem(): past
	 * INIT, uvalue is complete and no longer changes.
	 */
	state = smp_load_acquire(&st_map->kvalue.common.state);
	if (state == BPF_STRUCT_OPS_STATE_INIT) {
		memset(value, 0, map->value_size);
		return 0;
	}
	memcpy(uvalue, st_map->uvalue, map->value_size);
	uvalue->common.state = state;
	/* A registration's count that waits out its grace period
	 * (st_map_put_registration()) belongs to no holder any more.  The
	 * count is read first: a put that lands between the two reads
	 * shows that count one more time, never one less.
	 */
	refcnt = refcount_read(&st_map->kvalue.common.refcnt);
	/* Pairs with the full barrier of clear_and_wake_up_bit() in
	 * st_map_reg_put_rcu(), between the bit's clearing and the put:
	 * a count that saw the put sees the bit cleared.
	 */
	smp_rmb();
	if (test_bit(ST_MAP_REG_PUT_PENDING, &st_map->flags) && refcnt)
		refcnt--;
	refcount_set(&uvalue->common.refcnt, refcnt);
	return 0;
}

static int st_map_update_elem(struct bpf_map *map, void *key, void *value,
			      u64 flags)
{
	struct bpf_struct_ops_map *st_map = st_map_of(map);
	const struct bpf_struct_ops *st_ops = st_map->st_ops_desc->st_ops;
	void *kdata = st_map->kvalue.data;
	int err;

	if (flags)
		return -EINVAL;
	if (*(u32 *)key != 0)
		return -E2BIG;
	err = st_check_user_value(st_map->st_ops_desc, value);
	if (err)
		return err;

	mutex_lock(&st_map->lock);
	if (st_map->kvalue.common.state != BPF_STRUCT_OPS_STATE_INIT) {
		err = -EBUSY;
		goto unlock;
	}

	err = bpf_struct_ops_map_fill(st_map, value);
	if (err)
		goto reset;
	/* Before the subsystem sees the table: its kfuncs may ask. */
	st_map_assoc_progs(st_map);

	if (map->map_flags & BPF_F_LINK) {
		/* Links register it.  A table they would fail to register
		 * fails here, with the subsystem's errno.
		 */
		if (st_ops->validate) {
			err = st_ops->validate(kdata);
			if (err)
				goto reset;
		}
		/* Pairs with smp_load_acquire() in the sys lookup. */
		smp_store_release(&st_map->kvalue.common.state,
				  BPF_STRUCT_OPS_STATE_READY);
		goto done;
	}

	/* The map lives at least until it is unregistered and its last
	 * user is gone: see st_map_hold_registration().
	 */
	err = st_map_reg_locked(st_map);
	if (err)
		goto reset;
	/* Pairs with smp_load_acquire() in the sys lookup. */
	smp_store_release(&st_map->kvalue.common.state, BPF_STRUCT_OPS_STATE_INUSE);
done:
	bpf_struct_ops_map_ksyms_add(st_map);
	goto unlock;

reset:
	st_map_disassoc_progs(st_map);
	bpf_struct_ops_map_reset(st_map);
unlock:
	mutex_unlock(&st_map->lock);
	return err;
}

static int st_map_delete_elem(struct bpf_map *map, void *key)
{
	struct bpf_struct_ops_map *st_map = st_map_of(map);
	int err = 0;

	/* A link-backed map is unregistered by its links, not by delete. */
	if (map->map_flags & BPF_F_LINK)
		return -EOPNOTSUPP;

	mutex_lock(&st_map->lock);
	switch (st_map->kvalue.common.state) {
	case BPF_STRUCT_OPS_STATE_READY:
	case BPF_STRUCT_OPS_STATE_INIT:
		err = -ENOENT;
		break;
	case BPF_STRUCT_OPS_STATE_TOBEFREE:
		err = -EINPROGRESS;
		break;
	case BPF_STRUCT_OPS_STATE_INUSE:
		/* Pairs with smp_load_acquire() in the sys lookup. */
		smp_store_release(&st_map->kvalue.common.state,
				  BPF_STRUCT_OPS_STATE_TOBEFREE);
		/* No new user finds kdata once unreg returns; those that
		 * have it keep the image alive through their count, and
		 * those about to take one through the registration's,
		 * for a grace period.
		 */
		st_map->st_ops_desc->st_ops->unreg(st_map->kvalue.data);
		st_map_put_registration(st_map);
		break;
	}
	mutex_unlock(&st_map->lock);
	return err;
}

/* "entries: MEMBER=native|trampoline ...": where each member with a prog
 * points now.  The map's lock keeps an update from filling the entries
 * meanwhile.
 */
static void st_map_show_entries(struct bpf_struct_ops_map *st_map,
				struct seq_file *m)
{
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	const struct bpf_struct_ops_entry *e;
	const struct btf_member *member;
	void *kdata = st_map->kvalue.data;
	void *now;
	u32 i;

	mutex_lock(&st_map->lock);
	seq_puts(m, "entries:");
	for_each_member(i, desc->type, member) {
		e = &st_map->entries[i];
		if (!e->tramp)
			continue;
		now = READ_ONCE(*(void **)(kdata +
					   st_member_offset(desc->type, member)));
		seq_printf(m, " %s=%s", btf_name_by_offset(desc->btf,
							   member->name_off),
			   e->native && now == e->native ? "native" :
			   "trampoline");
	}
	seq_puts(m, "\n");
	mutex_unlock(&st_map->lock);
}

static void st_map_seq_show_elem(struct bpf_map *map, void *key,
				 struct seq_file *m)
{
	void *value;

	value = kmalloc(map->value_size, GFP_USER | __GFP_NOWARN);
	if (!value)
		return;
	/* The same view as the syscall: prog ids, no kernel addresses. */
	if (!bpf_struct_ops_map_sys_lookup_elem(map, key, value)) {
		btf_type_seq_show(st_map_of(map)->st_ops_desc->btf,
				  map->btf_vmlinux_value_type_id,
				  value, m);
		seq_puts(m, "\n");
		st_map_show_entries(st_map_of(map), m);
	}
	kfree(value);
}

BTF_ID_LIST_SINGLE(st_map_btf_ids, struct, bpf_struct_ops_map)
const struct bpf_map_ops bpf_struct_ops_map_ops = {
	.map_alloc_check = st_map_alloc_check,
	.map_alloc = st_map_alloc,
	.map_free = st_map_free,
	.map_get_next_key = st_map_get_next_key,
	.map_lookup_elem = st_map_lookup_elem,
	.map_update_elem = st_map_update_elem,
	.map_delete_elem = st_map_delete_elem,
	.map_seq_show_elem = st_map_seq_show_elem,
	.map_btf_id = &st_map_btf_ids[0],
};

/* The prog type: the real verifier ops are the struct_ops type's, chosen
 * by the verifier from the prog's attach_btf_id.
 */
const struct bpf_verifier_ops bpf_struct_ops_verifier_ops = {
};

const struct bpf_prog_ops bpf_struct_ops_prog_ops = {
#ifdef CONFIG_NET
	.test_run = bpf_struct_ops_test_run,
#endif
};

/* ---------------------------------------------------------------------
 * Users of a registered ops struct.
 */

/**
 * bpf_struct_ops_id() - the id of the map an ops struct belongs to
 * @kdata: the ops struct, as the core hands it to the subsystem's reg,
 *	   unreg, validate and update
 *
 * The id user space sees (BPF_MAP_GET_FD_BY_ID, bpftool, a link's info),
 * so that a subsystem can name the instance it was handed, keep its own
 * id-to-instance table, and let kfuncs refer to an instance by it.  The
 * map is alive: it holds the table the caller was handed.
 *
 * Return: the map's id, never 0.
 */
u32 bpf_struct_ops_id(const void *kdata)
{
	struct bpf_struct_ops_value *kvalue = st_value_of(kdata);

	return container_of(kvalue, struct bpf_struct_ops_map, kvalue)->map.id;
}
EXPORT_SYMBOL_GPL(bpf_struct_ops_id);

/**
 * bpf_struct_ops_get() - take a count on a registered ops struct
 * @kdata: the ops struct, as the subsystem registered it
 *
 * Return: false when @kdata is being torn down and must not be used.
 */
bool bpf_struct_ops_get(const void *kdata)
{
	return refcount_inc_not_zero(&st_value_of(kdata)->common.refcnt);
}
EXPORT_SYMBOL_GPL(bpf_struct_ops_get);

/**
 * bpf_struct_ops_put() - drop a count taken by bpf_struct_ops_get()
 * @kdata: the ops struct
 *
 * The last put (after unregistration) drops the holders' map reference,
 * taken by st_map_hold_registration().  The caller may be running in one
 * of the map's trampolines (a .init that switched its socket to another
 * congestion control): st_map_free() waits for it to leave.  Any context.
 */
void bpf_struct_ops_put(const void *kdata)
{
	struct bpf_struct_ops_value *kvalue = st_value_of(kdata);
	struct bpf_struct_ops_map *st_map;

	if (refcount_dec_and_test(&kvalue->common.refcnt)) {
		st_map = container_of(kvalue, struct bpf_struct_ops_map, kvalue);
		bpf_map_put(&st_map->map);
	}
}
EXPORT_SYMBOL_GPL(bpf_struct_ops_put);

/* ---------------------------------------------------------------------
 * Progs tied to a map (BPF_PROG_ASSOC_STRUCT_OPS), for the kfuncs of its
 * subsystem.  A member prog is tied to the map it is filled into; a prog
 * of another type by the syscall, and holds a reference to the map until
 * the prog is freed.  A member prog of two maps is marked BPF_PTR_POISON:
 * which table it works for cannot be told, and stays so.
 */

/**
 * bpf_prog_assoc_struct_ops() - tie a prog to a struct_ops map
 * @prog: the prog
 * @map: a BPF_MAP_TYPE_STRUCT_OPS map
 *
 * A member prog (BPF_PROG_TYPE_STRUCT_OPS) is tied by each map it is
 * filled into, without a reference: the map holds the prog.  Any other
 * prog takes a reference to @map, dropped when the prog is freed.
 *
 * Return: 0; -EBUSY when a prog of another type is already tied to
 * another map.
 */
int bpf_prog_assoc_struct_ops(struct bpf_prog *prog, struct bpf_map *map)
{
	struct bpf_prog_aux *aux = prog->aux;
	struct bpf_map *cur;
	int err = 0;

	mutex_lock(&aux->st_ops_assoc_mutex);
	cur = aux->st_ops_assoc;
	if (cur == map)
		goto unlock;
	if (prog->type == BPF_PROG_TYPE_STRUCT_OPS) {
		WRITE_ONCE(aux->st_ops_assoc, cur ? BPF_PTR_POISON : map);
	} else if (cur) {
		err = -EBUSY;
	} else {
		/* No map lists the progs tied to it: the prog holds it. */
		bpf_map_inc(map);
		WRITE_ONCE(aux->st_ops_assoc, map);
	}
unlock:
	mutex_unlock(&aux->st_ops_assoc_mutex);
	return err;
}

/**
 * bpf_prog_disassoc_struct_ops() - untie a prog being freed
 * @prog: the prog, which nothing runs any more
 *
 * Drops the map reference that a prog other than a member holds.
 */
void bpf_prog_disassoc_struct_ops(struct bpf_prog *prog)
{
	struct bpf_prog_aux *aux = prog->aux;
	struct bpf_map *map;

	mutex_lock(&aux->st_ops_assoc_mutex);
	map = aux->st_ops_assoc;
	aux->st_ops_assoc = NULL;
	mutex_unlock(&aux->st_ops_assoc_mutex);
	if (map && prog->type != BPF_PROG_TYPE_STRUCT_OPS)
		bpf_map_put(map);
}

/**
 * bpf_prog_get_assoc_struct_ops() - the table a prog is tied to
 * @aux: the calling prog's aux, as a kfunc's "__prog" argument gets it
 *
 * For a subsystem's kfunc, called by the prog.  The table stays valid
 * while the prog runs: a prog other than a member holds the map; a
 * member prog runs from the map's image (trampoline or native entry),
 * which the map's memory outlives, or from a callback of its own (a
 * bpf_timer's) in an RCU read section, and the map unties its progs
 * before the grace periods that its memory waits for (st_map_free()).
 * The table may or may not be registered: that is for the subsystem to
 * track.
 *
 * Return: the ops struct, as the subsystem's reg is handed it; NULL when
 * the prog is tied to no map, to one never updated, or is a member prog
 * of two maps.
 */
void *bpf_prog_get_assoc_struct_ops(const struct bpf_prog_aux *aux)
{
	struct bpf_map *map = READ_ONCE(aux->st_ops_assoc);
	struct bpf_struct_ops_map *st_map;

	if (!map || map == BPF_PTR_POISON)
		return NULL;
	st_map = st_map_of(map);
	/* Pairs with the update's smp_store_release(): the table is full. */
	if (smp_load_acquire(&st_map->kvalue.common.state) ==
	    BPF_STRUCT_OPS_STATE_INIT)
		return NULL;
	return st_map->kvalue.data;
}
EXPORT_SYMBOL_GPL(bpf_prog_get_assoc_struct_ops);
