// SPDX-License-Identifier: GPL-2.0-only
/*
 * Preserved regions inside a spawn: /sys/kernel/multikernel/self/preserved/.
 *
 * The boot record lists the instance's regions (struct
 * multikernel_preserved), which the host keeps, uncleared, from one of
 * the instance's kernels to the next.  Each becomes a root-only binary
 * file of the region's size that reads, writes and mmaps the region; it
 * cannot grow or shrink.  A region is not RAM of this kernel: it is
 * mapped write-back with memremap(), listed in /proc/iomem, and one that
 * overlaps this kernel's RAM is refused with a log line.
 *
 * The files are made once, at boot or when an upgrade's successor is
 * activated, and never removed, so the mappings live as long as the
 * kernel; sysfs serialises nothing here: concurrent
 * writers see each other's bytes as with any shared memory.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

/* One region: its file and its mapping. */
struct mk_preserved_file {
	struct bin_attribute attr;
	const struct multikernel_preserved *r;
	void *va;
};

static ssize_t mk_preserved_read(struct file *file, struct kobject *kobj,
				 struct bin_attribute *attr, char *buf,
				 loff_t pos, size_t count)
{
	struct mk_preserved_file *f = attr->private;

	/* sysfs keeps @pos + @count within attr->size. */
	memcpy(buf, f->va + pos, count);
	return count;
}

static ssize_t mk_preserved_write(struct file *file, struct kobject *kobj,
				  struct bin_attribute *attr, char *buf,
				  loff_t pos, size_t count)
{
	struct mk_preserved_file *f = attr->private;

	memcpy(f->va + pos, buf, count);
	return count;
}

static int mk_preserved_mmap(struct file *file, struct kobject *kobj,
			     struct bin_attribute *attr,
			     struct vm_area_struct *vma)
{
	struct mk_preserved_file *f = attr->private;
	unsigned long pages = vma_pages(vma);
	unsigned long limit = f->r->size >> PAGE_SHIFT;

	if (vma->vm_pgoff > limit || pages > limit - vma->vm_pgoff)
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start,
			       PHYS_PFN(f->r->phys) + vma->vm_pgoff,
			       pages << PAGE_SHIFT, vma->vm_page_prot);
}

/* Map region @r and describe its file in @f; false if it cannot be. */
static bool mk_preserved_map(struct mk_preserved_file *f,
			     const struct multikernel_preserved *r)
{
	if (region_intersects(r->phys, r->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("preserved region %s at %#llx overlaps this kernel's RAM; not used\n",
		       r->name, r->phys);
		return false;
	}
	f->va = memremap(r->phys, r->size, MEMREMAP_WB);
	if (!f->va) {
		pr_err("preserved region %s at %#llx cannot be mapped; not used\n",
		       r->name, r->phys);
		return false;
	}
	if (!request_mem_region(r->phys, r->size, r->name))
		pr_warn("preserved region %s is not listed in /proc/iomem\n",
			r->name);
	f->r = r;
	sysfs_bin_attr_init(&f->attr);
	f->attr.attr.name = r->name;
	f->attr.attr.mode = 0600;
	f->attr.size = r->size;
	f->attr.read = mk_preserved_read;
	f->attr.write = mk_preserved_write;
	f->attr.mmap = mk_preserved_mmap;
	f->attr.private = f;
	return true;
}

static struct kobject *mk_preserved_self;

/**
 * mk_preserved_spawn_open() - make the files of this spawn's regions
 *
 * Called once: at boot, or when an upgrade's successor is activated.  A
 * spawn without regions gets an empty preserved/ directory.
 *
 * Return: 0, -ENOMEM, or the error of sysfs_create_group().
 */
int mk_preserved_spawn_open(void)
{
	const struct multikernel_boot_info *bi = multikernel_spawn_info();
	static struct attribute_group group = { .name = "preserved" };
	static struct attribute *none[] = { NULL };
	struct bin_attribute **attrs;
	struct mk_preserved_file *f;
	unsigned int i, n = 0;

	f = kcalloc(bi->nr_preserved, sizeof(*f), GFP_KERNEL);
	attrs = kcalloc(bi->nr_preserved + 1, sizeof(*attrs), GFP_KERNEL);
	if ((bi->nr_preserved && !f) || !attrs) {
		kfree(f);
		kfree(attrs);
		return -ENOMEM;
	}
	for (i = 0; i < bi->nr_preserved; i++) {
		if (mk_preserved_map(&f[n], &bi->preserved[i])) {
			attrs[n] = &f[n].attr;
			n++;
		}
	}
	group.attrs = none;
	group.bin_attrs = attrs;
	return sysfs_create_group(mk_preserved_self, &group);
}

/**
 * mk_preserved_spawn_init() - set up this spawn's regions
 * @self: the kobject of /sys/kernel/multikernel/self
 *
 * Called once, in a spawn.  An upgrade's successor opens its regions
 * only when it is activated (handover_spawn.c): until then the kernel it
 * succeeds may still write them.
 *
 * Return: 0 or the error of mk_preserved_spawn_open().
 */
int mk_preserved_spawn_init(struct kobject *self)
{
	const struct multikernel_boot_info *bi = multikernel_spawn_info();

	mk_preserved_self = self;
	if (bi->flags & MULTIKERNEL_BOOT_F_SUCCESSOR)
		return 0;
	return mk_preserved_spawn_open();
}
