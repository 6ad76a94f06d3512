/**
 * The lists behind the Related section — recently opened files (MRU), pinned and hidden files —
 * as pure functions over arrays of keys, so the rules are unit-tested and the controller only
 * persists what they return. Keys are `folderKey|path` (stable across restarts and multi-root).
 */

export const MRU_SIZE = 10;
export const HIDDEN_MAX = 500;

export const refKey = (r: { readonly folder: string; readonly path: string }): string => `${r.folder}|${r.path}`;

/** Splits a key back into folder and path (the folder URI never contains `|`; a path may). */
export function parseRefKey(key: string): { folder: string; path: string } | undefined {
  const i = key.indexOf('|');
  return i > 0 && i < key.length - 1 ? { folder: key.slice(0, i), path: key.slice(i + 1) } : undefined;
}

/** Moves `key` to the front; the list keeps at most `max` entries (oldest dropped). */
export function pushRecent(list: readonly string[], key: string, max = MRU_SIZE): string[] {
  return [key, ...list.filter((k) => k !== key)].slice(0, max);
}

/**
 * Recency weights for `relatedFiles`' profile: the most recent file counts most, halving every
 * three files, so an hour-old detour fades instead of steering results for ever.
 */
export function recentWeights(list: readonly string[]): { key: string; weight: number }[] {
  return list.map((key, i) => ({ key, weight: 2 ** (-i / 3) }));
}

/** Pins or unpins, keeping pin order (the first pinned stays first). */
export function setPinned(list: readonly string[], key: string, pinned: boolean): string[] {
  const rest = list.filter((k) => k !== key);
  return pinned ? [...rest, key] : rest;
}

/** Hides `key` for good (bounded, newest kept); hiding also unpins (see `RelatedController.hide`). */
export function addHidden(list: readonly string[], key: string, max = HIDDEN_MAX): string[] {
  return [...list.filter((k) => k !== key), key].slice(-max);
}

/** Un-hides `key` (the "show hidden files again" path). */
export function removeHidden(list: readonly string[], key: string): string[] {
  return list.filter((k) => k !== key);
}
