// SPDX-License-Identifier: GPL-2.0
/* struct_ops links: a BPF_F_LINK map is only prepared by its update, a
 * link registers it, BPF_LINK_UPDATE swaps it atomically, and detach,
 * close and unpin unregister it, none of them waiting for a grace period.
 * Each rule with its errno, on raw values built from vmlinux BTF; the
 * progs are st_cc's (struct_ops_cc.c), from two skeletons so that each
 * table has counters of its own.
 */
#include <poll.h>
#include <pthread.h>
#include <netinet/tcp.h>
#include <test_progs.h>
#include "network_helpers.h"
#include "struct_ops_helpers.h"
#include "struct_ops_cc.skel.h"

#define LN_NAME		"st_ln"
#define LN_PIN		"/sys/fs/bpf/st_ln_link"
#define NR_FLIPS	60

struct ln_fixture {
	struct st_value v;
	struct struct_ops_cc *a, *b;	/* the progs of table A and of table B */
	int lfd;			/* a listener on 127.0.0.1 */
};

/* Fill @v with @skel's progs under @name; @full: with ssthresh, which a
 * congestion control cannot do without.
 */
static void ln_value(struct st_value *v, struct struct_ops_cc *skel,
		     const char *name, bool full)
{
	memset(v->buf, 0, v->size);
	st_set_u64(v, "init", bpf_program__fd(skel->progs.st_init));
	if (full)
		st_set_u64(v, "ssthresh", bpf_program__fd(skel->progs.st_ssthresh));
	st_set_u64(v, "cong_avoid", bpf_program__fd(skel->progs.st_cong_avoid));
	st_set_u64(v, "undo_cwnd", bpf_program__fd(skel->progs.st_undo_cwnd));
	st_set_u64(v, "release", bpf_program__fd(skel->progs.st_release));
	st_set_name(v, name);
}

/* A READY link-backed map of @skel's table named @name: fd or -errno. */
static int ln_map(struct ln_fixture *f, struct struct_ops_cc *skel,
		  const char *name)
{
	int fd, err;

	fd = st_map_create_flags(&f->v, BPF_F_LINK);
	if (fd < 0)
		return fd;
	ln_value(&f->v, skel, name, true);
	err = st_map_update(fd, 0, &f->v);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int ln_create(int map_fd)
{
	int fd = bpf_link_create(map_fd, 0, BPF_STRUCT_OPS, NULL);

	return fd < 0 ? -errno : fd;
}

static int ln_update(int link_fd, int new_map_fd, int old_map_fd)
{
	LIBBPF_OPTS(bpf_link_update_opts, opts,
		    .flags = old_map_fd >= 0 ? BPF_F_REPLACE : 0,
		    .old_prog_fd = old_map_fd >= 0 ? old_map_fd : 0);

	return bpf_link_update(link_fd, new_map_fd, &opts) ? -errno : 0;
}

static __u32 ln_info_map_id(int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len) ||
	    info.type != BPF_LINK_TYPE_STRUCT_OPS)
		return (__u32)-1;
	return info.struct_ops.map_id;
}

