// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF struct_ops: a map's image.
 *
 * An update gives each member that has a prog a generic trampoline,
 * emitted into pages of executable memory (up to ST_IMAGE_MAX_PAGES) in
 * member order; the pages are sealed read-only and executable before the
 * subsystem sees the table.  A trampoline has a kallsyms symbol from when
 * its member first points at it until the map is freed.
 *
 * Native entries: for a subsystem that allows it (.native_prog_ok()), a
 * member whose prog needs nothing of the generic trampoline's work points
 * at the prog's native entry, which the JIT emitted in the prog's image;
 * its generic trampoline stays in the map's image, for while BPF stats or
 * a trampoline on the prog are in force.
 *
 * Locking and RCU: the map's lock is held while an image is filled or
 * reset.  st_scratch_lock keeps two measuring emits apart in the one
 * scratch page.  The stats mutex (syscall.c), then st_native_lock, which
 * keeps the list of maps with native entries.  Nothing here frees what a
 * CPU may run: the map calls bpf_struct_ops_map_free_image() only after
 * an RCU and a tasks-RCU grace period (bpf_struct_ops_map.c).
 *
 * Test hooks: the steps marked ALLOW_ERROR_INJECTION may fail, and make
 * stress (st_stress fault) fails each through fail_function to prove that
 * every error path leaves nothing behind; they cost nothing unless
 * CONFIG_FUNCTION_ERROR_INJECTION is set and a test arms one.  They are
 * noinline: a copy inlined into its caller would run past the probe.
 */
#include <linux/bpf.h>
#include <linux/bpf_struct_ops.h>
#include <linux/btf.h>
#include <linux/cfi.h>
#include <linux/error-injection.h>
#include <linux/filter.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/set_memory.h>

#include "bpf_struct_ops_map.h"

/* The parameters keep the core's prefix: bpf_struct_ops.native_entries=0. */
#ifdef MODULE_PARAM_PREFIX
#undef MODULE_PARAM_PREFIX
#endif
#define MODULE_PARAM_PREFIX "bpf_struct_ops."

/* ---------------------------------------------------------------------
 * The trampoline image.
 */

/**
 * bpf_struct_ops_prepare_trampoline() - emit the trampoline of one member
 * @tlinks: BPF_TRAMP_MAX zeroed link lists, scratch for the generator
 * @link: holds the prog to call
 * @model: the member's func model
 * @stub_func: a function of the type the trampoline's callers call
 *	through (the member's stub), or NULL
 * @image: where to emit
 * @image_end: end of the room at @image
 *
 * The trampoline is what the ops member points to: it saves the member's
 * arguments as the prog's context, runs the prog and returns the prog's
 * return value as the member's.  Under kCFI it starts with @stub_func's
 * type hash, which the callers check: the member points cfi_get_offset()
 * bytes into @image.
 *
 * Return: the trampoline's size in bytes, hash included, or a negative
 * errno.
 */
noinline int
bpf_struct_ops_prepare_trampoline(struct bpf_tramp_links *tlinks,
				  struct bpf_tramp_link *link,
				  const struct btf_func_model *model,
				  void *stub_func, void *image, void *image_end)
{
	u32 flags = BPF_TRAMP_F_INDIRECT;

	tlinks[BPF_TRAMP_FENTRY].links[0] = link;
	tlinks[BPF_TRAMP_FENTRY].nr_links = 1;
	if (model->ret_size > 0)
		flags |= BPF_TRAMP_F_RET_FENTRY_RET;
	return arch_prepare_bpf_trampoline(NULL, image, image_end, model,
					   flags, tlinks, stub_func);
}

ALLOW_ERROR_INJECTION(bpf_struct_ops_prepare_trampoline, ERRNO);

/**
 * bpf_struct_ops_image_alloc() - a page for trampolines
 *
 * Writable until bpf_struct_ops_image_seal().
 *
 * Return: the page, or ERR_PTR(-ENOMEM) or the modmem limit's error.
 */
