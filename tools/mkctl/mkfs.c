// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's files: the configfs tree of instances and the sysfs facts.
 * MKCTL_CONFIGFS and MKCTL_SYSFS move both roots, for tests.  Each
 * instance also has a directory in sysfs, instances/NAME/, holding its
 * console files.  Policies are pinned in the BPF file system, which
 * MKCTL_BPFFS moves.
 *
 * An attribute holds one value.  Reads strip one trailing newline; writes
 * go out in one write() without a newline, and the errno of that write()
 * is the kernel's verdict on the value.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mkctl.h"

#define CONFIGFS_MOUNT	"/sys/kernel/config"
#define CONFIGFS_MAGIC	0x62656570	/* fs/configfs/mount.c */
#define BPFFS_MOUNT	"/sys/fs/bpf"
#define BPFFS_TYPE	"bpf"
#define BPFFS_MAGIC	0xcafe4a11	/* BPF_FS_MAGIC, linux/magic.h */

static const char *root(const char *env, const char *dflt)
{
	const char *dir = getenv(env);

	return dir && *dir ? dir : dflt;
}

/**
 * mk_configfs() - the multikernel directory in configfs
 *
 * Return: $MKCTL_CONFIGFS if set, else /sys/kernel/config/multikernel.
 */
const char *mk_configfs(void)
{
	return root("MKCTL_CONFIGFS", CONFIGFS_MOUNT "/multikernel");
}

/**
 * mk_sysfs() - the multikernel directory in sysfs
 *
 * Return: $MKCTL_SYSFS if set, else /sys/kernel/multikernel.
 */
const char *mk_sysfs(void)
{
	return root("MKCTL_SYSFS", "/sys/kernel/multikernel");
}

/**
 * mk_bpffs() - the BPF file system
 *
 * Return: $MKCTL_BPFFS if set, else /sys/fs/bpf.
 */
const char *mk_bpffs(void)
{
	return root("MKCTL_BPFFS", BPFFS_MOUNT);
}

/**
 * mk_need_bpffs() - make sure the BPF file system is mounted
 *
 * Not checked when MKCTL_BPFFS moves it.
 *
 * Return: 0, or -1 after saying how to mount it.
 */
int mk_need_bpffs(void)
{
	struct statfs sf;

	if (getenv("MKCTL_BPFFS") ||
	    (!statfs(BPFFS_MOUNT, &sf) && sf.f_type == BPFFS_MAGIC))
		return 0;
	mk_err("no BPF file system on %s; mount it: mount -t %s bpf %s",
	       BPFFS_MOUNT, BPFFS_TYPE, BPFFS_MOUNT);
	return -1;
}

__printf(3, 4)
static int path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool is_dir(const char *dir)
{
	struct stat st;

	return !stat(dir, &st) && S_ISDIR(st.st_mode);
}

static bool configfs_mounted(void)
{
	struct statfs sf;

	return !statfs(CONFIGFS_MOUNT, &sf) && sf.f_type == CONFIGFS_MAGIC;
}

static void unavailable(void)
{
	mk_err("multikernel is not available: kernel built without CONFIG_MULTIKERNEL?");
}

/* Mount configfs if nothing is there yet; 0 if @dir appeared. */
static int mount_configfs(const char *dir)
{
	if (getenv("MKCTL_CONFIGFS") || configfs_mounted())
		return -ENODEV;
	if (mount("none", CONFIGFS_MOUNT, "configfs", 0, NULL))
		return -errno;
	return is_dir(dir) ? 0 : -ENODEV;
}

/**
 * mk_need_configfs() - make sure the configfs tree is there
 *
 * Mounts configfs on /sys/kernel/config if nothing is mounted there yet
 * (and MKCTL_CONFIGFS is not set).
 *
 * Return: 0, or -1 after printing why the tree is missing.
 */
int mk_need_configfs(void)
{
	char dir[PATH_MAX];
	int err;

	err = path(dir, sizeof(dir), "%s/instances", mk_configfs());
	if (!err && is_dir(dir))
		return 0;
	if (!err)
		err = mount_configfs(dir);
	if (!err)
		return 0;
	if (err == -EPERM)
		mk_err("configfs is not mounted on %s; mount it or run as root",
		       CONFIGFS_MOUNT);
	else
		unavailable();
	return -1;
}

