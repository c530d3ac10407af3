// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel host, x86: load a spawn's kernel, initrd and command line into
 * the instance's memory with kexec_file's bzImage loader.
 *
 * The image is read with the kexec read ids (so IMA and LSM policies apply
 * as for kexec), and IMA measures the command line against the kernel's
 * file as kexec_file_load() has it do (func=KEXEC_CMDLINE); the file stays
 * open from the read to the measurement so that both concern one inode.
 * The image is parsed and laid out by kexec_bzImage64_ops, with every
 * segment placed inside the instance's RAM (kimage.placement).  Nothing is
 * staged for a kexec reboot: the segments are copied into place here, the
 * purgatory is never run, and the kimage is freed.  boot_params is then
 * fixed up to describe only what the instance owns, and the
 * SETUP_MULTIKERNEL record is added to its setup_data chain.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/ima.h>
#include <linux/ioport.h>
#include <linux/kernel_read_file.h>
#include <linux/kexec.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include <asm/apic.h>
#include <asm/bootparam.h>
#include <asm/e820/types.h>
#include <asm/kexec.h>
#include <asm/realmode.h>
#include <asm/setup.h>
#include <asm/tsc.h>

#include "spawn.h"

/* Largest kernel or initrd read, as kexec_file's own limit. */
#define MK_IMAGE_MAX		((loff_t)min_t(u64, SZ_4G, SSIZE_MAX))

/*
 * Find the "MKSP" chunk in the image's kernel_info: the image says it is
 * built with the multikernel spawn platform, without which it would drive
 * the host's hardware, and which boot contract it speaks.  Refuse it
 * unless it has the chunk and reads the records this host writes.
 */
static int mk_image_declares_spawn(const struct multikernel_load *ld,
				   const char *buf, unsigned long len)
{
	const struct setup_header *hdr = (const void *)(buf + 0x1f1);
	unsigned long ki, size, total, off;
	u32 clen, version, version_min;
	const char *why;

	if (len < 0x1f1 + sizeof(*hdr) || hdr->version < 0x020f)
		goto absent;
	ki = ((hdr->setup_sects ?: 4) + 1) * 512UL + hdr->kernel_info_offset;
	if (ki + 16 > len || memcmp(buf + ki, "LToP", 4))
		goto absent;
	size = get_unaligned((u32 *)(buf + ki + 4));
	total = get_unaligned((u32 *)(buf + ki + 8));
	if (size > total || ki + total > len)
		goto absent;
	for (off = size; off + 8 <= total; off += clen) {
		clen = get_unaligned((u32 *)(buf + ki + off + 4));
		if (clen < 8 || off + clen > total)
			goto absent;
		if (memcmp(buf + ki + off, MULTIKERNEL_SPAWN_CHUNK_MAGIC, 4))
			continue;
		if (!multikernel_spawn_chunk_check(buf + ki + off, clen,
						   MULTIKERNEL_BOOT_VERSION,
						   &version, &version_min, &why))
			return 0;
		pr_info("%s: %s speaks boot contract %u (records from version %u), this host writes version %u: %s\n",
			ld->name, ld->kernel, version, version_min,
			MULTIKERNEL_BOOT_VERSION, why);
		return -ENOEXEC;
	}
absent:
	pr_info("%s: %s does not declare multikernel spawn support (CONFIG_MULTIKERNEL)\n",
		ld->name, ld->kernel);
	return -ENOEXEC;
}

/*
 * Read @path whole, under @id.  With @filep the file stays open for the
 * caller to put (the kernel's, for IMA to measure the command line
 * against the inode that was read).
 */
static int mk_read_image(const char *path, void **buf, unsigned long *len,
			 enum kernel_read_file_id id, struct file **filep)
{
	struct file *file;
	ssize_t ret;

	*buf = NULL;
	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = kernel_read_file(file, 0, buf, MK_IMAGE_MAX, NULL, id);
	if (ret < 0 || !filep)
		fput(file);
	else
		*filep = file;
	if (ret < 0)
		return ret;
	*len = ret;
	return 0;
}

/* The record version to write: ours, or the test hook's. */
static u32 mk_boot_version(void)
{
#ifdef CONFIG_MULTIKERNEL_MSG_TEST
	s64 v = READ_ONCE(multikernel_boot_record_version_override);

	if (v >= 0)
		return v;
#endif
	return MULTIKERNEL_BOOT_VERSION;
}

