// SPDX-License-Identifier: GPL-2.0
/*
 * Our BPF congestion controls (tools/bpf/tcp_ca) in charge of real
 * connections over a shaped link, judged by what TCP_INFO shows of the
 * sender's socket.
 *
 * The link: network namespaces snd and rcv over a veth pair, one MSS per
 * packet.  netem on snd's side caps it at LINK_MBIT with a LINK_QUEUE
 * packet queue and delays it; netem on rcv's side delays the ACKs.  Loss
 * comes from the queue overflowing, so every run sees the same link (and,
 * for the backoff tests, from RANDOM_LOSS as well).
 *
 *  cubic_throughput  st_cubic moves within 10% of what the kernel's cubic
 *                    moves over the same link, and both fill it: two flows
 *                    each, in the order cubic, st_cubic, st_cubic, cubic,
 *                    so that neither gains from its place in the run.
 *  cubic_backoff     each of st_cubic's reductions sets ssthresh to 0.7 of
 *                    the window that met the loss, and the window grows back.
 *  aimd_backoff      st_aimd's reductions halve it: the decrease is the
 *                    CC's, not the stack's.
 *                    For both, netem also drops RANDOM_LOSS of the packets.
 *                    The queue alone gives few reductions, and none once
 *                    the receiving thread, slowed by emulation, holds the
 *                    flow to the receive window: 2 to 4 in a 10 s
 *                    st_cubic flow here, but one CI run had only the one
 *                    out of slow start, and an st_aimd run had no drop.
 *  dctcp_ecn         with netem CE-marking instead of dropping, st_dctcp
 *                    negotiates ECN, loses nothing, fills the link (60%:
 *                    the emulated CPU, not its window, bounds it), and
 *                    cuts by alpha / 2: its window stays over twice that
 *                    of st_aimd, which halves on the same marks (medians
 *                    out of slow start: a mean counts the slow start,
 *                    whose length is chance, and once doubled st_aimd's).
 */
#include <pthread.h>
#include <netinet/tcp.h>
#include <test_progs.h>
#include "network_helpers.h"
#include "struct_ops_helpers.h"
#include "st_aimd.skel.h"
#include "st_cubic.skel.h"
#include "st_dctcp.skel.h"

#define NS_SND		"st_netem_snd"
#define NS_RCV		"st_netem_rcv"
#define RCV_ADDR	"10.9.1.2"
#define LINK_MBIT	5
#define LINK_RATE	"5mbit"
#define LINK_QUEUE	30
#define LINK_DELAY	"5ms"
#define RANDOM_LOSS	"1%"
#define SAMPLE_MS	5
#define MAX_SAMPLES	4096
#define INFINITE_SSTHRESH 0x7fffffff

struct sample {
	__u32 cwnd, ssthresh;
};

struct flow_result {
	double mbit;		/* goodput, as the receiver counted it */
	__u32 retrans;
	bool ecn;
	int n;			/* samples */
	struct sample s[MAX_SAMPLES];
};

struct sender {
	int fd;
	int secs;
	bool done;		/* __atomic: the receiving thread reads it */
};

