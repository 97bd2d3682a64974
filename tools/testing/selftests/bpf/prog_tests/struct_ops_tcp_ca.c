// SPDX-License-Identifier: GPL-2.0
/* tcp_congestion_ops as a struct_ops type: what the verifier lets a BPF CC
 * do, that it really controls connections, racing registrations, and
 * Debian's bpftool driving it.
 */
#include <pthread.h>
#include <netinet/tcp.h>
#include <test_progs.h>
#include "network_helpers.h"
#include "struct_ops_helpers.h"
#include "struct_ops_cc.skel.h"
#include "struct_ops_write.skel.h"
#include "struct_ops_bad_field.skel.h"
#include "struct_ops_bad_size.skel.h"
#include "struct_ops_bad_license.skel.h"
#include "struct_ops_bad_get_info.skel.h"
#include "struct_ops_bad_release.skel.h"

/* The object that @elf_bytes gives (a skeleton's) must fail to load with
 * @want_errno.
 */
static void load_must_fail(const void *(*elf_bytes)(size_t *sz),
			   const char *name, int want_errno)
{
	struct bpf_object *obj;
	const void *data;
	size_t size;
	int err;

	data = elf_bytes(&size);
	obj = bpf_object__open_mem(data, size, NULL);
	if (!ASSERT_OK_PTR(obj, name))
		return;
	err = bpf_object__load(obj);
	ASSERT_EQ(err, -want_errno, name);
	bpf_object__close(obj);
}

static void test_verifier_rules(void)
{
	load_must_fail(struct_ops_bad_field__elf_bytes, "struct_ops_bad_field", EACCES);
	load_must_fail(struct_ops_bad_size__elf_bytes, "struct_ops_bad_size", EACCES);
	load_must_fail(struct_ops_bad_license__elf_bytes, "struct_ops_bad_license", EINVAL);
	load_must_fail(struct_ops_bad_get_info__elf_bytes, "struct_ops_bad_get_info", ENOTSUPP);
	load_must_fail(struct_ops_bad_release__elf_bytes, "struct_ops_bad_release", EINVAL);
}

/* Send @bytes from @cli and read them all at @srv. */
static bool transfer(int cli, int srv, size_t bytes)
{
	static char buf[16384];
	size_t sent = 0, got = 0;
	ssize_t n;

	while (got < bytes) {
		if (sent < bytes) {
			n = send(cli, buf, MIN(sizeof(buf), bytes - sent),
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN)
				return false;
			sent += n > 0 ? n : 0;
		}
		n = recv(srv, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return false;
		got += n > 0 ? n : 0;
	}
	return true;
}

/* A loopback server and one connection to it whose client runs @cc. */
struct conn {
	int lfd;
	int cli;
	int srv;
};

static bool conn_open(struct conn *c, const char *cc)
{
	struct network_helper_opts opts = { .cc = cc, .timeout_ms = 5000 };

	c->cli = -1;
	c->srv = -1;
	c->lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 5000);
	if (!ASSERT_GE(c->lfd, 0, "server"))
		return false;
	c->cli = connect_to_fd_opts(c->lfd, &opts);
	if (!ASSERT_GE(c->cli, 0, "connect"))
		return false;
	c->srv = accept(c->lfd, NULL, NULL);
	return ASSERT_GE(c->srv, 0, "accept");
}

static void conn_close(struct conn *c)
{
	if (c->cli >= 0)
		close(c->cli);
	if (c->srv >= 0)
		close(c->srv);
	if (c->lfd >= 0)
		close(c->lfd);
	c->lfd = -1;
	c->cli = -1;
	c->srv = -1;
}

static void test_controls_connection(void)
{
	struct conn c = { -1, -1, -1 };
	struct struct_ops_cc *skel;
	struct bpf_link *link;
	socklen_t len = 16;
	char cc[16] = "";

	skel = struct_ops_cc__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_cc"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_cc);
	if (!ASSERT_OK_PTR(link, "attach") || !conn_open(&c, "st_cc"))
		goto out;
	ASSERT_OK(getsockopt(c.cli, IPPROTO_TCP, TCP_CONGESTION, cc, &len), "getsockopt");
	ASSERT_STREQ(cc, "st_cc", "client CC");
	ASSERT_TRUE(transfer(c.cli, c.srv, 1 << 20), "1 MiB through st_cc");

	ASSERT_EQ(skel->bss->init_cnt, 1, "init ran once");
	ASSERT_GT(skel->bss->cong_avoid_cnt, 0, "cong_avoid ran (kfunc tcp_reno_cong_avoid)");
	ASSERT_EQ(skel->data->getsockopt_ret, 0, "bpf_getsockopt");
	ASSERT_STREQ(skel->bss->cc_seen, "st_cc", "bpf_getsockopt(TCP_CONGESTION)");
	conn_close(&c);
	/* .release runs when the client socket is destroyed. */
	for (int i = 0; i < 500 && !skel->bss->release_cnt; i++)
		usleep(10000);
	ASSERT_EQ(skel->bss->release_cnt, 1, "release ran once");
out:
	conn_close(&c);
	bpf_link__destroy(link);
	struct_ops_cc__destroy(skel);
}

