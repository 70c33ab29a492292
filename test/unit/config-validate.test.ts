import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';

const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: {}, resolveHost: async () => null });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);

test('references to missing backends, with suggestions; a frontend is not a backend', async () => {
  const r = await load(cfg('frontend web', '    bind :80', '    default_backend ap', '    use_backend other', '    use_backend api', 'frontend api', '    bind :81', '    default_backend app', 'backend app'));
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:3: frontend 'web': default_backend: unable to find backend 'ap'; did you mean 'app'?",
    "lbd.cfg:4: frontend 'web': use_backend: unable to find backend 'other'",
    "lbd.cfg:5: frontend 'web': use_backend: 'api' is a frontend, not a backend",
  ]);
});

test('a bad default_backend inherited from defaults is reported once, at the defaults line', async () => {
  const r = await load(cfg('defaults', '    default_backend nope', 'frontend a', '    bind :80', 'frontend b', '    bind :81'));
  assert.deepEqual(messages(r), ["lbd.cfg:2: frontend 'a': default_backend: unable to find backend 'nope'"]);
});

test('an http frontend cannot send to a tcp backend; a tcp frontend may use an http one', async () => {
  const r = await load(cfg('frontend h', '    mode http', '    bind :80', '    default_backend t', 'frontend t', '    bind :81', '    default_backend h', 'backend t', 'backend h', '    mode http'));
  assert.deepEqual(messages(r), ["lbd.cfg:4: frontend 'h' is in mode http but its default_backend 't' is in mode tcp"]);
});

test('a frontend with nowhere to send traffic, or without bind, is a warning', async () => {
  const r = await load(cfg('frontend f', '    bind :80', 'frontend g', '    default_backend b', 'backend b', 'listen l'));
  assert.notEqual(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:1: warning: frontend 'f' has no default_backend and no use_backend rule: it has nowhere to send connections",
    "lbd.cfg:3: warning: frontend 'g' has no 'bind' line: it will not accept any connection",
  ]);
  assert.deepEqual(r.config!.warnings.map((w) => w.where.line), [1, 3]);
});

test('proxy names: a frontend and a backend may share one; anything else may not', async () => {
  const okr = await load(cfg('frontend app', '    bind :80', '    default_backend app', 'backend app'));
  assert.deepEqual(messages(okr), []);
  const r = await load(cfg('frontend a', '    bind :80', '    default_backend b', 'backend b', 'backend b', 'frontend a', '    bind :81', '    default_backend b', 'listen b', 'listen l', 'frontend l', '    bind :82', '    default_backend b'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:5: backend 'b' has the same name as backend 'b' declared at lbd.cfg:4",
    "lbd.cfg:6: frontend 'a' has the same name as frontend 'a' declared at lbd.cfg:1",
    "lbd.cfg:9: listen 'b' has the same name as backend 'b' declared at lbd.cfg:4",
    "lbd.cfg:11: frontend 'l' has the same name as listen 'l' declared at lbd.cfg:10",
  ]);
});

test('duplicate proxy ids', async () => {
  const r = await load(cfg('backend a', '    id 5', 'backend b', '    id 5'));
  assert.deepEqual(messages(r), ["lbd.cfg:4: proxy id 5 is already used by backend 'a'"]);
});

test('duplicate server names in one backend; the same name in two backends is fine', async () => {
  const r = await load(cfg('backend a', '    server s1 10.0.0.1:80', '    server s1 10.0.0.2:80', 'backend b', '    server s1 10.0.0.1:80'));
  assert.deepEqual(messages(r), ["lbd.cfg:3: backend 'a' has two servers named 's1' (the first is at lbd.cfg:2)"]);
});

test('track: missing backend or server, target without check, check and track together', async () => {
  const r = await load(
    cfg(
      'backend a',
      '    server s1 10.0.0.1:80 track mn/s1',
      '    server s2 10.0.0.1:80 track mon/s9',
      '    server s3 10.0.0.1:80 track mon/plain',
      '    server s4 10.0.0.1:80 track mon/chk check',
      '    server s5 10.0.0.1:80 track frontonly/x',
      'backend mon',
      '    server chk 10.0.0.1:80 check',
      '    server plain 10.0.0.1:80',
      'frontend frontonly',
      '    bind :80',
      '    default_backend a',
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'server s1': unable to find backend 'mn' for tracking; did you mean 'mon'?",
    "lbd.cfg:3: 'server s2': unable to find server 's9' in backend 'mon' for tracking",
    "lbd.cfg:4: 'server s3': unable to use mon/plain for tracking as it does not have any check nor agent enabled",
    "lbd.cfg:5: 'server s4': unable to enable checks and tracking at the same time! (add 'no-check' if 'check' comes from default-server)",
    "lbd.cfg:6: 'server s5': unable to find backend 'frontonly' for tracking",
  ]);
});

