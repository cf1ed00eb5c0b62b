/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_pvt.h: the loaded zone's body, shared by the loader (zload*.c, zedit.c) and zt.c only */
#ifndef ZLOAD_PVT_H
#define ZLOAD_PVT_H

#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>

#include <ldns/ldns.h>

#include "zload.h"

/* A file a zone was read from ($INCLUDEs too), as it was then (zload_stamp.c). */
struct zload_stamp {
	char *path; /* as opened */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/*
 * One record as read: owner and data in wire form in the zone's octet store (DATA). A zone of
 * a million records was a million ldns objects (five allocations each, 250 MiB, a fifth of the
 * cold start in malloc and in the kernel zeroing their pages); records that need ldns, to
 * print them or to compare them canonically, are made on demand (zload_rr()).
 */
typedef struct zload_rec {
	uint32_t owner; /* offset in data: the owner, case as written (records in a row share it) */
	uint32_t rdata; /* offset in data: the record data, uncompressed */
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
} zload_rec_t;

struct zload_zone {
	char *origin_text; /* presentation form with trailing dot */
	ldns_rdf *origin;  /* as a DNAME rdf */
	zload_rec_t *recs; /* every record, deduplicated, in file order */
	size_t nrecs;
	uint8_t *data; /* the records' owners and data */
	size_t data_len, data_cap;
	char **files; /* distinct file names ($INCLUDE adds more) */
	size_t nfiles;
	/*
	 * Per record from LINED on: the file (index into files) it came from and the line it
	 * ended on, at rr_file[i - lined] and rr_line[i - lined] (zload_rec_file(),
	 * zload_rec_line()). The records before LINED have none of their own: a transfer's
	 * version (zload_xfr.c) keeps no file and line for the records it holds from the versions
	 * before (nor for an AXFR's, once checked): 8 octets a record no answer reads. Their file
	 * is files[UNLINED_FILE] (which says where they came from), their line 0. LINED is 0 for
	 * every zone read from text. NO_LINES: records pushed get none either (LINED follows
	 * NRECS): an AXFR's, whose messages name the transfer (UNLINED_FILE), not a place in it.
	 */
	unsigned *rr_file;
	int *rr_line;
	size_t lined; /* at most nrecs */
	unsigned unlined_file;
	bool no_lines;
	size_t lcap; /* entries of rr_file and rr_line: room up to record LINED + LCAP */
	size_t cap;  /* allocated length of recs */
	unsigned long serial;
	ldns_rdf **empty; /* names kept as nodes without records (zload_edit's EMPTY_NODE) */
	size_t nempty;
	unsigned refs; /* zload_ref() calls not yet matched by zload_free() */
	/* Record indexes sorted by owner (zload_owner.h's owner_cmp), or NULL. 32-bit, as the
	 * record numbers are (zload_reserve()). */
	uint32_t *by_owner;
	bool is_signed; /* DNSKEY or RRSIG present */
	/*
	 * A version sandns signed (sign.c), for the next signing to walk beside its own
	 * (sign_merge.c), or NULL: the records before the chain (record indexes below
	 * SIGN_NZONE) in canonical order; the chain's records are SIGN_NZONE up to SIGN_RRSIG,
	 * where the RRSIGs begin, laid out set by set in the same order, the chain's sets' from
	 * SIGN_CHAIN_SIG. Never written once the version is shared.
	 */
	uint32_t *sign_order;
	uint32_t sign_nzone, sign_rrsig, sign_chain_sig;
	uint64_t ver; /* this version's number (zload_version(); 0: none drawn yet) */
	/*
	 * What changed since earlier versions it was made from (an IXFR applied: zload_xfr.c):
	 * per version number, the owners changed since it (zload_names.c). The newest first.
	 */
	struct zload_delta *deltas;
	size_t ndeltas;
	/*
	 * DATA's owner when successive versions share it (zload_store.c), or NULL: DATA is the
	 * zone's own. Shared, DATA_CAP is the end of this version's own octets: an append past it
	 * makes the zone a private copy first (zload_reserve()).
	 */
	struct zload_store *store;
	size_t garbage; /* octets of DATA[0, data_len) no record of this version reads (at most) */
	/*
	 * A transfer's version (zload_xfr.c): freed, its record arrays and BY_OWNER go to the
	 * spare that the next version takes (zload_spare.c). OWNER_CAP: the entries BY_OWNER has
	 * room for (at least; 0: not known).
	 */
	bool give_back;
	size_t owner_cap;
	/*
	 * The files read, the zone's own first (zload_stamp.c, shared: zload_stamps()), under the
	 * bound on the text STAMP_BOUND; STAMPS_BAD: one not recorded, or changed too recently to
	 * tell a later change by its time (a text from memory, a transfer's or an edited version:
	 * none recorded).
	 */
	struct zload_stamps *stamps;
	bool stamps_bad;
	size_t stamp_bound;
};

/*
 * The octets of a zone's successive versions (IXFRs applied: zload_xfr.c): each version reads
 * DATA below its own data_len only and appends past TIP only, so what one version reads is
 * never written again. Freed with the last version that holds it.
 */
struct zload_store {
	uint8_t *data;
	size_t cap;    /* octets allocated */
	size_t tip;    /* octets handed out (atomic): every version's data_len is at most this */
	unsigned refs; /* holders besides the first (atomic), as zload_zone's refs */
};

/* zload_stamp.c: drops Z's hold on what it recorded of the files it was read from (zload_free()).
 */
void zload_stamps_free(zload_zone_t *z);

/* The owners changed since version FROM. */
struct zload_delta {
	uint64_t from;
	zload_names_t *names;
};

static inline const uint8_t *zload_rec_owner(const zload_zone_t *z, size_t i)
{
	return z->data + z->recs[i].owner;
}

static inline const uint8_t *zload_rec_rdata(const zload_zone_t *z, size_t i)
{
	return z->data + z->recs[i].rdata;
}

/* The index in Z's files of the file record I came from. */
static inline unsigned zload_rec_file(const zload_zone_t *z, size_t i)
{
	return i < z->lined ? z->unlined_file : z->rr_file[i - z->lined];
}

/* The line record I of Z ended on; 0: not known (a transfer's record, zload_pvt.h's LINED). */
static inline int zload_rec_line(const zload_zone_t *z, size_t i)
{
	return i < z->lined ? 0 : z->rr_line[i - z->lined];
}

/* Record I's file (an index into Z's files) and line, for a record past Z's LINED. */
static inline void zload_rec_set_line(zload_zone_t *z, size_t i, unsigned file, int line)
{
	if (z->no_lines && i >= z->lined)
		z->lined = i + 1; /* the record about to be counted: none kept */
	else if (i >= z->lined) {
		z->rr_file[i - z->lined] = file;
		z->rr_line[i - z->lined] = line;
	}
}

/*
 * Dropping records in place: the records kept are given to zload_rec_keep() in order, each
 * moved down to the next slot with its file and line, then zload_recs_kept() ends it (the
 * record count, and LINED: the kept records that had no line).
 */
struct zload_keep {
	size_t w;     /* records kept so far */
	size_t lined; /* the records kept before the first with a line */
	bool past;    /* one with a line was kept */
};

static inline void zload_rec_keep(zload_zone_t *z, struct zload_keep *k, size_t i)
{
	z->recs[k->w] = z->recs[i];
	if (i >= z->lined) {
		if (!k->past) {
			k->past = true;
			k->lined = k->w;
		}
		/* K->W - K->LINED <= I - LINED: what is still to be read is never written. */
		z->rr_file[k->w - k->lined] = z->rr_file[i - z->lined];
		z->rr_line[k->w - k->lined] = z->rr_line[i - z->lined];
	}
	k->w++;
}

static inline void zload_recs_kept(zload_zone_t *z, const struct zload_keep *k)
{
	z->lined = k->past ? k->lined : k->w;
	z->nrecs = k->w;
}

/* Tests set it (zload_lines.c): every line is read by ldns, to compare with the fast reader. */
extern bool zload_no_fast_path;
/*
 * Tests set them (zload_par.c): how many threads may read one large file (0: one per online
 * CPU, up to 4), and the least text (octets) each is given (2 MiB).
 */
extern unsigned zload_threads;
extern size_t zload_piece_min;
/* Tests read it: how many pieces threads of their own have read. */
extern unsigned long zload_pieces_threaded;
/* Tests read it (zload_lines.c): how many records in parentheses the fast reader took. */
extern unsigned long zload_fast_joined;

/* The loader's files and zedit.c share these; zload_store.c has them unless said otherwise. */
/*
 * Room for NEED more records and MORE_DATA more octets: capacities doubled as they fill, or,
 * EXACT, just that much (a zone whose final size is known: no slack on a million records).
 * False without memory, or past the 32-bit record numbers and offsets.
 */
bool zload_reserve(zload_zone_t *z, size_t need, size_t more_data, bool exact);
/*
 * zload_reserve() for a zone still empty that is about to be filled with NEED records and
 * MORE_DATA octets at once (a copy): exactly that, in huge pages where the kernel gives them.
 */
bool zload_reserve_huge(zload_zone_t *z, size_t need, size_t more_data);
/* Asks for huge pages over the 2 MiB-aligned part of P (LEN octets): a hint. Inline, so that the
 * files that make arrays (zload_store.c, zload_spare.c, zload_xfr.c) call no one for it. */
static inline void huge_hint(void *p, size_t len)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1),
		  to = ((uintptr_t)p + len) & ~(huge - 1);

	if (p != NULL && to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
}
/*
 * Z's octets (its own, Z just made) become a store that its next versions can share: no copy.
 * False without memory (Z then keeps them as its own).
 */
