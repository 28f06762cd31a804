// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evread.c - vu-evread, the e2e guests' evdev tool (libc only):
 *
 *   vu-evread --find NAME         print the /dev/input/eventN named NAME
 *   vu-evread --info DEV          the device's name, ids, event types and
 *                                 codes, properties and absolute axes
 *   vu-evread [--count N] [--timeout SEC] [--grab] [--ready FILE] DEV
 *                                 print events as "type code value" lines
 *                                 (decimal, EV_SYN included); with --count,
 *                                 exit 1 unless N came within SEC seconds
 *   vu-evread --led CODE VALUE DEV
 *                                 write EV_LED CODE VALUE and SYN_REPORT
 *
 * --info lines:  "name NAME", "id BUS VENDOR PRODUCT VERSION" (four hex
 * digits each, as sysfs prints them), "types T...", "codes TYPE C..." per
 * type but EV_SYN, "props P...", "abs AXIS MIN MAX FUZZ FLAT RES".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/input.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define EVR_BITS	1024	/* codes per type we look at (> KEY_MAX) */
#define EVR_LONG_BITS	(8 * sizeof(unsigned long))
#define EVR_NLONGS	(EVR_BITS / EVR_LONG_BITS)
#define EVR_MAX_NODES	1024	/* event nodes --find looks at */

/**
 * struct evr_opts - the command line
 * @mode:	'r' read events, 'i' --info, 'f' --find, 'l' --led
 * @count:	Events to read, 0 for no limit
 * @timeout_ms:	How long to read
 * @grab:	EVIOCGRAB the device while reading
 * @ready:	File created once the device is open (and grabbed), or NULL
 * @args:	Positional arguments
 * @nargs:	Number of @args
 */
struct evr_opts {
	int mode;
	long count;
	long timeout_ms;
	bool grab;
	const char *ready;
	char **args;
	int nargs;
};

/**
 * usage() - Print the usage and exit
 * @rc:		Exit status
 */
static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: vu-evread --find NAME\n"
		"       vu-evread --info DEV\n"
		"       vu-evread [--count N] [--timeout SEC] [--grab] "
		"[--ready FILE] DEV\n"
		"       vu-evread --led CODE VALUE DEV\n");
	exit(rc);
}

/**
 * parse_num() - Parse a decimal integer in a range or exit
 * @s:		Text
 * @min:	Smallest value accepted
 * @max:	Largest value accepted
 *
 * Return: the value
 */
static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "vu-evread: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

/**
 * parse_args() - Parse the command line or exit
 * @argc:	Argument count
 * @argv:	Arguments
 * @o:		Filled in
 */
static void parse_args(int argc, char **argv, struct evr_opts *o)
{
	static const struct option longopts[] = {
		{ "find", no_argument, NULL, 'f' },
		{ "info", no_argument, NULL, 'i' },
		{ "led", no_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "grab", no_argument, NULL, 'g' },
		{ "ready", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct evr_opts){ .mode = 'r', .timeout_ms = 10000 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'f' || c == 'i' || c == 'l')
			o->mode = c;
		else if (c == 'n')
			o->count = parse_num(optarg, 1, INT_MAX);
		else if (c == 't')
			o->timeout_ms = parse_num(optarg, 0, 86400) * 1000;
		else if (c == 'g')
			o->grab = true;
		else if (c == 'r')
			o->ready = optarg;
		else
			usage(c == 'h' ? 0 : 2);
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs != (o->mode == 'l' ? 3 : 1))
		usage(2);
}

/**
 * open_dev() - Open an evdev node or exit
 * @path:	The node
 * @flags:	open() flags
 *
 * Return: the fd
 */
static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "vu-evread: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/**
 * has_bit() - Whether bit @n of a bitmap is set
 * @bits:	Bitmap, EVR_NLONGS longs
 * @n:		Bit number, below EVR_BITS
 *
 * Return: true when set
 */
