import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';
import type { HealthCheckConfig } from '../../daemon/config/types.js';

const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: {}, resolveHost: async () => null });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
async function check(...lines: string[]): Promise<HealthCheckConfig> {
  const r = await load(cfg('backend b', ...lines.map((l) => `    ${l}`), '    server s1 127.0.0.1:80 check'));
  assert.deepEqual(messages(r), []);
  assert.ok(r.config);
  return r.config.backends[0].healthCheck;
}
const at = (line: number) => ({ file: 'lbd.cfg', line });

test('option httpchk forms (HAProxy 2.6)', async () => {
  assert.deepEqual((await check('option httpchk')).http, { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [], body: '' });
  assert.deepEqual((await check('option httpchk /health')).http, { method: 'OPTIONS', uri: '/health', version: 'HTTP/1.0', headers: [], body: '' });
  assert.deepEqual((await check('option httpchk GET /readyz')).http, { method: 'GET', uri: '/readyz', version: 'HTTP/1.0', headers: [], body: '' });
  assert.deepEqual((await check('option httpchk HEAD /ping HTTP/1.1')).http, { method: 'HEAD', uri: '/ping', version: 'HTTP/1.1', headers: [], body: '' });
  assert.equal((await check('option httpchk')).type, 'http');
});

test('option httpchk: the legacy \\r\\n trick after the version becomes headers', async () => {
  const h = await check('option httpchk GET /health HTTP/1.1\\r\\nHost:\\ www.example.com\\r\\nX-Check:\\ 1');
  assert.deepEqual(h.http, { method: 'GET', uri: '/health', version: 'HTTP/1.1', headers: [['Host', 'www.example.com'], ['X-Check', '1']], body: '' });
});

test('http-check send sets the request and overrides option httpchk', async () => {
  const h = await check('option httpchk GET /old', 'http-check send meth POST uri /readyz ver HTTP/1.1 hdr Host example.com hdr "X-Token" "a b" body "{}"');
  assert.deepEqual(h.http, { method: 'POST', uri: '/readyz', version: 'HTTP/1.1', headers: [['Host', 'example.com'], ['X-Token', 'a b']], body: '{}' });
  const partial = await check('option httpchk GET /old HTTP/1.1', 'http-check send hdr Host x');
  assert.deepEqual(partial.http, { method: 'GET', uri: '/old', version: 'HTTP/1.1', headers: [['Host', 'x']], body: '' });
});

test('http-check expect: status, rstatus, string, rstring, negation; in order', async () => {
  const h = await check('option httpchk', 'http-check expect status 200', 'http-check expect status 200-399', 'http-check expect status 200,204,300-399', 'http-check expect rstatus ^2', 'http-check expect string ok', 'http-check expect ! rstring "^err(or)?"');
  assert.deepEqual(h.expect, [
    { negate: false, match: 'status', pattern: '200', where: at(3) },
    { negate: false, match: 'status', pattern: '200-399', where: at(4) },
    { negate: false, match: 'status', pattern: '200,204,300-399', where: at(5) },
    { negate: false, match: 'rstatus', pattern: '^2', where: at(6) },
    { negate: false, match: 'string', pattern: 'ok', where: at(7) },
    { negate: true, match: 'rstring', pattern: '^err(or)?', where: at(8) },
  ]);
});

test('http-check disable-on-404 and option log-health-checks', async () => {
  const h = await check('option httpchk', 'http-check disable-on-404', 'option log-health-checks');
  assert.equal(h.disableOn404, true);
  assert.equal(h.logHealthChecks, true);
});

test('option tcp-check with tcp-check rules, in order', async () => {
  const h = await check('option tcp-check', 'tcp-check connect', 'tcp-check connect port 6379', 'tcp-check send PING\\r\\n', 'tcp-check expect string +PONG', 'tcp-check send-binary 0A0b', 'tcp-check expect binary 0d0a', 'tcp-check expect ! rstring ^-ERR');
  assert.equal(h.type, 'tcp-check');
  assert.deepEqual(h.tcpCheck, [
    { kind: 'connect', port: null, where: at(3) },
    { kind: 'connect', port: 6379, where: at(4) },
    { kind: 'send', data: 'PING\r\n', where: at(5) },
    { kind: 'expect', negate: false, match: 'string', pattern: '+PONG', where: at(6) },
    { kind: 'send-binary', hex: '0a0b', where: at(7) },
    { kind: 'expect', negate: false, match: 'binary', pattern: '0d0a', where: at(8) },
    { kind: 'expect', negate: true, match: 'rstring', pattern: '^-ERR', where: at(9) },
  ]);
});

test('the last check type wins', async () => {
  assert.equal((await check('option httpchk', 'option tcp-check')).type, 'tcp-check');
  assert.equal((await check('option tcp-check', 'option httpchk')).type, 'http');
});

test('rules without their option are kept but warned about', async () => {
  const r = await load(cfg('backend b', '    http-check expect status 200', '    tcp-check send x', '    server s1 127.0.0.1:80 check'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: warning: 'http-check' rules are ignored in backend 'b' because 'option httpchk' is not set",
    "lbd.cfg:3: warning: 'tcp-check' rules are ignored in backend 'b' because 'option tcp-check' is not set",
  ]);
});

