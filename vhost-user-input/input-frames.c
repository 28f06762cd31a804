// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-frames.c - the bounded FIFO of committed input frames between the
 * event sources (evdev, control clients) and the event queue.
 *
 * A frame is a run of events ending with EV_SYN/SYN_REPORT; it is committed
 * whole and delivered whole, in order. At most @max_events events are held:
 * when a new frame does not fit, the oldest whole frames are dropped, never
 * part of one. The frame the event queue has started to deliver (some of
 * its events popped) is never dropped, it must complete.
 *
 * Layout: the untouched frames live in a ring of events plus a ring of
 * frame lengths. When the first event of a frame is popped, the frame moves
 * out of the rings into a side buffer (@cur), so the rings only ever hold
 * whole frames and dropping the oldest one is O(1). Each event is copied at
 * most twice: O(1) amortised per event, no allocation after creation.
 *
 * No locking inside: the caller serialises all calls on one FIFO.
 */
#include <string.h>

#include <glib.h>
#include <linux/input.h>

#include "input.h"

/* Upper bound of max_events: 1 Mi events, 16 MiB of buffers */
#define INPUT_FRAMES_MAX	(1u << 20)

/**
 * struct input_frames - a bounded FIFO of whole frames
 * @cap:	Most events held in all (max_events, clamped)
 * @ev:		Ring of the events of untouched frames, @cap entries
 * @ev_head:	Index in @ev of the oldest event
 * @ev_count:	Events in @ev
 * @len:	Ring of frame lengths, @cap entries (a frame has >= 1 event)
 * @len_head:	Index in @len of the oldest frame
 * @len_count:	Frames in @len
 * @cur:	The frame being delivered, @cap entries
 * @cur_len:	Events in @cur
 * @cur_pos:	Events of @cur already popped; @cur_pos == @cur_len when no
 *		frame is in progress
 * @dropped:	Frames dropped because they did not fit
 */
struct input_frames {
	unsigned int cap;
	struct vinput_event *ev;
	unsigned int ev_head;
	unsigned int ev_count;
	unsigned int *len;
	unsigned int len_head;
	unsigned int len_count;
	struct vinput_event *cur;
	unsigned int cur_len;
	unsigned int cur_pos;
	uint64_t dropped;
};

/**
 * input_frames_new() - Create an empty FIFO
 * @max_events:	Most events to hold; 0 is taken as 1, values above 1 Mi
 *		as 1 Mi (indices then never overflow)
 *
 * Return: the FIFO, to release with input_frames_free()
 */
struct input_frames *input_frames_new(unsigned int max_events)
{
	struct input_frames *f = g_new0(struct input_frames, 1);

	f->cap = CLAMP(max_events, 1u, INPUT_FRAMES_MAX);
	f->ev = g_new0(struct vinput_event, f->cap);
	f->len = g_new0(unsigned int, f->cap);
	f->cur = g_new0(struct vinput_event, f->cap);
	return f;
}

/**
 * input_frames_free() - Release a FIFO and the events it holds
 * @f:		FIFO, or NULL
 */
void input_frames_free(struct input_frames *f)
{
	if (!f)
		return;
	g_free(f->ev);
	g_free(f->len);
	g_free(f->cur);
	g_free(f);
}

/**
 * input_frames_clear() - Discard every queued event, the frame in progress
 *			  included
 * @f:		FIFO
 *
 * The discarded frames are not counted as dropped and the dropped counter
 * is kept.
 */
void input_frames_clear(struct input_frames *f)
{
	f->ev_head = 0;
	f->ev_count = 0;
	f->len_head = 0;
	f->len_count = 0;
	f->cur_len = 0;
	f->cur_pos = 0;
}

/**
 * input_frames_drop_oldest() - Drop the oldest untouched frame
 * @f:		FIFO, at least one frame in the rings
 */
static void input_frames_drop_oldest(struct input_frames *f)
{
	unsigned int n = f->len[f->len_head];

	f->len_head = (f->len_head + 1) % f->cap;
	f->len_count--;
	f->ev_head = (f->ev_head + n) % f->cap;
	f->ev_count -= n;
	f->dropped++;
}

/**
 * input_frames_push() - Append a frame to the rings, room checked
 * @f:		FIFO
 * @ev:		Events
 * @n:		Number of events, fits in the free space of the rings
 */