noinline void *bpf_struct_ops_image_alloc(void)
{
	void *image;
	int err;

	err = bpf_jit_charge_modmem(PAGE_SIZE);
	if (err)
		return ERR_PTR(err);
	image = bpf_jit_alloc_exec(PAGE_SIZE);
	if (!image) {
		bpf_jit_uncharge_modmem(PAGE_SIZE);
		return ERR_PTR(-ENOMEM);
	}
	/* vfree() resets the page to RW+NX, whatever we set it to. */
	set_vm_flush_reset_perms(image);
	return image;
}

ALLOW_ERROR_INJECTION(bpf_struct_ops_image_alloc, ERRNO);

/**
 * bpf_struct_ops_image_seal() - make a filled image read-only, executable
 * @image: from bpf_struct_ops_image_alloc()
 */
void bpf_struct_ops_image_seal(void *image)
{
	/* One change of the page tables, one flush (patch 0026). */
	set_memory_rox((unsigned long)image, 1);
}

/**
 * bpf_struct_ops_image_free() - free an image nothing runs any more
 * @image: from bpf_struct_ops_image_alloc(), or NULL
 *
 * The caller makes sure that no task is still inside a trampoline of it.
 */
void bpf_struct_ops_image_free(void *image)
{
	if (!image)
		return;
	bpf_jit_free_exec(image);
	bpf_jit_uncharge_modmem(PAGE_SIZE);
}

/* ---------------------------------------------------------------------
 * Symbols: each trampoline that a member points at in /proc/kallsyms, for
 * perf and for the reader who wants to see where a member points.
 */

/* Copy @s to @p, short of @end; returns the end of the copy.  A name
 * too long for KSYM_NAME_LEN is cut short, as snprintf() would.
 */
static char *st_name_append(char *p, char *end, const char *s)
{
	ssize_t n = strscpy(p, s, end - p);

	return n < 0 ? end - 1 : p + n;
}

/* "bpf__<type>_<member>": pieces copied, not formatted. */
static void st_ksym_name(struct bpf_ksym *ksym,
			 const struct bpf_struct_ops_desc *desc,
			 const struct btf_member *member)
{
	char *p = ksym->name, *end = ksym->name + KSYM_NAME_LEN;

	p = st_name_append(p, end, "bpf__");
	p = st_name_append(p, end, desc->st_ops->name);
	p = st_name_append(p, end, "_");
	st_name_append(p, end, btf_name_by_offset(desc->btf, member->name_off));
}

/* Put member @i's trampoline in kallsyms, unless it is there or there is
 * none: from now on a caller may run it.  Once in, a symbol stays until
 * the map's free takes it out (bpf_struct_ops_map_ksyms_del()): taking it
 * out sooner would need a grace period before it could go in again.
 */
static void st_map_ksym_publish(struct bpf_struct_ops_map *st_map, u32 i)
{
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	struct bpf_ksym *ksym = &st_map->ksyms[i];

	if (ksym->start == ksym->end || !list_empty(&ksym->lnode))
		return;
	st_ksym_name(ksym, desc, btf_type_member(desc->type) + i);
	bpf_ksym_add(ksym);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_BPF, ksym->start,
			   ksym->end - ksym->start, false, ksym->name);
}

/* Forget the ranges of a failed update; none was added. */
static void st_map_ksyms_clear(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++) {
		st_map->ksyms[i].start = 0;
		st_map->ksyms[i].end = 0;
	}
}

/**
 * bpf_struct_ops_map_ksyms_del() - take a map's trampolines out of kallsyms
 * @st_map: a map being freed
 *
 * Kallsyms readers walk the symbols under RCU: the caller waits for a
 * grace period before it frees them.
 */
void bpf_struct_ops_map_ksyms_del(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);
	struct bpf_ksym *ksym;

	for (i = 0; i < n; i++) {
		ksym = &st_map->ksyms[i];
		if (list_empty(&ksym->lnode))
			continue;
		perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_BPF, ksym->start,
				   ksym->end - ksym->start, true, ksym->name);
		bpf_ksym_del(ksym);
	}
}

