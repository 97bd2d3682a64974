// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF struct_ops: kernel ops tables implemented by BPF programs.
 *
 * A subsystem supplies a struct bpf_struct_ops naming its ops struct (e.g.
 * tcp_congestion_ops) and its reg/unreg callbacks, and registers it with
 * register_bpf_struct_ops(): a built-in subsystem from its initcall, found
 * in vmlinux BTF, a module from its init function, found in the module's
 * BTF; a module's type goes with the module.  Registration derives from BTF
 * what trampolines need: type ids, one func model per function-pointer
 * member (struct bpf_struct_ops_desc).
 *
 * A BPF_MAP_TYPE_STRUCT_OPS map holds one value, "struct bpf_struct_ops_T":
 * a refcount, a state and the ops struct T.  User space fills T with prog
 * fds; on update the map emits one trampoline per prog into pages of
 * executable memory (up to ST_IMAGE_MAX_PAGES), points the kernel copy's
 * members at them and registers the kernel copy with the subsystem.  A
 * map created with BPF_F_LINK is only prepared by its update (state
 * READY); BPF_LINK_CREATE registers it and the link's release unregisters
 * it, and BPF_LINK_UPDATE swaps the link's map for another in one step
 * through the subsystem's update.  A map of a module's type holds the
 * module from its creation to its free.
 *
 * Lifetime: kvalue.common.refcnt counts the holders of the kernel copy:
 * one per registration, and one per user of the ops (a socket running the
 * congestion control) through bpf_struct_ops_get().  The holders together
 * own one map reference: the registration that takes the count from 0
 * takes it, under the map's lock, and the bpf_struct_ops_put() that takes
 * the count to 0 drops it.  The map frees its trampolines only after an
 * RCU grace period (progs run in an RCU read section) and a tasks-RCU one
 * (no task is left in the trampolines' last instructions).
 *
 * No control-plane call waits for a grace period: the subsystem's unreg
 * and update unlink a table without waiting, the registration's count
 * goes one RCU grace period later from a callback, and the map's free
 * waits for its two grace periods in callbacks too.  Only a table handed
 * to the subsystem again within a grace period of its unlinking waits
 * for the rest of it (st_map_hold_registration()).
 *
 * Native entries: for a subsystem that allows it (.lean_prog_ok()), a
 * member whose prog needs nothing of the generic trampoline's work points
 * at the prog's native entry, which the JIT emitted in the prog's image;
 * its generic trampoline stays in the map's image, for while BPF stats or
 * a trampoline on the prog are in force.
 *
 * Locks: a link's lock (bpf_struct_ops_link.c), then a map's lock, then
 * the subsystem's own.  The stats mutex (syscall.c), then st_native_lock.
 *
 * See Documentation/bpf/bpf_struct_ops.rst.
 */

#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/error-injection.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <asm/set_memory.h>

#include "bpf_struct_ops_map.h"

/* "struct module" in vmlinux BTF: the type of an ops struct's owner, in a
 * module's BTF too (its base).  Set once, before any type is registered.
 */
static const struct btf_type *st_module_type;

static struct bpf_struct_ops_value *st_value_of(const void *kdata)
{
	return container_of(kdata, struct bpf_struct_ops_value, data);
}

/* ---------------------------------------------------------------------
 * The registry: every struct_ops type and what the core derived from its
 * BTF.  A built-in subsystem adds its type from its initcall, a module
 * from its init function; a module's types go when it does.
 */

struct st_type {
	struct bpf_struct_ops_desc desc;
	struct list_head node;
	struct rcu_head rcu;
};

/* Changed under st_types_lock; walked under RCU.  What a lookup finds
 * stays valid for as long as its caller holds the type's module (for a
 * built-in type: always): st_module_notify() removes a module's types
 * only once the module can no longer be held.
 */
static LIST_HEAD(st_types);
static DEFINE_MUTEX(st_types_lock);

static int st_ops_distill_members(struct bpf_struct_ops_desc *desc)
{
	const struct bpf_struct_ops *st_ops = desc->st_ops;
	const struct btf_type *t = desc->type;
	const struct btf_member *member;
	struct btf *btf = desc->btf;
	const struct btf_type *proto;
	const char *mname;
	u32 i;

	if (btf_type_vlen(t) > BPF_STRUCT_OPS_MAX_NR_MEMBERS) {
		pr_warn("struct_ops: %s has more than %d members\n",
			st_ops->name, BPF_STRUCT_OPS_MAX_NR_MEMBERS);
		return -E2BIG;
	}

	for_each_member(i, t, member) {
		mname = btf_name_by_offset(btf, member->name_off);
		if (!*mname) {
			pr_warn("struct_ops: %s has an anonymous member\n",
				st_ops->name);
			return -EINVAL;
		}
		/* Updates copy members bytewise: no bitfields. */
		if (__btf_member_bitfield_size(t, member)) {
			pr_warn("struct_ops: %s.%s is a bitfield\n",
				st_ops->name, mname);
			return -EINVAL;
		}
		proto = btf_type_resolve_func_ptr(btf, member->type, NULL);
		if (proto && btf_distill_func_proto(NULL, btf, proto, mname,
						    &desc->func_models[i])) {
			pr_warn("struct_ops: cannot model %s.%s for a trampoline\n",
				st_ops->name, mname);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Nullable arguments: what a subsystem's stubs say of a member's args.
 */

#define ST_NULLABLE_SUFFIX	"__nullable"

static bool st_param_is_nullable(const struct btf *btf,
				 const struct btf_param *param)
{
	const char *name = btf_name_by_offset(btf, param->name_off);
	size_t len = strlen(name), slen = strlen(ST_NULLABLE_SUFFIX);

	return len > slen && !strcmp(name + len - slen, ST_NULLABLE_SUFFIX);
}

/* The prototype of member @mname's stub, "<type>__<member>", or NULL. */
static const struct btf_type *
st_stub_proto(const struct bpf_struct_ops_desc *desc, const char *mname)
{
	char fname[KSYM_NAME_LEN];
	const struct btf_type *func;
	s32 id;

	snprintf(fname, sizeof(fname), "%s__%s", desc->st_ops->name, mname);
	id = btf_find_by_name_kind(desc->btf, fname, BTF_KIND_FUNC);
	if (id < 0)
		return NULL;
	func = btf_type_by_id(desc->btf, id);
	return btf_type_by_id(desc->btf, func->type);
}

/* The ctx_arg_info of one nullable argument, of type @type_id (a pointer
 * to a struct) at index @arg.
 */
static int st_nullable_arg(const struct btf *btf, u32 type_id, u32 arg,
			   struct bpf_ctx_arg_aux *info)
{
	const struct btf_type *t;
	u32 id;

	t = btf_type_skip_modifiers(btf, type_id, NULL);
	if (!btf_type_is_ptr(t))
		return -EINVAL;
	t = btf_type_skip_modifiers(btf, t->type, &id);
	if (!btf_type_is_struct(t))
		return -EINVAL;
	info->offset = arg * sizeof(u64);
	info->reg_type = PTR_TO_BTF_ID | PTR_MAYBE_NULL;
	info->btf_id = id;
	return 0;
}

/* Fill member @i's arg info from its stub; the types are the member's. */
static int st_member_arg_info(struct bpf_struct_ops_desc *desc, u32 i,
			      const char *mname, const struct btf_type *proto)
{
	const struct btf_param *params = btf_params(proto), *names;
	const struct btf_type *stub = st_stub_proto(desc, mname);
	struct bpf_struct_ops_arg_info *arg_info = &desc->arg_info[i];
	u32 j, n = btf_type_vlen(proto);
	int err;

	if (!stub)
		return 0;
	if (btf_type_vlen(stub) != n) {
		pr_warn("struct_ops: the stub of %s.%s has other arguments\n",
			desc->st_ops->name, mname);
		return -EINVAL;
	}
	names = btf_params(stub);
	arg_info->info = kcalloc(n, sizeof(*arg_info->info), GFP_KERNEL);
	if (!arg_info->info)
		return -ENOMEM;
	for (j = 0; j < n; j++) {
		if (!st_param_is_nullable(desc->btf, &names[j]))
			continue;
		err = st_nullable_arg(desc->btf, params[j].type, j,
				      &arg_info->info[arg_info->cnt]);
		if (err) {
			pr_warn("struct_ops: %s.%s: only a pointer to a struct may be nullable\n",
				desc->st_ops->name, mname);
			return err;
		}
		arg_info->cnt++;
	}
	if (!arg_info->cnt) {
		kfree(arg_info->info);
		arg_info->info = NULL;
	}
	return 0;
}

static void st_desc_release(struct bpf_struct_ops_desc *desc)
{
	u32 i;

	for (i = 0; i < BPF_STRUCT_OPS_MAX_NR_MEMBERS; i++)
		kfree(desc->arg_info[i].info);
}

static int st_desc_arg_info(struct bpf_struct_ops_desc *desc)
{
	const struct btf_type *t = desc->type, *proto;
	const struct btf_member *member;
	int err;
	u32 i;

	if (!desc->st_ops->cfi_stubs)
		return 0;
	for_each_member(i, t, member) {
		proto = btf_type_resolve_func_ptr(desc->btf, member->type, NULL);
		if (!proto)
			continue;
		err = st_member_arg_info(desc, i, btf_name_by_offset(desc->btf,
								     member->name_off),
					 proto);
		if (err)
			return err;
	}
	return 0;
}

/* Find @desc's types in @btf and model its members; on error the caller
 * releases @desc.
 */
static int st_desc_init(struct bpf_struct_ops_desc *desc,
			const struct bpf_struct_ops *st_ops, struct btf *btf)
{
	char value_name[KSYM_SYMBOL_LEN];
	s32 type_id, value_id;
	int err;

	if (!st_ops->name || !st_ops->reg || !st_ops->unreg ||
	    !st_ops->verifier_ops)
		return -EINVAL;
	type_id = btf_find_by_name_kind(btf, st_ops->name, BTF_KIND_STRUCT);
	snprintf(value_name, sizeof(value_name), "bpf_struct_ops_%s",
		 st_ops->name);
	value_id = btf_find_by_name_kind(btf, value_name, BTF_KIND_STRUCT);
	if (type_id < 0 || value_id < 0) {
		pr_warn("struct_ops: no BTF for struct %s or struct %s\n",
			st_ops->name, value_name);
		return -EINVAL;
	}

	desc->st_ops = st_ops;
	desc->btf = btf;
	desc->type = btf_type_by_id(btf, type_id);
	desc->type_id = type_id;
	desc->value_type = btf_type_by_id(btf, value_id);
	desc->value_id = value_id;
	err = st_ops_distill_members(desc);
	if (!err)
		err = st_desc_arg_info(desc);
	if (err)
		return err;
	if (st_ops->init) {
		err = st_ops->init(btf);
		if (err)
			pr_warn("struct_ops: %s failed to initialize\n",
				st_ops->name);
	}
	return err;
}

/* A type's name is its identity to user space, which looks it up by name
 * across vmlinux and module BTF.
 */
static bool st_type_exists(const struct bpf_struct_ops *st_ops)
{
	struct st_type *type;

	list_for_each_entry(type, &st_types, node)
		if (type->desc.st_ops == st_ops ||
		    !strcmp(type->desc.st_ops->name, st_ops->name))
			return true;
	return false;
}

/* Add @st_ops, found in @btf, to the registry.  The registry takes the
 * caller's reference on @btf when it succeeds.
 */
static int st_type_add(const struct bpf_struct_ops *st_ops, struct btf *btf)
{
	struct st_type *type;
	int err;

	type = kzalloc(sizeof(*type), GFP_KERNEL);
	if (!type)
		return -ENOMEM;
	mutex_lock(&st_types_lock);
	if (st_type_exists(st_ops)) {
		err = -EEXIST;
		goto unlock;
	}
	err = st_desc_init(&type->desc, st_ops, btf);
	if (err) {
		st_desc_release(&type->desc);
		goto unlock;
	}
	list_add_tail_rcu(&type->node, &st_types);
	type = NULL;
unlock:
	mutex_unlock(&st_types_lock);
	kfree(type);
	return err;
}

/**
 * __register_bpf_struct_ops() - add a struct_ops type
 * @st_ops: the subsystem's description, which must outlive the type
 *
 * Use register_bpf_struct_ops(), which also puts the value type in BTF.
 * The type is looked up in the BTF of @st_ops->owner.
 *
 * Return: see register_bpf_struct_ops().
 */
int __register_bpf_struct_ops(const struct bpf_struct_ops *st_ops)
{
	struct btf *btf;
	int err;

	btf = btf_get_module_btf(st_ops->owner);
	if (IS_ERR_OR_NULL(btf)) {
		err = btf ? PTR_ERR(btf) : -ENOENT;
		goto out;
	}
	/* Set when vmlinux BTF was parsed: btf_get_module_btf() saw to it. */
	err = st_module_type ? st_type_add(st_ops, btf) : -ENOENT;
	if (err)
		btf_put(btf);
out:
	/* A module's init hears of it; nobody waits on a built-in's initcall. */
	if (err && !st_ops->owner)
		pr_warn("struct_ops: %s is not available: %d\n", st_ops->name, err);
	return err;
}
EXPORT_SYMBOL_GPL(__register_bpf_struct_ops);

/* A module going away takes its types along.  No map of them is left (each
 * holds the module) and no verification of a prog of them is under way
 * (it holds the module too), and neither can start: the module can no
 * longer be held.  Lookups that walk past the entries wait for RCU.
 */
static int st_module_notify(struct notifier_block *nb, unsigned long op,
			    void *data)
{
	struct st_type *type, *tmp;
	struct module *mod = data;

	if (op != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&st_types_lock);
	list_for_each_entry_safe(type, tmp, &st_types, node) {
		if (type->desc.st_ops->owner != mod)
			continue;
		list_del_rcu(&type->node);
		btf_put(type->desc.btf);
		st_desc_release(&type->desc);
		kfree_rcu(type, rcu);
	}
	mutex_unlock(&st_types_lock);
	return NOTIFY_DONE;
}

static struct notifier_block st_module_nb = {
	.notifier_call = st_module_notify,
};

static int __init bpf_struct_ops_modules_init(void)
{
	return register_module_notifier(&st_module_nb);
}
fs_initcall(bpf_struct_ops_modules_init);

/**
 * bpf_struct_ops_init() - note what struct_ops needs of vmlinux BTF
 * @btf: vmlinux BTF
 * @log: the BTF parser's log (unused: problems go to the kernel log)
 *
 * Called once, when vmlinux BTF is first parsed, which the first
 * registration of a type makes happen: finds "struct module", the type of
 * an ops struct's owner.  Until it is found no type can be registered.
 */
void bpf_struct_ops_init(struct btf *btf, struct bpf_verifier_log *log)
{
	s32 module_id;

	module_id = btf_find_by_name_kind(btf, "module", BTF_KIND_STRUCT);
	if (module_id < 0) {
		pr_warn("struct_ops: no struct module in vmlinux BTF\n");
		return;
	}
	st_module_type = btf_type_by_id(btf, module_id);
}

/* The type whose ops struct (@value false) or value type (@value true)
 * has @id in @btf.
 */
static const struct bpf_struct_ops_desc *st_find(struct btf *btf, u32 id,
						 bool value)
{
	const struct bpf_struct_ops_desc *found = NULL;
	struct st_type *type;

	rcu_read_lock();
	list_for_each_entry_rcu(type, &st_types, node) {
		if (type->desc.btf == btf &&
		    (value ? type->desc.value_id : type->desc.type_id) == id) {
			found = &type->desc;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * bpf_struct_ops_find() - the struct_ops type of an ops struct
 * @btf: the BTF @type_id is in: vmlinux's, or a module's
 * @type_id: id of the ops struct in @btf (a prog's attach_btf_id)
 *
 * A module's type is only valid while the caller holds the module.
 *
 * Return: the type, or NULL when @type_id is no struct_ops type.
 */
const struct bpf_struct_ops_desc *
bpf_struct_ops_find(struct btf *btf, u32 type_id)
{
	return st_find(btf, type_id, false);
}

/* ---------------------------------------------------------------------
 * Checking a value from user space.
 */

static u32 st_member_offset(const struct btf_type *t,
			    const struct btf_member *member)
{
	return __btf_member_bit_offset(t, member) / 8;
}

static int st_member_size(const struct btf *btf,
			  const struct btf_member *member, u32 *size)
{
	const struct btf_type *mtype;

	mtype = btf_type_by_id(btf, member->type);
	mtype = btf_resolve_size(btf, mtype, size);
	return PTR_ERR_OR_ZERO(mtype);
}

/* Padding the compiler left between (and after) the members of @t must be
 * zero in @data: the kernel gives it no meaning today and may tomorrow.
 */
static int st_check_padding(const struct btf *btf, const struct btf_type *t,
			    const void *data)
{
	const struct btf_member *member;
	u32 i, start, size, end = 0;
	int err;

	for_each_member(i, t, member) {
		start = st_member_offset(t, member);
		if (start > end && memchr_inv(data + end, 0, start - end))
			return -EINVAL;
		err = st_member_size(btf, member, &size);
		if (err)
			return err;
		end = max(end, start + size);
	}
	if (t->size > end && memchr_inv(data + end, 0, t->size - end))
		return -EINVAL;
	return 0;
}

static int st_check_user_value(const struct bpf_struct_ops_desc *desc,
			       const struct bpf_struct_ops_value *uvalue)
{
	int err;

	/* Both are the kernel's to report, never the user's to set. */
	if (uvalue->common.state || refcount_read(&uvalue->common.refcnt))
		return -EINVAL;
	err = st_check_padding(desc->btf, desc->value_type, uvalue);
	if (err)
		return err;
	return st_check_padding(desc->btf, desc->type, uvalue->data);
}

static bool st_member_is_owner(const struct btf *btf,
			       const struct btf_member *member)
{
	return btf_type_resolve_ptr(btf, member->type, NULL) == st_module_type;
}

/* ---------------------------------------------------------------------
 * The trampoline image.
 */

/**
 * bpf_struct_ops_prepare_trampoline() - emit the trampoline of one member
 * @tlinks: BPF_TRAMP_MAX zeroed link lists, scratch for the generator
 * @link: holds the prog to call
 * @model: the member's func model
 * @image: where to emit
 * @image_end: end of the room at @image
 *
 * The trampoline is what the ops member points to: it saves the member's
 * arguments as the prog's context, runs the prog and returns the prog's
 * return value as the member's.
 *
 * Return: the trampoline's size in bytes, or a negative errno.
 */
noinline int
bpf_struct_ops_prepare_trampoline(struct bpf_tramp_links *tlinks,
				  struct bpf_tramp_link *link,
				  const struct btf_func_model *model,
				  void *image, void *image_end)
{
	u32 flags = 0;

	tlinks[BPF_TRAMP_FENTRY].links[0] = link;
	tlinks[BPF_TRAMP_FENTRY].nr_links = 1;
	if (model->ret_size > 0)
		flags |= BPF_TRAMP_F_RET_FENTRY_RET;
	return arch_prepare_bpf_trampoline(NULL, image, image_end, model,
					   flags, tlinks, NULL);
}

/* The JIT step of an update, for fail_function (make stress); noinline: a
 * copy inlined into its caller would run past the probe.
 */
ALLOW_ERROR_INJECTION(bpf_struct_ops_prepare_trampoline, ERRNO);

/**
 * bpf_struct_ops_image_alloc() - a page for trampolines
 *
 * Writable until bpf_struct_ops_image_seal().
 *
 * Return: the page, or ERR_PTR(-ENOMEM) or the modmem limit's error.
 */
noinline void *bpf_struct_ops_image_alloc(void)
{
	void *image;
	int err;

	err = bpf_jit_charge_modmem(PAGE_SIZE);
	if (err)
		return ERR_PTR(err);
	image = bpf_jit_alloc_exec(PAGE_SIZE);
	if (!image) {
		bpf_jit_uncharge_modmem(PAGE_SIZE);
		return ERR_PTR(-ENOMEM);
	}
	/* vfree() resets the page to RW+NX, whatever we set it to. */
	set_vm_flush_reset_perms(image);
	return image;
}

ALLOW_ERROR_INJECTION(bpf_struct_ops_image_alloc, ERRNO);

/**
 * bpf_struct_ops_image_seal() - make a filled image read-only, executable
 * @image: from bpf_struct_ops_image_alloc()
 */
void bpf_struct_ops_image_seal(void *image)
{
	set_memory_ro((unsigned long)image, 1);
	set_memory_x((unsigned long)image, 1);
}

/**
 * bpf_struct_ops_image_free() - free an image nothing runs any more
 * @image: from bpf_struct_ops_image_alloc(), or NULL
 *
 * The caller makes sure that no task is still inside a trampoline of it.
 */
void bpf_struct_ops_image_free(void *image)
{
	if (!image)
		return;
	bpf_jit_free_exec(image);
	bpf_jit_uncharge_modmem(PAGE_SIZE);
}

/* ---------------------------------------------------------------------
 * Native entries.
 */

static u32 st_map_nr_members(const struct bpf_struct_ops_map *st_map)
{
	return btf_type_vlen(st_map->st_ops_desc->type);
}

/* Read at each map update: 0 gives every member its generic trampoline. */
static bool st_lean = true;
module_param_named(lean, st_lean, bool, 0644);
MODULE_PARM_DESC(lean, "Call struct_ops progs through their native entries where safe (default: 1)");

/* May @prog, on a member of @st_ops, skip the generic trampoline?  The
 * one place that decides.  Not where it calls a helper that reads the
 * run context the trampoline sets, nor, on a preemptible kernel, one that
 * calls back into the prog or loops on its behalf (the helpers declare
 * both in their protos; the verifier noted them): a native entry runs
 * the whole prog with preemption off, the trampoline only with migration
 * off.  The subsystem has its say (lean_prog_ok()).  The JIT emitted no
 * native entry where the prog sleeps, the member's arguments, the prog
 * (tail calls) or the kernel (kCFI, PREEMPT_RT) do not allow one.
 */
static void *st_native_entry(const struct bpf_struct_ops *st_ops,
			     const struct bpf_prog *prog)
{
	if (!st_ops->lean_prog_ok || !READ_ONCE(st_lean) ||
	    prog->aux->calls_run_ctx_reader ||
	    (IS_ENABLED(CONFIG_PREEMPTION) && prog->aux->calls_back) ||
	    !st_ops->lean_prog_ok(prog))
		return NULL;
	return bpf_prog_native_entry(prog);
}

/* The maps with a member that has a native entry, from their update to
 * their free.  st_native_lock keeps the list and orders the writes of
 * those members' pointers in the kernel copies.
 */
static LIST_HEAD(st_native_maps);
static DEFINE_MUTEX(st_native_lock);

/* A native entry skips bpf_func, where BPF stats are counted and where
 * fentry, fexit and freplace hook the prog.
 */
static bool st_native_in_force(const struct bpf_prog *prog)
{
	return !static_key_enabled(&bpf_stats_enabled_key.key) &&
	       !atomic_read(&prog->aux->tramp_links);
}

/* Point each member of @st_map that has a native entry at it, or at its
 * generic trampoline while the native one may not be used.  A caller may
 * be reading the pointer: it gets the old one or the new one, and both
 * stay valid until the map is freed (see st_map_free()).
 */
static void st_map_point_members(struct bpf_struct_ops_map *st_map)
{
	const struct btf_type *t = st_map->st_ops_desc->type;
	const struct bpf_struct_ops_entry *e;
	const struct btf_member *member;
	void *kdata = st_map->kvalue.data;
	u32 i, moff;

	lockdep_assert_held(&st_native_lock);
	for_each_member(i, t, member) {
		e = &st_map->entries[i];
		if (!e->native)
			continue;
		moff = st_member_offset(t, member);
		WRITE_ONCE(*(void **)(kdata + moff),
			   st_native_in_force(st_map->progs[i]) ? e->native :
								  e->tramp);
	}
}

/* After a successful fill, before the subsystem sees the kernel copy. */
static void st_map_native_add(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++)
		if (st_map->entries[i].native)
			break;
	if (i == n)
		return;
	/* Added and pointed in one step: bpf_struct_ops_entries_update()
	 * either ran before (the state read here is the new one) or will
	 * find the map.
	 */
	mutex_lock(&st_native_lock);
	list_add_tail(&st_map->native_node, &st_native_maps);
	st_map_point_members(st_map);
	mutex_unlock(&st_native_lock);
}

/* Before the kernel copy is cleared or freed: nothing writes it after. */
static void st_map_native_del(struct bpf_struct_ops_map *st_map)
{
	mutex_lock(&st_native_lock);
	list_del_init(&st_map->native_node);
	mutex_unlock(&st_native_lock);
}

/**
 * bpf_struct_ops_entries_update() - BPF stats or a prog's trampolines changed
 *
 * Points every member that has a native entry where it must go now: at
 * its generic trampoline while BPF stats are on or a trampoline hooks its
 * prog, at the native entry otherwise.  Called in process context after
 * the change, before the syscall that made it returns.
 */
void bpf_struct_ops_entries_update(void)
{
	struct bpf_struct_ops_map *st_map;

	mutex_lock(&st_native_lock);
	list_for_each_entry(st_map, &st_native_maps, native_node)
		st_map_point_members(st_map);
	mutex_unlock(&st_native_lock);
}

/* ---------------------------------------------------------------------
 * Symbols: each trampoline in /proc/kallsyms, for perf and for the reader
 * who wants to see where a member points.
 */

static void st_ksym_set(struct bpf_ksym *ksym, const char *prefix,
			const struct bpf_struct_ops_desc *desc,
			const struct btf_member *member, void *start, u32 size)
{
	snprintf(ksym->name, KSYM_NAME_LEN, "%s%s_%s", prefix,
		 desc->st_ops->name,
		 btf_name_by_offset(desc->btf, member->name_off));
	ksym->start = (unsigned long)start;
	ksym->end = ksym->start + size;
}

static void st_map_ksyms_add(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);
	struct bpf_ksym *ksym;

	for (i = 0; i < n; i++) {
		ksym = &st_map->ksyms[i];
		if (ksym->start == ksym->end)
			continue;
		bpf_ksym_add(ksym);
		perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_BPF, ksym->start,
				   ksym->end - ksym->start, false, ksym->name);
	}
}

/* Forget the ranges of a failed update; none was added. */
static void st_map_ksyms_clear(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++) {
		st_map->ksyms[i].start = 0;
		st_map->ksyms[i].end = 0;
	}
}

/* Kallsyms readers walk the symbols under RCU: the caller waits for a
 * grace period before it frees them.
 */
static void st_map_ksyms_del(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);
	struct bpf_ksym *ksym;

	for (i = 0; i < n; i++) {
		ksym = &st_map->ksyms[i];
		if (list_empty(&ksym->lnode))
			continue;
		perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_BPF, ksym->start,
				   ksym->end - ksym->start, true, ksym->name);
		bpf_ksym_del(ksym);
	}
}

static void st_map_put_progs(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++) {
		if (st_map->progs[i]) {
			bpf_prog_put(st_map->progs[i]);
			st_map->progs[i] = NULL;
		}
	}
}

static void st_map_free_image(struct bpf_struct_ops_map *st_map)
{
	u32 i;

	for (i = 0; i < st_map->image_pages_cnt; i++)
		bpf_struct_ops_image_free(st_map->image_pages[i]);
	st_map->image_pages_cnt = 0;
}

/* Back to the state of a new map, after an update that failed.  Nothing
 * can run the image: the subsystem never saw kvalue.data.
 */
static void st_map_reset(struct bpf_struct_ops_map *st_map)
{
	st_map_native_del(st_map);
	st_map_put_progs(st_map);
	st_map_free_image(st_map);
	memset(st_map->uvalue, 0, st_map->map.value_size);
	memset(st_map->kvalue.data, 0, st_map->st_ops_desc->type->size);
	memset(st_map->entries, 0,
	       st_map_nr_members(st_map) * sizeof(*st_map->entries));
	st_map_ksyms_clear(st_map);
}

/* ---------------------------------------------------------------------
 * Filling the image, member by member.
 */

/* Kallsyms counts a symbol's end address as its own (a call that ends a
 * symbol pushes it as the return address): leave a byte between two.
 */
#define ST_KSYM_GAP	1

/* The trampoline generator checks for room only once it is done: what it
 * is given reaches this far past what it emits.
 */
#define ST_IMAGE_SLACK	64

/* Read at each map update: the most pages of trampolines a map may have,
 * 1 to ST_IMAGE_MAX_PAGES, for an administrator who wants to cap what one
 * map may take of the JIT's memory.
 */
static unsigned int st_image_max_pages = ST_IMAGE_MAX_PAGES;

static int st_image_max_pages_set(const char *val,
				  const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, ST_IMAGE_MAX_PAGES);
}

