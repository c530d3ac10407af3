// SPDX-License-Identifier: GPL-2.0
/*
 * Test helpers: checks that print a TAP diagnostic when they fail, a fake
 * multikernel tree made of plain files, and running the mkctl binary.
 */
#define _GNU_SOURCE	/* nftw() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkctl.h"
#include "harness.h"

const char *mkctl_path = "./mkctl";

static char fake_root[256];

/* Print @s on one line, with C escapes for what is not printable. */
static void print_escaped(const char *s, bool quoted)
{
	if (!s) {
		printf("(null)");
		return;
	}
	if (quoted)
		putchar('"');
	for (; *s; s++) {
		if (*s == '\n')
			printf("\\n");
		else if (quoted && (*s == '"' || *s == '\\'))
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	}
	if (quoted)
		putchar('"');
}

/**
 * expect_str() - check a string
 * @what: what is checked, for the diagnostic
 * @got: the value
 * @want: the value expected
 *
 * Return: true if they are equal.
 */
bool expect_str(const char *what, const char *got, const char *want)
{
	if (got && want && !strcmp(got, want))
		return true;
	printf("# ");
	print_escaped(what, false);
	printf(":\n#   got  ");
	print_escaped(got, true);
	printf("\n#   want ");
	print_escaped(want, true);
	putchar('\n');
	return false;
}

/**
 * expect_int() - check a number
 * @what: what is checked, for the diagnostic
 * @got: the value
 * @want: the value expected
 *
 * Return: true if they are equal.
 */
bool expect_int(const char *what, long long got, long long want)
{
	if (got == want)
		return true;
	printf("# ");
	print_escaped(what, false);
	printf(": got %lld, want %lld\n", got, want);
	return false;
}

/**
 * fake_path() - the path of a file in the fake tree
 * @rel: its path relative to the fake root, e.g. "sys/pool/size"
 *
 * Return: a buffer that stays valid for the next three calls.
 */
const char *fake_path(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *buf = bufs[next++ % 4];

	snprintf(buf, PATH_MAX, "%s/%s", fake_root, rel);
	return buf;
}

/**
 * fake_exists() - check whether a file exists in the fake tree
 * @rel: its path relative to the fake root
 *
 * Return: true if it exists.
 */
bool fake_exists(const char *rel)
{
	struct stat st;

	return !lstat(fake_path(rel), &st);
}

/**
 * fake_write() - create or replace a file in the fake tree
 * @rel: its path relative to the fake root; the directory must exist
 * @content: what it holds
 *
 * Return: 0 or -errno.
 */
int fake_write(const char *rel, const char *content)
{
	FILE *f = fopen(fake_path(rel), "w");

	if (!f)
		return -errno;
	fputs(content, f);
	return fclose(f) ? -errno : 0;
}

/**
 * fake_append() - add to the end of a file in the fake tree
 * @rel: its path relative to the fake root
 * @content: what to add
 *
 * Return: 0 or -errno.
 */
int fake_append(const char *rel, const char *content)
{
	FILE *f = fopen(fake_path(rel), "a");

	if (!f)
		return -errno;
	fputs(content, f);
	return fclose(f) ? -errno : 0;
}

static void slurp(const char *rel, char *buf, size_t size)
{
	int fd = open(fake_path(rel), O_RDONLY);
	ssize_t n = 0;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/**
 * fake_read() - what a file in the fake tree holds
 * @rel: its path relative to the fake root
 *
 * Return: its first 4095 bytes, empty if it cannot be read, in a buffer
 * that the next call reuses.
 */
const char *fake_read(const char *rel)
{
	static char buf[4096];

	slurp(rel, buf, sizeof(buf));
	return buf;
}

/**
 * fake_unlink() - remove a file from the fake tree
 * @rel: its path relative to the fake root
 *
 * Return: 0 or -errno.
 */
int fake_unlink(const char *rel)
{
	return unlink(fake_path(rel)) ? -errno : 0;
}

/**
 * fake_dial() - connect to a unix socket in the fake tree
 * @rel: its path relative to the fake root
 *
 * Reads on the connection give up after 10 s, so no case waits for ever.
 *
 * Return: the connected socket, or -1.
 */
int fake_dial(const char *rel)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct timeval tv = { .tv_sec = 10 };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fake_path(rel));
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/**
 * fake_instance() - make an instance directory as configfs shows it
 * @name: the instance
 * @id: what its id file holds, and so on for the other attributes
 * @state: its state
 * @cpus: its cpus
 * @memory: its memory
 * @kernel: its kernel
 * @cmdline: its cmdline; initrd is always empty
 *
 * boot_time_ms is 0, crash_reason and resize_reason empty, the timeouts
 * the defaults.
 * Every value gets a trailing newline, as the kernel shows it.
 *
 * Return: 0 or -errno.
 */
