// SPDX-License-Identifier: GPL-2.0
/*
 * st_modops_mod: a module that defines a struct_ops type, struct st_modops
 * (st_modops.h), as a subsystem in a module would: it registers the type
 * from its init function and the type goes with the module.
 *
 * Its stub of nullable says, by its parameter's name, that the argument
 * may be NULL; check_member lets a sleepable prog on sleepable only.
 *
 * One table at a time may be registered.  Writing anything to
 * /sys/kernel/debug/st_modops/call calls every member of the registered
 * table that has a prog, with arguments of its own (nullable twice: with
 * NULL and without), from process context, and checks what each
 * returned; reading the file then gives
 *	called N ok N bad N
 *	native N trampoline N sleepable WHERE
 * and, for the first member that returned something else, "first_bad
 * NAME".  The second line says where the members pointed, by the symbol
 * each pointer lies in: a prog's native entry (bpf_prog_*) or a
 * trampoline (bpf__st_modops_*); WHERE is "native" or "trampoline" for
 * sleepable's, "-" when it has no prog.  With no table registered the
 * write fails with ENOENT.
 *
 * The type allows native entries (.native_prog_ok): see st_native_prog_ok().
 *
 * m31's progs get a prologue and an epilogue from the module's verifier
 * ops (st_gen_prologue(), st_gen_epilogue(), which calls a kfunc), which
 * change what m31 returns: see ST_MODOPS_PRO_EPI_RET() in st_modops.h.
 *
 * The type takes link updates too (.update).  Reading
 * /sys/kernel/debug/st_modops/ids gives the map ids, by
 * bpf_struct_ops_id(), of the tables the last reg, unreg and update were
 * handed (0 before the first):
 *	reg ID unreg ID update OLD NEW
 *
 * A kfunc, st_modops_assoc_id(), gives a prog the map id of the table it
 * is tied to (BPF_PROG_ASSOC_STRUCT_OPS, or a member prog's map), 0 for
 * none: struct_ops and syscall progs may call it.
 *
 * deep's progs run on a private stack: check_member asks for one, and
 * to be told of each run of the prog that its trampoline skipped because
 * it would have nested in another on the same CPU (st_recursion()).
 * /sys/kernel/debug/st_modops/recursions gives how many there were:
 *	recursions N
 * Two kfuncs let deep's prog see it: st_modops_deep_again() calls its
 * table's deep from inside it, st_modops_on_task_stack() says whether
 * a buffer of the prog's lies on the task's kernel stack.
 *
 * Its init also registers four types that must be refused, and
 * /sys/kernel/debug/st_modops/register gives what each got, and whether
 * the kernel checks indirect calls with kCFI:
 *	again ERRNO unknown ERRNO badstub ERRNO nostub ERRNO kcfi 0|1
 * a second type named st_modops (-EEXIST), one whose struct is in no
 * BTF (-EINVAL), struct st_modops_badstub, whose stub of m0 is not of
 * m0's type (-EINVAL), and struct st_modops_nostub, which has no stubs:
 * under kCFI it must be refused (-EINVAL), elsewhere it is taken (0).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/debugfs.h>
#include <linux/filter.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>

#include "st_modops.h"

/* The registered table; calls run under st_lock, so that once unreg
 * returns no call is left in its trampolines.
 */
static struct st_modops *st_live;
static DEFINE_MUTEX(st_lock);

struct st_result {
	u32 called, ok, bad;
	const char *first_bad;
	/* Members that pointed into a prog, and at a trampoline. */
	u32 native, tramp;
	const char *sleepable_at;
};

static struct st_result st_last;

/* What bpf_struct_ops_id() said of the tables the callbacks were handed. */
static struct {
	u32 reg, unreg, update_old, update_new;
} st_ids;
static struct dentry *st_dir;
/* Runs of deep's progs skipped for recursion. */
static atomic_t st_recursions;
/* What registering the three types that must be refused gave. */
static int st_again_err, st_unknown_err, st_badstub_err, st_nostub_err;

