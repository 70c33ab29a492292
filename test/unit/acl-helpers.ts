/**
 * Test helpers for daemon/http/acl: a RequestView from plain values, and a config loader that keeps
 * DNS out of the tests.
 */
import assert from 'node:assert/strict';
import type { RequestView } from '../../daemon/http/acl/view.js';
import { splitTarget } from '../../daemon/http/acl/view.js';
import { formatDiagnostic, parseConfigText, type LoadResult } from '../../daemon/config/index.js';
import type { Config } from '../../daemon/config/types.js';

export interface ViewInit {
  method?: string;
  url?: string;
  version?: string;
  headers?: [string, string][];
  src?: string;
  srcPort?: number;
  dst?: string;
  dstPort?: number;
  status?: number;
  resHeaders?: [string, string][];
}

/** A RequestView over plain values; `reads` counts header lookups (to check a fetch runs once). */
export function view(init: ViewInit = {}): RequestView & { reads: number } {
  const url = init.url ?? '/';
  const { path, query } = splitTarget(url);
  const headers = init.headers ?? [];
  const lookup = (list: [string, string][], name: string): string[] => list.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  const v = {
    reads: 0,
    method: init.method ?? 'GET',
    url,
    path,
    query,
    version: init.version ?? '1.1',
    header(name: string) {
      v.reads++;
      return lookup(headers, name);
    },
    headerList: () => headers,
    src: init.src ?? '192.0.2.10',
    srcPort: init.srcPort ?? 40000,
    dst: init.dst ?? '127.0.0.1',
    dstPort: init.dstPort ?? 80,
    response:
      init.status === undefined
        ? null
        : { status: init.status, header: (name: string) => lookup(init.resHeaders ?? [], name), headerList: () => init.resHeaders ?? [] },
  };
  return v;
}

export const cfg = (...lines: string[]): string => lines.join('\n') + '\n';

/** Load a config text named lbd.cfg; host names never resolve. */
export const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: {}, resolveHost: async () => null });

export const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);

/** Load and require no error (warnings allowed). */
export async function ok(text: string): Promise<Config> {
  const r = await load(text);
  assert.deepEqual(messages(r).filter((m) => !m.includes('warning:')), []);
  assert.ok(r.config);
  return r.config;
}

/** An HTTP frontend `f` with the given lines, routing by default to backend `b` (also HTTP). */
export const httpFrontend = (...lines: string[]): string =>
  cfg('frontend f', '    mode http', '    bind :8080', ...lines, '    default_backend b', 'backend b', '    mode http', '    server s1 127.0.0.1:80');
