// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-input-control.c - unit tests of vhost-user-input's JSON control
 * protocol (input-control.c): valid lines, every kind of invalid line
 * (which must leave the events untouched), and the lines sent back.
 */
#include <string.h>

#include <linux/input.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "input.h"

/**
 * struct fixture - the devices lines are parsed against
 * @kbd:	The keyboard preset
 * @mouse:	The mouse preset
 * @touch:	The touchscreen preset
 */
struct fixture {
	struct input_desc kbd;
	struct input_desc mouse;
	struct input_desc touch;
};

static struct fixture fx;

/**
 * parse_ok() - Parse a line that must be valid
 * @d:		Device
 * @line:	Line
 *
 * Return: the events (free with g_array_unref())
 */
static GArray *parse_ok(const struct input_desc *d, const char *line)
{
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	char *err = NULL;

	if (!input_control_parse(d, line, ev, &err))
		g_error("line %s refused: %s", line, err);
	g_assert_null(err);
	return ev;
}

/**
 * parse_bad() - Parse a line that must be refused, into a non-empty array
 *		 that must come back unchanged
 * @d:		Device
 * @line:	Line
 *
 * Return: the error message (g_free() it)
 */
static char *parse_bad(const struct input_desc *d, const char *line)
{
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	struct vinput_event keep = { EV_KEY, KEY_Z, 42 };
	char *err = NULL;

	g_array_append_val(ev, keep);
	if (input_control_parse(d, line, ev, &err))
		g_error("line %s accepted", line);
	g_assert_nonnull(err);
	g_assert_cmpuint(ev->len, ==, 1);
	g_assert_cmpmem(ev->data, sizeof(keep), &keep, sizeof(keep));
	g_array_unref(ev);
	return err;
}

/**
 * expect_bad() - A line must be refused with a message containing @what
 * @d:		Device
 * @line:	Line
 * @what:	Part of the expected message
 */
static void expect_bad(const struct input_desc *d, const char *line,
		       const char *what)
{
	char *err = parse_bad(d, line);

	if (!strstr(err, what))
		g_error("line %s: error \"%s\" lacks \"%s\"", line, err, what);
	g_free(err);
}

/**
 * assert_event() - Check one parsed event
 * @ev:		Events
 * @i:		Index
 * @type:	Expected type
 * @code:	Expected code
 * @value:	Expected value
 */
static void assert_event(GArray *ev, guint i, unsigned int type,
			 unsigned int code, int32_t value)
{
	struct vinput_event *e;

	g_assert_cmpuint(i, <, ev->len);
	e = &g_array_index(ev, struct vinput_event, i);
	g_assert_cmpuint(e->type, ==, type);
	g_assert_cmpuint(e->code, ==, code);
	g_assert_cmpint(e->value, ==, value);
}

/**
 * test_object() - One object, with trailing \r and whitespace
 */
static void test_object(void)
{
	GArray *ev = parse_ok(&fx.kbd,
		"{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":1}");

	g_assert_cmpuint(ev->len, ==, 1);
	assert_event(ev, 0, EV_KEY, KEY_A, 1);
	g_array_unref(ev);
	ev = parse_ok(&fx.kbd, " { \"value\" : 0 , \"code\" : \"KEY_ESC\" ,"
		      " \"type\" : \"key\" } \t\r");
	g_assert_cmpuint(ev->len, ==, 1);
	assert_event(ev, 0, EV_KEY, KEY_ESC, 0);
	g_array_unref(ev);
}

/**
 * test_array() - An array: all its events, in order, appended to what the
 *		  array already held
 */
static void test_array(void)
{
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	struct vinput_event first = { EV_KEY, KEY_Q, 2 };
	char *err = NULL;

	g_array_append_val(ev, first);
	g_assert_true(input_control_parse(&fx.mouse,
		"[{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":-5},"
		"{\"type\":\"rel\",\"axis\":\"REL_Y\",\"value\":7},"
		"{\"type\":\"key\",\"code\":\"BTN_LEFT\",\"value\":1},"
		"{\"type\":\"syn\"}]", ev, &err));
	g_assert_null(err);
	g_assert_cmpuint(ev->len, ==, 5);
	assert_event(ev, 0, EV_KEY, KEY_Q, 2);
	assert_event(ev, 1, EV_REL, REL_X, -5);
	assert_event(ev, 2, EV_REL, REL_Y, 7);
	assert_event(ev, 3, EV_KEY, BTN_LEFT, 1);
	assert_event(ev, 4, EV_SYN, SYN_REPORT, 0);
	g_array_unref(ev);
}

