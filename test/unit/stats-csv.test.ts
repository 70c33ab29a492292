import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_HEADER, STAT_FIELDS, parseShowStatArgs, showStat, type ShowStatOptions } from '../../daemon/stats/index.js';
import { CSV, capture, diffCsv, hapCfg, harness, readCsv } from './stats-harness.js';

const opts = (o: Partial<ShowStatOptions>): ShowStatOptions => ({ ...CSV, ...o });

test('show stat: the header is HAProxy 2.6.12 byte for byte (128 names with the `-`, each followed by a comma)', () => {
  const header = capture('show_stat_up.csv').split('\n')[0];
  assert.equal(CSV_HEADER, header);
  assert.equal(CSV_HEADER.split(',').length, 129);
  assert.equal(STAT_FIELDS.length, 127);
});

test('show stat: the track example with every server up matches show_stat_up.csv column by column', async () => {
  const h = await harness(hapCfg());
  await h.tick(1500); // every check passed once: UP, L7OK
  const out = showStat(h.snap(), CSV);
  assert.deepEqual(diffCsv(out, capture('show_stat_up.csv')), []);
  // the values that matter to operators, spelled out
  const csv = readCsv(out);
  assert.equal(csv.row('myApp/FRONTEND').slim, '9985');
  assert.equal(csv.row('myApp/BACKEND').slim, '999', 'fullconn: 10% of the frontends that route to it, rounded up');
  assert.equal(csv.row('monitoring/BACKEND').slim, '1', 'no frontend routes to it');
  assert.equal(csv.row('myApp/server-1').tracked, 'monitoring/server-1');
  assert.equal(csv.row('myApp/server-1').check_status, '', 'a tracker shows no check of its own');
  assert.equal(csv.row('monitoring/server-1').check_status, 'L7OK');
  assert.equal(csv.row('monitoring/server-1').check_code, '200');
  h.rt.shutdown();
});

test('show stat: at startup a checked server and its tracker read UP 1/2 with INI, no check code and no duration', async () => {
  const h = await harness(hapCfg());
  const csv = readCsv(showStat(h.snap(), CSV));
  const m = csv.row('monitoring/server-1');
  assert.equal(m.status, 'UP 1/2');
  assert.equal(m.check_status, 'INI');
  assert.equal(m.check_desc, 'Initializing');
  assert.equal(m.check_code, '');
  assert.equal(m.check_duration, '');
  assert.equal(m.check_health, '2');
  assert.equal(csv.row('myApp/server-1').status, 'UP 1/2');
  h.rt.shutdown();
});

test('show stat: strict reader: every row has the header field count, integer columns hold integers or nothing', async () => {
  const h = await harness(hapCfg());
  await h.tick(1500);
  h.results.set(18001, { status: 'L7STS', code: 503, durationMs: 2, info: 'Service, "Unavailable"' });
  await h.tick(2500);
  const out = showStat(h.snap(), CSV);
  assert.ok(out.endsWith(',\n') && !out.includes('\n\n'), 'no empty line inside the answer');
  // a comma in a string is quoted CSV-style, so split-based readers see it as one field only after unquoting
  assert.ok(out.includes(',"Service, ""Unavailable""",'));
  h.results.set(18001, { status: 'L7STS', code: 503, durationMs: 2, info: 'Service Unavailable' });
  await h.tick(1000);
  const csv = readCsv(showStat(h.snap(), CSV));
  for (const r of csv.rows) {
    assert.equal(r[103], '-');
    for (const f of STAT_FIELDS) {
      const v = r[f.pos < 103 ? f.pos : f.pos + 1]!;
      if (f.type !== 'str' && v !== '') assert.match(v, f.type === 's32' ? /^-?\d+$/ : /^\d+$/, `${r[0]}/${r[1]} ${f.name}=${v}`);
    }
    assert.ok(['0', '1', '2', '3'].includes(r[32]!), 'type is 0..3');
  }
  h.rt.shutdown();
});

test('show stat: hatop reads positions 0..50 of lines with at least 51 commas; its int fields parse', async () => {
  const h = await harness(hapCfg());
  await h.tick(1500);
  const lines = showStat(h.snap(), CSV).split('\n').filter((l) => l && !l.startsWith('#'));
  const ints = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 32, 33, 34, 35, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50];
  assert.equal(lines.length, 7);
  for (const l of lines) {
    assert.ok(l.split(',').length - 1 >= 51);
    const f = l.split(',', 51);
    for (const i of ints) assert.ok(f[i] === '' || /^-?\d+$/.test(f[i]!), `hatop int field ${i} = ${f[i]}`);
  }
  h.rt.shutdown();
});

