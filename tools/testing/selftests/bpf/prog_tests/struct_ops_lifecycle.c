// SPDX-License-Identifier: GPL-2.0
/* Who keeps a BPF congestion control alive: its registration and every
 * socket running it.  Deleting the map, closing every fd, and a .init that
 * switches its socket away must each leave the sockets working and free
 * the map only once the last user let go.
 */
#include <netinet/tcp.h>
#include <test_progs.h>
#include "network_helpers.h"
#include "struct_ops_helpers.h"
#include "struct_ops_cc.skel.h"
#include "struct_ops_switch.skel.h"

#define NR_CONN 8
#define NR_SWITCH 32

static void close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* The state and refcount of the struct_ops map @map_fd. */
static void st_read(int map_fd, struct st_value *v)
{
	__u32 key = 0;

	if (bpf_map_lookup_elem(map_fd, &key, v->buf))
		memset(v->buf, 0xff, 8);
}

/* @n client sockets running @cc connected to @lfd, and their peers. */
static bool connect_n(int lfd, const char *cc, int *cli, int *srv, int n)
{
	struct network_helper_opts opts = { .cc = cc, .timeout_ms = 5000 };
	int i;

	for (i = 0; i < n; i++) {
		cli[i] = connect_to_fd_opts(lfd, &opts);
		srv[i] = cli[i] < 0 ? -1 : accept(lfd, NULL, NULL);
		if (srv[i] < 0)
			return false;
	}
	return true;
}

/* One round trip of @len bytes on each pair. */
static bool ping_all(int *cli, int *srv, int n, size_t len)
{
	char buf[4096] = {};
	int i;

	for (i = 0; i < n; i++) {
		if (send(cli[i], buf, len, MSG_NOSIGNAL) != (ssize_t)len ||
		    recv(srv[i], buf, len, MSG_WAITALL) != (ssize_t)len)
			return false;
	}
	return true;
}

static bool refcnt_becomes(int map_fd, struct st_value *v, __u32 want)
{
	int i;

	for (i = 0; i < 500; i++) {
		st_read(map_fd, v);
		if (st_value_refcnt(v) == want)
			return true;
		usleep(10000);
	}
	return false;
}

static void test_refcount(void)
{
	int cli[NR_CONN], srv[NR_CONN], lfd = -1, map_fd;
	struct struct_ops_cc *skel;
	struct bpf_link *link;
	struct st_value v;

	memset(cli, -1, sizeof(cli));
	memset(srv, -1, sizeof(srv));
	if (!ASSERT_OK(st_value_init(&v, "tcp_congestion_ops"), "value type"))
		return;
	skel = struct_ops_cc__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_cc"))
		goto out;
	link = bpf_map__attach_struct_ops(skel->maps.st_cc);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	map_fd = bpf_map__fd(skel->maps.st_cc);
	lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 5000);
	if (!ASSERT_GE(lfd, 0, "server") ||
	    !ASSERT_TRUE(connect_n(lfd, "st_cc", cli, srv, NR_CONN), "connect"))
		goto out;

	/* The registration plus one per client (the server side runs the
	 * default CC).
	 */
	st_read(map_fd, &v);
	ASSERT_EQ(st_value_state(&v), ST_STATE_INUSE, "state");
	ASSERT_EQ(st_value_refcnt(&v), 1 + NR_CONN, "refcnt with sockets");

	bpf_link__destroy(link);	/* deletes the element: unregisters */
	link = NULL;
	ASSERT_FALSE(tcp_cc_available("st_cc"), "unregistered");
	st_read(map_fd, &v);
	ASSERT_EQ(st_value_state(&v), ST_STATE_TOBEFREE, "state after delete");
	ASSERT_EQ(st_value_refcnt(&v), NR_CONN, "refcnt after delete");
	ASSERT_TRUE(ping_all(cli, srv, NR_CONN, 4096), "sockets still work");

	close_all(cli, NR_CONN);
	close_all(srv, NR_CONN);
	ASSERT_TRUE(refcnt_becomes(map_fd, &v, 0), "refcnt drops to 0");