/* ---------------------------------------------------------------------
 * Native entries.
 */

/* Read at each map update: 0 gives every member its generic trampoline. */
static bool st_native_entries = true;
module_param_named(native_entries, st_native_entries, bool, 0644);
MODULE_PARM_DESC(native_entries, "Call struct_ops progs through their native entries where safe (default: 1)");

/* May @prog, on a member of @st_ops, skip the generic trampoline?  The
 * one place that decides, at each update: the subsystem has its say
 * (native_prog_ok()), and bpf_struct_ops.native_entries may be off.  The
 * JIT emitted no native entry where the prog sleeps, the member's
 * arguments, the prog (tail calls) or the kernel (PREEMPT_RT) do not
 * allow one, nor where the verifier found a helper call that needs the
 * trampoline (bpf_func_proto.reads_run_ctx, calls_back).
 */
static void *st_native_entry(const struct bpf_struct_ops *st_ops,
			     const struct bpf_prog *prog)
{
	if (!st_ops->native_prog_ok || !READ_ONCE(st_native_entries) ||
	    !st_ops->native_prog_ok(prog))
		return NULL;
	return bpf_prog_native_entry(prog);
}

/* The maps with a member that has a native entry, from their update to
 * their free.  st_native_lock keeps the list and orders the writes of
 * those members' pointers in the kernel copies.
 */
static LIST_HEAD(st_native_maps);
static DEFINE_MUTEX(st_native_lock);

/* A native entry skips bpf_func, where BPF stats are counted and where
 * fentry, fexit and freplace hook the prog.
 */
static bool st_native_in_force(const struct bpf_prog *prog)
{
	return !static_key_enabled(&bpf_stats_enabled_key.key) &&
	       !atomic_read(&prog->aux->tramp_links);
}

/* Point each member of @st_map that has a native entry at it, or at its
 * generic trampoline while the native one may not be used.  A caller may
 * be reading the pointer: it gets the old one or the new one, and both
 * stay valid until the map is freed (see st_map_free()).
 */
static void st_map_point_members(struct bpf_struct_ops_map *st_map)
{
	const struct btf_type *t = st_map->st_ops_desc->type;
	const struct bpf_struct_ops_entry *e;
	const struct btf_member *member;
	void *kdata = st_map->kvalue.data;
	u32 i, moff;

	lockdep_assert_held(&st_native_lock);
	for_each_member(i, t, member) {
		e = &st_map->entries[i];
		if (!e->native)
			continue;
		moff = st_member_offset(t, member);
		if (st_native_in_force(st_map->progs[i])) {
			WRITE_ONCE(*(void **)(kdata + moff), e->native);
			continue;
		}
		/* The symbol goes in before a caller can run the code; not
		 * while the update fills the map (state INIT), which may
		 * still fail and reuse the ksyms.
		 */
		if (READ_ONCE(st_map->kvalue.common.state) !=
		    BPF_STRUCT_OPS_STATE_INIT)
			st_map_ksym_publish(st_map, i);
		WRITE_ONCE(*(void **)(kdata + moff), e->tramp);
	}
}

/* After a successful fill, before the subsystem sees the kernel copy. */
static void st_map_native_add(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++)
		if (st_map->entries[i].native)
			break;
	if (i == n)
		return;
	/* Added and pointed in one step: bpf_struct_ops_entries_update()
	 * either ran before (the state read here is the new one) or will
	 * find the map.
	 */
	mutex_lock(&st_native_lock);
	list_add_tail(&st_map->native_node, &st_native_maps);
	st_map_point_members(st_map);
	mutex_unlock(&st_native_lock);
}

/**
 * bpf_struct_ops_map_native_del() - take a map off the native-entry list
 * @st_map: a map about to be reset or freed
 *
 * Before the kernel copy is cleared or freed: bpf_struct_ops_entries_update()
 * writes the members of listed maps only.
 */
