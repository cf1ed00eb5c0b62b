/* SPDX-License-Identifier: BSD-3-Clause */
/* catz.h: a catalog zone (RFC 9432, version 2) read: its members, and where their copies live */
#ifndef CATZ_H
#define CATZ_H

#include <stdbool.h>
#include <stddef.h>

#include "zload.h"

/* One member: the zone, and the unique label it is listed under (UNIQUE.zones.CATALOG). */
typedef struct catz_member {
	char *name;  /* lower case, with the final dot */
	char *label; /* lower case, as in the owner */
	/* Lower case, with the final dot: the catalog its coo property (coo.UNIQUE.zones.CATALOG
	 * PTR NEW) hands it over to (RFC 9432 4.4.1), or NULL. */
	char *coo;
} catz_member_t;

/* Reasons kept one by one in catz_t.refused; those past it are only counted. */
#define CATZ_REASONS_MAX 64

/*
 * Members a consumer catalog may add unless its line says otherwise (`catalog ORIGIN consumer
 * max-members N`): each is a zone served, transferred and refreshed, and a catalog comes from a
 * primary, so the number is bounded like everything an outsider can make us hold.
 */
#define CATZ_MAX_MEMBERS_DEFAULT 10000
/* The largest max-members taken. */
#define CATZ_MAX_MEMBERS_LIMIT 1000000

typedef struct catz {
	catz_member_t *members; /* in the order of their first record */
	size_t nmembers;
	char **refused; /* why each member left out was, one reason each ("NAME: ...") */
	size_t nrefused;
	size_t nrefused_more; /* members left out past CATZ_REASONS_MAX reasons: counted only */
	size_t over;	      /* valid members left out past the bound on members */
} catz_t;

/*
 * The members of catalog ZONE (as read: its origin is the catalog's). A catalog without exactly
 * one version TXT "2" (version.CATALOG) is refused whole: SANDNS_EZONE with the reason in ERR
 * (the caller keeps the members it had). Otherwise SANDNS_EOK and OUT holds every member listed
 * once by one PTR, the first MAX_MEMBERS of them in record order (those past it counted in
 * OUT->over); a member listed under two labels, a label with several PTR records, a PTR
 * naming no valid absolute name, the catalog itself: left out, each with its reason in
 * OUT->refused (past CATZ_REASONS_MAX, counted in OUT->nrefused_more). A member's coo property
 * is its catz_member_t.coo; a coo of several PTR records, or one naming no absolute name,
 * makes the catalog broken (RFC 9432 4.4.1): refused whole, SANDNS_EZONE. Costs n log n for n
 * PTR records. -ENOMEM without memory.
 */
int catz_parse(const zload_zone_t *zone, size_t max_members, catz_t *out, char *err, size_t errlen);

/* Frees what OUT holds; leaves it empty. */
void catz_clear(catz_t *out);

/* Whether MEMBER (any case, final dot or not) is among C's members. */
bool catz_has(const catz_t *c, const char *member);

/*
 * The file name of member MEMBER's copy, without a directory: the name in presentation form
 * (a dot inside a label as "\."), in lower case, without its final dot, each character other
 * than a-z, 0-9, '-', '_' and '.' written %XX, then ".zone" ("example.com.zone",
 * "odd%2Fname.example.zone"; the root "@root.zone"); beyond 200 characters, the first 180 then "~"
 * and a 64-bit FNV-1a hash of the whole name in hex. Never empty, never "." or "..", no '/'. Into
 * BUF (LEN bytes, at least 256).
 */
void catz_file_name(const char *member, char *buf, size_t len);

/*
 * catz_label.c: the unique label a member's copy (PATH) was made under, and the catalog whose
 * member it is, kept beside it in PATH.label, one line "sandns-catalog-label 2 LABEL CATALOG"
 * (an older sandnsd's "sandns-catalog-label 1 LABEL" says no catalog): a restart finds out
 * whether the catalog now lists the member under another label (RFC 9432 5.5: the member is
 * then reset), which the copy cannot say, and which of two catalogs that list it had it. The
 * label is written before any copy made under it, and removed after the copy.
 */