/**
 * test_names_and_numbers() - Integer codes, EV_* type names, the axis
 *			      alias, int32 bounds, syn forms
 */
static void test_names_and_numbers(void)
{
	GArray *ev = parse_ok(&fx.touch,
		"[{\"type\":\"EV_ABS\",\"axis\":\"ABS_MT_SLOT\",\"value\":3},"
		"{\"type\":\"abs\",\"code\":0,\"value\":2147483647},"
		"{\"type\":\"abs\",\"code\":1,\"value\":-2147483648},"
		"{\"type\":\"EV_KEY\",\"code\":330,\"value\":1},"
		"{\"type\":\"EV_SYN\",\"code\":\"SYN_REPORT\"},"
		"{\"type\":\"syn\",\"code\":0,\"value\":0},"
		"{\"type\":\"syn\",\"value\":5}]");

	g_assert_cmpuint(ev->len, ==, 7);
	assert_event(ev, 0, EV_ABS, ABS_MT_SLOT, 3);
	assert_event(ev, 1, EV_ABS, ABS_X, G_MAXINT32);
	assert_event(ev, 2, EV_ABS, ABS_Y, G_MININT32);
	assert_event(ev, 3, EV_KEY, BTN_TOUCH, 1);
	assert_event(ev, 4, EV_SYN, SYN_REPORT, 0);
	assert_event(ev, 5, EV_SYN, SYN_REPORT, 0);
	assert_event(ev, 6, EV_SYN, SYN_REPORT, 5);
	g_array_unref(ev);
	ev = parse_ok(&fx.kbd,
		"[{\"type\":\"led\",\"code\":\"LED_CAPSL\",\"value\":1},"
		"{\"type\":\"msc\",\"code\":\"MSC_SCAN\",\"value\":458756},"
		"{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":2},"
		"{\"type\":\"syn\"}]");
	g_assert_cmpuint(ev->len, ==, 4);
	assert_event(ev, 0, EV_LED, LED_CAPSL, 1);
	assert_event(ev, 1, EV_MSC, MSC_SCAN, 458756);
	g_array_unref(ev);
}

/**
 * test_blank_and_empty() - A blank line and an empty array are valid and
 *			    yield nothing
 */
static void test_blank_and_empty(void)
{
	GArray *ev = parse_ok(&fx.kbd, "");

	g_assert_cmpuint(ev->len, ==, 0);
	g_array_unref(ev);
	ev = parse_ok(&fx.kbd, " \r");
	g_assert_cmpuint(ev->len, ==, 0);
	g_array_unref(ev);
	ev = parse_ok(&fx.kbd, "[ ]");
	g_assert_cmpuint(ev->len, ==, 0);
	g_array_unref(ev);
}

/**
 * test_bad_json() - Syntax errors, including what json-glib alone would
 *		     let through
 */
static void test_bad_json(void)
{
	static const char *const lines[] = {
		"{", "}", "[", "{\"type\":\"key\",}", "[{\"type\":\"syn\"},]",
		"{\"type\":\"syn\"}{}",			/* trailing data */
		"{\"type\":\"syn\"} x",
		"var a = {\"type\":\"syn\"}",		/* assignment */
		"{\"type\":\"syn\"} /* c */",		/* comment */
		"{'type':'syn'}",			/* single quotes */
		"{type:\"syn\"}",
		"{\"type\":\"syn\",\"value\":0x10}",	/* hex */
		"{\"type\":\"syn\",\"value\":01}",	/* leading zero */
		"{\"type\":\"syn\",\"value\":+1}",
		"{\"type\":\"syn\",\"value\":1.}",
		"{\"type\":\"syn\",\"value\":1e}",
		"{\"type\":\"sy\tn\"}",			/* raw control char */
		"{\"type\":\"syn\\x\"}",		/* bad escape */
		"{\"type\":\"syn\\u00\"}",
		"{\"type\":\"key\\u0000x\",\"code\":1,\"value\":1}",
		"{\"type\":\"syn\"",			/* unterminated */
		"{\"type\":\"syn",
		"{\"type\":tru}",
		"\xff\xfe",				/* not UTF-8 */
		"{\"type\":\"k\xc3\"}",
	};
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(lines); i++)
		g_free(parse_bad(&fx.kbd, lines[i]));
	expect_bad(&fx.kbd, "{\"type\":\"syn\"}{}", "column 15");
	expect_bad(&fx.kbd, "\xff", "UTF-8");
	expect_bad(&fx.kbd, "{\"type\":\"s\x01yn\"}", "control character");
	expect_bad(&fx.kbd, "{\"type\":\"syn\",\"value\":0x1}", "column 24");
}

