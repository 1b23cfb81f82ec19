/* Brute-force peer for tests/bench/cluster.sh: `hanfold cluster --method
 * simhash --fingerprints` done the obvious way.  Reads fingerprint rows (TSV:
 * id, simhash, key tokens, ...), compares each record with every
 * representative so far (one array of SimHashes, scanned in full), joins the
 * nearest within K bits (the earliest among equals) or becomes one; an empty
 * key never merges.  Writes the rows hanfold writes (id, cluster id,
 * 1 - d/64), so the two outputs can be compared byte for byte.
 *   simhash_brute K < rows > clusters
 * Ids are printed as read (escaped TSV stays escaped, as hanfold writes it
 * back).  Built by the benchmark with the machine's best flags, so that the
 * scan is vectorized: a strong brute force, not a strawman. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    unsigned k = argc > 1 ? (unsigned)atoi(argv[1]) : 3;
    size_t n = 0, cap = 1 << 20, ids_len = 0, ids_cap = 1 << 24;
    uint64_t *rep = malloc(cap * sizeof *rep);
    size_t *rep_id = malloc(cap * sizeof *rep_id);
    char *ids = malloc(ids_cap);
    unsigned char *dist = malloc(cap);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    if (!rep || !rep_id || !ids || !dist)
        return 2;
    while ((len = getline(&line, &lcap, stdin)) > 0) {
        char *tab1 = strchr(line, '\t');
        if (!tab1)
            continue;
        *tab1 = '\0';
        uint64_t h = strtoull(tab1 + 1, NULL, 16);
        unsigned long tokens = strtoul(tab1 + 18, NULL, 10);
        size_t idl = (size_t)(tab1 - line);
        /* pass 1: the smallest distance (a vectorizable reduction) */
        unsigned best = 64;
        for (size_t i = 0; i < n; i++) {
            unsigned d = (unsigned)__builtin_popcountll(rep[i] ^ h);
            dist[i] = (unsigned char)d;
            best = d < best ? d : best;
        }
        if (tokens && best <= k) {
            size_t i = 0;
            while (dist[i] != best) /* pass 2: the earliest at that distance */
                i++;
            printf("%s\t%s\t%.3f\n", line, ids + rep_id[i], 1.0 - best / 64.0);
            continue;
        }
        printf("%s\t%s\t1.000\n", line, line);
        if (!tokens)
            continue;
        if (n == cap) {
            cap *= 2;
            rep = realloc(rep, cap * sizeof *rep);
            rep_id = realloc(rep_id, cap * sizeof *rep_id);
            dist = realloc(dist, cap);
            if (!rep || !rep_id || !dist)
                return 2;
        }
        while (ids_len + idl + 1 > ids_cap) {
            ids_cap *= 2;
            if (!(ids = realloc(ids, ids_cap)))
                return 2;
        }
        memcpy(ids + ids_len, line, idl + 1);
        rep_id[n] = ids_len;
        rep[n++] = h;
        ids_len += idl + 1;
    }
    free(line);
    return ferror(stdout) ? 2 : 0;
}
