/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel boot record: the checker shared by the spawn platform code,
 * the host's loader and the KUnit tests.
 */
#ifndef _KERNEL_MULTIKERNEL_BOOT_RECORD_H
#define _KERNEL_MULTIKERNEL_BOOT_RECORD_H

#include <linux/types.h>
#include <uapi/linux/multikernel.h>

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

#endif /* _KERNEL_MULTIKERNEL_BOOT_RECORD_H */
