import { hostname } from 'node:os';
import { createHash } from 'node:crypto';
import { nanos, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type KV } from 'nats';
import type { Membership, PartitionSnapshot, ReleaseRecord, StateStore } from '../../ports/state.js';
import { stateBuckets, type StreamNames } from './jetstream.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** KV keys and object names may only hold [-_=A-Za-z0-9] between dots. */
const keyToken = (s: string) => s.replace(/[^-_=A-Za-z0-9]/g, '_');

/** A worker id from the host and process (unique on a machine, readable in logs). */
export const defaultWorkerId = () => keyToken(`${hostname()}-${process.pid}`);


/** nats.js has direct gets on its manager object but not in the JetStreamManager type it exports. */
interface DirectGet { direct: { getMessage(stream: string, query: { seq: number }): Promise<{ data: Uint8Array }> } }

/** Largest chunk of a snapshot per message (NATS' default max_payload is 1 MiB). */
const CHUNK_BYTES = 900 * 1024;

interface Manifest { gen: string; bytes: number; sha256: string; seqs: number[]; seq: number }

/**
 * Partition state on JetStream: commit positions and releases in a KV bucket; snapshots in a
 * stream of their own as chunks plus a manifest (sha-256, sizes, chunk sequences) written last,
 * so a reader sees a whole snapshot or the previous one. (The object store was tried first: its
 * pure-JavaScript hashing and 128 KiB chunks made a 100,000-characteristic restore seconds slower.)
 * Keys carry the partition count: changing it starts every partition afresh, never mixes.
 */
export class NatsStateStore implements StateStore {
  private constructor(private readonly kv: KV, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager, private readonly stream: string, private readonly subject: string, private readonly partitions: number) {}

  static async open(js: JetStreamClient, streams: StreamNames, partitions: number): Promise<NatsStateStore> {
    const b = stateBuckets(streams);
    const jsm = await js.jetstreamManager();
    const subject = `${streams.prefix}.state`;
    await jsm.streams.info(b.snapshots).catch(async (err: Error) => {
      if (!/stream not found/i.test(err.message)) throw err;
      // allow_direct: chunks come back as raw bytes (the API's JSON answer would base64 them).
      await jsm.streams.add({ name: b.snapshots, subjects: [`${subject}.>`], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: nanos(60_000), allow_direct: true });
    });
    return new NatsStateStore(await js.views.kv(b.state, { history: 1 }), js, jsm, b.snapshots, subject, partitions);
  }

  private name(kind: string, p: number) { return `${kind}.${this.partitions}.${p}`; }
  private manifestSubject(p: number) { return `${this.subject}.manifest.${this.partitions}.${p}`; }
  private chunkSubject(p: number, gen: string) { return `${this.subject}.chunk.${this.partitions}.${p}.${gen}`; }

  private async manifest(p: number): Promise<Manifest | undefined> {
    const m = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.manifestSubject(p) }).catch((err: Error) => {
      if (/no message found/i.test(err.message)) return undefined;
      throw err;
    });
    return m ? { ...(JSON.parse(dec.decode(m.data)) as Manifest), seq: m.seq } : undefined;
  }

  async loadSnapshot(p: number): Promise<PartitionSnapshot | undefined> {
    const m = await this.manifest(p);
    if (!m) return undefined;
    // A few requests in flight: all at once overran the 5 s request timeout on a 2-core machine.
    const chunks: Uint8Array[] = new Array(m.seqs.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(4, m.seqs.length) }, async () => {
      while (next < m.seqs.length) { const i = next++; chunks[i] = (await (this.jsm as JetStreamManager & DirectGet).direct.getMessage(this.stream, { seq: m.seqs[i] })).data; }
    }));
    const data = Buffer.concat(chunks);
    const sha = createHash('sha256').update(data).digest('hex');
    if (data.length !== m.bytes || sha !== m.sha256) throw new Error(`snapshot of partition ${p} is damaged (sha-256 or size differs from its manifest)`);
    return JSON.parse(dec.decode(data)) as PartitionSnapshot;
  }

  async saveSnapshot(s: PartitionSnapshot): Promise<void> {
    const p = s.partition;
    const previous = await this.manifest(p);
    const data = enc.encode(JSON.stringify(s));
    const gen = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const subject = this.chunkSubject(p, gen);
    const seqs: number[] = [];
    for (let at = 0; at < data.length; at += CHUNK_BYTES) seqs.push((await this.js.publish(subject, data.subarray(at, at + CHUNK_BYTES))).seq);
    const manifest = { gen, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), seqs };
    await this.js.publish(this.manifestSubject(p), enc.encode(JSON.stringify(manifest)));
    // The new snapshot is complete: the previous one's chunks and manifest can go.
    if (previous) {
      await this.jsm.streams.purge(this.stream, { filter: this.chunkSubject(p, previous.gen) });
      await this.jsm.streams.purge(this.stream, { filter: this.manifestSubject(p), keep: 1 });
    }
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

  private constructor(private readonly kv: KV, readonly workerId: string, private readonly partitions: number, readonly ttlMs: number) {}

  static async open(js: JetStreamClient, streams: StreamNames, partitions: number, workerId: string, ttlMs = 5000): Promise<NatsMembership> {
    const kv = await js.views.kv(stateBuckets(streams).leases, { history: 1, ttl: ttlMs });
    return new NatsMembership(kv, keyToken(workerId), partitions, ttlMs);
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
      if (!e) return this.tryAcquire(p);
      // Deleted: another worker held it since and released it (its snapshot is newer than our
      // state). Lost: the partition is taken again through a restore, not continued.
      if (e.operation !== 'PUT') return false;
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