/* The directory under state-dir where consumer catalogs keep their members' copies. */
#define CATZ_MEMBERS_DIR "catalog"
/* The largest label (catz_member_t.label) with its NUL: 63 octets, each at most "\DDD". */
#define CATZ_LABEL_MAX (4 * 63 + 1)
/* The largest catalog name a label file records, with its NUL. */
#define CATZ_OWNER_MAX (4 * 255 + 1)
/* TEXT (LEN octets, a label file's whole) into LABEL (LABELLEN bytes) and, unless OWNER is NULL,
 * the catalog into OWNER (OWNERLEN bytes; "" for the older line): SANDNS_EOK, or -EINVAL for
 * anything but the one line (damaged, or a label too long for LABELLEN). */
int catz_label_parse(const char *text, size_t len, char *label, size_t labellen, char *owner,
		     size_t ownerlen);
/* The label recorded for the copy PATH into LABEL, its catalog into OWNER (unless NULL; "" when
 * not said): 1, 0 for none recorded (no file), else -errno and WHY names the file and the
 * reason: -EINVAL damaged, -EISDIR not a regular file (a directory, a FIFO, ...: nothing sandns
 * writes, which catz_label_aside() moves away). */
int catz_label_read(const char *path, char *label, size_t labellen, char *owner, size_t ownerlen,
		    char *why, size_t whylen);
/* LABEL recorded for the copy PATH, with OWNER, the catalog (NULL, or a name with a space or
 * another odd octet: not said): written whole, then renamed in place; not synced (below).
 * SANDNS_EOK, else -errno with the reason in ERR. */
int catz_label_write(const char *path, const char *label, const char *owner, char *err,
		     size_t errlen);
/* What sits at the label file of the copy PATH, not a regular file, renamed beside it (as
 * PATH.label.moved-aside, or with ".2" ... ".10" after that when taken), its new name into ASIDE:
 * kept whole, and no longer in the way of the label's write. SANDNS_EOK, or -errno and ERR. */
int catz_label_aside(const char *path, char *aside, size_t asidelen, char *err, size_t errlen);
/* The labels written in the directory of the copy PATH made durable, all at once (syncfs()),
 * before any copy made under them is written. A label lost in a crash before that reads as
 * none recorded (the copy kept) or damaged (the copy transferred again): never a wrong one. */
void catz_label_sync(const char *path);
/* The label recorded for the copy PATH removed (with the copy). */
void catz_label_forget(const char *path);

/*
 * catz_gen.c: the unique label of member MEMBER in a catalog sandns produces: a 64-bit FNV-1a hash
 * of its name (lower case, with the final dot) in 16 hex digits, the same at every publish.
 */
void catz_label(const char *member, char *buf, size_t len);

/* catz_gen.c: what a catalog sandns produced before is known by. */
typedef struct catz_prev {
	zload_zone_t *zone;   /* the catalog produced by the build before, or NULL */
	unsigned long serial; /* its serial; ZONE NULL: the one it had when last served
			       * (serial-state's source serial), 0: none */
	uint64_t hash;	      /* ZONE NULL: the hash of its members then (0: not known) */
} catz_prev_t;

/*
 * catz_gen.c: catalog ORIGIN as sandns produces it: SOA and NS "invalid.", version "2", one PTR per
 * member of MEMBERS (N names with their final dot) under its catz_label(). While the members
 * are PREV's (PREV->zone's, or when it is NULL those whose hash PREV->hash is: the catalog served
 * before a restart), the same catalog: PREV->zone itself (a reference: the same version, the same
 * serial), or one made with PREV->serial (its content is its members and serial: the same as
 * then). Else a new zone whose serial is the time (Knot's generated catalogs' rule), above
 * PREV->serial. PREV NULL: none. *HASH (when HASH is not NULL) gets the members' hash, what
 * serial-state remembers of the catalog. NULL with the reason in ERR.
 */
zload_zone_t *catz_produce(const char *origin, const char *const *members, size_t n,
			   const catz_prev_t *prev, uint64_t *hash, char *err, size_t errlen);

/*
 * catz_gen.c: for zone ZONE (an index) of CFG: *MADE says whether it is a catalog sandns produces
 * (`catalog ORIGIN producer`); if so, it made of every other zone CFG configures (the catalogs
 * apart), as catz_produce() with PREV and HASH, or NULL with ERR.
 */
struct cfg;
zload_zone_t *catz_produce_cfg(const struct cfg *cfg, size_t zone, const catz_prev_t *prev,
			       uint64_t *hash, bool *made, char *err, size_t errlen);

#endif
