// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-control.c - the JSON line protocol of --control: one line from a
 * client (an event object or an array of them) into events, and the lines
 * the daemon sends back (errors, status events).
 *
 * Every line is hostile. json-glib 1.6 is lenient (comments, hex numbers,
 * single quotes, trailing data, silent integer overflow, unbounded nesting)
 * so the line first goes through a strict RFC 8259 syntax check of our own
 * that also bounds nesting to the shapes the protocol has and counts the
 * members of each object (json-glib keeps one of duplicated members; a
 * count mismatch reveals them). json-glib then builds the tree.
 */
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libevdev/libevdev.h>

#include "input.h"

#define CTL_MAX_LINE	65536u	/* bytes per line, newline excluded */
#define CTL_MAX_EVENTS	1024u	/* events per line */
#define CTL_MAX_DIGITS	18u	/* integer digits: no int64 overflow */
#define CTL_ECHO_MAX	48u	/* bytes of a client string in a message */

/**
 * struct ctl_type_name - a short name of an event type
 * @name:	Short lowercase name
 * @type:	EV_* type
 */
struct ctl_type_name {
	const char *name;
	unsigned int type;
};

static const struct ctl_type_name ctl_types[] = {
	{ "syn", EV_SYN }, { "key", EV_KEY }, { "rel", EV_REL },
	{ "abs", EV_ABS }, { "msc", EV_MSC }, { "sw", EV_SW },
	{ "led", EV_LED }, { "snd", EV_SND }, { "rep", EV_REP },
};

/**
 * struct jscan - state of the strict syntax check of one line
 * @s:		Line
 * @len:	Its length
 * @pos:	Current offset
 * @counts:	Members of each object, in document order (guint)
 * @err:	First error (static string), NULL while none
 */
struct jscan {
	const char *s;
	size_t len;
	size_t pos;
	GArray *counts;
	const char *err;
};

static bool scan_value(struct jscan *sc, unsigned int level);

/**
 * scan_fail() - Record a syntax error
 * @sc:		Scanner
 * @msg:	What is wrong
 *
 * Return: false
 */
static bool scan_fail(struct jscan *sc, const char *msg)
{
	if (!sc->err)
		sc->err = msg;
	return false;
}

/**
 * scan_peek() - The character at the current offset
 * @sc:		Scanner
 *
 * Return: the byte, or -1 at the end of the line
 */
static int scan_peek(const struct jscan *sc)
{
	return sc->pos < sc->len ? (unsigned char)sc->s[sc->pos] : -1;
}

/**
 * scan_ws() - Skip JSON whitespace
 * @sc:		Scanner
 */
static void scan_ws(struct jscan *sc)
{
	int c = scan_peek(sc);

	while (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
		sc->pos++;
		c = scan_peek(sc);
	}
}

/**
 * scan_escape() - Check the escape sequence after a backslash
 * @sc:		Scanner, at the character after the backslash
 *
 * \u0000 is refused: json-glib would cut the string there.
 *
 * Return: true if valid (skipped)
 */
static bool scan_escape(struct jscan *sc)
{
	const char *h = sc->s + sc->pos;
	int c = scan_peek(sc);
	unsigned int i, v = 0;

	if (c > 0 && strchr("\"\\/bfnrt", c)) {
		sc->pos++;
		return true;
	}
	if (c != 'u' || sc->len - sc->pos < 5)
		return scan_fail(sc, "bad escape sequence");
	for (i = 1; i <= 4; i++) {
		if (!g_ascii_isxdigit(h[i]))
			return scan_fail(sc, "bad \\u escape");
		v = v * 16 + (unsigned int)g_ascii_xdigit_value(h[i]);
	}
	if (!v)
		return scan_fail(sc, "\\u0000 in a string");
	sc->pos += 5;
	return true;
}

/**
 * scan_string() - Check a string (UTF-8 already validated)
 * @sc:		Scanner, at the opening quote
 *
 * Return: true if valid (skipped)
 */