/**
 * test_bad_shape() - Valid JSON that is not an event or array of events
 */
static void test_bad_shape(void)
{
	expect_bad(&fx.kbd, "1", "object");
	expect_bad(&fx.kbd, "\"key\"", "object");
	expect_bad(&fx.kbd, "null", "object");
	expect_bad(&fx.kbd, "[1]", "event 0");
	expect_bad(&fx.kbd, "[{\"type\":\"syn\"},\"x\"]", "event 1");
	expect_bad(&fx.kbd, "[[{\"type\":\"syn\"}]]", "array");
	expect_bad(&fx.kbd, "{\"type\":{\"a\":1}}", "object");
	expect_bad(&fx.kbd, "{\"type\":[\"key\"]}", "array");
	expect_bad(&fx.kbd, "{}", "type");
}

/**
 * test_bad_type_code() - Unknown types and codes, codes the device lacks
 */
static void test_bad_type_code(void)
{
	expect_bad(&fx.kbd, "{\"type\":\"kye\",\"code\":1,\"value\":1}",
		   "unknown type \"kye\"");
	expect_bad(&fx.kbd, "{\"type\":\"KEY\",\"code\":1,\"value\":1}",
		   "unknown type");
	expect_bad(&fx.kbd, "{\"type\":1,\"code\":1,\"value\":1}", "type");
	expect_bad(&fx.kbd, "{\"code\":1,\"value\":1}", "missing \"type\"");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"value\":1}", "code");
	expect_bad(&fx.kbd,
		   "{\"type\":\"key\",\"code\":\"KEY_NOPE\",\"value\":1}",
		   "unknown code \"KEY_NOPE\"");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":\"REL_X\",\"value\":1}",
		   "unknown code");
	expect_bad(&fx.kbd, "{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":1}",
		   "device has no");
	expect_bad(&fx.kbd,
		   "{\"type\":\"key\",\"code\":\"BTN_LEFT\",\"value\":1}",
		   "device has no BTN_LEFT");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":256,\"value\":1}",
		   "device has no");
	expect_bad(&fx.mouse,
		   "{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":1}",
		   "device has no KEY_A");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":-1,\"value\":1}",
		   "code");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":1024,\"value\":1}",
		   "code");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":1.0,\"value\":1}",
		   "code");
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":true,\"value\":1}",
		   "code");
	expect_bad(&fx.kbd, "{\"type\":\"syn\",\"code\":\"SYN_DROPPED\"}",
		   "SYN_REPORT");
	expect_bad(&fx.kbd, "{\"type\":\"syn\",\"code\":2}", "SYN_REPORT");
	/* all-or-nothing: the bad event is last */
	expect_bad(&fx.kbd,
		   "[{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":1},"
		   "{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":1}]",
		   "event 1");
}

/**
 * test_bad_value() - Missing, non-integer and out of range values
 */
static void test_bad_value(void)
{
	static const char *const values[] = {
		"1.5", "1.0", "1e3", "\"1\"", "true", "null", "[1]",
		"2147483648", "-2147483649", "9223372036854775807",
		"99999999999999999999", "18446744073709551617",
	};
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(values); i++) {
		char *line = g_strdup_printf(
			"{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":%s}",
			values[i]);

		g_free(parse_bad(&fx.kbd, line));
		g_free(line);
	}
	expect_bad(&fx.kbd, "{\"type\":\"key\",\"code\":\"KEY_A\"}",
		   "missing \"value\"");
	expect_bad(&fx.kbd, "{\"type\":\"syn\",\"value\":\"0\"}", "value");
}

