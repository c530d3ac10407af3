// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multikernel memory pool: physically contiguous RAM reserved at boot
 * with multikernel.pool=SIZE[@ADDR] and lent to instances in granules.
 *
 * The range is taken from memblock before the page allocator exists, so it
 * stays in the direct map but never reaches the buddy allocator.  Once slab
 * is up it is handed to a gen_pool, which does all later bookkeeping; its
 * own lock-free bitmap makes allocation and freeing safe from any context.
 *
 * No instance sees another's data, nor what was in the range at boot (a
 * boot loader's images, say): mk_pool_free_range() clears a range before it
 * goes back, and marks its granules clean in mk_pool_clean; the granules
 * never used since boot are not clean, and mk_pool_alloc() clears those of
 * the range it returns, so boot does not pay for clearing the whole pool.
 * So every clean granule is zero, and every range handed out is zero.  The
 * bits are atomic; allocated ranges are disjoint, so each granule's bit
 * has one user at a time.  Clearing may take long: both functions sleep.
 *
 * Memory a spawn gives back while it runs (mk_pool_give_back()) is cleared
 * too, but the spawn still runs and could write to it: its granules are
 * marked in mk_pool_suspect with the giver's id, and the allocation that
 * hands one out again first checks that it is still zero, logs the giver
 * if it is not, and clears it again.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bitmap.h>
#include <linux/genalloc.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/ioport.h>
#include <linux/memblock.h>
#include <linux/multikernel.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "internal.h"

static u64 mk_pool_req_size __initdata;
static u64 mk_pool_req_addr __initdata;
static bool mk_pool_req_fixed __initdata;
static bool mk_pool_req_valid __initdata;

static struct resource mk_pool_res = {
	.name	= "Multikernel pool",
	.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
	.desc	= IORES_DESC_RESERVED,
};

static struct gen_pool *mk_pool;
static unsigned long *mk_pool_clean;	/* one bit per granule, see above */
static u8 *mk_pool_suspect;		/* per granule: giver's id, or 0 */

static int __init mk_pool_param(char *arg)
{
	char *end;

	if (!arg) {
		pr_err("multikernel.pool needs a value: SIZE[@ADDR]\n");
		return 0;
	}
	mk_pool_req_size = memparse(arg, &end);
	if (*end == '@') {
		mk_pool_req_addr = memparse(end + 1, &end);
		mk_pool_req_fixed = true;
	}
	if (*end || end == arg) {
		pr_err("multikernel.pool=%s is malformed, expected SIZE[@ADDR]; no pool reserved\n",
		       arg);
		return 0;
	}
	mk_pool_req_valid = true;
	return 0;
}
early_param("multikernel.pool", mk_pool_param);

static bool __init mk_pool_request_sane(void)
{
	if (!mk_pool_req_size || !IS_ALIGNED(mk_pool_req_size, MK_GRANULE)) {
		pr_err("multikernel.pool size %llu is not a non-zero multiple of %llu; no pool reserved\n",
		       mk_pool_req_size, MK_GRANULE);
		return false;
	}
	if (mk_pool_req_fixed && !IS_ALIGNED(mk_pool_req_addr, MK_GRANULE)) {
		pr_err("multikernel.pool address %#llx is not aligned to %llu; no pool reserved\n",
		       mk_pool_req_addr, MK_GRANULE);
		return false;
	}
	return true;
}

static phys_addr_t __init mk_pool_reserve_fixed(void)
{
	phys_addr_t base = mk_pool_req_addr, size = mk_pool_req_size;

	if (base + size < base || !memblock_is_region_memory(base, size) ||
	    memblock_is_region_reserved(base, size)) {
		pr_err("multikernel.pool range %pa+%llu is not free RAM; no pool reserved\n",
		       &base, mk_pool_req_size);
		return 0;
	}
	if (memblock_reserve(base, size)) {
		pr_err("multikernel.pool range %pa+%llu could not be reserved\n",
		       &base, mk_pool_req_size);
		return 0;
	}
	return base;
}

static phys_addr_t __init mk_pool_reserve_any(void)
{
	phys_addr_t base;

	/* Prefer memory below 4 GiB, where 32-bit boot structures can point. */
	base = memblock_phys_alloc_range(mk_pool_req_size, MK_GRANULE, 0, SZ_4G);
	if (!base)
		base = memblock_phys_alloc_range(mk_pool_req_size, MK_GRANULE, 0,
						 MEMBLOCK_ALLOC_ACCESSIBLE);
	if (!base)
		pr_err("multikernel.pool: no free %llu-byte range of RAM; no pool reserved\n",
		       mk_pool_req_size);
	return base;
}

/**
 * multikernel_pool_reserve() - reserve the pool asked for on the command line
 *
 * Called by the architecture's setup code once memblock knows the RAM layout
 * and before the page allocator takes over free memory.  Does nothing when
 * multikernel.pool= was not given or was rejected.
 */
