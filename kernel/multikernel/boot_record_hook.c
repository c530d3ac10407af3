// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel boot record test hook (CONFIG_MULTIKERNEL_MSG_TEST only):
 * debugfs multikernel/boot_record_version makes the host write another
 * version into the boot records of the instances it starts next, so that
 * a selftest can boot a spawn with a record it must refuse.  -1, the
 * default, writes MULTIKERNEL_BOOT_VERSION; 0 to 4294967295 writes that.
 * The host's own check of an image's contract is not affected.
 */

#include <linux/debugfs.h>
#include <linux/limits.h>
#include <linux/multikernel.h>

s64 multikernel_boot_record_version_override = -1;

static int mk_hook_get(void *data, u64 *val)
{
	*val = READ_ONCE(multikernel_boot_record_version_override);
	return 0;
}

static int mk_hook_set(void *data, u64 val)
{
	s64 v = val;

	if (v < -1 || v > U32_MAX)
		return -EINVAL;
	WRITE_ONCE(multikernel_boot_record_version_override, v);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(mk_hook_fops, mk_hook_get, mk_hook_set,
				"%lld\n");

/**
 * multikernel_boot_record_hook_init() - create the boot_record_version file
 * @dir: the multikernel debugfs directory
 */
void multikernel_boot_record_hook_init(struct dentry *dir)
{
	debugfs_create_file_unsafe("boot_record_version", 0600, dir, NULL,
				   &mk_hook_fops);
}