/**
 * test_bad_members() - Unknown, duplicated and conflicting members
 */
static void test_bad_members(void)
{
	expect_bad(&fx.kbd,
		   "{\"type\":\"key\",\"code\":\"KEY_A\",\"valeu\":1}",
		   "unknown member \"valeu\"");
	expect_bad(&fx.kbd, "{\"type\":\"syn\",\"x\":null}", "unknown member");
	expect_bad(&fx.kbd,
		   "{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":1,"
		   "\"value\":0}", "duplicated");
	expect_bad(&fx.kbd,
		   "{\"type\":\"syn\",\"code\":1,\"c\\u006fde\":0}",
		   "duplicated");
	expect_bad(&fx.mouse,
		   "{\"type\":\"rel\",\"code\":\"REL_X\",\"axis\":\"REL_X\","
		   "\"value\":1}", "both");
}

/**
 * test_limits() - Lines over 64 KiB and arrays over 1024 events
 */
static void test_limits(void)
{
	const char *syn = "{\"type\":\"syn\"},";
	GString *s = g_string_new("[");
	GArray *ev;
	char *line;
	unsigned int i;

	for (i = 0; i < 1024; i++)
		g_string_append(s, syn);
	s->str[s->len - 1] = ']';
	ev = parse_ok(&fx.kbd, s->str);
	g_assert_cmpuint(ev->len, ==, 1024);
	g_array_unref(ev);
	s->str[s->len - 1] = ',';
	g_string_append(s, "{\"type\":\"syn\"}]");
	expect_bad(&fx.kbd, s->str, "1024");
	g_string_free(s, TRUE);

	line = g_malloc(65536 + 2);
	memset(line, ' ', 65536 + 1);
	memcpy(line, "{\"type\":\"syn\"}", 14);
	line[65536] = '\0';
	ev = parse_ok(&fx.kbd, line);		/* exactly 64 KiB */
	g_assert_cmpuint(ev->len, ==, 1);
	g_array_unref(ev);
	line[65536] = ' ';
	line[65537] = '\0';
	expect_bad(&fx.kbd, line, "long");
	g_free(line);
	/* deep nesting never reaches json-glib */
	line = g_strnfill(60000, '[');
	g_free(parse_bad(&fx.kbd, line));
	g_free(line);
}

/**
 * test_long_name_clipped() - A huge unknown name is not echoed whole
 */
static void test_long_name_clipped(void)
{
	char *name = g_strnfill(5000, 'K');
	char *line = g_strdup_printf("{\"type\":\"%s\"}", name);
	char *err = parse_bad(&fx.kbd, line);
	GString *s;
	unsigned int i, odd;

	g_assert_cmpuint(strlen(err), <, 200);
	g_free(err);
	g_free(line);
	g_free(name);
	/* clipped on a UTF-8 boundary: 2-byte characters, at even and odd
	 * offsets
	 */
	for (odd = 0; odd < 2; odd++) {
		s = g_string_new(odd ? "{\"type\":\"x" : "{\"type\":\"");
		for (i = 0; i < 100; i++)
			g_string_append(s, "\xc3\xa9");
		g_string_append(s, "\"}");
		err = parse_bad(&fx.kbd, s->str);
		g_assert_true(g_utf8_validate(err, -1, NULL));
		g_assert_cmpuint(strlen(err), <, 200);
		g_free(err);
		g_string_free(s, TRUE);
	}
}

/**
 * json_member() - Parse a JSON text, check it is an object with one
 *		   string member and return it
 * @text:	JSON text
 * @name:	Member
 *
 * Return: the member's value (g_free() it)
 */
static char *json_member(const char *text, const char *name)
{
	JsonParser *p = json_parser_new();
	JsonObject *o;
	char *v;

	g_assert_true(json_parser_load_from_data(p, text, -1, NULL));
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)));
	o = json_node_get_object(json_parser_get_root(p));
	v = g_strdup(json_object_get_string_member(o, name));
	g_object_unref(p);
	return v;
}

/**
 * test_error_json() - Error lines are valid JSON, escaped, one line
 */