void __init multikernel_pool_reserve(void)
{
	phys_addr_t base;

	if (!mk_pool_req_valid || !mk_pool_request_sane())
		return;

	base = mk_pool_req_fixed ? mk_pool_reserve_fixed() : mk_pool_reserve_any();
	if (!base)
		return;

	mk_pool_res.start = base;
	mk_pool_res.end = base + mk_pool_req_size - 1;
	pr_info("reserved %llu MiB pool at %pa\n", mk_pool_req_size >> 20, &base);
}

/* Publish the pool in /proc/iomem and hand it to gen_pool once slab works. */
static int __init mk_pool_init(void)
{
	u64 size = resource_size(&mk_pool_res);
	int ret;

	if (!mk_pool_res.end)
		return 0;

	ret = insert_resource(&iomem_resource, &mk_pool_res);
	if (ret)
		pr_warn("pool could not be listed in /proc/iomem: %d\n", ret);

	mk_pool_clean = bitmap_zalloc(size >> MK_GRANULE_ORDER, GFP_KERNEL);
	mk_pool_suspect = kcalloc(size >> MK_GRANULE_ORDER, 1, GFP_KERNEL);
	mk_pool = gen_pool_create(MK_GRANULE_ORDER, NUMA_NO_NODE);
	if (!mk_pool || !mk_pool_clean || !mk_pool_suspect)
		goto fail;
	ret = gen_pool_add(mk_pool, mk_pool_res.start, size, NUMA_NO_NODE);
	if (ret)
		goto fail;
	return 0;

fail:
	pr_err("pool bookkeeping could not be set up; the pool stays unused\n");
	if (mk_pool)
		gen_pool_destroy(mk_pool);
	mk_pool = NULL;
	bitmap_free(mk_pool_clean);
	mk_pool_clean = NULL;
	kfree(mk_pool_suspect);
	mk_pool_suspect = NULL;
	return -ENOMEM;
}
subsys_initcall(mk_pool_init);

/**
 * mk_pool_present() - tell whether a pool was reserved and set up
 *
 * Return: true when instances can receive memory.
 */
bool mk_pool_present(void)
{
	return mk_pool;
}

/**
 * mk_pool_overlaps() - tell whether a physical range touches the pool
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * Return: true if any byte of [@start, @end] is pool memory.
 */
bool mk_pool_overlaps(phys_addr_t start, phys_addr_t end)
{
	return mk_pool && start <= mk_pool_res.end && mk_pool_res.start <= end;
}

/**
 * mk_pool_size() - size of the pool
 *
 * Return: bytes reserved for the pool, 0 without a pool.
 */
u64 mk_pool_size(void)
{
	return mk_pool ? gen_pool_size(mk_pool) : 0;
}

/**
 * mk_pool_free() - free bytes in the pool
 *
 * Return: bytes not lent to any instance, 0 without a pool.
 */
u64 mk_pool_free(void)
{
	return mk_pool ? gen_pool_avail(mk_pool) : 0;
}

/* Walks the free extents of the pool's chunks, see mk_pool_walk_free(). */
struct mk_pool_walk {
	mk_pool_extent_fn fn;
	void *data;
};

static void mk_chunk_walk_free(struct gen_pool *pool,
			       struct gen_pool_chunk *chunk, void *data)
{
	unsigned long nbits = (chunk->end_addr - chunk->start_addr + 1) >>
			      pool->min_alloc_order;
	struct mk_pool_walk *walk = data;
	unsigned long start = 0, end;

	for (;;) {
		start = find_next_zero_bit(chunk->bits, nbits, start);
		if (start >= nbits)
			break;
		end = find_next_bit(chunk->bits, nbits, start);
		walk->fn(chunk->start_addr +
			 ((phys_addr_t)start << pool->min_alloc_order),
			 (u64)(end - start) << pool->min_alloc_order,
			 walk->data);
		start = end;
	}
}

/**
 * mk_pool_walk_free() - call a function on each free extent
 * @fn: called with the physical start and the size of each extent; under
 *	rcu_read_lock(), so it must not sleep
 * @data: passed to @fn
 *
 * A snapshot: allocations running at the same time may change the extents
 * while they are walked.
 */
void mk_pool_walk_free(mk_pool_extent_fn fn, void *data)
{
	struct mk_pool_walk walk = { .fn = fn, .data = data };

	if (mk_pool)
		gen_pool_for_each_chunk(mk_pool, mk_chunk_walk_free, &walk);
}

static void mk_largest(phys_addr_t start, u64 size, void *data)
{
	u64 *largest = data;

	*largest = max(*largest, size);
}

/**
 * mk_pool_largest_free() - largest physically contiguous free extent
 *
 * The figure is a snapshot: allocations running at the same time may change
 * it before the caller looks at it.
 *
 * Return: bytes in the largest free extent, 0 without a pool.
 */
u64 mk_pool_largest_free(void)
{
	u64 largest = 0;

	mk_pool_walk_free(mk_largest, &largest);
	return largest;
}

static unsigned long mk_pool_granule(phys_addr_t addr)
{
	return (addr - mk_pool_res.start) >> MK_GRANULE_ORDER;
}

