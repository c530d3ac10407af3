// SPDX-License-Identifier: GPL-2.0
/*
 * The --json keys against Documentation/multikernel/mkctl.rst: the keys
 * of each table between ".. json-keys: WHAT" and ".. json-keys: end"
 * must be what the commands print, in that order.  MKCTL_DOC overrides
 * where mkctl.rst is looked for (next to the mkctl binary, in the tree).
 * ping's table is checked by the agent cases, which have an agent to ping.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"
#include "harness.h"

#define DOC	"../../Documentation/multikernel/mkctl.rst"

static const char *doc_path(char *buf, size_t size)
{
	const char *env = getenv("MKCTL_DOC");

	if (env && *env)
		return env;
	return beside_mkctl(DOC, buf, size);
}

/* Append key @key, from @len bytes, to the comma-separated list @keys. */
static void add_key(char *keys, size_t size, const char *key, size_t len)
{
	size_t used = strlen(keys);

	snprintf(keys + used, size - used, "%s%.*s", used ? "," : "",
		 (int)len, key);
}

/* Add the key of @line, a table row "``key``  type  value", if any. */
static void table_key(char *keys, size_t size, const char *line)
{
	const char *end = strstr(line + 2, "``");

	if (end)
		add_key(keys, size, line + 2, end - line - 2);
}

/* The keys of table @what in mkctl.rst, comma-separated. */
static bool doc_keys(const char *what, char *keys, size_t size)
{
	char path[PATH_MAX], line[512], start[64];
	bool in = false;
	FILE *f;

	keys[0] = '\0';
	f = fopen(doc_path(path, sizeof(path)), "r");
	if (!f) {
		printf("# cannot open %s\n", path);
		return false;
	}
	snprintf(start, sizeof(start), ".. json-keys: %s\n", what);
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, start))
			in = true;
		else if (!strcmp(line, ".. json-keys: end\n"))
			in = false;
		else if (in && !strncmp(line, "``", 2))
			table_key(keys, size, line);
	}
	fclose(f);
	return keys[0] != '\0';
}

/*
 * The keys of the first JSON object in @json, comma-separated; not those
 * of the objects in it.
 */
static void json_keys(const char *json, char *keys, size_t size)
{
	const char *p = json ? strchr(json, '{') : NULL, *str = NULL;
	bool in_str = false;
	int depth = 0;

	keys[0] = '\0';
	for (; p && *p; p++) {
		if (in_str && *p == '\\') {
			p++;
		} else if (*p == '"') {
			in_str = !in_str;
			if (in_str)
				str = p + 1;
			else if (p[1] == ':' && depth == 1)
				add_key(keys, size, str, p - str);
		} else if (!in_str && *p == '{') {
			depth++;
		} else if (!in_str && *p == '}' && !--depth) {
			return;
		}
	}
}

/**
 * same_keys() - check JSON keys against a table of mkctl.rst
 * @what: the table, as named by its ".. json-keys: WHAT" line
 * @json: what a command printed; the keys of its first object count
 *
 * Return: true if the object has the table's keys in the table's order.
 */
bool same_keys(const char *what, const char *json)
{
	char doc[512], got[512];

	if (!doc_keys(what, doc, sizeof(doc)))
		return expect_str("documented keys", "", what);
	json_keys(json, got, sizeof(got));
	return expect_str(what, got, doc);
}

static bool instance_keys(void)
{
	struct run r;
	bool ok;

	ok = !fake_instance("web", "1", "stopped", "2-3", "256M", "/k", "q");
	ok = ok && !run_mkctl(&r, "status", "web", "--json", NULL) &&
	     expect_run(&r, 0, NULL, "") && same_keys("instance", r.out);
	ok = ok && !run_mkctl(&r, "list", "--json", NULL) &&
	     expect_run(&r, 0, NULL, "") &&
	     expect_int("array", r.out[0], '[') &&
	     same_keys("instance", r.out);
	return ok;
}

static bool pool_keys(void)
{
	struct run r;

	return !run_mkctl(&r, "pool", "--json", NULL) &&
	       expect_run(&r, 0, NULL, "") && same_keys("pool", r.out);
}

/* update --json: the keys of the object, then those of each change. */
static bool update_keys(void)
{
	struct run r;
	bool ok;

	ok = !fake_online("0-7") && !fake_kernel() &&
	     !fake_instance("web", "1", "running", "1", "128M", "/k", "");
	ok = ok && !run_mkctl(&r, "update", "web", "--cpus", "+1",
			      "--memory", "+128M", "--json", NULL) &&
	     expect_run(&r, 0, NULL, "") && same_keys("update", r.out) &&
	     same_keys("update change", strstr(r.out, "\"cpus\":")) &&
	     same_keys("update change", strstr(r.out, "\"memory\":"));
	return ok;
}

static bool policy_keys(void)
{
	struct run r;

	return !fake_kernel() && !fake_pin("web", 7, 8) &&
	       !run_mkctl(&r, "policy", "list", "--json", NULL) &&
	       expect_run(&r, 0, NULL, "") &&
	       expect_int("array", r.out[0], '[') &&
	       same_keys("policy", r.out);
}

const struct test_case json_key_tests[] = {
	{ "status/list --json keys are mkctl.rst's", instance_keys },
	{ "pool --json keys are mkctl.rst's", pool_keys },
	{ "update --json keys are mkctl.rst's", update_keys },
	{ "policy list --json keys are mkctl.rst's", policy_keys },
};

const size_t nr_json_key_tests = ARRAY_SIZE(json_key_tests);
