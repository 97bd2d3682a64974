// SPDX-License-Identifier: GPL-2.0
/* tcp_ca_user.c's congestion control in .struct_ops.link (libbpf 1.2+). */
#define TCP_CA_USER_SEC		".struct_ops.link"
#include "tcp_ca_user.c"
