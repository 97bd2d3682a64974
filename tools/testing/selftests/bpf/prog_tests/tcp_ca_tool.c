// SPDX-License-Identifier: GPL-2.0
/*
 * tools/bpf/tcp_ca, the loader: what it registers is there, what it lists
 * is what the kernel has, and a failure leaves nothing behind.  Both builds
 * are next to test_progs: map mode on Debian's libbpf 1.1.2 (tcp_ca/) and
 * link mode on libbpf 1.5 (tcp_ca_link/), whose CCs are .struct_ops.link
 * objects written as for mainline, loaded by 1.5's skeletons unchanged.
 *
 * For each build (link mode: the subtests' names start with "link_"):
 *  load_list_unload  load registers the CC; list shows it with its prog
 *                    ids and the sockets that hold it; unload removes it.
 *  load_twice        the second load fails with EEXIST and leaves no map.
 *  pin_fails         a pin that cannot be made unregisters what was
 *                    registered; the error names errno and libbpf's words.
 *  bad_names         an unknown CC is refused with the list of ours, and
 *                    unloading one that is not loaded is ENOENT.
 *  user_cc           an object built outside tcp_ca (progs/tcp_ca_user.c)
 *                    loads by its path, runs the connections that ask for
 *                    it, and loads once: the second is EEXIST.
 *  user_errors       objects tcp_ca cannot load, each refused with what
 *                    is wrong and nothing left: no CC in it, two, a
 *                    program the verifier refuses (its last words, not its
 *                    whole log), no file; in map mode, .struct_ops.link.
 * Link mode only:
 *  link_outlives     the pinned link keeps the CC after the loader exited,
 *                    and unload removes the pin with the registration.
 *  link_swap         swap puts a new build in place under traffic: the old
 *                    table keeps its socket, new ones get the new table;
 *                    a wrong object is refused and changes nothing.
 *  link_user_swap    the user's CC in .struct_ops.link loads with a link,
 *                    and swap takes a new build of it by path, but not a
 *                    .struct_ops one, which a link cannot take.
 *  link_bpftool75    bpftool 7.5, unmodified, registers a .struct_ops.link
 *                    object through a link it pins, and shows the link.
 */
#include <netinet/tcp.h>
#include <test_progs.h>
#include "network_helpers.h"

#define TCP_CA_MAP_BIN	"./tcp_ca/tcp_ca"
#define TCP_CA_LINK_BIN	"./tcp_ca_link/tcp_ca"
#define TCP_CA_LINK_DIR	"./tcp_ca_link"
#define PIN_DEFAULT	"/sys/fs/bpf/tcp_ca"

/* progs/tcp_ca_user.c: its CC's name, and the ssthresh it starts with */
#define USER_OBJ	"./tcp_ca_user.bpf.o"
#define USER_LINK_OBJ	"./tcp_ca_user_link.bpf.o"
#define USER_CC		"st_user"
#define USER_SSTHRESH	77

/* The build under test, and the state its loads leave a CC in. */
static const char *tcp_ca_bin;
static const char *loaded_state;

/* Run tcp_ca with args; its stdout and stderr go to out. */
static int tcp_ca(char *out, size_t size, const char *args)
{
	char cmd[256];
	size_t n = 0;
	FILE *f;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", tcp_ca_bin, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (n + 1 < size && fgets(out + n, size - n, f))
		n += strlen(out + n);
	out[n] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool cc_available(const char *name)
{
	char buf[256], *tok, *save;
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
	bool found = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, "\n ", &save); tok; tok = strtok_r(NULL, "\n ", &save))
			found |= !strcmp(tok, name);
	fclose(f);
	return found;
}

/* How many struct_ops maps the kernel has. */
static int struct_ops_maps(void)
{
	struct bpf_map_info info;
	__u32 id = 0, len;
	int fd, n = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_STRUCT_OPS)
			n++;
		close(fd);
	}
	return n;
}

/*
 * The line of `tcp_ca list` for name's map map_id, or NULL.  By id, not by
 * name alone: an earlier map of the same name may still be listed, out of
 * use but held by a socket that has not finished closing.
 */
static char *list_line(char *out, size_t size, const char *name, int map_id)
{
	char *line, *save;
	int id;

	if (tcp_ca(out, size, "list"))
		return NULL;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ' ' &&
		    sscanf(line + strlen(name), "%d", &id) == 1 && id == map_id)
			return line;
	return NULL;
}

/* The map id that `tcp_ca load` printed in out, or -1. */
static int loaded_map_id(const char *out)
{
	const char *s = strstr(out, "struct_ops map id ");
	int id;

	return s && sscanf(s, "struct_ops map id %d", &id) == 1 ? id : -1;
}