test('show stat <proxy> <type> <sid>: iid or name (a frontend before a backend of the same name), type mask, sid', async () => {
  const h = await harness(hapCfg());
  await h.tick(1500);
  const snap = h.snap();
  const names = (o: ShowStatOptions) => readCsv(showStat(snap, o)).rows.map((r) => `${r[0]}/${r[1]}`);
  const parsed = (...args: string[]) => {
    const p = parseShowStatArgs(snap, args);
    if ('error' in p) throw new Error(p.error);
    return p;
  };
  assert.deepEqual(names(parsed('3', '4', '-1')), ['myApp/server-1', 'myApp/server-2']);
  assert.deepEqual(names(parsed('-1', '2', '-1')), ['myApp/BACKEND', 'monitoring/BACKEND']);
  assert.deepEqual(names(parsed('myApp', '-1', '-1')), ['myApp/FRONTEND'], 'myApp names the frontend (iid 2)');
  assert.deepEqual(names(parsed('monitoring', '-1', '-1')), ['monitoring/server-1', 'monitoring/server-2', 'monitoring/BACKEND']);
  assert.deepEqual(names(parsed('3', '-1', '1')), ['myApp/server-1', 'myApp/BACKEND'], 'sid filters servers only');
  assert.deepEqual(names(parsed('3', '6', '2')), ['myApp/server-2', 'myApp/BACKEND']);
  assert.deepEqual(names(parsed('99', '-1', '-1')), [], 'an unknown number: the header alone');
  assert.deepEqual(names(parsed('3', 'x', 'y')), [], 'non-numbers read as 0');
  assert.deepEqual(names(parsed('3', '-1')).length, 7, 'two words: no filter');
  assert.deepEqual(parseShowStatArgs(snap, ['nope', '4', '-1']), { error: 'No such proxy.' });
  assert.deepEqual(parseShowStatArgs(snap, ['0', '4', '-1']), { error: 'No such proxy.' });
  const typed = parsed('3', '4', '-1', 'typed', 'desc', 'bogus');
  assert.equal(typed.format, 'typed');
  assert.equal(typed.desc, true);
  assert.equal(showStat(snap, opts({ iid: 99 })), CSV_HEADER + '\n');
  h.rt.shutdown();
});

test('show stat up / no-maint: hide servers, and BACKEND status gets (up/total)', async () => {
  const h = await harness(hapCfg());
  await h.tick(1500);
  h.results.set(18001, { status: 'L7STS', code: 503, durationMs: 1, info: 'Service Unavailable' });
  await h.tick(2500); // monitoring/server-1 and its tracker DOWN
  const rows = (o: Partial<ShowStatOptions>) => readCsv(showStat(h.snap(), opts(o))).rows.map((r) => `${r[0]}/${r[1]} ${r[17]}`);
  assert.deepEqual(rows({ up: true }), [
    'myApp/FRONTEND OPEN',
    'myApp/server-2 UP',
    'myApp/BACKEND UP (1/2)',
    'monitoring/server-2 UP',
    'monitoring/BACKEND UP (1/2)',
  ]);
  assert.deepEqual(rows({ noMaint: true }).length, 7, 'DOWN servers stay with no-maint');
  h.results.delete(18001);
  await h.tick(1000); // one passing check: DOWN 1/2 is on its way up and stays listed
  assert.ok(rows({ up: true }).includes('monitoring/server-1 DOWN 1/2'));
  assert.ok(rows({ up: true }).includes('myApp/server-1 DOWN 1/2'));
  h.rt.setServerState(h.server('monitoring/server-2'), 'maint', 'disable server monitoring/server-2');
  assert.deepEqual(rows({ noMaint: true }), [
    'myApp/FRONTEND OPEN',
    'myApp/server-1 DOWN 1/2',
    'myApp/BACKEND DOWN (0/2)',
    'monitoring/server-1 DOWN 1/2',
    'monitoring/BACKEND DOWN (0/2)',
  ]);
  assert.ok(rows({}).includes('myApp/BACKEND DOWN'), 'no suffix without a modifier');
  h.rt.shutdown();
});

test('show stat on a level user socket: addr, cookie and algo stay empty (legends)', async () => {
  const h = await harness(hapCfg());
  await h.tick(1500);
  const csv = readCsv(showStat(h.snap(), opts({ legends: false })));
  for (const r of csv.rows) for (const i of [73, 74, 76]) assert.equal(r[i], '');
  assert.equal(readCsv(showStat(h.snap(), CSV)).row('monitoring/BACKEND').algo, 'roundrobin');
  h.rt.shutdown();
});