/* The map_id line of the link's /proc/self/fdinfo, or -1. */
static __u32 ln_fdinfo_map_id(int link_fd)
{
	char path[64], line[128];
	__u32 id = (__u32)-1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", link_fd);
	f = fopen(path, "r");
	if (!f)
		return id;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "map_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

static void ln_read(int map_fd, struct st_value *v)
{
	__u32 key = 0;

	if (bpf_map_lookup_elem(map_fd, &key, v->buf))
		memset(v->buf, 0xff, 8);
}

/* Connect a client running @cc to the listener; its fd, or -1. */
static int ln_connect(struct ln_fixture *f, const char *cc, int *srv)
{
	struct network_helper_opts opts = { .cc = cc, .timeout_ms = 5000 };
	int fd;

	fd = connect_to_fd_opts(f->lfd, &opts);
	*srv = fd < 0 ? -1 : accept(f->lfd, NULL, NULL);
	if (*srv < 0 && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void test_map_rules(struct ln_fixture *f)
{
	int map_fd, err;

	err = st_map_create_flags(&f->v, 1U << 14);
	ASSERT_EQ(err, -EINVAL, "unknown map flag");

	map_fd = st_map_create_flags(&f->v, BPF_F_LINK);
	if (!ASSERT_GE(map_fd, 0, "create BPF_F_LINK"))
		return;

	/* validate: a table tcp would refuse fails on update, and the map
	 * is left as new, so that a good table then goes in.
	 */
	ln_value(&f->v, f->a, LN_NAME, false);
	ASSERT_EQ(st_map_update(map_fd, 0, &f->v), -EINVAL, "no ssthresh");
	ln_read(map_fd, &f->v);
	ASSERT_EQ(st_value_state(&f->v), ST_STATE_INIT, "still INIT");

	ln_value(&f->v, f->a, LN_NAME, true);
	ASSERT_OK(st_map_update(map_fd, 0, &f->v), "update");
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "update registers nothing");
	ln_read(map_fd, &f->v);
	ASSERT_EQ(st_value_state(&f->v), ST_STATE_READY, "state READY");
	ASSERT_EQ(st_value_refcnt(&f->v), 0, "no holder");
	ASSERT_EQ(st_get_u64(&f->v, "init"), bpf_fd_id(bpf_program__fd(f->a->progs.st_init)),
		  "lookup gives prog ids");

	ln_value(&f->v, f->a, LN_NAME, true);
	ASSERT_EQ(st_map_update(map_fd, 0, &f->v), -EBUSY, "second update");
	ASSERT_EQ(st_map_delete(map_fd), -EOPNOTSUPP, "delete");
	ln_read(map_fd, &f->v);
	ASSERT_EQ(st_value_state(&f->v), ST_STATE_READY, "READY after both");
	close(map_fd);
}

static void test_create_errnos(struct ln_fixture *f)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = 1);
	int arr_fd = -1, plain_fd = -1, init_fd = -1, ready_fd = -1;
	int dup_fd = -1, link_fd = -1, link2_fd;

	arr_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	plain_fd = st_map_create(&f->v);
	init_fd = st_map_create_flags(&f->v, BPF_F_LINK);
	ready_fd = ln_map(f, f->a, LN_NAME);
	if (!ASSERT_GE(arr_fd, 0, "array") || !ASSERT_GE(plain_fd, 0, "plain") ||
	    !ASSERT_GE(init_fd, 0, "init") || !ASSERT_GE(ready_fd, 0, "ready"))
		goto out;

	ASSERT_EQ(ln_create(arr_fd), -EINVAL, "not struct_ops");
	ASSERT_EQ(ln_create(plain_fd), -EINVAL, "no BPF_F_LINK");
	ASSERT_EQ(ln_create(init_fd), -EINVAL, "not READY");
	ASSERT_EQ(bpf_link_create(ready_fd, 0, BPF_STRUCT_OPS, &opts) < 0 ? -errno : 0,
		  -EINVAL, "flags");

	/* The name is taken by a map-mode registration: tcp's -EEXIST. */
	ln_value(&f->v, f->b, LN_NAME, true);
	dup_fd = st_map_create(&f->v);
	if (!ASSERT_GE(dup_fd, 0, "dup map") ||
	    !ASSERT_OK(st_map_update(dup_fd, 0, &f->v), "dup registers"))
		goto out;
	ASSERT_EQ(ln_create(ready_fd), -EEXIST, "name taken");
	ln_read(ready_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 0, "failed link holds nothing");
	ASSERT_OK(st_map_delete(dup_fd), "dup unregisters");

	link_fd = ln_create(ready_fd);
	if (!ASSERT_GE(link_fd, 0, "link"))
		goto out;
	ASSERT_TRUE(tcp_cc_available(LN_NAME), "registered");
	/* One map, one live link: tcp refuses the name twice. */
	link2_fd = ln_create(ready_fd);
	ASSERT_EQ(link2_fd, -EEXIST, "second link");
	if (link2_fd >= 0)
		close(link2_fd);
out:
	close_fd(&link_fd);
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "close unregisters");
	close_fd(&dup_fd);
	close_fd(&ready_fd);
	close_fd(&init_fd);
	close_fd(&plain_fd);
	close_fd(&arr_fd);
}

/* attach, traffic on A; update to B; new connections run B and A's
 * counter stops; destroy; B re-used by a second link.
 */
