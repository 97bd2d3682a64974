// SPDX-License-Identifier: GPL-2.0
/*
 * st_bench_mod: what `make bench` measures from inside the kernel.
 *
 * 1. The cost of a congestion control callback.  The module registers
 *    "st_bench_native", the algorithm of st_bench_algo.h compiled into C.
 *    Writing "NAME CALLS ROUNDS" to /sys/kernel/debug/st_bench/run opens a
 *    kernel TCP socket, sets congestion control NAME on it as
 *    setsockopt(TCP_CONGESTION) does, and calls each of the members below
 *    CALLS times through icsk_ca_ops, the indirect call TCP makes, with
 *    the socket locked and interrupts off.  An empty loop of the same
 *    length is timed too; it is the "loop" row, and the reader subtracts
 *    it.  Reading the file gives one line per member and round:
 *	MEMBER ROUND CALLS TSC_TICKS NS
 *    and a calibration line, "calib INSNS TSC_TICKS", for a loop of known
 *    instruction count: under QEMU -icount shift=0 a TSC tick is one guest
 *    instruction, which that line shows.
 *
 * 2. When a struct_ops map's memory is freed.  A kretprobe notes the name
 *    and the ktime (CLOCK_MONOTONIC) at which the map's last free step
 *    returns, for struct_ops maps whose name starts with "stb": by then
 *    the map has waited for its RCU grace periods and freed the image and
 *    itself.  On our kernel that step is st_map_free_now(), which the
 *    grace periods' callbacks reach through a work item; on stock 6.1,
 *    whose map_free waits for them in line, bpf_map_free_deferred(), the
 *    work item that calls map_free.  /sys/kernel/debug/st_bench/frees
 *    lists "NAME NS" lines; writing to it empties the list.
 *
 * 3. Whether two congestion controls behave alike, call for call.  Writing
 *    "NAME_A NAME_B STEPS SEED" to /sys/kernel/debug/st_bench/trace opens
 *    a socket on each and drives both through the same seeded sequence of
 *    what TCP does (ACKs with RTT samples and CE marks, losses, recovery,
 *    undo, cwnd events), calling every member either one has, in lockstep.
 *    After each step it compares the two sockets' cwnd, ssthresh and
 *    congestion control state (icsk_ca_priv).  A step that differs while
 *    jiffies moved inside it restarts the run on fresh sockets: bpf_cubic
 *    reads jiffies, and keeps what it read in its state, so a difference
 *    the clock made shows at that step.  Reading the file gives "key
 *    value" lines: where each member of each socket's CC points (entry_a,
 *    entry_b), steps, restarts, differ (steps that differed), first_diff,
 *    cwnd_changes, the calls per member over all runs, and the final cwnd
 *    and ssthresh of each socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include <net/inet_connection_sock.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "st_bench_algo.h"

static_assert(sizeof(struct stb_ca) <= ICSK_CA_PRIV_SIZE);

/* ---- the native congestion control */

static struct stb_ca *stb_ca(struct sock *sk)
{
	return inet_csk_ca(sk);
}

static void stb_init(struct sock *sk)
{
	stb_algo_init(tcp_sk(sk), stb_ca(sk));
}

static u32 stb_ssthresh(struct sock *sk)
{
	return stb_algo_ssthresh(tcp_sk(sk), stb_ca(sk));
}

static void stb_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	stb_algo_cong_avoid(tcp_sk(sk), stb_ca(sk), acked);
}

static void stb_cwnd_event(struct sock *sk, enum tcp_ca_event ev)
{
	stb_algo_cwnd_event(tcp_sk(sk), stb_ca(sk), ev);
}

static void stb_pkts_acked(struct sock *sk, const struct ack_sample *sample)
{
	stb_algo_pkts_acked(tcp_sk(sk), stb_ca(sk), sample);
}

static u32 stb_undo_cwnd(struct sock *sk)
{
	return stb_algo_undo_cwnd(tcp_sk(sk), stb_ca(sk));
}

