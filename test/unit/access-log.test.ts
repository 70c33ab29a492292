/**
 * HAProxy access-log lines (daemon/http/access-log.ts). The fixture lines were logged by the real
 * HAProxy 2.6.12 (test/fixtures/http/haproxy-logs.txt, captured by capture-haproxy-logs.mjs); each test
 * builds the TxnLog of that transaction and expects the very same line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TxnLog } from '../../daemon/http/txn-log.js';
import type { FetchContext } from '../../daemon/http/acl/fetches.js';
import type { FormatNode } from '../../daemon/http/acl/types.js';
import { parseLogFormat } from '../../daemon/http/acl/format.js';
import {
  encodeLogUri,
  formatAccessLog,
  formatConnectLog,
  formatHttpLog,
  formatHttpLogClf,
  formatLogFormat,
  formatTcpLog,
  logDateMs,
  logDateTz,
} from '../../daemon/http/access-log.js';
import type { ProxyLogConfig } from '../../daemon/config/types-http.js';
import { view } from './acl-helpers.js';

process.env.TZ = 'UTC'; // the capture ran in UTC; tests of local time set their own zone

const FIXTURE = new URL('../../../test/fixtures/http/haproxy-logs.txt', import.meta.url);
const captured = new Map<string, string>();
for (const l of readFileSync(FIXTURE, 'utf8').split('\n')) {
  if (l === '' || l.startsWith('#')) continue;
  const tab = l.indexOf('\t');
  captured.set(l.slice(0, tab), JSON.parse(l.slice(tab + 1)) as string);
}
const line = (name: string): string => {
  const l = captured.get(name);
  assert.ok(l !== undefined, `fixture row ${name}`);
  return l;
};

/** 21/Nov/2026 04:53:<sec>.<ms> UTC, the day of the capture. */
const at = (sec: number, ms: number): number => Date.UTC(2026, 10, 21, 4, 53, sec, ms);

/** The httplog-200 transaction; every other case overrides what differs. */
function rec(over: Partial<TxnLog> = {}): TxnLog {
  return {
    frontend: 'fe_http',
    transport: '',
    backend: 'be_app',
    server: 'app1',
    src: '127.0.0.1',
    srcPort: 44862,
    dst: '127.0.0.1',
    dstPort: 46695,
    serverAddr: '127.0.0.1',
    serverPort: 33023,
    backendSrc: '127.0.0.1',
    backendSrcPort: 51428,
    acceptMs: at(9, 798),
    requestMs: at(9, 798),
    th: 0,
    ti: 0,
    tR: 0,
    tw: 0,
    tc: 0,
    tr: 6,
    ta: 6,
    tt: 6,
    status: 200,
    bytesOut: 152,
    bytesIn: 80,
    termination: '--',
    cookieState: '--',
    actconn: 1,
    feconn: 1,
    beconn: 0,
    srvconn: 0,
    retries: 0,
    redispatched: false,
    srvQueue: 0,
    backendQueue: 0,
    method: 'GET',
    uri: '/ok?x=1',
    version: 'HTTP/1.1',
    ...over,
  };
}
const noServer = { server: null, serverAddr: null, serverPort: null, backendSrc: null, backendSrcPort: null } as const;

const FETCH_CTX: FetchContext = { dir: 'res', acl: false, userlist: () => () => null };
function nodes(text: string): readonly FormatNode[] {
  const n = parseLogFormat(text, FETCH_CTX);
  if (typeof n === 'string') throw new Error(n);
  return n;
}

test('option httplog: a 200 as HAProxy 2.6 logs it', () => {
  assert.equal(formatHttpLog(rec()), line('httplog-200'));
});

test('option httplog: 503 with no server (<NOSRV>, SC)', () => {
  const r = rec({ ...noServer, srcPort: 44878, acceptMs: at(9, 958), requestMs: at(9, 958), backend: 'be_none', tw: -1, tc: -1, tr: -1, ta: 0, status: 503, bytesOut: 217, termination: 'SC', uri: '/nosrv' });
  assert.equal(formatHttpLog(r), line('httplog-503-nosrv'));
});

test('option httplog: a denied request (frontend as backend, PR)', () => {
  const r = rec({ ...noServer, srcPort: 44888, acceptMs: at(10, 113), requestMs: at(10, 113), backend: 'fe_http', tw: -1, tc: -1, tr: -1, ta: 0, status: 403, bytesOut: 192, termination: 'PR', uri: '/deny' });
  assert.equal(formatHttpLog(r), line('httplog-403-deny'));
});

