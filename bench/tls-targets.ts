/**
 * What the TLS section of `make bench` starts: throwaway certificates (ECDSA P-256 and RSA 2048,
 * self-signed, made with the `openssl` command in the bench temp dir) and the two TLS-terminating
 * peers compared on the HTTP backends: HAProxy 2.6 (`nbthread 1`) and lbd, both `mode http` with the
 * same `bind 127.0.0.1:<port> ssl crt <pem>` line, generated into the temp dir, all on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { httpProxyConfig } from './http-targets.js';
import { which } from './sys.js';
import { LBD_BIN, startListening, unavailable as tcpUnavailable, type Running } from './targets.js';
import { lbdArgv } from '../shared/lbd-command.js';

export type TlsPeerName = 'haproxy' | 'lbd';
export const ALL_TLS_PEERS: readonly TlsPeerName[] = ['haproxy', 'lbd'];

export type CertKind = 'ecdsa' | 'rsa';
export const ALL_CERTS: readonly CertKind[] = ['ecdsa', 'rsa'];
export const CERT_LABEL: Record<CertKind, string> = { ecdsa: 'ECDSA P-256', rsa: 'RSA 2048' };

/** Why a TLS peer cannot run here, or null when it can. */
export function tlsPeerUnavailable(peer: TlsPeerName): string | null {
  return tcpUnavailable(peer);
}

/** Why the TLS section cannot run at all (no `openssl` command: no certificates, no s_time), or null. */
export function tlsToolsUnavailable(): string | null {
  return which('openssl') ? null : 'openssl not installed (Debian package `openssl`): no certificates and no s_time';
}

/**
 * A self-signed certificate for `localhost` of the given kind, written as one PEM (certificate then
 * private key, the form `crt` takes) into `dir`; returns its path. Throws with openssl's output on failure.
 */
export function makeCert(dir: string, kind: CertKind): string {
  const openssl = which('openssl');
  if (!openssl) throw new Error('openssl not installed');
  const key = path.join(dir, `${kind}.key`);
  const crt = path.join(dir, `${kind}.crt`);
  const keyArgs = kind === 'ecdsa' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const r = spawnSync(openssl, ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`openssl req (${CERT_LABEL[kind]}) failed: ${(r.stderr || r.stdout || String(r.error ?? '')).trim()}`);
  const pem = path.join(dir, `${kind}.pem`);
  writeFileSync(pem, readFileSync(crt, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  return pem;
}

/** The HTTP section's `mode http` config with the frontend's bind terminating TLS with `crt`. */
export function tlsProxyConfig(port: number, backendPorts: readonly number[], crt: string, globalExtra: readonly string[] = []): string {
  const plain = httpProxyConfig(port, backendPorts, globalExtra);
  const bind = `    bind 127.0.0.1:${port}\n`;
  if (!plain.includes(bind)) throw new Error('tlsProxyConfig: the HTTP config has no bind line to add `ssl crt` to');
  return plain.replace(bind, `    bind 127.0.0.1:${port} ssl crt ${crt}\n`).replace("bench/http-targets.ts", 'bench/tls-targets.ts');
}

/** Start one TLS peer on `port` (mode http, `ssl crt <crt>`) in front of `backendPorts`. */
export async function startTlsPeer(peer: TlsPeerName, tmp: string, port: number, backendPorts: readonly number[], cert: CertKind, crt: string): Promise<Running> {
  if (peer === 'haproxy') {
    const haproxy = which('haproxy') as string;
    const cfg = path.join(tmp, `haproxy-tls-${cert}.cfg`);
    writeFileSync(cfg, tlsProxyConfig(port, backendPorts, crt, ['nbthread 1', `stats socket ${statsSocket('haproxy', tmp)} mode 600 level admin`]));
    return startListening('haproxy', haproxy, ['-db', '-f', cfg], port, `HAProxy, mode http, nbthread 1, bind ssl crt (${CERT_LABEL[cert]})`);
  }
  const cfg = path.join(tmp, `lbd-tls-${cert}.cfg`);
  // its own admin socket in the temp dir, not the default /run/lbd/admin.sock another lbd may hold
  writeFileSync(cfg, tlsProxyConfig(port, backendPorts, crt, [`stats socket ${statsSocket('lbd', tmp)} mode 600 level admin`]));
  return startListening('lbd', process.execPath, [...lbdArgv(LBD_BIN), '-f', cfg], port, `lbd, mode http, bind ssl crt (${CERT_LABEL[cert]})`);
}

/** What a one-shot `openssl s_client -brief` negotiates with the peer: protocol, cipher, key exchange, signature. */
export function negotiated(port: number): string {
  const openssl = which('openssl');
  if (!openssl) return 'n/a';
  const r = spawnSync(openssl, ['s_client', '-connect', `127.0.0.1:${port}`, '-brief', '-servername', 'localhost'], { input: '', encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const parts = [field('Protocol version'), field('Ciphersuite'), field('Server Temp Key') ?? field('Peer Temp Key'), field('Signature type') ?? field('Peer signature type')].filter(Boolean);
  return parts.length ? parts.join(', ') : `handshake failed: ${text.trim().split('\n').slice(-2).join(' ')}`;
}

/** The peer's stats socket in the temp dir. */
export function statsSocket(peer: TlsPeerName, tmp: string): string {
  return path.join(tmp, `${peer}-tls.sock`);
}

/**
 * `CurrConns` from `show info` on the peer's stats socket: the connections the proxy still holds. Read
 * after a run whose clients have all gone, anything well above zero is connections the proxy did not free.
 */
export function currConns(sock: string, timeoutMs = 2000): Promise<number | null> {
  return new Promise((resolve) => {
    let text = '';
    const s = net.connect(sock);
    const done = () => {
      s.destroy();
      const m = /^CurrConns:\s*(\d+)/m.exec(text);
      resolve(m ? Number(m[1]) : null);
    };
    s.setTimeout(timeoutMs, done);
    s.on('connect', () => s.write('show info\n'));
    s.on('data', (d) => (text += d.toString('utf8')));
    s.on('end', done);
    s.on('error', done);
  });
}
