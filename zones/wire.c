/* SPDX-License-Identifier: BSD-3-Clause */
/* wire.c: wire-format name helpers and the bounded cursor's name walker */
#include <stdio.h>

#include "wire.h"

unsigned wire_name_labels(const uint8_t *name)
{
	unsigned n = 0;

	while (*name != 0) {
		name += *name + 1;
		n++;
	}
	return n;
}

size_t wire_name_lower(uint8_t *dst, const uint8_t *src)
{
	size_t len = wire_name_len(src);
	size_t i = 0;

	while (i < len) {
		uint8_t l = src[i];

		dst[i++] = l;
		for (uint8_t j = 0; j < l; j++, i++)
			dst[i] = wire_lower(src[i]);
	}
	return len;
}

bool wire_name_eq(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		uint8_t l = *a;

		if (l != *b)
			return false;
		if (l == 0)
			return true;
		for (uint8_t i = 1; i <= l; i++)
			if (wire_lower(a[i]) != wire_lower(b[i]))
				return false;
		a += l + 1;
		b += l + 1;
	}
}

bool wire_name_is_sub(const uint8_t *name, const uint8_t *parent)
{
	unsigned nl = wire_name_labels(name);
	unsigned pl = wire_name_labels(parent);

	if (nl < pl)
		return false;
	for (unsigned i = 0; i < nl - pl; i++)
		name += *name + 1;
	return wire_name_eq(name, parent);
}

int wire_name_cmp_canonical(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	unsigned na = 0, nb = 0;

	for (const uint8_t *p = a; *p != 0; p += *p + 1)
		la[na++] = p;
	for (const uint8_t *p = b; *p != 0; p += *p + 1)
		lb[nb++] = p;
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		uint8_t lx = x[0], ly = y[0];
		uint8_t m = lx < ly ? lx : ly;

		for (uint8_t i = 1; i <= m; i++) {
			uint8_t cx = wire_lower(x[i]), cy = wire_lower(y[i]);

			if (cx != cy)
				return cx < cy ? -1 : 1;
		}
		if (lx != ly)
			return lx < ly ? -1 : 1;
	}
	if (na == nb)
		return 0;
	return na < nb ? -1 : 1;
}

void wire_name_to_text(const uint8_t *name, char *buf, size_t buflen)
{
	size_t o = 0;

	if (buflen == 0)
		return;
	if (*name == 0) {
		snprintf(buf, buflen, ".");
		return;
	}
	while (*name != 0 && o + 5 < buflen) {
		uint8_t l = *name++;

		for (uint8_t i = 0; i < l && o + 5 < buflen; i++) {
			uint8_t c = name[i];

			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' ||
			    c == '@' || c == '$')
				o += (size_t)snprintf(buf + o, buflen - o, "\\%c", c);
			else if (c <= 0x20 || c >= 0x7f)
				o += (size_t)snprintf(buf + o, buflen - o, "\\%03u", c);
			else
				buf[o++] = (char)c;
		}
		buf[o++] = '.';
		name += l;
	}
	buf[o < buflen ? o : buflen - 1] = '\0';
}

size_t wire_ctx_skip_name(wire_ctx_t *c)
{
	const uint8_t *p = c->pos;
	size_t total = 0;
	size_t wire_len = 0;
	bool jumped = false;

	if (c->err != 0)
		return 0;
	for (;;) {
		uint8_t l;

		if (p >= c->end)
			goto malformed;
		l = *p;
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (p + 1 >= c->end)
				goto malformed;
			target = (size_t)((l & 0x3f) << 8 | p[1]);
			/* Only backwards pointers: this also rules out loops. */
			if (c->start + target >= p)
				goto malformed;
			if (!jumped)
				wire_len = (size_t)(p + 2 - c->pos);
			jumped = true;
			p = c->start + target;
			continue;
		}
		if ((l & 0xc0) != 0)
			goto malformed;
		total += (size_t)l + 1;
		if (total > WIRE_NAME_MAX)
			goto malformed;
		if (l == 0)
			break;
		p += l + 1;
	}
	if (!jumped)
		wire_len = (size_t)(p + 1 - c->pos);
	c->pos += wire_len;
	return wire_len;
malformed:
	c->err = -1;
	return 0;
}

size_t wire_until_rrsig(const uint8_t *d, size_t len, size_t off)
{
	for (size_t o = off; o < len;) {
		size_t p = o;

		while (p < len && d[p] != 0 && (d[p] & 0xc0) == 0)
			p += d[p] + 1u;
		if (p >= len)
			return SIZE_MAX;
		p += (d[p] & 0xc0) == 0xc0 ? 2 : 1;
		if (p + 10 > len)
			return SIZE_MAX;
		if (wire_get16(d + p) == T_RRSIG)
			return o - off;
		o = p + 10 + wire_get16(d + p + 8);
	}
	return SIZE_MAX;
}
