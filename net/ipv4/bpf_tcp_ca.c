// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcp_congestion_ops as a struct_ops type: TCP congestion control written
 * in BPF.
 *
 * A BPF congestion control registers like a module one, through
 * tcp_register_congestion_control(), which also checks the required ops
 * and the name's uniqueness.  One registered through a struct_ops link
 * has its ops checked when its map is updated, and a link may replace it
 * in place by a table of the same name.  Its owner is BPF_MODULE_OWNER,
 * so the sockets that use it pin its struct_ops map rather than a module.
 *
 * The programs see each op's struct sock as the tcp_sock it is, may read
 * any of it and may write only the fields a congestion control owns.
 *
 * The reg, validate and update callbacks may fail; ALLOW_ERROR_INJECTION
 * lets make stress fail each (st_stress fault) to prove that the core
 * undoes what it did before.
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/btf_ids.h>
#include <linux/error-injection.h>
#include <linux/filter.h>
#include <linux/init.h>
#include <linux/types.h>
#include <net/bpf_sk_storage.h>
#include <net/tcp.h>

/* Resolved at link time by resolve_btfids. */
BTF_ID_LIST(tcp_ca_btf_ids)
BTF_ID(struct, sock)
BTF_ID(struct, tcp_sock)
BTF_ID(struct, tcp_congestion_ops)
#define TCP_CA_SOCK_ID		(tcp_ca_btf_ids[0])
#define TCP_CA_TCP_SOCK_ID	(tcp_ca_btf_ids[1])
#define TCP_CA_OPS_ID		(tcp_ca_btf_ids[2])

static const struct btf_type *tcp_sock_type;
static const struct btf_type *tcp_ca_ops_type;

/* The bytes of a tcp_sock that a congestion control may write: one field
 * each, addressed as the verifier sees them, by offset into tcp_sock.
 */
struct tcp_ca_field {
	u32 start;
	u32 end;
};

static const struct tcp_ca_field tcp_ca_writable[] = {
	/* pacing, for CCs that pace (BBR-like) */
	{ offsetof(struct sock, sk_pacing_rate),
	  offsetofend(struct sock, sk_pacing_rate) },
	{ offsetof(struct sock, sk_pacing_status),
	  offsetofend(struct sock, sk_pacing_status) },
	/* the CC's private state and its ACK scheduling (DCTCP) */
	{ offsetof(struct inet_connection_sock, icsk_ca_priv),
	  offsetofend(struct inet_connection_sock, icsk_ca_priv) },
	{ offsetof(struct inet_connection_sock, icsk_ack.pending),
	  offsetofend(struct inet_connection_sock, icsk_ack.pending) },
	/* the window itself */
	{ offsetof(struct tcp_sock, snd_cwnd),
	  offsetofend(struct tcp_sock, snd_cwnd) },
	{ offsetof(struct tcp_sock, snd_cwnd_cnt),
	  offsetofend(struct tcp_sock, snd_cwnd_cnt) },
	{ offsetof(struct tcp_sock, snd_ssthresh),
	  offsetofend(struct tcp_sock, snd_ssthresh) },
	{ offsetof(struct tcp_sock, ecn_flags),
	  offsetofend(struct tcp_sock, ecn_flags) },
};

/* The op a prog implements: the byte offset of its member. */
static u32 tcp_ca_prog_moff(const struct bpf_prog *prog)
{
	return btf_member_bit_offset(tcp_ca_ops_type,
				     prog->expected_attach_type) / 8;
}

static bool tcp_ca_is_valid_access(int off, int size,
				   enum bpf_access_type type,
				   const struct bpf_prog *prog,
				   struct bpf_insn_access_aux *info)
{
	if (!bpf_tracing_btf_ctx_access(off, size, type, prog, info))
		return false;

	/* Every op's struct sock is a tcp_sock: type it as one, so that the
	 * prog can reach the TCP fields without a cast the verifier rejects.
	 */
	if (info->reg_type == PTR_TO_BTF_ID && info->btf_id == TCP_CA_SOCK_ID)
		info->btf_id = TCP_CA_TCP_SOCK_ID;
	/* TCP passes each op its own socket and, to pkts_acked and
	 * cong_control, a sample on its stack: never NULL, valid for the
	 * whole call.  Loads from them need no fault handling.
	 */
	if (info->reg_type == PTR_TO_BTF_ID)
		info->valid_arg = true;
	return true;
}

static int tcp_ca_btf_struct_access(struct bpf_verifier_log *log,
				    const struct btf *btf,
				    const struct btf_type *t, int off, int size,
				    enum bpf_access_type access, u32 *next_id,
				    enum bpf_type_flag *type_flag)
{
	const struct tcp_ca_field *f;
	u32 i;

	if (access == BPF_READ)
		return btf_struct_access(log, btf, t, off, size, access,
					 next_id, type_flag);

	if (t != tcp_sock_type) {
		bpf_log(log, "only read is supported\n");
		return -EACCES;
	}

