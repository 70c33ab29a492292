import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFailed, checkPassed, healthFraction, maxHealth, nextInterval, onErrorHealth } from '../../daemon/health/rise-fall.js';

type Step = 'P' | 'F';

/** Run a sequence from a starting point, returning the status text after each step. */
function run(rise: number, fall: number, start: { health: number; up: boolean }, seq: Step[]) {
  let { health, up } = start;
  const out: string[] = [];
  for (const s of seq) {
    const r = s === 'P' ? checkPassed(health, up, { rise, fall }) : checkFailed(health, up, { rise, fall });
    health = r.health;
    if (r.transition === 'up') up = true;
    if (r.transition === 'down') up = false;
    out.push(`${up ? 'UP' : 'DOWN'}${healthFraction(health, up, { rise, fall })}`);
  }
  return { out, health, up };
}

test('captured HAProxy 2.6 sequence with rise 2 fall 2 (reference §3.3)', () => {
  // UP (health 3) → fail → UP 1/2 → fail → DOWN → pass → DOWN 1/2 → pass → UP
  const r = run(2, 2, { health: 3, up: true }, ['F', 'F', 'P', 'P']);
  assert.deepEqual(r.out, ['UP 1/2', 'DOWN', 'DOWN 1/2', 'UP']);
  assert.equal(r.health, 3);
});

test('a checked server starts at health = rise: shown UP 1/<fall>, one failure marks it down', () => {
  for (const [rise, fall] of [[2, 2], [2, 3], [1, 1], [5, 4]] as const) {
    assert.equal(`UP${healthFraction(rise, true, { rise, fall })}`, fall === 1 && rise + fall - 1 === rise ? 'UP' : `UP 1/${fall}`);
    const r = run(rise, fall, { health: rise, up: true }, ['F']);
    assert.equal(r.up, false, `rise ${rise} fall ${fall}`);
    assert.equal(r.health, 0);
  }
  // the first success from start goes to full UP
  assert.deepEqual(run(2, 3, { health: 2, up: true }, ['P']).out, ['UP']);
});

test('from full health, exactly `fall` consecutive failures take a server down', () => {
  for (let rise = 1; rise <= 5; rise++) {
    for (let fall = 1; fall <= 5; fall++) {
      const p = { rise, fall };
      let h = maxHealth(p);
      let up = true;
      for (let i = 1; i <= fall; i++) {
        const r = checkFailed(h, up, p);
        h = r.health;
        if (r.transition === 'down') up = false;
        assert.equal(up, i < fall, `rise ${rise} fall ${fall} after ${i} failures`);
      }
    }
  }
});

test('from down with health 0, exactly `rise` consecutive passes bring it up at full health', () => {
  for (let rise = 1; rise <= 5; rise++) {
    for (let fall = 1; fall <= 5; fall++) {
      const p = { rise, fall };
      let h = 0;
      let up = false;
      for (let i = 1; i <= rise; i++) {
        const r = checkPassed(h, up, p);
        h = r.health;
        if (r.transition === 'up') up = true;
        assert.equal(up, i === rise, `rise ${rise} fall ${fall} after ${i} passes`);
      }
      assert.equal(h, maxHealth(p));
    }
  }
});

test('exhaustive: every sequence of up to 10 results keeps health in range and state consistent', () => {
  for (let rise = 1; rise <= 4; rise++) {
    for (let fall = 1; fall <= 4; fall++) {
      const p = { rise, fall };
      const max = maxHealth(p);
      for (let len = 1; len <= 10; len++) {
        for (let bits = 0; bits < 1 << len; bits++) {
          let h = max;
          let up = true;
          for (let i = 0; i < len; i++) {
            const pass = (bits >> i) & 1;
            const r = pass ? checkPassed(h, up, p) : checkFailed(h, up, p);
            // independent rules: a pass never takes a server down, a failure never brings it up
            assert.notEqual(r.transition, pass ? 'down' : 'up');
            h = r.health;
            if (r.transition === 'up') up = true;
            if (r.transition === 'down') up = false;
            assert.ok(h >= 0 && h <= max, `health ${h} out of range`);
            // an up server has health >= rise; a down one has health < rise
            assert.equal(up, h >= rise, `rise ${rise} fall ${fall} bits ${bits.toString(2)} step ${i}: health ${h}, up ${up}`);
          }
        }
      }
    }
  }
});

test('status fractions: UP x/y uses x = health-rise+1, y = fall; DOWN x/y uses x = health, y = rise', () => {
  const p = { rise: 2, fall: 3 }; // max 4
  assert.equal(healthFraction(4, true, p), '');
  assert.equal(healthFraction(3, true, p), ' 2/3');
  assert.equal(healthFraction(2, true, p), ' 1/3');
  assert.equal(healthFraction(0, false, p), '');
  assert.equal(healthFraction(1, false, p), ' 1/2');
});

test('next interval: inter at full health, downinter when down at 0, fastinter in between', () => {
  const p = { rise: 2, fall: 2, inter: 1000, fastinter: 200, downinter: 5000 };
  assert.equal(nextInterval(3, true, p), 1000);
  assert.equal(nextInterval(2, true, p), 200);
  assert.equal(nextInterval(0, false, p), 5000);
  assert.equal(nextInterval(1, false, p), 200);
});

test('on-error modes adjust the counter before the simulated failure', () => {
  const p = { rise: 2, fall: 3 }; // max 4
  assert.deepEqual(onErrorHealth(4, 'fastinter', p), { health: 4, fail: false });
  assert.deepEqual(onErrorHealth(4, 'fail-check', p), { health: 4, fail: true });
  // sudden-death: one failure away from down after the simulated failure
  const sd = onErrorHealth(4, 'sudden-death', p);
  assert.deepEqual(sd, { health: 3, fail: true });
  assert.equal(checkFailed(sd.health, true, p).health, 2);
  assert.equal(checkFailed(2, true, p).transition, 'down');
  // mark-down: the simulated failure takes it down at once
  const md = onErrorHealth(4, 'mark-down', p);
  assert.equal(checkFailed(md.health, true, p).transition, 'down');
});