/* Close a listener and a connection on st_aimd (-1: none), then unload it. */
static void close_and_unload_aimd(int lfd, int cfd, int afd)
{
	char out[4096];

	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload st_aimd"), 0, out);
	ASSERT_FALSE(cc_available("st_aimd"), "st_aimd gone after unload");
}

static void test_load_list_unload(void)
{
	int lfd = -1, cfd = -1, afd = -1, map_id, sockets, n;
	struct network_helper_opts opts = { .cc = "st_aimd" };
	char out[4096], state[32], *line;

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "load st_aimd"), 0, out))
		return;
	ASSERT_HAS_SUBSTR(out, "loaded st_aimd", "load says so");
	map_id = loaded_map_id(out);
	if (!ASSERT_GT(map_id, 0, "load prints the map id"))
		goto out;
	ASSERT_TRUE(cc_available("st_aimd"), "st_aimd available after load");

	/* A listener, a client and the accepted socket, all on st_aimd. */
	lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0);
	if (!ASSERT_GE(lfd, 0, "start_server") ||
	    !ASSERT_OK(setsockopt(lfd, SOL_TCP, TCP_CONGESTION, "st_aimd", 7), "listener cc"))
		goto out;
	cfd = connect_to_fd_opts(lfd, &opts);
	if (!ASSERT_GE(cfd, 0, "connect"))
		goto out;
	afd = accept(lfd, NULL, NULL);
	if (!ASSERT_GE(afd, 0, "accept"))
		goto out;

	line = list_line(out, sizeof(out), "st_aimd", map_id);
	if (!ASSERT_OK_PTR(line, "st_aimd's map in tcp_ca list"))
		goto out;
	n = sscanf(line, "st_aimd %*d %31s %d", state, &sockets);
	if (!ASSERT_EQ(n, 2, line))
		goto out;
	ASSERT_STREQ(state, loaded_state, "state");
	ASSERT_EQ(sockets, 3, "sockets using st_aimd");
	ASSERT_HAS_SUBSTR(line, " ssthresh=", "ssthresh prog id");
	ASSERT_HAS_SUBSTR(line, " cong_avoid=", "cong_avoid prog id");
	ASSERT_HAS_SUBSTR(line, " undo_cwnd=", "undo_cwnd prog id");
out:
	close_and_unload_aimd(lfd, cfd, afd);
}

static void test_load_twice(void)
{
	char out[4096];
	int before;

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "load st_cubic"), 0, out))
		return;
	before = struct_ops_maps();
	ASSERT_EQ(tcp_ca(out, sizeof(out), "load st_cubic"), 1, "second load fails");
	ASSERT_HAS_SUBSTR(out, "registering st_cubic", "says what failed");
	ASSERT_HAS_SUBSTR(out, "EEXIST", "names the errno");
	/* The failed load's map was freed with its skeleton. */
	ASSERT_EQ(struct_ops_maps(), before, "no map left behind");
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload st_cubic"), 0, out);
}

static void test_pin_fails(void)
{
	char out[4096];
	int before = struct_ops_maps();

	/* bpffs has no such directory: the pin fails after the register. */
	ASSERT_EQ(tcp_ca(out, sizeof(out), "load st_dctcp --pin /sys/fs/bpf/no/such/dir"), 1,
		  "load with a bad pin dir fails");
	ASSERT_HAS_SUBSTR(out, "pinning st_dctcp", "says what failed");
	ASSERT_HAS_SUBSTR(out, "ENOENT", "names the errno");
	ASSERT_HAS_SUBSTR(out, "libbpf: ", "passes on libbpf's message");
	ASSERT_FALSE(cc_available("st_dctcp"), "st_dctcp unregistered again");
	ASSERT_EQ(struct_ops_maps(), before, "no map left behind");
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload st_dctcp"), 1, "nothing to unload");
}

static void test_bad_names(void)
{
	char out[4096];

	ASSERT_EQ(tcp_ca(out, sizeof(out), "load no_such_cc"), 2, "unknown CC");
	ASSERT_HAS_SUBSTR(out, "st_cubic", "lists ours");
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload cubic"), 1, "a native CC is not ours");
	ASSERT_HAS_SUBSTR(out, "ENOENT", "names the errno");
	ASSERT_TRUE(cc_available("cubic"), "cubic untouched");
}

/*
 * The map id of name's line in `tcp_ca list` whose state is want, and a
 * copy of the line.  After a swap there are two: the new map, linked, and
 * the old one, ready, while sockets still run it.
 */
