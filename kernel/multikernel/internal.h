/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel internal interfaces shared by the files of kernel/multikernel/.
 */
#ifndef _KERNEL_MULTIKERNEL_INTERNAL_H
#define _KERNEL_MULTIKERNEL_INTERNAL_H

#include <linux/configfs.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/sizes.h>
#include <linux/types.h>

/* Allocation unit and alignment of instance memory: one 2 MiB page. */
#define MK_GRANULE_ORDER	21
#define MK_GRANULE		BIT_ULL(MK_GRANULE_ORDER)
/* Smallest memory an instance accepts: enough for a small kernel + initrd. */
#define MK_MIN_MEMORY		SZ_64M
/* Instance ids run from 1 to MK_MAX_INSTANCES; 0 names the host. */
#define MK_MAX_INSTANCES	64
/* Longest instance name, without the terminating NUL. */
#define MK_NAME_MAX		32
/* Longest command line the x86 boot protocol carries, without the NUL. */
#define MK_CMDLINE_MAX		2047

/**
 * enum mk_state - lifecycle state of an instance
 * @MK_STOPPED: holds no CPU and no memory; configuration may change
 * @MK_STARTING: CPUs and memory taken, the spawned kernel is booting
 * @MK_RUNNING: the spawned kernel has started its init
 * @MK_STOPPING: a clean shutdown was asked for
 * @MK_CRASHED: the spawned kernel panicked, hung or missed its boot deadline
 */
enum mk_state {
	MK_STOPPED,
	MK_STARTING,
	MK_RUNNING,
	MK_STOPPING,
	MK_CRASHED,
};

/**
 * enum mk_state_cmd - what a write to the state attribute asks for
 * @MK_CMD_START: boot the instance
 * @MK_CMD_STOP: shut the instance down cleanly
 * @MK_CMD_KILL: take the instance's CPUs back at once
 */
enum mk_state_cmd {
	MK_CMD_START,
	MK_CMD_STOP,
	MK_CMD_KILL,
};

/**
 * struct mk_instance - one instance and its configuration
 * @item: the configfs item; its name is the instance name
 * @node: entry in the list of instances
 * @id: small integer unique among existing instances (1..MK_MAX_INSTANCES)
 * @state: lifecycle state
 * @cpus: host logical CPUs lent to the instance
 * @memory: bytes of pool memory the instance receives, 0 when unset
 * @kernel: absolute path of the kernel image, or NULL
 * @initrd: absolute path of the initramfs, or NULL
 * @cmdline: command line of the spawned kernel, or NULL
 *
 * Every field but @item is protected by mk_instances_lock.
 */
struct mk_instance {
	struct config_item item;
	struct list_head node;
	int id;
	enum mk_state state;
	cpumask_var_t cpus;
	u64 memory;
	char *kernel;
	char *initrd;
	char *cmdline;
};

/* pool.c */
bool mk_pool_present(void);
u64 mk_pool_size(void);
u64 mk_pool_free(void);
u64 mk_pool_largest_free(void);
phys_addr_t mk_pool_alloc(u64 size);
void mk_pool_free_range(phys_addr_t addr, u64 size);

/* validate.c: pure parsing and checking, no locks, no global state */
int mk_check_name(const char *name);
int mk_parse_memory(const char *buf, u64 *bytes);
int mk_check_memory(u64 bytes, u64 pool_size);
int mk_format_memory(char *buf, size_t len, u64 bytes);
int mk_parse_cpulist(const char *buf, struct cpumask *mask);
int mk_check_cpus(const struct cpumask *req, const struct cpumask *present,
		  const struct cpumask *online, const struct cpumask *taken,
		  const char **why);
int mk_check_path(const char *path);
int mk_check_cmdline(const char *cmdline);
int mk_parse_state_cmd(const char *buf);
const char *mk_state_name(enum mk_state state);

/* instance.c */
extern struct mutex mk_instances_lock;
struct mk_instance *mk_instance_create(const char *name,
				       const struct config_item_type *type);
void mk_instance_destroy(struct mk_instance *inst);
void mk_instance_free(struct mk_instance *inst);
const char *mk_instance_name(const struct mk_instance *inst);
int mk_instance_set_cpus(struct mk_instance *inst, const char *buf);
int mk_instance_set_memory(struct mk_instance *inst, const char *buf);
int mk_instance_set_path(struct mk_instance *inst, char **field,
			 const char *attr, const char *buf);
int mk_instance_set_cmdline(struct mk_instance *inst, const char *buf);
int mk_instance_request(struct mk_instance *inst, const char *buf);

/* configfs.c, sysfs.c */
int mk_configfs_init(void);
int mk_sysfs_init(void);

#endif /* _KERNEL_MULTIKERNEL_INTERNAL_H */
