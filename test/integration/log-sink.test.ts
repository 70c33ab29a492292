/**
 * daemon/log-sink.ts over real sockets on loopback: UDP syslog datagrams byte for byte as HAProxy 2.6
 * sends them (test/fixtures/http/haproxy-logs.txt), len, sample, levels, `log global`, fd@N, UNIX
 * stream sockets, congestion, and every socket closed at the end. No sleeps: each wait has a deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogFormatName, LogLevel, LogTarget } from '../../daemon/config/types-http.js';
import { createAccessLog, isoDate, parseSample, rfc3164Date } from '../../daemon/log-sink.js';
import { memoryLogger } from '../../daemon/log.js';

process.env.TZ = 'UTC'; // as during the capture

const FIXTURE = new URL('../../../test/fixtures/http/haproxy-logs.txt', import.meta.url);
const captured = new Map<string, string>();
for (const l of fs.readFileSync(FIXTURE, 'utf8').split('\n')) {
  if (l === '' || l.startsWith('#')) continue;
  const tab = l.indexOf('\t');
  captured.set(l.slice(0, tab), JSON.parse(l.slice(tab + 1)) as string);
}
const row = (name: string): string => {
  const v = captured.get(name);
  assert.ok(v !== undefined, name);
  return v;
};

const where = { file: 'lbd.cfg', line: 1 };
function target(over: Partial<Extract<LogTarget, { kind: 'target' }>>): LogTarget {
  return { kind: 'target', transport: 'udp', address: '127.0.0.1:514', host: '127.0.0.1', port: 514, len: 1024, format: 'raw', sample: null, facility: 'local0', level: null, minLevel: null, where, ...over };
}

/** A UDP receiver on 127.0.0.1:0 whose datagrams are awaited with a deadline. */
async function receiver(): Promise<{ port: number; next: (ms?: number) => Promise<string>; queued: () => readonly string[]; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const queue: string[] = [];
  const waiters: ((m: string) => void)[] = [];
  sock.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m.toString('latin1'));
    else queue.push(m.toString('latin1'));
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const next = (ms = 2000): Promise<string> => {
    const q = queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no datagram within ${ms} ms`)), ms);
      waiters.push((m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  };
  return { port: (sock.address() as net.AddressInfo).port, next, queued: () => queue, close: () => new Promise((r) => sock.close(() => r())) };
}

/** Open handles of a kind, once libuv has finished closing what was closed (two turns of the loop). */
async function handles(kind: string): Promise<number> {
  await new Promise<void>((r) => setImmediate(() => setImmediate(r)));
  return process.getActiveResourcesInfo().filter((x) => x === kind).length;
}

test('UDP: every header format as HAProxy 2.6 sends it, PRI from facility and level', async (t) => {
  const rx = await receiver();
  t.after(() => rx.close());
  const before = await handles('UDPWrap');
  const formats: LogFormatName[] = ['rfc3164', 'rfc5424', 'short', 'priority', 'timed', 'iso', 'local'];
  const msg = row('httplog-200');
  for (const f of formats) {
    const expected = row(`syslog-${f}`);
    // the capture's own timestamp: 04:53:09 and, for the ISO formats, its microseconds
    const iso = /2026-11-21T04:53:09\.(\d{6})\+00:00/.exec(expected);
    const now = Date.UTC(2026, 10, 21, 4, 53, 9, iso ? Number(iso[1].slice(0, 3)) : 804) + (iso ? Number(iso[1].slice(3)) / 1000 : 0);
    const log = createAccessLog([target({ format: f, port: rx.port })], [], 'haproxy', { pid: 20612, now: () => now });
    assert.ok(log);
    log.emit(msg);
    assert.equal(await rx.next(), expected + '\n', f);
    await log.close();
    assert.equal(log.sent, 1);
    assert.equal(log.dropped, 0);
  }
  assert.equal(await handles('UDPWrap'), before, 'every UDP socket of the log is closed');
});

test('UDP: default header (local), len truncation, hostname, sample ranges, levels', async (t) => {
  const rx = await receiver();
  t.after(() => rx.close());
  const now = Date.UTC(2026, 10, 21, 4, 56, 36, 780);
  const msg = '127.0.0.1:41976 [21/Nov/2026:04:56:36.774] f b/s 0/0/0/2/2 200 102 - - ---- 1/1/0/0/0 0/0 "GET /req1 HTTP/1.1"';
  const opts = { pid: 22191, now: () => now };
  const one = async (tg: Partial<Extract<LogTarget, { kind: 'target' }>>, level?: LogLevel, o = {}): Promise<string> => {
    const log = createAccessLog([target({ port: rx.port, ...tg })], [], 'haproxy', { ...opts, ...o })!;
    log.emit(msg, level);
    await log.close();
    return rx.next();
  };
  assert.equal(await one({ format: 'local' }), row('sink-default-local') + '\n');
  const cut = await one({ format: 'rfc3164', len: 80 });
  assert.equal(cut, row('sink-len80-rfc3164') + '\n');
  assert.equal(Buffer.byteLength(cut), 81);
  assert.match(await one({ format: 'rfc3164' }, 'info', { hostname: 'lb1' }), /^<134>Nov 21 04:56:36 lb1 haproxy\[22191\]: 127/);
  assert.match(await one({ format: 'rfc5424' }, 'info', { hostname: 'lb1' }), /^<134>1 2026-11-21T04:56:36\.780000\+00:00 lb1 haproxy 22191 - - 127/);
  // facility and level: local3 = 19; err = 3; minlevel crit caps emerg/alert at crit (2)
  assert.match(await one({ format: 'priority', facility: 'local3', level: 'debug', minLevel: 'crit' }), /^<158>127/);
  assert.match(await one({ format: 'priority', facility: 'local3', minLevel: 'crit' }, 'emerg'), /^<154>127/);
  assert.match(await one({ format: 'short', facility: 'daemon' }, 'err'), /^<3>127/);

  // sample 1,3-4:5 keeps messages 1, 3, 4, 6 of 1..7 (what HAProxy logged); `notice` drops info lines
  const sampled = createAccessLog([target({ port: rx.port, sample: '1,3-4:5' })], [], 'lbd', opts)!;
  const quiet = createAccessLog([target({ port: rx.port, level: 'notice' })], [], 'lbd', opts)!;
  for (let i = 1; i <= 7; i++) {
    quiet.emit(`quiet ${i}`);
    sampled.emit(`req ${i}`);
  }
  quiet.emit('loud', 'err');
  const got = [await rx.next(), await rx.next(), await rx.next(), await rx.next(), await rx.next()];
  assert.deepEqual(got.sort(), ['loud\n', 'req 1\n', 'req 3\n', 'req 4\n', 'req 6\n']);
  // 'loud' was emitted last: once it is in, nothing more of the earlier lines is on its way
  assert.deepEqual(rx.queued(), []);
  assert.equal(sampled.sent, 4);
  assert.equal(quiet.sent, 1);
  await sampled.close();
  await quiet.close();
});

test('log global stands for the global targets; no target gives no log', async (t) => {
  const rx1 = await receiver();
  const rx2 = await receiver();
  t.after(() => Promise.all([rx1.close(), rx2.close()]));
  assert.equal(createAccessLog([], [target({ port: rx1.port })]), null);
  assert.equal(createAccessLog([{ kind: 'global', where }], []), null);
  const log = createAccessLog([{ kind: 'global', where }, target({ port: rx2.port, format: 'short' })], [target({ port: rx1.port })])!;
  const before = await handles('UDPWrap');
  log.emit('both');
  assert.equal(await rx1.next(), 'both\n');
  assert.equal(await rx2.next(), '<6>both\n');
  await log.close();
  assert.equal(await handles('UDPWrap'), before - 2, 'both sockets of the log are closed');
  log.emit('after close');
  assert.equal(log.sent, 2);
});

test('fd@N: whole lines in order; a congested descriptor drops and counts instead of buffering', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbd-log-'));
  const file = path.join(dir, 'out.log');
  const fd = fs.openSync(file, 'w');
  try {
    const t = target({ transport: 'fd', address: `fd@${fd}`, host: String(fd), port: null });
    const log = createAccessLog([t], [], 'lbd', { maxPendingBytes: 1000 })!;
    for (let i = 0; i < 100; i++) log.emit(`line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`);
    assert.ok(log.dropped > 0, 'lines beyond 1000 waiting bytes are dropped');
    assert.equal(log.sent + log.dropped, 100);
    await log.close(); // waits for the writes in flight
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, log.sent);
    for (const l of lines) assert.match(l, /^line \d{3} x{40}$/);
    assert.deepEqual([...lines].sort(), lines, 'in order');
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('UNIX path: a stream socket gets the lines; a path that accepts nothing drops them with one warning', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbd-log-'));
  const sockPath = path.join(dir, 'log.sock');
  const received: string[] = [];
  let gotLine: () => void = () => {};
  const lineArrived = new Promise<void>((r) => (gotLine = r));
  let serverSide: net.Socket | null = null;
  const server = net.createServer((c) => {
    serverSide = c;
    c.on('error', () => {});
    c.on('data', (d) => {
      received.push(d.toString());
      if (received.join('').includes('\n')) gotLine();
    });
  });
  await new Promise<void>((r) => server.listen(sockPath, r));
  const logger = memoryLogger();
  try {
    const log = createAccessLog([target({ transport: 'unix', address: sockPath, host: sockPath, port: null, format: 'rfc3164' })], [], 'lbd', { pid: 7, logger, now: () => Date.UTC(2026, 0, 5, 6, 7, 8) })!;
    log.emit('over unix');
    const deadline = setTimeout(() => gotLine(), 2000);
    await lineArrived;
    clearTimeout(deadline);
    assert.equal(received.join(''), '<134>Jan  5 06:07:08 localhost lbd[7]: over unix\n');
    const pipes = await handles('PipeWrap');
    const peer = serverSide as net.Socket | null;
    assert.ok(peer);
    const peerClosed = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the server side saw no close')), 2000);
      peer.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    await log.close();
    await peerClosed;
    assert.equal(await handles('PipeWrap'), pipes - 2, 'our socket is closed (and so the server side)');

    const missing = path.join(dir, 'missing.sock');
    const bad = createAccessLog([target({ transport: 'unix', address: missing, host: missing, port: null })], [], 'lbd', { logger })!;
    // the connect error arrives on a later tick; lines emitted until then are buffered (bounded), later ones dropped
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = (): void => {
        if (logger.lines.some((l) => l.includes('ENOENT'))) return resolve();
        if (Date.now() - t0 > 2000) return reject(new Error('no warning about the missing socket'));
        setImmediate(poll);
      };
      poll();
    });
    bad.emit('a');
    bad.emit('b');
    assert.equal(bad.dropped, 2);
    assert.equal(logger.lines.filter((l) => l.includes('ENOENT')).length, 1, 'one warning, not one per line');
    assert.ok(logger.lines.some((l) => l.includes('UNIX datagram')));
    await bad.close();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ring targets are refused with a warning and counted as dropped', async () => {
  const logger = memoryLogger();
  const log = createAccessLog([target({ transport: 'ring', address: 'ring@r1', host: 'r1', port: null })], [], 'lbd', { logger })!;
  log.emit('x');
  assert.equal(log.dropped, 1);
  assert.ok(logger.lines.some((l) => l.includes('ring')));
  await log.close();
});

test('header helpers: RFC 3164 pads the day with a space; ISO has microseconds and the local offset', () => {
  assert.equal(rfc3164Date(Date.UTC(2026, 0, 5, 6, 7, 8)), 'Jan  5 06:07:08');
  assert.equal(isoDate(Date.UTC(2026, 0, 5, 6, 7, 8, 9) + 0.5), '2026-01-05T06:07:08.009500+00:00');
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(isoDate(Date.UTC(2026, 0, 5, 6, 7, 8, 9)), '2026-01-05T11:37:08.009000+05:30');
  } finally {
    process.env.TZ = saved;
  }
  const s = parseSample('1,3-4:5');
  assert.ok(s);
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => s.keep(n)), [true, false, true, true, false]);
  assert.equal(parseSample('1:0'), null);
});

test('stdout: a child process logs whole lines to its stdout and exits once closed', async () => {
  const { spawn } = await import('node:child_process');
  const mod = new URL('../../daemon/log-sink.js', import.meta.url).href;
  const code = `
    const { createAccessLog } = await import(${JSON.stringify(mod)});
    const t = { kind: 'target', transport: 'stdout', address: 'stdout', host: '', port: null, len: 1024, format: 'short', sample: null, facility: 'local0', level: null, minLevel: null, where: { file: 'x', line: 1 } };
    const log = createAccessLog([t], [], 'lbd');
    for (let i = 0; i < 3; i++) log.emit('line ' + i, i === 2 ? 'err' : 'info');
    await log.close();
    process.stderr.write('sent=' + log.sent + ' dropped=' + log.dropped);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const status = await new Promise<number | null>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill();
      reject(new Error('the child did not exit'));
    }, 5000);
    child.on('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  assert.equal(status, 0, err);
  assert.equal(out, '<6>line 0\n<6>line 1\n<3>line 2\n');
  assert.equal(err, 'sent=3 dropped=0');
});