static struct tcp_congestion_ops stb_native = {
	.init		= stb_init,
	.ssthresh	= stb_ssthresh,
	.cong_avoid	= stb_cong_avoid,
	.cwnd_event	= stb_cwnd_event,
	.pkts_acked	= stb_pkts_acked,
	.undo_cwnd	= stb_undo_cwnd,
	.owner		= THIS_MODULE,
	.name		= "st_bench_native",
};

/* ---- the callback loops */

enum stb_member {
	STB_LOOP,		/* the empty loop: the baseline */
	STB_SSTHRESH,
	STB_CONG_AVOID,
	STB_CWND_EVENT,
	STB_PKTS_ACKED,
	STB_UNDO_CWND,
	STB_NR_MEMBERS,
};

static const char * const stb_member_names[STB_NR_MEMBERS] = {
	[STB_LOOP]		= "loop",
	[STB_SSTHRESH]		= "ssthresh",
	[STB_CONG_AVOID]	= "cong_avoid",
	[STB_CWND_EVENT]	= "cwnd_event",
	[STB_PKTS_ACKED]	= "pkts_acked",
	[STB_UNDO_CWND]		= "undo_cwnd",
};

#define STB_MAX_CALLS	10000000U
#define STB_MAX_ROUNDS	16U
#define STB_CALIB_ITERS	1000000UL

/*
 * Each loop reloads icsk_ca_ops and calls through it as tcp_cong_avoid()
 * and friends do.  noinline keeps every loop's code the same whatever the
 * caller: the figures depend on nothing but the member called.
 */
static noinline void stb_calls(struct sock *sk, enum stb_member m, u32 n)
{
	const struct ack_sample sample = { .pkts_acked = 1, .rtt_us = 1000 };
	struct inet_connection_sock *icsk = inet_csk(sk);
	u32 i;

	switch (m) {
	case STB_LOOP:
		for (i = 0; i < n; i++)
			barrier();
		break;
	case STB_SSTHRESH:
		for (i = 0; i < n; i++)
			icsk->icsk_ca_ops->ssthresh(sk);
		break;
	case STB_CONG_AVOID:
		for (i = 0; i < n; i++)
			icsk->icsk_ca_ops->cong_avoid(sk, i, 1);
		break;
	case STB_CWND_EVENT:
		for (i = 0; i < n; i++)
			icsk->icsk_ca_ops->cwnd_event(sk, CA_EVENT_TX_START);
		break;
	case STB_PKTS_ACKED:
		for (i = 0; i < n; i++)
			icsk->icsk_ca_ops->pkts_acked(sk, &sample);
		break;
	case STB_UNDO_CWND:
		for (i = 0; i < n; i++)
			icsk->icsk_ca_ops->undo_cwnd(sk);
		break;
	default:
		break;
	}
}

/* The same socket state before every loop: the same branches each time. */
static void stb_reset(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_congestion_ops *ca = inet_csk(sk)->icsk_ca_ops;

	tp->snd_cwnd = 10;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_cwnd_clamp = ~0U;
	memset(inet_csk(sk)->icsk_ca_priv, 0, sizeof(inet_csk(sk)->icsk_ca_priv));
	if (ca->init)
		ca->init(sk);
}

struct stb_sample {
	u64 ticks;
	u64 ns;
};

/*
 * Interrupts off: no tick or softirq lands inside the loop, so under
 * -icount the count repeats to the instruction.  The socket lock is held,
 * as TCP holds it (or runs in softirq) around its own calls.
 */
static void stb_time(struct sock *sk, enum stb_member m, u32 n,
		     struct stb_sample *s)
{
	unsigned long flags;
	u64 t0, t1, n0, n1;

	stb_reset(sk);
	local_irq_save(flags);
	n0 = ktime_get_ns();
	t0 = rdtsc_ordered();
	stb_calls(sk, m, n);
	t1 = rdtsc_ordered();
	n1 = ktime_get_ns();
	local_irq_restore(flags);
	s->ticks = t1 - t0;
	s->ns = n1 - n0;
}

/* A loop of exactly 2 * STB_CALIB_ITERS instructions (dec, jnz). */
static u64 stb_calibrate(void)
{
	unsigned long flags, iters = STB_CALIB_ITERS;
	u64 t0, t1;

	local_irq_save(flags);
	t0 = rdtsc_ordered();
	asm volatile("1: dec %0\n\tjnz 1b" : "+r" (iters) : : "cc");
	t1 = rdtsc_ordered();
	local_irq_restore(flags);
	return t1 - t0;
}