bool zload_store_make(zload_zone_t *z);
/*
 * Z (a version being made from BASE, whose octets are a store) shares BASE's octets, with MORE
 * octets of its own past the store's tip to append to (zload_push_wire()). False when the
 * store has no such room (Z unchanged: it makes octets of its own then).
 */
bool zload_store_share(zload_zone_t *z, const zload_zone_t *base, size_t more);
/*
 * Tests set it (zload_store.c): the octets of room left past a version's when they are made
 * anew (SIZE_MAX, the default: half of them and 1 MiB; room untouched costs no memory).
 */
extern size_t zload_store_room;
/* zload_store.c: the room for octets of LEN made anew, as zload_store_room says. */
size_t zload_store_room_for(size_t len);
/* Appends NAME to the zone's file names; returns its index or -ENOMEM. */
int zload_add_file(zload_zone_t *z, const char *name);
/*
 * Appends a record: OWNER (a wire name of OLEN octets) and RDATA are copied. Read from file
 * index FILE at LINE. 0, -EINVAL (an owner over 255 or data over 65535 octets) or -ENOMEM.
 */
int zload_push_wire(zload_zone_t *z, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, size_t rdlen, unsigned file, int line);
/*
 * Appends the records of PIECE (its octets, files and lines) to ZONE's: the pieces of a file
 * read on several threads, a zone copied for edits. False without memory.
 */
