// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multikernel memory pool: physically contiguous RAM reserved at boot
 * with multikernel.pool=SIZE[@ADDR] and lent to instances in granules.
 *
 * The range is taken from memblock before the page allocator exists, so it
 * stays in the direct map but never reaches the buddy allocator.  Once slab
 * is up it is handed to a gen_pool, which does all later bookkeeping; its
 * own lock-free bitmap makes allocation and freeing safe from any context.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/genalloc.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/memblock.h>
#include <linux/multikernel.h>
#include <linux/printk.h>

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

	mk_pool = gen_pool_create(MK_GRANULE_ORDER, NUMA_NO_NODE);
	if (!mk_pool)
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

static void mk_chunk_largest_free(struct gen_pool *pool,
				  struct gen_pool_chunk *chunk, void *data)
{
	unsigned long nbits = (chunk->end_addr - chunk->start_addr + 1) >>
			      pool->min_alloc_order;
	unsigned long *largest = data;
	unsigned long start = 0, end;

	for (;;) {
		start = find_next_zero_bit(chunk->bits, nbits, start);
		if (start >= nbits)
			break;
		end = find_next_bit(chunk->bits, nbits, start);
		*largest = max(*largest, end - start);
		start = end;
	}
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
	unsigned long granules = 0;

	if (!mk_pool)
		return 0;
	gen_pool_for_each_chunk(mk_pool, mk_chunk_largest_free, &granules);
	return (u64)granules << MK_GRANULE_ORDER;
}

/**
 * mk_pool_alloc() - take a physically contiguous range from the pool
 * @size: bytes, a multiple of MK_GRANULE
 *
 * Return: physical start address, aligned to MK_GRANULE, or 0 when the pool
 * has no free extent that large.
 */
phys_addr_t mk_pool_alloc(u64 size)
{
	if (!mk_pool || !size || !IS_ALIGNED(size, MK_GRANULE))
		return 0;
	return gen_pool_alloc(mk_pool, size);
}

/**
 * mk_pool_free_range() - give a range taken with mk_pool_alloc() back
 * @addr: physical start address returned by mk_pool_alloc()
 * @size: the size passed to mk_pool_alloc()
 */
void mk_pool_free_range(phys_addr_t addr, u64 size)
{
	if (WARN_ON_ONCE(!mk_pool))
		return;
	gen_pool_free(mk_pool, addr, size);
}