test('check rules from defaults are inherited unless the proxy declares its own', async () => {
  const r = await load(
    cfg(
      'defaults',
      '    option httpchk GET /d',
      '    http-check expect status 200',
      '    http-check send hdr Host d',
      'backend a',
      'backend b',
      '    http-check expect status 204',
      'backend c',
      '    option tcp-check',
      '    tcp-check connect',
    ),
  );
  assert.deepEqual(messages(r).filter((m) => !m.includes('warning')), []);
  const [a, b, c] = r.config!.backends.map((x) => x.healthCheck);
  assert.deepEqual(a.expect.map((e) => e.pattern), ['200']);
  assert.deepEqual(a.http.headers, [['Host', 'd']]);
  assert.deepEqual(b.expect.map((e) => e.pattern), ['204']);
  assert.deepEqual(b.http, { method: 'GET', uri: '/d', version: 'HTTP/1.0', headers: [], body: '' });
  assert.equal(c.type, 'tcp-check');
  assert.equal(c.tcpCheck.length, 1);
});

test('check keyword errors', async () => {
  const r = await load(
    cfg(
      'backend b',
      '    option httpchk GET / HTTP/1.1 extra',
      '    option httpchk GET / HTTP/1.1\\r\\nbadheader',
      '    option tcp-check now',
      '    http-check',
      '    http-check connect',
      '    http-check expect',
      '    http-check expect status',
      '    http-check expect status 99',
      '    http-check expect status 300-200',
      '    http-check expect status 2xx',
      '    http-check expect rstatus (',
      '    http-check expect hdr name x',
      '    http-check expect min-recv 10 string ok',
      '    http-check expect string two words',
      '    http-check send',
      '    http-check send meth',
      '    http-check send hdr Host',
      '    http-check send method GET',
      '    http-check send uri /a',
      '    http-check send uri /b',
      '    http-check disable-on-404 now',
      '    tcp-check connect port',
      '    tcp-check connect port 0',
      '    tcp-check connect ssl',
      '    tcp-check send',
      '    tcp-check send-binary xyz',
      '    tcp-check send-binary abc',
      '    tcp-check expect rbinary ab',
      '    tcp-check expect binary 0g',
      '    tcp-check expect rstring [',
      '    tcp-check expct string x',
      '    server s1 127.0.0.1:80 check',
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'option httpchk': unexpected argument 'extra' (expects [<uri>] or <method> <uri> [<version>])",
    "lbd.cfg:3: 'option httpchk': invalid header 'badheader' after the HTTP version (expected 'Name: value')",
    "lbd.cfg:4: 'option tcp-check': unexpected argument 'now' (expects no argument)",
    "lbd.cfg:5: 'http-check': expects http-check rule (one of send, expect, disable-on-404)",
    "lbd.cfg:6: 'http-check': unknown http-check rule 'connect'",
    "lbd.cfg:7: 'http-check expect': expects [!] <match> <pattern> with <match> one of status, rstatus, string, rstring",
    "lbd.cfg:8: 'http-check expect': expects a pattern after 'status'",
    "lbd.cfg:9: 'http-check expect': invalid status list '99' (expected e.g. 200, 200-399 or 200,204,300-399)",
    "lbd.cfg:10: 'http-check expect': invalid status range '300-200' (statuses are 100..599, low-high)",
    "lbd.cfg:11: 'http-check expect': invalid status list '2xx' (expected e.g. 200, 200-399 or 200,204,300-399)",
    "lbd.cfg:12: 'http-check expect': invalid regular expression '(': Invalid regular expression: /(/: Unterminated group",
    "lbd.cfg:13: 'http-check expect': unknown match 'hdr' (expected status, rstatus, string, rstring)",
    "lbd.cfg:14: 'http-check expect': unknown match 'min-recv' (expected status, rstatus, string, rstring)",
    "lbd.cfg:15: 'http-check expect': unexpected argument 'words' after the pattern (quote a pattern containing spaces)",
    "lbd.cfg:16: 'http-check send': expects at least one of meth, uri, ver, hdr, body",
    "lbd.cfg:17: 'http-check send': 'meth' expects a value",
    "lbd.cfg:18: 'http-check send': 'hdr' expects <name> <value>",
    "lbd.cfg:19: 'http-check send': unknown option 'method' (expected meth, uri, ver, hdr or body); did you mean 'meth'?",
    "lbd.cfg:21: 'http-check send': lbd supports only one 'http-check send' per backend section",
    "lbd.cfg:22: 'http-check disable-on-404': unexpected argument 'now' (expects no argument)",
    "lbd.cfg:23: 'tcp-check connect': 'port' expects a port",
    "lbd.cfg:24: 'tcp-check connect': expected a TCP port between 1 and 65535, got '0'",
    "lbd.cfg:25: 'tcp-check connect': option 'ssl' is not supported by lbd (only 'port')",
    "lbd.cfg:26: 'tcp-check send': expects one string (quote it if it has spaces)",
    "lbd.cfg:27: 'tcp-check send-binary': invalid hex string 'xyz' (expected pairs of hex digits)",
    "lbd.cfg:28: 'tcp-check send-binary': invalid hex string 'abc' (expected pairs of hex digits)",
    "lbd.cfg:29: 'tcp-check expect': unknown match 'rbinary' (expected string, rstring, binary); did you mean 'binary'?",
    "lbd.cfg:30: 'tcp-check expect': invalid hex string '0g' (expected pairs of hex digits)",
    "lbd.cfg:31: 'tcp-check expect': invalid regular expression '[': Invalid regular expression: /[/: Unterminated character class",
    "lbd.cfg:32: 'tcp-check': unknown tcp-check rule 'expct'; did you mean 'expect'?",
  ]);
});

test('rules inherited from defaults without their option are warned about at the defaults line, per backend', async () => {
  const r = await load(cfg('defaults', '    http-check expect status 200', 'backend a', 'backend b', '    option httpchk'));
  assert.deepEqual(messages(r), ["lbd.cfg:2: warning: 'http-check' rules are ignored in backend 'a' because 'option httpchk' is not set"]);
  assert.deepEqual(r.config!.backends[1].healthCheck.expect.map((e) => e.where.line), [2]);
});
