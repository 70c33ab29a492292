import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfig, parseConfigText, formatDiagnostic, listKeywords, type LoadResult } from '../../daemon/config/index.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/configs/', import.meta.url));
const fixture = (...p: string[]): string => join(FIXTURES, ...p);
const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
const DNS: Record<string, string> = { 'backend-1.example.com': '192.0.2.1', 'backend-2.example.com': '192.0.2.2', 'backend-3.example.com': '192.0.2.3' };
const resolveHost = async (h: string): Promise<string | null> => DNS[h] ?? null;

test("the issue's example config parses to the expected model", async () => {
  const file = fixture('issue-example.cfg');
  const r = await loadConfig([file], { resolveHost });
  assert.deepEqual(messages(r), []);
  const c = r.config!;
  assert.deepEqual(c.files, [file]);
  assert.deepEqual(c.warnings, []);
  assert.equal(c.frontends.length, 1);
  const f = c.frontends[0];
  assert.deepEqual(
    { name: f.name, id: f.id, mode: f.mode, defaultBackend: f.defaultBackend, binds: f.binds.map((b) => [b.text, b.host, b.port, b.family]), line: f.where.line },
    { name: 'myApp', id: 2, mode: 'tcp', defaultBackend: 'myApp', binds: [['*:6443', '', 6443, 'any']], line: 1 },
  );
  const [app, mon] = c.backends;
  assert.deepEqual([app.name, app.id, app.mode, mon.name, mon.id, mon.mode], ['myApp', 3, 'tcp', 'monitoring', 4, 'http']);
  assert.deepEqual(
    app.servers.map((s) => [s.name, s.id, s.host, s.address, s.port, s.check, s.track, s.where.line]),
    [1, 2, 3].map((i) => [`server-${i}`, i, `backend-${i}.example.com`, `192.0.2.${i}`, 6443, false, { backend: 'monitoring', server: `server-${i}` }, 6 + i]),
  );
  assert.deepEqual(
    mon.servers.map((s) => [s.name, s.id, s.address, s.port, s.check, s.track, s.inter, s.rise, s.fall]),
    [1, 2, 3].map((i) => [`server-${i}`, i, `192.0.2.${i}`, 6443, true, null, 2000, 2, 3]),
  );
  assert.deepEqual(mon.healthCheck, {
    type: 'http',
    http: { method: 'GET', uri: '/readyz', version: 'HTTP/1.0', headers: [], body: '' },
    expect: [{ negate: false, match: 'status', pattern: '200', where: { file, line: 14 } }],
    disableOn404: false,
    tcpCheck: [],
    logHealthChecks: false,
  });
  assert.equal(app.healthCheck.type, 'tcp');
});

test('the loaded config is deeply frozen', async () => {
  const r = await loadConfig([fixture('issue-example.cfg')], { resolveHost });
  const c = r.config!;
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.backends));
  assert.ok(Object.isFrozen(c.backends[0].servers[0]));
  assert.ok(Object.isFrozen(c.backends[0].servers[0].track));
  assert.ok(Object.isFrozen(c.frontends[0].binds[0]));
  assert.throws(() => {
    (c.backends[0].servers[0] as { weight: number }).weight = 9;
  }, TypeError);
});

test('a directory loads its non-hidden *.cfg files in lexical order, as one config', async () => {
  const dir = fixture('conf.d');
  const r = await loadConfig([dir]);
  assert.deepEqual(messages(r), []);
  const c = r.config!;
  assert.deepEqual(c.files, ['10-global.cfg', '20-frontends.cfg', '30-backends.cfg'].map((f) => join(dir, f)));
  assert.equal(c.global.maxconn, 2000);
  assert.deepEqual(c.global.statsSockets.map((s) => [s.path, s.level, s.where.file]), [['/tmp/lbd-fixture.sock', 'admin', join(dir, '10-global.cfg')]]);
  assert.equal(c.frontends[0].mode, 'http');
  assert.equal(c.frontends[0].timeouts.client, 30000);
  assert.equal(c.backends[0].timeouts.connect, 5000);
  assert.deepEqual(c.backends[0].servers.map((s) => s.where), [
    { file: join(dir, '30-backends.cfg'), line: 3 },
    { file: join(dir, '30-backends.cfg'), line: 4 },
  ]);
});

test('several paths concatenate in the order given; errors name the right file and line', async () => {
  const a = fixture('errors', 'a.cfg');
  const b = fixture('errors', 'b.cfg');
  const r = await loadConfig([a, b], { resolveHost });
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    `${a}:4: unknown keyword 'tiemout' in 'frontend' section; did you mean 'timeout'?`,
    `${b}:2: 'server s1': unknown option 'chek'; did you mean 'check'?`,
    `${b}:3: 'server s2': unable to use app/s1 for tracking as it does not have any check nor agent enabled`,
  ]);
  const reversed = await loadConfig([b, a], { resolveHost });
  assert.deepEqual(reversed.diagnostics.map((d) => d.where.file), [b, b, a]);
});

test('missing or unreadable paths are diagnostics, not exceptions', async () => {
  const missing = fixture('does-not-exist.cfg');
  const r = await loadConfig([missing, fixture('issue-example.cfg')], { resolveHost });
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [`${missing}: cannot open configuration: no such file or directory`]);
  assert.deepEqual(r.diagnostics[0].where, { file: missing, line: 0 });
  const none = await loadConfig([]);
  assert.deepEqual(messages(none), ['<command line>: no configuration file given']);
});