/* Where @fn, a member's pointer, lies: "native" in a prog's image (its
 * native entry), "trampoline" in the map's image, "other" elsewhere.
 * Counted in @res.
 */
static const char *st_count_where(struct st_result *res, const void *fn)
{
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol_no_offset(sym, (unsigned long)fn);
	if (str_has_prefix(sym, "bpf_prog_")) {
		res->native++;
		return "native";
	}
	if (str_has_prefix(sym, "bpf__st_modops_")) {
		res->tramp++;
		return "trampoline";
	}
	return "other";
}

static void st_check(struct st_result *res, const char *name, bool ok)
{
	res->called++;
	if (ok) {
		res->ok++;
		return;
	}
	res->bad++;
	if (!res->first_bad)
		res->first_bad = name;
}

/* Each function member: its name, n, where it is, and how many args. */
struct st_member {
	const char *name;
	u32 n;
	size_t off;
	bool six;
};

#define ST_ONE(n)	{ "m" #n, n, offsetof(struct st_modops, m##n), false }
#define ST_SIX(n)	{ "s" #n, n, offsetof(struct st_modops, s##n), true }

static const struct st_member st_members[] = {
	ST_ONE(0),
	ST_ONE(1),
	ST_ONE(2),
	ST_ONE(3),
	ST_ONE(4),
	ST_ONE(5),
	ST_ONE(6),
	ST_ONE(7),
	ST_ONE(8),
	ST_ONE(9),
	ST_ONE(10),
	ST_ONE(11),
	ST_ONE(12),
	ST_ONE(13),
	ST_ONE(14),
	ST_ONE(15),
	ST_ONE(16),
	ST_ONE(17),
	ST_ONE(18),
	ST_ONE(19),
	ST_ONE(20),
	ST_ONE(21),
	ST_ONE(22),
	ST_ONE(23),
	ST_ONE(24),
	ST_ONE(25),
	ST_ONE(26),
	ST_ONE(27),
	ST_ONE(28),
	ST_ONE(29),
	ST_ONE(30),
	ST_ONE(31),
	ST_SIX(0),
	ST_SIX(1),
	ST_SIX(2),
	ST_SIX(3),
	ST_SIX(4),
	ST_SIX(5),
	ST_SIX(6),
	ST_SIX(7),
};

static bool st_call_one(const struct st_member *m, void *fn)
{
	/* Six arguments, one large: a member must see all 64 bits of each. */
	u64 a = m->n + 1, b = m->n + 2, c = 1ULL << 40, d = m->n + 4;
	u64 e = m->n + 5, f = m->n + 6;
	int x = 1000 + m->n;

	if (m->six)
		return ((__u64 (*)(__u64, __u64, __u64, __u64, __u64,
				   __u64))fn)(a, b, c, d, e, f) ==
		       ST_MODOPS_SIX_RET(m->n, a, b, c, d, e, f);
	if (m->n == ST_MODOPS_PRO_EPI_MEMBER)
		return ((int (*)(int))fn)(x) == ST_MODOPS_PRO_EPI_RET(x);
	return ((int (*)(int))fn)(x) == ST_MODOPS_ONE_RET(m->n, x);
}

static void st_call_all(struct st_modops *ops, struct st_result *res)
{
	struct st_modops_arg arg = { .x = 42 };
	const struct st_member *m;
	void *fn;

	for (m = st_members; m < st_members + ARRAY_SIZE(st_members); m++) {
		fn = *(void **)((void *)ops + m->off);
		if (!fn)
			continue;
		st_count_where(res, fn);
		st_check(res, m->name, st_call_one(m, fn));
	}
	if (ops->nullable) {
		st_count_where(res, ops->nullable);
		st_check(res, "nullable(NULL)",
			 ops->nullable(NULL) == ST_MODOPS_NULL_RET);
		st_check(res, "nullable", ops->nullable(&arg) == arg.x);
	}
	if (ops->deep) {
		st_count_where(res, ops->deep);
		st_check(res, "deep", ops->deep(7) == ST_MODOPS_DEEP_RET(7));
	}
	/* st_lock is a mutex: the prog may sleep here. */
	might_sleep();
	res->sleepable_at = "-";
	if (ops->sleepable) {
		res->sleepable_at = st_count_where(res, ops->sleepable);
		st_check(res, "sleepable",
			 ops->sleepable(5) == ST_MODOPS_SLEEP_RET(5));
	}
}