bool zload_adopt(zload_zone_t *zone, const zload_zone_t *piece);
/* Appends RR as zload_push_wire() does (and returns what it does), and frees it. */
int zload_push(zload_zone_t *z, ldns_rr *rr, unsigned file, int line);
/*
 * Record I as an ldns record, which the caller frees; NULL without memory (or for data ldns
 * cannot read back from wire, which it made itself: not seen).
 */
ldns_rr *zload_rr(const zload_zone_t *z, size_t i);

/*
 * zload_print.c: record I of Z as one line of text (ending in a newline) with its names escaped
 * as wire_name_to_text() writes them, malloc'd; NULL without memory or when ldns cannot make the
 * record from its wire form (the caller prints RFC 3597's form then).
 */
char *zload_rr_line(const zload_zone_t *z, size_t i);
/*
 * zload_query.c: record I in presentation form (ldns_rr2str's, or RFC 3597's generic data),
 * malloc'd; NULL: no memory.
 */
char *zload_rr_text(const zload_zone_t *z, size_t i);
/*
 * zload_query.c: the records of Z at KEY (a wire name, owner_cmp()'s order), found by bisection
 * of Z->by_owner, which must be set: by_owner[*R0, *R1); none, *R0 == *R1 (where KEY would go).
 */
void zload_owner_range(const zload_zone_t *z, const uint8_t *key, size_t *r0, size_t *r1);
/*
 * zload_validate.c: whether records I and J of Z are the same record, as ldns_rr_compare()
 * has it (owner and names in the data of RFC 4034 6.2's types without case).
 */
