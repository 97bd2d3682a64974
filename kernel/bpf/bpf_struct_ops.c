// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF struct_ops: kernel ops tables implemented by BPF programs.
 *
 * The core is three files, one concern each:
 *
 *   bpf_struct_ops.c        the type registry: every struct_ops type and
 *                           what the core derives from its BTF;
 *   bpf_struct_ops_map.c    BPF_MAP_TYPE_STRUCT_OPS: create, update,
 *                           lookup, delete, the registration of a map's
 *                           table and the map's lifetime;
 *   bpf_struct_ops_image.c  a map's image: trampolines, native entries
 *                           and their symbols;
 *
 * and bpf_struct_ops_link.c links a map's table to its subsystem.  See
 * Documentation/bpf/bpf_struct_ops.rst.
 *
 * A subsystem supplies a struct bpf_struct_ops naming its ops struct (e.g.
 * tcp_congestion_ops) and its reg/unreg callbacks, and registers it with
 * register_bpf_struct_ops(): a built-in subsystem from its initcall, found
 * in vmlinux BTF, a module from its init function, found in the module's
 * BTF; a module's type goes with the module.  Registration derives from
 * BTF what trampolines need: type ids, one func model per function-pointer
 * member (struct bpf_struct_ops_desc).
 *
 * Locking: st_types_lock serializes adding and removing types; lookups
 * (the verifier, map creation) walk the list under RCU, and a removed
 * type is freed after a grace period.  A type a lookup found stays valid
 * while the caller holds its module.
 */
#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/cfi.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "bpf_struct_ops_map.h"

/* "struct module" in vmlinux BTF: the type of an ops struct's owner, in a
 * module's BTF too (its base).  Set once, before any type is registered.
 */
static const struct btf_type *st_module_type;

/* ---------------------------------------------------------------------
 * Describing a type: what the core derives from its BTF (the members'
 * func models) and from its subsystem's stubs (which arguments may be
 * NULL), once, when the type is registered.
 */

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

/* Do @a and @b of @btf name one type, typedefs and qualifiers aside? */
static bool st_same_type(const struct btf *btf, u32 a, u32 b)
{
	btf_type_skip_modifiers(btf, a, &a);
	btf_type_skip_modifiers(btf, b, &b);
	return a == b;
}

/* Is @stub of the type @proto, the member's?  It must be: its parameter
 * names describe the member's arguments, and under kCFI the type's hash
 * is what a caller checks.  BTF dedup gives one type one id.
 */
