/**
 * `lbctl cert list` end to end: a real lbd with two TLS listeners (one certificate expiring in 10 days,
 * one in 90) and a plain one, lbctl spawned as a process: the table, --json, --days, the exit codes
 * (5 when a certificate expires within the window), and `lbctl show ssl cert` passing HAProxy's answer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LBCTL, run, startLbd, tempDir, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { hasOpenssl, opensslCert, type CertFiles } from '../helpers/tls.js';

const skip = hasOpenssl() ? false : 'openssl is not installed';
let lbd: LbdProcess;
let tmp: { dir: string; cleanup(): void };
let sock = '';
let soon: CertFiles;
let later: CertFiles;

async function lbctl(args: string[]) {
  const r = await run(process.execPath, [LBCTL, '-s', sock, ...args]);
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

before(async () => {
  if (skip) return;
  tmp = tempDir('lbctl-cert-');
  sock = join(tmp.dir, 'admin.sock');
  soon = opensslCert(tmp.dir, 'soon', { cn: 'soon.test', san: ['soon.test', 'www.soon.test'], key: 'ec', days: 10 });
  later = opensslCert(tmp.dir, 'later', { cn: 'later.test', days: 90 });
  const [p1, p2, p3, b] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  lbd = await startLbd(`
global
    stats socket ${sock} level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:${p1} ssl crt ${later.pem} crt ${soon.pem} name https
    bind 127.0.0.1:${p2} name plain
    default_backend be
frontend api
    bind 127.0.0.1:${p3} ssl crt ${soon.pem}
    default_backend be
backend be
    server s1 127.0.0.1:${b}
`);
});

after(async () => {
  if (skip) return;
  const code = await lbd?.stop('SIGTERM');
  tmp?.cleanup();
  assert.equal(code, 0);
});

test('cert list: a row per file with its listeners; exit 5 while one expires within 30 days', { skip }, async () => {
  const r = await lbctl(['cert', 'list']);
  assert.equal(r.code, 5, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^FILE +NAMES +KEY +EXPIRES +DAYS +USED BY$/);
  assert.match(lines[1]!, new RegExp(`^${later.pem} +later\\.test +RSA2048 +\\d{4}-\\d\\d-\\d\\d +(89|90) +web/https$`));
  assert.match(lines[2]!, new RegExp(`^${soon.pem} +soon\\.test,www\\.soon\\.test +EC256 +\\d{4}-\\d\\d-\\d\\d +(9|10) ! +web/https,api/sock-1$`));
  assert.equal(lines.length, 3);
});

test('cert list --json and --days', { skip }, async () => {
  const r = await lbctl(['cert', 'list', '--json']);
  assert.equal(r.code, 5);
  assert.equal(r.json.warnDays, 30);
  const soonRow = r.json.certificates.find((c: any) => c.file === soon.pem);
  assert.equal(soonRow.state, 'expiring');
  assert.equal(soonRow.keyType, 'ec');
  assert.deepEqual(soonRow.names, ['soon.test', 'www.soon.test']);
  assert.deepEqual(soonRow.usedBy.map((u: any) => `${u.frontend}/${u.listener}`), ['web/https', 'api/sock-1']);
  assert.equal(soonRow.subject, '/CN=soon.test');
  assert.ok(Math.abs(soonRow.notAfter - (Date.now() + 10 * 86_400_000)) < 3_600_000);
  const ok = await lbctl(['cert', 'list', '--days', '5']);
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await lbctl(['cert', 'list', '--days', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--days must be a whole number of days/);
});

test('lbctl show ssl cert passes the runtime API answer through', { skip }, async () => {
  const r = await lbctl(['show', 'ssl', 'cert']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `# filename\n${later.pem}\n${soon.pem}\n`);
  const d = await lbctl(['show', 'ssl', 'cert', soon.pem]);
  assert.match(d.stdout, new RegExp(`^Filename: ${soon.pem}\nStatus: Used\n[\\s\\S]*Algorithm: EC256\n`));
});
