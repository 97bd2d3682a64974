// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress conc: every way in and out of a struct_ops table at once.
 *
 * In this process, in memcg st_stress_bpf (its slab and percpu must come
 * back at the end):
 *   2 map threads	create, update (ss_m0..3: names collide), look up,
 *			delete and close map-mode CCs, some through an fd
 *			got back by id after the first was closed; one in
 *			four is ss_sw's, whose .init switches the socket on
 *   1 link thread	two link-mode tables of ss_l0: link create, update
 *			to the other, update with a stale old map (EPERM),
 *			detach, update after detach (ENOLINK), destroy
 *   1 pin thread	ss_p0 through a pinned link whose fds are closed:
 *			registered while pinned, gone after the unpin
 * In a child process, in memcg st_stress_net, TCP over veth from netns
 * ss_a to ss_b with the CCs under churn:
 *   1 server thread	accepts and reads to EOF; a connection silent for
 *			SERVER_IDLE_MS is closed (reset) all the same
 *   2 client threads	connect, send 32 KiB, with TCP_CONGESTION set to
 *			one of the churned names before connect and again
 *			mid-transfer; a send to a peer that closed is
 *			counted (EPIPE, ECONNRESET), never a SIGPIPE
 *   1 default thread	sets ss_a's tcp_congestion_control to one of them
 *			(a netns default must be non-restricted: ss_m* are)
 * ss_sw's .init switches its socket to reno: when its map was deleted
 * meanwhile, the socket's count was the last, dropped inside the CC.
 * At the end the clients finish their connections and read the server's
 * EOF before the server stops, so that no orphan socket outlives the run
 * holding a CC.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "st_stress.h"

#define NS_A		"ss_a"
#define NS_B		"ss_b"
#define ADDR_B		"10.77.0.2"
#define PORT		7077
#define PIN_LINK	"/sys/fs/bpf/ss_pinned_link"
#define PIN_MAP		"/sys/fs/bpf/ss_pinned_map"
#define MODPROBE	"/proc/sys/kernel/modprobe"
/* The server's read timeout, and how long a connection may stay silent
 * before the server gives up on it: on a busy one-CPU guest a client can
 * stall for well over one timeout between two sends.
 */
#define SERVER_TICK_MS	200
#define SERVER_IDLE_MS	5000

enum {
	M_CREATE, M_UPDATE, M_LOOKUP, M_REOPEN, M_DELETE,
	L_MAP_UPDATE, L_CREATE, L_UPDATE, L_UPDATE_STALE, L_DETACH,
	L_UPDATE_DETACHED, P_PIN, P_GET, P_UNPIN,
	T_CONNECT, T_SEND, T_SETSOCKOPT, T_DEFAULT,
	C_NR
};

static const int taken[] = { EEXIST, 0 };
static const int stale[] = { EPERM, 0 };
static const int nolink[] = { ENOLINK, 0 };
static const int no_cc[] = { ENOENT, 0 };
/* The server closed the connection first (idle, or stopping). */
static const int peer_gone[] = { EPIPE, ECONNRESET, 0 };

/* Shared with the child: MAP_SHARED. */
struct conc {
	struct op_stat st[C_NR];
	int stop;		/* read and set with READ_ONCE/WRITE_ONCE */
	unsigned long bad;
	unsigned long made, bytes, pin_checks, idle_closed;
	int clients_left;
	int listening;
};

struct worker {
	struct conc *c;
	struct stress_env *env;
	uint64_t rs;
};

static const char *const sock_ccs[] = {
	"ss_m0", "ss_m1", "ss_m2", "ss_m3", "ss_l0", "ss_p0", "cubic", "reno",
	"ss_none",
};

/* Those a netns may have as its default, and one that does not exist. */
static const char *const default_ccs[] = {
	"ss_m0", "ss_m1", "ss_m2", "ss_m3", "cubic", "reno", "ss_none",
};

#define TCP_CONG_NON_RESTRICTED	0x1
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static void rec(struct conc *c, int op, int ret)
{
	if (stat_record(&c->st[op], ret))
		__atomic_fetch_add(&c->bad, 1, __ATOMIC_RELAXED);
}