static void test_attach_update(struct ln_fixture *f)
{
	int a_fd = -1, b_fd = -1, link_fd = -1, cli = -1, srv = -1;
	char cc[16] = {};
	socklen_t len = sizeof(cc);
	__u32 a_id, b_id;
	int a_init, i;

	a_fd = ln_map(f, f->a, LN_NAME);
	b_fd = ln_map(f, f->b, LN_NAME);
	if (!ASSERT_GE(a_fd, 0, "map A") || !ASSERT_GE(b_fd, 0, "map B"))
		goto out;
	a_id = bpf_fd_id(a_fd);
	b_id = bpf_fd_id(b_fd);
	f->a->bss->init_cnt = 0;
	f->b->bss->init_cnt = 0;

	link_fd = ln_create(a_fd);
	if (!ASSERT_GE(link_fd, 0, "link A"))
		goto out;
	ASSERT_EQ(ln_info_map_id(link_fd), a_id, "info map_id A");
	ASSERT_EQ(ln_fdinfo_map_id(link_fd), a_id, "fdinfo map_id A");

	cli = ln_connect(f, LN_NAME, &srv);
	if (!ASSERT_GE(cli, 0, "connect on A"))
		goto out;
	ASSERT_EQ(f->a->bss->init_cnt, 1, "A's init ran");
	ASSERT_OK(getsockopt(cli, SOL_TCP, TCP_CONGESTION, cc, &len), "getsockopt");
	ASSERT_STREQ(cc, LN_NAME, "socket runs it");
	ln_read(a_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 2, "A: the link and a socket");

	ASSERT_OK(ln_update(link_fd, b_fd, -1), "update to B");
	ASSERT_EQ(ln_info_map_id(link_fd), b_id, "info map_id B");
	ASSERT_EQ(ln_fdinfo_map_id(link_fd), b_id, "fdinfo map_id B");
	ln_read(a_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 1, "A: the socket only");
	ASSERT_EQ(st_value_state(&f->v), ST_STATE_READY, "A stays READY");
	close_fd(&cli);
	close_fd(&srv);

	a_init = f->a->bss->init_cnt;
	for (i = 0; i < 4; i++) {
		cli = ln_connect(f, LN_NAME, &srv);
		if (!ASSERT_GE(cli, 0, "connect on B"))
			goto out;
		close_fd(&cli);
		close_fd(&srv);
	}
	ASSERT_EQ(f->b->bss->init_cnt, 4, "B runs new connections");
	ASSERT_EQ(f->a->bss->init_cnt, a_init, "A's counters stopped");

	close_fd(&link_fd);
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "destroy unregisters");
	ln_read(b_fd, &f->v);
	ASSERT_EQ(st_value_state(&f->v), ST_STATE_READY, "B stays READY");

	/* B backs a second link. */
	link_fd = ln_create(b_fd);
	if (!ASSERT_GE(link_fd, 0, "second link on B"))
		goto out;
	cli = ln_connect(f, LN_NAME, &srv);
	ASSERT_GE(cli, 0, "connect on B again");
	ASSERT_EQ(f->b->bss->init_cnt, 5, "B runs it");
out:
	close_fd(&cli);
	close_fd(&srv);
	close_fd(&link_fd);
	close_fd(&b_fd);
	close_fd(&a_fd);
}