test('option httplog: the client aborts during the response body (CD)', () => {
  const r = rec({ srcPort: 44904, acceptMs: at(10, 265), requestMs: at(10, 265), tr: 51, ta: 355, tt: 355, bytesOut: 167, termination: 'CD', uri: '/stream' });
  assert.equal(formatHttpLog(r), line('httplog-cd-client-abort'));
});

test('option httplog: server timeout (504, sH)', () => {
  const r = rec({ srcPort: 44916, acceptMs: at(10, 795), requestMs: at(10, 795), tr: -1, ta: 502, tt: 502, status: 504, bytesOut: 198, termination: 'sH', uri: '/slow' });
  assert.equal(formatHttpLog(r), line('httplog-sh-server-timeout'));
});

test('option httplog: request timeout (408, cR, <BADREQ>) and a refused request (400, PR)', () => {
  const base = { ...noServer, backend: 'fe_http', tR: -1, tw: -1, tc: -1, tr: -1, bytesOut: 0, method: null, uri: null, version: null };
  const r408 = rec({ ...base, srcPort: 44930, acceptMs: at(11, 451), requestMs: at(11, 451), ta: 301, tt: 301, status: 408, termination: 'cR' });
  assert.equal(formatHttpLog(r408), line('httplog-408-cr'));
  const r400 = rec({ ...base, srcPort: 44936, acceptMs: at(13, 195), requestMs: at(13, 195), ta: 0, tt: 0, status: 400, termination: 'PR' });
  assert.equal(formatHttpLog(r400), line('httplog-400-badreq'));
});

test('option httplog: without header captures %hr %hs and their separators vanish', () => {
  const withCaptures = line('httplog-captures');
  const expected = withCaptures.replace(' {example.test|capture/1.0} {text/plain}', '');
  assert.notEqual(expected, withCaptures);
  const r = rec({ frontend: 'fe_cap', srcPort: 48350, acceptMs: at(12, 61), requestMs: at(12, 61), tr: 0, ta: 0, uri: '/ok' });
  assert.equal(formatHttpLog(r), expected);
});

test('option httplog clf', () => {
  const r = rec({ frontend: 'fe_clf', srcPort: 41796, acceptMs: at(11, 907), requestMs: at(11, 907), tr: 1, ta: 1 });
  assert.equal(formatHttpLogClf(r), line('clf-200'));
});

test('option tcplog', () => {
  const r = rec({ frontend: 'fe_tcp', backend: 'be_tcp', server: 'echo1', srcPort: 35942, acceptMs: at(13, 347), requestMs: at(13, 347), tw: 1, tc: 0, tr: -1, ta: -1, tt: 200, status: -1, bytesOut: 6, bytesIn: 6, method: null, uri: null, version: null });
  assert.equal(formatTcpLog(r), line('tcplog'));
});

test('default (no httplog/tcplog/log-format): the Connect from line, per mode', () => {
  assert.equal(formatConnectLog({ src: '127.0.0.1', srcPort: 57516, dst: '127.0.0.1', dstPort: 36467, frontend: 'fe_dflt' }, 'http'), line('default-http'));
  assert.equal(formatConnectLog({ src: '::ffff:127.0.0.1', srcPort: 55998, dst: '127.0.0.1', dstPort: 42271, frontend: 'fe_tcpdflt' }, 'tcp'), line('default-tcp'));
});

// the log-format strings of capture-haproxy-logs.mjs
const FMT_ALL =
  'ci=%ci cp=%cp fi=%fi fp=%fp f=%f ft=%ft b=%b s=%s si=%si sp=%sp bi=%bi bp=%bp|t=%t tr=%tr trg=%trg trl=%trl T=%T Ts=%Ts ms=%ms|Th=%Th Ti=%Ti TR=%TR Tq=%Tq Tw=%Tw Tc=%Tc Tr=%Tr Td=%Td Ta=%Ta Tt=%Tt|ST=%ST B=%B U=%U CC=%CC CS=%CS ts=%ts tsc=%tsc ac=%ac fc=%fc bc=%bc sc=%sc rc=%rc sq=%sq bq=%bq|HM=%HM HU=%HU HP=%HP HPO=%HPO HQ=%HQ HV=%HV r=%r|Q=%{+Q}r X=%{+X}ci Xp=%{+X}cp QB=%{+Q}b E=%{+E}HU H=%H hr=%hr hs=%hs src=%[src] dp=%[dst_port] qsrc=%{+Q}[src] pct=%%';
