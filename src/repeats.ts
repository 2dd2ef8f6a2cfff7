/**
 * Every item whose key an earlier item already had: its index, and the first such item's index.
 * Items whose key is undefined (not known) are never repeats.
 */
export function repeats<T>(
  items: readonly T[],
  key: (item: T) => string | undefined,
): Array<{ index: number; first: number }> {
  const seen = new Map<string, number>();
  const found: Array<{ index: number; first: number }> = [];
  items.forEach((item, index) => {
    const itemKey = key(item);
    if (itemKey === undefined) return;
    const first = seen.get(itemKey);
    if (first === undefined) seen.set(itemKey, index);
    else found.push({ index, first });
  });
  return found;
}

/** Items grouped by key, each group in the items' order: one pass instead of a filter per key. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const itemKey = key(item);
    const group = groups.get(itemKey);
    if (group) group.push(item);
    else groups.set(itemKey, [item]);
  }
  return groups;
}
