/**
 * The request view of a `mode tcp` connection: only layer 4 fetches have values (`src`, `src_port`,
 * `dst`, `dst_port`). The config refuses HTTP fetches in a tcp frontend's `use_backend` conditions, so
 * the empty HTTP fields are never what decides a route.
 */
import type { RequestView } from '../http/acl/index.js';
import type { Endpoints } from '../proxy/conn.js';

const NO_HEADERS: readonly string[] = [];
const NO_HEADER_LIST: readonly (readonly [string, string])[] = [];

export function layer4View(e: Endpoints): RequestView {
  return {
    method: '',
    url: '',
    path: null,
    query: null,
    version: '',
    header: () => NO_HEADERS,
    headerList: () => NO_HEADER_LIST,
    src: e.src,
    srcPort: e.srcPort,
    dst: e.dst,
    dstPort: e.dstPort,
    response: null,
  };
}