static void test_update_errnos(struct ln_fixture *f)
{
	int a_fd = -1, b_fd = -1, other_fd = -1, plain_fd = -1, init_fd = -1;
	int dummy_fd = -1, link_fd = -1, cli = -1, srv = -1;
	struct st_value dv = {};

	a_fd = ln_map(f, f->a, LN_NAME);
	b_fd = ln_map(f, f->b, LN_NAME);
	other_fd = ln_map(f, f->b, "st_ln_other");
	plain_fd = st_map_create(&f->v);
	init_fd = st_map_create_flags(&f->v, BPF_F_LINK);
	if (!ASSERT_GE(a_fd, 0, "map A") || !ASSERT_GE(b_fd, 0, "map B") ||
	    !ASSERT_GE(other_fd, 0, "other") || !ASSERT_GE(plain_fd, 0, "plain") ||
	    !ASSERT_GE(init_fd, 0, "init"))
		goto out;
	if (!ASSERT_OK(st_value_init(&dv, "bpf_dummy_ops"), "dummy type"))
		goto out;
	/* bpf_dummy_ops takes no value (it registers nowhere): its map
	 * stays INIT, but is of another value type first.
	 */
	dummy_fd = st_map_create_flags(&dv, BPF_F_LINK);
	if (!ASSERT_GE(dummy_fd, 0, "dummy map"))
		goto out;
	ASSERT_EQ(st_map_update(dummy_fd, 0, &dv), -EOPNOTSUPP, "dummy update");

	link_fd = ln_create(a_fd);
	if (!ASSERT_GE(link_fd, 0, "link A"))
		goto out;

	ASSERT_EQ(ln_update(link_fd, plain_fd, -1), -EINVAL, "new map not BPF_F_LINK");
	ASSERT_EQ(ln_update(link_fd, init_fd, -1), -EINVAL, "new map not READY");
	ASSERT_EQ(ln_update(link_fd, dummy_fd, -1), -EINVAL, "other value type");
	ASSERT_EQ(ln_update(link_fd, other_fd, -1), -EINVAL, "other name (tcp)");
	ASSERT_EQ(ln_update(link_fd, b_fd, b_fd), -EPERM, "REPLACE, wrong old map");
	ASSERT_EQ(ln_update(link_fd, a_fd, -1), 0, "to the map it holds: nothing");

	/* After all that A still serves, under the link. */
	ASSERT_EQ(ln_info_map_id(link_fd), bpf_fd_id(a_fd), "still A");
	f->a->bss->init_cnt = 0;
	cli = ln_connect(f, LN_NAME, &srv);
	ASSERT_GE(cli, 0, "connect");
	ASSERT_EQ(f->a->bss->init_cnt, 1, "on A");
	ln_read(b_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 0, "B holds nothing");

	ASSERT_OK(ln_update(link_fd, b_fd, a_fd), "REPLACE, right old map");
	ASSERT_EQ(ln_info_map_id(link_fd), bpf_fd_id(b_fd), "now B");

	ASSERT_OK(bpf_link_detach(link_fd), "detach");
	ASSERT_EQ(ln_update(link_fd, a_fd, -1), -ENOLINK, "update after detach");
out:
	close_fd(&cli);
	close_fd(&srv);
	close_fd(&link_fd);
	close_fd(&dummy_fd);
	st_value_free(&dv);
	close_fd(&init_fd);
	close_fd(&plain_fd);
	close_fd(&other_fd);
	close_fd(&b_fd);
	close_fd(&a_fd);
}

struct ln_detacher {
	int link_fd;
	int err;
};

static void *ln_detach_later(void *arg)
{
	struct ln_detacher *d = arg;

	usleep(200000);
	d->err = bpf_link_detach(d->link_fd) ? -errno : 0;
	return NULL;
}

/* Detach from another thread wakes a poll() that waits on the link. */
static void test_detach_poll(struct ln_fixture *f)
{
	struct ln_detacher d = { .link_fd = -1 };
	int map_fd = -1, ret;
	struct pollfd pfd;
	pthread_t thr;

	map_fd = ln_map(f, f->a, LN_NAME);
	if (!ASSERT_GE(map_fd, 0, "map"))
		return;
	d.link_fd = ln_create(map_fd);
	if (!ASSERT_GE(d.link_fd, 0, "link"))
		goto out;

	pfd = (struct pollfd){ .fd = d.link_fd, .events = POLLIN };
	ASSERT_EQ(poll(&pfd, 1, 0), 0, "attached: nothing to report");

	if (!ASSERT_OK(pthread_create(&thr, NULL, ln_detach_later, &d), "thread"))
		goto out;
	ret = poll(&pfd, 1, 10000);
	pthread_join(thr, NULL);
	ASSERT_OK(d.err, "detach");
	ASSERT_EQ(ret, 1, "poll woken");
	ASSERT_TRUE(pfd.revents & POLLHUP, "POLLHUP");
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "detach unregisters");
	ASSERT_EQ(ln_info_map_id(d.link_fd), 0, "no map after detach");
	ASSERT_OK(bpf_link_detach(d.link_fd), "second detach: nothing to do");
out:
	close_fd(&d.link_fd);
	close_fd(&map_fd);
}

/* The pin keeps the CC registered without any fd; unpinning the last
 * reference unregisters.
 */