void bpf_struct_ops_map_native_del(struct bpf_struct_ops_map *st_map)
{
	mutex_lock(&st_native_lock);
	list_del_init(&st_map->native_node);
	mutex_unlock(&st_native_lock);
}

/**
 * bpf_struct_ops_entries_update() - BPF stats or a prog's trampolines changed
 *
 * Points every member that has a native entry where it must go now: at
 * its generic trampoline while BPF stats are on or a trampoline hooks its
 * prog, at the native entry otherwise.  Called in process context after
 * the change, before the syscall that made it returns.
 */
void bpf_struct_ops_entries_update(void)
{
	struct bpf_struct_ops_map *st_map;

	mutex_lock(&st_native_lock);
	list_for_each_entry(st_map, &st_native_maps, native_node)
		st_map_point_members(st_map);
	mutex_unlock(&st_native_lock);
}

/**
 * bpf_struct_ops_map_ksyms_add() - put a filled map's trampolines in kallsyms
 * @st_map: a map that a successful update filled and moved out of state
 *	INIT, under its lock
 *
 * Those its members point at now; from then on, st_map_point_members()
 * puts in those it moves to their trampolines.  A member that calls its
 * prog's native entry runs no trampoline: its symbol goes in when
 * bpf_struct_ops_entries_update() first points it at its trampoline, if
 * ever.  An update thus adds no symbol for a congestion control whose
 * members are all native.
 */
void bpf_struct_ops_map_ksyms_add(struct bpf_struct_ops_map *st_map)
{
	const struct btf_type *t = st_map->st_ops_desc->type;
	bool native = !list_empty(&st_map->native_node);
	const struct bpf_struct_ops_entry *e;
	const struct btf_member *member;
	void *kdata = st_map->kvalue.data;
	u32 i, moff;

	/* On st_native_maps, the members move under st_native_lock; the
	 * map's lock keeps it on the list (st_map_native_add()).
	 */
	if (native)
		mutex_lock(&st_native_lock);
	for_each_member(i, t, member) {
		e = &st_map->entries[i];
		moff = st_member_offset(t, member);
		if (e->tramp && *(void **)(kdata + moff) == e->tramp)
			st_map_ksym_publish(st_map, i);
	}
	if (native)
		mutex_unlock(&st_native_lock);
}

static void st_map_put_progs(struct bpf_struct_ops_map *st_map)
{
	u32 i, n = st_map_nr_members(st_map);

	for (i = 0; i < n; i++) {
		if (st_map->progs[i]) {
			bpf_prog_put(st_map->progs[i]);
			st_map->progs[i] = NULL;
		}
	}
}

static void st_map_free_pages(struct bpf_struct_ops_map *st_map)
{
	u32 i;

	for (i = 0; i < st_map->image_pages_cnt; i++)
		bpf_struct_ops_image_free(st_map->image_pages[i]);
	st_map->image_pages_cnt = 0;
}

/**
 * bpf_struct_ops_map_image_init() - the first page of a new map's image
 * @st_map: a map being created
 *
 * A map takes the page its update emits into when it is created, as 6.1
 * does: the update, the call a loader makes on each deploy, then
 * allocates no executable memory for a table that fits in one page, the
 * common case.  A failed update frees it with the rest of the image
 * (it may be sealed already): the next one allocates anew.
 *
 * Return: 0, or the image allocation's errno.
 */
int bpf_struct_ops_map_image_init(struct bpf_struct_ops_map *st_map)
{
	void *page = bpf_struct_ops_image_alloc();

	if (IS_ERR(page))
		return PTR_ERR(page);
	st_map->image_pages[0] = page;
	st_map->image_pages_cnt = 1;
	return 0;
}

/**
 * bpf_struct_ops_map_free_image() - put a map's progs and free its image
 * @st_map: a map nothing runs any more, after its grace periods
 *
 * The progs go with their native entries.
 */
