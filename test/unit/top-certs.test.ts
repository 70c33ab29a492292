/**
 * The console's certificate warning: a fixture snapshot whose TLS listener serves a certificate
 * expiring within 30 days shows one warning line under the header (at 80x24, 60x20 and 120x40, never
 * wider than the terminal); none when every certificate has more than 30 days; expired reads EXPIRED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedState } from '../../tui/top/feed.js';
import { lineWidth, text } from '../../tui/top/line.js';
import { RateHistory } from '../../tui/top/rates.js';
import { buildScreen } from '../../tui/top/screen.js';
import { initialUi } from '../../tui/top/state.js';
import { certWarningLine, expiringCerts } from '../../tui/top/certs.js';
import { UNICODE } from '../../tui/top/glyphs.js';
import type { ListenerCertSnapshot, Snapshot } from '../../shared/snapshot.js';
import { allStatesSnapshot, NOW } from './top-fixtures.js';

const DAY = 86_400_000;
const cert = (file: string, days: number): ListenerCertSnapshot => ({ file, names: ['lb.test', 'www.lb.test'], subject: '/CN=lb.test', issuer: '/CN=CA', notAfter: NOW + days * DAY + 60_000, keyType: 'rsa', algorithm: 'RSA2048' });

function withCerts(certs: ListenerCertSnapshot[]): Snapshot {
  const snap = allStatesSnapshot();
  snap.frontends[0]!.listeners = [{ name: 'https', addr: '127.0.0.1:443', status: 'OPEN', certs }, ...snap.frontends[0]!.listeners];
  return snap;
}

function screen(snap: Snapshot, cols: number, rows: number): string[] {
  const rates = new RateHistory(1000);
  rates.add(snap);
  const feed: FeedState = { conn: { kind: 'open' }, welcome: null, snapshot: snap, receivedAt: NOW, events: [], version: 1 } as unknown as FeedState;
  const s = buildScreen({ feed, rates, ui: initialUi(), cols, rows, opts: { readOnly: false, ascii: false, socket: '/run/lbd/admin.sock', intervalMs: 1000 }, now: NOW });
  assert.ok(s.lines.length <= rows);
  for (const l of s.lines) assert.ok(lineWidth(l) <= cols - 1, `too wide: ${text(l)}`);
  return s.lines.map(text);
}

for (const [c, r] of [[80, 24], [60, 20], [120, 40]] as const) {
  test(`${c}x${r}: a certificate expiring within 30 days gets a warning line under the header`, () => {
    const lines = screen(withCerts([cert('/etc/lbd/site.pem', 90), cert('/etc/lbd/soon.pem', 9)]), c, r);
    const i = lines.findIndex((l) => l.includes('certificate soon.pem'));
    assert.ok(i > 0 && i <= 3, lines.join('\n'));
    if (c >= 80) assert.match(lines[i]!, /! certificate soon\.pem \(lb\.test, www\.lb\.test\) expires in 9 days \(2026-11-30\)/);
  });
}

test('no warning when every certificate has more than 30 days, or on plain listeners', () => {
  assert.ok(!screen(withCerts([cert('/etc/lbd/site.pem', 31)]), 80, 24).some((l) => l.includes('certificate')));
  assert.ok(!screen(allStatesSnapshot(), 80, 24).some((l) => l.includes('certificate')));
});

test('the soonest is named, the others counted; expired reads EXPIRED in the down tone', () => {
  const snap = withCerts([cert('/a.pem', 20), cert('/b.pem', -3), cert('/a.pem', 20)]);
  assert.deepEqual(expiringCerts(snap, NOW).map((c) => c.file), ['/b.pem', '/a.pem']);
  const line = certWarningLine(snap, NOW, UNICODE)!;
  assert.equal(text(line), ' ✗ certificate b.pem (lb.test, www.lb.test) EXPIRED on 2026-11-18 · 1 more within 30 days · lbctl cert list ');
  assert.equal(line[0]!.tone, 'down');
  assert.equal(certWarningLine(withCerts([cert('/a.pem', 1)]), NOW, UNICODE)![0]!.tone, 'warn');
});