static bool st_stub_matches(const struct btf *btf,
			    const struct btf_type *proto,
			    const struct btf_type *stub)
{
	const struct btf_param *p = btf_params(proto), *s = btf_params(stub);
	u32 j, n = btf_type_vlen(proto);

	if (btf_type_vlen(stub) != n || !st_same_type(btf, proto->type, stub->type))
		return false;
	for (j = 0; j < n; j++)
		if (!st_same_type(btf, p[j].type, s[j].type))
			return false;
	return true;
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
	if (!st_stub_matches(desc->btf, proto, stub)) {
		pr_warn("struct_ops: the stub of %s.%s is not of the member's type\n",
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

/* Under kCFI a member's callers check the type hash in front of its
 * trampoline, which the trampoline takes from the member's stub: a type
 * with a function-pointer member that has no stub could only trap.
 */
static int st_desc_check_cfi(const struct bpf_struct_ops_desc *desc)
{
	const struct btf_member *member;
	u32 i;

	if (!cfi_get_offset())
		return 0;
	for_each_member(i, desc->type, member) {
		if (!btf_type_resolve_func_ptr(desc->btf, member->type, NULL))
			continue;
		if (!cfi_get_func_hash(st_member_stub(desc, member))) {
			pr_warn("struct_ops: %s.%s has no stub: kCFI needs one\n",
				desc->st_ops->name,
				btf_name_by_offset(desc->btf, member->name_off));
			return -EINVAL;
		}
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
		err = st_desc_check_cfi(desc);
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

/* ---------------------------------------------------------------------
 * The registry: every struct_ops type and what the core derived from its
 * BTF.  A built-in subsystem adds its type from its initcall, a module
 * from its init function; a module's types go when it does.
 */

/* The bytes of a struct that none of its members covers, which a value
 * from user space must leave zero.
 */
struct st_holes {
	u32 nr;
	struct {
		u32 off;
		u32 len;
	} hole[BPF_STRUCT_OPS_MAX_NR_MEMBERS + 1];
};

struct st_type {
	struct bpf_struct_ops_desc desc;
	/* Those of the value type and of its data, the ops struct: found
	 * once, here, where each update used to walk the BTF for them.
	 */
	struct st_holes value_holes;
	struct st_holes data_holes;
	struct list_head node;
	struct rcu_head rcu;
};

static int st_hole_add(struct st_holes *holes, u32 from, u32 to)
{
	if (to <= from)
		return 0;
	if (holes->nr == ARRAY_SIZE(holes->hole))
		return -E2BIG;
	holes->hole[holes->nr].off = from;
	holes->hole[holes->nr].len = to - from;
	holes->nr++;
	return 0;
}

/* The holes of struct @t of @btf, members in offset order. */
static int st_find_holes(const struct btf *btf, const struct btf_type *t,
			 struct st_holes *holes)
{
	const struct btf_member *member;
	u32 i, start, size, end = 0;
	int err;

	for_each_member(i, t, member) {
		start = st_member_offset(t, member);
		err = st_hole_add(holes, end, start);
		if (err)
			return err;
		err = st_member_size(btf, member, &size);
		if (err)
			return err;
		end = max(end, start + size);
	}
	return st_hole_add(holes, end, t->size);
}

static bool st_holes_zero(const struct st_holes *holes, const void *data)
{
	u32 i;

	for (i = 0; i < holes->nr; i++)
		if (memchr_inv(data + holes->hole[i].off, 0, holes->hole[i].len))
			return false;
	return true;
}

/**
 * bpf_struct_ops_holes_zero() - are a value's padding bytes all zero?
 * @desc: the value's type, from the registry
 * @value: a value of it, from user space
 *
 * Return: true when no byte that no member covers, of the value or of its
 * ops struct, is set.
 */
bool bpf_struct_ops_holes_zero(const struct bpf_struct_ops_desc *desc,
			       const struct bpf_struct_ops_value *value)
{
	const struct st_type *type = container_of(desc, struct st_type, desc);

	return st_holes_zero(&type->value_holes, value) &&
	       st_holes_zero(&type->data_holes, value->data);
}

/* Changed under st_types_lock; walked under RCU.  What a lookup finds
 * stays valid for as long as its caller holds the type's module (for a
 * built-in type: always): st_module_notify() removes a module's types
 * only once the module can no longer be held.
 */
static LIST_HEAD(st_types);
static DEFINE_MUTEX(st_types_lock);

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
	if (!err)
		err = st_find_holes(btf, type->desc.value_type,
				    &type->value_holes);
	if (!err)
		err = st_find_holes(btf, type->desc.type, &type->data_holes);
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

/**
 * bpf_struct_ops_find_value() - the struct_ops type of a map value type
 * @btf: the BTF @value_id is in: vmlinux's, or a module's
 * @value_id: id of "struct bpf_struct_ops_<type>" in @btf
 *
 * A module's type is only valid while the caller holds the module.
 *
 * Return: the type, or NULL when @value_id is no struct_ops value type.
 */
const struct bpf_struct_ops_desc *
bpf_struct_ops_find_value(struct btf *btf, u32 value_id)
{
	return st_find(btf, value_id, true);
}

/**
 * bpf_struct_ops_member_is_owner() - whether a member is the ops' owner
 * @btf: the BTF of the member's struct
 * @member: a member of an ops struct
 *
 * Return: true when @member is a struct module pointer, which the core
 * fills itself.
 */
bool bpf_struct_ops_member_is_owner(const struct btf *btf,
				    const struct btf_member *member)
{
	return btf_type_resolve_ptr(btf, member->type, NULL) == st_module_type;
}
