/**
 * SNI routing side by side with the real HAProxy 2.6: one configuration (tcp-request inspect-delay,
 * content accept/reject, req.ssl_sni with and without -i) run by both, the same raw client bytes sent to
 * each, the backend reached (or the close) compared. Skipped (visibly) when haproxy is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { parseConfigText } from '../../daemon/config/index.js';
import { connect, freePort, namedServer } from '../helpers/net.js';
import { nodeHello } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p)) ?? null;

const canConnect = (port: number): Promise<boolean> =>
  new Promise((r) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });

/** The configuration both run: `sni` routes on the name, `strict` rejects what is not a TLS hello. */
const configText = (sni: number, strict: number, api: number, www: number, dflt: number): string => `
defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend sni
  bind 127.0.0.1:${sni}
  tcp-request inspect-delay 2s
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend api if { req.ssl_sni -i api.example.com }
  use_backend www if { req_ssl_sni www.example.com }
  default_backend dflt
frontend strict
  bind 127.0.0.1:${strict}
  tcp-request inspect-delay 2s
  tcp-request content reject if !{ req.ssl_hello_type 1 }
  use_backend api if { req.ssl_sni -i api.example.com }
  default_backend dflt
backend api
  server s 127.0.0.1:${api}
backend www
  server s 127.0.0.1:${www}
backend dflt
  server s 127.0.0.1:${dflt}
`;

/** Send `bytes` (then FIN when `end`), answer with the first line the reached server sent, or `closed`. */
function reached(port: number, bytes: Buffer, end: boolean): Promise<string> {
  return connect(port, { allowHalfOpen: true }).then(
    (c) =>
      new Promise<string>((resolve) => {
        let buf = '';
        const done = (v: string) => {
          c.destroy();
          resolve(v);
        };
        c.on('data', (d: Buffer) => {
          buf += d.toString('latin1');
          const i = buf.indexOf('\n');
          if (i >= 0) done(buf.slice(0, i));
        });
        c.on('end', () => done('closed'));
        c.on('close', () => done('closed'));
        c.on('error', () => done('closed'));
        if (end) c.end(bytes);
        else c.write(bytes);
      }),
  );
}

/** A hello split over two TLS records (60 bytes of handshake in the first). */
function twoRecords(hello: Buffer): Buffer {
  const body = hello.subarray(5);
  const rec = (b: Buffer) => Buffer.concat([Buffer.from([0x16, 3, 1, b.length >> 8, b.length & 255]), b]);
  return Buffer.concat([rec(body.subarray(0, 60)), rec(body.subarray(60))]);
}

test('SNI routing: lbd and HAProxy 2.6 reach the same backends on the same bytes', async (t) => {
  if (HAPROXY === null) return t.skip('haproxy is not installed');
  const servers = await Promise.all([namedServer('api'), namedServer('www'), namedServer('dflt')]);
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const [api, www, dflt] = servers.map((s) => s.port);
  const [lbdSni, lbdStrict, hxSni, hxStrict] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const loaded = await parseConfigText(configText(lbdSni, lbdStrict, api, www, dflt), 'sni.cfg');
  assert.ok(loaded.config, loaded.diagnostics.map((d) => d.message).join('\n'));
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  await rt.apply(loaded.config);
  t.after(async () => {
    await rt.closeListeners();
    rt.shutdown();
  });

  const dir = mkdtempSync(join(tmpdir(), 'lbd-sni-'));
  const file = join(dir, 'h.cfg');
  writeFileSync(file, configText(hxSni, hxStrict, api, www, dflt));
  const proc = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  t.after(() => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    return (await canConnect(hxSni)) && (await canConnect(hxStrict));
  }, 5000, 'haproxy listening');

  const apiHello = await nodeHello('api.example.com');
  const cases: [string, 'sni' | 'strict', Buffer, boolean, string][] = [
    ['api.example.com', 'sni', apiHello, false, 'api'],
    ['API.EXAMPLE.COM with -i', 'sni', await nodeHello('API.EXAMPLE.COM'), false, 'api'],
    ['www.example.com', 'sni', await nodeHello('www.example.com'), false, 'www'],
    ['WWW.example.com without -i', 'sni', await nodeHello('WWW.example.com'), false, 'dflt'],
    ['no SNI', 'sni', await nodeHello(''), false, 'dflt'],
    ['a hello over two records', 'sni', twoRecords(apiHello), false, 'dflt'],
    ['not TLS', 'sni', Buffer.from('hello\n'), false, 'dflt'],
    ['part of a record, then FIN', 'sni', Buffer.from([0x16, 3, 1]), true, 'dflt'],
    ['a whole hello, then FIN', 'sni', apiHello, true, 'api'],
    ['strict: a hello', 'strict', apiHello, false, 'api'],
    ['strict: not TLS', 'strict', Buffer.from('GET / HTTP/1.1\r\n\r\n'), false, 'closed'],
    ['strict: part of a record, then FIN', 'strict', Buffer.from([0x16, 3, 1]), true, 'closed'],
  ];
  for (const [what, fe, bytes, end, want] of cases) {
    const hx = await reached(fe === 'sni' ? hxSni : hxStrict, bytes, end);
    const lbd = await reached(fe === 'sni' ? lbdSni : lbdStrict, bytes, end);
    assert.equal(hx, want, `haproxy, ${what}`);
    assert.equal(lbd, hx, `lbd as haproxy, ${what}`);
  }
});
