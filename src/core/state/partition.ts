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
