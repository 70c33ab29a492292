import type { Transport } from './conn.js';
import { netTransport } from './net-conn.js';
import { rawTransport } from './raw-conn.js';

/**
 * The transport lbd carries traffic on: the raw libuv handles when this Node.js exposes them (the fast
 * path), else `net`. `LBD_TRANSPORT=net|raw` forces one (tests run the data path over both).
 */
export function selectTransport(wanted = process.env.LBD_TRANSPORT): Transport {
  if (wanted === 'net') return netTransport;
  const raw = rawTransport();
  if (wanted === 'raw' && !raw) throw new Error('LBD_TRANSPORT=raw: this Node.js does not expose the TCP handle binding');
  return raw ?? netTransport;
}
