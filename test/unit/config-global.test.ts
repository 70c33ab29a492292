import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';

const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: {}, resolveHost: async () => null });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
const BACKEND = ['backend b', '    server s1 127.0.0.1:80'];

test('global defaults when the section is absent', async () => {
  const r = await load(cfg(...BACKEND));
  assert.deepEqual(messages(r), []);
  assert.deepEqual(r.config?.global, { maxconn: 100000, statsSockets: [], statsTimeout: 10000, spreadChecks: 0, hardStopAfter: null, pidfile: null, logs: [], logTargets: [], tune: { bufsize: 16384, httpMaxhdr: 101 }, where: null });
});

test('global keywords: maxconn, stats socket, stats timeout, spread-checks, hard-stop-after, pidfile', async () => {
  const r = await load(
    cfg(
      'global',
      '    maxconn 5000',
      '    stats socket /run/lbd.sock',
      '    stats socket unix@/run/lbd-admin.sock mode 660 level admin',
      '    stats socket /run/lbd-ro.sock level user mode 0644',
      '    stats timeout 30s',
      '    spread-checks 5',
      '    hard-stop-after 1m',
      '    pidfile /run/lbd.pid',
      ...BACKEND,
    ),
  );
  assert.deepEqual(messages(r), []);
  const g = r.config!.global;
  assert.equal(g.maxconn, 5000);
  assert.deepEqual(g.statsSockets, [
    { path: '/run/lbd.sock', mode: 0o600, level: 'operator', where: { file: 'lbd.cfg', line: 3 } },
    { path: '/run/lbd-admin.sock', mode: 0o660, level: 'admin', where: { file: 'lbd.cfg', line: 4 } },
    { path: '/run/lbd-ro.sock', mode: 0o644, level: 'user', where: { file: 'lbd.cfg', line: 5 } },
  ]);
  assert.equal(g.statsTimeout, 30000);
  assert.equal(g.spreadChecks, 5);
  assert.equal(g.hardStopAfter, 60000);
  assert.equal(g.pidfile, '/run/lbd.pid');
  assert.deepEqual(g.where, { file: 'lbd.cfg', line: 1 });
});

test('ignored global keywords are accepted with a warning each; log lines are kept (ca-base and crt-base are used: config-tls.test.ts)', async () => {
  const r = await load(
    cfg(
      'global',
      '    daemon',
      '    user haproxy',
      '    group haproxy',
      '    chroot /var/empty',
      '    log 127.0.0.1:514 local0 notice   # to the local syslog',
      '    nbthread 4',
      '    nbproc 1',
      '    master-worker',
      '    ca-base /etc/ssl/certs',
      '    crt-base /etc/ssl/private',
      '    tune.ssl.default-dh-param 2048',
      '    stats socket /run/a.sock expose-fd listeners',
      ...BACKEND,
    ),
  );
  assert.notEqual(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: warning: 'daemon': ignored by lbd (it runs in the foreground; let the service manager detach it)",
    "lbd.cfg:3: warning: 'user': ignored by lbd (it does not change user; start it as the right user)",
    "lbd.cfg:4: warning: 'group': ignored by lbd (it does not change group; start it as the right user)",
    "lbd.cfg:5: warning: 'chroot': ignored by lbd (it does not chroot)",
    "lbd.cfg:7: warning: 'nbthread': ignored by lbd (it runs one event loop)",
    "lbd.cfg:8: warning: 'nbproc': ignored by lbd (it runs one process)",
    "lbd.cfg:9: warning: 'master-worker': ignored by lbd (one process reloads in place)",
    "lbd.cfg:12: warning: 'tune.ssl.default-dh-param': ignored by lbd (it has no such tunable)",
    "lbd.cfg:13: warning: 'stats socket': 'expose-fd listeners' is ignored by lbd (reloads happen in-process)",
  ]);
  assert.deepEqual(r.config!.global.logs, ['log 127.0.0.1:514 local0 notice']);
  assert.equal(r.config!.warnings.length, 9);
});

test('global errors: bad values, unknown keywords, proxy keywords in global', async () => {
  const r = await load(
    cfg(
      'global',
      '    maxconn lots',
      '    spread-checks 51',
      '    stats socket /a.sock level root',
      '    stats socket /b.sock mode 999',
      '    stats socket /c.sock moed 600',
      '    stats socket /a.sock',
      '    stats socket ipv4@127.0.0.1:9999',
      '    stats timeout soon',
      '    stats maxconn 10',
      '    hard-stop-after',
      '    pidfile a b',
      '    maxconm 10',
      '    timeout connect 5s',
      '    demon',
      ...BACKEND,
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'maxconn': expected an integer, got 'lots'",
    "lbd.cfg:3: 'spread-checks': expected an integer between 0 and 50, got '51'",
    "lbd.cfg:4: 'stats socket': unknown level 'root' (expected user, operator, admin)",
    "lbd.cfg:5: 'stats socket': expected an octal file mode such as '600' or '0660', got '999'",
    "lbd.cfg:6: 'stats socket': unknown option 'moed'; did you mean 'mode'?",
    "lbd.cfg:7: 'stats socket': socket '/a.sock' is already declared at lbd.cfg:4",
    "lbd.cfg:8: 'stats socket': lbd only supports UNIX socket paths here, got 'ipv4@127.0.0.1:9999'",
    "lbd.cfg:9: 'stats timeout': expected a duration such as '500ms', '2s' or '1m' (units: us, ms, s, m, h, d; default ms), got 'soon'",
    "lbd.cfg:10: 'stats': unknown stats setting 'maxconn'",
    "lbd.cfg:11: 'hard-stop-after': expects a duration such as 30s",
    "lbd.cfg:12: 'pidfile': unexpected argument 'b' (expects a file path)",
    "lbd.cfg:13: unknown keyword 'maxconm' in 'global' section; did you mean 'maxconn'?",
    "lbd.cfg:14: 'timeout' is not allowed in a global section (only in defaults, frontend, backend, listen)",
    "lbd.cfg:15: unknown keyword 'demon' in 'global' section; did you mean 'daemon'?",
  ]);
});

test('several global sections merge; the first one is where global starts', async () => {
  const r = await load(cfg('global', '    maxconn 10', ...BACKEND, 'global', '    pidfile /p'));
  assert.equal(r.config!.global.maxconn, 10);
  assert.equal(r.config!.global.pidfile, '/p');
  assert.deepEqual(r.config!.global.where, { file: 'lbd.cfg', line: 1 });
});
