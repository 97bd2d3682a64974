// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress bigprog: the longest prog a struct_ops member takes.  A chain
 * of about a million insns (st_chain_fill()), loaded as
 * tcp_congestion_ops.ssthresh, whose type asks for native entries: the
 * verifier's native-entry flows run on it, and along the chain's backward
 * jumps a flow that swept the prog would move one insn per sweep.  It
 * must load, and its JITed image must be there; the part prints the
 * time.  make stress then checks the console: no soft lockup, no
 * allocation warning, no other report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "st_stress.h"

/* The verifier's limit is 1,000,000 insns processed: the chain is walked
 * once, a few insns less.
 */
#define BIGPROG_N	999990

int stress_bigprog(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct bpf_prog_info info = {};
	__u32 idx = 0, type_id = 0, len = sizeof(info);
	struct leak_base base;
	struct bpf_insn *insns;
	unsigned long long t;
	int n, fd, err;

	err = st_ops_member("tcp_congestion_ops", "ssthresh", &idx, &type_id);
	if (err) {
		printf("[stress] error: bigprog: no tcp_congestion_ops.ssthresh: %s\n",
		       strerror(-err));
		return 1;
	}
	insns = calloc(BIGPROG_N + 3, sizeof(*insns));
	if (!insns)
		return 1;
	leak_base_take(&base);
	n = st_chain_fill(insns, BIGPROG_N);
	opts.expected_attach_type = idx;
	opts.attach_btf_id = type_id;
	t = now_ns();
	fd = bpf_prog_load(BPF_PROG_TYPE_STRUCT_OPS, "st_bigprog", "GPL", insns,
			   n, &opts);
	err = fd < 0 ? -errno : 0;
	t = now_ns() - t;
	free(insns);
	if (err) {
		printf("[stress] error: bigprog: load of %d insns: %s\n", n,
		       errno_name(-err));
		return 1;
	}
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err || !info.jited_prog_len) {
		printf("[stress] error: bigprog: no JITed image (%s)\n",
		       err ? strerror(errno) : "length 0");
		return 1;
	}
	if (leak_check("bigprog", &base, false))
		return 1;
	printf("[stress] bigprog: %d insns as ssthresh loaded in %.1f s, %u bytes JITed\n",
	       n, t / 1e9, info.jited_prog_len);
	return 0;
}
