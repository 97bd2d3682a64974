// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf_dummy_ops: a struct_ops type that exists to test struct_ops itself.
 *
 * It cannot be registered: a map update fails with -EOPNOTSUPP.  Instead
 * BPF_PROG_TEST_RUN on one of its progs builds that op's trampoline,
 * calls it with the arguments given in ctx_in and reports the prog's
 * return value, which exercises the trampoline generator, the func models
 * and the BTF-typed context without any subsystem around them.
 */

#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/cfi.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static struct bpf_struct_ops bpf_bpf_dummy_ops;

/* Every op of bpf_dummy_ops takes at most this many arguments. */
#define DUMMY_OPS_MAX_ARGS	5

BTF_ID_LIST_SINGLE(dummy_state_btf_ids, struct, bpf_dummy_ops_state)

static const struct btf_type *dummy_state_type;

/* The op's arguments as the trampoline gets them; when args[0], the state
 * pointer, is given, it points to a kernel copy of the user's state.
 */
struct dummy_ops_call {
	u64 args[DUMMY_OPS_MAX_ARGS];
	struct bpf_dummy_ops_state state;
	struct bpf_dummy_ops_state __user *ustate;
};

static int dummy_ops_call_init(struct dummy_ops_call *call,
			       const union bpf_attr *kattr, u32 nr_args)
{
	void __user *ctx_in = u64_to_user_ptr(kattr->test.ctx_in);

	/* One u64 per argument of the op, no more, no less. */
	if (nr_args > DUMMY_OPS_MAX_ARGS ||
	    kattr->test.ctx_size_in != nr_args * sizeof(u64))
		return -EINVAL;
	if (copy_from_user(call->args, ctx_in, kattr->test.ctx_size_in))
		return -EFAULT;

	call->ustate = u64_to_user_ptr(call->args[0]);
	if (call->ustate) {
		if (copy_from_user(&call->state, call->ustate,
				   sizeof(call->state)))
			return -EFAULT;
		call->args[0] = (u64)(unsigned long)&call->state;
	}
	return 0;
}

static int dummy_ops_call_finish(struct dummy_ops_call *call)
{
	/* The prog may have written the state: hand it back. */
	if (call->ustate &&
	    copy_to_user(call->ustate, &call->state, sizeof(call->state)))
		return -EFAULT;
	return 0;
}

typedef int (*dummy_ops_fn)(u64, u64, u64, u64, u64);

/* Of the type the test run calls the trampoline through: under kCFI the
 * trampoline starts with this function's type hash, which that call
 * checks.  Never called.
 */
static int dummy_ops_call_stub(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4)
{
	return 0;
}

static int dummy_ops_run(const struct bpf_struct_ops_desc *desc,
			 struct bpf_prog *prog, struct dummy_ops_call *call,
			 int *retval)
{
	const struct btf_func_model *model;
	struct bpf_tramp_link link = {};
	struct bpf_tramp_links *tlinks;
	dummy_ops_fn op;
	void *image;
	int err;

	tlinks = kcalloc(BPF_TRAMP_MAX, sizeof(*tlinks), GFP_KERNEL);
	if (!tlinks)
		return -ENOMEM;
	image = bpf_struct_ops_image_alloc();
	if (IS_ERR(image)) {
		err = PTR_ERR(image);
		goto free_tlinks;
	}

	/* The caller's fd holds the prog for the whole run. */
	link.link.prog = prog;
	model = &desc->func_models[prog->expected_attach_type];
	err = bpf_struct_ops_prepare_trampoline(tlinks, &link, model,
						dummy_ops_call_stub, image,
						image + PAGE_SIZE);
	if (err < 0)
		goto free_image;
	bpf_struct_ops_image_seal(image);

	/* Extra arguments past the op's own are ignored by the trampoline. */
	op = image + cfi_get_offset();
	*retval = op(call->args[0], call->args[1], call->args[2],
		     call->args[3], call->args[4]);
	err = 0;
	/* The call has returned: nothing runs in the image any more. */
free_image:
	bpf_struct_ops_image_free(image);
free_tlinks:
	kfree(tlinks);
	return err;
}

/**
 * bpf_struct_ops_test_run() - BPF_PROG_TEST_RUN for struct_ops progs
 * @prog: a prog of bpf_dummy_ops
 * @kattr: the test attributes: ctx_in holds the op's arguments, one u64
 *	each, the first a pointer to a struct bpf_dummy_ops_state or 0
 * @uattr: receives test.retval
 *
 * Calls the op through a trampoline built for @prog, then writes the
 * state, which the prog may have changed, back to user space.
 *
 * Return: 0, -EOPNOTSUPP for a prog of another struct_ops type, -EINVAL for
 * ctx_size_in other than the op's argument count or unsupported
 * attributes, -EFAULT, or an error building the trampoline.
 */
int bpf_struct_ops_test_run(struct bpf_prog *prog, const union bpf_attr *kattr,
			    union bpf_attr __user *uattr)
{
	const struct btf_type *proto = prog->aux->attach_func_proto;
	const struct bpf_struct_ops_desc *desc;
	struct dummy_ops_call *call;
	int retval = 0;
	int err;