static bool has_bit(const unsigned long *bits, unsigned int n)
{
	return bits[n / EVR_LONG_BITS] >> (n % EVR_LONG_BITS) & 1;
}

/**
 * print_bits() - Print "LABEL N..." for the set bits of a bitmap
 * @label:	Line start ("types", "codes 1", "props")
 * @bits:	Bitmap, EVR_NLONGS longs
 * @start:	First bit to look at
 */
static void print_bits(const char *label, const unsigned long *bits,
		       unsigned int start)
{
	unsigned int n;

	printf("%s", label);
	for (n = start; n < EVR_BITS; n++)
		if (has_bit(bits, n))
			printf(" %u", n);
	printf("\n");
}

/**
 * print_abs() - Print one "abs AXIS MIN MAX FUZZ FLAT RES" line per axis
 * @fd:		The device
 */
static void print_abs(int fd)
{
	unsigned long bits[EVR_NLONGS] = { 0 };
	struct input_absinfo ai;
	unsigned int a;

	if (ioctl(fd, EVIOCGBIT(EV_ABS, sizeof(bits)), bits) < 0)
		return;
	for (a = 0; a <= ABS_MAX; a++) {
		if (!has_bit(bits, a) || ioctl(fd, EVIOCGABS(a), &ai) < 0)
			continue;
		printf("abs %u %d %d %d %d %d\n", a, ai.minimum, ai.maximum,
		       ai.fuzz, ai.flat, ai.resolution);
	}
}

/**
 * do_info() - --info: print what the kernel tells of the device
 * @path:	The evdev node
 *
 * Return: exit status
 */