static ssize_t st_call_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	struct st_result res = {};

	mutex_lock(&st_lock);
	if (!st_live) {
		mutex_unlock(&st_lock);
		return -ENOENT;
	}
	st_call_all(st_live, &res);
	st_last = res;
	mutex_unlock(&st_lock);
	return len;
}

static ssize_t st_call_read(struct file *file, char __user *buf, size_t len,
			    loff_t *ppos)
{
	char out[160];
	int n;

	mutex_lock(&st_lock);
	n = scnprintf(out, sizeof(out), "called %u ok %u bad %u\n",
		      st_last.called, st_last.ok, st_last.bad);
	n += scnprintf(out + n, sizeof(out) - n,
		       "native %u trampoline %u sleepable %s\n",
		       st_last.native, st_last.tramp,
		       st_last.sleepable_at ?: "-");
	if (st_last.first_bad)
		n += scnprintf(out + n, sizeof(out) - n, "first_bad %s\n",
			       st_last.first_bad);
	mutex_unlock(&st_lock);
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

static ssize_t st_register_read(struct file *file, char __user *buf,
				size_t len, loff_t *ppos)
{
	char out[64];
	int n;

	n = scnprintf(out, sizeof(out),
		      "again %d unknown %d badstub %d nostub %d kcfi %d\n",
		      st_again_err, st_unknown_err, st_badstub_err,
		      st_nostub_err, IS_ENABLED(CONFIG_CFI_CLANG));
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

static ssize_t st_ids_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	char out[80];
	int n;

	mutex_lock(&st_lock);
	n = scnprintf(out, sizeof(out), "reg %u unreg %u update %u %u\n",
		      st_ids.reg, st_ids.unreg, st_ids.update_old,
		      st_ids.update_new);
	mutex_unlock(&st_lock);
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

static ssize_t st_recursions_read(struct file *file, char __user *buf,
				  size_t len, loff_t *ppos)
{
	char out[32];
	int n;

	n = scnprintf(out, sizeof(out), "recursions %d\n",
		      atomic_read(&st_recursions));
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

static const struct file_operations st_recursions_fops = {
	.owner = THIS_MODULE,
	.read = st_recursions_read,
};

static const struct file_operations st_ids_fops = {
	.owner = THIS_MODULE,
	.read = st_ids_read,
};

static const struct file_operations st_register_fops = {
	.owner = THIS_MODULE,
	.read = st_register_read,
};

static const struct file_operations st_call_fops = {
	.owner = THIS_MODULE,
	.llseek = default_llseek,
	.write = st_call_write,
	.read = st_call_read,
};

/* ---- the struct_ops type */

static int st_reg(void *kdata)
{
	int err = 0;

	mutex_lock(&st_lock);
	st_ids.reg = bpf_struct_ops_id(kdata);
	if (st_live)
		err = -EEXIST;
	else
		st_live = kdata;
	mutex_unlock(&st_lock);
	return err;
}

static void st_unreg(void *kdata)
{
	mutex_lock(&st_lock);
	st_ids.unreg = bpf_struct_ops_id(kdata);
	if (st_live == kdata)
		st_live = NULL;
	mutex_unlock(&st_lock);
}

/* A link moves to another map: its table takes the old one's place. */
static int st_update(void *kdata, void *old_kdata)
{
	int err = 0;

	mutex_lock(&st_lock);
	st_ids.update_old = bpf_struct_ops_id(old_kdata);
	st_ids.update_new = bpf_struct_ops_id(kdata);
	if (st_live != old_kdata)
		err = -ENOENT;
	else
		st_live = kdata;
	mutex_unlock(&st_lock);
	return err;
}

/* Progs read their arguments, as tracing progs do, and write nothing. */
static bool st_is_valid_access(int off, int size, enum bpf_access_type type,
			       const struct bpf_prog *prog,
			       struct bpf_insn_access_aux *info)
{
	if (type != BPF_READ)
		return false;
	return btf_ctx_access(off, size, type, prog, info);
}

static const struct bpf_func_proto *
st_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id);
}

/* m31's prologue: add ST_MODOPS_PRO_ADD to the argument in the context,
 * before the prog's first instruction.  The argument is an int, in the
 * low half of its u64 slot.
 */
static int st_gen_prologue(struct bpf_insn *insn_buf, bool direct_write,
			   const struct bpf_prog *prog)
{
	struct bpf_insn *insn = insn_buf;

	if (prog->expected_attach_type != ST_MODOPS_PRO_EPI_MEMBER)
		return 0;
	*insn++ = BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0);
	*insn++ = BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, ST_MODOPS_PRO_ADD);
	*insn++ = BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_2, 0);
	*insn++ = prog->insnsi[0];
	return insn - insn_buf;
}

