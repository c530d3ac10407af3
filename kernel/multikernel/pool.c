// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multikernel memory pool: physically contiguous RAM reserved at boot
 * with multikernel.pool=[cma:]SIZE[@ADDR] and lent to instances.
 *
 * The range is taken from memblock before the page allocator exists, so it
 * stays in the direct map.  Plain, it never reaches the buddy allocator.
 * With "cma:" it becomes a CMA area (pool_cma.c): the parts no instance
 * holds serve the host's movable allocations, and a part an instance
 * needs is moved out of the page allocator first, migrating the host's
 * pages away; it goes back to the host when the instance stops.  Once
 * slab is up the range is handed to a gen_pool, which chooses every
 * range lent, in units of the pool: MK_GRANULE, or a pageblock if that is
 * larger with CMA (sizes are rounded up to it).
 *
 * No instance sees another's data, nor what was in the range before (a
 * boot loader's images, the host's pages): mk_pool_free_range() clears a
 * range before it goes back, and marks its granules clean in mk_pool_clean
 * while the pool keeps them; mk_pool_alloc() clears the granules of the
 * range it returns that are not clean (never used since boot, or the
 * host's in between).  So every clean granule is zero, and every range
 * handed out is zero.
 *
 * Memory a spawn gives back while it runs (mk_pool_give_back()) is cleared
 * too, but the spawn still runs and could write to it: its granules are
 * marked in mk_pool_suspect with the giver's id.  An allocation that hands
 * one out again first checks that it is still zero, logs the giver if it is
 * not, and clears it again; so does mk_pool_forget_giver() once the giver
 * has stopped.  Until then a suspect granule is not the host's even with
 * CMA, so a free granule of a CMA-backed pool is in the host's page
 * allocator exactly when it has no suspect mark.
 *
 * Locking: mk_pool_mutex serialises allocating, freeing and giving back,
 * and guards mk_pool_clean and mk_pool_suspect.  It is taken last, below
 * any instance lock, and held while ranges are cleared or migrated, so
 * these functions sleep, possibly for long.
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
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "internal.h"

static u64 mk_pool_req_size __initdata;
static u64 mk_pool_req_addr __initdata;
static bool mk_pool_req_fixed __initdata;
static bool mk_pool_req_valid __initdata;
static bool mk_pool_req_cma __initdata;

static struct resource mk_pool_res = {
	.name	= "Multikernel pool",
	.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
	.desc	= IORES_DESC_RESERVED,
};

static struct gen_pool *mk_pool;
static bool mk_pool_cma;		/* the free granules are the host's */
static u64 mk_pool_unit = MK_GRANULE;	/* gen_pool's allocation unit */
static DEFINE_MUTEX(mk_pool_mutex);
static unsigned long *mk_pool_clean;	/* one bit per granule, see above */
static u8 *mk_pool_suspect;		/* per granule: giver's id, or 0 */

static int __init mk_pool_param(char *arg)
{
	char *end;

	if (!arg) {
		pr_err("multikernel.pool needs a value: SIZE[@ADDR]\n");
		return 0;
	}
	if (str_has_prefix(arg, "cma:")) {
		mk_pool_req_cma = true;
		arg += 4;
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

/* The alignment of the pool's start and size. */
static u64 __init mk_pool_req_align(void)
{
	return mk_pool_req_cma ? max(MK_GRANULE, mk_pool_cma_align()) :
				 MK_GRANULE;
}

static bool __init mk_pool_request_sane(void)
{
	u64 align = mk_pool_req_align();

	if (mk_pool_req_cma && !IS_ENABLED(CONFIG_CMA)) {
		pr_err("multikernel.pool=cma: needs a kernel built with CONFIG_CMA; no pool reserved\n");
		return false;
	}
	if (!mk_pool_req_size || !IS_ALIGNED(mk_pool_req_size, align)) {
		pr_err("multikernel.pool size %llu is not a non-zero multiple of %llu; no pool reserved\n",
		       mk_pool_req_size, align);
		return false;
	}
	if (mk_pool_req_fixed && !IS_ALIGNED(mk_pool_req_addr, align)) {
		pr_err("multikernel.pool address %#llx is not aligned to %llu; no pool reserved\n",
		       mk_pool_req_addr, align);
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
	base = memblock_phys_alloc_range(mk_pool_req_size, mk_pool_req_align(),
					 0, SZ_4G);
	if (!base)
		base = memblock_phys_alloc_range(mk_pool_req_size,
						 mk_pool_req_align(), 0,
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
	if (mk_pool_req_cma && mk_pool_cma_declare(base, mk_pool_req_size)) {
		pr_err("the pool could not be declared a CMA area; it serves instances only\n");
		mk_pool_req_cma = false;
	}
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

	if (mk_pool_req_cma && !mk_pool_cma_active())
		pr_err("the pool's CMA area was not activated (does it span two zones?); it serves instances only\n");
	mk_pool_cma = mk_pool_cma_active();
	if (mk_pool_cma)
		mk_pool_unit = max(MK_GRANULE, mk_pool_cma_align());

	mk_pool_clean = bitmap_zalloc(size >> MK_GRANULE_ORDER, GFP_KERNEL);
	mk_pool_suspect = kcalloc(size >> MK_GRANULE_ORDER, 1, GFP_KERNEL);
	mk_pool = gen_pool_create(ilog2(mk_pool_unit), NUMA_NO_NODE);
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

/**
 * mk_pool_backing() - what backs the pool's free memory
 *
 * Return: "cma" when it serves the host's movable allocations, else
 * "memblock".
 */
const char *mk_pool_backing(void)
{
	return mk_pool_cma ? "cma" : "memblock";
}

static unsigned long mk_pool_granule(phys_addr_t addr)
{
	return (addr - mk_pool_res.start) >> MK_GRANULE_ORDER;
}

/**
 * mk_pool_host_usable() - bytes of the pool the host may use now
 *
 * Return: with the CMA backing, the free bytes that no running spawn gave
 * back (those wait for their giver to stop); 0 otherwise.
 */
u64 mk_pool_host_usable(void)
{
	unsigned long g, n = resource_size(&mk_pool_res) >> MK_GRANULE_ORDER;
	u64 usable;

	if (!mk_pool_cma)
		return 0;
	mutex_lock(&mk_pool_mutex);
	usable = gen_pool_avail(mk_pool);
	for (g = 0; g < n; g++)
		if (mk_pool_suspect[g])
			usable -= MK_GRANULE;
	mutex_unlock(&mk_pool_mutex);
	return usable;
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
 * A granule a running spawn gave back must still be zero: if it is not,
 * its giver wrote to it afterwards; say so and clear it.  The mark goes.
 */
static void mk_pool_check_granule(unsigned long g)
{
	phys_addr_t at = mk_pool_res.start + ((phys_addr_t)g << MK_GRANULE_ORDER);

	if (memchr_inv(__va(at), 0, MK_GRANULE)) {
		pr_warn("instance %u wrote to pool memory at %pa after it gave it back; cleared again\n",
			mk_pool_suspect[g], &at);
		memset(__va(at), 0, MK_GRANULE);
	}
	mk_pool_suspect[g] = 0;
}

static void mk_pool_check_suspect(phys_addr_t addr, u64 size)
{
	unsigned long g = mk_pool_granule(addr);
	u64 off;

	for (off = 0; off < size; off += MK_GRANULE, g++) {
		if (mk_pool_suspect[g])
			mk_pool_check_granule(g);
		cond_resched();
	}
}

/*
 * The length of the run of granules from @at, before @end, that are in
 * the host's page allocator (@host) or not: see the header.
 */
static u64 mk_pool_run(phys_addr_t at, phys_addr_t end, bool host)
{
	u64 len = 0;

	while (at + len < end &&
	       (mk_pool_suspect[mk_pool_granule(at + len)] == 0) == host)
		len += MK_GRANULE;
	return len;
}

/* Hand the host's runs in [@addr, @end) of a range we hold back to it. */
static void mk_pool_unhold(phys_addr_t addr, phys_addr_t end)
{
	phys_addr_t at;
	u64 len;
	bool host;

	for (at = addr; at < end; at += len) {
		host = !mk_pool_suspect[mk_pool_granule(at)];
		len = mk_pool_run(at, end, host);
		if (host)
			mk_pool_cma_give(at, len);
	}
}

/*
 * Take the granules of a range gen_pool just chose that are the host's
 * out of its page allocator, a run at a time; on failure hand back those
 * this call took.  Nothing to do for a plain pool.
 */
static int mk_pool_hold(phys_addr_t addr, u64 size)
{
	phys_addr_t at, end = addr + size;
	int ret = 0;
	u64 len;
	bool host;

	if (!mk_pool_cma)
		return 0;
	for (at = addr; at < end; at += len) {
		host = !mk_pool_suspect[mk_pool_granule(at)];
		len = mk_pool_run(at, end, host);
		if (host) {
			ret = mk_pool_cma_take(at, len);
			if (ret)
				break;
		}
	}
	if (ret)
		mk_pool_unhold(addr, at);
	return ret;
}

/* Where gen_pool looks for a range: the first fit at @from or above. */
struct mk_pool_fit {
	u64 align;		/* physical alignment, a power of two */
	unsigned long from;	/* first bit of the chunk to look at */
};

static unsigned long mk_pool_fit_from(unsigned long *map, unsigned long size,
				      unsigned long start, unsigned int nr,
				      void *data, struct gen_pool *pool,
				      unsigned long start_addr)
{
	struct mk_pool_fit *fit = data;
	int order = pool->min_alloc_order;

	return bitmap_find_next_zero_area_off(map, size, max(start, fit->from),
					      nr, (fit->align >> order) - 1,
					      (start_addr & (fit->align - 1)) >>
					      order);
}

/*
 * Find a free range, hold it and make it zero.  A range whose host pages
 * cannot be moved now is skipped for the next one, as cma_alloc() does.
 */
static int mk_pool_get(u64 size, u64 align, phys_addr_t *addr)
{
	struct mk_pool_fit fit = { .align = max(align, mk_pool_unit) };
	int ret = -ENOSPC, err;
	phys_addr_t at;

	size = round_up(size, mk_pool_unit);
	mutex_lock(&mk_pool_mutex);
	for (;;) {
		at = gen_pool_alloc_algo(mk_pool, size, mk_pool_fit_from, &fit);
		if (!at)
			break;
		err = mk_pool_hold(at, size);
		if (!err) {
			mk_pool_clear(at, size, true);
			mk_pool_check_suspect(at, size);
			bitmap_clear(mk_pool_clean, mk_pool_granule(at),
				     size >> MK_GRANULE_ORDER);
			*addr = at;
			ret = 0;
			break;
		}
		gen_pool_free(mk_pool, at, size);
		ret = err;
		if (err != -EBUSY)
			break;
		fit.from = ((at - mk_pool_res.start) >> ilog2(mk_pool_unit)) + 1;
	}
	mutex_unlock(&mk_pool_mutex);
	return ret;
}

/**
 * mk_pool_alloc() - take a physically contiguous range from the pool
 * @size: bytes, a multiple of MK_GRANULE
 * @addr: set to the physical start of the range, aligned to MK_GRANULE
 *
 * The range is all zero.  Sleeps: a granule that was not used since boot,
 * or that the host used, is cleared first; with CMA, the host's pages are
 * migrated out of the range.
 *
 * Return: 0; -ENOSPC when the pool has no free extent that large, -EBUSY
 * when the host's pages could not be moved out of any (CMA), -EINTR on a
 * fatal signal, -EINVAL for a bad @size.
 */
int mk_pool_alloc(u64 size, phys_addr_t *addr)
{
	might_sleep();
	if (!mk_pool)
		return -ENOSPC;
	if (!size || !IS_ALIGNED(size, MK_GRANULE))
		return -EINVAL;
	return mk_pool_get(size, MK_GRANULE, addr);
}

/**
 * mk_pool_alloc_aligned() - take a range aligned to its size from the pool
 * @size: bytes, a power-of-two multiple of MK_GRANULE, at most 1 GiB
 * @addr: set to the physical start of the range, aligned to @size
 *
 * For memory added to a running spawn, which takes it in memory blocks
 * that are aligned to their size in physical memory.  Sleeps.
 *
 * Return: as for mk_pool_alloc(): 0, -ENOSPC, -EBUSY, -EINTR or -EINVAL.
 */
int mk_pool_alloc_aligned(u64 size, phys_addr_t *addr)
{
	might_sleep();
	if (!mk_pool)
		return -ENOSPC;
	if (!is_power_of_2(size) || size < MK_GRANULE || size > SZ_1G)
		return -EINVAL;
	return mk_pool_get(size, size, addr);
}

/**
 * mk_pool_free_range() - give a range taken with mk_pool_alloc() back
 * @addr: physical start address set by mk_pool_alloc()
 * @size: the size passed to mk_pool_alloc()
 *
 * Clears the range first, so that the next instance does not see what this
 * one left; with CMA the range then goes back to the host's page
 * allocator.  Nothing that ran on it may run any more.  Sleeps.
 */
void mk_pool_free_range(phys_addr_t addr, u64 size)
{
	might_sleep();
	if (WARN_ON_ONCE(!mk_pool))
		return;
	size = round_up(size, mk_pool_unit);
	mutex_lock(&mk_pool_mutex);
	mk_pool_clear(addr, size, false);
	if (mk_pool_cma)
		mk_pool_cma_give(addr, size);
	else
		bitmap_set(mk_pool_clean, mk_pool_granule(addr),
			   size >> MK_GRANULE_ORDER);
	gen_pool_free(mk_pool, addr, size);
	mutex_unlock(&mk_pool_mutex);
}

/**
 * mk_pool_give_back() - take back a range a running spawn gave up
 * @addr: physical start address of the range, taken with mk_pool_alloc*()
 * @size: its size
 * @giver: the instance id of the spawn, which still runs
 *
 * Clears the range and frees it for other instances, and marks it to be
 * checked for writes of @giver before it is handed out again or, with CMA,
 * handed to the host by mk_pool_forget_giver().  Sleeps.
 */
void mk_pool_give_back(phys_addr_t addr, u64 size, u8 giver)
{
	unsigned long g = mk_pool_granule(addr);

	if (WARN_ON_ONCE(!mk_pool || !giver))
		return;
	size = round_up(size, mk_pool_unit);
	mutex_lock(&mk_pool_mutex);
	mk_pool_clear(addr, size, false);
	bitmap_set(mk_pool_clean, g, size >> MK_GRANULE_ORDER);
	memset(&mk_pool_suspect[g], giver, size >> MK_GRANULE_ORDER);
	gen_pool_free(mk_pool, addr, size);
	mutex_unlock(&mk_pool_mutex);
}

/**
 * mk_pool_forget_giver() - check what a stopped spawn gave back while it ran
 * @giver: its instance id; nothing it ran on runs any more
 *
 * Each granule @giver gave back that no instance took since is checked to
 * be still zero, loses its mark and, with CMA, goes back to the host's page
 * allocator.  Sleeps.
 */
void mk_pool_forget_giver(u8 giver)
{
	unsigned long g, n = resource_size(&mk_pool_res) >> MK_GRANULE_ORDER;
	phys_addr_t at;

	if (!mk_pool || !giver)
		return;
	mutex_lock(&mk_pool_mutex);
	for (g = 0; g < n; g++) {
		if (mk_pool_suspect[g] != giver)
			continue;
		mk_pool_check_granule(g);
		if (mk_pool_cma) {
			at = mk_pool_res.start + ((phys_addr_t)g << MK_GRANULE_ORDER);
			mk_pool_cma_give(at, MK_GRANULE);
			clear_bit(g, mk_pool_clean);
		}
		cond_resched();
	}
	mutex_unlock(&mk_pool_mutex);
}

/**
 * mk_pool_granule_clean() - tell whether a free granule is known to be zero
 * @addr: its physical address, in the pool
 *
 * For the tests: a granule not used since boot may hold anything.
 *
 * Return: true if the pool cleared it last and kept it since.
 */
bool mk_pool_granule_clean(phys_addr_t addr)
{
	return mk_pool && test_bit(mk_pool_granule(addr), mk_pool_clean);
}
