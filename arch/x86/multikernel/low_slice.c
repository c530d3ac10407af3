// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel host, x86: slices of conventional memory for instances.
 *
 * A CPU starts in real mode, at a page below 1 MiB: the wake-up trampoline
 * the host copies for an instance's first CPU, and later the real-mode
 * trampoline the spawn copies for its other CPUs, both need memory there,
 * and every running instance needs its own.  The host reserves the whole
 * first MiB at boot and uses a few pages of it for its own trampoline; the
 * rest, where it is System RAM, is cut into MK_LOW_SLICE slices.  Their
 * number is how many instances can run at once.
 *
 * A slice must hold the spawn's real-mode blob (about 28 KiB in 6.12) and,
 * first, the wake-up trampoline with its page tables (wake_tramp.h).
 *
 * Locking: mk_low_lock protects the bitmap of slices in use.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bitmap.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <asm/realmode.h>

#include "spawn.h"
#include "wake_tramp.h"

/* Below it, the spawn keeps the first 64 KiB reserved as Linux does. */
#define MK_LOW_FIRST		0x10000UL
#define MK_LOW_SLOTS		((SZ_1M - MK_LOW_FIRST) / MK_LOW_SLICE)

static_assert(MK_TP_PGT + MK_TP_PGT_PAGES * PAGE_SIZE <= MK_LOW_SLICE);

static DECLARE_BITMAP(mk_low_usable, MK_LOW_SLOTS);
static DECLARE_BITMAP(mk_low_used, MK_LOW_SLOTS);
static DEFINE_SPINLOCK(mk_low_lock);

static phys_addr_t mk_slot_start(unsigned int i)
{
	return MK_LOW_FIRST + i * MK_LOW_SLICE;
}

/* System RAM, and clear of the host's own real-mode trampoline. */
static bool __init mk_slot_usable(phys_addr_t start)
{
	phys_addr_t rm = __pa(real_mode_header);

	if (rm < start + MK_LOW_SLICE && rm + real_mode_size_needed() > start)
		return false;
	return region_intersects(start, MK_LOW_SLICE, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) == REGION_INTERSECTS;
}

static int __init mk_low_init(void)
{
	unsigned int i;

	if (multikernel_spawn_info() || !real_mode_header)
		return 0;
	for (i = 0; i < MK_LOW_SLOTS; i++)
		if (mk_slot_usable(mk_slot_start(i)))
			__set_bit(i, mk_low_usable);
	return 0;
}

/* After the resource tree is built, before the control plane appears. */
subsys_initcall(mk_low_init);

/**
 * multikernel_arch_max_running() - how many instances can run at once
 *
 * Return: the number of conventional-memory slices, one per instance.
 */
unsigned int multikernel_arch_max_running(void)
{
	return bitmap_weight(mk_low_usable, MK_LOW_SLOTS);
}

/**
 * multikernel_arch_alloc_low() - take a slice of conventional memory
 *
 * Return: physical address of a free, cleared MK_LOW_SLICE slice below
 * 1 MiB, or 0 when all are in use.
 */
phys_addr_t multikernel_arch_alloc_low(void)
{
	unsigned int i;

	spin_lock(&mk_low_lock);
	for_each_set_bit(i, mk_low_usable, MK_LOW_SLOTS) {
		if (!test_bit(i, mk_low_used)) {
			__set_bit(i, mk_low_used);
			spin_unlock(&mk_low_lock);
			memset(__va(mk_slot_start(i)), 0, MK_LOW_SLICE);
			return mk_slot_start(i);
		}
	}
	spin_unlock(&mk_low_lock);
	return 0;
}

/**
 * multikernel_arch_free_low() - give back a slice from multikernel_arch_alloc_low()
 * @start: its physical address, or 0
 */
void multikernel_arch_free_low(phys_addr_t start)
{
	if (!start)
		return;
	spin_lock(&mk_low_lock);
	__clear_bit((start - MK_LOW_FIRST) / MK_LOW_SLICE, mk_low_used);
	spin_unlock(&mk_low_lock);
}