static int stb_socket(const char *cc, struct socket **res)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (err)
		return err;
	/* As setsockopt(TCP_CONGESTION): finds and pins the CC by name. */
	err = sock->ops->setsockopt(sock, SOL_TCP, TCP_CONGESTION,
				    KERNEL_SOCKPTR((char *)cc), strlen(cc));
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

/* The result of the last run, read back through the same file. */
static DEFINE_MUTEX(stb_run_lock);
static char *stb_result;
static size_t stb_result_len;

/* Under stb_run_lock: @buf (kvmalloc'ed) is what the file reads now. */
static void stb_keep_result(char *buf, size_t len)
{
	kvfree(stb_result);
	stb_result = buf;
	stb_result_len = len;
}

/* A command written to one of our files, as a string in @line. */
static int stb_get_line(char *line, size_t size, const char __user *ubuf,
			size_t count)
{
	if (count >= size)
		return -E2BIG;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
	return 0;
}

static int stb_run(const char *cc, u32 calls, u32 rounds)
{
	const size_t size = PAGE_SIZE * 4;
	struct stb_sample s;
	struct socket *sock;
	struct sock *sk;
	size_t len = 0;
	char *buf;
	u32 r;
	int m, err;

	buf = kvzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = stb_socket(cc, &sock);
	if (err) {
		kvfree(buf);
		return err;
	}
	sk = sock->sk;
	len += scnprintf(buf + len, size - len, "calib %lu %llu\n",
			 2 * STB_CALIB_ITERS, stb_calibrate());
	lock_sock(sk);
	for (r = 0; r < rounds; r++) {
		for (m = 0; m < STB_NR_MEMBERS; m++) {
			stb_time(sk, m, calls, &s);
			len += scnprintf(buf + len, size - len,
					 "%s %u %u %llu %llu\n",
					 stb_member_names[m], r, calls,
					 s.ticks, s.ns);
		}
		cond_resched();
	}
	release_sock(sk);
	sock_release(sock);

	stb_keep_result(buf, len);
	return 0;
}

static ssize_t stb_run_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char line[64], cc[TCP_CA_NAME_MAX];
	u32 calls, rounds;
	int err;

	err = stb_get_line(line, sizeof(line), ubuf, count);
	if (err)
		return err;
	if (sscanf(line, "%15s %u %u", cc, &calls, &rounds) != 3)
		return -EINVAL;
	if (!calls || calls > STB_MAX_CALLS || !rounds || rounds > STB_MAX_ROUNDS)
		return -ERANGE;

	mutex_lock(&stb_run_lock);
	err = stb_run(cc, calls, rounds);
	mutex_unlock(&stb_run_lock);
	return err ?: count;
}

static ssize_t stb_run_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&stb_run_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, stb_result,
				      stb_result_len);
	mutex_unlock(&stb_run_lock);
	return ret;
}

static const struct file_operations stb_run_fops = {
	.owner	= THIS_MODULE,
	.write	= stb_run_write,
	.read	= stb_run_read,
	.llseek	= default_llseek,
};

/* ---- native entry vs generic: the same congestion control, two paths */

#define STB_TRACE_MAX_STEPS	100000U
/*
 * Runs of a trace before it gives up with -EAGAIN.  bpf_cubic keeps the
 * jiffies it read: a tick between the two sockets' calls of a step makes
 * them differ, and a run under the debug kernel in TCG spans several
 * ticks.  Alone on one vCPU, 400 steps of bpf_cubic took 0 to 14 restarts
 * in 8 traces; with a second VM beside it, a trace once used up 20.  A
 * run is a few ms: 200 costs little and leaves no chance to a clock that
 * makes half its runs differ.
 */
#define STB_TRACE_TRIES		200

enum stb_trace_member {
	STT_INIT, STT_SSTHRESH, STT_CONG_AVOID, STT_SET_STATE, STT_UNDO_CWND,
	STT_CWND_EVENT, STT_PKTS_ACKED, STT_IN_ACK_EVENT, STT_NR,
};

