// SPDX-License-Identifier: GPL-2.0
/*
 * st_stress: the trampoline symbols of tcp_congestion_ops, counted.
 *
 * The truth is /proc/kallsyms, but the kernel formats every one of its
 * symbols for each read: a third of a second on a debug kernel under TCG,
 * and the fault part counts before and after each failure it injects.
 * Each trampoline symbol that struct_ops adds or deletes is also a
 * PERF_RECORD_KSYMBOL (bpf_struct_ops_image.c), the record perf follows
 * BPF code by.  A watch reads kallsyms once, then follows those records on
 * every CPU; it reads kallsyms again when the kernel lost records.  The
 * fault part compares the two after each walk: the records must agree
 * with kallsyms, or perf would name a trampoline wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "st_stress.h"

#define TRAMP_PREFIX	"bpf__tcp_congestion_ops_"
#define WATCH_PAGES	8	/* ring pages per CPU: 2^n, records of ~80 B */
#define WATCH_CPUS	64

/* A PERF_RECORD_KSYMBOL as the ring holds it (no sample_id_all). */
struct ksym_record {
	struct perf_event_header header;
	__u64 addr;
	__u32 len;
	__u16 ksym_type;
	__u16 flags;
	char name[];
};

static struct {
	int ncpus;
	int fd[WATCH_CPUS];
	struct perf_event_mmap_page *ring[WATCH_CPUS];
	size_t page;
	int count;		/* trampoline symbols, as the records say */
	bool lost;		/* a ring overflowed: read kallsyms again */
} watch;

/**
 * ksyms_count() - trampoline symbols of tcp_congestion_ops in kallsyms
 *
 * Native entries are inside their progs' symbols and not counted.  Read
 * in large chunks, which a debug kernel under TCG needs.
 *
 * Return: the count, or -1 when /proc/kallsyms cannot be read.
 */
int ksyms_count(void)
{
	static const char pfx[] = " " TRAMP_PREFIX;
	const size_t size = 1 << 18;
	size_t len = 0, keep;
	int fd, count = 0;
	char *buf, *p, *end;
	ssize_t n;

	buf = malloc(size);
	fd = open("/proc/kallsyms", O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		return -1;
	}
	while ((n = read(fd, buf + len, size - 1 - len)) > 0) {
		len += n;
		/* whole lines only: a cut one waits for the next read */
		end = memrchr(buf, '\n', len);
		if (!end)
			continue;
		*end = 0;
		for (p = buf; (p = strstr(p, pfx)); p++)
			count++;
		keep = len - (end + 1 - buf);
		memmove(buf, end + 1, keep);
		len = keep;
	}
	close(fd);
	free(buf);
	return count;
}

/* Copy the record at @tail of @cpu's ring out, whole even where it wraps. */
static void ring_copy(int cpu, __u64 tail, void *to, size_t len)
{
	const size_t size = WATCH_PAGES * watch.page;
	const char *data = (const char *)watch.ring[cpu] + watch.page;
	size_t off = tail % size, first = size - off < len ? size - off : len;

	memcpy(to, data + off, first);
	memcpy((char *)to + first, data, len - first);
}

/* Take what @cpu's ring holds, counting our trampolines in and out. */
static void ring_drain(int cpu)
{
	struct perf_event_mmap_page *pg = watch.ring[cpu];
	union {
		struct ksym_record rec;
		char buf[1024];
	} u;
	__u64 head, tail;
	size_t len;

	/* Pairs with the kernel's release of data_head: the records up to
	 * it are written.
	 */
	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	for (tail = pg->data_tail; tail < head; tail += len) {
		ring_copy(cpu, tail, &u.rec.header, sizeof(u.rec.header));
		len = u.rec.header.size;
		if (len < sizeof(u.rec.header) || len >= sizeof(u.buf)) {
			watch.lost = true;
			tail = head;
			break;
		}
		if (u.rec.header.type == PERF_RECORD_LOST) {
			watch.lost = true;
			continue;
		}
		if (u.rec.header.type != PERF_RECORD_KSYMBOL)
			continue;
		ring_copy(cpu, tail, u.buf, len);
		u.buf[len] = 0;
		if (u.rec.ksym_type != PERF_RECORD_KSYMBOL_TYPE_BPF ||
		    strncmp(u.rec.name, TRAMP_PREFIX, strlen(TRAMP_PREFIX)))
			continue;
		if (u.rec.flags & PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER)
			watch.count--;
		else
			watch.count++;
	}
	/* ... and hands the space back only after the reads above. */
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
}

