/**
 * `show info` against HAProxy 2.6.12's answers (keys, order, tags, types, descriptions) and against what
 * its readers need: hatop's 14 anchored regexes, the Datadog check's one-colon lines, the exporter's keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showInfo, type ShowInfoOptions } from '../../daemon/stats/index.js';
import { capture, hapCfg, harness } from './stats-harness.js';

const PLAIN: ShowInfoOptions = { format: 'plain', desc: false, float: false };

async function snapshotAfter(ms: number) {
  const h = await harness(hapCfg());
  await h.tick(ms);
  const snap = h.snap();
  h.rt.shutdown();
  return snap;
}

const keys = (text: string) => text.split('\n').filter((l) => l).map((l) => l.slice(0, l.indexOf(':')));

test('show info: every key HAProxy 2.6 prints, in its order, one `Key: value` per line, no blank line', async () => {
  const snap = await snapshotAfter(9_250);
  const out = showInfo(snap, PLAIN);
  assert.deepEqual(keys(out), keys(capture('show_info.txt')));
  assert.ok(out.endsWith('\n') && !out.includes('\n\n'));
  const v = Object.fromEntries(out.split('\n').filter((l) => l).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  assert.equal(v.Name, 'lbd');
  assert.equal(v.Uptime, '0d 0h00m09s');
  assert.equal(v.Uptime_sec, '9');
  assert.equal(v.Maxconn, '9985');
  assert.equal(v.Nbproc, '1');
  assert.equal(v.Process_num, '1');
  assert.equal(v.Pid, String(process.pid));
  assert.equal(v.Tasks, '2', 'two running checks');
  assert.equal(v.Tainted, '0');
  assert.equal(v.Start_time_sec, String(Math.floor(snap.process.startedAt / 1000)));
});

test('show info: hatop finds its 14 keys; Datadog splits each line on ":" into exactly two parts', async () => {
  const out = showInfo(await snapshotAfter(0), PLAIN);
  const hatop = [
    /^Name:\s*(\S+)/, /^Version:\s*(\S+)/, /^Release_date:\s*(\S+)/, /^Nbproc:\s*(\d+)/, /^Process_num:\s*(\d+)/,
    /^Pid:\s*(\d+)/, /^Uptime:\s*([\S ]+)$/, /^Maxconn:\s*(\d+)/, /^CurrConns:\s*(\d+)/, /^Maxpipes:\s*(\d+)/,
    /^PipesUsed:\s*(\d+)/, /^Tasks:\s*(\d+)/, /^Run_queue:\s*(\d+)/, /^node:\s*(\S+)/,
  ];
  const lines = out.split('\n').filter((l) => l).map((l) => l.trim());
  for (const re of hatop) assert.ok(lines.some((l) => re.test(l)), `hatop: ${re}`);
  for (const l of lines) assert.equal(l.split(':').length, 2, `one colon: ${l}`);
  for (const k of ['Version', 'Release_date', 'Idle_pct', 'Uptime_sec']) assert.ok(lines.some((l) => l.startsWith(`${k}: `)), k);
});

test('show info typed desc: positions, tags, types and descriptions as HAProxy 2.6.12', async () => {
  const out = showInfo(await snapshotAfter(0), { format: 'typed', desc: true, float: false });
  const shape = (text: string) =>
    text.split('\n').filter((l) => l).map((l) => {
      const m = /^(\d+\.[^.]+\.1:[A-Za-z]{3}:\w+):.*(:"[^"]*")$/.exec(l);
      assert.ok(m, l);
      return m[1]! + m[2]!;
    });
  assert.deepEqual(shape(out), shape(capture('show_info_typed_desc.txt')));
  assert.ok(out.startsWith('0.Name.1:POS:str:lbd:"Product name"\n'));
});

test('show info desc (plain) appends the description; float prints decimals with the `flt` type and tags', async () => {
  const snap = await snapshotAfter(2_340);
  assert.ok(showInfo(snap, { ...PLAIN, desc: true }).startsWith('Name: lbd:"Product name"\nVersion: '));
  const float = showInfo(snap, { ...PLAIN, float: true });
  assert.match(float, /\nUptime_sec: 2\.34\n/);
  assert.match(float, /\nConnRate: 0\n/);
  assert.match(float, /\nUptime: 0d 0h00m02s\n/, 'the text form stays');
  const typed = showInfo(snap, { format: 'typed', desc: false, float: true });
  assert.match(typed, /\n8\.Uptime_sec\.1:MDP:flt:2\.34\n/);
  assert.match(typed, /\n35\.SslFrontendKeyRate\.1:MRP:flt:0\n/, 'HAProxy changes these tags in float mode');
  assert.match(typed, /\n70\.Start_time_sec\.1:MDP:flt:\d+(\.\d+)?\n/);
  assert.match(typed, /\n28\.MaxConnRate\.1:MMP:u32:0\n/);
});

test('show info json: HAProxy 2.6.12 structure, field by field', async () => {
  const snap = await snapshotAfter(0);
  type Item = { field: { pos: number; name: string }; processNum: number; tags: unknown; value: { type: string; value: unknown } };
  const text = showInfo(snap, { format: 'json', desc: false, float: false });
  assert.ok(text.endsWith('}]\n'));
  const ours = JSON.parse(text) as Item[];
  const theirs = JSON.parse(capture('show_info.json')) as Item[];
  assert.deepEqual(
    ours.map((x) => [x.field, x.processNum, x.tags, x.value.type]),
    theirs.map((x) => [x.field, x.processNum, x.tags, x.value.type]),
  );
  assert.deepEqual(ours[0]!.value, { type: 'str', value: 'lbd' });
  assert.equal(showInfo(snap, { format: 'json', desc: true, float: false }), text, 'json has no descriptions in 2.6');
  const flt = JSON.parse(showInfo(snap, { format: 'json', desc: false, float: true })) as Item[];
  assert.deepEqual(flt.find((x) => x.field.name === 'Uptime_sec')!.value, { type: 'flt', value: 0 });
});

test('show info: node and description as HAProxy prints them when configured; Idle_pct from the caller', async () => {
  const snap = await snapshotAfter(0);
  const out = showInfo(snap, { ...PLAIN, node: 'lbnode1', description: 'test node for research', idlePct: 87.4 });
  assert.match(out, /\nIdle_pct: 87\nnode: lbnode1\ndescription: test node for research\nStopping: 0\n/);
  assert.match(showInfo(snap, PLAIN), /\nnode: \S+\nStopping: 0\n/, 'no description line without one');
  const typed = showInfo(snap, { format: 'typed', desc: false, float: false, description: 'x' });
  assert.match(typed, /\n50\.node\.1:COS:str:\S+\n51\.description\.1:COS:str:x\n52\.Stopping/);
});