static bool scan_string(struct jscan *sc)
{
	int c;

	if (scan_peek(sc) != '"')
		return scan_fail(sc, "expected a string");
	sc->pos++;
	while ((c = scan_peek(sc)) != -1) {
		sc->pos++;
		if (c == '"')
			return true;
		if (c < 0x20)
			return scan_fail(sc, "control character in a string");
		if (c == '\\' && !scan_escape(sc))
			return false;
	}
	return scan_fail(sc, "unterminated string");
}

/**
 * scan_digits() - Skip a run of decimal digits
 * @sc:		Scanner
 *
 * Return: number of digits skipped
 */
static size_t scan_digits(struct jscan *sc)
{
	size_t n = 0;

	while (g_ascii_isdigit(scan_peek(sc))) {
		sc->pos++;
		n++;
	}
	return n;
}

/**
 * scan_number() - Check a number
 * @sc:		Scanner, at '-' or a digit
 *
 * Integer parts of more than CTL_MAX_DIGITS digits are refused: json-glib
 * would wrap them around silently.
 *
 * Return: true if valid (skipped)
 */
static bool scan_number(struct jscan *sc)
{
	size_t n;

	if (scan_peek(sc) == '-')
		sc->pos++;
	if (scan_peek(sc) == '0') {
		sc->pos++;
		if (g_ascii_isdigit(scan_peek(sc)))
			return scan_fail(sc, "leading zero in a number");
	} else {
		n = scan_digits(sc);
		if (!n)
			return scan_fail(sc, "bad number");
		if (n > CTL_MAX_DIGITS)
			return scan_fail(sc, "number too large");
	}
	if (scan_peek(sc) == '.') {
		sc->pos++;
		if (!scan_digits(sc))
			return scan_fail(sc, "bad fraction");
	}
	if (scan_peek(sc) == 'e' || scan_peek(sc) == 'E') {
		sc->pos++;
		if (scan_peek(sc) == '+' || scan_peek(sc) == '-')
			sc->pos++;
		if (!scan_digits(sc))
			return scan_fail(sc, "bad exponent");
	}
	return true;
}

/**
 * scan_literal() - Check true, false or null
 * @sc:		Scanner, at 't', 'f' or 'n'
 *
 * Return: true if valid (skipped)
 */
static bool scan_literal(struct jscan *sc)
{
	static const char *const words[] = { "true", "false", "null" };
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(words); i++) {
		size_t n = strlen(words[i]);

		if (sc->len - sc->pos >= n &&
		    !memcmp(sc->s + sc->pos, words[i], n)) {
			sc->pos += n;
			return true;
		}
	}
	return scan_fail(sc, "unexpected word");
}

/**
 * scan_object() - Check an object and record its member count
 * @sc:		Scanner, at '{'
 *
 * Return: true if valid (skipped)
 */
static bool scan_object(struct jscan *sc)
{
	guint idx = sc->counts->len, n = 0;

	g_array_set_size(sc->counts, idx + 1);
	sc->pos++;
	scan_ws(sc);
	if (scan_peek(sc) == '}') {
		sc->pos++;
		return true;
	}
	for (;;) {
		scan_ws(sc);
		if (!scan_string(sc))
			return false;
		scan_ws(sc);
		if (scan_peek(sc) != ':')
			return scan_fail(sc, "expected ':'");
		sc->pos++;
		if (!scan_value(sc, 2))
			return false;
		g_array_index(sc->counts, guint, idx) = ++n;
		if (scan_peek(sc) == '}')
			break;
		if (scan_peek(sc) != ',')
			return scan_fail(sc, "expected ',' or '}'");
		sc->pos++;
	}
	sc->pos++;
	return true;
}

/**
 * scan_array() - Check an array of at most CTL_MAX_EVENTS elements
 * @sc:		Scanner, at '['
 *
 * Return: true if valid (skipped)
 */