test('track chains are fine when they end at a checked server, across modes', async () => {
  const r = await load(cfg('backend t', '    mode tcp', '    server a 10.0.0.1:80 track h/b', 'backend h', '    mode http', '    server b 10.0.0.1:80 track c', '    server c 10.0.0.1:80 check'));
  assert.deepEqual(messages(r), []);
});

test('tracking loops are reported once each, naming the chain', async () => {
  const r = await load(
    cfg(
      'backend a',
      '    server s1 10.0.0.1:80 track s2',
      '    server s2 10.0.0.1:80 track b/s3',
      '    server self 10.0.0.1:80 track self',
      '    server feeder 10.0.0.1:80 track s1',
      'backend b',
      '    server s3 10.0.0.1:80 track a/s1',
      '    server x 10.0.0.1:80 track y',
      '    server y 10.0.0.1:80 track x',
    ),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'server s1': tracking loop: a/s1 -> a/s2 -> b/s3 -> a/s1",
    "lbd.cfg:4: 'server self': tracking loop: a/self -> a/self",
    "lbd.cfg:8: 'server x': tracking loop: b/x -> b/y -> b/x",
  ]);
});

test('a checked server needs a port to check', async () => {
  const r = await load(
    cfg(
      'backend a',
      '    server s1 10.0.0.1 check',
      '    server s2 10.0.0.1 check port 8080',
      '    server s3 10.0.0.1',
      'backend b',
      '    option tcp-check',
      '    tcp-check connect port 6379',
      '    server s1 10.0.0.1 check',
    ),
  );
  assert.deepEqual(messages(r), ["lbd.cfg:2: 'server s1': has neither service port nor check port: give the server a port or add 'port <n>' for the checks"]);
});

test("'observe layer7' in a tcp backend is a warning", async () => {
  const r = await load(cfg('backend a', '    server s1 10.0.0.1:80 observe layer7'));
  assert.deepEqual(messages(r), ["lbd.cfg:2: warning: 'server s1': 'observe layer7' needs mode http; backend 'a' is in mode tcp"]);
});

test('listener conflicts: same address, wildcard against anything on the port, same fd', async () => {
  const r = await load(
    cfg(
      'frontend a',
      '    bind 127.0.0.1:80',
      '    bind 127.0.0.1:81',
      '    bind [::1]:80',
      '    bind fd@3',
      '    default_backend x',
      'frontend b',
      '    bind 127.0.0.1:80',
      '    bind *:81',
      '    bind [0:0::1]:80',
      '    bind 127.0.0.2:82,127.0.0.3:82',
      '    bind fd@3',
      '    bind 0.0.0.0:83',
      '    bind ipv6@:83',
      '    default_backend x',
      'backend x',
    ),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:8: bind '127.0.0.1:80' conflicts with bind '127.0.0.1:80' of frontend 'a' at lbd.cfg:2: both listen on port 80",
    "lbd.cfg:9: bind '*:81' conflicts with bind '127.0.0.1:81' of frontend 'a' at lbd.cfg:3: both listen on port 81",
    "lbd.cfg:10: bind '[0:0::1]:80' conflicts with bind '[::1]:80' of frontend 'a' at lbd.cfg:4: both listen on port 80",
    "lbd.cfg:12: bind 'fd@3' conflicts with bind 'fd@3' of frontend 'a' at lbd.cfg:5: same file descriptor",
    "lbd.cfg:14: bind 'ipv6@:83' conflicts with bind '0.0.0.0:83' of frontend 'b' at lbd.cfg:13: both listen on port 83",
  ]);
});

test('a config with many errors reports all of them in one run, in line order', async () => {
  const r = await load(
    cfg(
      'global',
      '    maxconn x',
      'frontend f',
      '    bind :80',
      '    default_backend nope',
      '    tiemout client 5s',
      'backend b',
      '    server s1 10.0.0.1:80 chek',
      '    server s2 10.0.0.1:80 track s1',
      '    balance rr',
      'unknownsection',
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.where.line]),
    [
      ['error', 2],
      ['error', 5],
      ['error', 6],
      ['error', 8],
      ['error', 9],
      ['error', 10],
      ['error', 11],
    ],
  );
  assert.deepEqual(messages(r).slice(-1), ["lbd.cfg:11: unknown keyword 'unknownsection' in 'backend' section"]);
});