void bpf_struct_ops_map_free_image(struct bpf_struct_ops_map *st_map)
{
	st_map_put_progs(st_map);
	st_map_free_pages(st_map);
}

/**
 * bpf_struct_ops_map_reset() - undo what a failed update filled
 * @st_map: the map, under its lock
 *
 * Back to the state of a new map, but for the image's first page, which
 * the next update allocates.  Nothing can run the image: the subsystem
 * never saw kvalue.data.
 */
void bpf_struct_ops_map_reset(struct bpf_struct_ops_map *st_map)
{
	bpf_struct_ops_map_native_del(st_map);
	bpf_struct_ops_map_free_image(st_map);
	memset(st_map->uvalue, 0, st_map->map.value_size);
	memset(st_map->kvalue.data, 0, st_map->st_ops_desc->type->size);
	memset(st_map->entries, 0,
	       st_map_nr_members(st_map) * sizeof(*st_map->entries));
	st_map_ksyms_clear(st_map);
}

/* ---------------------------------------------------------------------
 * Filling the image, member by member.
 */

/* Kallsyms counts a symbol's end address as its own (a call that ends a
 * symbol pushes it as the return address): leave a byte between two.
 */
#define ST_KSYM_GAP	1

/* The trampoline generator checks for room only once it is done: what it
 * is given reaches this far past what it emits.
 */
#define ST_IMAGE_SLACK	64

/* Four times the most the generator emits for a member:
 * 6.1's x86 generator takes at most six register arguments, and for six
 * and one prog emits 126 bytes (st_modops's s0..s7 on the debug kernel),
 * a few more with return thunks, 5 more under kCFI (the type hash).
 * Where the last page has this much room left, a member's code is
 * emitted there at once; nearer its end, the code is measured in
 * st_scratch first, so that the page fills up.
 */
#define ST_TRAMP_MAX	512

/* Read at each map update: the most pages of trampolines a map may have,
 * 1 to ST_IMAGE_MAX_PAGES, for an administrator who wants to cap what one
 * map may take of the JIT's memory.
 */
static unsigned int st_image_max_pages = ST_IMAGE_MAX_PAGES;

static int st_image_max_pages_set(const char *val,
				  const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, ST_IMAGE_MAX_PAGES);
}

static const struct kernel_param_ops st_image_max_pages_ops = {
	.set = st_image_max_pages_set,
	.get = param_get_uint,
};

module_param_cb(image_max_pages, &st_image_max_pages_ops,
		&st_image_max_pages, 0644);
MODULE_PARM_DESC(image_max_pages, "The most pages of trampolines one map may have, 1 to 8 (default: 8)");

/* An update's emitter: the map's pages and the bytes used in the last
 * one.
 */
struct st_emitter {
	struct bpf_struct_ops_map *st_map;
	struct bpf_tramp_links *tlinks;
	u32 used;
};

/* The page where every update emits each member's code first, to learn
 * its size before it is placed: the generator checks for room only once
 * it is done.  Only a page of executable memory will do (the code's calls
 * must reach the kernel's text).  Allocated at the first update and kept:
 * one page of the JIT's memory, where each update used to allocate one
 * and free it, TLB flush and all.  Nothing runs what is emitted there;
 * st_scratch_lock keeps two emits apart.
 */
static void *st_scratch;
static DEFINE_MUTEX(st_scratch_lock);

/* The size of @link's code for @model: emitted in st_scratch. */
static int st_emitter_measure(struct st_emitter *em,
			      struct bpf_tramp_link *link,
			      const struct btf_func_model *model, void *stub)
{
	void *page;
	int size;

	mutex_lock(&st_scratch_lock);
	if (!st_scratch) {
		page = bpf_struct_ops_image_alloc();
		if (IS_ERR(page)) {
			mutex_unlock(&st_scratch_lock);
			return PTR_ERR(page);
		}
		st_scratch = page;
	}
	size = bpf_struct_ops_prepare_trampoline(em->tlinks, link, model, stub,
						 st_scratch,
						 st_scratch + PAGE_SIZE);
	mutex_unlock(&st_scratch_lock);
	return size;
}

