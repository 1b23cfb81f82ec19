#!/usr/bin/python3
"""Near-duplicate removal over JSONL shards with Dask and the hanfold module.

Fingerprinting is per record, so it runs on the Dask workers (one
map_partitions task per shard); clustering needs every fingerprint, so the
fingerprints travel back as bytes (the library's binary codec, a few hundred
bytes a record, never the text) and are merged in input order on this
machine.  The clusters are those of

    hanfold cluster --format tsv --input jsonl SHARD...

on the same shards, byte for byte (--clusters writes them in that format),
and the kept records are each cluster's first record, written as read.

    python3 dask_dedup.py --workers 2 --output kept.jsonl shard-*.jsonl
    python3 dask_dedup.py --scheduler tcp://head:8786 --output kept.jsonl ...

Needs python3-dask and python3-distributed (Debian), and the hanfold module
importable on every worker.
"""
import argparse
import json
import sys

import hanfold


def fingerprint_partition(lines, id_field, text_field):
    """On a worker: the (id, fingerprint bytes) of every record of a shard.

    fingerprint_many runs on the library's threads without the GIL, so one
    task per worker process keeps its processors busy."""
    ids, texts = [], []
    for line in lines:
        if not line.strip():
            continue
        rec = json.loads(line)
        ids.append(str(rec[id_field]))
        texts.append(rec[text_field])
    return [(i, bytes(fp)) for i, fp in zip(ids, hanfold.fingerprint_many(texts))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('shards', nargs='+', help='JSONL files, one record a line')
    ap.add_argument('--output', '-o', required=True, help='where the kept records go (JSONL)')
    ap.add_argument('--clusters', help='also write id TAB cluster id TAB similarity, as hanfold cluster')
    ap.add_argument('--id-field', default='id')
    ap.add_argument('--text-field', default='text')
    where = ap.add_mutually_exclusive_group()
    where.add_argument('--scheduler', help='address of a running Dask scheduler')
    where.add_argument('--workers', type=int, default=2, help='worker processes of a LocalCluster (default 2)')
    args = ap.parse_args(argv)

    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        # one thread per worker process: hanfold's own threads do the work
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        # blocksize=None: one partition per shard, so the order of the
        # records is the order of the shards and of their lines
        lines = db.read_text(args.shards, blocksize=None)
        rows = lines.map_partitions(fingerprint_partition, args.id_field, args.text_field).compute()
    finally:
        client.close()
        if cluster:
            cluster.close()

    # the merge: every fingerprint, in input order, through one clusterer
    # with the command line's settings (single linkage)
    c = hanfold.Clusterer()
    for rid, fp in rows:
        c.add_fingerprint(rid, hanfold.Fingerprint.from_bytes(fp))
    clusters = c.clusters()
    if args.clusters:
        with open(args.clusters, 'w', encoding='utf-8') as f:
            for rid, cid, sim in clusters:
                f.write('%s\t%s\t%.3f\n' % (rid, cid, sim))

    # a record is kept when it is the first of its cluster (its cluster id
    # is its own id object, not merely an equal one)
    kept = [cid is rid for rid, cid, _ in clusters]
    n = written = 0
    with open(args.output, 'w', encoding='utf-8') as out:
        for shard in args.shards:
            with open(shard, encoding='utf-8') as f:
                for line in f:
                    if not line.strip():
                        continue
                    if kept[n]:
                        out.write(line if line.endswith('\n') else line + '\n')
                        written += 1
                    n += 1
    print('%d records, %d clusters, %d kept, %d dropped' % (n, written, written, n - written), file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
