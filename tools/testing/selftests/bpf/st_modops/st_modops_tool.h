/* SPDX-License-Identifier: GPL-2.0 */
/* What st_modops's commands share (st_modops*.c). */
#ifndef ST_MODOPS_TOOL_H
#define ST_MODOPS_TOOL_H

#include <bpf/libbpf.h>

/* The map's id, 0 when it cannot be read. */
__u32 map_id(const struct bpf_map *map);
/* Have the module call every member of its table; print its report. */
int call_members(void);

int run_assoc(void);
int run_deep(void);

#endif
