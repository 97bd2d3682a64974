// SPDX-License-Identifier: GPL-2.0
/* bpf_setsockopt() does not exist for .release: -EINVAL. */
#include "struct_ops_bad.h"

char _license[] SEC("license") = "GPL";

char cubic[] = "cubic";

SEC("struct_ops/bad_release")
void BPF_PROG(bad_release, struct sock *sk)
{
	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cubic, sizeof(cubic));
}

ST_BAD_CONG_AVOID(tp->snd_cwnd = 10);
ST_BAD_CC(.release = (void *)bad_release);