/* Room for @size bytes of code that must not cross a page: in the last
 * page, or at the start of a new one.
 */
static void *st_emitter_room(struct st_emitter *em, u32 size)
{
	struct bpf_struct_ops_map *st_map = em->st_map;
	u32 n = st_map->image_pages_cnt;
	void *page;

	if (size + ST_IMAGE_SLACK > PAGE_SIZE)
		return ERR_PTR(-E2BIG);
	if (n && em->used + size + ST_IMAGE_SLACK <= PAGE_SIZE)
		return st_map->image_pages[n - 1] + em->used;
	if (n >= READ_ONCE(st_image_max_pages))
		return ERR_PTR(-E2BIG);
	page = bpf_struct_ops_image_alloc();
	if (IS_ERR(page))
		return page;
	st_map->image_pages[st_map->image_pages_cnt++] = page;
	em->used = 0;
	return page;
}

/* Emit @link's code for @model, with @stub's kCFI hash, where it is to
 * run: at once where the last page has room for any member's, else
 * measured in st_scratch first and placed where it fits.  Returns its
 * size; *@image is where.
 */
static int st_emitter_emit(struct st_emitter *em, struct bpf_tramp_link *link,
			   const struct btf_func_model *model, void *stub,
			   void **image)
{
	struct bpf_struct_ops_map *st_map = em->st_map;
	u32 n = st_map->image_pages_cnt;
	int size;

	if (n && em->used + ST_TRAMP_MAX <= PAGE_SIZE) {
		*image = st_map->image_pages[n - 1] + em->used;
	} else {
		size = st_emitter_measure(em, link, model, stub);
		if (size < 0)
			return size;
		*image = st_emitter_room(em, size + ST_KSYM_GAP);
		if (IS_ERR(*image))
			return PTR_ERR(*image);
	}
	size = bpf_struct_ops_prepare_trampoline(em->tlinks, link, model, stub,
						 *image,
						 (void *)PAGE_ALIGN((unsigned long)*image + 1));
	/* The bound above must hold with room to spare. */
	WARN_ON_ONCE(size + ST_IMAGE_SLACK > ST_TRAMP_MAX);
	return size;
}

/* Take the prog behind @member (index @i) of the user's value and emit
 * its code (st_emitter_emit()).  *@entry is where the member is to
 * point.
 */