static const struct kernel_param_ops st_image_max_pages_ops = {
	.set = st_image_max_pages_set,
	.get = param_get_uint,
};

module_param_cb(image_max_pages, &st_image_max_pages_ops,
		&st_image_max_pages, 0644);
MODULE_PARM_DESC(image_max_pages, "The most pages of trampolines one map may have, 1 to 8 (default: 8)");

/* An update's emitter: the map's pages and the bytes used in the last
 * one.
 */
struct st_emitter {
	struct bpf_struct_ops_map *st_map;
	struct bpf_tramp_links *tlinks;
	u32 used;
};

/* The page where every update emits each member's code first, to learn
 * its size before it is placed: the generator checks for room only once
 * it is done.  Only a page of executable memory will do (the code's calls
 * must reach the kernel's text).  Allocated at the first update and kept:
 * one page of the JIT's memory, where each update used to allocate one
 * and free it, TLB flush and all.  Nothing runs what is emitted there;
 * st_scratch_lock keeps two emits apart.
 */
static void *st_scratch;
static DEFINE_MUTEX(st_scratch_lock);

/* The size of @link's code for @model: emitted in st_scratch. */
static int st_emitter_measure(struct st_emitter *em,
			      struct bpf_tramp_link *link,
			      const struct btf_func_model *model)
{
	void *page;
	int size;

	mutex_lock(&st_scratch_lock);
	if (!st_scratch) {
		page = bpf_struct_ops_image_alloc();
		if (IS_ERR(page)) {
			mutex_unlock(&st_scratch_lock);
			return PTR_ERR(page);
		}
		st_scratch = page;
	}
	size = bpf_struct_ops_prepare_trampoline(em->tlinks, link, model,
						 st_scratch,
						 st_scratch + PAGE_SIZE);
	mutex_unlock(&st_scratch_lock);
	return size;
}