static void test_error_json(void)
{
	static const char *const msgs[] = {
		"plain", "quote \" backslash \\ slash /", "new\nline\r\ttab",
		"ctl \x01\x1f del \x7f", "utf-8 \xc3\xa9\xe2\x82\xac", "",
	};
	unsigned int i;
	char *s, *v;

	s = input_control_error_json("x");
	g_assert_cmpstr(s, ==, "{\"error\":\"x\"}");
	g_free(s);
	for (i = 0; i < G_N_ELEMENTS(msgs); i++) {
		s = input_control_error_json(msgs[i]);
		g_assert_null(strchr(s, '\n'));
		g_assert_null(strchr(s, '\r'));
		v = json_member(s, "error");
		g_assert_cmpstr(v, ==, msgs[i]);
		g_free(v);
		g_free(s);
	}
	s = input_control_error_json("bad \xff utf-8");
	g_assert_true(g_utf8_validate(s, -1, NULL));
	g_free(s);
	s = input_control_error_json(NULL);
	g_assert_cmpstr(s, ==, "{\"error\":\"\"}");
	g_free(s);
	/* a refused line's message round-trips */
	v = parse_bad(&fx.kbd, "{\"type\":\"\\\"\\\\\\n\"}");
	s = input_control_error_json(v);
	g_assert_null(strchr(s, '\n'));
	g_free(v);
	v = json_member(s, "error");
	g_assert_nonnull(strstr(v, "\"\\\n"));
	g_free(v);
	g_free(s);
}

/**
 * test_event_json() - Status event lines: names where they exist
 */
static void test_event_json(void)
{
	static const struct {
		struct vinput_event ev;
		const char *json;
	} cases[] = {
		{ { EV_LED, LED_CAPSL, 1 },
		  "{\"type\":\"led\",\"code\":\"LED_CAPSL\",\"value\":1}" },
		{ { EV_SND, SND_BELL, 0 },
		  "{\"type\":\"snd\",\"code\":\"SND_BELL\",\"value\":0}" },
		{ { EV_KEY, KEY_A, -7 },
		  "{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":-7}" },
		{ { EV_LED, 0x0e, 1 },
		  "{\"type\":\"led\",\"code\":14,\"value\":1}" },
		{ { EV_FF, FF_GAIN, 2 },
		  "{\"type\":\"EV_FF\",\"code\":\"FF_GAIN\",\"value\":2}" },
		{ { EV_PWR, 3, 0 },
		  "{\"type\":\"EV_PWR\",\"code\":3,\"value\":0}" },
		{ { 0x1e, 5, G_MININT32 },
		  "{\"type\":30,\"code\":5,\"value\":-2147483648}" },
	};
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = input_control_event_json(&cases[i].ev);

		g_assert_cmpstr(s, ==, cases[i].json);
		g_free(s);
	}
}

/**
 * test_round_trip() - What event_json writes, parse reads back
 */
static void test_round_trip(void)
{
	struct vinput_event in = { EV_LED, LED_NUML, 1 };
	char *s = input_control_event_json(&in);
	GArray *ev = parse_ok(&fx.kbd, s);

	assert_event(ev, 0, EV_LED, LED_NUML, 1);
	g_array_unref(ev);
	g_free(s);
}

/**
 * main() - Build the preset devices, register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(input_desc_virtual(&fx.kbd, "keyboard", NULL));
	g_assert_true(input_desc_virtual(&fx.mouse, "mouse", NULL));
	g_assert_true(input_desc_virtual(&fx.touch, "touchscreen", NULL));
	g_test_add_func("/input-control/object", test_object);
	g_test_add_func("/input-control/array", test_array);
	g_test_add_func("/input-control/names-and-numbers",
			test_names_and_numbers);
	g_test_add_func("/input-control/blank", test_blank_and_empty);
	g_test_add_func("/input-control/bad-json", test_bad_json);
	g_test_add_func("/input-control/bad-shape", test_bad_shape);
	g_test_add_func("/input-control/bad-type-code", test_bad_type_code);
	g_test_add_func("/input-control/bad-value", test_bad_value);
	g_test_add_func("/input-control/bad-members", test_bad_members);
	g_test_add_func("/input-control/limits", test_limits);
	g_test_add_func("/input-control/long-name", test_long_name_clipped);
	g_test_add_func("/input-control/error-json", test_error_json);
	g_test_add_func("/input-control/event-json", test_event_json);
	g_test_add_func("/input-control/round-trip", test_round_trip);
	return g_test_run();
}
