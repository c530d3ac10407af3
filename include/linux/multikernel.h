/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel: run independent kernels on CPUs and memory lent by this one.
 *
 * This header holds the hooks the rest of the kernel calls and the
 * interface between the generic core (kernel/multikernel/) and the
 * architecture code (arch/x86/multikernel/).
 */
#ifndef _LINUX_MULTIKERNEL_H
#define _LINUX_MULTIKERNEL_H

#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/types.h>
#include <uapi/linux/multikernel.h>

/*
 * Appended to every spawn's command line: its console is the ring in the
 * communication region, and it must not broadcast IPIs, which would reach
 * the host's CPUs.
 */
#define MULTIKERNEL_CMDLINE_SUFFIX	" console=hvc0 no_ipi_broadcast=1"

/**
 * struct multikernel_load - what to load for an instance, and where
 * @kernel: absolute path of the bzImage
 * @initrd: absolute path of the initramfs, or NULL
 * @cmdline: the admin's command line, or NULL
 * @slots: host CPU numbers of the spawn's CPU slots: the instance's CPUs,
 *	the first of which starts the kernel, then the spares it may be given
 *	while it runs
 * @nr_cpus: entries of @slots that are the instance's CPUs
 * @nr_slots: entries of @slots, at most MULTIKERNEL_MAX_CPUS
 * @mem_block_size: the spawn's memory block size, 0 for no memory resizing
 * @id: instance id
 * @name: instance name
 * @comm_phys: communication region
 * @comm_size: its size
 * @ram_phys: the instance's RAM, where every image goes
 * @ram_size: its size
 * @low_phys: the instance's slice of conventional memory
 * @preserved: the instance's preserved regions
 * @nr_preserved: entries of @preserved, at most MULTIKERNEL_MAX_PRESERVED
 * @successor: the spawn is an upgrade's successor (MULTIKERNEL_BOOT_F_SUCCESSOR)
 */
struct multikernel_load {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const unsigned int *slots;
	unsigned int nr_cpus;
	unsigned int nr_slots;
	u64 mem_block_size;
	unsigned int id;
	const char *name;
	phys_addr_t comm_phys;
	u64 comm_size;
	phys_addr_t ram_phys;
	u64 ram_size;
	phys_addr_t low_phys;
	const struct multikernel_preserved *preserved;
	unsigned int nr_preserved;
	bool successor;
};

/**
 * struct multikernel_wake - how an instance's first CPU reaches its kernel
 * @low_phys: the instance's slice of conventional memory, where the CPU
 *	starts in real mode
 * @pgt_phys: instance memory for the page table it enters the kernel on
 * @pgt_size: its size
 * @ram_phys: the instance's RAM, which that table maps
 * @ram_size: its size
 * @entry: physical address of the kernel's 64-bit entry
 * @boot_params: physical address of its boot_params
 */
struct multikernel_wake {
	phys_addr_t low_phys;
	phys_addr_t pgt_phys;
	u64 pgt_size;
	phys_addr_t ram_phys;
	u64 ram_size;
	u64 entry;
	u64 boot_params;
};

#ifdef CONFIG_MULTIKERNEL
void __init multikernel_pool_reserve(void);
const struct multikernel_boot_info *multikernel_spawn_info(void);
bool multikernel_cpus_lent(void);
bool multikernel_cpu_lent(unsigned int cpu);
int multikernel_kexec_check(void);
bool multikernel_kexec_range_ok(phys_addr_t start, phys_addr_t end);

/* Provided by the architecture. */
unsigned int multikernel_arch_max_running(void);
phys_addr_t multikernel_arch_alloc_low(void);
void multikernel_arch_free_low(phys_addr_t start);
int multikernel_arch_load(const struct multikernel_load *ld, u64 *entry,
			  u64 *boot_params);
int multikernel_arch_start_cpu(unsigned int cpu,
			       const struct multikernel_wake *w);
void multikernel_arch_park_cpu(unsigned int cpu);
void multikernel_arch_stop_cpu(unsigned int cpu);
void multikernel_arch_lent_changed(void);
bool multikernel_arch_ipi_broadcast(void);
u32 multikernel_arch_doorbell_id(unsigned int cpu);
void multikernel_arch_doorbell(u32 id);
int multikernel_arch_spawn_add_cpu(u32 apic_id, char *why, size_t len);
int multikernel_arch_spawn_remove_cpu(u32 apic_id, char *why, size_t len);

/*
 * The boot record and the image's MKSP chunk, checked by the spawn, the
 * host's loader and KUnit alike (kernel/multikernel/boot_record.c).
 */
int multikernel_boot_record_comm(const void *rec, u32 len, u64 *phys,
				 u64 *size);
int multikernel_boot_record_check(const void *rec, u32 len,
				  struct multikernel_boot_info *out,
				  const char **why);
int multikernel_spawn_chunk_check(const void *chunk, u32 len,
				  u32 host_version, u32 *version,
				  u32 *version_min, const char **why);
#ifdef CONFIG_MULTIKERNEL_MSG_TEST
struct dentry;

/* Test hook: unless -1, the version the host writes into boot records. */
extern s64 multikernel_boot_record_version_override;
void multikernel_boot_record_hook_init(struct dentry *dir);
#endif

/* The spawn's console rings, for its hvc backend (hvc_multikernel.c). */
int __init multikernel_console_map(void);
void multikernel_console_write(const char *s, unsigned int n);
int multikernel_console_read(char *buf, int count);

/* Messaging: the doorbell interrupt and the spawn's lifecycle notices. */
void multikernel_doorbell(void);
void multikernel_spawn_ready(void);
void multikernel_spawn_panic(const char *reason);
#else
static inline void multikernel_pool_reserve(void) { }
static inline const struct multikernel_boot_info *multikernel_spawn_info(void)
{
	return NULL;
}

static inline bool multikernel_cpus_lent(void)
{
	return false;
}

static inline int multikernel_kexec_check(void)
{
	return 0;
}

static inline bool multikernel_kexec_range_ok(phys_addr_t start,
					      phys_addr_t end)
{
	return true;
}
#endif

#endif /* _LINUX_MULTIKERNEL_H */