static void test_write_fields(void)
{
	struct conn c = { -1, -1, -1 };
	struct struct_ops_write *skel;
	struct bpf_link *link;

	skel = struct_ops_write__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_write: every writable field"))
		return;
	link = bpf_map__attach_struct_ops(skel->maps.st_write);
	if (!ASSERT_OK_PTR(link, "attach") || !conn_open(&c, "st_write"))
		goto out;
	ASSERT_TRUE(transfer(c.cli, c.srv, 1 << 20), "1 MiB through st_write");
	ASSERT_EQ(skel->bss->stg_ok, 1, "bpf_sk_storage_get");
	ASSERT_EQ(skel->data->send_ack_ret, 0, "bpf_tcp_send_ack");
	ASSERT_GT(skel->bss->cong_avoid_cnt, 0, "cong_avoid ran (kfunc tcp_slow_start)");
out:
	conn_close(&c);
	bpf_link__destroy(link);
	struct_ops_write__destroy(skel);
}

struct racer {
	pthread_barrier_t *go;
	int map_fd;
	struct st_value *v;
	int err;
};

static void *race_update(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->err = st_map_update(r->map_fd, 0, r->v);
	return NULL;
}

static void test_same_name_race(void)
{
	const int rounds = 20;
	struct struct_ops_cc *skel;
	struct racer r[2] = {};
	pthread_barrier_t go;
	pthread_t th[2];
	struct st_value v;
	int i, k, wins = 0, eexist = 0;

	if (!ASSERT_OK(st_value_init(&v, "tcp_congestion_ops"), "value type"))
		return;
	skel = struct_ops_cc__open_and_load();
	if (!ASSERT_OK_PTR(skel, "struct_ops_cc"))
		goto out;
	st_set_u64(&v, "ssthresh", bpf_program__fd(skel->progs.st_ssthresh));
	st_set_u64(&v, "cong_avoid", bpf_program__fd(skel->progs.st_cong_avoid));
	st_set_u64(&v, "undo_cwnd", bpf_program__fd(skel->progs.st_undo_cwnd));
	st_set_name(&v, "st_race");
	pthread_barrier_init(&go, NULL, 2);

	for (i = 0; i < rounds; i++) {
		for (k = 0; k < 2; k++) {
			r[k] = (struct racer){ .go = &go, .v = &v, .map_fd = st_map_create(&v) };
			pthread_create(&th[k], NULL, race_update, &r[k]);
		}
		for (k = 0; k < 2; k++)
			pthread_join(th[k], NULL);
		for (k = 0; k < 2; k++) {
			wins += r[k].err == 0;
			eexist += r[k].err == -EEXIST;
			if (r[k].err == 0)
				st_map_delete(r[k].map_fd);
			close(r[k].map_fd);
		}
	}
	ASSERT_EQ(wins, rounds, "exactly one winner per round");
	ASSERT_EQ(eexist, rounds, "the other gets -EEXIST");
	ASSERT_FALSE(tcp_cc_available("st_race"), "all unregistered");
	pthread_barrier_destroy(&go);
out:
	struct_ops_cc__destroy(skel);
	st_value_free(&v);
}

/* Run @cmd, keep its output in @out; its exit status. */
static int run(const char *cmd, char *out, size_t len)
{
	size_t n = 0;
	FILE *p;

	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < len && fgets(out + n, len - n, p))
		n += strlen(out + n);
	out[n] = 0;
	return WEXITSTATUS(pclose(p));
}

static void test_bpftool(void)
{
	static char out[16384];
	int i;

	if (access("/usr/sbin/bpftool", X_OK)) {
		test__skip();
		return;
	}
	ASSERT_FALSE(tcp_cc_available("st_cc"), "not yet registered");
	if (!ASSERT_OK(run("bpftool struct_ops register struct_ops_cc.bpf.o 2>&1", out,
			   sizeof(out)), "register"))
		printf("%s", out);
	ASSERT_TRUE(tcp_cc_available("st_cc"), "registered by bpftool");

	ASSERT_OK(run("bpftool struct_ops show name st_cc 2>&1", out, sizeof(out)), "show");
	ASSERT_HAS_SUBSTR(out, "tcp_congestion_ops", "show names the type");
	ASSERT_OK(run("bpftool struct_ops dump name st_cc 2>&1", out, sizeof(out)), "dump");
	ASSERT_HAS_SUBSTR(out, "st_cc", "dump shows the CC name");
	ASSERT_HAS_SUBSTR(out, "BPF_STRUCT_OPS_STATE_INUSE", "dump shows the state");
	ASSERT_NULL(strstr(out, "0xffffffff"), "dump shows no kernel address");

	ASSERT_OK(run("bpftool struct_ops unregister name st_cc 2>&1", out, sizeof(out)),
		  "unregister");
	ASSERT_FALSE(tcp_cc_available("st_cc"), "unregistered by bpftool");
	/* Nothing holds the map any more: it goes after a grace period. */
	for (i = 0; i < 500; i++) {
		if (run("bpftool struct_ops show name st_cc 2>&1", out, sizeof(out)))
			break;
		usleep(10000);
	}
	ASSERT_LT(i, 500, "map freed after unregister");
}

void serial_test_struct_ops_tcp_ca(void)
{
	if (test__start_subtest("verifier_rules"))
		test_verifier_rules();
	if (test__start_subtest("controls_connection"))
		test_controls_connection();
	if (test__start_subtest("write_fields"))
		test_write_fields();
	if (test__start_subtest("same_name_race"))
		test_same_name_race();
	if (test__start_subtest("bpftool"))
		test_bpftool();
}