/* A kfunc of vmlinux for the epilogue to call: bpf_kfunc_call_test2(sk, a,
 * b) returns a + b (and reads nothing of sk).
 */
BTF_ID_LIST(st_epilogue_kfunc)
BTF_ID(func, bpf_kfunc_call_test2)

/* m31's epilogue: add the argument, as the prologue left it, to R0, by a
 * kfunc call.  The verifier saved the context at R10 + @ctx_off.
 */
static int st_gen_epilogue(struct bpf_insn *insn_buf,
			   const struct bpf_prog *prog, s16 ctx_off)
{
	struct bpf_insn *insn = insn_buf;

	if (prog->expected_attach_type != ST_MODOPS_PRO_EPI_MEMBER)
		return 0;
	*insn++ = BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_10, ctx_off);
	*insn++ = BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_3, 0);
	*insn++ = BPF_MOV32_REG(BPF_REG_2, BPF_REG_0);
	*insn++ = BPF_MOV64_IMM(BPF_REG_1, 0);
	*insn++ = BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0,
			       st_epilogue_kfunc[0]);
	*insn++ = BPF_EXIT_INSN();
	return insn - insn_buf;
}

static const struct bpf_verifier_ops st_verifier_ops = {
	.is_valid_access = st_is_valid_access,
	.get_func_proto = st_get_func_proto,
	.gen_prologue = st_gen_prologue,
	.gen_epilogue = st_gen_epilogue,
};

/* A run of one of deep's progs was skipped: it would have nested in
 * another run of it on this CPU, whose private stack it would have used.
 */
static void st_recursion(struct bpf_prog *prog)
{
	atomic_inc(&st_recursions);
}

static int st_check_member(const struct btf_type *t,
			   const struct btf_member *member,
			   const struct bpf_prog *prog)
{
	u32 off = __btf_member_bit_offset(t, member) / 8;

	if (prog->aux->sleepable && off != offsetof(struct st_modops, sleepable))
		return -EINVAL;
	if (off == offsetof(struct st_modops, deep)) {
		prog->aux->priv_stack_requested = true;
		prog->aux->recursion_detected = st_recursion;
	}
	return 0;
}

/* The module calls every member from process context, under st_lock (a
 * mutex): a native entry's preempt_disable() and rcu_read_lock() may be
 * taken there.  Its progs get bpf_base_func_proto()'s helpers only, none
 * of which reads the run context that the trampoline would set.  Sleepable
 * progs get no native entry (the verifier asks for none): sleepable keeps
 * its trampoline, which is what the struct_ops_module test checks.
 */
static bool st_native_prog_ok(const struct bpf_prog *prog)
{
	return true;
}

/* The stubs, one per member, never called.  Their types are the
 * members': under kCFI, each member's trampoline and native entry start
 * with its stub's type hash, which the module's calls check.  Their
 * parameter names tell the verifier what BTF does not (nullable's), where
 * a stub is named after its member ("st_modops__<member>").
 */