static int neg_errno(int ret)
{
	return ret < 0 ? -errno : 0;
}

static void *map_thread(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	struct st_value v;
	char name[16];
	int fd, ret;
	__u32 id;

	if (env_value(w->env, &v))
		return NULL;
	while (!READ_ONCE(c->stop)) {
		fd = st_map_create(&v);
		rec(c, M_CREATE, fd < 0 ? fd : 0);
		if (fd < 0)
			continue;
		snprintf(name, sizeof(name), "ss_m%d", (int)(rand_next(&w->rs) % 4));
		value_fill(w->env, &v, name, rand_next(&w->rs) % 4 == 0);
		st_set_u32(&v, "flags", TCP_CONG_NON_RESTRICTED);
		ret = st_map_update(fd, 0, &v);
		rec(c, M_UPDATE, ret);
		if (ret) {
			close(fd);
			continue;
		}
		rec(c, M_LOOKUP, neg_errno(bpf_map_lookup_elem(fd, &(__u32){0}, v.buf)));
		switch (rand_next(&w->rs) % 3) {
		case 0:
			/* the fd goes: the registration keeps the map */
			id = bpf_fd_id(fd);
			close(fd);
			fd = bpf_map_get_fd_by_id(id);
			rec(c, M_REOPEN, fd < 0 ? -errno : 0);
			if (fd < 0)
				continue;
			break;
		case 1:
			/* let connections run it a while */
			usleep(rand_next(&w->rs) % 5000);
			break;
		}
		rec(c, M_DELETE, st_map_delete(fd));
		close(fd);
	}
	free(v.buf);
	return NULL;
}

static int link_map(struct worker *w, struct st_value *v, const char *name)
{
	int fd = st_map_create_flags(v, BPF_F_LINK);

	rec(w->c, M_CREATE, fd < 0 ? fd : 0);
	if (fd < 0)
		return fd;
	value_fill(w->env, v, name, false);
	rec(w->c, L_MAP_UPDATE, st_map_update(fd, 0, v));
	return fd;
}

static void *link_thread(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	int a, b, lk, ret;
	struct st_value v;

	if (env_value(w->env, &v))
		return NULL;
	while (!READ_ONCE(c->stop)) {
		a = link_map(w, &v, "ss_l0");
		b = link_map(w, &v, "ss_l0");
		if (a < 0 || b < 0)
			goto next;
		lk = bpf_link_create(a, 0, BPF_STRUCT_OPS, NULL);
		rec(c, L_CREATE, lk < 0 ? -errno : 0);
		if (lk < 0)
			goto next;
		usleep(rand_next(&w->rs) % 3000);
		rec(c, L_UPDATE, neg_errno(bpf_link_update(lk, b, NULL)));
		{
			LIBBPF_OPTS(bpf_link_update_opts, o, .old_map_fd = a,
				    .flags = BPF_F_REPLACE);

			ret = bpf_link_update(lk, a, &o);
			rec(c, L_UPDATE_STALE, neg_errno(ret));
		}
		if (rand_next(&w->rs) % 2) {
			rec(c, L_DETACH, neg_errno(bpf_link_detach(lk)));
			rec(c, L_UPDATE_DETACHED, neg_errno(bpf_link_update(lk, a, NULL)));
		}
		close(lk);
next:
		if (a >= 0)
			close(a);
		if (b >= 0)
			close(b);
	}
	free(v.buf);
	return NULL;
}

/* Up to 5 s for @name to be registered (@want) or gone. */
static bool cc_settles(const char *name, bool want)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (tcp_cc_available(name) == want)
			return true;
		usleep(10000);
	}
	return false;
}

