// SPDX-License-Identifier: GPL-2.0
/* "st_pre": Reno whose .init would give a wrong count if it were preempted
 * on its CPU by another run of itself, migrated, or left its RCU read
 * section.  .init runs in process context, under lock_sock() only, when a
 * socket's TCP_CONGESTION is set to st_pre.  Its prog has a native entry,
 * whose body runs with preemption off, whichever entry it came in by (see
 * "Native entries" in Documentation/bpf/bpf_struct_ops.rst).
 *
 * Each run reads its CPU's slot of a per-CPU counter, spins, and writes
 * the slot back plus one: two runs interleaved on one CPU lose one count,
 * so the slots' sum equals the number of runs only if none was.  A run
 * also checks that it ends on the CPU it started on, inside an RCU read
 * section, and counts the runs that found preemption enabled.
 *
 * .ssthresh calls bpf_loop(), which runs a callback of the prog on its
 * behalf: on a preemptible kernel the verifier gives it no native entry,
 * and it runs on its trampoline, preemptible.  "st_pre_gen" is st_pre
 * whose .init calls bpf_loop() too, so that its runs are preemptible:
 * they show what the test sees where preemption is on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "GPL";

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
/* x86's preempt count, per CPU; its top bit is PREEMPT_NEED_RESCHED,
 * inverted.
 */
extern const int __preempt_count __ksym;

#define PREEMPT_COUNT_MASK	0x7fffffff
/* Between the read and the write of a slot: a window for preemption. */
#define SPIN			512

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} slot SEC(".maps");

__u64 inits;		/* runs of .init, counted atomically */
__u64 migrated;		/* runs that ended on another CPU */
__u64 preemptible;	/* runs that found the preempt count 0 */
__u64 outside_rcu;	/* runs outside an RCU read section */
__u64 rcu_checked;	/* runs that could tell (PREEMPT_RCU) */

extern bool CONFIG_DEBUG_LOCK_ALLOC __kconfig __weak;

/* Preemption off is an RCU read section (RCU has one flavour), but
 * lockdep counts only rcu_read_lock(): with lockdep, a run must be
 * inside one, which only PREEMPT_RCU counts in the task.
 */
static __always_inline bool in_rcu_read_section(struct task_struct *t,
						int pc)
{
	bool preempt_off = pc & PREEMPT_COUNT_MASK;

	if (preempt_off && !CONFIG_DEBUG_LOCK_ALLOC)
		return true;
	if (!bpf_core_field_exists(t->rcu_read_lock_nesting))
		return true;
	__sync_fetch_and_add(&rcu_checked, 1);
	return BPF_CORE_READ(t, rcu_read_lock_nesting) > 0;
}

/* One run of .init: count it in this CPU's slot, in two steps. */
static __always_inline void count_run(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	const int *pc = bpf_this_cpu_ptr(&__preempt_count);
	volatile __u64 *cnt;
	__u64 v, sink = 0;
	int i;

	if (!(*pc & PREEMPT_COUNT_MASK))
		__sync_fetch_and_add(&preemptible, 1);
	if (!in_rcu_read_section(t, *pc))
		__sync_fetch_and_add(&outside_rcu, 1);
	cnt = bpf_map_lookup_elem(&slot, &zero);
	if (!cnt)
		return;
	v = *cnt;
	for (i = 0; i < SPIN; i++) {
		sink += i;
		barrier_var(sink);
	}
	*cnt = v + 1;
	if (bpf_get_smp_processor_id() != cpu)
		__sync_fetch_and_add(&migrated, 1);
	__sync_fetch_and_add(&inits, 1);
}

SEC("struct_ops/pre_init")
void BPF_PROG(pre_init, struct sock *sk)
{
	count_run();
}

__u64 loop_steps;	/* bpf_loop() callbacks run by .ssthresh */

static int count_step(__u32 i, void *ctx)
{
	*(__u64 *)ctx += 1;
	return 0;
}

SEC("struct_ops/pre_ssthresh")
__u32 BPF_PROG(pre_ssthresh, struct sock *sk)
{
	__u64 steps = 0;

	bpf_loop(4, count_step, &steps, 0);
	__sync_fetch_and_add(&loop_steps, steps);
	return tcp_reno_ssthresh(sk);
}

/* .init of st_pre_gen: the bpf_loop() call keeps it off a native entry
 * on a preemptible kernel, so its body runs with preemption on.
 */
SEC("struct_ops/pre_gen_init")
void BPF_PROG(pre_gen_init, struct sock *sk)
{
	__u64 steps = 0;

	bpf_loop(1, count_step, &steps, 0);
	count_run();
}

SEC("struct_ops/pre_cong_avoid")
void BPF_PROG(pre_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/pre_undo_cwnd")
__u32 BPF_PROG(pre_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops st_pre = {
	.init		= (void *)pre_init,
	.ssthresh	= (void *)pre_ssthresh,
	.cong_avoid	= (void *)pre_cong_avoid,
	.undo_cwnd	= (void *)pre_undo_cwnd,
	.name		= "st_pre",
};

SEC(".struct_ops")
struct tcp_congestion_ops st_pre_gen = {
	.init		= (void *)pre_gen_init,
	.ssthresh	= (void *)pre_ssthresh,
	.cong_avoid	= (void *)pre_cong_avoid,
	.undo_cwnd	= (void *)pre_undo_cwnd,
	.name		= "st_pre_gen",
};
