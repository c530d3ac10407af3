// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough JSON for --json: strings, unsigned numbers and objects.
 * Bytes of 0x80 and above are copied as they are, so UTF-8 text stays
 * readable; control characters are escaped.
 */
#include <stdio.h>

#include "mkctl.h"

/**
 * json_string() - print a string as a JSON string literal
 * @f: where to print
 * @s: the string
 */
void json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/**
 * json_obj_begin() - start printing a JSON object
 * @o: the object's state
 * @f: where to print
 */
void json_obj_begin(struct json_obj *o, FILE *f)
{
	o->f = f;
	o->members = 0;
	fputc('{', f);
}

static void json_key(struct json_obj *o, const char *key)
{
	if (o->members++)
		fputc(',', o->f);
	json_string(o->f, key);
	fputc(':', o->f);
}

/**
 * json_obj_str() - print a member whose value is a string
 * @o: the object
 * @key: the member's name
 * @val: its value
 */
void json_obj_str(struct json_obj *o, const char *key, const char *val)
{
	json_key(o, key);
	json_string(o->f, val);
}

/**
 * json_obj_num() - print a member whose value is a number
 * @o: the object
 * @key: the member's name
 * @val: its value
 */
void json_obj_num(struct json_obj *o, const char *key,
		  unsigned long long val)
{
	json_key(o, key);
	fprintf(o->f, "%llu", val);
}

/**
 * json_obj_obj() - start a member whose value is an object
 * @o: the object
 * @key: the member's name
 * @child: the state of the member's object, to be given its members and
 *	then ended with json_obj_end() before @o gets another member
 */
void json_obj_obj(struct json_obj *o, const char *key, struct json_obj *child)
{
	json_key(o, key);
	json_obj_begin(child, o->f);
}

/**
 * json_obj_end() - finish printing a JSON object
 * @o: the object
 */
void json_obj_end(struct json_obj *o)
{
	fputc('}', o->f);
}
