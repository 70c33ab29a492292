/**
 * A cursor over a list of keyed rows, with its scroll position. The selection is a key: when the rows
 * change (refresh, sort, filter), the cursor stays on the same row wherever it moved. When that row is
 * gone (filtered out, removed by a reload), the cursor shows the row now at its last position, and the
 * remembered key stays: clearing the filter brings the selection back to it.
 */

export interface ListPos {
  /** Key of the selected row, or null for "the first row". */
  selected: string | null;
  /** Where the cursor was last drawn: the fallback position when `selected` is not in the rows. */
  index: number;
  /** First row shown. */
  top: number;
}

export const START: ListPos = Object.freeze({ selected: null, index: 0, top: 0 });

/** Where the cursor is in `keys` now (-1 when there are no rows). */
export function cursorIndex(pos: ListPos, keys: readonly string[]): number {
  if (keys.length === 0) return -1;
  if (pos.selected !== null) {
    const i = keys.indexOf(pos.selected);
    if (i >= 0) return i;
  }
  return Math.max(0, Math.min(keys.length - 1, pos.index));
}

/** The first row to show so the cursor is visible, moving the window as little as possible. */
export function scrollTop(top: number, cursor: number, height: number, count: number): number {
  if (height <= 0 || count <= height) return 0;
  let t = Math.max(0, Math.min(top, count - height));
  if (cursor >= 0 && cursor < t) t = cursor;
  if (cursor >= t + height) t = cursor - height + 1;
  return t;
}

/** The cursor moved by `delta` rows (clamped), or to `to` ('start' | 'end'); the key follows. */
export function moveCursor(pos: ListPos, keys: readonly string[], delta: number | 'start' | 'end', height: number): ListPos {
  if (keys.length === 0) return pos;
  const cur = cursorIndex(pos, keys);
  const next = delta === 'start' ? 0 : delta === 'end' ? keys.length - 1 : Math.max(0, Math.min(keys.length - 1, cur + delta));
  return { selected: keys[next]!, index: next, top: scrollTop(pos.top, next, height, keys.length) };
}

/** The position after the rows changed: the index and scroll follow the selected key. */
export function settle(pos: ListPos, keys: readonly string[], height: number): ListPos {
  const i = cursorIndex(pos, keys);
  const top = scrollTop(pos.top, i, height, keys.length);
  return i === pos.index && top === pos.top ? pos : { ...pos, index: Math.max(0, i), top };
}
