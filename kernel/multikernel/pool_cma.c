// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMA backing of the multikernel pool: multikernel.pool=cma:SIZE[@ADDR].
 *
 * The pool's range is reserved as for the plain pool (pool.c) and then
 * declared a CMA area.  From core_initcall on, its pages are in the host's
 * page allocator as MIGRATE_CMA pageblocks, which serve only movable
 * allocations (page cache, anonymous memory) and never long-term pins, so
 * the host can always move its pages out again.  While no instance holds
 * a part of the pool, that part is the host's.
 *
 * The pool keeps choosing its ranges itself: ranges aligned to their size
 * for a running spawn's memory blocks, and memory given back by a running
 * spawn reused before the host may have it (see pool.c).  So this file
 * moves the range the pool chose out of the page allocator with
 * alloc_contig_range(), which migrates what the host keeps there, rather
 * than let cma_alloc() pick one; the area's own bitmap stays unused.  A
 * range moved out goes back with free_contig_range().
 *
 * An area that cannot be activated (its range spans two zones) keeps its
 * pages reserved: the pool then works as a plain one.  Callers serialise
 * on the pool's mutex; nothing here keeps state besides the area.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cma.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include "internal.h"

static struct cma *mk_cma;

/**
 * mk_pool_cma_declare() - make the reserved pool range a CMA area
 * @base: physical start of the range, reserved in memblock
 * @size: its size, a multiple of mk_pool_cma_align()
 *
 * Called from multikernel_pool_reserve(), before the CMA areas are
 * activated.
 *
 * Return: 0, or the error of cma_init_reserved_mem(); then the range stays
 * a plain pool.
 */
int __init mk_pool_cma_declare(phys_addr_t base, u64 size)
{
	int ret;

	ret = cma_init_reserved_mem(base, size, MK_GRANULE_ORDER - PAGE_SHIFT,
				    "multikernel", &mk_cma);
	if (ret)
		return ret;
	/* If activation fails, the pages stay reserved: a plain pool. */
	cma_reserve_pages_on_error(mk_cma);
	return 0;
}

/**
 * mk_pool_cma_active() - tell whether the pool's pages are the host's
 *
 * Return: true once the area declared by mk_pool_cma_declare() has been
 * activated, so that its free pages are in the host's page allocator.
 */
bool mk_pool_cma_active(void)
{
	return mk_cma && cma_get_size(mk_cma);
}

/**
 * mk_pool_cma_align() - the alignment a CMA-backed pool needs
 *
 * Return: bytes in a pageblock, the unit in which pages change migrate type
 * and in which alloc_contig_range() isolates them.
 */
u64 mk_pool_cma_align(void)
{
	return CMA_MIN_ALIGNMENT_BYTES;
}

/**
 * mk_pool_cma_take() - move a range of the area out of the page allocator
 * @addr: physical start, aligned to mk_pool_cma_align()
 * @size: bytes, a multiple of mk_pool_cma_align()
 *
 * Migrates the host's pages out of the range.  Sleeps, possibly for long.
 *
 * Return: 0 with every page of the range allocated to the caller; -EBUSY
 * when a page could not be moved now, -EINTR on a fatal signal, -ENOMEM.
 */
int mk_pool_cma_take(phys_addr_t addr, u64 size)
{
	return alloc_contig_range(PFN_DOWN(addr), PFN_DOWN(addr + size),
				  MIGRATE_CMA, GFP_KERNEL | __GFP_NOWARN);
}

/**
 * mk_pool_cma_give() - hand a range taken with mk_pool_cma_take() back
 * @addr: physical start
 * @size: bytes
 *
 * Its pages go back to the page allocator: no instance may touch them
 * any more.
 */
void mk_pool_cma_give(phys_addr_t addr, u64 size)
{
	free_contig_range(PFN_DOWN(addr), size >> PAGE_SHIFT);
}
