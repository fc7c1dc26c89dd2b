/**
 * Sets `key` in a cache of at most `maxEntries`, dropping the oldest entry
 * first when it is full: a Map iterates in insertion order. Identity's
 * caches (live sessions, contacts, verified tokens) are bounded this way, so
 * a flood of distinct keys costs memory for at most that many.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