static bool scan_array(struct jscan *sc)
{
	unsigned int n = 0;

	sc->pos++;
	scan_ws(sc);
	if (scan_peek(sc) == ']') {
		sc->pos++;
		return true;
	}
	for (;;) {
		if (++n > CTL_MAX_EVENTS)
			return scan_fail(sc, "more than 1024 events");
		if (!scan_value(sc, 1))
			return false;
		if (scan_peek(sc) == ']')
			break;
		if (scan_peek(sc) != ',')
			return scan_fail(sc, "expected ',' or ']'");
		sc->pos++;
	}
	sc->pos++;
	return true;
}

/**
 * scan_value() - Check a value and the whitespace around it
 * @sc:		Scanner
 * @level:	0: the line, 1: an element of the line's array, 2: a member
 *		of an event (arrays only at 0, objects at 0 and 1)
 *
 * Return: true if valid (skipped)
 */
static bool scan_value(struct jscan *sc, unsigned int level)
{
	int c;
	bool ok;

	scan_ws(sc);
	c = scan_peek(sc);
	if (c == '{')
		ok = level < 2 ? scan_object(sc) :
			scan_fail(sc, "object inside an event");
	else if (c == '[')
		ok = level < 1 ? scan_array(sc) :
			scan_fail(sc, "array inside an array or an event");
	else if (c == '"')
		ok = scan_string(sc);
	else if (c == '-' || g_ascii_isdigit(c))
		ok = scan_number(sc);
	else if (c == 't' || c == 'f' || c == 'n')
		ok = scan_literal(sc);
	else
		ok = scan_fail(sc, c < 0 ? "unexpected end of line" :
			       "unexpected character");
	scan_ws(sc);
	return ok;
}

/**
 * ctl_check_syntax() - Strict syntax check of a whole line
 * @line:	Line, valid UTF-8
 * @len:	Its length, > 0
 * @counts:	Filled with the member counts of the objects (guint)
 *
 * Return: NULL if valid, else the error message (g_malloc'ed)
 */
static char *ctl_check_syntax(const char *line, size_t len, GArray *counts)
{
	struct jscan sc = { .s = line, .len = len, .counts = counts };

	if (scan_value(&sc, 0) && sc.pos != len)
		scan_fail(&sc, "trailing characters");
	if (!sc.err)
		return NULL;
	return g_strdup_printf("invalid JSON at column %zu: %s",
			       sc.pos + 1, sc.err);
}

/**
 * ctl_clip() - How many bytes of a client string to quote in a message
 * @s:		The string (valid UTF-8)
 *
 * Return: at most CTL_ECHO_MAX, cut on a character boundary
 */
static int ctl_clip(const char *s)
{
	size_t len = strlen(s);
	const char *end;

	if (len <= CTL_ECHO_MAX)
		return (int)len;
	end = g_utf8_find_prev_char(s, s + CTL_ECHO_MAX + 1);
	return end ? (int)(end - s) : 0;
}

/**
 * ctl_type_name() - Name of an event type for the client
 * @type:	EV_* type
 *
 * Return: the short name, else the libevdev name, else NULL
 */
static const char *ctl_type_name(unsigned int type)
{
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(ctl_types); i++)
		if (ctl_types[i].type == type)
			return ctl_types[i].name;
	return libevdev_event_type_get_name(type);
}

/**
 * ctl_is_string() - Whether a member holds a string
 * @node:	Member value
 *
 * Return: true for a JSON string
 */
static bool ctl_is_string(JsonNode *node)
{
	return JSON_NODE_HOLDS_VALUE(node) &&
	       json_node_get_value_type(node) == G_TYPE_STRING;
}

/**
 * ctl_get_int() - Read an integer member within bounds
 * @node:	Member value
 * @min:	Lowest accepted
 * @max:	Highest accepted
 * @out:	Filled with the value
 *
 * Return: false if not an integer or out of bounds
 */
static bool ctl_get_int(JsonNode *node, gint64 min, gint64 max, gint64 *out)
{
	if (!JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64)
		return false;
	*out = json_node_get_int(node);
	return *out >= min && *out <= max;
}