	for (i = 0; i < ARRAY_SIZE(tcp_ca_writable); i++) {
		f = &tcp_ca_writable[i];
		if (off < f->start || off >= f->end)
			continue;
		if (off + size > f->end) {
			bpf_log(log, "write at off %d size %d past tcp_sock field end %u\n",
				off, size, f->end);
			return -EACCES;
		}
		/* A write: the verifier ignores the register type. */
		return NOT_INIT;
	}

	bpf_log(log, "no write support to tcp_sock at off %d\n", off);
	return -EACCES;
}

BPF_CALL_2(bpf_tcp_send_ack, struct tcp_sock *, tp, u32, rcv_nxt)
{
	/* tp is the op's own socket, never NULL. */
	__tcp_send_ack((struct sock *)tp, rcv_nxt);
	return 0;
}

static const struct bpf_func_proto bpf_tcp_send_ack_proto = {
	.func		= bpf_tcp_send_ack,
	.gpl_only	= false,
	.ret_type	= RET_INTEGER,
	.arg1_type	= ARG_PTR_TO_BTF_ID,
	.arg1_btf_id	= &tcp_ca_btf_ids[1],
	.arg2_type	= ARG_ANYTHING,
};

static const struct bpf_func_proto *
tcp_ca_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	switch (func_id) {
	case BPF_FUNC_getsockopt:
		return &bpf_sk_getsockopt_proto;
	case BPF_FUNC_setsockopt:
		/* .release runs while the socket changes or drops its CC:
		 * setting TCP_CONGESTION from there would recurse into it.
		 */
		if (tcp_ca_prog_moff(prog) ==
		    offsetof(struct tcp_congestion_ops, release))
			return NULL;
		return &bpf_sk_setsockopt_proto;
	case BPF_FUNC_sk_storage_get:
		return &bpf_sk_storage_get_proto;
	case BPF_FUNC_sk_storage_delete:
		return &bpf_sk_storage_delete_proto;
	case BPF_FUNC_tcp_send_ack:
		return &bpf_tcp_send_ack_proto;
	case BPF_FUNC_ktime_get_coarse_ns:
		return &bpf_ktime_get_coarse_ns_proto;
	default:
		return bpf_base_func_proto(func_id);
	}
}

static const struct bpf_verifier_ops tcp_ca_verifier_ops = {
	.get_func_proto		= tcp_ca_get_func_proto,
	.is_valid_access	= tcp_ca_is_valid_access,
	.btf_struct_access	= tcp_ca_btf_struct_access,
};

static int tcp_ca_ops_init(struct btf *btf)
{
	if (!TCP_CA_SOCK_ID || !TCP_CA_TCP_SOCK_ID || !TCP_CA_OPS_ID)
		return -EINVAL;
	tcp_sock_type = btf_type_by_id(btf, TCP_CA_TCP_SOCK_ID);
	tcp_ca_ops_type = btf_type_by_id(btf, TCP_CA_OPS_ID);
	return 0;
}

static int tcp_ca_ops_check_member(const struct btf_type *t,
				   const struct btf_member *member,
				   const struct bpf_prog *prog)
{
	/* get_info reports a module CC's state to ss(8) through netlink:
	 * a BPF CC has no such state in the kernel to report.
	 */
	if (__btf_member_bit_offset(t, member) / 8 ==
	    offsetof(struct tcp_congestion_ops, get_info))
		return -ENOTSUPP;
	/* TCP calls every member in softirq or under the socket's spinlock. */
	if (prog->aux->sleepable)
		return -EINVAL;
	return 0;
}

static int tcp_ca_ops_init_member(const struct btf_type *t,
				  const struct btf_member *member,
				  void *kdata, const void *udata)
{
	const struct tcp_congestion_ops *uca = udata;
	struct tcp_congestion_ops *ca = kdata;

	switch (__btf_member_bit_offset(t, member) / 8) {
	case offsetof(struct tcp_congestion_ops, flags):
		if (uca->flags & ~TCP_CONG_MASK)
			return -EINVAL;
		ca->flags = uca->flags;
		return 1;
	case offsetof(struct tcp_congestion_ops, name):
		/* Non-empty, [A-Za-z0-9_.] only, NUL-terminated.  Whether it
		 * is taken is for the registration to say, under its lock.
		 */
		if (bpf_obj_name_cpy(ca->name, uca->name, sizeof(ca->name)) <= 0)
			return -EINVAL;
		return 1;
	default:
		return 0;
	}
}

static int tcp_ca_ops_reg(void *kdata)
{
	return tcp_register_congestion_control(kdata);
}

ALLOW_ERROR_INJECTION(tcp_ca_ops_reg, ERRNO);

/* Off the list without waiting for its RCU readers: the struct_ops core
 * keeps kdata, and try_module_get() on it working, for a grace period,
 * and hands it to us again only after one.
 */
static void tcp_ca_ops_unreg(void *kdata)
{
	tcp_unlink_congestion_control(kdata);
}

/* A table for a link: the checks register makes before it takes the name. */
static int tcp_ca_ops_validate(void *kdata)
{
	return tcp_validate_congestion_control(kdata);
}

ALLOW_ERROR_INJECTION(tcp_ca_ops_validate, ERRNO);