static void test_pin(struct ln_fixture *f)
{
	int map_fd, link_fd, fd;

	unlink(LN_PIN);
	map_fd = ln_map(f, f->a, LN_NAME);
	if (!ASSERT_GE(map_fd, 0, "map"))
		return;
	link_fd = ln_create(map_fd);
	if (!ASSERT_GE(link_fd, 0, "link"))
		goto out;
	if (!ASSERT_OK(bpf_obj_pin(link_fd, LN_PIN), "pin"))
		goto out_link;
	close_fd(&link_fd);
	close_fd(&map_fd);
	ASSERT_TRUE(tcp_cc_available(LN_NAME), "pinned link keeps it");

	fd = bpf_obj_get(LN_PIN);
	if (ASSERT_GE(fd, 0, "get pinned")) {
		ASSERT_NEQ(ln_info_map_id(fd), 0, "map behind the pin");
		close(fd);
	}
	ASSERT_OK(unlink(LN_PIN), "unpin");
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "unpin unregisters");
	return;
out_link:
	close_fd(&link_fd);
out:
	close_fd(&map_fd);
}

/* How many times @name is in tcp_available_congestion_control. */
#define SEP	"\n\t "
static int ln_listed(const char *name)
{
	char buf[1024], *tok, *save;
	int n = 0;

	if (st_read_str("/proc/sys/net/ipv4/tcp_available_congestion_control",
			buf, sizeof(buf)) < 0)
		return -1;
	for (tok = strtok_r(buf, SEP, &save); tok; tok = strtok_r(NULL, SEP, &save))
		n += !strcmp(tok, name);
	return n;
}

/* No call waits for a grace period; a table handed back to TCP within one
 * of its unlinking waits for the rest of it first, so that no RCU reader
 * is still on its list node when it goes back on the list.  Each step
 * here comes right after the one before, many times over: every one must
 * succeed, the name be listed once, and sockets run the table linked.
 */
static void test_relink_at_once(struct ln_fixture *f)
{
	int a_fd = -1, b_fd = -1, link_fd = -1, cli = -1, srv = -1;
	int i, bad = 0;

	a_fd = ln_map(f, f->a, LN_NAME);
	b_fd = ln_map(f, f->b, LN_NAME);
	if (!ASSERT_GE(a_fd, 0, "map A") || !ASSERT_GE(b_fd, 0, "map B"))
		goto out;
	for (i = 0; i < 20 && !bad; i++) {
		link_fd = ln_create(a_fd);
		if (!ASSERT_GE(link_fd, 0, "link A at once"))
			goto out;
		bad += !ASSERT_OK(ln_update(link_fd, b_fd, -1), "A to B");
		bad += !ASSERT_EQ(ln_listed(LN_NAME), 1, "listed once");
		bad += !ASSERT_OK(ln_update(link_fd, a_fd, -1), "B back to A");
		bad += !ASSERT_OK(bpf_link_detach(link_fd), "detach");
		bad += !ASSERT_EQ(ln_listed(LN_NAME), 0, "name free");
		close_fd(&link_fd);
	}
	/* what user space sees holds no count of a registration let go */
	ln_read(a_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 0, "A holds nothing");
	ln_read(b_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 0, "B holds nothing");

	/* B right after A's last detach, then A right after B's destroy */
	f->a->bss->init_cnt = 0;
	f->b->bss->init_cnt = 0;
	link_fd = ln_create(b_fd);
	if (!ASSERT_GE(link_fd, 0, "link B"))
		goto out;
	close_fd(&link_fd);
	link_fd = ln_create(a_fd);
	if (!ASSERT_GE(link_fd, 0, "link A after B"))
		goto out;
	cli = ln_connect(f, LN_NAME, &srv);
	ASSERT_GE(cli, 0, "connect");
	ASSERT_EQ(f->a->bss->init_cnt, 1, "A runs it");
	ASSERT_EQ(f->b->bss->init_cnt, 0, "B does not");
	ln_read(a_fd, &f->v);
	ASSERT_EQ(st_value_refcnt(&f->v), 2, "A: the link and a socket");
out:
	close_fd(&cli);
	close_fd(&srv);
	close_fd(&link_fd);
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "unregistered");
	close_fd(&b_fd);
	close_fd(&a_fd);
}

struct ln_flipper {
	int link_fd, a_fd, b_fd;
	int flips, err;
	bool done;	/* __atomic: the connecting thread polls it */
};

