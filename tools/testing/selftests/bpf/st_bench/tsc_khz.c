// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_khz: the host's TSC rate, in kHz, measured against CLOCK_MONOTONIC
 * over a quarter of a second.
 *
 * A TCG guest's TSC counts at the host's rate, and the guest has no timer
 * to calibrate it against reliably when the host is busy (the PIT read
 * loop overruns, and our guests lack HPET and ACPI PM timers): it then
 * marks the TSC unstable and falls back to 4 ms jiffies.  `make bench`
 * passes this figure as tsc_early_khz= instead.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(void)
{
	unsigned long long n0, n1, t0, t1;

	n0 = mono_ns();
	t0 = __rdtsc();
	do
		n1 = mono_ns();
	while (n1 - n0 < 250000000ULL);
	t1 = __rdtsc();
	printf("%llu\n", (t1 - t0) * 1000000ULL / (n1 - n0));
	return 0;
}