static void *pin_thread(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	struct st_value v;
	int a, lk, fd;

	if (env_value(w->env, &v))
		return NULL;
	while (!READ_ONCE(c->stop)) {
		a = link_map(w, &v, "ss_p0");
		if (a < 0)
			continue;
		rec(c, P_PIN, neg_errno(bpf_obj_pin(a, PIN_MAP)));
		lk = bpf_link_create(a, 0, BPF_STRUCT_OPS, NULL);
		rec(c, L_CREATE, lk < 0 ? -errno : 0);
		close(a);
		if (lk < 0)
			goto unpin_map;
		rec(c, P_PIN, neg_errno(bpf_obj_pin(lk, PIN_LINK)));
		close(lk);
		/* only the pin holds the link, and the link the CC */
		usleep(rand_next(&w->rs) % 3000);
		fd = bpf_obj_get(PIN_LINK);
		rec(c, P_GET, fd < 0 ? -errno : 0);
		if (fd >= 0)
			close(fd);
		if (!tcp_cc_available("ss_p0")) {
			fprintf(stderr, "[stress] error: conc: %s\n",
				"ss_p0 is gone while its link is pinned");
			__atomic_fetch_add(&c->bad, 1, __ATOMIC_RELAXED);
		}
		rec(c, P_UNPIN, neg_errno(unlink(PIN_LINK)));
		if (!cc_settles("ss_p0", false)) {
			fprintf(stderr, "[stress] error: conc: %s\n",
				"ss_p0 still registered 5 s after its link's unpin");
			__atomic_fetch_add(&c->bad, 1, __ATOMIC_RELAXED);
		}
		c->pin_checks++;
unpin_map:
		rec(c, P_UNPIN, neg_errno(unlink(PIN_MAP)));
	}
	free(v.buf);
	return NULL;
}

/* ---- TCP, in the child */

static int enter_netns(const char *ns)
{
	char path[128];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return err;
}

/* Read @s to EOF, an error, or SERVER_IDLE_MS without a byte. */
static void server_drain(struct conc *c, int s)
{
	static char buf[16384];
	int idle_ms = 0;
	ssize_t n;

	while (idle_ms < SERVER_IDLE_MS) {
		n = read(s, buf, sizeof(buf));
		if (n > 0) {
			idle_ms = 0;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return;
		idle_ms += SERVER_TICK_MS;
	}
	__atomic_fetch_add(&c->idle_closed, 1, __ATOMIC_RELAXED);
}

static void *server_thread(void *arg)
{
	struct worker *w = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = SERVER_TICK_MS * 1000 };
	int ls, s, one = 1;

	if (enter_netns(NS_B))
		return NULL;
	inet_pton(AF_INET, ADDR_B, &sa.sin_addr);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(ls, (void *)&sa, sizeof(sa)) || listen(ls, 64)) {
		fprintf(stderr, "[stress] error: conc: listen: %s\n", strerror(errno));
		WRITE_ONCE(w->c->stop, 1);
		return NULL;
	}
	__atomic_store_n(&w->c->listening, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&w->c->clients_left, __ATOMIC_ACQUIRE)) {
		s = accept(ls, NULL, NULL);
		if (s < 0)
			continue;
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		server_drain(w->c, s);
		close(s);
	}
	close(ls);
	return NULL;
}

static int set_cc(int s, const char *name)
{
	return setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name)) ?
	       -errno : 0;
}