static const char * const stt_names[STT_NR] = {
	"init", "ssthresh", "cong_avoid", "set_state", "undo_cwnd",
	"cwnd_event", "pkts_acked", "in_ack_event",
};

#define STT_OFF(m)	offsetof(struct tcp_congestion_ops, m)
static const size_t stt_offsets[STT_NR] = {
	STT_OFF(init), STT_OFF(ssthresh), STT_OFF(cong_avoid),
	STT_OFF(set_state), STT_OFF(undo_cwnd), STT_OFF(cwnd_event),
	STT_OFF(pkts_acked), STT_OFF(in_ack_event),
};

/* "entry_X MEMBER SYMBOL": where each member of @sk's CC points, e.g.
 * bpf_prog_<tag>_<name> (a native entry) or
 * bpf__tcp_congestion_ops_ssthresh (a trampoline).
 */
static void stb_entries(struct sock *sk, char x, char *buf, size_t size,
			size_t *len)
{
	const void *ops = inet_csk(sk)->icsk_ca_ops;
	char sym[KSYM_SYMBOL_LEN];
	void *fn;
	int m;

	for (m = 0; m < STT_NR; m++) {
		fn = *(void **)(ops + stt_offsets[m]);
		if (!fn)
			continue;
		sprint_symbol_no_offset(sym, (unsigned long)fn);
		*len += scnprintf(buf + *len, size - *len, "entry_%c %s %s\n",
				  x, stt_names[m], sym);
	}
}

/* One step of what TCP does, drawn from the seed. */
struct stb_step {
	u32 kind;
	u32 acked;
	u32 rtt_us;
	u32 advance_us;
	u32 event;
	bool ce;
};

struct stb_trace {
	u32 rnd;
	u64 calls[STT_NR];
	u32 steps, restarts, differ, first_diff, cwnd_changes;
};

static u32 stb_rand(struct stb_trace *t)
{
	/* xorshift32: the same seed, the same sequence */
	t->rnd ^= t->rnd << 13;
	t->rnd ^= t->rnd >> 17;
	t->rnd ^= t->rnd << 5;
	return t->rnd;
}

static void stb_draw(struct stb_trace *t, struct stb_step *st)
{
	static const u32 events[] = {
		CA_EVENT_TX_START, CA_EVENT_CWND_RESTART, CA_EVENT_COMPLETE_CWR,
		CA_EVENT_LOSS, CA_EVENT_ECN_NO_CE, CA_EVENT_ECN_IS_CE,
	};
	u32 r = stb_rand(t) % 20;

	st->kind = r < 14 ? 0 : r < 16 ? 1 : r < 17 ? 2 : r < 18 ? 3 : 4;
	st->acked = 1 + stb_rand(t) % 4;
	st->rtt_us = 1000 + stb_rand(t) % 40000;
	st->advance_us = 50 + stb_rand(t) % 3000;
	st->event = events[stb_rand(t) % ARRAY_SIZE(events)];
	st->ce = !(stb_rand(t) % 4);
}

/* The state TCP would have at connection start, then the CC's init. */
static void stb_trace_reset(struct sock *sk, u64 *calls)
{
	const struct tcp_congestion_ops *ca = inet_csk(sk)->icsk_ca_ops;
	struct tcp_sock *tp = tcp_sk(sk);

	tp->snd_cwnd = 10;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_cwnd_clamp = 100000;
	tp->tcp_mstamp = 1000000;
	tp->delivered = 0;
	tp->delivered_ce = 0;
	tp->snd_una = 1;
	tp->snd_nxt = 1;
	tp->rcv_nxt = 1;
	tp->ecn_flags = TCP_ECN_OK;
	tp->is_cwnd_limited = 1;
	tp->max_packets_out = 10;
	inet_csk(sk)->icsk_ca_state = TCP_CA_Open;
	memset(inet_csk(sk)->icsk_ca_priv, 0,
	       sizeof(inet_csk(sk)->icsk_ca_priv));
	if (ca->init) {
		ca->init(sk);
		calls[STT_INIT]++;
	}
}