static void watch_drain(void)
{
	int cpu;

	for (cpu = 0; cpu < watch.ncpus; cpu++)
		if (watch.ring[cpu])
			ring_drain(cpu);
}

/* Count from kallsyms again; what the rings held until now is in it. */
static int watch_resync(void)
{
	watch_drain();
	watch.lost = false;
	watch.count = ksyms_count();
	return watch.count;
}

/**
 * ksym_watch_start() - count trampoline symbols by their perf records
 *
 * Call it while nothing adds or deletes one: the count starts from a read
 * of kallsyms.
 *
 * Return: 0, or -errno when the records cannot be followed.
 */
int ksym_watch_start(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_DUMMY,
		.ksymbol = 1,
	};
	int cpu, err;

	memset(&watch, 0, sizeof(watch));
	watch.page = sysconf(_SC_PAGESIZE);
	watch.ncpus = sysconf(_SC_NPROCESSORS_CONF);
	if (watch.ncpus > WATCH_CPUS)
		return -E2BIG;
	for (cpu = 0; cpu < watch.ncpus; cpu++) {
		watch.fd[cpu] = syscall(__NR_perf_event_open, &attr, -1, cpu, -1,
					PERF_FLAG_FD_CLOEXEC);
		if (watch.fd[cpu] < 0) {
			/* an offline CPU runs nothing to record */
			if (errno == ENODEV)
				continue;
			err = -errno;
			goto fail;
		}
		watch.ring[cpu] = mmap(NULL, (1 + WATCH_PAGES) * watch.page,
				       PROT_READ | PROT_WRITE, MAP_SHARED,
				       watch.fd[cpu], 0);
		if (watch.ring[cpu] == MAP_FAILED) {
			watch.ring[cpu] = NULL;
			err = -errno;
			goto fail;
		}
	}
	if (watch_resync() < 0) {
		err = -EIO;
		goto fail;
	}
	return 0;
fail:
	ksym_watch_stop();
	return err;
}

/**
 * ksym_watch_count() - trampoline symbols now, as the records say
 *
 * Return: the count (from kallsyms when records were lost), -1 on error.
 */
int ksym_watch_count(void)
{
	watch_drain();
	return watch.lost ? watch_resync() : watch.count;
}

/**
 * ksym_watch_settle() - wait for the count to come back to @want
 * @want: the count before the objects being freed were made
 *
 * A map's symbols go with its free, which waits for grace periods, not
 * with the close of its last fd.
 *
 * Return: the count: @want, unless 10 s went by first.
 */
int ksym_watch_settle(int want)
{
	int i, n = ksym_watch_count();

	for (i = 0; i < 10000 && n != want; i++) {
		usleep(1000);
		n = ksym_watch_count();
	}
	return n;
}

/**
 * ksym_watch_check() - do the records agree with kallsyms?
 * @part: the part, for the message
 *
 * Return: 0 when they do; else 1, with both counts on stderr.
 */
int ksym_watch_check(const char *part)
{
	int records = ksym_watch_count(), kallsyms = ksyms_count();

	if (records == kallsyms)
		return 0;
	fprintf(stderr,
		"[stress] error: %s: %d trampoline symbols by their PERF_RECORD_KSYMBOLs, %d in kallsyms\n",
		part, records, kallsyms);
	return 1;
}

/** ksym_watch_stop() - close what ksym_watch_start() opened */
void ksym_watch_stop(void)
{
	int cpu;

	for (cpu = 0; cpu < watch.ncpus; cpu++) {
		if (watch.ring[cpu])
			munmap(watch.ring[cpu], (1 + WATCH_PAGES) * watch.page);
		if (watch.fd[cpu] > 0)
			close(watch.fd[cpu]);
	}
	memset(&watch, 0, sizeof(watch));
}