/**
 * ctl_parse_type() - The "type" member
 * @obj:	Event object
 * @type:	Filled with the EV_* type
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_parse_type(JsonObject *obj, unsigned int *type)
{
	JsonNode *node = json_object_get_member(obj, "type");
	const char *s;
	unsigned int i;
	int t;

	if (!node)
		return g_strdup("missing \"type\"");
	if (!ctl_is_string(node))
		return g_strdup("\"type\" must be a string");
	s = json_node_get_string(node);
	for (i = 0; i < G_N_ELEMENTS(ctl_types); i++) {
		if (!strcmp(s, ctl_types[i].name)) {
			*type = ctl_types[i].type;
			return NULL;
		}
	}
	t = libevdev_event_type_from_name(s);
	if (t < 0 || t >= INPUT_EV_CNT)
		return g_strdup_printf("unknown type \"%.*s\"",
				       ctl_clip(s), s);
	*type = (unsigned int)t;
	return NULL;
}

/**
 * ctl_parse_code() - The "code" (or "axis") member
 * @node:	Member value, or NULL when absent
 * @type:	EV_* type of the event
 * @code:	Filled with the code
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_parse_code(JsonNode *node, unsigned int type,
			    unsigned int *code)
{
	gint64 v;
	int c;

	if (!node) {
		if (type != EV_SYN)
			return g_strdup("missing \"code\"");
		*code = SYN_REPORT;
		return NULL;
	}
	if (ctl_is_string(node)) {
		const char *s = json_node_get_string(node);

		c = libevdev_event_code_from_name(type, s);
		if (c < 0 || c >= (int)INPUT_CODE_CNT)
			return g_strdup_printf(
				"unknown code \"%.*s\" for type %s",
				ctl_clip(s), s, ctl_type_name(type));
		*code = (unsigned int)c;
	} else if (ctl_get_int(node, 0, INPUT_CODE_CNT - 1, &v)) {
		*code = (unsigned int)v;
	} else {
		return g_strdup_printf(
			"\"code\" must be a name or an integer 0..%u",
			INPUT_CODE_CNT - 1);
	}
	if (type == EV_SYN && *code != SYN_REPORT)
		return g_strdup("only SYN_REPORT may be sent");
	return NULL;
}

/**
 * ctl_parse_value() - The "value" member
 * @node:	Member value, or NULL when absent
 * @type:	EV_* type of the event
 * @value:	Filled with the value
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_parse_value(JsonNode *node, unsigned int type,
			     int32_t *value)
{
	gint64 v;

	if (!node) {
		if (type != EV_SYN)
			return g_strdup("missing \"value\"");
		*value = 0;
		return NULL;
	}
	if (!ctl_get_int(node, G_MININT32, G_MAXINT32, &v))
		return g_strdup(
			"\"value\" must be an integer in the int32 range");
	*value = (int32_t)v;
	return NULL;
}

/**
 * ctl_check_members() - Refuse unknown and duplicated members
 * @obj:	Event object
 * @raw:	Members counted in the text of the line
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_check_members(JsonObject *obj, guint raw)
{
	GList *names = json_object_get_members(obj), *l;
	char *err = NULL;

	for (l = names; l && !err; l = l->next) {
		const char *n = l->data;

		if (strcmp(n, "type") && strcmp(n, "code") &&
		    strcmp(n, "axis") && strcmp(n, "value"))
			err = g_strdup_printf("unknown member \"%.*s\"",
					      ctl_clip(n), n);
	}
	g_list_free(names);
	if (!err && json_object_get_size(obj) != raw)
		err = g_strdup("duplicated member");
	if (!err && json_object_has_member(obj, "code") &&
	    json_object_has_member(obj, "axis"))
		err = g_strdup("both \"code\" and \"axis\"");
	return err;
}

/**
 * ctl_check_device() - Refuse an event the device cannot produce
 * @d:		Device description
 * @ev:		Event
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_check_device(const struct input_desc *d,
			      const struct vinput_event *ev)
{
	const char *tname = ctl_type_name(ev->type);
	const char *cname = libevdev_event_code_get_name(ev->type, ev->code);

	if (ev->type == EV_SYN || input_desc_has_code(d, ev->type, ev->code))
		return NULL;
	if (!input_desc_has_type(d, ev->type))
		return g_strdup_printf("device has no events of type %s",
				       tname ? tname : "?");
	if (cname)
		return g_strdup_printf("device has no %s", cname);
	return g_strdup_printf("device has no code %u of type %s",
			       ev->code, tname ? tname : "?");
}

/**
 * ctl_parse_event() - One event object
 * @d:		Device description
 * @node:	The object (or whatever the client sent instead)
 * @raw:	Members counted in the text of the line
 * @ev:		Filled with the event
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_parse_event(const struct input_desc *d, JsonNode *node,
			     guint raw, struct vinput_event *ev)
{
	JsonObject *obj;
	JsonNode *code;
	unsigned int type = 0, c = 0;
	char *err;

	if (!JSON_NODE_HOLDS_OBJECT(node))
		return g_strdup("an event must be an object");
	obj = json_node_get_object(node);
	err = ctl_check_members(obj, raw);
	if (!err)
		err = ctl_parse_type(obj, &type);
	if (err)
		return err;
	code = json_object_get_member(obj, "code");
	if (!code)
		code = json_object_get_member(obj, "axis");
	err = ctl_parse_code(code, type, &c);
	if (err)
		return err;
	err = ctl_parse_value(json_object_get_member(obj, "value"), type,
			      &ev->value);
	if (err)
		return err;
	ev->type = (uint16_t)type;
	ev->code = (uint16_t)c;
	return ctl_check_device(d, ev);
}

/**
 * ctl_parse_root() - The events of a parsed line
 * @d:		Device description
 * @root:	An object or an array of objects
 * @counts:	Member counts of the objects, from ctl_check_syntax(); the
 *		syntax check allows no object inside an event, so the i-th
 *		count is the i-th element's as long as all before are objects
 * @out:	Events appended
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_parse_root(const struct input_desc *d, JsonNode *root,
			    GArray *counts, GArray *out)
{
	struct vinput_event ev;
	JsonArray *arr;
	guint i, n;
	char *err;

	if (JSON_NODE_HOLDS_OBJECT(root)) {
		n = counts->len ? g_array_index(counts, guint, 0) : 0;
		err = ctl_parse_event(d, root, n, &ev);
		if (!err)
			g_array_append_val(out, ev);
		return err;
	}
	if (!JSON_NODE_HOLDS_ARRAY(root))
		return g_strdup("expected an object or an array of objects");
	arr = json_node_get_array(root);
	n = json_array_get_length(arr);
	if (n > CTL_MAX_EVENTS)
		return g_strdup("more than 1024 events");
	for (i = 0; i < n; i++) {
		guint raw = 0;
		char *e;

		if (i < counts->len)
			raw = g_array_index(counts, guint, i);
		e = ctl_parse_event(d, json_array_get_element(arr, i), raw,
				    &ev);
		if (e) {
			err = g_strdup_printf("event %u: %s", i, e);
			g_free(e);
			return err;
		}
		g_array_append_val(out, ev);
	}
	return NULL;
}

/**
 * ctl_trim() - Length of a line without its trailing whitespace
 * @line:	Line
 * @len:	Its length
 *
 * Return: the trimmed length
 */