static noinline int
st_map_emit_member(struct st_emitter *em, u32 i,
		   const struct btf_member *member, int prog_fd, void **entry)
{
	struct bpf_struct_ops_map *st_map = em->st_map;
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	const struct btf_func_model *model = &desc->func_models[i];
	struct bpf_tramp_link link = {};
	struct bpf_prog *prog;
	void *image, *stub;
	int size;

	prog = bpf_prog_get(prog_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	/* The map owns the reference from here; bpf_struct_ops_map_reset() drops it. */
	st_map->progs[i] = prog;

	if (prog->type != BPF_PROG_TYPE_STRUCT_OPS ||
	    prog->aux->attach_btf != desc->btf ||
	    prog->aux->attach_btf_id != desc->type_id ||
	    prog->expected_attach_type != i)
		return -EINVAL;

	/* The generators read link.prog and link.cookie while they emit and
	 * keep nothing of the link: a stack one will do.
	 */
	link.link.prog = prog;
	/* Registration made sure that under kCFI each member has one. */
	stub = st_member_stub(desc, member);
	size = st_emitter_emit(em, &link, model, stub, &image);
	if (size < 0)
		return size;
	em->used += size + ST_KSYM_GAP;

	/* The symbol covers the kCFI hash too: it is part of the code.  Its
	 * name is written when it goes into kallsyms (st_map_ksym_publish()).
	 */
	st_map->ksyms[i].start = (unsigned long)image;
	st_map->ksyms[i].end = st_map->ksyms[i].start + size;
	st_map->entries[i].tramp = image + cfi_get_offset();
	st_map->entries[i].native = st_native_entry(desc->st_ops, prog);
	/* The native entry, if any, is taken once the map is filled. */
	*entry = st_map->entries[i].tramp;
	return 0;
}

ALLOW_ERROR_INJECTION(st_map_emit_member, ERRNO);

/* The members that the subsystem does not take and that are no function
 * pointers: the owner, which the core sets, and data, which must be zero.
 * Returns 1 when @member was one of those, 0 when it is a function
 * pointer, or an errno.
 */
static int st_map_fill_data(struct bpf_struct_ops_map *st_map,
			    const struct btf_member *member, void *udata,
			    void *kdata)
{
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	u32 moff = st_member_offset(desc->type, member);
	u32 msize;
	int err;

	/* Most members are function pointers: ask that first. */
	if (btf_type_resolve_func_ptr(desc->btf, member->type, NULL))
		return 0;
	if (bpf_struct_ops_member_is_owner(desc->btf, member)) {
		/* Sockets pin the map through this owner, not a module:
		 * see bpf_try_module_get().
		 */
		if (*(void **)(udata + moff))
			return -EINVAL;
		*(void **)(kdata + moff) = BPF_MODULE_OWNER;
		return 1;
	}
	err = st_member_size(desc->btf, member, &msize);
	if (err)
		return err;
	return memchr_inv(udata + moff, 0, msize) ? -EINVAL : 1;
}

/**
 * bpf_struct_ops_map_fill() - build a map's table from the user's value
 * @st_map: a map in state INIT, under its lock
 * @user: the value, checked by the caller
 *
 * Fills uvalue, kvalue.data, progs and the image, member by member, and
 * seals the image.
 *
 * Return: 0, or a negative errno; the caller then resets the map.
 */
int bpf_struct_ops_map_fill(struct bpf_struct_ops_map *st_map,
			    const struct bpf_struct_ops_value *user)
{
	const struct bpf_struct_ops_desc *desc = st_map->st_ops_desc;
	const struct bpf_struct_ops *st_ops = desc->st_ops;
	struct st_emitter em = { .st_map = st_map };
	const struct btf_type *t = desc->type;
	void *udata = st_map->uvalue->data;
	void *kdata = st_map->kvalue.data;
	const struct btf_member *member;
	int prog_fd, err = -ENOMEM;
	u32 i, moff;
	void *entry;

	memcpy(st_map->uvalue, user, st_map->map.value_size);

	em.tlinks = kcalloc(BPF_TRAMP_MAX, sizeof(*em.tlinks), GFP_KERNEL);
	if (!em.tlinks)
		return -ENOMEM;

	for_each_member(i, t, member) {
		moff = st_member_offset(t, member);

		if (st_ops->init_member) {
			err = st_ops->init_member(t, member, kdata, udata);
			if (err < 0)
				break;
			if (err > 0) {
				/* The subsystem took this member. */
				err = 0;
				continue;
			}
		}

		err = st_map_fill_data(st_map, member, udata, kdata);
		if (err < 0)
			break;
		if (err > 0) {
			err = 0;
			continue;
		}

		/* libbpf stores the prog fd in the function pointer. */
		prog_fd = (int)*(u64 *)(udata + moff);
		if (!prog_fd)
			continue;
		err = st_map_emit_member(&em, i, member, prog_fd, &entry);
		if (err)
			break;
		*(void **)(kdata + moff) = entry;
		/* Lookup reports prog ids, never kernel addresses. */
		*(u64 *)(udata + moff) = st_map->progs[i]->aux->id;
	}

	if (!err) {
		for (i = 0; i < st_map->image_pages_cnt; i++)
			bpf_struct_ops_image_seal(st_map->image_pages[i]);
		st_map_native_add(st_map);
	}
	kfree(em.tlinks);
	return err;
}
