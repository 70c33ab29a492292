/**
 * Test peers for the PROXY protocol: a server that reads the header a proxy sends (answering with what it
 * parsed, then echoing), and the client-side reader of that answer.
 */
import type net from 'node:net';
import { parseProxyHeader } from '../../daemon/proxy/proxy-protocol.js';
import type { Endpoints } from '../../daemon/proxy/conn.js';
import { tcpServer, type TestServer } from './net.js';

/** A server that expects a PROXY header: answers one JSON line with what it parsed, then echoes the payload. */
export function headerServer(seen: Buffer[] = []): Promise<TestServer> {
  return tcpServer((s) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const r = parseProxyHeader(buf);
      if (r.state === 'more') return;
      s.off('data', onData);
      seen.push(buf.subarray(0, r.state === 'done' ? r.end : buf.length));
      if (r.state === 'error') return void s.end(`${JSON.stringify({ error: r.reason })}\n`);
      s.write(`${JSON.stringify(r.endpoints)}\n`);
      const rest = buf.subarray(r.end);
      if (rest.length) s.write(rest);
      s.pipe(s);
    };
    s.on('data', onData);
  });
}

/** Read the server's JSON line and the `n` payload bytes echoed after it. */
export function readHeaderAnswer(c: net.Socket, n: number): Promise<{ addr: Endpoints; payload: string }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error(`timed out, got ${JSON.stringify(buf.toString())}`)), 5000);
    const done = (e: Error | null) => {
      clearTimeout(timer);
      c.off('data', onData);
      if (e) return reject(e);
      const nl = buf.indexOf(0x0a);
      resolve({ addr: JSON.parse(buf.toString('utf8', 0, nl)) as Endpoints, payload: buf.toString('utf8', nl + 1) });
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf(0x0a);
      if (nl >= 0 && buf.length - nl - 1 >= n) done(null);
    };
    c.on('data', onData);
  });
}

