// SPDX-License-Identifier: GPL-2.0
/* Writes snd_una, which is TCP's and not the CC's: -EACCES. */
#include "struct_ops_bad.h"

char _license[] SEC("license") = "GPL";

ST_BAD_CONG_AVOID(tp->snd_una = ack);
ST_BAD_CC();
