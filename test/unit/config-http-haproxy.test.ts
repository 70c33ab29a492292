/**
 * lbd's reading of HTTP configuration compared with HAProxy 2.6 (`haproxy -c`): configurations both accept,
 * and mistakes both refuse. Skips visibly when haproxy is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/lbd-process.js';
import { load, messages } from './acl-helpers.js';

const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p)) ?? null;
const F = join(ROOT, 'test/fixtures/configs/http');

const PRELUDE = ['defaults', '    mode http', '    timeout client 5s', '    timeout server 5s', '    timeout connect 5s'];
const BACKEND = ['backend b', '    server s1 127.0.0.1:80'];

/** `haproxy -c` on a config text: true when valid (warnings allowed), with its output. */
function haproxyCheck(text: string): { valid: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lbd-hc-'));
  try {
    const file = join(dir, 'h.cfg');
    writeFileSync(file, text);
    try {
      return { valid: true, output: execFileSync(HAPROXY!, ['-c', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return { valid: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const text = (...lines: string[]): string => [...PRELUDE, ...lines].join('\n') + '\n';

/** Configurations HAProxy 2.6 and lbd both load. */
const VALID: Record<string, string> = {
  'ACLs with every fetch, flag and match method': text(
    'frontend f',
    '    bind :8080',
    '    acl a1 path /login',
    '    acl a2 path_beg -i /api/ /v2/',
    '    acl a3 path_end .css .js',
    '    acl a4 path_sub admin',
    '    acl a5 path_reg ^/item/[0-9]+$',
    '    acl a6 path_dir static',
    '    acl a7 path_dom example',
    '    acl a8 path_len gt 100',
    '    acl a9 url_beg /',
    '    acl a10 url_param(id) -m found',
    '    acl a11 query -m sub debug=1',
    '    acl a12 method GET HEAD',
    '    acl a13 hdr(host) -i www.example.com',
    '    acl a14 hdr_beg(host) www.',
    '    acl a15 hdr_end(host) .example.com',
    '    acl a16 hdr_sub(user-agent) -i bot',
    '    acl a17 hdr_reg(x-id) ^[a-f0-9]{8}$',
    '    acl a18 hdr_dom(host) example',
    '    acl a19 hdr_cnt(host) gt 1',
    '    acl a20 req.hdr(x-forwarded-for,-1) -m ip 10.0.0.0/8',
    '    acl a21 src 10.0.0.0/8 192.168.0.0/16 2001:db8::/32 127.1',
    '    acl a22 dst_port 80 443 8000:8999',
    '    acl a23 req.cook(SID) -m found',
    '    acl a24 req.cook_cnt(SID) eq 0',
    '    acl a25 hdr(x) -m len 3:5',
    '    acl a26 hdr(host),lower -m end .com',
    `    acl a27 src -f ${F}/blocked-ips.lst`,
    '    acl a28 url_reg -i \\.php$',
    '    acl a29 urlp(sid,;) -m found',
    '    acl a30 hdr_len(host) 0',
    '    use_backend b if a1 a2 || !a3 or { path_beg /x } !{ src 1.2.3.4 } METH_GET HTTP_1.1',
    '    use_backend b unless a4 || LOCALHOST',
    '    default_backend b',
    ...BACKEND,
  ),
  'http-request and http-response actions': text(
    'frontend f',
    '    bind :8080',
    '    acl admin path_beg /admin',
    '    acl auth_ok http_auth(L1)',
    '    http-request auth realm Admin if admin !auth_ok',
    '    http-request deny deny_status 429 if { hdr_cnt(host) gt 1 }',
    '    http-request deny status 403 content-type text/plain string "no" hdr X-Why blocked if { path /forbidden }',
    '    http-request return status 200 content-type text/plain lf-string "ip=%[src]" if { path /ip }',
    `    http-request return status 503 errorfile ${F}/503.http if { path /down }`,
    `    http-request return content-type text/plain file ${F}/robots.txt if { path /robots.txt }`,
    '    http-request redirect scheme https code 301 if { hdr(x-forwarded-proto) http }',
    '    http-request redirect prefix /new drop-query if { path_beg /old }',
    '    http-request redirect location https://www.%[hdr(host)]%[path] code 308 if { path /www }',
    '    http-request set-header X-Client %[src]',
    '    http-request add-header X-Path %[path]',
    '    http-request del-header X-Secret',
    '    http-request del-header x-debug- -m beg',
    '    http-request replace-header User-Agent curl foo',
    '    http-request replace-value X-Forwarded-For ^192\\.168\\.(.*)$ 172.16.\\1',
    '    http-request set-path /api%[path] if { path_beg /v1 }',
    '    http-request set-query a=1',
    '    http-request set-uri %[url]',
    '    http-request set-method GET if { method HEAD }',
    '    http-request replace-path /foo/(.*) /\\1',
    '    http-request replace-uri ^http://(.*) https://\\1',
    '    http-request allow if { src 10.0.0.0/8 }',
    '    http-request reject if { path /reject }',
    '    http-response set-header Cache-Control no-store if { status 200 }',
    '    http-response add-header X-Status %[status]',
    '    http-response del-header Server',
    '    http-response replace-header Set-Cookie (.*) \\1;\\ Secure',
    '    http-response set-status 503 reason Gone if { status 500 }',
    '    http-response deny if { res.hdr(x-leak) -m found }',
    '    default_backend b',
    ...BACKEND,
    'userlist L1',
    '    group G1 users tiger',
    '    user tiger password $6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    '    user scott insecure-password elgato groups G1',
  ),
  'persistence, balancing, retries, connections, errors, logs': text(
    '    log global',
    '    option httplog',
    '    option forwardfor except 127.0.0.0/8 header X-Real-IP if-none',
    '    option http-server-close',
    `    errorfile 503 ${F}/503.http`,
    '    timeout http-request 10s',
    '    timeout http-keep-alive 2s',
    'global',
    '    log stdout format raw local0',
    '    tune.bufsize 32768',
    '    tune.http.maxhdr 200',
    'frontend f',
    '    bind :8080',
    '    monitor-uri /health',
    '    log-format "%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r %[src]"',
    '    option httpclose',
    '    default_backend b',
    'backend b',
    '    balance uri whole len 64 depth 3',
    '    hash-type consistent',
    '    cookie SRV insert indirect nocache httponly secure domain .example.com maxidle 30m maxlife 8h',
    '    retries 3',
    '    retry-on conn-failure empty-response response-timeout 503',
    '    http-reuse always',
    '    option http-keep-alive',
    '    server s1 127.0.0.1:80 cookie s1',
    '    server s2 127.0.0.1:81 cookie s2',
    'backend c',
    '    balance url_param userid',
    '    server s1 127.0.0.1:80',
    'backend d',
    '    balance hdr(Host) use_domain_only',
    '    log 127.0.0.1:514 local0 info',
    '    server s1 127.0.0.1:80',
  ),
};

/** Mistakes HAProxy 2.6 and lbd both refuse (the frontend lines go into `frontend f`). */
const INVALID: Record<string, string[]> = {
  'unknown fetch': ['    acl x path_bag /x'],
  'unknown match method': ['    acl x path -m foo /x'],
  'unclosed fetch argument': ['    acl x hdr(host -i a'],
  'bad network': ['    acl x src 10.0.0.0/33'],
  'address with a port': ['    acl x src 1.2.3.4:80'],
  'bad regex': ['    acl x path_reg ('],
  'not a number': ['    acl x dst_port abc'],
  'missing pattern file': ['    acl x path -f /nonexistent/patterns.lst'],
  'bad acl name': ['    acl x/y path /a'],
  'no such ACL': ['    use_backend b if nope'],
  'ACL declared after use': ['    use_backend b if later', '    acl later path /x'],
  'missing }': ['    use_backend b if { path_beg /x'],
  'empty anonymous ACL': ['    use_backend b if { }'],
  'neither if nor unless': ['    use_backend b when x'],
  'unknown action': ['    http-request set-hedaer X y'],
  'set-header arity': ['    http-request set-header X'],
  'unknown fetch in a value': ['    http-request set-header X %[nofetch]'],
  'unknown converter': ['    http-request set-header X %[src,foo]'],
  'lone %': ['    http-request set-header X "a % b"'],
  'left-over words': ['    http-request deny 500'],
  'bad deny status': ['    http-request deny deny_status 999'],
  'return without content-type': ['    http-request return string hi'],
  'redirect code': ['    http-request redirect prefix /x code 305'],
  'redirect option': ['    http-request redirect location /x bogus'],
  'del-header method': ['    http-request del-header X-A -m dom'],
  'replace-header regex': ['    http-request replace-header X ( y'],
  'auth realm value': ['    http-request auth realm'],
  'errorfile missing': ['    errorfile 503 /nonexistent'],
  'errorfile garbage': [`    errorfile 503 ${F}/garbage.http`],
  'errorfile content-length': [`    errorfile 503 ${F}/cl-mismatch.http`],
  'errorfile code': [`    errorfile 302 ${F}/503.http`],
  'forwardfor except': ['    option forwardfor except'],
  'forwardfor option': ['    option forwardfor foo'],
  'log format': ['    log stdout format foo local0'],
  'log facility': ['    log stdout local9'],
  'log length': ['    log stderr len 50 local0'],
  'log-format variable': ['    log-format "%Zz"'],
  'log-format unquoted spaces': ['    log-format %ci %cp'],
  'monitor-uri without uri': ['    monitor-uri'],
  'userlist not found': ['    acl ok http_auth(L9)'],
};

/** Backend-side mistakes both refuse (lines go into `backend b`). */
const INVALID_BACKEND: Record<string, string[]> = {
  'retry-on status': ['    retry-on 200'],
  'retry-on none with others': ['    retry-on none conn-failure'],
  'http-reuse mode': ['    http-reuse sometimes'],
  'cookie modes': ['    cookie S insert rewrite'],
  'cookie option': ['    cookie S bogus'],
  'cookie without name': ['    cookie'],
  'balance uri option': ['    balance uri foo'],
  'balance uri len 0': ['    balance uri len 0'],
  'balance url_param without name': ['    balance url_param'],
  'balance hdr without name': ['    balance hdr()'],
  'balance hdr modifier': ['    balance hdr(Host) foo'],
};

test('configurations HAProxy 2.6 accepts, lbd accepts too', async (t) => {
  if (HAPROXY === null) return t.skip('haproxy is not installed');
  for (const [name, cfgText] of Object.entries(VALID)) {
    const h = haproxyCheck(cfgText);
    assert.equal(h.valid, true, `${name}: haproxy says\n${h.output}`);
    const r = await load(cfgText);
    assert.deepEqual(messages(r).filter((m) => !m.includes('warning:')), [], name);
  }
});

test('mistakes HAProxy 2.6 refuses, lbd refuses too, at the same line', async (t) => {
  if (HAPROXY === null) return t.skip('haproxy is not installed');
  const cases = [
    ...Object.entries(INVALID).map(([name, lines]) => [name, text('frontend f', '    bind :8080', ...lines, '    default_backend b', ...BACKEND, 'userlist L1', '    user u insecure-password p')] as const),
    ...Object.entries(INVALID_BACKEND).map(([name, lines]) => [name, text('frontend f', '    bind :8080', '    default_backend b', 'backend b', ...lines, '    server s1 127.0.0.1:80')] as const),
  ];
  for (const [name, cfgText] of cases) {
    const h = haproxyCheck(cfgText);
    assert.equal(h.valid, false, `${name}: haproxy accepted it`);
    const line = /\[[^\]]*:(\d+)\]/.exec(h.output)?.[1];
    const r = await load(cfgText);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length > 0, `${name}: lbd accepted it`);
    if (line !== undefined) assert.ok(errors.some((e) => e.where.line === Number(line)), `${name}: haproxy points at line ${line}, lbd at ${errors.map((e) => e.where.line).join(', ')}`);
  }
});

test('the routing example (test/fixtures/configs/http/routing.cfg) is valid for HAProxy 2.6 too', (t) => {
  if (HAPROXY === null) return t.skip('haproxy is not installed');
  const out = execFileSync(HAPROXY, ['-c', '-f', join(F, 'routing.cfg')], { encoding: 'utf8', env: { ...process.env, FIXTURES: F } });
  assert.match(out, /Configuration file is valid/);
});
