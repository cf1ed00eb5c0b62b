/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_tcp_order.c: the TCP connections' orders: quiet and busy by activity, waiting messages */
#include "srv_tcp_pvt.h"

static void order_unlink(struct tcp_list *q, struct tcp_conn *c, enum tcp_order o)
{
	if (c->prev[o] != NULL)
		c->prev[o]->next[o] = c->next[o];
	else
		q->head = c->next[o];
	if (c->next[o] != NULL)
		c->next[o]->prev[o] = c->prev[o];
	else
		q->tail = c->prev[o];
	c->prev[o] = c->next[o] = NULL;
}

static void order_append(struct tcp_list *q, struct tcp_conn *c, enum tcp_order o)
{
	c->prev[o] = q->tail;
	c->next[o] = NULL;
	if (q->tail != NULL)
		q->tail->next[o] = c;
	else
		q->head = c;
	q->tail = c;
}

/* The activity list C is on. */
static struct tcp_list *order_home(struct tcp_loop *l, const struct tcp_conn *c)
{
	return c->quiet ? &l->quiet : &l->busy;
}

/* Nothing under way: no partial or queued message, no answer unsent, no transfer. */
static bool order_is_quiet(const struct tcp_conn *c)
{
	return c->in_len == 0 && c->out_len == c->out_off && c->xfr == NULL;
}

void srv_tcp_listed(struct tcp_loop *l, struct tcp_conn *c)
{
	c->quiet = order_is_quiet(c);
	c->msg_ms = 0;
	c->prev[TCP_BY_MSG] = c->next[TCP_BY_MSG] = NULL;
	order_append(order_home(l, c), c, TCP_BY_ACTIVITY);
}

void srv_tcp_unlisted(struct tcp_loop *l, struct tcp_conn *c)
{
	srv_tcp_msg_done(l, c);
	order_unlink(order_home(l, c), c, TCP_BY_ACTIVITY);
}

void srv_tcp_touch(struct tcp_loop *l, struct tcp_conn *c)
{
	struct tcp_list *q = order_home(l, c);

	c->last_ms = l->now_ms;
	if (q->tail != c) {
		order_unlink(q, c, TCP_BY_ACTIVITY);
		order_append(q, c, TCP_BY_ACTIVITY);
	}
}

void srv_tcp_settle(struct tcp_loop *l, struct tcp_conn *c)
{
	const bool quiet = order_is_quiet(c);
	struct tcp_list *q;
	struct tcp_conn *after;

	if (quiet == c->quiet)
		return;
	order_unlink(order_home(l, c), c, TCP_BY_ACTIVITY);
	c->quiet = quiet;
	q = order_home(l, c);
	/* In its place by last progress: nearly always the tail (a change is progress). */
	for (after = q->tail; after != NULL && after->last_ms > c->last_ms;
	     after = after->prev[TCP_BY_ACTIVITY])
		;
	if (after == NULL) {
		c->prev[TCP_BY_ACTIVITY] = NULL;
		c->next[TCP_BY_ACTIVITY] = q->head;
		if (q->head != NULL)
			q->head->prev[TCP_BY_ACTIVITY] = c;
		else
			q->tail = c;
		q->head = c;
		return;
	}
	c->prev[TCP_BY_ACTIVITY] = after;
	c->next[TCP_BY_ACTIVITY] = after->next[TCP_BY_ACTIVITY];
	if (after->next[TCP_BY_ACTIVITY] != NULL)
		after->next[TCP_BY_ACTIVITY]->prev[TCP_BY_ACTIVITY] = c;
	else
		q->tail = c;
	after->next[TCP_BY_ACTIVITY] = c;
}

void srv_tcp_msg_wait(struct tcp_loop *l, struct tcp_conn *c, uint64_t now)
{
	if (c->msg_ms != 0 || c->in_len == 0)
		return;
	/* The clock only moves forward: appending keeps the list in deadline order. */
	c->msg_ms = now;
	order_append(&l->msgs, c, TCP_BY_MSG);
}

void srv_tcp_msg_done(struct tcp_loop *l, struct tcp_conn *c)
{
	if (c->msg_ms == 0)
		return;
	c->msg_ms = 0;
	order_unlink(&l->msgs, c, TCP_BY_MSG);
}
