/**
 * Host name resolution at load time, following each server's `init-addr` methods in order:
 * `last` (the address from a state file: lbd keeps none, so it is skipped), `libc` (the system resolver),
 * `none` (start without an address), or an IP literal (use it). IP literals in the address itself never
 * need a lookup. Lookups are de-duplicated and run in parallel with a bounded concurrency.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { Diagnostics } from './context.js';
import type { ResolveJob } from './build.js';

export type Family = 'any' | 'ipv4' | 'ipv6';
/** Returns an IP address for `host`, or null when it does not resolve. */
export type Resolver = (host: string, family: Family) => Promise<string | null>;

/** The system resolver (getaddrinfo through `dns.lookup`), first address in the system's order. */
export const libcResolver: Resolver = async (host, family) => {
  try {
    const r = await dns.lookup(host, { family: family === 'ipv4' ? 4 : family === 'ipv6' ? 6 : 0 });
    return r.address;
  } catch {
    return null;
  }
};

/** libuv resolves on a small thread pool anyway; more in flight only queues inside Node. */
const DEFAULT_CONCURRENCY = 32;

/** Run `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The first method that settles the address without a lookup, or 'libc' when a lookup comes first. */
function needsLookup(methods: readonly string[]): boolean {
  for (const m of methods) {
    if (m === 'libc') return true;
    if (m === 'none' || isIP(m) !== 0) return false;
  }
  return false;
}

/**
 * Resolve every job and apply its address. A job whose methods all fail is an error at its line:
 * `'server s1': could not resolve address 'host'`.
 */
export async function resolveAll(jobs: readonly ResolveJob[], resolver: Resolver, diags: Diagnostics, concurrency = DEFAULT_CONCURRENCY): Promise<void> {
  const key = (j: ResolveJob): string => `${j.family}|${j.host}`;
  const results = new Map<string, string | null>();
  const lookups = [...new Map(jobs.filter((j) => needsLookup(j.methods)).map((j) => [key(j), j])).values()];
  await pool(lookups, concurrency, async (j) => {
    let address: string | null = null;
    try {
      address = await resolver(j.host, j.family);
    } catch {
      address = null;
    }
    results.set(key(j), address);
  });
  for (const j of jobs) {
    let settled = false;
    for (const m of j.methods) {
      if (m === 'last') continue;
      if (m === 'libc') {
        const a = results.get(key(j)) ?? null;
        if (a === null) continue;
        j.apply(a);
      } else if (m === 'none') {
        j.apply(null);
      } else {
        j.apply(m);
      }
      settled = true;
      break;
    }
    if (!settled) diags.error(j.where, `'${j.directive}': could not resolve ${j.what} '${j.host}'`);
  }
}
