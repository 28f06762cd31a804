// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-input-frames.c - unit tests of vhost-user-input's frame FIFO
 * (input-frames.c): order, whole-frame dropping, the frame in progress,
 * malformed frames, ring wraparound and clearing.
 */
#include <linux/input.h>

#include <glib.h>

#include "input.h"

#define FRAME_MAX	16	/* longest frame the tests build */

/**
 * make_frame() - Build a frame of @n events, the last SYN_REPORT
 * @ev:		Filled, FRAME_MAX entries at least
 * @n:		Events, 1..FRAME_MAX
 * @tag:	Identifies the frame: value of the non-SYN events, which
 *		have codes 0, 1, ...
 */
static void make_frame(struct vinput_event *ev, unsigned int n, int32_t tag)
{
	unsigned int i;

	g_assert_cmpuint(n, >=, 1);
	g_assert_cmpuint(n, <=, FRAME_MAX);
	for (i = 0; i + 1 < n; i++) {
		ev[i].type = EV_KEY;
		ev[i].code = (uint16_t)i;
		ev[i].value = tag;
	}
	ev[n - 1].type = EV_SYN;
	ev[n - 1].code = SYN_REPORT;
	ev[n - 1].value = tag;
}

/**
 * commit() - Commit a frame built by make_frame()
 * @f:		FIFO
 * @n:		Events
 * @tag:	Frame tag
 *
 * Return: what input_frames_commit() returned
 */
static bool commit(struct input_frames *f, unsigned int n, int32_t tag)
{
	struct vinput_event ev[FRAME_MAX];

	make_frame(ev, n, tag);
	return input_frames_commit(f, ev, n);
}

/**
 * expect_frame() - Pop a whole frame and check it is the expected one
 * @f:		FIFO
 * @n:		Events expected
 * @tag:	Frame tag expected
 */
static void expect_frame(struct input_frames *f, unsigned int n, int32_t tag)
{
	struct vinput_event want[FRAME_MAX], got;
	unsigned int i;

	make_frame(want, n, tag);
	for (i = 0; i < n; i++) {
		g_assert_true(input_frames_peek(f, &got));
		g_assert_cmpuint(got.type, ==, want[i].type);
		g_assert_cmpuint(got.code, ==, want[i].code);
		g_assert_cmpint(got.value, ==, want[i].value);
		input_frames_pop(f);
	}
}

/**
 * test_empty() - A new FIFO is empty; pop on empty is harmless
 */
static void test_empty(void)
{
	struct input_frames *f = input_frames_new(8);
	struct vinput_event ev = { 7, 7, 7 };

	g_assert_false(input_frames_peek(f, &ev));
	g_assert_cmpuint(ev.type, ==, 7);
	input_frames_pop(f);
	g_assert_cmpuint(input_frames_pending(f), ==, 0);
	g_assert_cmpuint(input_frames_dropped(f), ==, 0);
	input_frames_free(f);
	input_frames_free(NULL);
}

/**
 * test_order() - Events come out in commit order, peek does not consume
 */
static void test_order(void)
{
	struct input_frames *f = input_frames_new(64);
	struct vinput_event a, b;

	g_assert_true(commit(f, 3, 1));
	g_assert_true(commit(f, 1, 2));
	g_assert_true(commit(f, 5, 3));
	g_assert_cmpuint(input_frames_pending(f), ==, 9);
	g_assert_true(input_frames_peek(f, &a));
	g_assert_true(input_frames_peek(f, &b));
	g_assert_cmpint(a.value, ==, b.value);
	expect_frame(f, 3, 1);
	g_assert_cmpuint(input_frames_pending(f), ==, 6);
	g_assert_true(commit(f, 2, 4));
	expect_frame(f, 1, 2);
	expect_frame(f, 5, 3);
	expect_frame(f, 2, 4);
	g_assert_cmpuint(input_frames_pending(f), ==, 0);
	g_assert_false(input_frames_peek(f, &a));
	g_assert_cmpuint(input_frames_dropped(f), ==, 0);
	input_frames_free(f);
}

/**
 * test_drop_oldest() - A frame that does not fit pushes out the oldest
 *			whole frames, as few as needed, and they are counted
 */
static void test_drop_oldest(void)
{
	struct input_frames *f = input_frames_new(10);

	g_assert_true(commit(f, 3, 1));
	g_assert_true(commit(f, 3, 2));
	g_assert_true(commit(f, 3, 3));
	g_assert_cmpuint(input_frames_pending(f), ==, 9);
	/* 4 more: frame 1 goes (6 + 4 = 10 fits) */
	g_assert_true(commit(f, 4, 4));
	g_assert_cmpuint(input_frames_dropped(f), ==, 1);
	g_assert_cmpuint(input_frames_pending(f), ==, 10);
	/* 7 more: frames 2 and 3 go (4 + 7 = 11 > 10, so frame 4 too) */
	g_assert_true(commit(f, 7, 5));
	g_assert_cmpuint(input_frames_dropped(f), ==, 4);
	g_assert_cmpuint(input_frames_pending(f), ==, 7);
	expect_frame(f, 7, 5);
	g_assert_cmpuint(input_frames_pending(f), ==, 0);
	input_frames_free(f);
}

