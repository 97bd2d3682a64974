// SPDX-License-Identifier: GPL-2.0
/* struct_ops progs must be GPL: -EINVAL. */
#include "struct_ops_bad.h"

char _license[] SEC("license") = "Proprietary";

ST_BAD_CONG_AVOID(tp->snd_cwnd = 10);
ST_BAD_CC();