	desc = bpf_struct_ops_find(prog->aux->attach_btf,
				   prog->aux->attach_btf_id);
	if (!desc || desc->st_ops != &bpf_bpf_dummy_ops)
		return -EOPNOTSUPP;
	if (kattr->test.data_in || kattr->test.data_out ||
	    kattr->test.ctx_out || kattr->test.flags || kattr->test.cpu)
		return -EINVAL;

	call = kzalloc(sizeof(*call), GFP_KERNEL);
	if (!call)
		return -ENOMEM;
	err = dummy_ops_call_init(call, kattr, btf_type_vlen(proto));
	if (!err)
		err = dummy_ops_run(desc, prog, call, &retval);
	if (!err)
		err = dummy_ops_call_finish(call);
	if (!err && put_user(retval, &uattr->test.retval))
		err = -EFAULT;
	kfree(call);
	return err;
}

/* The op's arguments, typed by BTF: the state pointer becomes a
 * PTR_TO_BTF_ID the prog may dereference.
 */
static bool dummy_ops_is_valid_access(int off, int size,
				      enum bpf_access_type access,
				      const struct bpf_prog *prog,
				      struct bpf_insn_access_aux *aux)
{
	return bpf_tracing_btf_ctx_access(off, size, access, prog, aux);
}

static int dummy_ops_btf_struct_access(struct bpf_verifier_log *log,
				       const struct btf *btf,
				       const struct btf_type *t, int off, int size,
				       enum bpf_access_type access, u32 *next_id,
				       enum bpf_type_flag *type_flag)
{
	int ret;

	/* The state is the one thing an op's prog may touch, and write. */
	if (t != dummy_state_type) {
		bpf_log(log, "only access to bpf_dummy_ops_state is supported\n");
		return -EACCES;
	}
	ret = btf_struct_access(log, btf, t, off, size, access, next_id,
				type_flag);
	if (ret < 0 || access == BPF_READ)
		return ret;
	return NOT_INIT;
}

static const struct bpf_func_proto *
dummy_ops_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	/* A sleepable helper, for the tests of a sleepable prog. */
	if (func_id == BPF_FUNC_copy_from_user)
		return prog->aux->sleepable ? &bpf_copy_from_user_proto : NULL;
	return bpf_base_func_proto(func_id);
}

static const struct bpf_verifier_ops dummy_ops_verifier_ops = {
	.get_func_proto		= dummy_ops_get_func_proto,
	.is_valid_access	= dummy_ops_is_valid_access,
	.btf_struct_access	= dummy_ops_btf_struct_access,
};

static int dummy_ops_init(struct btf *btf)
{
	if (!dummy_state_btf_ids[0])
		return -EINVAL;
	dummy_state_type = btf_type_by_id(btf, dummy_state_btf_ids[0]);
	return 0;
}

/* test_run calls every op from process context: test_sleepable takes a
 * sleepable prog, the others, for the tests' sake, only the others.
 */
static int dummy_ops_check_member(const struct btf_type *t,
				  const struct btf_member *member,
				  const struct bpf_prog *prog)
{
	bool may_sleep = __btf_member_bit_offset(t, member) / 8 ==
			 offsetof(struct bpf_dummy_ops, test_sleepable);

	return prog->aux->sleepable && !may_sleep ? -EINVAL : 0;
}

static int dummy_ops_init_member(const struct btf_type *t,
				 const struct btf_member *member,
				 void *kdata, const void *udata)
{
	/* Never registered: refuse the update before it takes any prog. */
	return -EOPNOTSUPP;
}

/* Nothing to register with: only test runs call bpf_dummy_ops progs. */
static int dummy_ops_reg(void *kdata)
{
	return -EOPNOTSUPP;
}

static void dummy_ops_unreg(void *kdata)
{
}

/* The ops' stubs, of the members' types: never called (under kCFI only
 * their type hashes are read).
 */
static int bpf_dummy_ops__test_1(struct bpf_dummy_ops_state *cb)
{
	return 0;
}

static int bpf_dummy_ops__test_2(struct bpf_dummy_ops_state *cb, int a1,
				 unsigned short a2, char a3, unsigned long a4)
{
	return 0;
}

static int bpf_dummy_ops__test_sleepable(struct bpf_dummy_ops_state *cb)
{
	return 0;
}

static struct bpf_dummy_ops dummy_ops_stubs = {
	.test_1		= bpf_dummy_ops__test_1,
	.test_2		= bpf_dummy_ops__test_2,
	.test_sleepable	= bpf_dummy_ops__test_sleepable,
};

static struct bpf_struct_ops bpf_bpf_dummy_ops = {
	.name		= "bpf_dummy_ops",
	.init		= dummy_ops_init,
	.reg		= dummy_ops_reg,
	.unreg		= dummy_ops_unreg,
	.check_member	= dummy_ops_check_member,
	.init_member	= dummy_ops_init_member,
	.verifier_ops	= &dummy_ops_verifier_ops,
	.cfi_stubs	= &dummy_ops_stubs,
};

static int __init bpf_dummy_struct_ops_init(void)
{
	return register_bpf_struct_ops(&bpf_bpf_dummy_ops, bpf_dummy_ops);
}
late_initcall(bpf_dummy_struct_ops_init);
