import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';
import type { Config } from '../../daemon/config/types.js';

const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: {}, resolveHost: async () => null });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
async function ok(text: string): Promise<Config> {
  const r = await load(text);
  assert.deepEqual(messages(r).filter((m) => !m.includes('warning:')), []);
  assert.ok(r.config);
  return r.config;
}

test('an anonymous defaults section applies to the proxies after it', async () => {
  const c = await ok(
    cfg(
      'defaults',
      '    mode http',
      '    timeout connect 5s',
      '    timeout client 30s',
      '    timeout server 30s',
      '    retries 2',
      '    option redispatch',
      '    balance leastconn',
      '    maxconn 500',
      '    default-server inter 1s fall 2',
      'frontend f',
      '    bind :80',
      '    default_backend b',
      'backend b',
      '    server s1 127.0.0.1:80 check',
    ),
  );
  const [f] = c.frontends;
  const [b] = c.backends;
  assert.equal(f.mode, 'http');
  assert.equal(f.maxconn, 500);
  assert.equal(f.timeouts.client, 30000);
  assert.equal(b.mode, 'http');
  assert.deepEqual([b.timeouts.connect, b.timeouts.server], [5000, 30000]);
  assert.equal(b.retries, 2);
  assert.equal(b.redispatch, true);
  assert.equal(b.balance.algorithm, 'leastconn');
  assert.deepEqual([b.servers[0].inter, b.servers[0].fastinter, b.servers[0].fall], [1000, 1000, 2]);
});

test('a proxy overrides what it inherits; a proxy before any defaults gets the built-in defaults', async () => {
  const c = await ok(cfg('backend early', 'defaults', '    mode http', '    timeout server 10s', 'backend late', '    mode tcp', '    timeout server 20s'));
  assert.deepEqual(c.backends.map((b) => [b.name, b.mode, b.timeouts.server]), [
    ['early', 'tcp', null],
    ['late', 'tcp', 20000],
  ]);
});

test('a proxy inherits the last defaults section above it; a new one starts from scratch', async () => {
  const c = await ok(cfg('defaults', '    mode http', '    timeout connect 1s', 'backend a', 'defaults', '    timeout server 2s', 'backend b'));
  assert.deepEqual(c.backends.map((b) => [b.mode, b.timeouts.connect, b.timeouts.server]), [
    ['http', 1000, null],
    ['tcp', null, 2000],
  ]);
});

test('named defaults and `from`', async () => {
  const c = await ok(
    cfg(
      'defaults web',
      '    mode http',
      '    timeout client 11s',
      'defaults tcp',
      '    mode tcp',
      '    timeout client 22s',
      'frontend f from web',
      '    bind :80',
      '    default_backend l',
      'backend b',
      'listen l from web',
      '    bind :81',
      'defaults webslow from web',
      '    timeout client 33s',
      'backend c from webslow',
    ),
  );
  assert.deepEqual(c.frontends.map((f) => [f.name, f.mode, f.timeouts.client]), [
    ['f', 'http', 11000],
    ['l', 'http', 11000],
  ]);
  // without `from`, the last defaults section above (named or not) applies
  assert.deepEqual(c.backends.map((b) => [b.name, b.mode]), [
    ['b', 'tcp'],
    ['l', 'http'],
    ['c', 'http'],
  ]);
  assert.equal(c.frontends.length, 2);
});

test('defaults do not carry a proxy id or description; default_backend is inherited', async () => {
  const c = await ok(cfg('defaults', '    default_backend b', 'frontend f1', '    bind :80', 'frontend f2', '    bind :81', 'backend b'));
  assert.deepEqual(c.frontends.map((f) => f.defaultBackend), ['b', 'b']);
});

test('defaults survive across files, sections do not', async () => {
  const { loadConfig } = await import('../../daemon/config/index.js');
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'lbd-cfg-'));
  try {
    await writeFile(join(dir, 'a.cfg'), cfg('defaults', '    mode http', 'backend a'));
    await writeFile(join(dir, 'b.cfg'), cfg('    server s1 127.0.0.1:80', 'backend b'));
    const r = await loadConfig([join(dir, 'a.cfg'), join(dir, 'b.cfg')], { resolveHost: async () => null });
    assert.deepEqual(messages(r), [`${join(dir, 'b.cfg')}:1: unknown keyword 'server' out of section (start a section with global, defaults, frontend, backend or listen)`]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('defaults errors: missing `from` target, bad header arguments, names with bad characters', async () => {
  const r = await load(cfg('defaults web', '    mode http', 'backend a from wbe', 'backend b from', 'frontend', 'backend c d', 'defaults x from web extra', 'backend bad!name', 'global extra', 'defaults web', 'backnd z'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:3: defaults section 'wbe' not found (it must be declared above); did you mean 'web'?",
    "lbd.cfg:4: unexpected 'from' (expects backend <name> [from <defaults>])",
    "lbd.cfg:5: 'frontend' expects a name",
    "lbd.cfg:6: unexpected 'd' (expects backend <name> [from <defaults>])",
    "lbd.cfg:7: unexpected 'from web extra' (expects defaults [<name>] [from <defaults>])",
    "lbd.cfg:8: character '!' is not permitted in backend name 'bad!name'",
    "lbd.cfg:9: 'global' takes no argument, got 'extra'",
    "lbd.cfg:10: warning: defaults section 'web' replaces the one declared at lbd.cfg:1",
    "lbd.cfg:11: unknown keyword 'backnd' in 'defaults' section; did you mean 'backend'?",
  ]);
});