/* Room for @size bytes of code that must not cross a page: in the last
 * page, or at the start of a new one.
 */
static void *st_emitter_room(struct st_emitter *em, u32 size)
{
	struct bpf_struct_ops_map *st_map = em->st_map;
	u32 n = st_map->image_pages_cnt;
	void *page;

	if (size + ST_IMAGE_SLACK > PAGE_SIZE)
		return ERR_PTR(-E2BIG);
	if (n && em->used + size + ST_IMAGE_SLACK <= PAGE_SIZE)
		return st_map->image_pages[n - 1] + em->used;
	if (n >= READ_ONCE(st_image_max_pages))
		return ERR_PTR(-E2BIG);
	page = bpf_struct_ops_image_alloc();
	if (IS_ERR(page))
		return page;
	st_map->image_pages[st_map->image_pages_cnt++] = page;
	em->used = 0;
	return page;
}

/* Take the prog behind @member (index @i) of the user's value and emit
 * its code: measured in st_scratch, then placed.  *@entry is where
 * the member is to point.
 */
static noinline int
st_map_link_member(struct st_emitter *em, u32 i,
		   const struct btf_member *member, int prog_fd, void **entry)
{
	struct bpf_struct_ops_map *st_map = em->st_map;
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	const struct btf_func_model *model = &desc->func_models[i];
	struct bpf_tramp_link link = {};
	struct bpf_prog *prog;
	void *image;
	int size;

	prog = bpf_prog_get(prog_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	/* The map owns the reference from here; st_map_reset() drops it. */
	st_map->progs[i] = prog;

	if (prog->type != BPF_PROG_TYPE_STRUCT_OPS ||
	    prog->aux->attach_btf != desc->btf ||
	    prog->aux->attach_btf_id != desc->type_id ||
	    prog->expected_attach_type != i)
		return -EINVAL;

	/* The generators read link.prog and link.cookie while they emit and
	 * keep nothing of the link: a stack one will do.
	 */
	link.link.prog = prog;
	size = st_emitter_measure(em, &link, model);
	if (size < 0)
		return size;
	image = st_emitter_room(em, size + ST_KSYM_GAP);
	if (IS_ERR(image))
		return PTR_ERR(image);
	/* The same code, where it is to run: of the same size. */
	size = bpf_struct_ops_prepare_trampoline(em->tlinks, &link, model,
						 image,
						 (void *)PAGE_ALIGN((unsigned long)image + 1));
	if (size < 0)
		return size;
	em->used += size + ST_KSYM_GAP;

	st_ksym_set(&st_map->ksyms[i], "bpf__", desc, member, image, size);
	st_map->entries[i].tramp = image;
	st_map->entries[i].native = st_native_entry(desc->st_ops, prog);
	/* The native entry, if any, is taken once the map is filled. */
	*entry = image;
	return 0;
}

ALLOW_ERROR_INJECTION(st_map_link_member, ERRNO);

/* The members that the subsystem does not take and that are no function
 * pointers: the owner, which the core sets, and data, which must be zero.
 * Returns 1 when @member was one of those, 0 when it is a function
 * pointer, or an errno.
 */
static int st_map_fill_data(struct bpf_struct_ops_map *st_map,
			    const struct btf_member *member, void *udata,
			    void *kdata)
{
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	u32 moff = st_member_offset(desc->type, member);
	u32 msize;
	int err;

	if (st_member_is_owner(desc->btf, member)) {
		/* Sockets pin the map through this owner, not a module:
		 * see bpf_try_module_get().
		 */
		if (*(void **)(udata + moff))
			return -EINVAL;
		*(void **)(kdata + moff) = BPF_MODULE_OWNER;
		return 1;
	}
	if (btf_type_resolve_func_ptr(desc->btf, member->type, NULL))
		return 0;
	err = st_member_size(desc->btf, member, &msize);
	if (err)
		return err;
	return memchr_inv(udata + moff, 0, msize) ? -EINVAL : 1;
}

/* Fill uvalue, kvalue.data, progs and the image from the user's value.
 * On error the caller resets the map.
 */
static int st_map_fill(struct bpf_struct_ops_map *st_map,
		       const struct bpf_struct_ops_value *user)
{
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	const struct bpf_struct_ops *st_ops = desc->st_ops;
	struct st_emitter em = { .st_map = st_map };
	const struct btf_type *t = desc->type;
	void *udata = st_map->uvalue->data;
	void *kdata = st_map->kvalue.data;
	const struct btf_member *member;
	int prog_fd, err = -ENOMEM;
	u32 i, moff;
	void *entry;

	memcpy(st_map->uvalue, user, st_map->map.value_size);

	em.tlinks = kcalloc(BPF_TRAMP_MAX, sizeof(*em.tlinks), GFP_KERNEL);
	if (!em.tlinks)
		return -ENOMEM;

	for_each_member(i, t, member) {
		moff = st_member_offset(t, member);

		if (st_ops->init_member) {
			err = st_ops->init_member(t, member, kdata, udata);
			if (err < 0)
				break;
			if (err > 0) {
				/* The subsystem took this member. */
				err = 0;
				continue;
			}
		}

		err = st_map_fill_data(st_map, member, udata, kdata);
		if (err < 0)
			break;
		if (err > 0) {
			err = 0;
			continue;
		}

		/* libbpf stores the prog fd in the function pointer. */
		prog_fd = (int)*(u64 *)(udata + moff);
		if (!prog_fd)
			continue;
		err = st_map_link_member(&em, i, member, prog_fd, &entry);
		if (err)
			break;
		*(void **)(kdata + moff) = entry;
		/* Lookup reports prog ids, never kernel addresses. */
		*(u64 *)(udata + moff) = st_map->progs[i]->aux->id;
	}

	if (!err) {
		for (i = 0; i < st_map->image_pages_cnt; i++)
			bpf_struct_ops_image_seal(st_map->image_pages[i]);
		st_map_native_add(st_map);
	}
	kfree(em.tlinks);
	return err;
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
	desc = st_find(btf, attr->btf_vmlinux_value_type_id, true);
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
	    !st_map->entries) {
		bpf_map_area_free(st_map->entries);
		bpf_map_area_free(st_map->ksyms);
		bpf_map_area_free(st_map->progs);
		bpf_map_area_free(st_map->uvalue);
		bpf_map_area_free(st_map);
		goto put_module;
	}
	for (i = 0; i < n; i++)
		INIT_LIST_HEAD_RCU(&st_map->ksyms[i].lnode);
	INIT_LIST_HEAD(&st_map->native_node);
	mutex_init(&st_map->lock);
	bpf_map_init_from_attr(&st_map->map, attr);
	/* The map keeps mod's reference: st_map_free() drops it. */
	return &st_map->map;

put_module:
	module_put(mod);
	return ERR_PTR(err);
}