static bool list_state(const char *name, const char *want, int *map_id,
		       char *line, size_t size)
{
	char out[4096], state[32], *l, *save;

	if (tcp_ca(out, sizeof(out), "list"))
		return false;
	for (l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, name, strlen(name)) || l[strlen(name)] != ' ' ||
		    sscanf(l, "%*s %d %31s", map_id, state) != 2 || strcmp(state, want))
			continue;
		snprintf(line, size, "%s", l);
		return true;
	}
	return false;
}

static void test_link_outlives(void)
{
	char out[4096], line[512];
	int map_id;

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "load st_aimd"), 0, out))
		return;
	/* The loader has exited: only the pin holds the link. */
	ASSERT_HAS_SUBSTR(out, "pinned at " PIN_DEFAULT "/st_aimd", "load says where");
	ASSERT_OK(access(PIN_DEFAULT "/st_aimd", F_OK), "the pin");
	ASSERT_TRUE(cc_available("st_aimd"), "registered after the loader exited");
	if (ASSERT_TRUE(list_state("st_aimd", "linked", &map_id, line, sizeof(line)),
			"listed as linked"))
		ASSERT_HAS_SUBSTR(line, " link=", "its link id");
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload st_aimd"), 0, out);
	ASSERT_FALSE(cc_available("st_aimd"), "unregistered");
	ASSERT_EQ(access(PIN_DEFAULT "/st_aimd", F_OK), -1, "pin removed");
}

static void test_link_swap(void)
{
	struct network_helper_opts opts = { .cc = "st_aimd" };
	int lfd = -1, cfd = -1, afd = -1, old_id, new_id = 0, id, sockets, n;
	char out[4096], line[512];

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "load st_aimd"), 0, out))
		return;
	if (!ASSERT_TRUE(list_state("st_aimd", "linked", &old_id, line, sizeof(line)), "listed"))
		goto out;

	/* A connection on the old table, which it keeps through the swap. */
	lfd = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0);
	if (!ASSERT_GE(lfd, 0, "start_server"))
		goto out;
	cfd = connect_to_fd_opts(lfd, &opts);
	afd = cfd < 0 ? -1 : accept(lfd, NULL, NULL);
	if (!ASSERT_GE(afd, 0, "connect"))
		goto out;

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "swap st_aimd " TCP_CA_LINK_DIR "/st_aimd.bpf.o"),
		       0, out))
		goto out;
	ASSERT_HAS_SUBSTR(out, "swapped st_aimd", "swap says so");
	ASSERT_TRUE(cc_available("st_aimd"), "still registered");
	ASSERT_TRUE(list_state("st_aimd", "linked", &new_id, line, sizeof(line)), "new map linked");
	ASSERT_NEQ(new_id, old_id, "a new map");
	snprintf(line, sizeof(line), "map id %d -> %d", old_id, new_id);
	ASSERT_HAS_SUBSTR(out, line, "swap names both maps");

	/* The old map lives on, unregistered, for the socket that runs it. */
	if (ASSERT_TRUE(list_state("st_aimd", "ready", &id, line, sizeof(line)), "old map ready")) {
		ASSERT_EQ(id, old_id, "the old map");
		n = sscanf(line, "%*s %*d %*s %d", &sockets);
		if (ASSERT_EQ(n, 1, line))
			ASSERT_EQ(sockets, 1, "its socket");
	}
	ASSERT_TRUE(send(cfd, "x", 1, MSG_NOSIGNAL) == 1 && recv(afd, line, 1, 0) == 1,
		    "old socket works");

	/* A CC of another name: refused, nothing changes. */
	ASSERT_EQ(tcp_ca(out, sizeof(out), "swap st_aimd " TCP_CA_LINK_DIR "/st_cubic.bpf.o"),
		  1, "another CC's object");
	ASSERT_HAS_SUBSTR(out, "EINVAL", "names the errno");
	if (ASSERT_TRUE(list_state("st_aimd", "linked", &id, line, sizeof(line)), "listed"))
		ASSERT_EQ(id, new_id, "link unchanged");
out:
	close_and_unload_aimd(lfd, cfd, afd);
}

/* A connection on cc: listener, client and accepted socket into fds. */
static bool connect_on(const char *cc, int fds[3])
{
	struct network_helper_opts opts = { .cc = cc };

	fds[0] = start_server(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0);
	if (!ASSERT_GE(fds[0], 0, "start_server") ||
	    !ASSERT_OK(setsockopt(fds[0], SOL_TCP, TCP_CONGESTION, cc, strlen(cc)),
		       "listener cc"))
		return false;
	fds[1] = connect_to_fd_opts(fds[0], &opts);
	if (!ASSERT_GE(fds[1], 0, "connect"))
		return false;
	fds[2] = accept(fds[0], NULL, NULL);
	return ASSERT_GE(fds[2], 0, "accept");
}

