/* SPDX-License-Identifier: GPL-2.0 */
/* The struct_ops trampoline image, shared by the struct_ops map and the
 * bpf_dummy_ops test runner: one page of executable memory, charged to the
 * BPF JIT's module memory limit.  And what subsystems use to decide which
 * progs may take a lean entry.
 */
#ifndef _LINUX_BPF_STRUCT_OPS_H
#define _LINUX_BPF_STRUCT_OPS_H

#include <linux/types.h>

struct bpf_prog;

void *bpf_struct_ops_image_alloc(void);
void bpf_struct_ops_image_seal(void *image);
void bpf_struct_ops_image_free(void *image);
bool bpf_struct_ops_prog_calls(const struct bpf_prog *prog, const void *func);

#endif
