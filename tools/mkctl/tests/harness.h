/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP test harness for mkctl: cases, value checks, a fake
 * configfs/sysfs tree in a temporary directory and a way to run the mkctl
 * binary against it.
 */
#ifndef MKCTL_TEST_HARNESS_H
#define MKCTL_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

extern const char *mkctl_path;
extern const char *agent_path;

struct test_case {
	const char *name;
	bool (*fn)(void);
};

extern const struct test_case unit_tests[];
extern const size_t nr_unit_tests;
extern const struct test_case command_tests[];
extern const size_t nr_command_tests;
extern const struct test_case lifecycle_tests[];
extern const size_t nr_lifecycle_tests;
extern const struct test_case console_tests[];
extern const size_t nr_console_tests;
extern const struct test_case cpu_tests[];
extern const size_t nr_cpu_tests;
extern const struct test_case conf_tests[];
extern const size_t nr_conf_tests;
extern const struct test_case apply_tests[];
extern const size_t nr_apply_tests;
extern const struct test_case update_tests[];
extern const size_t nr_update_tests;
extern const struct test_case json_key_tests[];
extern const size_t nr_json_key_tests;
extern const struct test_case file_tests[];
extern const size_t nr_file_tests;
extern const struct test_case agent_tests[];
extern const size_t nr_agent_tests;
extern const struct test_case kv_tests[];
extern const size_t nr_kv_tests;
extern const struct test_case policy_tests[];
extern const size_t nr_policy_tests;

bool expect_str(const char *what, const char *got, const char *want);
bool expect_int(const char *what, long long got, long long want);
bool same_keys(const char *what, const char *json);

int fake_setup(void);
void fake_teardown(void);
int fake_kernel(void);
const char *fake_path(const char *rel);
bool fake_exists(const char *rel);
int fake_write(const char *rel, const char *content);
int fake_append(const char *rel, const char *content);
const char *fake_read(const char *rel);
int fake_unlink(const char *rel);
int fake_dial(const char *rel);
int fake_instance(const char *name, const char *id, const char *state,
		  const char *cpus, const char *memory, const char *kernel,
		  const char *cmdline);
int fake_console(const char *name, const char *output);
int fake_online(const char *cpus);
int fake_refuse(const char *name, const char *attr, int err);
int fake_pin(const char *name, unsigned int link_id, unsigned int map_id);
const char *beside_mkctl(const char *file, char *buf, size_t size);

/* What one run of mkctl printed and returned. */
struct run {
	int status;		/* exit status, or -1 if it did not exit */
	char out[8192];
	char err[4096];
};

int run_mkctl(struct run *r, ...)
	__attribute__((sentinel));
int run_mkctl_input(struct run *r, const char *input, ...)
	__attribute__((sentinel));
pid_t start_mkctl(const char *input, ...)
	__attribute__((sentinel));
int finish_mkctl(struct run *r, pid_t pid, int sig);
void sleep_ms(unsigned int ms);
bool wait_file(const char *rel, const char *want, unsigned int ms);
bool wait_file_has(const char *rel, const char *want, unsigned int ms);
bool expect_run(const struct run *r, int status, const char *out,
		const char *err);

#endif /* MKCTL_TEST_HARNESS_H */
