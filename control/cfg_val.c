/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_val.c: the configuration's values: numbers, yes/no, paths, addresses and prefixes */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cfg_pvt.h"
#include "origins.h"
#include "sandns_err.h"

void cfg_where(const struct cfg_src *src, const char *key, char *buf, size_t len)
{
	if (src->name != NULL)
		snprintf(buf, len, "%s:%u", src->name, src->line);
	else
		snprintf(buf, len, "%s", key);
}

char *cfg_where_dup(const struct cfg_src *src, const char *key)
{
	char buf[PATH_MAX + 16];

	cfg_where(src, key, buf, sizeof(buf));
	return strdup(buf);
}

int cfg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return SANDNS_ECONFIG;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return SANDNS_ECONFIG;
}

int cfg_error(cfg_t *cfg, char *err, size_t errlen, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL;
	if (err != NULL && errlen > 0 && cfg->nerrors + cfg->nerrors_more == cfg->errors_mark)
		snprintf(err, errlen, "%s", msg != NULL ? msg : "out of memory");
	if (msg == NULL || cfg->nerrors >= CFG_ERRORS_MAX ||
	    cfg_push(&cfg->errors, &cfg->nerrors, sizeof(msg), &msg) != SANDNS_EOK) {
		free(msg);
		cfg->nerrors_more++;
	}
	return SANDNS_ECONFIG;
}

char *cfg_abs_path(const char *basedir, const char *path)
{
	char cwd[4096];
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (basedir == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return strdup(path);
		basedir = cwd;
	}
	if (asprintf(&out, "%s/%s", basedir, path) < 0)
		return NULL;
	return out;
}

int cfg_parse_uint(const char *key, const char *value, unsigned long min, unsigned long max,
		   unsigned long *out, char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *p;

	if (*value == '\0')
		return cfg_fail(err, errlen, "%s: a number is needed", key);
	for (p = value; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return cfg_fail(err, errlen, "%s: '%s' is not a number", key, value);
		if (v <= max)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max)
		return cfg_fail(err, errlen, "%s: %s is out of range (%lu..%lu)", key, value, min,
				max);
	*out = v;
	return SANDNS_EOK;
}

int cfg_parse_size(const char *key, const char *value, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen)
{
	static const char units[] = "kmgt";
	uint64_t v = 0, unit = 1;
	const char *p;

	for (p = value; isdigit((unsigned char)*p); p++) {
		if (v > max)
			continue; /* out of range anyway; keep reading to check the syntax */
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == value)
		return cfg_fail(err, errlen, "%s: '%s' is not a size (a number, then K, M, G or T)",
				key, value);
	if (*p != '\0') {
		const char *u = strchr(units, tolower((unsigned char)*p));

		if (u == NULL || p[1] != '\0')
			return cfg_fail(err, errlen,
					"%s: '%s' is not a size (a number, then K, M, G or T)", key,
					value);
		unit = (uint64_t)1 << (10 * (u - units + 1));
	}
	if (v > max / unit || v * unit < min)
		return cfg_fail(err, errlen, "%s: %s is out of range (%llu..%llu octets)", key,
				value, (unsigned long long)min, (unsigned long long)max);
	*out = v * unit;
	return SANDNS_EOK;
}

int cfg_parse_bool(const char *key, const char *value, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return SANDNS_EOK;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return SANDNS_EOK;
		}
	}
	return cfg_fail(err, errlen, "%s: expected yes or no, not '%s'", key, value);
}

static int cfg_parse_port(const char *text, uint16_t *port, char *err, size_t errlen)
{
	unsigned long v;
	char reason[128];

	if (*text == '\0')
		return cfg_fail(err, errlen, "the port is missing");
	if (cfg_parse_uint("port", text, 1, 65535, &v, reason, sizeof(reason)) != SANDNS_EOK) {
		if (strspn(text, "0123456789") == strlen(text))
			return cfg_fail(err, errlen, "port %s is out of range (1..65535)", text);
		return cfg_fail(err, errlen, "port '%s' is not a number", text);
	}
	*port = (uint16_t)v;
	return SANDNS_EOK;
}