static int st_modops__one(int a)
{
	return 0;
}

static __u64 st_modops__six(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e,
			    __u64 f)
{
	return 0;
}

static __u64 st_modops__seven(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e,
			      __u64 f, __u64 g)
{
	return 0;
}

static int st_modops__nullable(struct st_modops_arg *arg__nullable)
{
	return 0;
}

static struct st_modops_arg *st_modops__ret_ptr(struct st_modops_arg *arg)
{
	return NULL;
}

#define ST_STUB_ONE(n)	.m##n = st_modops__one
#define ST_STUB_SIX(n)	.s##n = st_modops__six

static struct st_modops st_modops_stubs = {
	ST_STUB_ONE(0), ST_STUB_ONE(1), ST_STUB_ONE(2), ST_STUB_ONE(3),
	ST_STUB_ONE(4), ST_STUB_ONE(5), ST_STUB_ONE(6), ST_STUB_ONE(7),
	ST_STUB_ONE(8), ST_STUB_ONE(9), ST_STUB_ONE(10), ST_STUB_ONE(11),
	ST_STUB_ONE(12), ST_STUB_ONE(13), ST_STUB_ONE(14), ST_STUB_ONE(15),
	ST_STUB_ONE(16), ST_STUB_ONE(17), ST_STUB_ONE(18), ST_STUB_ONE(19),
	ST_STUB_ONE(20), ST_STUB_ONE(21), ST_STUB_ONE(22), ST_STUB_ONE(23),
	ST_STUB_ONE(24), ST_STUB_ONE(25), ST_STUB_ONE(26), ST_STUB_ONE(27),
	ST_STUB_ONE(28), ST_STUB_ONE(29), ST_STUB_ONE(30), ST_STUB_ONE(31),
	ST_STUB_SIX(0), ST_STUB_SIX(1), ST_STUB_SIX(2), ST_STUB_SIX(3),
	ST_STUB_SIX(4), ST_STUB_SIX(5), ST_STUB_SIX(6), ST_STUB_SIX(7),
	.nullable = st_modops__nullable,
	.sleepable = st_modops__one,
	.spare = st_modops__one,
	.ret_ptr = st_modops__ret_ptr,
	.deep = st_modops__one,
	.seven = st_modops__seven,
};

static struct bpf_struct_ops st_modops_ops = {
	.verifier_ops = &st_verifier_ops,
	.check_member = st_check_member,
	.native_prog_ok = st_native_prog_ok,
	.reg = st_reg,
	.unreg = st_unreg,
	.update = st_update,
	.cfi_stubs = &st_modops_stubs,
	.owner = THIS_MODULE,
	.name = "st_modops",
};

/* A type whose stub of m0 takes a long where m0 takes an int: its
 * registration must fail.  Under kCFI the stub's type would be the hash
 * m0's callers check.
 */
struct st_modops_badstub {
	int (*m0)(int a);
};

static int st_modops_badstub__m0(long a)
{
	return 0;
}

static struct st_modops_badstub st_badstub_stubs = {
	.m0 = (void *)st_modops_badstub__m0,
};

static struct bpf_struct_ops st_modops_badstub_ops = {
	.verifier_ops = &st_verifier_ops,
	.reg = st_reg,
	.unreg = st_unreg,
	.cfi_stubs = &st_badstub_stubs,
	.owner = THIS_MODULE,
	.name = "st_modops_badstub",
};

/* A type without stubs: under kCFI its members' callers would check a
 * hash that its trampolines could not carry.
 */
struct st_modops_nostub {
	int (*m0)(int a);
};

static struct bpf_struct_ops st_modops_nostub_ops = {
	.verifier_ops = &st_verifier_ops,
	.reg = st_reg,
	.unreg = st_unreg,
	.owner = THIS_MODULE,
	.name = "st_modops_nostub",
};

/* ---- a kfunc of the subsystem: which table is the caller's */

__diag_push();
__diag_ignore_all("-Wmissing-prototypes",
		  "a kfunc, called from BPF: no C caller needs a prototype");

