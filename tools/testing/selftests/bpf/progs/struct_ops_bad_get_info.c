// SPDX-License-Identifier: GPL-2.0
/* get_info is not supported for BPF CCs: -ENOTSUPP. */
#include "struct_ops_bad.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/bad_get_info")
size_t BPF_PROG(bad_get_info, struct sock *sk, __u32 ext, int *attr,
		union tcp_cc_info *info)
{
	return 0;
}

ST_BAD_CONG_AVOID(tp->snd_cwnd = 10);
ST_BAD_CC(.get_info = (void *)bad_get_info);