static void *client_thread(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	static char buf[32768];
	int s, sent, n;

	if (enter_netns(NS_A))
		return NULL;
	inet_pton(AF_INET, ADDR_B, &sa.sin_addr);
	while (!__atomic_load_n(&c->listening, __ATOMIC_ACQUIRE) && !READ_ONCE(c->stop))
		usleep(1000);
	while (!READ_ONCE(c->stop)) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (rand_next(&w->rs) % 2)
			rec(c, T_SETSOCKOPT, set_cc(s, sock_ccs[rand_next(&w->rs) %
						ARRAY_SIZE(sock_ccs)]));
		n = connect(s, (void *)&sa, sizeof(sa));
		rec(c, T_CONNECT, n ? -errno : 0);
		if (n) {
			close(s);
			usleep(10000);
			continue;
		}
		__atomic_fetch_add(&c->made, 1, __ATOMIC_RELAXED);
		for (sent = 0; sent < (int)sizeof(buf); sent += n) {
			/* the server may have closed: an errno, not SIGPIPE */
			n = send(s, buf, 4096, MSG_NOSIGNAL);
			rec(c, T_SEND, n < 0 ? -errno : 0);
			if (n <= 0)
				break;
			if (sent == 8192)
				rec(c, T_SETSOCKOPT,
				    set_cc(s, sock_ccs[rand_next(&w->rs) %
						       ARRAY_SIZE(sock_ccs)]));
		}
		__atomic_fetch_add(&c->bytes, sent, __ATOMIC_RELAXED);
		/* the server's EOF: both sides are done with the data */
		shutdown(s, SHUT_WR);
		while (read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
	}
	__atomic_fetch_sub(&c->clients_left, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *default_thread(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	const char *path = "/proc/sys/net/ipv4/tcp_congestion_control";

	if (enter_netns(NS_A))
		return NULL;
	while (!READ_ONCE(c->stop)) {
		rec(c, T_DEFAULT, st_write_str(path, default_ccs[rand_next(&w->rs) %
							 ARRAY_SIZE(default_ccs)]));
		usleep(20000);
	}
	/* the default holds its CC: give it back */
	st_write_str(path, "cubic");
	return NULL;
}

/* Four threads, each with its own random stream from @seed. */
struct crew {
	pthread_t t[4];
	struct worker w[4];
};

static void crew_start(struct crew *cr, struct conc *c, struct stress_env *env,
		       void *(*const fn[4])(void *), uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		cr->w[i] = (struct worker){ .c = c, .env = env, .rs = seed + i };
		pthread_create(&cr->t[i], NULL, fn[i], &cr->w[i]);
	}
}

static void crew_join(struct crew *cr)
{
	int i;

	for (i = 0; i < 4; i++)
		pthread_join(cr->t[i], NULL);
}

static void tcp_child(struct conc *c, struct stress_env *env)
{
	static void *(*const fn[4])(void *) = {
		server_thread, client_thread, client_thread, default_thread
	};
	struct crew cr;

	crew_start(&cr, c, env, fn, 0x51ed);
	crew_join(&cr);
	_exit(0);
}

#define VETH_A		"ss_va netns " NS_A
#define VETH_B		"ss_vb netns " NS_B
/* Both namespaces gone, whether or not they were there. */
static void netns_down(void)
{
	st_netns_del(NS_A, NS_B);
}

/* Run @cmds through ip -batch in @netns; 0, or the status, said. */
static int ip_cmds(const char *netns, const char *cmds)
{
	int rc = st_ip_batch("ip", netns, cmds);

	if (rc)
		fprintf(stderr, "[stress] error: conc: ip%s%s -batch exited %d\n",
			netns ? " -n " : "", netns ?: "", rc);
	return rc;
}

static int netns_up(void)
{
	netns_down();
	return ip_cmds(NULL, "netns add " NS_A "\n"
			     "netns add " NS_B "\n"
			     "link add " VETH_A " type veth peer name " VETH_B "\n") ?:
	       ip_cmds(NS_A, "addr add 10.77.0.1/24 dev ss_va\n"
			     "link set ss_va up\n"
			     "link set lo up\n") ?:
	       ip_cmds(NS_B, "addr add " ADDR_B "/24 dev ss_vb\n"
			     "link set ss_vb up\n"
			     "link set lo up\n");
}

/* Wait for the TCP child; 1, with how it ended, unless it exited 0. */
static int child_reap(pid_t child)
{
	int status;

	if (waitpid(child, &status, 0) != child) {
		fprintf(stderr, "[stress] error: conc: waitpid: %s\n", strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "[stress] error: conc: the TCP child died of signal %d (%s)\n",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, "[stress] error: conc: the TCP child exited %d (status 0x%x)\n",
			WEXITSTATUS(status), status);
	return 1;
}

/* Move @pid into cgroup @name ("": the root), made with the memory
 * controller on.
 */
static int cg_enter(const char *name, pid_t pid)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg_root());
	st_write_str(path, "+memory");
	snprintf(path, sizeof(path), "%s/%s", cg_root(), name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg_root(), name);
	snprintf(buf, sizeof(buf), "%d", pid);
	return st_write_str(path, buf);
}