/* A link's new table takes the old one's name, atomically. */
static int tcp_ca_ops_update(void *kdata, void *old_kdata)
{
	return tcp_update_congestion_control(kdata, old_kdata);
}

ALLOW_ERROR_INJECTION(tcp_ca_ops_update, ERRNO);

/* TCP calls every op from softirq or under the socket lock, and no helper
 * of tcp_ca_get_func_proto() sleeps: any prog may take its native entry
 * as far as TCP goes.  bpf_setsockopt() and bpf_getsockopt() read the run
 * context (set, it tells them that their caller holds the socket lock
 * already): their protos say so, and a prog that calls them keeps the
 * trampoline, which sets it.
 */
static bool tcp_ca_native_prog_ok(const struct bpf_prog *prog)
{
	return true;
}

/* The stubs: one per op, of the op's type, never called.  Under kCFI
 * TCP's indirect calls check the type hash in front of their target,
 * and each op's trampoline and native entry start with its stub's.
 */
static u32 tcp_congestion_ops__ssthresh(struct sock *sk)
{
	return 0;
}

static void tcp_congestion_ops__cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
}

static void tcp_congestion_ops__set_state(struct sock *sk, u8 new_state)
{
}

static void tcp_congestion_ops__cwnd_event(struct sock *sk,
					   enum tcp_ca_event ev)
{
}

static void tcp_congestion_ops__in_ack_event(struct sock *sk, u32 flags)
{
}

static void tcp_congestion_ops__pkts_acked(struct sock *sk,
					   const struct ack_sample *sample)
{
}

static u32 tcp_congestion_ops__min_tso_segs(struct sock *sk)
{
	return 0;
}

static void tcp_congestion_ops__cong_control(struct sock *sk,
					     const struct rate_sample *rs)
{
}

static u32 tcp_congestion_ops__undo_cwnd(struct sock *sk)
{
	return 0;
}

static u32 tcp_congestion_ops__sndbuf_expand(struct sock *sk)
{
	return 0;
}

static size_t tcp_congestion_ops__get_info(struct sock *sk, u32 ext,
					   int *attr,
					   union tcp_cc_info *info)
{
	return 0;
}

static void tcp_congestion_ops__init(struct sock *sk)
{
}

static void tcp_congestion_ops__release(struct sock *sk)
{
}

static struct tcp_congestion_ops tcp_ca_stubs = {
	.ssthresh	= tcp_congestion_ops__ssthresh,
	.cong_avoid	= tcp_congestion_ops__cong_avoid,
	.set_state	= tcp_congestion_ops__set_state,
	.cwnd_event	= tcp_congestion_ops__cwnd_event,
	.in_ack_event	= tcp_congestion_ops__in_ack_event,
	.pkts_acked	= tcp_congestion_ops__pkts_acked,
	.min_tso_segs	= tcp_congestion_ops__min_tso_segs,
	.cong_control	= tcp_congestion_ops__cong_control,
	.undo_cwnd	= tcp_congestion_ops__undo_cwnd,
	.sndbuf_expand	= tcp_congestion_ops__sndbuf_expand,
	.get_info	= tcp_congestion_ops__get_info,
	.init		= tcp_congestion_ops__init,
	.release	= tcp_congestion_ops__release,
};

static struct bpf_struct_ops bpf_tcp_congestion_ops = {
	.name		= "tcp_congestion_ops",
	.init		= tcp_ca_ops_init,
	.reg		= tcp_ca_ops_reg,
	.unreg		= tcp_ca_ops_unreg,
	.validate	= tcp_ca_ops_validate,
	.update		= tcp_ca_ops_update,
	.check_member	= tcp_ca_ops_check_member,
	.init_member	= tcp_ca_ops_init_member,
	.verifier_ops	= &tcp_ca_verifier_ops,
	.native_prog_ok	= tcp_ca_native_prog_ok,
	.cfi_stubs	= &tcp_ca_stubs,
};

/* The kernel's own TCP building blocks a BPF CC may call.  The CCs built
 * on them (cubic, dctcp, bbr) register their own kfuncs.
 */
BTF_SET8_START(tcp_ca_kfunc_ids)
/* window growth */
BTF_ID_FLAGS(func, tcp_slow_start)
BTF_ID_FLAGS(func, tcp_cong_avoid_ai)
/* Reno, whole, to fall back on */
BTF_ID_FLAGS(func, tcp_reno_cong_avoid)
BTF_ID_FLAGS(func, tcp_reno_ssthresh)
BTF_ID_FLAGS(func, tcp_reno_undo_cwnd)
BTF_SET8_END(tcp_ca_kfunc_ids)

static const struct btf_kfunc_id_set tcp_ca_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &tcp_ca_kfunc_ids,
};

/* The kfuncs first: a prog of the type may call them once it exists. */
static int __init bpf_tcp_ca_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&tcp_ca_kfunc_set);
	return err ?: register_bpf_struct_ops(&bpf_tcp_congestion_ops,
					      tcp_congestion_ops);
}
late_initcall(bpf_tcp_ca_init);