static void *ln_flip(void *arg)
{
	struct ln_flipper *fl = arg;
	int i, err;

	for (i = 0; i < NR_FLIPS; i++) {
		err = ln_update(fl->link_fd, i & 1 ? fl->a_fd : fl->b_fd, -1);
		if (err) {
			fl->err = err;
			break;
		}
		fl->flips++;
	}
	__atomic_store_n(&fl->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Connections by name while the link flips between A and B: not one
 * setsockopt(TCP_CONGESTION) may fail, and every socket runs A or B.
 * Each update hands TCP back the table it unlinked one update before, and
 * so waits for the rest of that grace period (test_relink_at_once()).
 * The loop pauses 1 ms after each connection: on a guest of one vCPU a
 * loop that never sleeps kept each update waiting for about a second, the
 * grace period's callback queued behind those of the loop's sockets
 * (6,000 connections and 60 s in one run of three; 50 and 3 s otherwise).
 */
static void test_concurrent(struct ln_fixture *f)
{
	struct ln_flipper fl = { .link_fd = -1, .a_fd = -1, .b_fd = -1 };
	int conns = 0, failed = 0, cli, srv;
	pthread_t thr;

	fl.a_fd = ln_map(f, f->a, LN_NAME);
	fl.b_fd = ln_map(f, f->b, LN_NAME);
	if (!ASSERT_GE(fl.a_fd, 0, "map A") || !ASSERT_GE(fl.b_fd, 0, "map B"))
		goto out;
	fl.link_fd = ln_create(fl.a_fd);
	if (!ASSERT_GE(fl.link_fd, 0, "link"))
		goto out;
	f->a->bss->init_cnt = 0;
	f->b->bss->init_cnt = 0;

	if (!ASSERT_OK(pthread_create(&thr, NULL, ln_flip, &fl), "thread"))
		goto out;
	while (!__atomic_load_n(&fl.done, __ATOMIC_ACQUIRE)) {
		cli = ln_connect(f, LN_NAME, &srv);
		if (cli < 0) {
			failed++;
			continue;
		}
		conns++;
		close(cli);
		close(srv);
		usleep(1000);
	}
	pthread_join(thr, NULL);

	printf("%s: %d updates, %d connections, %d failed\n", __func__,
	       fl.flips, conns, failed);
	ASSERT_OK(fl.err, "every update");
	ASSERT_EQ(fl.flips, NR_FLIPS, "updates");
	ASSERT_EQ(failed, 0, "failed connections");
	ASSERT_GT(conns, 0, "connections");
	ASSERT_EQ(f->a->bss->init_cnt + f->b->bss->init_cnt, conns, "each ran A or B");
out:
	close_fd(&fl.link_fd);
	ASSERT_FALSE(tcp_cc_available(LN_NAME), "unregistered");
	close_fd(&fl.b_fd);
	close_fd(&fl.a_fd);
}

void serial_test_struct_ops_link(void)
{
	struct ln_fixture f = { .lfd = -1 };

	if (!ASSERT_OK(st_value_init(&f.v, "tcp_congestion_ops"), "value type"))
		return;
	f.a = struct_ops_cc__open_and_load();
	f.b = struct_ops_cc__open_and_load();
	f.lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 5000);
	if (!ASSERT_OK_PTR(f.a, "progs A") || !ASSERT_OK_PTR(f.b, "progs B") ||
	    !ASSERT_GE(f.lfd, 0, "server"))
		goto out;

	if (test__start_subtest("map_rules"))
		test_map_rules(&f);
	if (test__start_subtest("create_errnos"))
		test_create_errnos(&f);
	if (test__start_subtest("attach_update"))
		test_attach_update(&f);
	if (test__start_subtest("update_errnos"))
		test_update_errnos(&f);
	if (test__start_subtest("detach_poll"))
		test_detach_poll(&f);
	if (test__start_subtest("pin"))
		test_pin(&f);
	if (test__start_subtest("concurrent"))
		test_concurrent(&f);
	if (test__start_subtest("relink_at_once"))
		test_relink_at_once(&f);
out:
	if (f.lfd >= 0)
		close(f.lfd);
	struct_ops_cc__destroy(f.b);
	struct_ops_cc__destroy(f.a);
	st_value_free(&f.v);
}
