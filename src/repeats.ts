/**
 * Every item whose key an earlier item already had: its index, and the first such item's index.
 * Items whose key is undefined (not known) are never repeats.
 */
export function repeats<T>(items: readonly T[], key: (item: T) => string | undefined): Array<{ index: number; first: number }> {
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