int fake_instance(const char *name, const char *id, const char *state,
		  const char *cpus, const char *memory, const char *kernel,
		  const char *cmdline)
{
	const char *attrs[][2] = {
		{ "id", id }, { "state", state }, { "cpus", cpus },
		{ "memory", memory }, { "kernel", kernel }, { "initrd", "" },
		{ "cmdline", cmdline }, { "boot_time_ms", "0" },
		{ "boot_timeout_ms", "30000" }, { "stop_timeout_ms", "10000" },
		{ "crash_reason", "" }, { "resize_reason", "" },
	};
	char rel[256], val[PATH_MAX];
	size_t i;
	int err;

	snprintf(rel, sizeof(rel), "config/instances/%s", name);
	if (mkdir(fake_path(rel), 0755))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(rel, sizeof(rel), "config/instances/%s/%s", name,
			 attrs[i][0]);
		snprintf(val, sizeof(val), "%s\n", attrs[i][1]);
		err = fake_write(rel, val);
		if (err)
			return err;
	}
	return 0;
}

/**
 * fake_console() - make an instance's console files as sysfs shows them
 * @name: the instance
 * @output: what its console file holds; console_in is empty
 *
 * Return: 0 or -errno.
 */
int fake_console(const char *name, const char *output)
{
	char rel[256];
	int err;

	snprintf(rel, sizeof(rel), "sys/instances/%s", name);
	if (mkdir(fake_path(rel), 0755))
		return -errno;
	snprintf(rel, sizeof(rel), "sys/instances/%s/console", name);
	err = fake_write(rel, output);
	if (err)
		return err;
	snprintf(rel, sizeof(rel), "sys/instances/%s/console_in", name);
	return fake_write(rel, "");
}

/**
 * fake_online() - make the CPUs online in the fake sysfs topology
 * @cpus: a cpulist, e.g. "0-7"; no core or node files are made
 *
 * Return: 0 or -errno.
 */
int fake_online(const char *cpus)
{
	char val[256];

	if ((mkdir(fake_path("devices"), 0755) && errno != EEXIST) ||
	    (mkdir(fake_path("devices/cpu"), 0755) && errno != EEXIST))
		return -errno;
	snprintf(val, sizeof(val), "%s\n", cpus);
	return fake_write("devices/cpu/online", val);
}

/**
 * fake_setup() - make a fresh fake tree and point mkctl at it
 *
 * The pool is 1G of 2M granules, all free; max_instances is 64,
 * min_memory 64M and resize_granule 128M; there are no instances.  mkctl's stdin, stdout and
 * stderr are files there too, and so are the refusals of fake_refuse().
 * The BPF file system is the empty directory bpf/, and sysfs shows no
 * policy.
 *
 * Return: 0 or -errno.
 */
