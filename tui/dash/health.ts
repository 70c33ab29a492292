/**
 * The donuts' data: how many servers of each backend are healthy, and how many donuts fit a panel.
 * Healthy means operationally up and not in maintenance (a draining server is healthy: it is only
 * taking no new sessions); `stopping` (NOLB) is not. With more backends than donuts, the least healthy
 * are shown, so a problem is never the one left out.
 */
import { ADMIN, type Snapshot } from '../../shared/snapshot.js';
import type { Tone } from './palette.js';
import { cut } from './text.js';

export interface BackendHealth {
  backend: string;
  healthy: number;
  total: number;
}

/** Healthy and total servers of each enabled backend that has servers, in config order. */
export function backendHealth(s: Snapshot): BackendHealth[] {
  const out: BackendHealth[] = [];
  for (const b of s.backends) {
    if (b.configDisabled || b.servers.length === 0) continue;
    const healthy = b.servers.filter((v) => v.op === 'up' && (v.admin & ADMIN.MAINT) === 0).length;
    out.push({ backend: b.name, healthy, total: b.servers.length });
  }
  return out;
}

/** All healthy is good, none is bad, anything between a warning. */
export function healthTone(h: BackendHealth): Tone {
  if (h.healthy === h.total) return 'good';
  if (h.healthy === 0) return 'bad';
  return 'warn';
}

/** At most `capacity` backends: all of them when they fit, else the least healthy (ratio, then config order), shown in config order. */
export function pickBackends(list: readonly BackendHealth[], capacity: number): BackendHealth[] {
  if (list.length <= capacity) return [...list];
  const idx = new Map(list.map((h, i) => [h, i]));
  const worst = [...list].sort((a, b) => a.healthy / a.total - b.healthy / b.total || idx.get(a)! - idx.get(b)!).slice(0, Math.max(0, capacity));
  const keep = new Set(worst);
  return list.filter((h) => keep.has(h));
}

/** How donuts are drawn in a panel: their radius and ring width (canvas pixels), and how many fit. */
export interface DonutGeometry {
  radius: number;
  arcWidth: number;
  /** Donuts that fit side by side with a readable size. */
  capacity: number;
  /** Characters available for each donut's label. */
  labelChars: number;
}

/** Smallest radius (pixels: 2 per column, 4 per row) at which `100%` still fits inside the ring. */
const MIN_RADIUS = 7;
const MAX_RADIUS = 14;
/** Pixels between donuts at least. */
const MIN_GAP = 4;

/**
 * The geometry for `count` donuts in a panel of `width` × `height` cells (borders included), from the
 * donut widget's canvas arithmetic: the canvas is 2·width−5 by 4·height−12 pixels and a donut's label
 * sits 5 pixels under its ring. Fewer donuts than `count` when they would not fit.
 */
export function donutGeometry(width: number, height: number, count: number): DonutGeometry {
  let w = Math.round(width * 2 - 5);
  if (w % 2 === 1) w--;
  const h = height * 4 - 12;
  const byHeight = Math.floor(h / 2) - 4;
  const fit = (n: number) => Math.floor((w - MIN_GAP * (n + 1)) / (2 * n));
  let n = Math.max(1, count);
  while (n > 1 && Math.min(byHeight, fit(n)) < MIN_RADIUS) n--;
  const radius = Math.max(1, Math.min(MAX_RADIUS, byHeight, fit(n)));
  const gap = (w - n * 2 * radius) / (n + 1);
  return {
    radius,
    arcWidth: Math.max(2, Math.min(4, Math.round(radius / 3))),
    capacity: count === 0 ? 0 : n,
    labelChars: Math.max(3, Math.floor((2 * radius + gap) / 2) - 1),
  };
}

/** A donut's label: `name 2/3`, the name cut so the whole fits `chars`. */
export function donutLabel(h: BackendHealth, chars: number): string {
  const count = ` ${h.healthy}/${h.total}`;
  return `${cut(h.backend, Math.max(1, chars - count.length))}${count}`;
}