int cfg_parse_addr(const char *text, cfg_addr_t *out, char *err, size_t errlen)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res = NULL;
	const char *host = text, *port = NULL;
	char hostbuf[CFG_ADDR_TEXT];
	size_t hlen = strlen(text);
	uint16_t portnum = 53;
	const char *at;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL)
			return cfg_fail(err, errlen, "'%s': missing ']'", text);
		host = text + 1;
		hlen = (size_t)(close - host);
		if (close[1] == '@' || close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return cfg_fail(err, errlen, "'%s': expected @PORT or :PORT after ']'",
					text);
	} else if ((at = strrchr(text, '@')) != NULL) {
		hlen = (size_t)(at - text);
		port = at + 1;
	} else if ((at = strchr(text, ':')) != NULL && strchr(at + 1, ':') == NULL) {
		/* One colon: IPv4:PORT. IPv6 needs brackets or @ for a port. */
		hlen = (size_t)(at - text);
		port = at + 1;
	}
	if (hlen == 0)
		return cfg_fail(err, errlen, "'%s': the address is missing", text);
	if (hlen >= sizeof(hostbuf))
		return cfg_fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", text);
	memcpy(hostbuf, host, hlen);
	hostbuf[hlen] = '\0';
	if (port != NULL && cfg_parse_port(port, &portnum, err, errlen) != SANDNS_EOK)
		return SANDNS_ECONFIG;

	if (getaddrinfo(hostbuf, NULL, &hints, &res) != 0 || res == NULL)
		return cfg_fail(err, errlen,
				"'%s' is not an IPv4 or IPv6 address (names are not looked up)",
				hostbuf);
	if ((res->ai_family != AF_INET && res->ai_family != AF_INET6) ||
	    res->ai_addrlen > sizeof(out->ss)) {
		freeaddrinfo(res);
		return cfg_fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", hostbuf);
	}
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (out->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&out->ss)->sin_port = htons(portnum);
	else
		((struct sockaddr_in6 *)&out->ss)->sin6_port = htons(portnum);
	cfg_addr_format((struct sockaddr *)&out->ss, out->text, sizeof(out->text));
	return SANDNS_EOK;
}

int cfg_parse_prefix(const char *text, cfg_prefix_t *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 1], shown[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long bits;
	unsigned maxbits, i;
	char reason[128];

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf))
		return cfg_fail(err, errlen, "'%s' is not an address prefix (like 127.0.0.0/8)",
				text);
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		maxbits = 128;
	} else {
		return cfg_fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", buf);
	}
	bits = maxbits;
	if (slash != NULL && cfg_parse_uint("prefix length", slash + 1, 0, maxbits, &bits, reason,
					    sizeof(reason)) != SANDNS_EOK)
		return cfg_fail(err, errlen, "'%s': the prefix length must be 0..%u", text,
				maxbits);
	out->bits = (unsigned)bits;
	for (i = 0; i < maxbits / 8; i++) {
		if (i * 8 >= bits)
			out->addr[i] = 0;
		else if (i * 8 + 8 > bits)
			out->addr[i] &= (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	inet_ntop(out->family, out->addr, shown, sizeof(shown));
	snprintf(out->text, sizeof(out->text), "%s/%u", shown, out->bits);
	return SANDNS_EOK;
}

bool cfg_prefix_match(const cfg_prefix_t *p, const struct sockaddr *sa)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *a;
	unsigned full, rest;

	if (sa->sa_family == AF_INET) {
		if (p->family != AF_INET)
			return false;
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (p->family == AF_INET) {
			if (memcmp(a, v4mapped, sizeof(v4mapped)) != 0)
				return false;
			a += sizeof(v4mapped);
		}
	} else {
		return false;
	}
	full = p->bits / 8;
	rest = p->bits % 8;
	if (memcmp(a, p->addr, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ p->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

void cfg_addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[NI_MAXHOST];
	unsigned port;
	socklen_t salen;

	if (sa->sa_family == AF_INET) {
		salen = sizeof(struct sockaddr_in);
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		salen = sizeof(struct sockaddr_in6);
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
		return;
	}
	if (getnameinfo(sa, salen, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(buf, len, "%s@%u", host, port);
}

bool cfg_same_origin(const char *a, const char *b)
{
	/* Compared as names, not text: the zones loaded are named as ldns prints them. */
	return origins_same(a, b);
}

int cfg_push(void *arrayp, size_t *n, size_t size, const void *elem)
{
	void **array = arrayp;
	void *grown = realloc(*array, (*n + 1) * size);

	if (grown == NULL)
		return -ENOMEM;
	memcpy((char *)grown + *n * size, elem, size);
	*array = grown;
	(*n)++;
	return SANDNS_EOK;
}

void cfg_dpdk_sources(const cfg_t *cfg, struct sockaddr_storage *src4,
		      struct sockaddr_storage *src6)
{
	memset(src4, 0, sizeof(*src4));
	memset(src6, 0, sizeof(*src6));
	for (size_t i = 0; cfg->io == CFG_IO_DPDK && i < cfg->nlistens; i++) {
		struct sockaddr_storage *src =
		    cfg->listens[i].ss.ss_family == AF_INET ? src4 : src6;

		if (src->ss_family != 0)
			continue;
		memcpy(src, &cfg->listens[i].ss, sizeof(*src));
		if (src->ss_family == AF_INET)
			((struct sockaddr_in *)src)->sin_port = 0;
		else
			((struct sockaddr_in6 *)src)->sin6_port = 0;
	}
}