out:
	close_all(cli, NR_CONN);
	close_all(srv, NR_CONN);
	if (lfd >= 0)
		close(lfd);
	bpf_link__destroy(link);
	struct_ops_cc__destroy(skel);
	st_value_free(&v);
}

static void test_close_all(void)
{
	int cli[NR_CONN], srv[NR_CONN], lfd = -1, bss_fd = -1;
	__u32 map_id, prog_id, key = 0;
	struct struct_ops_cc *skel;
	struct bpf_link *link;
	int calls_before = 0;
	char *bss = NULL;
	size_t bss_size;

	memset(cli, -1, sizeof(cli));
	memset(srv, -1, sizeof(srv));
	skel = struct_ops_cc__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_cc"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_cc);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	map_id = bpf_fd_id(bpf_map__fd(skel->maps.st_cc));
	prog_id = bpf_fd_id(bpf_program__fd(skel->progs.st_cong_avoid));
	/* Keep only the counters: a dup of the .bss map. */
	bss_fd = dup(bpf_map__fd(skel->maps.bss));
	bss_size = bpf_map__value_size(skel->maps.bss);
	bss = calloc(1, bss_size);

	lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 5000);
	if (!ASSERT_GE(lfd, 0, "server") ||
	    !ASSERT_TRUE(connect_n(lfd, "st_cc", cli, srv, NR_CONN), "connect"))
		goto out;

	/* Delete, then close every fd of the map and its progs. */
	bpf_link__destroy(link);
	link = NULL;
	calls_before = skel->bss->cong_avoid_cnt;
	struct_ops_cc__destroy(skel);
	skel = NULL;

	ASSERT_TRUE(ping_all(cli, srv, NR_CONN, 4096), "sockets still work");
	ASSERT_TRUE(ping_all(cli, srv, NR_CONN, 4096), "and again");
	if (ASSERT_OK(bpf_map_lookup_elem(bss_fd, &key, bss), "read counters"))
		ASSERT_GT(*(int *)(bss + offsetof(struct struct_ops_cc__bss, cong_avoid_cnt)),
			  calls_before, "the deleted CC still runs");
	ASSERT_FALSE(bpf_id_gone(bpf_map_get_fd_by_id, map_id, 100), "map alive while used");

	close_all(cli, NR_CONN);
	close_all(srv, NR_CONN);
	ASSERT_TRUE(bpf_id_gone(bpf_map_get_fd_by_id, map_id, 5000), "map freed after last socket");
	ASSERT_TRUE(bpf_id_gone(bpf_prog_get_fd_by_id, prog_id, 5000), "progs freed with it");
out:
	close_all(cli, NR_CONN);
	close_all(srv, NR_CONN);
	if (lfd >= 0)
		close(lfd);
	if (bss_fd >= 0)
		close(bss_fd);
	free(bss);
	bpf_link__destroy(link);
	struct_ops_cc__destroy(skel);
}

/* NR_SWITCH sockets pick st_sw_a, which is then deleted and its map
 * closed: the sockets hold the last counts.  Each connect runs
 * st_sw_a's .init, which switches to st_sw_b (whose nested .init gets
 * -EBUSY switching again) and then to cubic, dropping a count on st_sw_a
 * from inside st_sw_a's own trampoline; the last one frees the map while
 * that trampoline is still on the stack.
 */