static void mk_fill_boot_info(struct multikernel_boot_info *bi,
			      const struct multikernel_load *ld)
{
	struct timespec64 now;
	unsigned int i;
	u32 id;

	bi->version = mk_boot_version();
	bi->size = sizeof(*bi);
	bi->id = ld->id;
	strscpy(bi->name, ld->name, sizeof(bi->name));
	bi->host_apic_id = per_cpu(x86_cpu_to_apicid, 0);
	bi->host_bsp_apic_id = per_cpu(x86_cpu_to_apicid, 0);
	for (i = 0; i < ld->nr_slots && i < MULTIKERNEL_MAX_CPUS; i++) {
		id = per_cpu(x86_cpu_to_apicid, ld->slots[i]);
		if (i < ld->nr_cpus)
			bi->apic_ids[bi->nr_cpus++] = id;
		else
			bi->spare_apic_ids[bi->nr_spare_cpus++] = id;
	}
	bi->mem_block_size = ld->mem_block_size;
	for (i = 0; i < ld->nr_preserved && i < MULTIKERNEL_MAX_PRESERVED; i++)
		bi->preserved[bi->nr_preserved++] = ld->preserved[i];
	if (ld->successor)
		bi->flags |= MULTIKERNEL_BOOT_F_SUCCESSOR;
	bi->tsc_khz = tsc_khz;
	bi->cpu_khz = cpu_khz;
	bi->lapic_timer_hz = (u64)lapic_timer_period * HZ;
	bi->loops_per_sec = (u64)loops_per_jiffy * HZ;
	bi->comm_phys = ld->comm_phys;
	bi->comm_size = ld->comm_size;
	ktime_get_real_ts64(&now);
	bi->wall_tsc = rdtsc_ordered();
	bi->wall_sec = now.tv_sec;
	bi->wall_nsec = now.tv_nsec;
}

