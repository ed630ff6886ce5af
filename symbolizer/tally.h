/*
 * tally.h: the samples of one profile (lib/profile.h) counted per class and
 * per TBStatistics key, and sums over sets of keys, for the commands that
 * join samples with the side file: tbsym report and tbsym diff.
 *
 * A sample of the QEMU process counts once in total and in its class; a
 * PROFILE_JIT sample counts in its TB's key as "samples", a PROFILE_HELPER
 * sample whose call chain reaches a TB counts in that TB's key as "helper",
 * and also as "softmmu" when it is the software MMU's (profile_sample's
 * softmmu: system emulators only).
 * Each count has a twin that sums the samples' periods (perf's weight: ns
 * for cpu-clock, events for cycles; 1 per sample when the recording has no
 * PERIOD), which is what perf report's Overhead is a share of.
 *
 * Thread safety: none; one tally per thread.
 */
#ifndef TBSYM_TALLY_H
#define TBSYM_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "tbdb.h"

struct tally {
    const struct tbdb *db;          /* the profile's; not owned */
    uint64_t total;                 /* samples of the QEMU process (all but PROFILE_OTHER) */
    uint64_t total_period;          /* their periods, summed (saturating) */
    uint64_t by_class[PROFILE_NR_CLASSES];
    uint64_t period_by_class[PROFILE_NR_CLASSES];
    uint64_t *key_samples;          /* [db->nr_keys] PROFILE_JIT samples in the key's TBs */
    uint64_t *key_helper;           /* [db->nr_keys] PROFILE_HELPER samples they called */
    uint64_t *key_softmmu;          /* [db->nr_keys] those of them in the software MMU;
                                     * NULL but for a system emulator */
    uint64_t softmmu;               /* PROFILE_HELPER samples in the software MMU, */
    uint64_t softmmu_charged;       /* ... and those whose call chain reached a TB */
    uint64_t *key_period;           /* [db->nr_keys] periods of both, summed */
};

/*
 * tally_init - an empty tally for the keys of db (which must outlive it).
 * Returns 0 or -ENOMEM; release with tally_release() in both cases.
 */
int tally_init(struct tally *t, const struct tbdb *db);

/* tally_sample - count one sample (PROFILE_OTHER ones are ignored). */
void tally_sample(struct tally *t, const struct profile_sample *s);

/*
 * tally_run - tally_init() with the profile's db, then profile_run() with
 * tally_sample() on every sample.  Returns 0 or profile_run()'s negative
 * errno (profile_strerror() says what), or -ENOMEM.
 */
int tally_run(struct tally *t, struct profile *p);

/* tally_release - free the arrays (the struct is the caller's).  Accepts a zeroed tally. */
void tally_release(struct tally *t);

/* tally_key_index - the index of k in the arrays above (k is one of t->db's keys). */
static inline size_t tally_key_index(const struct tally *t, const struct tbdb_key *k)
{
    return (size_t)(k - t->db->keys);
}

/* Samples and TBStatistics counters summed over a set of keys (saturating). */
struct tally_sums {
    uint64_t samples, helper, softmmu, period;
    uint64_t exec_count, insns_executed, guest_insns, guest_bytes, host_bytes;
    uint64_t spills, ops, ops_opt, translations;
    uint64_t time_ns;               /* time_gen + time_opt + time_la + time_code */
    unsigned nr_keys;
};

/* tally_sums_add_key - add key k's samples (from t) and counters to s. */
void tally_sums_add_key(struct tally_sums *s, const struct tally *t, const struct tbdb_key *k);

/* tally_sat_add - a + b, UINT64_MAX on overflow. */
static inline uint64_t tally_sat_add(uint64_t a, uint64_t b)
{
    return __builtin_add_overflow(a, b, &a) ? UINT64_MAX : a;
}

#endif /* TBSYM_TALLY_H */