/**
 * test_exact_fit() - A FIFO can be filled to exactly max_events
 */
static void test_exact_fit(void)
{
	struct input_frames *f = input_frames_new(6);

	g_assert_true(commit(f, 2, 1));
	g_assert_true(commit(f, 4, 2));
	g_assert_cmpuint(input_frames_pending(f), ==, 6);
	g_assert_cmpuint(input_frames_dropped(f), ==, 0);
	g_assert_true(commit(f, 6, 3));
	g_assert_cmpuint(input_frames_dropped(f), ==, 2);
	expect_frame(f, 6, 3);
	input_frames_free(f);
}

/**
 * test_head_in_progress() - The frame being delivered is never dropped:
 *			     later frames go instead, or the new one
 */
static void test_head_in_progress(void)
{
	struct input_frames *f = input_frames_new(10);
	struct vinput_event ev;
	unsigned int i;

	g_assert_true(commit(f, 6, 1));
	g_assert_true(commit(f, 2, 2));
	g_assert_true(input_frames_peek(f, &ev));
	input_frames_pop(f);		/* frame 1 in progress, 5 left */
	g_assert_cmpuint(input_frames_pending(f), ==, 7);
	/* 4 more: 5 + 2 + 4 = 11, frame 2 goes, not frame 1 */
	g_assert_true(commit(f, 4, 3));
	g_assert_cmpuint(input_frames_dropped(f), ==, 1);
	g_assert_cmpuint(input_frames_pending(f), ==, 9);
	/* 6 more can never fit beside the 5 left of frame 1 */
	g_assert_false(commit(f, 6, 4));
	g_assert_cmpuint(input_frames_dropped(f), ==, 2);
	/* 5 fit once frame 3 goes */
	g_assert_true(commit(f, 5, 5));
	g_assert_cmpuint(input_frames_dropped(f), ==, 3);
	g_assert_cmpuint(input_frames_pending(f), ==, 10);
	/* the rest of frame 1 (codes 1.., then SYN), then frame 5 */
	for (i = 1; i < 5; i++) {
		g_assert_true(input_frames_peek(f, &ev));
		g_assert_cmpuint(ev.type, ==, EV_KEY);
		g_assert_cmpuint(ev.code, ==, i);
		g_assert_cmpint(ev.value, ==, 1);
		input_frames_pop(f);
	}
	g_assert_true(input_frames_peek(f, &ev));
	g_assert_cmpuint(ev.type, ==, EV_SYN);
	g_assert_cmpint(ev.value, ==, 1);
	input_frames_pop(f);
	expect_frame(f, 5, 5);
	g_assert_false(input_frames_peek(f, &ev));
	input_frames_free(f);
}

/**
 * test_head_done_then_droppable() - Once its SYN is popped, nothing of a
 *				     frame is protected any more
 */
static void test_head_done_then_droppable(void)
{
	struct input_frames *f = input_frames_new(4);

	g_assert_true(commit(f, 2, 1));
	g_assert_true(commit(f, 2, 2));
	expect_frame(f, 2, 1);
	g_assert_true(commit(f, 2, 3));
	g_assert_true(commit(f, 4, 4));
	g_assert_cmpuint(input_frames_dropped(f), ==, 2);
	expect_frame(f, 4, 4);
	input_frames_free(f);
}

/**
 * test_too_big() - A frame longer than max_events is dropped, the queued
 *		    frames stay
 */
static void test_too_big(void)
{
	struct input_frames *f = input_frames_new(4);

	g_assert_true(commit(f, 2, 1));
	g_assert_false(commit(f, 5, 2));
	g_assert_cmpuint(input_frames_dropped(f), ==, 1);
	g_assert_cmpuint(input_frames_pending(f), ==, 2);
	expect_frame(f, 2, 1);
	input_frames_free(f);
}

/**
 * test_malformed() - No SYN_REPORT at the end, or no event: rejected, not
 *		      queued, not counted as dropped
 */
static void test_malformed(void)
{
	struct input_frames *f = input_frames_new(16);
	struct vinput_event ev[4];

	make_frame(ev, 3, 1);
	g_assert_false(input_frames_commit(f, ev, 2));	/* ends with KEY */
	ev[2].code = SYN_DROPPED;
	g_assert_false(input_frames_commit(f, ev, 3));
	ev[2].code = SYN_REPORT;
	ev[2].type = EV_KEY;
	g_assert_false(input_frames_commit(f, ev, 3));
	g_assert_false(input_frames_commit(f, ev, 0));
	g_assert_false(input_frames_commit(f, NULL, 1));
	g_assert_cmpuint(input_frames_pending(f), ==, 0);
	g_assert_cmpuint(input_frames_dropped(f), ==, 0);
	ev[2].type = EV_SYN;
	g_assert_true(input_frames_commit(f, ev, 3));
	expect_frame(f, 3, 1);
	input_frames_free(f);
}

