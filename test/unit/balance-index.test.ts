import { test } from 'node:test';
import assert from 'node:assert/strict';
import { algorithmNames, algorithms, createBalancer, seededRandom } from '../../daemon/balance/index.js';
import type { BalanceConfig } from '../../daemon/config/types.js';
import type { PickContext } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (n: number): Srv[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `s${i + 1}`, weight: 1 + (i % 4), sessions: i % 7, maxconn: 0 }));

const configs: BalanceConfig[] = [
  ...algorithmNames.map((algorithm) => ({ algorithm, draws: 2, hashType: 'map-based' as const })),
  { algorithm: 'source', draws: 2, hashType: 'consistent' },
  { algorithm: 'random', draws: 3, hashType: 'map-based' },
];
const label = (c: BalanceConfig) => `${c.algorithm}${c.algorithm === 'source' ? `/${c.hashType}` : ''}${c.algorithm === 'random' ? `(${c.draws})` : ''}`;

test('the table has one row per balance keyword', () => {
  assert.deepEqual([...algorithmNames].sort(), ['first', 'hdr', 'leastconn', 'random', 'roundrobin', 'source', 'static-rr', 'uri', 'url_param']);
  for (const name of algorithmNames) assert.ok(algorithms[name].description.length > 0);
  assert.throws(() => createBalancer({ algorithm: 'rdp-cookie' as never, draws: 2, hashType: 'map-based' }), /unknown balance algorithm 'rdp-cookie'/);
});

for (const cfg of configs) {
  const name = label(cfg);
  const make = () => createBalancer<Srv>(cfg, { random: seededRandom(5) });

  test(`${name}: null on an empty pool and when every server is skipped`, () => {
    const b = make();
    assert.equal(b.pick({ servers: [], version: 1 }, { hashKey: '10.0.0.1', skip: null }), null);
    assert.equal(b.pick({ servers: mk(5), version: 2 }, { hashKey: '10.0.0.1', skip: () => true }), null);
    assert.equal(b.pick({ servers: mk(5), version: 3 }, { hashKey: null, skip: () => true }), null);
  });

  test(`${name}: never returns a skipped server or one outside the pool, with changing pools and skip sets`, () => {
    const b = make();
    const rand = seededRandom(77);
    const all = mk(40);
    let version = 0;
    for (let round = 0; round < 50; round++) {
      const servers = all.filter(() => rand() < 0.7);
      const pool = { servers, version: ++version };
      const inPool = new Set(servers);
      for (let i = 0; i < 40; i++) {
        const banned = new Set(servers.filter(() => rand() < 0.5));
        const ctx: PickContext<Srv> = { hashKey: rand() < 0.5 ? `10.1.${i}.${round}` : null, skip: (s) => banned.has(s) };
        const s = b.pick(pool, ctx);
        if (s === null) {
          // Only allowed when nothing usable is left (for `first`: nothing below maxconn, none here).
          assert.equal(servers.filter((x) => !banned.has(x)).length, 0, 'null although a server was usable');
        } else {
          assert.ok(inPool.has(s), 'server outside the pool');
          assert.ok(!banned.has(s), 'skipped server returned');
        }
      }
    }
  });

  test(`${name}: a pick over 1,000 servers asks skip() O(servers) times`, () => {
    const b = make();
    const servers = mk(1000);
    let calls = 0;
    const ctx: PickContext<Srv> = { hashKey: '192.168.1.1', skip: (s) => (calls++, s.id % 10 !== 0) };
    for (let i = 0; i < 50; i++) {
      calls = 0;
      const s = b.pick({ servers, version: 1 }, ctx);
      assert.ok(s !== null && s.id % 10 === 0);
      assert.ok(calls <= 3 * (1000 + 4), `${calls} skip calls`);
    }
  });
}