static void stb_set_state(struct sock *sk, u8 state, u64 *calls)
{
	const struct tcp_congestion_ops *ca = inet_csk(sk)->icsk_ca_ops;

	if (ca->set_state) {
		ca->set_state(sk, state);
		calls[STT_SET_STATE]++;
	}
	inet_csk(sk)->icsk_ca_state = state;
}

/* Apply @st to @sk as TCP would, through icsk_ca_ops. */
static void stb_apply(struct sock *sk, const struct stb_step *st, u64 *calls)
{
	const struct tcp_congestion_ops *ca = inet_csk(sk)->icsk_ca_ops;
	struct tcp_sock *tp = tcp_sk(sk);
	struct ack_sample sample = {
		.pkts_acked = st->acked,
		.rtt_us = st->rtt_us,
		.in_flight = tp->snd_cwnd,
	};

	switch (st->kind) {
	case 0:	/* an ACK */
		tp->tcp_mstamp += st->advance_us;
		tp->delivered += st->acked;
		if (st->ce)
			tp->delivered_ce += st->acked;
		tp->snd_una += st->acked * 1448;
		tp->snd_nxt = tp->snd_una + tp->snd_cwnd * 1448;
		if (ca->in_ack_event) {
			ca->in_ack_event(sk, st->ce ? CA_ACK_ECE : 0);
			calls[STT_IN_ACK_EVENT]++;
		}
		if (ca->pkts_acked) {
			ca->pkts_acked(sk, &sample);
			calls[STT_PKTS_ACKED]++;
		}
		if (ca->cong_avoid) {
			ca->cong_avoid(sk, tp->snd_una, st->acked);
			calls[STT_CONG_AVOID]++;
		}
		break;
	case 1:	/* a loss: enter recovery, reduce */
		stb_set_state(sk, TCP_CA_Recovery, calls);
		tp->snd_ssthresh = ca->ssthresh(sk);
		calls[STT_SSTHRESH]++;
		tp->snd_cwnd = max(tp->snd_ssthresh, 2U);
		break;
	case 2:	/* recovered */
		stb_set_state(sk, TCP_CA_Open, calls);
		break;
	case 3:	/* the reduction was spurious */
		if (ca->undo_cwnd) {
			tp->snd_cwnd = clamp(ca->undo_cwnd(sk), 2U, 100000U);
			calls[STT_UNDO_CWND]++;
		}
		break;
	default:
		if (ca->cwnd_event) {
			ca->cwnd_event(sk, st->event);
			calls[STT_CWND_EVENT]++;
		}
		break;
	}
}

static bool stb_same(struct sock *a, struct sock *b)
{
	return tcp_sk(a)->snd_cwnd == tcp_sk(b)->snd_cwnd &&
	       tcp_sk(a)->snd_ssthresh == tcp_sk(b)->snd_ssthresh &&
	       !memcmp(inet_csk(a)->icsk_ca_priv, inet_csk(b)->icsk_ca_priv,
		       sizeof(inet_csk(a)->icsk_ca_priv));
}

/* One run on fresh sockets.  Returns 1 if a step differed while jiffies
 * moved inside it (run again), 0 when done, or an errno.
 */