const FMT_SEP =
  '  a  %hr  b %{+Q}hs c  si=%si sp=%sp bi=%bi bp=%bp s=%s Qs=%{+Q}s QST=%{+Q}ST XST=%{+X}ST QTt=%{+Q}Tt Qci=%{+Q}ci QCC=%{+Q}CC HQ=%HQ QHQ=%{+Q}HQ r=%r HV=%HV Tr=%Tr B=%B U=%U Th=%Th Ti=%Ti tsc=%tsc Xms=%{+X}ms Xts=%{+X}Ts  ';
const FMT_TCP = 'ST=%ST Th=%Th Tw=%Tw Tc=%Tc Tt=%Tt U=%U B=%B tsc=%tsc ts=%ts s=%s si=%si bc=%bc';

test('log-format: every variable, flags and samples as HAProxy writes them', () => {
  const r = rec({ frontend: 'fe_fmt', srcPort: 38096, dstPort: 34067, acceptMs: at(12, 365), requestMs: at(12, 365), tr: 0, ta: 0, tt: 0, bytesIn: 89, uri: '/a/b?q="1"]' });
  const v = view({ src: '127.0.0.1', dst: '127.0.0.1', dstPort: 34067, url: '/a/b?q="1"]' });
  assert.equal(formatLogFormat(nodes(FMT_ALL), r, v, { hostname: 'vm' }), line('logformat-all'));
});

test('log-format: separators collapse, unknown values print - or "", <BADREQ> for an unparsed request', () => {
  const base = { ...noServer, frontend: 'fe_fmt2', tr: -1, tt: 0, ta: 0 };
  const nosrv = rec({ ...base, backend: 'be_none', acceptMs: 1795236792518, requestMs: 1795236792518, status: 503, bytesOut: 217, bytesIn: 38, termination: 'SC', uri: '/nosrv', version: 'HTTP/1.0' });
  assert.equal(formatLogFormat(nodes(FMT_SEP), nosrv, null), line('logformat-sep-nosrv'));
  const bad = rec({ ...base, backend: 'fe_fmt2', acceptMs: 1795236792671, requestMs: 1795236792671, tR: -1, tw: -1, tc: -1, status: 400, bytesOut: 0, bytesIn: 0, termination: 'PR', method: null, uri: null, version: null });
  assert.equal(formatLogFormat(nodes(FMT_SEP), bad, null), line('logformat-sep-badreq'));
});

test('log-format in mode tcp: %ST is 0', () => {
  const r = rec({ frontend: 'fe_tcpfmt', backend: 'be_tcp', server: 'echo1', tw: 1, tc: 0, tr: -1, ta: -1, tt: 203, status: -1, bytesOut: 6, bytesIn: 6, method: null, uri: null, version: null });
  assert.equal(formatLogFormat(nodes(FMT_TCP), r, null, { mode: 'tcp' }), line('logformat-tcp'));
  assert.match(formatLogFormat(nodes(FMT_TCP), r, null), /^ST=-1 /);
});

test('dates: %t/%tr local with ms, %T/%trg GMT, %Tl/%trl local with the offset', () => {
  const ms = Date.UTC(2026, 10, 21, 10, 11, 12, 345);
  assert.equal(logDateMs(ms), '21/Nov/2026:10:11:12.345');
  assert.equal(logDateTz(ms, false), '21/Nov/2026:10:11:12 +0000');
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(logDateMs(ms), '21/Nov/2026:15:41:12.345');
    assert.equal(logDateTz(ms, false), '21/Nov/2026:10:11:12 +0000');
    assert.equal(logDateTz(ms, true), '21/Nov/2026:15:41:12 +0530');
    const r = rec({ acceptMs: ms, requestMs: ms + 1005 });
    assert.equal(formatLogFormat(nodes('%t|%tr|%T|%Tl|%trg|%trl|%Ts|%ms'), r, null),
      '21/Nov/2026:15:41:12.345|21/Nov/2026:15:41:13.350|21/Nov/2026:10:11:12 +0000|21/Nov/2026:15:41:12 +0530|21/Nov/2026:10:11:13 +0000|21/Nov/2026:15:41:13 +0530|1795255872|345');
    process.env.TZ = 'America/New_York';
    assert.equal(logDateTz(Date.UTC(2026, 0, 2, 3, 4, 5), true), '01/Jan/2026:22:04:05 -0500');
    assert.equal(logDateMs(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), '01/Jan/2026:22:04:05.006');
  } finally {
    process.env.TZ = saved;
  }
});