ALLOW_ERROR_INJECTION(st_map_alloc, ERRNO);

/* What is left of a map once nothing can run its image, nor read its
 * symbols.  Noinline, and named in no header: make bench's module
 * (st_bench_mod.c) puts a kretprobe here to see when a map's memory
 * really went.
 */
static noinline void st_map_free_now(struct bpf_map *map)
{
	struct bpf_struct_ops_map *st_map = st_map_of(map);
	struct module *owner = st_map->st_ops_desc->st_ops->owner;

	/* The progs go with their native entries. */
	st_map_put_progs(st_map);
	st_map_free_image(st_map);
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
	 * in one too: see bpf_native_enter() in the x86 JIT); tasks-RCU
	 * covers the few instructions the trampoline or the native entry
	 * still runs outside it.  Only then are the progs put, and with
	 * them their native entries.  The same RCU grace period lets
	 * kallsyms readers leave the symbols.  Both grace periods start
	 * here, after the unlinking, and run side by side.
	 */
	st_map_native_del(st_map);
	st_map_ksyms_del(st_map);
	INIT_WORK(&st_map->free_work, st_map_free_work);
	if (!st_map->image_pages_cnt) {
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

	err = st_map_fill(st_map, value);
	if (err)
		goto reset;

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
	st_map_ksyms_add(st_map);
	goto unlock;

reset:
	st_map_reset(st_map);
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