test('TCP: newline-framed lines over a stream connection', async (t) => {
  const received: string[] = [];
  let arrived: () => void = () => {};
  const both = new Promise<void>((r) => (arrived = r));
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.on('data', (d) => {
      received.push(d.toString());
      if (received.join('').split('\n').length === 3) arrived();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as net.AddressInfo).port;
  const log = createAccessLog([target({ transport: 'tcp', address: `tcp@127.0.0.1:${port}`, port, format: 'priority', facility: 'user' })], [], 'lbd')!;
  log.emit('one');
  log.emit('two', 'warning');
  const deadline = setTimeout(() => arrived(), 2000);
  await both;
  clearTimeout(deadline);
  assert.equal(received.join(''), '<14>one\n<12>two\n');
  await log.close();
});

test('a path that is a regular file: lines are appended to it, and the file is closed with the log', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbd-logfile-'));
  const file = path.join(dir, 'access.log');
  fs.writeFileSync(file, 'earlier\n');
  try {
    const log = createAccessLog([target({ transport: 'unix', address: file, host: file, port: null, format: 'raw' })], [], 'lbd', { logger: memoryLogger() })!;
    log.emit('first line');
    log.emit('second line');
    await log.close();
    assert.equal(fs.readFileSync(file, 'utf8'), 'earlier\nfirst line\nsecond line\n');
    assert.equal(log.dropped, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
