/* SPDX-License-Identifier: GPL-2.0 */
/* The struct_ops types built into the kernel: one
 * "BPF_STRUCT_OPS_TYPE(ops_struct_name);" per type, whose subsystem defines
 * "struct bpf_struct_ops bpf_<ops_struct_name>".  Included only by
 * kernel/bpf/bpf_struct_ops.c, with BPF_STRUCT_OPS_TYPE defined there as a
 * declaration or a statement.
 */
#ifdef CONFIG_BPF_JIT
#ifdef CONFIG_NET
BPF_STRUCT_OPS_TYPE(bpf_dummy_ops);
#endif
#ifdef CONFIG_INET
#include <net/tcp.h>
BPF_STRUCT_OPS_TYPE(tcp_congestion_ops);
#endif
#endif