static size_t ctl_trim(const char *line, size_t len)
{
	while (len && strchr(" \t\r\n\f\v", line[len - 1]))
		len--;
	return len;
}

/**
 * ctl_parse_line() - Check and parse a trimmed, non-empty line
 * @d:		Device description
 * @line:	Line
 * @len:	Its length
 * @out:	Events appended
 *
 * Return: NULL, else the error message (g_malloc'ed)
 */
static char *ctl_parse_line(const struct input_desc *d, const char *line,
			    size_t len, GArray *out)
{
	GArray *counts = g_array_new(FALSE, TRUE, sizeof(guint));
	JsonParser *parser = NULL;
	GError *gerr = NULL;
	char *err;

	if (!g_utf8_validate(line, (gssize)len, NULL)) {
		err = g_strdup("line is not valid UTF-8");
		goto out;
	}
	err = ctl_check_syntax(line, len, counts);
	if (err)
		goto out;
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, line, (gssize)len, &gerr)) {
		err = g_strdup_printf("invalid JSON: %s", gerr->message);
		g_error_free(gerr);
	} else if (!json_parser_get_root(parser)) {
		err = g_strdup("invalid JSON: no value");
	} else {
		err = ctl_parse_root(d, json_parser_get_root(parser), counts,
				     out);
	}