test('timers: %Tq and %Td derived, -1 when a step was not reached', () => {
  const r = rec({ th: 2, ti: 3, tR: 4, tw: 5, tc: 6, tr: 7, ta: 30, tt: 40 });
  assert.equal(formatLogFormat(nodes('%Tq %Td %Tu'), r, null), '9 13 37');
  assert.equal(formatLogFormat(nodes('%Tq %Td'), rec({ tR: -1, tr: -1 }), null), '-1 -1');
  assert.equal(formatLogFormat(nodes('%Td'), rec({ tw: 1, tc: 2, tt: 10 }), null, { mode: 'tcp' }), '7');
});

test('TLS frontend, IPv6, redispatch, hex addresses and ports', () => {
  const r = rec({ transport: '~', src: '2001:db8::1', srcPort: 443, retries: 2, redispatched: true, serverAddr: '::ffff:10.1.2.3', serverPort: 8080 });
  assert.equal(formatLogFormat(nodes('%ft %ci:%cp %{+X}ci %{+Q}ci %rc %si %{+X}si:%{+X}sp %{+X}ST'), r, null),
    'fe_http~ 2001:db8::1:443 2001:db8::1 "2001:db8::1" +2 10.1.2.3 0A010203:1F90 200');
  assert.match(formatHttpLog(r), /^2001:db8::1:443 \[21\/Nov\/2026:04:53:09\.798\] fe_http~ be_app\/app1 0\/0\/0\/6\/6 200 152 - - ---- 1\/1\/0\/0\/\+2 0\/0 "GET \/ok\?x=1 HTTP\/1\.1"$/);
});

test('URIs: control characters, bytes >= 0x7f, " and # are written #XX', () => {
  assert.equal(encodeLogUri('/a b'), '/a b');
  assert.equal(encodeLogUri('/a\x01"#\x7fé€'), '/a#01#22#23#7F#E9#E2#82#AC');
  assert.equal(formatLogFormat(nodes('%{+Q}HU %HP %HPO %HQ'), rec({ uri: 'http://h.test/p"q?x=#1' }), null), '"http://h.test/p#22q?x=#231" http://h.test/p#22q /p#22q ?x=#231');
  assert.equal(formatLogFormat(nodes('%{+E}f %{+E,+Q}HU'), rec({ frontend: 'a"b]', uri: '/x\\y]' }), null), 'a\\"b\\] "/x\\\\y\\]"');
});

test('samples: evaluated on the view, - without one, %o applies its flags to what follows', () => {
  const n = nodes('%[req.hdr(host)] %{+Q}[src] %[req.hdr(x-none)]');
  assert.equal(formatLogFormat(n, rec(), view({ src: '192.0.2.7', headers: [['Host', 'h.test']] })), 'h.test "192.0.2.7" -');
  assert.equal(formatLogFormat(n, rec(), null), '- "" -');
  assert.equal(formatLogFormat(nodes('%{+Q}o %b %s %ST %ci'), rec(), null), '"be_app" "app1" 200 "127.0.0.1"');
});

test('values TxnLog does not carry print what HAProxy prints without them', () => {
  assert.equal(formatLogFormat(nodes('[%ID] [%sslc] [%sslv] [%CC] [%CS] [%{+Q}ID] [%hr] [%hsl]'), rec(), null), '[-] [-] [-] [-] [-] [""] [] []');
  assert.equal(formatLogFormat(nodes('%pid %{+X}pid %H'), rec(), null, { pid: 300, hostname: 'lb1' }), '300 012C lb1');
});

test('formatAccessLog picks the style; dontlognull skips connections that sent nothing', () => {
  const cfg = (style: ProxyLogConfig['style'], extra: Partial<ProxyLogConfig> = {}): ProxyLogConfig => ({ targets: [], style, format: null, dontlognull: false, ...extra });
  const r = rec();
  assert.equal(formatAccessLog(r, cfg('httplog'), null), line('httplog-200'));
  assert.equal(formatAccessLog(r, cfg('tcplog'), null), formatTcpLog(r));
  assert.equal(formatAccessLog(r, cfg('httplog-clf'), null), formatHttpLogClf(r));
  assert.equal(formatAccessLog(r, cfg(null), null), null);
  assert.equal(formatAccessLog(r, cfg('custom', { format: { text: '%b', nodes: nodes('%b') } }), null), 'be_app');
  assert.equal(formatAccessLog(rec({ bytesIn: 0 }), cfg('httplog', { dontlognull: true }), null), null);
  assert.equal(formatAccessLog(r, cfg('httplog', { dontlognull: true }), null), line('httplog-200'));
});
