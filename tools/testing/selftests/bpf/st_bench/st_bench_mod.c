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
 * 2. When a struct_ops map's memory is freed.  A kretprobe on
 *    bpf_map_free_deferred(), the work item that calls a map's map_free
 *    once its last reference is gone, notes the name and the ktime
 *    (CLOCK_MONOTONIC) at which that function returns for struct_ops maps
 *    whose name starts with "stb": by then map_free has waited for its RCU
 *    grace periods and freed the image and the map.  /sys/kernel/debug/
 *    st_bench/frees lists "NAME NS" lines; writing to it empties the list.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/debugfs.h>
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

	kvfree(stb_result);
	stb_result = buf;
	stb_result_len = len;
	return 0;
}

static ssize_t stb_run_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char line[64], cc[TCP_CA_NAME_MAX];
	u32 calls, rounds;
	int err;

	if (count >= sizeof(line))
		return -E2BIG;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
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

static int stb_free_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct work_struct *work = (struct work_struct *)regs->di;
	struct bpf_map *map = container_of(work, struct bpf_map, work);
	struct stb_free *rec = (struct stb_free *)ri->data;

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
	.kp.symbol_name	= "bpf_map_free_deferred",
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
	err = register_kretprobe(&stb_free_probe);
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
