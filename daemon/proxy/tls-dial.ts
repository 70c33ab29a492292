/**
 * TLS towards servers (`server … ssl`): a `tls.connect` whose socket, once the handshake is done, is an
 * ordinary Conn (the `net` adapter). Verification as HAProxy does it: `verify required` checks the chain
 * against `ca-file`, and the name against `verifyhost`, else against the SNI sent (no name check when there
 * is neither); `verify none` checks nothing. Sessions are resumed per server and SNI (`no-ssl-reuse` turns
 * it off), which saves a full handshake on every new server connection.
 */
import tls from 'node:tls';
import net, { isIP } from 'node:net';
import type { ServerSslConfig } from '../config/types.js';
import type { Conn, DialCallback } from './conn.js';
import { NetConn } from './net-conn.js';

/** The last TLS session of each server (and SNI), for resumption. Bounded: one entry per key, at most MAX_SESSIONS keys. */
const sessions = new Map<string, Buffer>();
const MAX_SESSIONS = 10_000;

/**
 * Dial `host:port` with TLS; `done` runs once, after the handshake (null) or on failure (an error code).
 * `preface` (a PROXY protocol header, `send-proxy`) goes on the TCP connection before the TLS handshake, as
 * HAProxy sends it.
 */
export function dialTls(host: string, port: number, ssl: ServerSslConfig, servername: string | null, sessionKey: string, done: DialCallback, preface: Buffer | null = null): Conn {
  const sni = servername !== null && servername !== '' && isIP(servername) === 0 ? servername : undefined;
  const check = ssl.verifyHost ?? sni ?? null;
  let raw: net.Socket | null = null;
  if (preface !== null) {
    // written first on the plain socket (queued until it connects); the TLS records follow it
    raw = net.connect({ host, port, noDelay: true });
    raw.write(preface);
  }
  const sock = tls.connect({
    ...(raw !== null ? { socket: raw } : { host, port }),
    servername: sni,
    ca: ssl.caFile?.pem,
    rejectUnauthorized: ssl.verify === 'required',
    checkServerIdentity: (_host, cert) => (ssl.verify === 'required' && check !== null ? tls.checkServerIdentity(check, cert) : undefined),
    ALPNProtocols: ssl.alpn.length ? [...ssl.alpn] : undefined,
    cert: ssl.crt?.certPem,
    key: ssl.crt?.keyPem,
    minVersion: ssl.minVersion,
    maxVersion: ssl.maxVersion,
    ...(ssl.ciphers !== null ? { ciphers: ssl.ciphers } : {}),
    session: ssl.reuse ? sessions.get(sessionKey) : undefined,
    noDelay: true,
    allowHalfOpen: true,
  } as tls.ConnectionOptions & { allowHalfOpen: boolean; noDelay: boolean });
  const conn = new NetConn(sock);
  if (ssl.reuse) {
    sock.on('session', (s: Buffer) => {
      if (!sessions.has(sessionKey) && sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(sessionKey, s);
    });
  }
  let settled = false;
  const onErr = (e: NodeJS.ErrnoException) => {
    if (settled) return;
    settled = true;
    // a refused certificate must not be resumed later
    sessions.delete(sessionKey);
    if (!conn.closed) done(e.code ?? e.message);
  };
  sock.once('error', onErr);
  sock.once('secureConnect', () => {
    if (settled) return;
    settled = true;
    sock.off('error', onErr);
    sock.pause();
    if (!conn.closed) done(null);
  });
  return conn;
}