test('formatDiagnostic: errors, warnings, file-level problems', () => {
  assert.equal(formatDiagnostic({ severity: 'error', where: { file: 'lbd.cfg', line: 12, col: 5 }, message: 'boom' }), 'lbd.cfg:12: boom');
  assert.equal(formatDiagnostic({ severity: 'warning', where: { file: 'lbd.cfg', line: 3 }, message: 'hmm' }), 'lbd.cfg:3: warning: hmm');
  assert.equal(formatDiagnostic({ severity: 'error', where: { file: 'x.cfg', line: 0 }, message: 'missing' }), 'x.cfg: missing');
});

test('diagnostics carry the column of the offending word', async () => {
  const r = await parseConfigText(cfg('backend b', '    server s1 10.0.0.1:80 check wieght 3'), 'lbd.cfg', { resolveHost });
  assert.deepEqual(r.diagnostics[0].where, { file: 'lbd.cfg', line: 2, col: 33 });
});

test('environment variables come from opts.env', async () => {
  const r = await parseConfigText(cfg('frontend f', '    bind "${ADDR}:${PORT-9000}"', '    default_backend b', 'backend b'), 'lbd.cfg', { env: { ADDR: '127.0.0.1' } });
  assert.deepEqual(messages(r), []);
  assert.deepEqual([r.config!.frontends[0].binds[0].host, r.config!.frontends[0].binds[0].port], ['127.0.0.1', 9000]);
});

test('unsupported HAProxy sections and directives are errors; their lines are skipped', async () => {
  const r = await parseConfigText(cfg('resolvers dns', '    nameserver ns1 10.0.0.1:53', 'peers admins', '    peer a 10.0.0.2:1024', 'backend b', '.if defined(X)', '.endif'), 'lbd.cfg');
  assert.deepEqual(messages(r), [
    "lbd.cfg:1: 'resolvers' sections are not supported by lbd; the lines up to the next section are skipped",
    "lbd.cfg:3: 'peers' sections are not supported by lbd; the lines up to the next section are skipped",
    "lbd.cfg:6: '.if' directives (conditional blocks and messages) are not supported by lbd",
    "lbd.cfg:7: '.endif' directives (conditional blocks and messages) are not supported by lbd",
  ]);
});

test('a config with no proxy loads with a warning; an empty text is not an error', async () => {
  const r = await parseConfigText(cfg('global', '    maxconn 10'), 'lbd.cfg');
  assert.deepEqual(messages(r), ['lbd.cfg: warning: no frontend, backend or listen section: lbd has nothing to do']);
  assert.equal(r.config!.global.maxconn, 10);
});

test('lexer errors are reported with the other errors and the line is skipped', async () => {
  const r = await parseConfigText(cfg('backend b', '    server s1 "10.0.0.1:80', '    balance nope'), 'lbd.cfg');
  assert.deepEqual(messages(r), ["lbd.cfg:2: unmatched quote at position 15", "lbd.cfg:3: 'balance': unknown algorithm 'nope' (expected roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr)"]);
});

test('1,000 servers with host names load quickly, with bounded concurrent lookups', async () => {
  const lines = ['backend big'];
  for (let i = 0; i < 1000; i++) lines.push(`    server s${i} host-${i}.test:80 check`);
  let inFlight = 0;
  let maxInFlight = 0;
  const started = performance.now();
  const r = await parseConfigText(cfg(...lines), 'big.cfg', {
    resolveHost: async (h) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setImmediate(res));
      inFlight--;
      return `10.0.${Math.floor(Number(h.split(/[-.]/)[1]) / 256)}.${Number(h.split(/[-.]/)[1]) % 256}`;
    },
  });
  const elapsed = performance.now() - started;
  assert.deepEqual(messages(r), []);
  assert.equal(r.config!.backends[0].servers.length, 1000);
  assert.equal(r.config!.backends[0].servers[999].address, '10.0.3.231');
  assert.equal(r.config!.backends[0].servers[999].id, 1000);
  assert.ok(maxInFlight > 1 && maxInFlight <= 32, `max in flight ${maxInFlight}`);
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
});

test('listKeywords comes from the tables and covers every section', () => {
  const k = listKeywords();
  const has = (section: string, keyword: string) => k.some((x) => x.section === section && x.keyword === keyword);
  assert.ok(has('global', 'stats socket'));
  assert.ok(has('global', 'tune.*'));
  assert.ok(has('backend', 'server'));
  assert.ok(has('backend', 'option httpchk'));
  assert.ok(has('backend', 'http-check expect'));
  assert.ok(has('backend', 'tcp-check send-binary'));
  assert.ok(has('frontend', 'bind'));
  assert.ok(has('frontend', 'timeout client'));
  assert.ok(has('listen', 'bind'));
  assert.ok(has('listen', 'server'));
  assert.ok(has('defaults', 'default-server'));
  assert.ok(has('server', 'check'));
  assert.ok(has('server', 'init-addr'));
  assert.ok(has('bind', 'name'));
  assert.ok(!has('frontend', 'server'));
  assert.ok(!has('backend', 'bind'));
  assert.ok(!has('frontend', 'option redispatch'));
  assert.ok(!has('defaults', 'use_backend'));
  assert.ok(k.every((x) => x.help.length > 0));
});
