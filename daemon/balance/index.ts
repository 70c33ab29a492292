/**
 * The load-balancing algorithms, one table row per `balance` keyword.
 *
 * A Backend calls `createBalancer(cfg.balance)` once and then `pick(pool, ctx)` for every new
 * session (see types.ts for the contract). Adding an algorithm is adding a row to `algorithms`:
 * the config parser can list the supported names from it, and nothing else needs to change.
 */
import type { BalanceAlgorithm, BalanceConfig } from '../config/types.js';
import { First } from './first.js';
import { LeastConn } from './leastconn.js';
import { RandomDraws, type RandomSource } from './random.js';
import { RoundRobin } from './roundrobin.js';
import { SourceConsistent, SourceMapBased } from './source.js';
import { StaticRoundRobin } from './static-rr.js';
import type { Balancer, Candidate } from './types.js';

export type { Balancer, Candidate, PickContext, Pool } from './types.js';
export { seededRandom, type RandomSource } from './random.js';
export { fmix32, hashString, sdbm } from './hash.js';

/** Things a balancer may be given besides its config; all optional. */
export interface BalancerOptions {
  /** Random source for `random` (uniform in [0, 1)); Math.random by default. Inject a seeded one in tests. */
  readonly random?: RandomSource;
  /** Points per unit of weight on the consistent-hash ring (default 160). */
  readonly ringPointsPerWeight?: number;
}

export interface BalanceAlgorithmEntry {
  /** One line for `lbd -c`/help listings. */
  readonly description: string;
  /** Whether runtime weight changes apply at once (HAProxy's "dynamic" algorithms). */
  readonly dynamic: boolean;
  readonly create: <T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions) => Balancer<T>;
}

/** A keyed hash balancer (`source` and the HTTP hashes): the key comes in `PickContext.hashKey`. */
function hashed<T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions): Balancer<T> {
  return cfg.hashType === 'consistent' ? new SourceConsistent<T>(opts.ringPointsPerWeight) : new SourceMapBased<T>();
}

/** `balance` keyword → algorithm. */
export const algorithms: Readonly<Record<BalanceAlgorithm, BalanceAlgorithmEntry>> = Object.freeze({
  roundrobin: {
    description: 'weighted round robin, weight changes apply at once (smooth interleaving)',
    dynamic: true,
    create: <T extends Candidate>() => new RoundRobin<T>(),
  },
  'static-rr': {
    description: 'weighted round robin over weights fixed per pool, O(1) per pick',
    dynamic: false,
    create: <T extends Candidate>() => new StaticRoundRobin<T>(),
  },
  leastconn: {
    description: 'fewest sessions relative to weight, ties shared round robin',
    dynamic: true,
    create: <T extends Candidate>() => new LeastConn<T>(),
  },
  first: {
    description: 'lowest server id with a free slot below its maxconn',
    dynamic: true,
    create: <T extends Candidate>() => new First<T>(),
  },
  source: {
    description: 'hash of the client address (hash-type map-based or consistent); round robin without one',
    dynamic: false,
    create: <T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions) =>
      cfg.hashType === 'consistent' ? new SourceConsistent<T>(opts.ringPointsPerWeight) : new SourceMapBased<T>(),
  },
  random: {
    description: 'random(<draws>): least loaded of <draws> servers drawn by weight',
    dynamic: true,
    create: <T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions) => new RandomDraws<T>(cfg.draws, opts.random),
  },
  // The HTTP hashes pick like `source`; only the key differs (daemon/http/acl/balance-key.ts computes it).
  uri: {
    description: 'hash of the request URI (HTTP; hash-type map-based or consistent); round robin without a key',
    dynamic: false,
    create: <T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions) => hashed<T>(cfg, opts),
  },
  url_param: {
    description: 'hash of a URL parameter (HTTP); round robin when the request lacks it',
    dynamic: false,
    create: <T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions) => hashed<T>(cfg, opts),
  },
  hdr: {
    description: 'hash of a request header (HTTP); round robin when the request lacks it',
    dynamic: false,
    create: <T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions) => hashed<T>(cfg, opts),
  },
});

/** The supported `balance` keywords, in table order. */
export const algorithmNames: readonly BalanceAlgorithm[] = Object.freeze(Object.keys(algorithms) as BalanceAlgorithm[]);

/**
 * A fresh balancer for one backend. Balancers keep per-pool state (round-robin position, rings),
 * so each backend gets its own. Throws on a name not in the table (the config validator rejects
 * those first, so reaching this is a bug).
 */
export function createBalancer<T extends Candidate>(cfg: BalanceConfig, opts: BalancerOptions = {}): Balancer<T> {
  if (!Object.hasOwn(algorithms, cfg.algorithm)) throw new Error(`unknown balance algorithm '${String(cfg.algorithm)}'`);
  return algorithms[cfg.algorithm].create<T>(cfg, opts);
}
