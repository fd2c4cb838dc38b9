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
 * FNV-1a 32-bit hash of the line token (Fowler, Noll, Vo; IETF draft-eastlake-fnv, offset basis
 * 2166136261, prime 16777619) modulo the partition count.
 */
export function partitionOf(lineToken: string, partitions: number): number {
  if (partitions <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < lineToken.length; i++) {
    h ^= lineToken.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * Which partitions a worker should own among the live workers: rendezvous (highest random weight)
 * hashing (Thaler & Ravishankar, 1998). Every worker computes the same answer from the same member
 * list, and when a worker joins or leaves only the partitions it wins or held move.
 */
export function desiredPartitions(workers: readonly string[], partitions: number, me: string): number[] {
  const mine: number[] = [];
  for (let p = 0; p < partitions; p++) {
    let best = '', bestWeight = -1;
    for (const w of workers) {
      const weight = partitionOf(`${w}/${p}`, 0x7fffffff);
      if (weight > bestWeight || (weight === bestWeight && w < best)) { best = w; bestWeight = weight; }
    }
    if (best === me) mine.push(p);
  }
  return mine;
}