static int stb_trace_once(const char *cc_a, const char *cc_b, u32 steps,
			  u32 seed, struct stb_trace *t, char *buf,
			  size_t size, size_t *len)
{
	struct socket *sa, *sb;
	struct sock *a, *b;
	struct stb_step st;
	unsigned long j;
	u32 i, cwnd;
	int err;

	err = stb_socket(cc_a, &sa);
	if (err)
		return err;
	err = stb_socket(cc_b, &sb);
	if (err) {
		sock_release(sa);
		return err;
	}
	a = sa->sk;
	b = sb->sk;
	if (!*len) {
		stb_entries(a, 'a', buf, size, len);
		stb_entries(b, 'b', buf, size, len);
	}
	t->rnd = seed ?: 1;
	t->differ = 0;
	t->first_diff = 0;
	t->cwnd_changes = 0;
	err = 1;

	j = jiffies;
	lock_sock(a);
	stb_trace_reset(a, t->calls);
	release_sock(a);
	lock_sock(b);
	stb_trace_reset(b, t->calls);
	release_sock(b);
	if (time_after(jiffies, j) && !stb_same(a, b))
		goto out;
	for (i = 0; i < steps; i++) {
		stb_draw(t, &st);
		cwnd = tcp_sk(a)->snd_cwnd;
		j = jiffies;
		lock_sock(a);
		stb_apply(a, &st, t->calls);
		release_sock(a);
		lock_sock(b);
		stb_apply(b, &st, t->calls);
		release_sock(b);
		if (!stb_same(a, b)) {
			if (time_after(jiffies, j))
				goto out;
			if (!t->differ++)
				t->first_diff = i + 1;
		}
		t->cwnd_changes += tcp_sk(a)->snd_cwnd != cwnd;
		cond_resched();
	}
	*len += scnprintf(buf + *len, size - *len,
			  "final %u %u %u %u\n", tcp_sk(a)->snd_cwnd,
			  tcp_sk(a)->snd_ssthresh, tcp_sk(b)->snd_cwnd,
			  tcp_sk(b)->snd_ssthresh);
	err = 0;
out:
	sock_release(sb);
	sock_release(sa);
	return err;
}

static int stb_trace_run(const char *cc_a, const char *cc_b, u32 steps,
			 u32 seed)
{
	const size_t size = PAGE_SIZE;
	struct stb_trace t = {};
	size_t len = 0;
	char *buf;
	int err, m;

	buf = kvzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	do {
		err = stb_trace_once(cc_a, cc_b, steps, seed, &t, buf, size,
				     &len);
	} while (err == 1 && ++t.restarts < STB_TRACE_TRIES);
	if (err) {
		kvfree(buf);
		return err < 0 ? err : -EAGAIN;
	}
	len += scnprintf(buf + len, size - len,
			 "steps %u\nrestarts %u\ndiffer %u\nfirst_diff %u\ncwnd_changes %u\n",
			 steps, t.restarts, t.differ, t.first_diff,
			 t.cwnd_changes);
	/* Each member ran on both sockets: report it once. */
	for (m = 0; m < STT_NR; m++)
		len += scnprintf(buf + len, size - len, "calls_%s %llu\n",
				 stt_names[m], t.calls[m] / 2);

	stb_keep_result(buf, len);
	return 0;
}

static ssize_t stb_trace_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char line[80], cc_a[TCP_CA_NAME_MAX], cc_b[TCP_CA_NAME_MAX];
	u32 steps, seed;
	int err;

	err = stb_get_line(line, sizeof(line), ubuf, count);
	if (err)
		return err;
	if (sscanf(line, "%15s %15s %u %u", cc_a, cc_b, &steps, &seed) != 4)
		return -EINVAL;
	if (!steps || steps > STB_TRACE_MAX_STEPS)
		return -ERANGE;

	mutex_lock(&stb_run_lock);
	err = stb_trace_run(cc_a, cc_b, steps, seed);
	mutex_unlock(&stb_run_lock);
	return err ?: count;
}

static const struct file_operations stb_trace_fops = {
	.owner	= THIS_MODULE,
	.write	= stb_trace_write,
	.read	= stb_run_read,
	.llseek	= default_llseek,
};

/* ---- when struct_ops maps are freed */

#define STB_MAX_FREES	16384

struct stb_free {
	char name[BPF_OBJ_NAME_LEN];
	u64 ns;
};

/* stb_frees[0..stb_nr_frees) are filled; stb_free_lock guards both, taken
 * from the kretprobe handler (a worker, process context) and the reader.
 */
static DEFINE_SPINLOCK(stb_free_lock);
static struct stb_free *stb_frees;
static unsigned int stb_nr_frees;
static unsigned int stb_lost_frees;

/* The probed function's first argument: the map, or its work item. */
static bool stb_free_arg_is_work;

static int stb_free_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct stb_free *rec = (struct stb_free *)ri->data;
	struct bpf_map *map = (struct bpf_map *)regs->di;

	if (stb_free_arg_is_work)
		map = container_of((struct work_struct *)regs->di,
				   struct bpf_map, work);

	/* The map is still whole here: map_free has not run yet. */
	if (map->map_type != BPF_MAP_TYPE_STRUCT_OPS ||
	    strncmp(map->name, "stb", 3))
		return 1;	/* not ours: no return handler */
	memcpy(rec->name, map->name, sizeof(rec->name));
	return 0;
}

