// Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection and must not be forwarded.
// HAProxy 2.6 forwards most of them (it only cleans "close"/"keep-alive" out of Connection); lbd drops
// them as issue 5 asks: Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding and
// Upgrade, plus every field the Connection fields name. The proxy then writes its own Connection
// field (close / keep-alive / upgrade) and, when it forwards a body chunked, its own Transfer-Encoding.

import { connectionOption, eqRangesLower, forEachListToken } from './bytes.js';
import { Hdr } from './head.js';
import type { HttpHead } from './head.js';

/** Keep the Upgrade field (the proxy is switching protocols and forwards the upgrade request/101). */
export const HOP_KEEP_UPGRADE = 1;
/** Keep Transfer-Encoding (the proxy forwards the chunked body as it came). */
export const HOP_KEEP_TRANSFER_ENCODING = 2;

const HOP_IDS = (1 << Hdr.CONNECTION) | (1 << Hdr.KEEP_ALIVE) | (1 << Hdr.PROXY_CONNECTION) | (1 << Hdr.TE) |
  (1 << Hdr.TRAILER) | (1 << Hdr.TRANSFER_ENCODING) | (1 << Hdr.UPGRADE);

/** Fields a Connection token may not remove: the message's own framing and its Host. */
const PROTECTED = (1 << Hdr.HOST) | (1 << Hdr.CONTENT_LENGTH) | (1 << Hdr.TRANSFER_ENCODING);

/**
 * Mark (head.skip[i] = 1) every hop-by-hop field of the head, per `flags` (HOP_KEEP_*). Returns how
 * many fields are now marked. Fields named in Connection are dropped too, except Host,
 * Content-Length and Transfer-Encoding, which a client could otherwise strip from the server's view.
 */
export function markHopByHop(h: HttpHead, flags = 0): number {
  let drop = HOP_IDS;
  if (flags & HOP_KEEP_UPGRADE) drop &= ~(1 << Hdr.UPGRADE);
  if (flags & HOP_KEEP_TRANSFER_ENCODING) drop &= ~(1 << Hdr.TRANSFER_ENCODING);
  if ((h.seen & HOP_IDS) === 0) return 0;
  const keep = PROTECTED | (HOP_IDS & ~drop);
  let marked = 0;
  const buf = h.buf;
  for (let i = 0; i < h.count; i++) {
    const id = h.ids[i];
    if (drop & (1 << id)) {
      if (h.skip[i] === 0) { h.skip[i] = 1; marked++; }
      if (id !== Hdr.CONNECTION) continue;
      // fields named by this Connection field (its connection options are not field names, and their fields are hop-by-hop already)
      forEachListToken(buf, h.offs[4 * i + 2], h.offs[4 * i + 3], (_, b, s, t) => {
        if (connectionOption(b, s, t) !== 0) return;
        for (let j = 0; j < h.count; j++) {
          if (h.skip[j] !== 0 || (keep & (1 << h.ids[j])) !== 0) continue;
          if (eqRangesLower(b, h.offs[4 * j], h.offs[4 * j + 1], b, s, t)) { h.skip[j] = 1; marked++; }
        }
      }, null);
    }
  }
  return marked;
}