out:
	if (parser)
		g_object_unref(parser);
	g_array_free(counts, TRUE);
	return err;
}

/**
 * input_control_parse() - Parse one line from a control client
 * @d:		Description of the device: only codes it has are accepted
 * @line:	The line without its newline; trailing whitespace (\r
 *		included) is ignored
 * @events:	GArray of struct vinput_event the events are appended to,
 *		only if the whole line is valid
 * @error:	On failure, set to the message (g_malloc'ed), may be NULL
 *
 * A line is one event object or an array of at most 1024 of them, at most
 * 64 KiB long. A blank line is valid and yields no event.
 *
 * Return: true if valid (@events grown), false otherwise (@events as it
 * was)
 */
bool input_control_parse(const struct input_desc *d, const char *line,
			 GArray *events, char **error)
{
	GArray *tmp;
	size_t len;
	char *err;

	if (!line) {
		err = g_strdup("no line");
		goto fail;
	}
	len = strnlen(line, CTL_MAX_LINE + 1);
	if (len > CTL_MAX_LINE) {
		err = g_strdup("line longer than 65536 bytes");
		goto fail;
	}
	len = ctl_trim(line, len);
	if (!len)
		return true;
	tmp = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	err = ctl_parse_line(d, line, len, tmp);
	if (!err)
		g_array_append_vals(events, tmp->data, tmp->len);
	g_array_free(tmp, TRUE);
	if (!err)
		return true;
fail:
	if (error)
		*error = err;
	else
		g_free(err);
	return false;
}

/**
 * ctl_to_json() - Serialise what a builder built
 * @b:		Builder, its object complete (unreferenced here)
 *
 * Return: compact JSON text without newline (g_malloc'ed)
 */
static char *ctl_to_json(JsonBuilder *b)
{
	JsonGenerator *gen = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	char *s;

	json_generator_set_root(gen, root);
	s = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return s;
}

/**
 * input_control_error_json() - The line telling a client its line failed
 * @message:	Error message (invalid UTF-8 is replaced), may be NULL
 *
 * Return: {"error":"<message, JSON-escaped>"} without newline (g_malloc'ed)
 */
char *input_control_error_json(const char *message)
{
	JsonBuilder *b = json_builder_new();
	char *msg = g_utf8_make_valid(message ? message : "", -1);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, msg);
	json_builder_end_object(b);
	g_free(msg);
	return ctl_to_json(b);
}

/**
 * input_control_event_json() - The line sending a status event to clients
 * @ev:		Event (LED, SND, ...)
 *
 * Names are the short type name (else the EV_* name) and the libevdev code
 * name; numbers where no name exists.
 *
 * Return: {"type":T,"code":C,"value":V} without newline (g_malloc'ed)
 */
char *input_control_event_json(const struct vinput_event *ev)
{
	JsonBuilder *b = json_builder_new();
	const char *tname = ctl_type_name(ev->type);
	const char *cname = libevdev_event_code_get_name(ev->type, ev->code);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	if (tname)
		json_builder_add_string_value(b, tname);
	else
		json_builder_add_int_value(b, ev->type);
	json_builder_set_member_name(b, "code");
	if (cname)
		json_builder_add_string_value(b, cname);
	else
		json_builder_add_int_value(b, ev->code);
	json_builder_set_member_name(b, "value");
	json_builder_add_int_value(b, ev->value);
	json_builder_end_object(b);
	return ctl_to_json(b);
}