/* Clear the granules of a range, rescheduling between them. */
static void mk_pool_clear(phys_addr_t addr, u64 size, bool dirty_only)
{
	unsigned long g = mk_pool_granule(addr);
	u64 off;

	for (off = 0; off < size; off += MK_GRANULE, g++) {
		if (!dirty_only || !test_bit(g, mk_pool_clean))
			memset(__va(addr + off), 0, MK_GRANULE);
		cond_resched();
	}
}

/*
 * Granules of a range that a running spawn gave back must still be zero:
 * if one is not, its giver wrote to it afterwards; say so and clear it.
 */
static void mk_pool_check_suspect(phys_addr_t addr, u64 size)
{
	unsigned long g = mk_pool_granule(addr);
	phys_addr_t at;
	u64 off;

	for (off = 0; off < size; off += MK_GRANULE, g++) {
		if (!mk_pool_suspect[g])
			continue;
		at = addr + off;
		if (memchr_inv(__va(at), 0, MK_GRANULE)) {
			pr_warn("instance %u wrote to pool memory at %pa after it gave it back; cleared again\n",
				mk_pool_suspect[g], &at);
			memset(__va(at), 0, MK_GRANULE);
		}
		mk_pool_suspect[g] = 0;
		cond_resched();
	}
}

/* Hand out a range gen_pool found: zero, checked, no longer clean. */
static phys_addr_t mk_pool_take(phys_addr_t addr, u64 size)
{
	if (!addr)
		return 0;
	mk_pool_clear(addr, size, true);
	mk_pool_check_suspect(addr, size);
	bitmap_clear(mk_pool_clean, mk_pool_granule(addr),
		     size >> MK_GRANULE_ORDER);
	return addr;
}

/**
 * mk_pool_alloc() - take a physically contiguous range from the pool
 * @size: bytes, a multiple of MK_GRANULE
 *
 * Sleeps: a granule that was not used since boot is cleared first.
 *
 * Return: physical start address, aligned to MK_GRANULE, of a range that
 * is all zero, or 0 when the pool has no free extent that large.
 */
phys_addr_t mk_pool_alloc(u64 size)
{
	might_sleep();
	if (!mk_pool || !size || !IS_ALIGNED(size, MK_GRANULE))
		return 0;
	return mk_pool_take(gen_pool_alloc(mk_pool, size), size);
}

/**
 * mk_pool_alloc_aligned() - take a range aligned to its size from the pool
 * @size: bytes, a power-of-two multiple of MK_GRANULE, at most 1 GiB
 *
 * For memory added to a running spawn, which takes it in memory blocks
 * that are aligned to their size in physical memory.  Sleeps.
 *
 * Return: physical start address, aligned to @size, of a range that is all
 * zero, or 0 when the pool has no free aligned range that large.
 */
phys_addr_t mk_pool_alloc_aligned(u64 size)
{
	struct genpool_data_align align = { .align = size };

	might_sleep();
	if (!mk_pool || !is_power_of_2(size) || size < MK_GRANULE ||
	    size > SZ_1G)
		return 0;
	return mk_pool_take(gen_pool_alloc_algo(mk_pool, size,
						gen_pool_first_fit_align,
						&align), size);
}

/**
 * mk_pool_free_range() - give a range taken with mk_pool_alloc() back
 * @addr: physical start address returned by mk_pool_alloc()
 * @size: the size passed to mk_pool_alloc()
 *
 * Clears the range first, so that the next instance does not see what this
 * one left; sleeps.
 */
void mk_pool_free_range(phys_addr_t addr, u64 size)
{
	might_sleep();
	if (WARN_ON_ONCE(!mk_pool))
		return;
	mk_pool_clear(addr, size, false);
	bitmap_set(mk_pool_clean, mk_pool_granule(addr),
		   size >> MK_GRANULE_ORDER);
	gen_pool_free(mk_pool, addr, size);
}

/**
 * mk_pool_give_back() - take back a range a running spawn gave up
 * @addr: physical start address of the range, taken with mk_pool_alloc*()
 * @size: its size
 * @giver: the instance id of the spawn, which still runs
 *
 * Clears the range and frees it as mk_pool_free_range() does, and marks
 * it to be checked for writes of @giver before it is handed out again.
 */
void mk_pool_give_back(phys_addr_t addr, u64 size, u8 giver)
{
	unsigned long g = mk_pool_granule(addr);

	if (WARN_ON_ONCE(!mk_pool))
		return;
	memset(&mk_pool_suspect[g], giver, size >> MK_GRANULE_ORDER);
	mk_pool_free_range(addr, size);
}

/**
 * mk_pool_granule_clean() - tell whether a free granule is known to be zero
 * @addr: its physical address, in the pool
 *
 * For the tests: a granule not used since boot may hold anything.
 *
 * Return: true if mk_pool_free_range() cleared it last.
 */
bool mk_pool_granule_clean(phys_addr_t addr)
{
	return mk_pool && test_bit(mk_pool_granule(addr), mk_pool_clean);
}