static void *send_for(void *arg)
{
	struct sender *snd = arg;
	static char buf[64 * 1024];
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (send(snd->fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < snd->secs);
	shutdown(snd->fd, SHUT_WR);
	__atomic_store_n(&snd->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Send for secs seconds from snd to rcv with congestion control cc on both
 * ends, sampling the sender's cwnd and ssthresh every SAMPLE_MS.
 */
static int run_flow(const char *cc, int secs, struct flow_result *res)
{
	struct network_helper_opts opts = { .cc = cc, .timeout_ms = 10000 };
	struct sender snd = { .fd = -1, .secs = secs };
	int lfd = -1, afd = -1, err = -1;
	struct nstoken *ns;
	struct tcp_info ti;
	socklen_t len;
	char buf[64 * 1024];
	double start, bytes = 0;
	pthread_t thread;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	ns = open_netns(NS_RCV);
	if (!ASSERT_OK_PTR(ns, "open_netns rcv"))
		return -1;
	lfd = start_server(AF_INET, SOCK_STREAM, RCV_ADDR, 0, 0);
	/* The receiver runs the CC too: DCTCP's echoes the CE marks. */
	if (ASSERT_GE(lfd, 0, "start_server"))
		ASSERT_OK(setsockopt(lfd, SOL_TCP, TCP_CONGESTION, cc, strlen(cc)),
			  "listener TCP_CONGESTION");
	close_netns(ns);
	if (lfd < 0)
		return -1;

	ns = open_netns(NS_SND);
	if (!ASSERT_OK_PTR(ns, "open_netns snd"))
		goto out;
	/* The CC is set before connect(), so DCTCP's asks for ECN. */
	snd.fd = connect_to_fd_opts(lfd, &opts);
	close_netns(ns);
	if (!ASSERT_GE(snd.fd, 0, "connect"))
		goto out;
	afd = accept(lfd, NULL, NULL);
	if (!ASSERT_GE(afd, 0, "accept"))
		goto out;

	start = now_s();
	if (!ASSERT_OK(pthread_create(&thread, NULL, send_for, &snd), "pthread_create"))
		goto out;
	/*
	 * Receive here; between reads, take a sample when the next is due
	 * (every SAMPLE_MS): TCP_INFO only then, the emulated CPU is scarce.
	 */
	while ((n = recv(afd, buf, sizeof(buf), 0)) > 0) {
		bytes += n;
		if (res->n >= MAX_SAMPLES || __atomic_load_n(&snd.done, __ATOMIC_ACQUIRE) ||
		    now_s() - start < (double)res->n * SAMPLE_MS / 1000)
			continue;
		len = sizeof(ti);
		if (getsockopt(snd.fd, SOL_TCP, TCP_INFO, &ti, &len))
			continue;
		res->s[res->n].cwnd = ti.tcpi_snd_cwnd;
		res->s[res->n].ssthresh = ti.tcpi_snd_ssthresh;
		res->n++;
	}
	pthread_join(thread, NULL);
	res->mbit = bytes * 8 / (now_s() - start) / 1e6;
	len = sizeof(ti);
	if (ASSERT_OK(getsockopt(snd.fd, SOL_TCP, TCP_INFO, &ti, &len), "TCP_INFO")) {
		res->retrans = ti.tcpi_total_retrans;
		res->ecn = ti.tcpi_options & TCPI_OPT_ECN;
		err = 0;
	}
out:
	if (afd >= 0)
		close(afd);
	if (snd.fd >= 0)
		close(snd.fd);
	close(lfd);
	return err;
}

/*
 * The reductions of a flow: each time ssthresh changes to below the window
 * (DCTCP's may be above the last one), its new value over the window of
 * the sample before, the window that met the congestion.
 * The first, out of slow start, is not counted (HyStart may have set
 * ssthresh to the window, not reduced it), nor are tiny windows.  *regrown
 * counts the reductions after which the window grew back past ssthresh.
 * Returns how many ratios went into ratios[].
 */
static int reductions(const struct flow_result *res, double *ratios, int max,
		      int *regrown)
{
	int i, k = 0;
	bool up = false;

	*regrown = 0;
	for (i = 1; i < res->n && k < max; i++) {
		const struct sample *prev = &res->s[i - 1], *s = &res->s[i];

		if (s->ssthresh != prev->ssthresh && s->ssthresh < prev->cwnd) {
			if (prev->ssthresh != INFINITE_SSTHRESH && prev->cwnd >= 4)
				ratios[k++] = (double)s->ssthresh / prev->cwnd;
			up = false;
		} else if (!up && s->cwnd > s->ssthresh + 1) {
			up = true;
			(*regrown)++;
		}
	}
	return k;
}

/* Integers for the ASSERTs, which print what they compare as integers. */
static long pct(double x)
{
	return (long)(x * 100 + 0.5);
}

static long kbit(double mbit)
{
	return (long)(mbit * 1000 + 0.5);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Check that the flow's reductions multiply by beta, within +-0.1. */
static void check_backoff(const char *cc, const struct flow_result *res,
			  double beta)
{
	double ratios[256], m;
	int k, regrown;

	k = reductions(res, ratios, 256, &regrown);
	if (!ASSERT_GE(k, 1, "reductions after slow start"))
		return;
	m = median(ratios, k);
	printf("%s: %s %d reductions, ssthresh / cwnd at loss: median %.2f (beta %.2f)",
	       __func__, cc, k, m, beta);
	printf("; grew back %d times\n", regrown);
	/* In percent, so that a failure prints the numbers. */
	ASSERT_GE(pct(m), pct(beta - 0.1), "ssthresh / cwnd at loss, %");
	ASSERT_LE(pct(m), pct(beta + 0.1), "ssthresh / cwnd at loss, %");
	ASSERT_GE(regrown, 1, "cwnd grows back after a reduction");
}

/* (Re)shape snd's side of the link: the rate and delay, plus args. */
static int shape_link(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc replace dev veth0 root %s %s",
		 NS_SND, "netem rate " LINK_RATE " delay " LINK_DELAY, args);
	return system(cmd);
}

static void link_down(void)
{
	st_netns_del(NS_SND, NS_RCV);
}

/* One ip per namespace (struct_ops_helpers.h): a process each costs the
 * emulated CPU most of a second.
 */
#define VETH_SND	"veth0 netns " NS_SND " gso_max_segs 1"
#define VETH_RCV	"veth1 netns " NS_RCV " gso_max_segs 1"
static int link_up(void)
{
	/* One MSS per packet, so that netem's queue counts packets. */
	if (!ASSERT_OK(st_ip_batch("ip", NULL,
				   "netns add " NS_SND "\n"
				   "netns add " NS_RCV "\n"
				   "link add " VETH_SND " type veth peer name " VETH_RCV "\n"),
		       "ip: namespaces and veth") ||
	    !ASSERT_OK(st_ip_batch("ip", NS_SND,
				   "addr add 10.9.1.1/24 dev veth0\n"
				   "link set veth0 up\n"), "ip -n " NS_SND) ||
	    !ASSERT_OK(st_ip_batch("ip", NS_RCV,
				   "addr add " RCV_ADDR "/24 dev veth1\n"
				   "link set veth1 up\n"), "ip -n " NS_RCV))
		return -1;
	SYS(fail, "tc -n %s qdisc add dev veth1 root netem delay %s", NS_RCV, LINK_DELAY);
	return 0;
fail:
	return -1;
}

/* The flow under test (static: it holds MAX_SAMPLES samples). */
static struct flow_result bpf_res;
static char queue_limit[32], lossy_shape[48];

/*
 * The mean goodput of cubic and of st_cubic over two flows each, run as
 * cubic, st_cubic, st_cubic, cubic: on an emulated CPU one flow's rate
 * varies by several percent, and the first flow of a run pays for what
 * the later ones find warm.
 */
static int cubic_pair(double *native, double *bpf)
{
	static const char * const order[] = { "cubic", "st_cubic", "st_cubic", "cubic" };
	bool ours;
	int i;

	*native = *bpf = 0;
	for (i = 0; i < 4; i++) {
		ours = order[i][0] == 's';
		if (!ASSERT_OK(run_flow(order[i], 10, &bpf_res), order[i]))
			return -1;
		printf("%s: flow %d: %s %.2f Mbit/s (%u retrans)\n", __func__, i + 1,
		       order[i], bpf_res.mbit, bpf_res.retrans);
		*(ours ? bpf : native) += bpf_res.mbit / 2;
	}
	return 0;
}

static void test_cubic(void)
{
	struct bpf_link *link = NULL;
	struct st_cubic *skel;

	skel = st_cubic__open_and_load();
	if (!ASSERT_OK_PTR(skel, "st_cubic__open_and_load"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_cubic);
	if (!ASSERT_OK_PTR(link, "attach st_cubic"))
		goto out;
	if (!ASSERT_OK(shape_link(queue_limit), "netem queue"))
		goto out;

	if (test__start_subtest("cubic_throughput")) {
		double native, bpf;

		if (cubic_pair(&native, &bpf))
			goto out;
		printf("%s: cubic %.2f Mbit/s, st_cubic %.2f Mbit/s (means of two flows)\n",
		       __func__, native, bpf);
		/* Both fill the link: it is the bottleneck, not the CPU. */
		ASSERT_GE(kbit(native), kbit(LINK_MBIT * 0.7), "cubic fills the link");
		ASSERT_GE(kbit(bpf), kbit(native * 0.9), "st_cubic within 10% of cubic");
		ASSERT_LE(kbit(bpf), kbit(native * 1.1), "st_cubic within 10% of cubic");
	}
	if (test__start_subtest("cubic_backoff") &&
	    ASSERT_OK(shape_link(lossy_shape), "netem queue + loss") &&
	    ASSERT_OK(run_flow("st_cubic", 8, &bpf_res), "st_cubic flow")) {
		printf("%s: st_cubic %.2f Mbit/s (%u retrans)\n", __func__,
		       bpf_res.mbit, bpf_res.retrans);
		check_backoff("st_cubic", &bpf_res, 0.7);
	}
out:
	bpf_link__destroy(link);
	st_cubic__destroy(skel);
}

static void test_aimd(void)
{
	struct st_aimd *skel;
	struct bpf_link *link;

	if (!test__start_subtest("aimd_backoff"))
		return;
	skel = st_aimd__open_and_load();
	if (!ASSERT_OK_PTR(skel, "st_aimd__open_and_load"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_aimd);
	if (ASSERT_OK_PTR(link, "attach st_aimd") &&
	    ASSERT_OK(shape_link(lossy_shape), "netem queue + loss") &&
	    ASSERT_OK(run_flow("st_aimd", 8, &bpf_res), "st_aimd flow")) {
		printf("%s: st_aimd %.2f Mbit/s (%u retrans)\n", __func__,
		       bpf_res.mbit, bpf_res.retrans);
		check_backoff("st_aimd", &bpf_res, 0.5);
	}
	bpf_link__destroy(link);
	st_aimd__destroy(skel);
}

/*
 * The median window once out of slow start (from the first sample with
 * a finite ssthresh): the window the CC keeps.  The slow start before,
 * which ends at the first mark, long or short by chance, does not count.
 */
static double steady_cwnd(const struct flow_result *res)
{
	static double cwnd[MAX_SAMPLES];
	int i, n = 0;

	for (i = 0; i < res->n; i++)
		if (n || res->s[i].ssthresh != INFINITE_SSTHRESH)
			cwnd[n++] = res->s[i].cwnd;
	return n ? median(cwnd, n) : 0;
}

/* Run cc, an ECN-capable flow, over the marking link. */
static int ecn_flow(const char *cc, struct flow_result *res)
{
	int err = run_flow(cc, 5, res);

	printf("%s: %s %.2f Mbit/s, ecn %d, %u retrans, steady cwnd %.1f\n",
	       __func__, cc, res->mbit, res->ecn, res->retrans, steady_cwnd(res));
	if (!err && !ASSERT_TRUE(res->ecn, "ECN negotiated"))
		err = -1;
	return err;
}

static void test_dctcp(void)
{
	struct bpf_link *dctcp_link = NULL, *aimd_link = NULL;
	static struct flow_result aimd_res;
	struct st_dctcp *dctcp = NULL;
	struct st_aimd *aimd = NULL;
	double ratios[256];
	int k, regrown;

	if (!test__start_subtest("dctcp_ecn"))
		return;
	dctcp = st_dctcp__open_and_load();
	aimd = st_aimd__open_and_load();
	if (!ASSERT_OK_PTR(dctcp, "st_dctcp__open_and_load") ||
	    !ASSERT_OK_PTR(aimd, "st_aimd__open_and_load"))
		goto out;
	dctcp_link = bpf_map__attach_struct_ops(dctcp->maps.st_dctcp);
	aimd_link = bpf_map__attach_struct_ops(aimd->maps.st_aimd);
	if (!ASSERT_OK_PTR(dctcp_link, "attach st_dctcp") ||
	    !ASSERT_OK_PTR(aimd_link, "attach st_aimd"))
		goto out;
	/*
	 * 5% of ECN-capable packets CE-marked rather than dropped, and a
	 * queue that does not overflow: marks are the only signal.  st_aimd
	 * asks for ECN through the sysctl; st_dctcp always does.  A SYN that
	 * netem drops is sent again still asking for ECN, not without.
	 */
	SYS(out, "ip netns exec %s sysctl -qw net.ipv4.tcp_ecn=1 net.ipv4.tcp_ecn_fallback=0",
	    NS_SND);
	if (!ASSERT_OK(shape_link("limit 10000 loss 5% ecn"), "netem ecn") ||
	    ecn_flow("st_dctcp", &bpf_res) || ecn_flow("st_aimd", &aimd_res))
		goto out;

	/*
	 * No loss: ECN did its job, and st_dctcp fills the link.  Its goodput
	 * is bound by the emulated CPU, not by its window: the receiver acks
	 * at once after a CE mark rather than delaying.  Beside a busy lane,
	 * 3.34 to 4.62 Mbit/s in ten runs here, whatever its window (16 to
	 * 27), while cubic moved 4.73 to 4.77 without marks and st_aimd 1.85
	 * to 2.42 with them.  So 60%: more than a CC that halves on the
	 * marks could move.
	 */
	ASSERT_EQ(bpf_res.retrans, 0, "st_dctcp retransmissions");
	ASSERT_GE(kbit(bpf_res.mbit), kbit(LINK_MBIT * 0.6), "st_dctcp fills the link");
	/* It does react to the marks ... */
	k = reductions(&bpf_res, ratios, 256, &regrown);
	ASSERT_GE(k, 1, "st_dctcp reductions on CE marks");
	/* ... in proportion: where AIMD halves on every marked window,
	 * DCTCP takes alpha / 2, about 2.5% here, and keeps a window more
	 * than twice as large.
	 */
	ASSERT_GT(pct(steady_cwnd(&bpf_res)), pct(2 * steady_cwnd(&aimd_res)),
		  "st_dctcp window over twice st_aimd's");
out:
	SYS_NOFAIL("ip netns exec %s sysctl -qw net.ipv4.tcp_ecn=2 net.ipv4.tcp_ecn_fallback=1",
		   NS_SND);
	bpf_link__destroy(aimd_link);
	bpf_link__destroy(dctcp_link);
	st_aimd__destroy(aimd);
	st_dctcp__destroy(dctcp);
}

void serial_test_struct_ops_netem(void)
{
	snprintf(queue_limit, sizeof(queue_limit), "limit %d", LINK_QUEUE);
	snprintf(lossy_shape, sizeof(lossy_shape), "limit %d loss %s", LINK_QUEUE, RANDOM_LOSS);
	if (!ASSERT_OK(link_up(), "veth + netem link"))
		goto out;
	test_cubic();
	test_aimd();
	test_dctcp();
out:
	link_down();
}