static int do_info(const char *path)
{
	unsigned long types[EVR_NLONGS] = { 0 }, bits[EVR_NLONGS];
	int fd = open_dev(path, O_RDONLY | O_NONBLOCK);
	char name[256] = "", label[32];
	struct input_id id;
	unsigned int t;

	if (ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name) < 0 ||
	    ioctl(fd, EVIOCGID, &id) < 0 ||
	    ioctl(fd, EVIOCGBIT(0, sizeof(types)), types) < 0) {
		fprintf(stderr, "vu-evread: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("name %s\n", name);
	printf("id %04x %04x %04x %04x\n", id.bustype, id.vendor, id.product,
	       id.version);
	print_bits("types", types, 0);
	for (t = 1; t <= EV_MAX; t++) {
		memset(bits, 0, sizeof(bits));
		if (!has_bit(types, t) ||
		    ioctl(fd, EVIOCGBIT(t, sizeof(bits)), bits) < 0)
			continue;
		snprintf(label, sizeof(label), "codes %u", t);
		print_bits(label, bits, 0);
	}
	memset(bits, 0, sizeof(bits));
	if (ioctl(fd, EVIOCGPROP(sizeof(bits)), bits) >= 0)
		print_bits("props", bits, 0);
	print_abs(fd);
	close(fd);
	return 0;
}

/**
 * do_find() - --find: print the first /dev/input/eventN named @name
 * @name:	The device name
 *
 * Return: 0 when found, 1 if not
 */
static int do_find(const char *name)
{
	char path[64], got[256];
	unsigned int n;
	int fd;

	for (n = 0; n < EVR_MAX_NODES; n++) {
		snprintf(path, sizeof(path), "/dev/input/event%u", n);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(got, 0, sizeof(got));
		if (ioctl(fd, EVIOCGNAME(sizeof(got) - 1), got) >= 0 &&
		    !strcmp(got, name)) {
			printf("%s\n", path);
			close(fd);
			return 0;
		}
		close(fd);
	}
	return 1;
}

/**
 * do_led() - --led: write EV_LED @code @value and SYN_REPORT to the device
 * @o:		Options: args are CODE VALUE DEV
 *
 * Return: exit status
 */
static int do_led(const struct evr_opts *o)
{
	struct input_event ev[2];
	int fd = open_dev(o->args[2], O_WRONLY);
	ssize_t n;

	memset(ev, 0, sizeof(ev));
	ev[0].type = EV_LED;
	ev[0].code = (unsigned short)parse_num(o->args[0], 0, LED_MAX);
	ev[0].value = (int)parse_num(o->args[1], INT_MIN, INT_MAX);
	ev[1].type = EV_SYN;
	ev[1].code = SYN_REPORT;
	n = write(fd, ev, sizeof(ev));
	close(fd);
	if (n != (ssize_t)sizeof(ev)) {
		fprintf(stderr, "vu-evread: write %s: %s\n", o->args[2],
			n < 0 ? strerror(errno) : "short write");
		return 1;
	}
	return 0;
}

/**
 * now_ms() - The monotonic clock
 *
 * Return: milliseconds
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * prepare_read() - Open the device for reading, grab it, signal readiness
 * @o:		Options
 *
 * Return: the fd (exits on failure)
 */
static int prepare_read(const struct evr_opts *o)
{
	int fd = open_dev(o->args[0], O_RDONLY | O_NONBLOCK);
	FILE *f;

	if (o->grab && ioctl(fd, EVIOCGRAB, 1) < 0) {
		fprintf(stderr, "vu-evread: grab %s: %s\n", o->args[0],
			strerror(errno));
		exit(1);
	}
	if (o->ready) {
		f = fopen(o->ready, "w");
		if (!f || fclose(f)) {
			fprintf(stderr, "vu-evread: %s: %s\n", o->ready,
				strerror(errno));
			exit(1);
		}
	}
	return fd;
}

/**
 * read_some() - Read and print the events available, up to the limit
 * @fd:		The device (non-blocking)
 * @left:	Events still wanted (LONG_MAX: no limit); decremented
 *
 * Return: 0, or -1 when the device failed (it went away)
 */
static int read_some(int fd, long *left)
{
	struct input_event ev[64];
	ssize_t n;
	size_t i, max = sizeof(ev) / sizeof(ev[0]);

	if ((unsigned long)*left < max)
		max = (size_t)*left;
	n = read(fd, ev, max * sizeof(ev[0]));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
		printf("%u %u %d\n", ev[i].type, ev[i].code, ev[i].value);
		(*left)--;
	}
	fflush(stdout);
	return 0;
}

/**
 * do_read() - Print events until @o->count came or the time is up
 * @o:		Options
 *
 * Return: exit status: 0, or 1 when fewer than @o->count events came or
 *	   the device failed
 */
static int do_read(const struct evr_opts *o)
{
	long long deadline = now_ms() + o->timeout_ms, wait;
	long left = o->count ? o->count : LONG_MAX;
	struct pollfd p = { .fd = prepare_read(o), .events = POLLIN };

	while (left > 0) {
		wait = deadline - now_ms();
		if (wait <= 0)
			break;
		if (poll(&p, 1, (int)wait) < 0 && errno != EINTR)
			break;
		if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) ||
		    read_some(p.fd, &left) < 0) {
			fprintf(stderr, "vu-evread: %s: device failed\n",
				o->args[0]);
			return 1;
		}
	}
	close(p.fd);
	if (o->count && left > 0) {
		fprintf(stderr, "vu-evread: %s: %ld of %ld events in %ld s\n",
			o->args[0], o->count - left, o->count,
			o->timeout_ms / 1000);
		return 1;
	}
	return 0;
}

/**
 * main() - vu-evread
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status (2 on a usage error)
 */
int main(int argc, char **argv)
{
	struct evr_opts o;

	parse_args(argc, argv, &o);
	switch (o.mode) {
	case 'f':
		return do_find(o.args[0]);
	case 'i':
		return do_info(o.args[0]);
	case 'l':
		return do_led(&o);
	default:
		return do_read(&o);
	}
}