static void mk_add_e820(struct boot_params *bp, u64 addr, u64 size, u32 type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

/* Describe only what the instance owns and forget the host's firmware. */
static void mk_fix_boot_params(struct boot_params *bp,
			       const struct multikernel_load *ld)
{
	memset(&bp->screen_info, 0, sizeof(bp->screen_info));
	memset(&bp->efi_info, 0, sizeof(bp->efi_info));
	memset(bp->eddbuf, 0, sizeof(bp->eddbuf));
	memset(bp->edd_mbr_sig_buffer, 0, sizeof(bp->edd_mbr_sig_buffer));
	bp->eddbuf_entries = 0;
	bp->edd_mbr_sig_buf_entries = 0;
	bp->acpi_rsdp_addr = 0;
	bp->secure_boot = 0;
	bp->alt_mem_k = 0;

	/* Sorted; Linux ignores a table with fewer than two entries. */
	bp->e820_entries = 0;
	mk_add_e820(bp, ld->low_phys, MK_LOW_SLICE, E820_TYPE_RAM);
	mk_add_e820(bp, ld->comm_phys, ld->comm_size, E820_TYPE_RESERVED);
	mk_add_e820(bp, ld->ram_phys, ld->ram_size, E820_TYPE_RAM);
}

static struct boot_params *mk_find_boot_params(struct kimage *image, u64 bp)
{
	unsigned long i;

	for (i = 0; i < image->nr_segments; i++)
		if (image->segment[i].mem == bp &&
		    image->segment[i].bufsz >= sizeof(struct boot_params))
			return (struct boot_params *)image->segment[i].kbuf;
	return NULL;
}

/* Our record, as one more segment at the head of the setup_data chain. */
static int mk_add_boot_info(struct kimage *image, struct boot_params *bp,
			    struct setup_data *sd, unsigned long len)
{
	struct kexec_buf kbuf = {
		.image		= image,
		.buffer		= sd,
		.bufsz		= len,
		.memsz		= PAGE_ALIGN(len),
		.buf_align	= PAGE_SIZE,
		.buf_max	= ULONG_MAX,
		.top_down	= true,
		.mem		= KEXEC_BUF_MEM_UNKNOWN,
	};
	int ret;

	ret = kexec_add_buffer(&kbuf);
	if (ret)
		return ret;
	sd->next = bp->hdr.setup_data;
	bp->hdr.setup_data = kbuf.mem;
	return 0;
}

/* Copy every segment into the instance's RAM, which must hold them all. */
static int mk_copy_segments(struct kimage *image,
			    const struct multikernel_load *ld)
{
	u64 end = ld->ram_phys + ld->ram_size;
	unsigned long i;

	for (i = 0; i < image->nr_segments; i++) {
		struct kexec_segment *s = &image->segment[i];

		if (s->mem < ld->ram_phys || s->mem + s->memsz > end ||
		    s->bufsz > s->memsz)
			return -EINVAL;
	}
	for (i = 0; i < image->nr_segments; i++) {
		struct kexec_segment *s = &image->segment[i];

		memcpy(__va(s->mem), s->kbuf, s->bufsz);
		memset(__va(s->mem + s->bufsz), 0, s->memsz - s->bufsz);
	}
	return 0;
}

/* *kernel is set to the kernel's open file once it is read. */
static int mk_read_images(struct kimage *image,
			  const struct multikernel_load *ld,
			  struct file **kernel)
{
	int ret;

	ret = mk_read_image(ld->kernel, &image->kernel_buf,
			    &image->kernel_buf_len, READING_KEXEC_IMAGE, kernel);
	if (ret) {
		pr_info("%s: cannot read kernel %s: %d\n", ld->name, ld->kernel,
			ret);
		return ret;
	}
	ret = arch_kexec_kernel_image_probe(image, image->kernel_buf,
					    image->kernel_buf_len);
	if (ret) {
		pr_info("%s: %s is not a bootable x86-64 bzImage\n", ld->name,
			ld->kernel);
		return -ENOEXEC;
	}
	ret = mk_image_declares_spawn(ld, image->kernel_buf,
				      image->kernel_buf_len);
	if (ret)
		return ret;
#ifdef CONFIG_KEXEC_SIG
	ret = kimage_validate_signature(image);
	if (ret) {
		pr_info("%s: %s: signature check failed: %d\n", ld->name,
			ld->kernel, ret);
		return ret;
	}
#endif
	if (!ld->initrd)
		return 0;
	ret = mk_read_image(ld->initrd, &image->initrd_buf,
			    &image->initrd_buf_len, READING_KEXEC_INITRAMFS,
			    NULL);
	if (ret)
		pr_info("%s: cannot read initrd %s: %d\n", ld->name, ld->initrd,
			ret);
	return ret;
}

/**
 * multikernel_arch_load() - load an instance's images into its memory
 * @ld: what to load and where
 * @entry: set to the physical address of the kernel's 64-bit entry
 * @boot_params: set to the physical address of its boot_params
 *
 * Return: 0; -ENOEXEC for an image that is not a bzImage, does not
 * declare spawn support or does not read the boot records this host
 * writes; the errno of reading a file; -ENOMEM; -E2BIG or -EADDRNOTAVAIL
 * when the images do not fit.
 */
int multikernel_arch_load(const struct multikernel_load *ld, u64 *entry,
			  u64 *boot_params)
{
	struct resource ram = DEFINE_RES_MEM(ld->ram_phys, ld->ram_size);
	struct kexec_entry64_regs regs;
	struct setup_data *sd = NULL;
	struct file *kernel = NULL;
	unsigned long sd_len;
	struct boot_params *bp;
	struct kimage *image;
	void *ldata;
	int ret;

	image = do_kimage_alloc_init();
	if (!image)
		return -ENOMEM;
	image->file_mode = 1;
	image->placement = &ram;

	ret = mk_read_images(image, ld, &kernel);
	if (ret)
		goto out;

	image->cmdline_buf = kasprintf(GFP_KERNEL, "%s%s", ld->cmdline ?: "",
				       MULTIKERNEL_CMDLINE_SUFFIX);
	if (!image->cmdline_buf) {
		ret = -ENOMEM;
		goto out;
	}
	image->cmdline_buf_len = strlen(image->cmdline_buf) + 1;
	ima_kexec_cmdline_file(kernel, image->cmdline_buf,
			       image->cmdline_buf_len - 1);

	ldata = image->fops->load(image, image->kernel_buf, image->kernel_buf_len,
				  image->initrd_buf, image->initrd_buf_len,
				  image->cmdline_buf, image->cmdline_buf_len);
	if (IS_ERR(ldata)) {
		ret = PTR_ERR(ldata);
		pr_info("%s: the images do not fit the instance: %d\n", ld->name,
			ret);
		goto out;
	}
	image->image_loader_data = ldata;

	ret = kexec_purgatory_get_set_symbol(image, "entry64_regs", &regs,
					     sizeof(regs), true);
	if (ret)
		goto out;
	bp = mk_find_boot_params(image, regs.rsi);
	if (!bp) {
		ret = -EINVAL;
		goto out;
	}
	mk_fix_boot_params(bp, ld);

	sd_len = sizeof(*sd) + sizeof(struct multikernel_boot_info);
	sd = kzalloc(sd_len, GFP_KERNEL);
	if (!sd) {
		ret = -ENOMEM;
		goto out;
	}
	sd->type = SETUP_MULTIKERNEL;
	sd->len = sizeof(struct multikernel_boot_info);
	mk_fill_boot_info((struct multikernel_boot_info *)sd->data, ld);
	ret = mk_add_boot_info(image, bp, sd, sd_len);
	if (ret)
		goto out;

	ret = mk_copy_segments(image, ld);
	if (ret)
		goto out;
	*entry = regs.rip;
	*boot_params = regs.rsi;
out:
	if (kernel)
		fput(kernel);
	kimage_free(image);
	kfree(sd);
	return ret;
}
