/**
 * `show stat typed [desc]` and `show stat json` against HAProxy's answers for the track example with
 * every server up: the same fields per object (empty ones left out), the same tags, types and
 * descriptions, and the same values except those that depend on time or traffic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showStat, type ShowStatOptions } from '../../daemon/stats/index.js';
import { CSV, TIME_OR_TRAFFIC, capture, hapCfg, harness } from './stats-harness.js';

interface TypedLine {
  key: string;
  name: string;
  value: string;
  desc: string | null;
}

/** `T.iid.sid.pos.name.1:tags:type:value[:"desc"]`, split into the key (all but the value), value and desc. */
function parseTyped(text: string, withDesc: boolean): TypedLine[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((l) => {
    const m = /^([FBSL]\.\d+\.\d+\.\d+\.([^.]+)\.1:[A-Za-z]{3}:(?:u32|u64|s32|str)):(.*)$/.exec(l);
    assert.ok(m, `typed line: ${l}`);
    let value = m[3]!;
    let desc: string | null = null;
    if (withDesc) {
      const d = /^(.*):"([^"]*)"$/.exec(value);
      assert.ok(d, `desc on ${l}`);
      value = d[1]!;
      desc = d[2]!;
    }
    return { key: m[1]!, name: m[2]!, value, desc };
  });
}

async function upSnapshot() {
  const h = await harness(hapCfg());
  await h.tick(1500);
  const snap = h.snap();
  h.rt.shutdown();
  return snap;
}

const sameLines = (ours: TypedLine[], theirs: TypedLine[]) => {
  assert.deepEqual(ours.map((l) => l.key), theirs.map((l) => l.key), 'same fields, tags and types, in the same order');
  theirs.forEach((t, i) => {
    if (!TIME_OR_TRAFFIC.has(t.name)) assert.equal(ours[i]!.value, t.value, t.key);
    assert.equal(ours[i]!.desc, t.desc, t.key);
  });
};

test('show stat typed: same lines as HAProxy (empty fields left out, empty strings kept), values equal', async () => {
  const snap = await upSnapshot();
  const typed = (o: Partial<ShowStatOptions>) => showStat(snap, { ...CSV, format: 'typed', ...o });
  sameLines(parseTyped(typed({}), false), parseTyped(capture('show_stat_typed.txt'), false));
  assert.ok(typed({}).includes('S.4.1.56.last_chk.1:MOP:str:\n'), 'an empty last_chk is an empty string, printed');
  assert.ok(typed({}).includes('B.3.0.19.act.1:MGP:u32:2\n'), 'BACKEND act is a metric, server act a status');
  assert.ok(typed({}).includes('S.3.1.19.act.1:SGP:u32:1\n'));
});

test('show stat typed desc: every line carries HAProxy 2.6.12 description text', async () => {
  const snap = await upSnapshot();
  const out = showStat(snap, { ...CSV, format: 'typed', desc: true });
  sameLines(parseTyped(out, true), parseTyped(capture('show_stat_typed_desc.txt'), true));
});

test('show stat json: one array per object, fields with pos/name/processNum/tags/value as HAProxy', async () => {
  const snap = await upSnapshot();
  const text = showStat(snap, { ...CSV, format: 'json' });
  assert.ok(text.endsWith(']]\n') && !text.slice(0, -1).includes('\n'), 'one line');
  type Item = { objType: string; proxyId: number; id: number; field: { pos: number; name: string }; processNum: number; tags: unknown; value: { type: string; value: unknown } };
  const ours = JSON.parse(text) as Item[][];
  const theirs = JSON.parse(capture('show_stat.json')) as Item[][];
  assert.equal(ours.length, theirs.length);
  theirs.forEach((row, r) => {
    const mine = ours[r]!;
    assert.deepEqual(mine.map((x) => x.field.name), row.map((x) => x.field.name), `row ${r} fields`);
    row.forEach((t, i) => {
      const o = mine[i]!;
      const { value: tv, ...tRest } = t;
      const { value: ov, ...oRest } = o;
      assert.deepEqual(oRest, tRest);
      assert.equal(ov.type, tv.type);
      if (!TIME_OR_TRAFFIC.has(t.field.name)) assert.deepEqual(ov.value, tv.value, `${t.objType} ${t.proxyId}/${t.id} ${t.field.name}`);
    });
  });
  assert.equal(showStat(snap, { ...CSV, format: 'json', iid: 99 }), '[]\n');
  assert.equal(showStat(snap, { ...CSV, format: 'json', desc: true }), text, 'desc does not change json (2.6)');
  assert.equal(showStat(snap, { ...CSV, desc: true }), showStat(snap, CSV), 'nor CSV');
});
