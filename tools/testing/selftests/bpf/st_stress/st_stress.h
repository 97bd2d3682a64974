/* SPDX-License-Identifier: GPL-2.0 */
/*
 * st_stress: what the parts share (st_stress.c has the overview).
 */
#ifndef __ST_STRESS_H
#define __ST_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../struct_ops_helpers.h"
#include "st_stress.skel.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Errnos above this are counted together in the last slot. */
#define ERRNO_SLOTS	600

/* One operation's results: successes and each errno, and which errnos
 * are expected for it (0-terminated).  Threads add with atomics.
 */
struct op_stat {
	const char *name;
	const int *expected;
	unsigned long ok;
	unsigned long err[ERRNO_SLOTS];
};

/* What every part starts from: the loaded programs and a value template. */
struct stress_env {
	struct st_stress *skel;
	struct st_value tmpl;		/* tcp_congestion_ops, no member set */
	int filter_fd;			/* a prog of another type */
	int dead_fd;			/* a number no fd has */
};

/* The objects of the kernel before a part: what is left after it leaked. */
struct leak_base {
	__u32 map_id, prog_id, link_id;
	int ksyms;
	long long slab, percpu;		/* of the memcg, bytes; -1: none */
};

/* stress_lib.c */
extern unsigned int verbose;
int stat_record(struct op_stat *st, int ret);
unsigned long stat_total(const struct op_stat *st, int n);
void stat_print(const char *part, const struct op_stat *st, int n);
const char *errno_name(int err);
unsigned long long now_ns(void);
uint64_t rand_next(uint64_t *state);
int env_open(struct stress_env *env, const char *switch_to);
void env_close(struct stress_env *env);
int env_value(const struct stress_env *env, struct st_value *v);
void value_fill(const struct stress_env *env, struct st_value *v,
		const char *name, bool sw);
int table_new(const struct stress_env *env, struct st_value *v,
	      const char *name, __u32 flags);
__u32 max_id(int (*next)(__u32, __u32 *));
void leak_base_take(struct leak_base *b);
int leak_check(const char *part, const struct leak_base *b, bool memcg);
const char *cg_root(void);
long long read_ll(const char *path, const char *key);
int cg_write(const char *cg, const char *file, const char *val);
long long cg_read(const char *cg, const char *file, const char *key);
long long cg_kmem(const char *cg);
void *cg_fresh(const char *part, const char *cg, size_t size);

/* stress_ksyms.c */
int ksyms_count(void);
int ksym_watch_start(void);
int ksym_watch_count(void);
int ksym_watch_settle(int want);
int ksym_watch_check(const char *part);
void ksym_watch_stop(void);

/* The parts: 0 when every check held. */
int stress_conc(struct stress_env *env, unsigned int secs);
int stress_fault(struct stress_env *env, const char *ops);
int stress_fuzz(struct stress_env *env, unsigned long iters, uint64_t seed);
int stress_bigprog(void);
int stress_memcg(struct stress_env *env, const char *cgroup);
int stress_cycles(struct stress_env *env, unsigned long n, const char *cgroup);

#endif