/**
 * test_wraparound() - Many laps of the rings with frames of varying
 *		       lengths, partly popped, some dropped: content intact
 */
static void test_wraparound(void)
{
	struct input_frames *f = input_frames_new(13);
	int32_t next_in = 0, next_out = 0;
	unsigned int lap;

	for (lap = 0; lap < 5000; lap++) {
		unsigned int n = 1 + lap % 5;

		g_assert_true(commit(f, n, next_in++));
		if (lap % 3 == 2)
			continue;	/* let the FIFO fill and drop */
		while (input_frames_pending(f) > 6) {
			struct vinput_event ev;
			unsigned int len = 0;

			g_assert_true(input_frames_peek(f, &ev));
			g_assert_cmpint(ev.value, >=, next_out);
			next_out = ev.value;
			do {
				g_assert_true(input_frames_peek(f, &ev));
				g_assert_cmpint(ev.value, ==, next_out);
				input_frames_pop(f);
				len++;
			} while (ev.type != EV_SYN);
			g_assert_cmpuint(len, ==,
					 1 + (unsigned int)next_out % 5);
			next_out++;
		}
	}
	g_assert_cmpuint(input_frames_dropped(f), >, 0);
	g_assert_cmpuint(input_frames_dropped(f), <, 5000);
	input_frames_free(f);
}

/**
 * test_wrap_exact() - A 1-event FIFO and a full FIFO that wraps in the
 *		       middle of a frame
 */
static void test_wrap_exact(void)
{
	struct input_frames *f = input_frames_new(5);
	int32_t i;

	for (i = 0; i < 1000; i++) {
		g_assert_true(commit(f, 3, i));
		g_assert_true(commit(f, 2, i + 1000));
		expect_frame(f, 3, i);
		g_assert_true(commit(f, 3, i + 2000));	/* drops nothing */
		g_assert_cmpuint(input_frames_dropped(f), ==, 0);
		expect_frame(f, 2, i + 1000);
		expect_frame(f, 3, i + 2000);
	}
	input_frames_free(f);
	f = input_frames_new(1);
	for (i = 0; i < 100; i++)
		g_assert_true(commit(f, 1, i));
	g_assert_cmpuint(input_frames_dropped(f), ==, 99);
	expect_frame(f, 1, 99);
	g_assert_false(commit(f, 2, 0));
	input_frames_free(f);
}

/**
 * test_clamp() - max_events 0 behaves as 1; a huge bound is clamped, not
 *		  allocated as asked
 */
static void test_clamp(void)
{
	struct input_frames *f = input_frames_new(0);

	g_assert_true(commit(f, 1, 1));
	g_assert_false(commit(f, 2, 2));
	expect_frame(f, 1, 1);
	input_frames_free(f);
	f = input_frames_new(G_MAXUINT);
	g_assert_true(commit(f, 3, 1));
	expect_frame(f, 3, 1);
	input_frames_free(f);
}

/**
 * test_clear() - Clear empties the FIFO, the frame in progress included,
 *		  keeps the dropped count, and the FIFO works afterwards
 */
static void test_clear(void)
{
	struct input_frames *f = input_frames_new(8);
	struct vinput_event ev;

	g_assert_true(commit(f, 4, 1));
	g_assert_true(commit(f, 4, 2));
	g_assert_true(commit(f, 4, 3));
	g_assert_cmpuint(input_frames_dropped(f), ==, 1);
	input_frames_pop(f);
	input_frames_clear(f);
	g_assert_cmpuint(input_frames_pending(f), ==, 0);
	g_assert_false(input_frames_peek(f, &ev));
	g_assert_cmpuint(input_frames_dropped(f), ==, 1);
	/* the whole room is free again, nothing in progress */
	g_assert_true(commit(f, 8, 4));
	g_assert_cmpuint(input_frames_dropped(f), ==, 1);
	expect_frame(f, 8, 4);
	input_frames_free(f);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/input-frames/empty", test_empty);
	g_test_add_func("/input-frames/order", test_order);
	g_test_add_func("/input-frames/drop-oldest", test_drop_oldest);
	g_test_add_func("/input-frames/exact-fit", test_exact_fit);
	g_test_add_func("/input-frames/head-in-progress",
			test_head_in_progress);
	g_test_add_func("/input-frames/head-done",
			test_head_done_then_droppable);
	g_test_add_func("/input-frames/too-big", test_too_big);
	g_test_add_func("/input-frames/malformed", test_malformed);
	g_test_add_func("/input-frames/wraparound", test_wraparound);
	g_test_add_func("/input-frames/wrap-exact", test_wrap_exact);
	g_test_add_func("/input-frames/clamp", test_clamp);
	g_test_add_func("/input-frames/clear", test_clear);
	return g_test_run();
}