/**
 * mk_need_sysfs() - make sure the sysfs directory is there
 *
 * Return: 0, or -1 after printing that multikernel is missing.
 */
int mk_need_sysfs(void)
{
	if (is_dir(mk_sysfs()))
		return 0;
	unavailable();
	return -1;
}

/**
 * mk_inst_path() - the path of an instance or of one of its attributes
 * @buf: where to put the path
 * @size: size of @buf
 * @name: the instance
 * @attr: the attribute, or NULL for the instance's directory
 *
 * Return: 0, or -ENAMETOOLONG if @buf is too small.
 */
int mk_inst_path(char *buf, size_t size, const char *name, const char *attr)
{
	if (!attr)
		return path(buf, size, "%s/instances/%s", mk_configfs(), name);
	return path(buf, size, "%s/instances/%s/%s", mk_configfs(), name,
		    attr);
}

/**
 * mk_read_attr() - read a one-value file
 * @file: its path
 * @buf: where to put the value, without its trailing newline
 * @size: size of @buf
 *
 * Return: 0, -EOVERFLOW if the value does not fit, or another -errno.
 */
int mk_read_attr(const char *file, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf + len, size - len);
		if (n > 0)
			len += n;
	} while (n > 0 && len < size);
	close(fd);
	if (n < 0)
		return -errno;
	if (len == size)
		return -EOVERFLOW;
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return 0;
}

/**
 * mk_write_attr() - write a value to an attribute in one write()
 * @file: the attribute's path
 * @val: the value, written without a newline
 *
 * Return: 0, or the -errno of open() or write().
 */
int mk_write_attr(const char *file, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/**
 * mk_read_u64() - read a file holding one decimal number
 * @file: its path
 * @val: where to store the number
 *
 * Return: 0, -EINVAL if the file does not hold a number, or another -errno.
 */
int mk_read_u64(const char *file, unsigned long long *val)
{
	char buf[32], *end;
	int err;

	err = mk_read_attr(file, buf, sizeof(buf));
	if (err)
		return err;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno)
		return -errno;
	return *end ? -EINVAL : 0;
}

/**
 * mk_sys_u64() - read a number from the multikernel sysfs directory
 * @attr: the file, relative to the directory, e.g. "pool/size"
 * @val: where to store the number
 *
 * Return: 0 or -errno, as mk_read_u64().
 */
int mk_sys_u64(const char *attr, unsigned long long *val)
{
	char file[PATH_MAX];
	int err;

	err = path(file, sizeof(file), "%s/%s", mk_sysfs(), attr);
	return err ? err : mk_read_u64(file, val);
}

/**
 * mk_sys_read() - read a value from the multikernel sysfs directory
 * @attr: the file, relative to the directory, e.g. "policy/name"
 * @buf: where to put the value, without its trailing newline
 * @size: size of @buf
 *
 * Return: 0 or -errno, as mk_read_attr().
 */
int mk_sys_read(const char *attr, char *buf, size_t size)
{
	char file[PATH_MAX];
	int err;

	err = path(file, sizeof(file), "%s/%s", mk_sysfs(), attr);
	return err ? err : mk_read_attr(file, buf, size);
}

/**
 * mk_sys_inst_path() - the path of an instance's file in sysfs
 * @buf: where to put the path
 * @size: size of @buf
 * @name: the instance
 * @file: the file, e.g. "console"
 *
 * Return: 0, or -ENAMETOOLONG if @buf is too small.
 */
int mk_sys_inst_path(char *buf, size_t size, const char *name,
		     const char *file)
{
	return path(buf, size, "%s/instances/%s/%s", mk_sysfs(), name, file);
}

/**
 * mk_write_all() - write a whole buffer to a file descriptor
 * @fd: where to write
 * @buf: the bytes
 * @len: how many
 *
 * A write interrupted by a signal caught with mk_catch_signal() ends it
 * with -EINTR; other interrupted writes are restarted.
 *
 * Return: 0, or -errno.
 */
int mk_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR && !mk_signalled())
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}
