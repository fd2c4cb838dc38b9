/**
 * Deterministic partitioning of the sample stream for several workers. The key is the line: a
 * line's characteristics and anomaly models (features of one unit across its stations) then live
 * in one worker, and every worker computes the same owner from the subject alone.
 */

/** A name as it appears as one NATS subject token ('.', '*', '>' and blanks become '_'). */
export function subjectToken(line: string): string {
  return line.replace(/[.*> \t\r\n]/g, '_') || '_';
}

/**
 * The line token's FNV-1a 32-bit hash (Fowler, Noll, Vo; IETF draft-eastlake-fnv, offset basis
 * 2166136261, prime 16777619) modulo the partition count.
 */
export function partitionOf(lineToken: string, partitions: number): number {
  return partitions <= 1 ? 0 : fnv1a32(lineToken) % partitions;
}

/** FNV-1a, 32 bits, over UTF-16 code units. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finalizer (Appleby): spreads FNV's weak low bits over the whole word. */
function mix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Which partitions a worker should own among the live workers: rendezvous (highest random
 * weight) hashing (Thaler & Ravishankar, 1998) with a capacity of ⌈partitions / workers⌉ each,
 * so the load is balanced and a join or a leave moves few partitions. Every worker computes the
 * same answer from the same member list.
 */
export function desiredPartitions(workers: readonly string[], partitions: number, me: string): number[] {
  const members = [...new Set(workers)].sort();
  if (!members.length) return [];
  const capacity = Math.ceil(partitions / members.length);
  const load = new Map(members.map((w) => [w, 0]));
  const mine: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const ranked = members.map((w) => ({ w, weight: mix32(partitionOf(`${w}/${p}`, 2 ** 32)) })).sort((a, b) => b.weight - a.weight || (a.w < b.w ? -1 : 1));
    const owner = ranked.find((r) => load.get(r.w)! < capacity)!.w;
    load.set(owner, load.get(owner)! + 1);
    if (owner === me) mine.push(p);
  }
  return mine;
}