int fake_setup(void)
{
	static const char * const dirs[] = {
		"config", "config/instances", "sys", "sys/pool",
		"sys/instances", "sys/policy", "refuse", "bpf",
	};
	static const char * const files[][2] = {
		{ "sys/max_instances", "64\n" },
		{ "sys/min_memory", "67108864\n" },
		{ "sys/resize_granule", "134217728\n" },
		{ "sys/pool/size", "1073741824\n" },
		{ "sys/pool/free", "1073741824\n" },
		{ "sys/pool/largest_free", "1073741824\n" },
		{ "sys/pool/granule", "2097152\n" },
		{ "sys/pool/host_usable", "0\n" },
		{ "sys/pool/backing", "memblock\n" },
		{ "sys/policy/name", "\n" },
		{ "sys/policy/state", "none\n" },
		{ "sys/policy/reason", "\n" },
	};
	const char *tmp = getenv("TMPDIR");
	size_t i;
	int err;

	snprintf(fake_root, sizeof(fake_root), "%s/mkctl-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fake_root))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdir(fake_path(dirs[i]), 0755))
			return -errno;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		err = fake_write(files[i][0], files[i][1]);
		if (err)
			return err;
	}
	setenv("MKCTL_CONFIGFS", fake_path("config"), 1);
	setenv("MKCTL_SYSFS", fake_path("sys"), 1);
	setenv("MKCTL_SYSDEVICES", fake_path("devices"), 1);
	setenv("FAKEKERNEL_REFUSE", fake_path("refuse"), 1);
	setenv("MKCTL_BPFFS", fake_path("bpf"), 1);
	setenv("FAKEKERNEL_BPF_LOG", fake_path("bpf.log"), 1);
	return 0;
}

/**
 * fake_refuse() - make the fake kernel refuse writes to an attribute
 * @name: the instance
 * @attr: its attribute, e.g. "memory"
 * @err: the errno that the writes fail with, positive; 0 to take them
 *	again
 *
 * Works with fake_kernel() only.  A refused write leaves the file as it
 * was.
 *
 * Return: 0 or -errno.
 */
int fake_refuse(const char *name, const char *attr, int err)
{
	char rel[256], val[16];

	snprintf(rel, sizeof(rel), "refuse/%s.%s", name, attr);
	if (!err)
		return fake_unlink(rel);
	snprintf(val, sizeof(val), "%d\n", err);
	return fake_write(rel, val);
}

/**
 * fake_pin() - pin a policy's link in the fake BPF file system
 * @name: the policy
 * @link_id: the id of its link, as fakekernel.so makes bpf() show it
 * @map_id: the id of its struct_ops map
 *
 * Return: 0 or -errno.
 */
int fake_pin(const char *name, unsigned int link_id, unsigned int map_id)
{
	char rel[256], val[32];

	if (mkdir(fake_path("bpf/multikernel"), 0700) && errno != EEXIST)
		return -errno;
	snprintf(rel, sizeof(rel), "bpf/multikernel/%s", name);
	snprintf(val, sizeof(val), "%u %u\n", link_id, map_id);
	return fake_write(rel, val);
}

/**
 * beside_mkctl() - the path of a file in the directory of the mkctl binary
 * @file: its path relative to that directory, e.g. "mkctl.8"
 * @buf: where to put the path
 * @size: size of @buf
 *
 * Return: @buf
 */