static void close_fds(int fds[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void test_user_cc(void)
{
	char out[4096], buf[64] = "data", *line;
	int fds[3] = { -1, -1, -1 }, map_id, before;
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "load " USER_OBJ), 0, out))
		return;
	ASSERT_HAS_SUBSTR(out, "loaded " USER_CC " from " USER_OBJ, "load says so");
	map_id = loaded_map_id(out);
	ASSERT_TRUE(cc_available(USER_CC), "registered under its .name");

	/* Its init ran on the connection: the mark it leaves in ssthresh. */
	if (connect_on(USER_CC, fds)) {
		ASSERT_OK(getsockopt(fds[1], SOL_TCP, TCP_INFO, &ti, &len), "TCP_INFO");
		ASSERT_EQ(ti.tcpi_snd_ssthresh, USER_SSTHRESH, "ssthresh from its init");
		ASSERT_TRUE(send(fds[1], buf, sizeof(buf), MSG_NOSIGNAL) == sizeof(buf) &&
			    recv(fds[2], buf, sizeof(buf), MSG_WAITALL) == sizeof(buf),
			    "data flows");
	}
	line = list_line(out, sizeof(out), USER_CC, map_id);
	if (ASSERT_OK_PTR(line, "listed by its map id"))
		ASSERT_HAS_SUBSTR(line, " init=", "init prog id");

	/* The name is taken: refused before the verifier runs, nothing left. */
	before = struct_ops_maps();
	ASSERT_EQ(tcp_ca(out, sizeof(out), "load " USER_OBJ), 1, "second load");
	ASSERT_HAS_SUBSTR(out, "registering " USER_CC, "says what failed");
	ASSERT_HAS_SUBSTR(out, "EEXIST", "names the errno");
	ASSERT_EQ(struct_ops_maps(), before, "no map left behind");

	close_fds(fds);
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload " USER_CC), 0, out);
	ASSERT_FALSE(cc_available(USER_CC), "unloaded");
}

/* Lines of text in out. */
static int lines_in(const char *out)
{
	int n = 0;

	for (; *out; out++)
		n += *out == '\n';
	return n;
}

/* tcp_ca args fails with status 1, saying why and errno; its words in out. */
static void load_fails(char *out, size_t size, const char *args, const char *why,
		       const char *err)
{
	int before = struct_ops_maps();

	if (!ASSERT_EQ(tcp_ca(out, size, args), 1, args))
		return;
	ASSERT_HAS_SUBSTR(out, why, args);
	ASSERT_HAS_SUBSTR(out, err, "names the errno");
	ASSERT_EQ(struct_ops_maps(), before, "no map left behind");
}

static void test_user_errors(bool link_mode)
{
	char out[4096];

	load_fails(out, sizeof(out), "load ./tcp_ca_user_two.bpf.o",
		   "has 2 struct tcp_congestion_ops", "EINVAL");
	ASSERT_FALSE(cc_available("st_two_a") || cc_available("st_two_b"), "neither CC");
	load_fails(out, sizeof(out), "load ./bpf_iter_setsockopt.bpf.o",
		   "has no struct tcp_congestion_ops", "ENOENT");
	load_fails(out, sizeof(out), "load ./no_such_cc.bpf.o", "cannot read it", "ENOENT");

	/* The verifier's reason, the program's name, and not the whole log. */
	load_fails(out, sizeof(out), "load ./tcp_ca_user_bad.bpf.o", "loading st_bad from",
		   "EACCES");
	ASSERT_HAS_SUBSTR(out, "no write support to tcp_sock at off", "the verifier's reason");
	ASSERT_HAS_SUBSTR(out, "st_bad_cong_avoid", "the program it refused");
	ASSERT_LE(lines_in(out), 20, "the log's tail only");
	ASSERT_FALSE(cc_available("st_bad"), "not registered");

	if (!link_mode)
		load_fails(out, sizeof(out), "load " USER_LINK_OBJ,
			   ".struct_ops.link needs libbpf 1.2", "EOPNOTSUPP");
}