/* The id of the table the calling prog is tied to, 0 for none (or for a
 * member prog of two tables).  The verifier passes @aux__prog.
 */
noinline u32 st_modops_assoc_id(void *aux__prog)
{
	struct st_modops *ops = bpf_prog_get_assoc_struct_ops(aux__prog);

	return ops ? bpf_struct_ops_id(ops) : 0;
}

/* Call deep(@a) of the calling prog's table, from inside that table's
 * deep: the run would nest in the caller's, and its trampoline skips it
 * (0).  -1 where the caller is not a member of the registered table,
 * the one table known to be a struct st_modops; the caller's run keeps
 * it, and its image, alive.
 */
noinline int st_modops_deep_again(int a, void *aux__prog)
{
	struct st_modops *ops = bpf_prog_get_assoc_struct_ops(aux__prog);

	if (!ops || ops != READ_ONCE(st_live) || !ops->deep)
		return -1;
	/* m0 first, from the same frame: what its call leaves on the stack
	 * is where deep's trampoline puts its return slot, so that a slot
	 * the trampoline failed to clear shows.
	 */
	if (ops->m0)
		ops->m0(a);
	return ops->deep(a);
}

/* 1 where @mem, a buffer of the calling prog's, lies on the task's kernel
 * stack, 0 elsewhere (a private stack).
 */
noinline int st_modops_on_task_stack(void *mem, int mem__sz)
{
	return object_is_on_stack(mem) &&
	       object_is_on_stack(mem + mem__sz - 1);
}

__diag_pop();

BTF_SET8_START(st_modops_kfunc_ids)
BTF_ID_FLAGS(func, st_modops_assoc_id)
BTF_ID_FLAGS(func, st_modops_deep_again)
BTF_ID_FLAGS(func, st_modops_on_task_stack)
BTF_SET8_END(st_modops_kfunc_ids)

static const struct btf_kfunc_id_set st_modops_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &st_modops_kfunc_ids,
};

/* Types that must be refused: st_modops_ops again, a name taken; and
 * under a name that no struct in BTF has.
 */
static struct bpf_struct_ops st_modops_again, st_modops_unknown;

static int __init st_modops_init(void)
{
	int err;

	st_dir = debugfs_create_dir("st_modops", NULL);
	debugfs_create_file("call", 0600, st_dir, NULL, &st_call_fops);
	debugfs_create_file("register", 0400, st_dir, NULL, &st_register_fops);
	debugfs_create_file("ids", 0400, st_dir, NULL, &st_ids_fops);
	debugfs_create_file("recursions", 0400, st_dir, NULL,
			    &st_recursions_fops);
	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&st_modops_kfunc_set) ?:
	      register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
					&st_modops_kfunc_set);
	if (err) {
		pr_err("cannot register the kfuncs: %d\n", err);
		debugfs_remove_recursive(st_dir);
		return err;
	}
	err = register_bpf_struct_ops(&st_modops_ops, st_modops);
	if (err) {
		pr_err("cannot register struct st_modops: %d\n", err);
		debugfs_remove_recursive(st_dir);
		return err;
	}
	/* Whatever these get, the module's types go with it. */
	st_modops_again = st_modops_ops;
	st_again_err = __register_bpf_struct_ops(&st_modops_again);
	st_modops_unknown = st_modops_ops;
	st_modops_unknown.name = "st_modops_unknown";
	st_unknown_err = __register_bpf_struct_ops(&st_modops_unknown);
	st_badstub_err = register_bpf_struct_ops(&st_modops_badstub_ops,
						 st_modops_badstub);
	st_nostub_err = register_bpf_struct_ops(&st_modops_nostub_ops,
						st_modops_nostub);
	return 0;
}

static void __exit st_modops_exit(void)
{
	/* No map of the type is left: each held the module. */
	debugfs_remove_recursive(st_dir);
}

module_init(st_modops_init);
module_exit(st_modops_exit);
MODULE_DESCRIPTION("A struct_ops type defined by a module, for selftests");
MODULE_LICENSE("GPL");
