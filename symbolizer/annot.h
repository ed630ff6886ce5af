/*
 * annot.h: samples per TBStatistics key and per host code byte, and the
 * annotated view of a key built from them (tbsym annotate, tbsym html).
 *
 * An annot counts the samples lib/profile.h resolves: per class, per key
 * (samples in its translations' host code, and samples in helpers called
 * from it, found in call chains), and per byte offset of host code.  The
 * offsets of all translations of a key are added into one histogram,
 * relative to each translation's code start, so a key translated again
 * after a flush (same guest code, same host layout) is shown once.
 *
 * Counts are samples (not periods), as tbsym report counts them.  Samples
 * of other processes (PROFILE_OTHER) are not counted anywhere.
 *
 * Thread safety: none.
 */
#ifndef TBSYM_ANNOT_H
#define TBSYM_ANNOT_H

#include <stdint.h>

#include "out.h"
#include "profile.h"

struct annot;

/* annot_new - empty counts for the keys and translations of db (which must outlive it). */
int annot_new(const struct tbdb *db, struct annot **ap);

/* annot_free - release the counts.  Accepts NULL. */
void annot_free(struct annot *a);

/* annot_add_sample - count one sample of profile_run().  Returns 0 or -ENOMEM. */
int annot_add_sample(struct annot *a, const struct profile_sample *s);

/* annot_total - samples of the QEMU process; annot_class - those of one class. */
uint64_t annot_total(const struct annot *a);
uint64_t annot_class(const struct annot *a, enum profile_class cls);

/*
 * annot_key_self, annot_key_helper, annot_key_softmmu - samples in the
 * key's code, in what it called, and in the software MMU among the latter
 * (profile_sample's softmmu: system emulators).
 */
uint64_t annot_key_self(const struct annot *a, const struct tbdb_key *k);
uint64_t annot_key_helper(const struct annot *a, const struct tbdb_key *k);
uint64_t annot_key_softmmu(const struct annot *a, const struct tbdb_key *k);

/*
 * annot_key_hits - the key's samples per host code offset, all translations
 * added; *sizep receives the array's length: the largest code size of its
 * translations, plus one slot counting samples beyond every translation's
 * code.  NULL (and 0) when the key has no samples in its code.  Owned by a.
 */
const uint64_t *annot_key_hits(const struct annot *a, const struct tbdb_key *k, size_t *sizep);

/*
 * annot_print_key - the annotated view of key k into o: a header (id, guest
 * PC, name, counters, samples, source line), then each guest instruction
 * of its latest translation (capstone, guest arch of the side file) followed
 * by the host instructions generated for it (capstone, host arch), with
 * samples and % of the key's samples, then the out-of-line host code.
 * On an x86-64 host, each inline TLB fast path of a guest load or store
 * (tlbpath.h) is one line "[tlb fast path: load, N instructions] ACCESS"
 * with the samples of all its instructions, unless flags has ANNOT_RAW;
 * the header counts the fast paths and their samples either way.
 * Text (a column layout of its own, not out's key=value lines) or JSON.
 * p supplies the guest symbols (profile_guestsym()).
 */
#define ANNOT_RAW 1u            /* every host instruction, fast paths too */
void annot_print_key(struct out *o, struct profile *p, const struct annot *a,
                     const struct tbdb_key *k, unsigned flags);

#endif /* TBSYM_ANNOT_H */