static void input_frames_push(struct input_frames *f,
			      const struct vinput_event *ev, unsigned int n)
{
	unsigned int tail = (f->ev_head + f->ev_count) % f->cap;
	unsigned int first = MIN(n, f->cap - tail);

	memcpy(&f->ev[tail], ev, first * sizeof(*ev));
	memcpy(f->ev, ev + first, (n - first) * sizeof(*ev));
	f->ev_count += n;
	f->len[(f->len_head + f->len_count) % f->cap] = n;
	f->len_count++;
}

/**
 * input_frames_commit() - Queue one whole frame
 * @f:		FIFO
 * @ev:		Events of the frame
 * @n:		Number of events, >= 1; the last must be EV_SYN/SYN_REPORT
 *
 * Oldest untouched frames are dropped until the frame fits. A frame that
 * can never fit (more than max_events events, or more than the room left
 * beside the frame in progress) is dropped itself. Both kinds of drop are
 * counted by input_frames_dropped(). An SYN_REPORT inside @ev does not
 * split the frame: the whole run is kept and dropped as one unit.
 *
 * Return: true if the frame was queued; false if it was dropped or
 * malformed (@n == 0, last event not SYN_REPORT: not counted as dropped)
 */
bool input_frames_commit(struct input_frames *f,
			 const struct vinput_event *ev, unsigned int n)
{
	unsigned int room;

	if (!ev || n == 0 || ev[n - 1].type != EV_SYN ||
	    ev[n - 1].code != SYN_REPORT)
		return false;
	room = f->cap - (f->cur_len - f->cur_pos);
	if (n > room) {
		f->dropped++;
		return false;
	}
	while (f->ev_count + n > room)
		input_frames_drop_oldest(f);
	input_frames_push(f, ev, n);
	return true;
}

/**
 * input_frames_peek() - The next event to deliver, left queued
 * @f:		FIFO
 * @ev:		Filled with the event
 *
 * Return: false if no event is queued (@ev untouched)
 */
bool input_frames_peek(const struct input_frames *f, struct vinput_event *ev)
{
	if (f->cur_pos < f->cur_len) {
		*ev = f->cur[f->cur_pos];
		return true;
	}
	if (!f->ev_count)
		return false;
	*ev = f->ev[f->ev_head];
	return true;
}

/**
 * input_frames_start() - Move the oldest frame out of the rings into the
 *			  frame in progress
 * @f:		FIFO, no frame in progress, at least one frame in the rings
 */
static void input_frames_start(struct input_frames *f)
{
	unsigned int n = f->len[f->len_head];
	unsigned int first = MIN(n, f->cap - f->ev_head);

	memcpy(f->cur, &f->ev[f->ev_head], first * sizeof(*f->cur));
	memcpy(f->cur + first, f->ev, (n - first) * sizeof(*f->cur));
	f->cur_len = n;
	f->cur_pos = 0;
	f->len_head = (f->len_head + 1) % f->cap;
	f->len_count--;
	f->ev_head = (f->ev_head + n) % f->cap;
	f->ev_count -= n;
}

/**
 * input_frames_pop() - Remove the event input_frames_peek() returns
 * @f:		FIFO
 *
 * The frame it belongs to is in progress, and safe from dropping, until
 * its last event is popped. Nothing happens when the FIFO is empty.
 */
void input_frames_pop(struct input_frames *f)
{
	if (f->cur_pos == f->cur_len) {
		if (!f->len_count)
			return;
		input_frames_start(f);
	}
	f->cur_pos++;
	if (f->cur_pos == f->cur_len) {
		f->cur_pos = 0;
		f->cur_len = 0;
	}
}

/**
 * input_frames_pending() - Events queued, the rest of the frame in
 *			    progress included
 * @f:		FIFO
 *
 * Return: number of events
 */
unsigned int input_frames_pending(const struct input_frames *f)
{
	return f->ev_count + (f->cur_len - f->cur_pos);
}

/**
 * input_frames_dropped() - Frames dropped since creation
 * @f:		FIFO
 *
 * Return: count of the frames dropped for lack of room (old frames pushed
 * out and new frames that could not fit)
 */
uint64_t input_frames_dropped(const struct input_frames *f)
{
	return f->dropped;
}
