import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseInteger, parseOctalMode, parsePort, parseSize } from '../../daemon/config/units.js';
import { editDistance, suggest, didYouMean } from '../../daemon/config/suggest.js';

const ms = (t: string): number | string => {
  const r = parseDuration(t);
  return r.ok ? r.value : r.error;
};

test('durations: units us ms s m h d, default ms, result in ms', () => {
  assert.equal(ms('100'), 100);
  assert.equal(ms('250ms'), 250);
  assert.equal(ms('2s'), 2000);
  assert.equal(ms('1m'), 60_000);
  assert.equal(ms('2h'), 7_200_000);
  assert.equal(ms('1d'), 86_400_000);
  assert.equal(ms('0'), 0);
});

test('durations: microseconds round up to whole milliseconds', () => {
  assert.equal(ms('1000us'), 1);
  assert.equal(ms('1500us'), 2);
  assert.equal(ms('1us'), 1);
  assert.equal(ms('0us'), 0);
});

test('durations: bad input says what was expected', () => {
  assert.match(String(ms('5x')), /unknown time unit 'x' in '5x'/);
  assert.match(String(ms('1.5s')), /expected a duration/);
  assert.match(String(ms('-1s')), /expected a duration/);
  assert.match(String(ms('')), /expected a duration/);
  assert.match(String(ms('25d')), /timer overflow/);
  assert.equal(ms('24d'), 2_073_600_000);
});

test('sizes: k m g are powers of 1024', () => {
  const size = (t: string) => {
    const r = parseSize(t);
    return r.ok ? r.value : r.error;
  };
  assert.equal(size('512'), 512);
  assert.equal(size('16k'), 16_384);
  assert.equal(size('1m'), 1_048_576);
  assert.equal(size('2g'), 2_147_483_648);
  assert.equal(size('1K'), 1024);
  assert.match(String(size('1t')), /expected a size/);
});

test('integers, ports and octal modes are strict', () => {
  assert.deepEqual(parseInteger('42', 0, 100), { ok: true, value: 42 });
  assert.equal(parseInteger('42x', 0, 100).ok, false);
  assert.equal(parseInteger('101', 0, 100).ok, false);
  assert.deepEqual(parsePort('65535'), { ok: true, value: 65535 });
  assert.equal(parsePort('0').ok, false);
  assert.equal(parsePort('65536').ok, false);
  assert.deepEqual(parseOctalMode('660'), { ok: true, value: 0o660 });
  assert.deepEqual(parseOctalMode('0600'), { ok: true, value: 0o600 });
  assert.equal(parseOctalMode('800').ok, false);
});

test('edit distance and suggestions', () => {
  assert.equal(editDistance('chek', 'check'), 1);
  assert.equal(editDistance('ckeck', 'check'), 1);
  assert.equal(editDistance('hcek', 'check'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(suggest('chek', ['inter', 'check', 'fall']), 'check');
  assert.equal(suggest('redispach', ['redispatch', 'httpchk']), 'redispatch');
  assert.equal(suggest('xyz', ['check', 'inter']), null);
  assert.equal(didYouMean('balanse', ['balance']), "; did you mean 'balance'?");
  assert.equal(didYouMean('zzzzzz', ['balance']), '');
});
