/**
 * Adds `value` to an insertion-ordered set kept to at most `max` entries, the oldest dropped
 * first: ids remembered against replays or late acknowledgements, without growing for ever.
 */
export function addBounded<T>(set: Set<T>, value: T, max: number): void {
  set.add(value);
  while (set.size > max) set.delete(set.values().next().value as T);
}