bool zload_rec_same(const zload_zone_t *z, size_t i, size_t j);
/*
 * zedit.c: the record an ADD edit makes, as zload_edit() adds it (owner canonical). 0, or an
 * error with the reason in err.
 */
int zload_edit_rr(const zload_zone_t *z, const zload_edit_t *e, ldns_rr **out, char *err,
		  size_t errlen);
/* The file record I came from (its name). */
const char *zload_rr_file(const zload_zone_t *z, size_t i);

/*
 * zload_spare.c: the record arrays (recs) and sorted indexes of the transfer versions freed,
 * one of each kept for the next version a transfer makes. Tests set zload_spare_min (the fewest
 * records whose arrays are kept: 65536) and read zload_spare_taken (arrays taken, each array set
 * counted once).
 */
extern size_t zload_spare_min;
extern unsigned long zload_spare_taken;
/*
 * Z, being freed with its last reference: its RECS and BY_OWNER kept as the spare
 * (the pointers left NULL) when Z gives them back (give_back), holds zload_spare_min records
 * and they are not much larger than it needs; the spare before freed.
 */
void zload_spare_put(zload_zone_t *z);
/*
 * Z (its RECS not made yet) gets the spare's when it holds N records and not much more (then
 * true, z->cap set); else false, and a spare that does not fit is freed.
 */
bool zload_spare_recs(zload_zone_t *z, size_t n);
/* The spare's sorted index if it holds N entries and not much more (*CAP: how many); or NULL. */
uint32_t *zload_spare_index(size_t n, size_t *cap);
/*
 * When there is no spare: one made now, CAP records and OWNER_CAP index entries, its pages
 * written (the first version after an AXFR then finds one, as the versions after it do).
 */
void zload_spare_seed(size_t cap, size_t owner_cap);
/* The spare freed (tests). */
void zload_spare_drop(void);

/* zload_names.c: an empty list of names, or NULL without memory. */
zload_names_t *zload_names_new(void);
/* zload_names.c: NAME (wire, any case) added, lower-cased; false without memory. */
bool zload_names_add(zload_names_t *nm, const uint8_t *name);
/* zload_names.c: sorted and made unique, the list of pointers made; false without memory. */
bool zload_names_seal(zload_names_t *nm);
/*
 * zload_names.c: Z (an IXFR's new version, made from BASE) learns what changed: TOUCHED (sealed,
 * taken over) since BASE, and since each version BASE knew its changes from, the union.
 * False without memory (Z then knows nothing: a reload diffs or compiles whole).
 */
bool zload_names_delta(zload_zone_t *z, const zload_zone_t *base, zload_names_t *touched);
/* zload_names.c: Z's deltas freed (zload_free()). */
void zload_deltas_free(zload_zone_t *z);

#endif