static int stb_free_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct stb_free *rec = (struct stb_free *)ri->data;
	u64 now = ktime_get_ns();
	unsigned long flags;

	spin_lock_irqsave(&stb_free_lock, flags);
	if (stb_nr_frees < STB_MAX_FREES) {
		memcpy(stb_frees[stb_nr_frees].name, rec->name, sizeof(rec->name));
		stb_frees[stb_nr_frees].ns = now;
		stb_nr_frees++;
	} else {
		stb_lost_frees++;
	}
	spin_unlock_irqrestore(&stb_free_lock, flags);
	return 0;
}

static struct kretprobe stb_free_probe = {
	.entry_handler	= stb_free_entry,
	.handler	= stb_free_return,
	.data_size	= sizeof(struct stb_free),
	/* Frees of many maps wait for grace periods side by side. */
	.maxactive	= 1024,
};

static int stb_frees_show(struct seq_file *m, void *v)
{
	unsigned int i, n;

	/* Entries below stb_nr_frees never change until a reset. */
	spin_lock_irq(&stb_free_lock);
	n = stb_nr_frees;
	spin_unlock_irq(&stb_free_lock);
	seq_printf(m, "missed %u\n", stb_free_probe.nmissed + stb_lost_frees);
	for (i = 0; i < n; i++)
		seq_printf(m, "%s %llu\n", stb_frees[i].name, stb_frees[i].ns);
	return 0;
}

static int stb_frees_open(struct inode *inode, struct file *file)
{
	return single_open(file, stb_frees_show, NULL);
}

static ssize_t stb_frees_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	spin_lock_irq(&stb_free_lock);
	stb_nr_frees = 0;
	stb_lost_frees = 0;
	spin_unlock_irq(&stb_free_lock);
	return count;
}

static const struct file_operations stb_frees_fops = {
	.owner		= THIS_MODULE,
	.open		= stb_frees_open,
	.read		= seq_read,
	.write		= stb_frees_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/* ---- module */

static struct dentry *stb_dir;

static int __init stb_mod_init(void)
{
	int err;

	stb_frees = kvcalloc(STB_MAX_FREES, sizeof(*stb_frees), GFP_KERNEL);
	if (!stb_frees)
		return -ENOMEM;
	stb_free_probe.kp.symbol_name = "st_map_free_now";
	err = register_kretprobe(&stb_free_probe);
	if (err == -ENOENT) {
		/* stock 6.1: no such step; its map_free waits in line */
		stb_free_arg_is_work = true;
		stb_free_probe.kp.symbol_name = "bpf_map_free_deferred";
		stb_free_probe.kp.addr = NULL;
		err = register_kretprobe(&stb_free_probe);
	}
	if (err) {
		pr_err("kretprobe on %s: %d\n", stb_free_probe.kp.symbol_name, err);
		goto free;
	}
	err = tcp_register_congestion_control(&stb_native);
	if (err)
		goto probe;
	stb_dir = debugfs_create_dir("st_bench", NULL);
	debugfs_create_file("run", 0600, stb_dir, NULL, &stb_run_fops);
	debugfs_create_file("frees", 0600, stb_dir, NULL, &stb_frees_fops);
	debugfs_create_file("trace", 0600, stb_dir, NULL, &stb_trace_fops);
	return 0;
probe:
	unregister_kretprobe(&stb_free_probe);
free:
	kvfree(stb_frees);
	return err;
}

static void __exit stb_mod_exit(void)
{
	debugfs_remove_recursive(stb_dir);
	tcp_unregister_congestion_control(&stb_native);
	unregister_kretprobe(&stb_free_probe);
	kvfree(stb_frees);
	kvfree(stb_result);
}

module_init(stb_mod_init);
module_exit(stb_mod_exit);
MODULE_DESCRIPTION("struct_ops bench: callback cost and map free times");
MODULE_LICENSE("GPL");
