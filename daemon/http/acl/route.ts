/**
 * Backend selection, HAProxy's way: the first `use_backend` rule whose condition holds, else
 * `default_backend`. For the runtime: `staticBackend` tells when the answer cannot depend on the request
 * (then it can be resolved once per config), `connectionView` lets a `mode tcp` frontend evaluate its
 * layer-4 conditions (`src`, `dst_port` …, and content fetches such as `req.ssl_sni`; the configuration refuses HTTP fetches
 * there) per connection.
 */
import type { FrontendConfig } from '../../config/types.js';
import type { ContentSample, RequestView } from './view.js';
import type { TlsInfo } from '../../proxy/conn.js';

type Routing = Pick<FrontendConfig, 'useBackends' | 'defaultBackend'>;

/** The backend name for a request or connection, or null when there is none. */
export function selectBackend(fe: Routing, view: RequestView): string | null {
  for (const u of fe.useBackends) if (u.cond === null || u.cond.test(view)) return u.backend;
  return fe.defaultBackend;
}

/**
 * The backend when no condition is ever evaluated (no rule, or an unconditional rule before any
 * conditional one); undefined when it depends on the request.
 */
export function staticBackend(fe: Routing): string | null | undefined {
  for (const u of fe.useBackends) {
    if (u.cond === null) return u.backend;
    return undefined;
  }
  return fe.defaultBackend;
}

const NO_HEADERS: readonly string[] = [];
const NO_FIELDS: readonly (readonly [string, string])[] = [];

/**
 * A RequestView of a plain TCP connection: addresses, and the first bytes the client sent when a
 * `tcp-request inspect-delay` buffered them; no HTTP request (HTTP fetches find nothing).
 */
export function connectionView(src: string, srcPort: number, dst: string, dstPort: number, content?: ContentSample, tls?: TlsInfo | null): RequestView {
  return {
    ...(content ? { content } : {}),
    tls: tls ?? null,
    method: '',
    url: '',
    path: null,
    query: null,
    version: '',
    header: () => NO_HEADERS,
    headerList: () => NO_FIELDS,
    src,
    srcPort,
    dst,
    dstPort,
    response: null,
  };
}