const char *beside_mkctl(const char *file, char *buf, size_t size)
{
	const char *slash = strrchr(mkctl_path, '/');

	snprintf(buf, size, "%.*s%s%s", slash ? (int)(slash - mkctl_path) : 0,
		 mkctl_path, slash ? "/" : "", file);
	return buf;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/**
 * fake_kernel() - make mkdir in the fake instances/ make attributes
 *
 * Preloads tests/fakekernel.so, found next to the mkctl binary, into the
 * next runs of mkctl, until fake_teardown().
 *
 * Return: 0, or -1 if the library is not there.
 */
int fake_kernel(void)
{
	char lib[PATH_MAX + 32], dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", mkctl_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(lib, sizeof(lib), "%s/tests/fakekernel.so", dir);
	if (!realpath(lib, dir)) {
		printf("# no %s: %s\n", lib, strerror(errno));
		return -1;
	}
	return setenv("LD_PRELOAD", dir, 1) ? -1 : 0;
}

/**
 * fake_teardown() - remove the fake tree
 */
void fake_teardown(void)
{
	unsetenv("LD_PRELOAD");
	nftw(fake_root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void child(char **argv)
{
	int in = open(fake_path("stdin"), O_RDONLY);
	int out = open(fake_path("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int err = open(fake_path("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 ||
	    dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	execv(mkctl_path, argv);
	_exit(127);
}

/* Start mkctl with @ap as arguments and @input on stdin. */
static pid_t start_va(const char *input, va_list ap)
{
	char *argv[16], *arg;
	int i = 0;
	pid_t pid;

	argv[i++] = (char *)mkctl_path;
	while ((arg = va_arg(ap, char *)) && i < 15)
		argv[i++] = arg;
	argv[i] = NULL;

	/* Emptied here, so that no one sees what the last run printed. */
	if (fake_write("stdin", input ? input : "") ||
	    fake_write("stdout", "") || fake_write("stderr", ""))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid)
		child(argv);
	return pid;
}

/**
 * start_mkctl() - start the mkctl binary, without waiting for it
 * @input: what it reads on stdin (a file), or NULL for nothing
 * @...: the arguments, then NULL
 *
 * Return: its pid, to give to finish_mkctl(), or -1.
 */
pid_t start_mkctl(const char *input, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, input);
	pid = start_va(input, ap);
	va_end(ap);
	return pid;
}

/**
 * finish_mkctl() - wait for mkctl to exit and collect what it printed
 * @r: where to store its exit status and output
 * @pid: what start_mkctl() returned
 * @sig: a signal to send it first, or 0
 *
 * Return: 0, or -1 if it could not be waited for.
 */
int finish_mkctl(struct run *r, pid_t pid, int sig)
{
	int wstatus;

	if (pid < 0 || (sig && kill(pid, sig)) || waitpid(pid, &wstatus, 0) < 0)
		return -1;
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	slurp("stdout", r->out, sizeof(r->out));
	slurp("stderr", r->err, sizeof(r->err));
	return 0;
}

/**
 * sleep_ms() - sleep
 * @ms: how long, in milliseconds
 */
void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/**
 * wait_file() - wait until a file of the fake tree holds some text
 * @rel: its path relative to the fake root, e.g. "stdout"
 * @want: what it should hold, all of it
 * @ms: how long to wait at most
 *
 * Return: true once it does; false after a diagnostic when @ms passed.
 */
bool wait_file(const char *rel, const char *want, unsigned int ms)
{
	unsigned long long deadline = mk_now_ms() + ms;

	while (strcmp(fake_read(rel), want)) {
		if (mk_now_ms() >= deadline)
			return expect_str(rel, fake_read(rel), want);
		sleep_ms(10);
	}
	return true;
}

/**
 * wait_file_has() - wait until a file of the fake tree contains some text
 * @rel: its path relative to the fake root, e.g. "stdout"
 * @want: what it should contain, somewhere in its first 4095 bytes
 * @ms: how long to wait at most
 *
 * Return: true once it does; false after a diagnostic when @ms passed.
 */
bool wait_file_has(const char *rel, const char *want, unsigned int ms)
{
	unsigned long long deadline = mk_now_ms() + ms;

	while (!strstr(fake_read(rel), want)) {
		if (mk_now_ms() >= deadline) {
			printf("# %s never contained \"%s\"\n", rel, want);
			return false;
		}
		sleep_ms(10);
	}
	return true;
}

/**
 * run_mkctl() - run the mkctl binary and collect what it printed
 * @r: where to store its exit status and output
 * @...: the arguments, then NULL
 *
 * Its stdin is an empty file.
 *
 * Return: 0, or -1 if it could not be run.
 */
int run_mkctl(struct run *r, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, r);
	pid = start_va(NULL, ap);
	va_end(ap);
	return finish_mkctl(r, pid, 0);
}

/**
 * run_mkctl_input() - run the mkctl binary with something on stdin
 * @r: where to store its exit status and output
 * @input: what it reads on stdin (a file)
 * @...: the arguments, then NULL
 *
 * Return: 0, or -1 if it could not be run.
 */
int run_mkctl_input(struct run *r, const char *input, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, input);
	pid = start_va(input, ap);
	va_end(ap);
	return finish_mkctl(r, pid, 0);
}

/**
 * expect_run() - check what a run of mkctl did
 * @r: the run
 * @status: the exit status expected
 * @out: what stdout should hold, or NULL not to check
 * @err: what stderr should hold, or NULL not to check
 *
 * Return: true if everything checked matched.
 */
bool expect_run(const struct run *r, int status, const char *out,
		const char *err)
{
	bool ok = expect_int("exit status", r->status, status);

	if (out)
		ok &= expect_str("stdout", r->out, out);
	if (err)
		ok &= expect_str("stderr", r->err, err);
	return ok;
}