static void test_link_user_swap(void)
{
	char out[4096], line[512];
	int old_id, new_id;

	if (!ASSERT_EQ(tcp_ca(out, sizeof(out), "load " USER_LINK_OBJ), 0, out))
		return;
	ASSERT_HAS_SUBSTR(out, "link id", "registered by a link");
	if (!ASSERT_TRUE(list_state(USER_CC, "linked", &old_id, line, sizeof(line)), "linked"))
		goto out;

	ASSERT_EQ(tcp_ca(out, sizeof(out), "swap " USER_CC " " USER_LINK_OBJ), 0, out);
	ASSERT_HAS_SUBSTR(out, "swapped " USER_CC, "swap says so");
	if (ASSERT_TRUE(list_state(USER_CC, "linked", &new_id, line, sizeof(line)), "linked"))
		ASSERT_NEQ(new_id, old_id, "a new map under the link");

	/* A .struct_ops map cannot go under a link: refused, link unchanged. */
	ASSERT_EQ(tcp_ca(out, sizeof(out), "swap " USER_CC " " USER_OBJ), 1, "not a link map");
	ASSERT_HAS_SUBSTR(out, "a link takes a .struct_ops.link map", out);
	ASSERT_HAS_SUBSTR(out, "EINVAL", "names the errno");
	if (ASSERT_TRUE(list_state(USER_CC, "linked", &old_id, line, sizeof(line)), "linked"))
		ASSERT_EQ(old_id, new_id, "link unchanged");
out:
	ASSERT_EQ(tcp_ca(out, sizeof(out), "unload " USER_CC), 0, out);
	ASSERT_FALSE(cc_available(USER_CC), "unloaded");
}

/* Run bpftool 7.5 with args, like tcp_ca(). */
static int bpftool75(char *out, size_t size, const char *args)
{
	const char *bin = tcp_ca_bin;
	int ret;

	tcp_ca_bin = TCP_CA_LINK_DIR "/bpftool";
	ret = tcp_ca(out, size, args);
	tcp_ca_bin = bin;
	return ret;
}

static void test_link_bpftool75(void)
{
	char out[4096];

	if (!ASSERT_OK(access(TCP_CA_LINK_DIR "/bpftool", X_OK), "bpftool 7.5"))
		return;
	rmdir("/sys/fs/bpf/st_bpftool");
	if (!ASSERT_EQ(bpftool75(out, sizeof(out), "struct_ops register " TCP_CA_LINK_DIR
				 "/st_dctcp.bpf.o /sys/fs/bpf/st_bpftool"), 0, out))
		return;
	ASSERT_HAS_SUBSTR(out, "Registered tcp_congestion_ops st_dctcp", "bpftool says so");
	ASSERT_TRUE(cc_available("st_dctcp"), "registered, bpftool gone");
	ASSERT_OK(access("/sys/fs/bpf/st_bpftool/st_dctcp", F_OK), "link pinned");

	if (ASSERT_EQ(bpftool75(out, sizeof(out), "link show"), 0, out)) {
		ASSERT_HAS_SUBSTR(out, "struct_ops", "link type");
		ASSERT_HAS_SUBSTR(out, "struct_ops  map ", "the map behind it");
	}
	ASSERT_OK(unlink("/sys/fs/bpf/st_bpftool/st_dctcp"), "unpin");
	rmdir("/sys/fs/bpf/st_bpftool");
	ASSERT_FALSE(cc_available("st_dctcp"), "unregistered with the pin");
}

static void run_mode(const char *bin, const char *state, const char *prefix)
{
	char name[64];

	tcp_ca_bin = bin;
	loaded_state = state;
	if (!ASSERT_OK(access(bin, X_OK), bin))
		return;
#define SUBTEST(n) (snprintf(name, sizeof(name), "%s%s", prefix, n), test__start_subtest(name))
	if (SUBTEST("load_list_unload"))
		test_load_list_unload();
	if (SUBTEST("load_twice"))
		test_load_twice();
	if (SUBTEST("pin_fails"))
		test_pin_fails();
	if (SUBTEST("bad_names"))
		test_bad_names();
	if (SUBTEST("user_cc"))
		test_user_cc();
	if (SUBTEST("user_errors"))
		test_user_errors(!strcmp(prefix, "link_"));
#undef SUBTEST
}

void serial_test_tcp_ca_tool(void)
{
	run_mode(TCP_CA_MAP_BIN, "registered", "");
	run_mode(TCP_CA_LINK_BIN, "linked", "link_");
	if (test__start_subtest("link_outlives"))
		test_link_outlives();
	if (test__start_subtest("link_swap"))
		test_link_swap();
	if (test__start_subtest("link_user_swap"))
		test_link_user_swap();
	if (test__start_subtest("link_bpftool75"))
		test_link_bpftool75();
}
