// SPDX-License-Identifier: GPL-2.0
/* An 8-byte write at the 4-byte snd_cwnd spills into the next field: -EACCES. */
#include "struct_ops_bad.h"

char _license[] SEC("license") = "GPL";

ST_BAD_CONG_AVOID(*(__u64 *)&tp->snd_cwnd = 10);
ST_BAD_CC();
