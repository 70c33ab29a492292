import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monoEpochNow, monoToWall, systemClock } from '../../daemon/runtime/clock.js';

test('the step-free clock reads as epoch milliseconds and never goes back', () => {
  const a = monoEpochNow();
  assert.ok(Math.abs(a - Date.now()) < 1000, 'on the epoch scale, next to the wall clock');
  let prev = a;
  for (let i = 0; i < 10_000; i++) {
    const t = monoEpochNow();
    assert.ok(t >= prev);
    prev = t;
  }
  assert.equal(systemClock.now === monoEpochNow, true, 'the runtime reads durations from it');
});

test('conversion to calendar time follows a wall-clock step, and ignores sub-second drift', () => {
  const realNow = Date.now;
  try {
    const t = monoEpochNow();
    assert.ok(Math.abs(monoToWall(t) - t) < 1000, 'no step: a moment converts to itself');
    // drift below a second (slewing, rounding) is not a step: converted dates stay put between reads
    Date.now = () => realNow() + 600;
    const before = monoToWall(t);
    assert.equal(monoToWall(t), before);
    assert.ok(Math.abs(before - t) < 1000);
    // a step back of an hour: dates move with the calendar, durations between them do not change
    Date.now = () => realNow() - 3_600_000;
    const a = monoToWall(t);
    assert.ok(Math.abs(a - (t - 3_600_000)) < 1000, `converted ${a - t} ms`);
    assert.equal(monoToWall(t + 5000) - a, 5000);
    assert.ok(Math.abs(systemClock.wall() - Date.now()) < 5, 'wall() is the wall clock');
  } finally {
    Date.now = realNow;
    monoToWall(0); // re-adopt the real offset for the tests that follow in this process
  }
});
