/*
 * tally.c: samples per class and per TBStatistics key (see tally.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "tally.h"

int tally_init(struct tally *t, const struct tbdb *db)
{
    *t = (struct tally){ .db = db };
    /* + 1: calloc(0) may return NULL. */
    t->key_samples = calloc(db->nr_keys + 1, sizeof(uint64_t));
    t->key_helper = calloc(db->nr_keys + 1, sizeof(uint64_t));
    /* Only a system emulator has a software MMU (profile_sample's softmmu). */
    if (db->header.flags & TBS_FLAG_SYSTEM)
        t->key_softmmu = calloc(db->nr_keys + 1, sizeof(uint64_t));
    t->key_period = calloc(db->nr_keys + 1, sizeof(uint64_t));
    if (!t->key_samples || !t->key_helper || !t->key_period ||
        (!t->key_softmmu && (db->header.flags & TBS_FLAG_SYSTEM)))
        return -ENOMEM;
    return 0;
}

void tally_sample(struct tally *t, const struct profile_sample *s)
{
    size_t i;

    if (s->cls == PROFILE_OTHER || (unsigned)s->cls >= PROFILE_NR_CLASSES)
        return;
    t->total++;
    t->total_period = tally_sat_add(t->total_period, s->period);
    t->by_class[s->cls]++;
    t->period_by_class[s->cls] = tally_sat_add(t->period_by_class[s->cls], s->period);
    if (s->cls == PROFILE_HELPER && s->softmmu) {
        t->softmmu++;
        t->softmmu_charged += s->tb != NULL;
    }
    if (!s->tb || (s->cls != PROFILE_JIT && s->cls != PROFILE_HELPER))
        return;
    i = tally_key_index(t, s->tb->key);
    if (s->cls == PROFILE_JIT) {
        t->key_samples[i]++;
    } else {
        t->key_helper[i]++;
        if (s->softmmu && t->key_softmmu)
            t->key_softmmu[i]++;
    }
    t->key_period[i] = tally_sat_add(t->key_period[i], s->period);
}

static int on_sample(void *arg, const struct profile_sample *s)
{
    tally_sample(arg, s);
    return 0;
}

int tally_run(struct tally *t, struct profile *p)
{
    int rc = tally_init(t, profile_tbdb(p));

    if (rc < 0)
        return rc;
    return profile_run(p, on_sample, t);
}

void tally_release(struct tally *t)
{
    free(t->key_samples);
    free(t->key_helper);
    free(t->key_softmmu);
    free(t->key_period);
    t->key_samples = t->key_helper = t->key_softmmu = t->key_period = NULL;
}

void tally_sums_add_key(struct tally_sums *s, const struct tally *t, const struct tbdb_key *k)
{
    size_t i = tally_key_index(t, k);

    s->samples = tally_sat_add(s->samples, t->key_samples[i]);
    s->helper = tally_sat_add(s->helper, t->key_helper[i]);
    if (t->key_softmmu)
        s->softmmu = tally_sat_add(s->softmmu, t->key_softmmu[i]);
    s->period = tally_sat_add(s->period, t->key_period[i]);
    s->exec_count = tally_sat_add(s->exec_count, k->exec_count);
    s->insns_executed = tally_sat_add(s->insns_executed, k->insns_executed);
    s->guest_insns = tally_sat_add(s->guest_insns, k->guest_insns);
    s->guest_bytes = tally_sat_add(s->guest_bytes, k->guest_bytes);
    s->host_bytes = tally_sat_add(s->host_bytes, k->host_bytes);
    s->spills = tally_sat_add(s->spills, k->spills);
    s->ops = tally_sat_add(s->ops, k->ops);
    s->ops_opt = tally_sat_add(s->ops_opt, k->ops_opt);
    s->translations = tally_sat_add(s->translations, k->translations);
    s->time_ns = tally_sat_add(s->time_ns,
                               tally_sat_add(tally_sat_add(k->time_gen_ns, k->time_opt_ns),
                                             tally_sat_add(k->time_la_ns, k->time_code_ns)));
    s->nr_keys++;
}