static void test_init_switch(void)
{
	int cli[NR_SWITCH], srv[NR_SWITCH], lfd = -1, a_fd = -1, i, n_cubic = 0;
	struct sockaddr_storage addr;
	socklen_t addrlen = sizeof(addr), cclen;
	struct struct_ops_switch *skel;
	struct bpf_link *link_b = NULL;
	struct st_value v;
	__u32 a_id;
	char cc[16];

	memset(cli, -1, sizeof(cli));
	memset(srv, -1, sizeof(srv));
	if (!ASSERT_OK(st_value_init(&v, "tcp_congestion_ops"), "value type"))
		return;
	skel = struct_ops_switch__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_switch"))
		goto out;
	link_b = bpf_map__attach_struct_ops(skel->maps.st_sw_b);
	if (!ASSERT_OK_PTR(link_b, "attach st_sw_b"))
		goto out;

	/* st_sw_a in a map of our own, so that we can close its last fd. */
	a_fd = st_map_create(&v);
	if (!ASSERT_GE(a_fd, 0, "create st_sw_a"))
		goto out;
	st_set_u64(&v, "init", bpf_program__fd(skel->progs.sw_a_init));
	st_set_u64(&v, "ssthresh", bpf_program__fd(skel->progs.sw_ssthresh));
	st_set_u64(&v, "cong_avoid", bpf_program__fd(skel->progs.sw_cong_avoid));
	st_set_u64(&v, "undo_cwnd", bpf_program__fd(skel->progs.sw_undo_cwnd));
	st_set_name(&v, "st_sw_a");
	if (!ASSERT_OK(st_map_update(a_fd, 0, &v), "register st_sw_a"))
		goto out;
	a_id = bpf_fd_id(a_fd);

	lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 5000);
	if (!ASSERT_GE(lfd, 0, "server") ||
	    !ASSERT_OK(getsockname(lfd, (struct sockaddr *)&addr, &addrlen), "getsockname"))
		goto out;
	for (i = 0; i < NR_SWITCH; i++) {
		cli[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (!ASSERT_GE(cli[i], 0, "socket") ||
		    !ASSERT_OK(setsockopt(cli[i], IPPROTO_TCP, TCP_CONGESTION, "st_sw_a", 8),
			       "pick st_sw_a"))
			goto out;
	}

	ASSERT_OK(st_map_delete(a_fd), "delete st_sw_a");
	close(a_fd);
	a_fd = -1;
	ASSERT_FALSE(bpf_id_gone(bpf_map_get_fd_by_id, a_id, 100), "held by the sockets");

	for (i = 0; i < NR_SWITCH; i++) {
		if (!ASSERT_OK(connect(cli[i], (struct sockaddr *)&addr, addrlen), "connect"))
			goto out;
		srv[i] = accept(lfd, NULL, NULL);
		cc[0] = 0;
		cclen = sizeof(cc);
		getsockopt(cli[i], IPPROTO_TCP, TCP_CONGESTION, cc, &cclen);
		n_cubic += !strcmp(cc, "cubic");
	}
	ASSERT_EQ(n_cubic, NR_SWITCH, "every socket ends on cubic");
	ASSERT_EQ(skel->bss->a_init_cnt, NR_SWITCH, "st_sw_a .init ran");
	ASSERT_EQ(skel->bss->a_to_b_ok, NR_SWITCH, "switch to st_sw_b");
	ASSERT_EQ(skel->bss->b_init_cnt, NR_SWITCH, "st_sw_b .init ran nested");
	ASSERT_EQ(skel->bss->b_self_ebusy, NR_SWITCH, "nested switch gets -EBUSY");
	ASSERT_EQ(skel->bss->a_to_cubic_ok, NR_SWITCH, "switch to cubic");
	ASSERT_TRUE(bpf_id_gone(bpf_map_get_fd_by_id, a_id, 5000), "st_sw_a freed");
	ASSERT_TRUE(ping_all(cli, srv, NR_SWITCH, 1024), "sockets work on cubic");
out:
	close_all(cli, NR_SWITCH);
	close_all(srv, NR_SWITCH);
	if (lfd >= 0)
		close(lfd);
	if (a_fd >= 0)
		close(a_fd);
	bpf_link__destroy(link_b);
	struct_ops_switch__destroy(skel);
	st_value_free(&v);
}

void serial_test_struct_ops_lifecycle(void)
{
	if (test__start_subtest("refcount"))
		test_refcount();
	if (test__start_subtest("close_all"))
		test_close_all();
	if (test__start_subtest("init_switch"))
		test_init_switch();
}