int stress_conc(struct stress_env *env, unsigned int secs)
{
	static void *(*const fn[4])(void *) = {
		map_thread, map_thread, link_thread, pin_thread
	};
	char modprobe[256] = "", cg_path[256];
	struct leak_base base;
	struct crew cr;
	struct conc *c;
	pid_t child;
	int err = 0;
	FILE *f;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return 1;
	memset(c, 0, sizeof(*c));
	c->st[M_CREATE] = (struct op_stat){ "map_create" };
	c->st[M_UPDATE] = (struct op_stat){ "map_update", taken };
	c->st[M_LOOKUP] = (struct op_stat){ "map_lookup" };
	c->st[M_REOPEN] = (struct op_stat){ "map_fd_by_id" };
	c->st[M_DELETE] = (struct op_stat){ "map_delete" };
	c->st[L_MAP_UPDATE] = (struct op_stat){ "link_map_update" };
	c->st[L_CREATE] = (struct op_stat){ "link_create" };
	c->st[L_UPDATE] = (struct op_stat){ "link_update" };
	c->st[L_UPDATE_STALE] = (struct op_stat){ "link_update_old", stale };
	c->st[L_DETACH] = (struct op_stat){ "link_detach" };
	c->st[L_UPDATE_DETACHED] = (struct op_stat){ "link_update_det", nolink };
	c->st[P_PIN] = (struct op_stat){ "pin" };
	c->st[P_GET] = (struct op_stat){ "pin_get" };
	c->st[P_UNPIN] = (struct op_stat){ "unpin" };
	c->st[T_CONNECT] = (struct op_stat){ "tcp_connect" };
	c->st[T_SEND] = (struct op_stat){ "tcp_send", peer_gone };
	c->st[T_SETSOCKOPT] = (struct op_stat){ "tcp_congestion", no_cc };
	c->st[T_DEFAULT] = (struct op_stat){ "default_cc", no_cc };
	c->clients_left = 2;

	/* A name no CC has would have TCP run modprobe tcp_<name> each time. */
	f = fopen(MODPROBE, "r");
	if (f) {
		if (!fgets(modprobe, sizeof(modprobe), f))
			modprobe[0] = 0;
		fclose(f);
	}
	st_write_str(MODPROBE, "\n");
	unlink(PIN_LINK);
	unlink(PIN_MAP);
	if (netns_up() || cg_enter("st_stress_bpf", getpid())) {
		fprintf(stderr, "[stress] error: conc: cannot set up netns or cgroup\n");
		err = 1;
		goto out;
	}
	leak_base_take(&base);

	child = fork();
	if (child == 0) {
		cg_enter("st_stress_net", getpid());
		tcp_child(c, env);
	}
	crew_start(&cr, c, env, fn, 0xc0ffee);
	sleep(secs);
	WRITE_ONCE(c->stop, 1);
	crew_join(&cr);
	err |= child_reap(child);
	netns_down();
	stat_print("conc", c->st, C_NR);
	printf("[stress] conc: ss_sw's .init switched %llu sockets (%llu refused),",
	       env->skel->bss->switched, env->skel->bss->switch_failed);
	printf(" CCs ran %llu inits, %llu pkts_acked\n",
	       env->skel->bss->init_calls, env->skel->bss->acked_calls);
	err |= leak_check("conc", &base, true);
	if (c->made == 0) {
		fprintf(stderr, "[stress] error: conc: no TCP connection was made\n");
		err = 1;
	}
	printf("[stress] conc: %u s, 4 BPF threads and 4 TCP threads:", secs);
	printf(" %lu operations, %lu unexpected;", stat_total(c->st, C_NR), c->bad);
	printf(" %lu connections (%.1f MiB), %lu failed, %lu closed idle by the server;",
	       c->made, c->bytes / 1048576.0,
	       stat_total(&c->st[T_CONNECT], 1) - c->st[T_CONNECT].ok, c->idle_closed);
	printf(" %lu pin checks%s\n", c->pin_checks, err || c->bad ? "" : "; all held");
	err |= c->bad != 0;
out:
	/* back to the root cgroup, so that ours can go */
	cg_enter("", getpid());
	snprintf(cg_path, sizeof(cg_path), "%s/st_stress_bpf", cg_root());
	rmdir(cg_path);
	snprintf(cg_path, sizeof(cg_path), "%s/st_stress_net", cg_root());
	rmdir(cg_path);
	st_write_str(MODPROBE, modprobe);
	munmap(c, sizeof(*c));
	return err;
}
