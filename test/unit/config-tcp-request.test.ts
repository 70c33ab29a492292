/**
 * `tcp-request inspect-delay` and `tcp-request content accept|reject`: what loads, what is refused (with
 * HAProxy's words where it has them), and how the rules decide on partial data (wait, accept, reject).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cfg, load, messages } from './acl-helpers.js';
import { connectionView } from '../../daemon/http/acl/route.js';
import { runContentRules } from '../../daemon/proxy/content-inspect.js';
import type { FrontendConfig } from '../../daemon/config/types.js';
import { nodeHello } from '../helpers/tls.js';

const backends = cfg('backend api', '    server s 127.0.0.1:1', 'backend www', '    server s 127.0.0.1:2');
const frontend = (...lines: string[]) => cfg('frontend f', '    mode tcp', '    bind 127.0.0.1:8443', ...lines.map((l) => `    ${l}`)) + backends;

async function fe(...lines: string[]): Promise<FrontendConfig> {
  const r = await load(frontend(...lines));
  assert.ok(r.config, messages(r).join('\n'));
  return r.config.frontends[0];
}

const sample = (data: Uint8Array, final: boolean) => connectionView('10.0.0.1', 1000, '10.0.0.2', 443, { data, final });

test('inspect-delay and content rules load into the frontend, in order, with compiled conditions', async () => {
  const f = await fe('tcp-request inspect-delay 5s', 'tcp-request content accept if { req_ssl_hello_type 1 }', 'tcp-request content reject', 'use_backend api if { req.ssl_sni -i api.example.com }', 'default_backend www');
  assert.equal(f.tcpRequest?.inspectDelay, 5000);
  assert.deepEqual(f.tcpRequest?.rules.map((r) => [r.action, r.cond?.text ?? null]), [['accept', '{ req_ssl_hello_type 1 }'], ['reject', null]]);
  assert.equal(f.useBackends[0].cond?.content, true);
  assert.equal(f.useBackends[0].cond?.http, false);
  assert.equal((await fe('default_backend www')).tcpRequest, undefined, 'nothing set: no inspection');
});

test('refused: other tcp-request forms and actions, a missing or zero delay, HTTP fetches, mode http, backend sections', async () => {
  const r = await load(
    frontend('tcp-request connection reject if { src 1.2.3.4 }', 'tcp-request session accept', 'tcp-request content capture req.len len 1', 'tcp-request content foo', 'tcp-request inspect-delay', 'tcp-request inspect-delay 0', 'tcp-request content reject if { path / }', 'tcp-request', 'default_backend www') +
      cfg('backend b2', '    tcp-request inspect-delay 1s', 'frontend h', '    mode http', '    bind 127.0.0.1:8080', '    tcp-request inspect-delay 1s', '    default_backend hb', 'backend hb', '    mode http'),
  );
  assert.equal(r.config, null);
  const m = messages(r).join('\n');
  for (const want of [
    "lbd.cfg:4: 'tcp-request connection' rules are not supported by lbd",
    "lbd.cfg:5: 'tcp-request session' rules are not supported by lbd",
    "lbd.cfg:6: 'tcp-request content': action 'capture' is not supported by lbd (supported: accept, reject)",
    "lbd.cfg:7: 'tcp-request content': expects 'accept' or 'reject' but got 'foo'",
    "lbd.cfg:8: 'tcp-request inspect-delay': expects a positive delay",
    "lbd.cfg:9: 'tcp-request inspect-delay': expects a positive delay in milliseconds",
    "lbd.cfg:10: frontend 'f': this tcp-request content condition uses HTTP fetches ('path')",
    "lbd.cfg:11: 'tcp-request': expects 'inspect-delay', 'content', 'connection' or 'session'",
    "'tcp-request' is not allowed in a backend section (only in frontend, listen)",
    "frontend 'h': 'tcp-request inspect-delay' and 'tcp-request content' rules are supported by lbd in mode tcp only",
  ])
    assert.ok(m.includes(want), `missing: ${want}\n${m}`);
});

test('warnings: a rule after use_backend (HAProxy\'s words); a content use_backend with no content rule sees nothing', async () => {
  const r = await load(frontend('use_backend api if { req.ssl_sni -i api }', 'tcp-request content accept if { req.ssl_hello_type 1 }', 'default_backend www'));
  assert.ok(messages(r).some((m) => m.includes("a 'tcp-request' rule placed after a 'use_backend' rule will still be processed before")), messages(r).join('\n'));
  const r2 = await load(frontend('tcp-request inspect-delay 1s', 'use_backend api if { req.ssl_sni -i api }', 'default_backend www'));
  assert.ok(r2.config);
  assert.ok(messages(r2).some((m) => m.includes("reads the client's data ('req.ssl_sni') but no 'tcp-request content' rule waits for it")), messages(r2).join('\n'));
});

test('content rules on partial data: a miss waits, a final sample decides; accept stops, reject closes', async () => {
  const f = await fe('tcp-request inspect-delay 5s', 'tcp-request content reject if { req.len gt 100 } !{ req.ssl_hello_type 1 }', 'tcp-request content accept if { req.ssl_hello_type 1 }', 'default_backend www');
  const rules = f.tcpRequest!.rules;
  const hello = await nodeHello('api.example.com');
  assert.equal(runContentRules(rules, sample(new Uint8Array(0), false)), null, 'nothing yet: wait');
  assert.equal(runContentRules(rules, sample(hello.subarray(0, 20), false)), null, 'part of a hello: wait');
  assert.equal(runContentRules(rules, sample(hello, false)), 'accept');
  assert.equal(runContentRules(rules, sample(Buffer.from('GET / HTTP/1.0\r\n'), false)), null, 'not TLS, but req.len may still grow past 100');
  assert.equal(runContentRules(rules, sample(Buffer.alloc(200, 0x41), false)), 'reject');
  assert.equal(runContentRules(rules, sample(Buffer.from('GET / HTTP/1.0\r\n'), true)), 'accept', 'final: no rule matched, accept');
  assert.equal(runContentRules(rules, sample(hello.subarray(0, 20), true)), 'accept', 'final with a partial hello');
  // `unless`: a miss still waits; a final miss is a non-match, so `unless` applies the rule
  const u = (await fe('tcp-request inspect-delay 5s', 'tcp-request content reject unless { req.ssl_hello_type 1 } || { req.len gt 1000 }', 'default_backend www')).tcpRequest!.rules;
  assert.equal(runContentRules(u, sample(hello.subarray(0, 20), false)), null);
  assert.equal(runContentRules(u, sample(hello, false)), 'accept');
  assert.equal(runContentRules(u, sample(hello.subarray(0, 20), true)), 'reject');
  assert.equal(runContentRules(u, sample(Buffer.from('x'), false)), null, 'req.len may still pass 1000');
});

test('use_backend on the content: SNI with -i, req_ssl_sni alias, no SNI and no content fall through', async () => {
  const f = await fe('tcp-request inspect-delay 5s', 'tcp-request content accept if { req.ssl_hello_type 1 }', 'use_backend api if { req_ssl_sni -i API.example.com }', 'default_backend www');
  const cond = f.useBackends[0].cond!;
  assert.equal(cond.test(sample(await nodeHello('api.example.com'), true)), true);
  assert.equal(cond.test(sample(await nodeHello('Api.Example.Com'), true)), true);
  assert.equal(cond.test(sample(await nodeHello('www.example.com'), true)), false);
  assert.equal(cond.test(sample(await nodeHello(''), true)), false);
  assert.equal(cond.test(connectionView('10.0.0.1', 1, '10.0.0.2', 2)), false, 'no content at all');
  const exact = await fe('tcp-request inspect-delay 5s', 'tcp-request content accept', 'use_backend api if { req.ssl_sni api.example.com }', 'default_backend www');
  assert.equal(exact.useBackends[0].cond!.test(sample(await nodeHello('API.example.com'), true)), false, 'without -i the case matters (HAProxy does not lower-case)');
});
