// SPDX-License-Identifier: GPL-2.0
/*
 * mk_region: a spawn's preserved region through mmap, for the test
 * scripts.  It runs inside spawns, so it is linked statically.
 *
 *   mk_region poke FILE OFFSET TEXT  map FILE shared, copy TEXT to OFFSET,
 *                                    msync and unmap
 *   mk_region peek FILE OFFSET LEN   map FILE shared, print LEN bytes from
 *                                    OFFSET (NUL bytes left out)
 *   mk_region map FILE LEN           map the first LEN bytes of FILE
 *                                    shared; say "ok" or why not
 *   mk_region pwrite FILE OFFSET TEXT
 *                                    write TEXT at OFFSET with pwrite(2);
 *                                    say "ok" or why not
 *
 * poke and peek exit 1 after a message on stderr when a step fails; map
 * and pwrite print the error's name (EINVAL, EFBIG, ...) on stdout and
 * exit 0, so that a script can compare it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL:	return "EINVAL";
	case EFBIG:	return "EFBIG";
	case ENOSPC:	return "ENOSPC";
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case ENODEV:	return "ENODEV";
	case ENOMEM:	return "ENOMEM";
	case ENXIO:	return "ENXIO";
	default:	return strerror(err);
	}
}

static long parse_count(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 0);
	if (errno || end == s || *end || n < 0) {
		fprintf(stderr, "mk_region: '%s' is not a number\n", s);
		exit(2);
	}
	return n;
}

static int open_region(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "mk_region: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* Map OFFSET + LEN bytes from the start of the region; exit on failure. */
static char *map_or_die(int fd, const char *path, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "mk_region: mmap %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	return p;
}

static int poke(const char *path, long off, const char *text)
{
	size_t len = strlen(text);
	int fd = open_region(path);
	char *p = map_or_die(fd, path, off + len);

	memcpy(p + off, text, len);
	if (msync(p, off + len, MS_SYNC)) {
		fprintf(stderr, "mk_region: msync: %s\n", strerror(errno));
		return 1;
	}
	munmap(p, off + len);
	close(fd);
	return 0;
}

static int peek(const char *path, long off, long len)
{
	int fd = open_region(path);
	char *p = map_or_die(fd, path, off + len);
	long i;

	for (i = 0; i < len; i++)
		if (p[off + i])
			putchar(p[off + i]);
	putchar('\n');
	munmap(p, off + len);
	close(fd);
	return 0;
}

static int map_only(const char *path, long len)
{
	int fd = open_region(path);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		puts(errno_name(errno));
	} else {
		puts("ok");
		munmap(p, len);
	}
	close(fd);
	return 0;
}

static int pwrite_at(const char *path, long off, const char *text)
{
	int fd = open_region(path);
	ssize_t n = pwrite(fd, text, strlen(text), off);

	if (n < 0)
		puts(errno_name(errno));
	else if ((size_t)n != strlen(text))
		printf("short %zd\n", n);
	else
		puts("ok");
	close(fd);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"Usage: mk_region poke FILE OFFSET TEXT | peek FILE OFFSET LEN |\n"
		"                 map FILE LEN | pwrite FILE OFFSET TEXT\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "poke"))
		return poke(argv[2], parse_count(argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "peek"))
		return peek(argv[2], parse_count(argv[3]), parse_count(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "map"))
		return map_only(argv[2], parse_count(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "pwrite"))
		return pwrite_at(argv[2], parse_count(argv[3]), argv[4]);
	return usage();
}
