import { hostname } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { JetStreamClient, KV, ObjectStore } from 'nats';
import type { Membership, PartitionSnapshot, ReleaseRecord, StateStore } from '../../service/state.js';
import { stateBuckets, type StreamNames } from './jetstream.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** KV keys and object names may only hold [-_=A-Za-z0-9] between dots. */
const keyToken = (s: string) => s.replace(/[^-_=A-Za-z0-9]/g, '_');

/** A worker id from the host and process (unique on a machine, readable in logs). */
export const defaultWorkerId = () => keyToken(`${hostname()}-${process.pid}`);


/**
 * Partition state on JetStream: commit positions and releases in a KV bucket, snapshots in an
 * object store (chunked, so a partition of 100,000 characteristics fits), gzip-compressed.
 * Keys carry the partition count: changing it starts every partition afresh, never mixes.
 */
export class NatsStateStore implements StateStore {
  private constructor(private readonly kv: KV, private readonly os: ObjectStore, private readonly partitions: number) {}

  static async open(js: JetStreamClient, streams: StreamNames, partitions: number): Promise<NatsStateStore> {
    const b = stateBuckets(streams);
    const [kv, os] = await Promise.all([js.views.kv(b.state, { history: 1 }), js.views.os(b.snapshots)]);
    return new NatsStateStore(kv, os, partitions);
  }

  private name(kind: string, p: number) { return `${kind}.${this.partitions}.${p}`; }

  async loadSnapshot(p: number): Promise<PartitionSnapshot | undefined> {
    const data = await this.os.getBlob(`snapshot-${this.partitions}-${p}`);
    return data ? JSON.parse(dec.decode(gunzipSync(data))) as PartitionSnapshot : undefined;
  }

  async saveSnapshot(s: PartitionSnapshot): Promise<void> {
    // Level 1: snapshots of large partitions are written while the worker runs; speed beats ratio.
    await this.os.putBlob({ name: `snapshot-${this.partitions}-${s.partition}` }, gzipSync(JSON.stringify(s), { level: 1 }));
  }

  async committed(p: number): Promise<number> {
    const e = await this.kv.get(this.name('commit', p));
    return e && e.operation === 'PUT' ? Number(dec.decode(e.value)) : 0;
  }

  async setCommitted(p: number, seq: number): Promise<void> {
    await this.kv.put(this.name('commit', p), enc.encode(String(seq)));
  }

  async releases(p: number): Promise<ReleaseRecord[]> {
    const e = await this.kv.get(this.name('releases', p));
    return e && e.operation === 'PUT' ? JSON.parse(dec.decode(e.value)) as ReleaseRecord[] : [];
  }

  addRelease(p: number, r: ReleaseRecord): Promise<void> {
    return this.editReleases(p, (list) => [...list, r]);
  }

  pruneReleases(p: number, seq: number): Promise<void> {
    return this.editReleases(p, (list) => list.filter((r) => r.seq >= seq));
  }

  /** Read, change, write with the revision expected: concurrent edits retry rather than overwrite. */
  private async editReleases(p: number, change: (list: ReleaseRecord[]) => ReleaseRecord[]): Promise<void> {
    const key = this.name('releases', p);
    for (let attempt = 0; ; attempt++) {
      const e = await this.kv.get(key);
      const list = e && e.operation === 'PUT' ? JSON.parse(dec.decode(e.value)) as ReleaseRecord[] : [];
      const next = change(list);
      if (e && e.operation === 'PUT' && next.length === list.length && next.every((r, i) => r === list[i])) return;
      try {
        if (e) await this.kv.update(key, enc.encode(JSON.stringify(next)), e.revision);
        else await this.kv.create(key, enc.encode(JSON.stringify(next)));
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
      }
    }
  }
}

/**
 * Membership and partition leases in a KV bucket whose entries expire after `ttlMs`: a worker
 * renews its member key and its leases every tick; one that dies stops renewing and its
 * partitions become free after at most `ttlMs`. Updates carry the expected revision, so two
 * workers can never both believe they took the same lease.
 */
export class NatsMembership implements Membership {
  private readonly revisions = new Map<number, number>();

  private constructor(private readonly kv: KV, readonly workerId: string, private readonly partitions: number) {}

  static async open(js: JetStreamClient, streams: StreamNames, partitions: number, workerId: string, ttlMs = 5000): Promise<NatsMembership> {
    const kv = await js.views.kv(stateBuckets(streams).leases, { history: 1, ttl: ttlMs });
    return new NatsMembership(kv, keyToken(workerId), partitions);
  }

  private key(p: number) { return `owner.${this.partitions}.${p}`; }

  async heartbeat(): Promise<string[]> {
    await this.kv.put(`member.${this.workerId}`, enc.encode(new Date().toISOString()));
    const ids: string[] = [];
    for await (const k of await this.kv.keys('member.*')) ids.push(k.slice('member.'.length));
    return ids.sort();
  }

  async tryAcquire(p: number): Promise<boolean> {
    try {
      this.revisions.set(p, await this.kv.create(this.key(p), enc.encode(this.workerId)));
      return true;
    } catch {
      return this.stillMine(p);
    }
  }

  async renew(p: number): Promise<boolean> {
    const rev = this.revisions.get(p);
    try {
      if (rev === undefined) throw new Error('no revision');
      this.revisions.set(p, await this.kv.update(this.key(p), enc.encode(this.workerId), rev));
      return true;
    } catch {
      const e = await this.kv.get(this.key(p));
      // Lapsed (e.g. NATS was down longer than the TTL) and nobody took it: our state is still the newest.
      if (!e || e.operation !== 'PUT') return this.tryAcquire(p);
      return this.stillMine(p);
    }
  }

  private async stillMine(p: number): Promise<boolean> {
    const e = await this.kv.get(this.key(p));
    if (e && e.operation === 'PUT' && dec.decode(e.value) === this.workerId) { this.revisions.set(p, e.revision); return true; }
    return false;
  }

  async release(p: number): Promise<void> {
    if (await this.stillMine(p)) await this.kv.delete(this.key(p));
    this.revisions.delete(p);
  }

  async leave(): Promise<void> {
    await this.kv.purge(`member.${this.workerId}`);
  }
}
