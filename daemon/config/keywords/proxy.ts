/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen` sections. As in HAProxy, one table serves
 * the four section kinds and each row says where it is allowed (HAProxy's PR_CAP_FE/BE/DEF flags):
 * a `listen` is both a frontend and a backend, `defaults` sets what the proxies after it inherit.
 */
import type { BalanceAlgorithm, ProxyMode } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS, oneOf, type SectionKind } from '../context.js';
import { parseInteger } from '../units.js';
import { dispatchSub, type Keyword, type KeywordTable } from './table.js';
import { TIMEOUT_SUB, removedTimeout } from './timeouts.js';
import { OPTION_SUB, parseOption } from './options.js';
import { HTTP_CHECK_SUB, TCP_CHECK_SUB } from './checks.js';
import { parseDefaultServer, parseServer } from './server.js';
import { parseBind } from './bind.js';

const FRONT: readonly SectionKind[] = ['defaults', 'frontend', 'listen'];
const FRONT_ONLY: readonly SectionKind[] = ['frontend', 'listen'];
const BACK: readonly SectionKind[] = ['defaults', 'backend', 'listen'];
const BACK_ONLY: readonly SectionKind[] = ['backend', 'listen'];
const PROXIES: readonly SectionKind[] = ['frontend', 'backend', 'listen'];

const BALANCE: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random'];
const HAPROXY_ONLY_BALANCE = ['uri', 'url_param', 'hdr', 'rdp-cookie', 'hash'];
const HASH_FUNCTIONS = ['sdbm', 'djb2', 'wt6', 'crc32'];

const ref = (ctx: { line: { file: string; line: number } }) => ({ file: ctx.line.file, line: ctx.line.line });

/** `use_backend`/`default_backend` take a plain name: dynamic names need HTTP sample fetches. */
function backendName(text: string): string | null {
  return text.includes('%[') ? `dynamic backend names ('${text}') are not supported` : null;
}

const useBackend: Keyword<ProxyDraft> = {
  help: '<backend>: send traffic to this backend (no condition: conditions need mode http support; not yet supported)',
  sections: FRONT_ONLY,
  parse(ctx, px) {
    const [name, cond] = ctx.args;
    if (name === undefined) return ctx.error('expects a backend name');
    if (cond !== undefined) {
      if (cond.text === 'if' || cond.text === 'unless') return ctx.error(`conditions ('${cond.text} …') need mode http support; not yet supported`, cond);
      return ctx.error(`unexpected argument '${cond.text}'`, cond);
    }
    const bad = backendName(name.text);
    if (bad) return ctx.error(bad, name);
    px.useBackends.push({ backend: name.text, where: ref(ctx) });
  },
};

/** The proxy keyword table. `no` (`no option …`, `no log`) is handled by the parser, which needs to look past it. */
export const PROXY_KEYWORDS: KeywordTable<ProxyDraft> = {
  mode: {
    help: 'tcp|http: how traffic is handled (default tcp)',
    sections: PROXY_KINDS,
    parse(ctx, px) {
      if (ctx.expectCount(1, 'tcp or http')) px.mode = oneOf<ProxyMode>(ctx, ctx.args[0], ['tcp', 'http'], 'mode') ?? px.mode;
    },
  },
  bind: { help: '<addr>:<port>[,…] [name <name>]: listen on these addresses', sections: FRONT_ONLY, parse: parseBind },
  default_backend: {
    help: '<backend>: backend used when no use_backend rule applies',
    sections: FRONT,
    parse(ctx, px) {
      if (!ctx.expectCount(1, 'a backend name')) return;
      const bad = backendName(ctx.args[0].text);
      if (bad) return ctx.error(bad, ctx.args[0]);
      px.defaultBackend = { backend: ctx.args[0].text, where: ref(ctx) };
    },
  },
  use_backend: useBackend,
  maxconn: {
    help: '<n>: max concurrent sessions of the frontend (default 0: only the global maxconn applies)',
    sections: FRONT,
    parse(ctx, px) {
      px.maxconn = ctx.single((t) => parseInteger(t, 0, Number.MAX_SAFE_INTEGER), 'a non-negative integer') ?? px.maxconn;
    },
  },
  timeout: { help: '<name> <duration>', sections: PROXY_KINDS, parse: (ctx, px) => dispatchSub(ctx, px, TIMEOUT_SUB, 'timeout'), sub: TIMEOUT_SUB },
  contimeout: removedTimeout('connect'),
  clitimeout: removedTimeout('client'),
  srvtimeout: removedTimeout('server'),
  retries: {
    help: '<n>: connection attempts to a server after the first fails (default 3)',
    sections: BACK,
    parse(ctx, px) {
      px.retries = ctx.single((t) => parseInteger(t, 0, Number.MAX_SAFE_INTEGER), 'a non-negative integer') ?? px.retries;
    },
  },
  option: { help: '<name> …', sections: PROXY_KINDS, parse: (ctx, px) => parseOption(ctx, px, false), sub: OPTION_SUB },
  balance: {
    help: 'roundrobin|static-rr|leastconn|first|source|random[(<draws>)]: load-balancing algorithm (default roundrobin)',
    sections: BACK,
    parse(ctx, px) {
      if (!ctx.expectCount(1, `an algorithm (${BALANCE.join(', ')})`)) return;
      const w = ctx.args[0];
      const m = /^random(?:\((.*)\))?$/.exec(w.text);
      if (m) {
        const draws = m[1] === undefined ? 2 : ctx.value(parseInteger(m[1], 1, 1000), w);
        if (draws !== undefined) px.balance = { algorithm: 'random', draws };
        return;
      }
      if (HAPROXY_ONLY_BALANCE.includes(w.text)) return ctx.error(`algorithm '${w.text}' is not supported by lbd (supported: ${BALANCE.join(', ')})`, w);
      const algorithm = oneOf(ctx, w, BALANCE, 'algorithm');
      if (algorithm !== undefined) px.balance = { algorithm, draws: 2 };
    },
  },
  'hash-type': {
    help: 'map-based|consistent [sdbm]: how hashing algorithms map keys to servers (default map-based)',
    sections: BACK,
    parse(ctx, px) {
      const [type, fn, extra] = ctx.args;
      if (type === undefined) return ctx.error('expects map-based or consistent');
      const t = oneOf(ctx, type, ['map-based', 'consistent'] as const, 'hash type');
      if (t === undefined) return;
      if (fn !== undefined && !HASH_FUNCTIONS.includes(fn.text)) return ctx.error(`unknown hash function '${fn.text}' (expected ${HASH_FUNCTIONS.join(', ')})`, fn);
      if (fn !== undefined && fn.text !== 'sdbm') ctx.warn(`hash function '${fn.text}' is ignored; lbd always hashes with sdbm`, fn);
      if (extra !== undefined) return ctx.error(`unexpected argument '${extra.text}' (hash modifiers are not supported)`, extra);
      px.hashType = t;
    },
  },
  'http-check': { help: '<rule> …', sections: BACK, parse: (ctx, px) => dispatchSub(ctx, px, HTTP_CHECK_SUB, 'http-check rule'), sub: HTTP_CHECK_SUB },
  'tcp-check': { help: '<rule> …', sections: BACK, parse: (ctx, px) => dispatchSub(ctx, px, TCP_CHECK_SUB, 'tcp-check rule'), sub: TCP_CHECK_SUB },
  server: { help: '<name> <addr>[:<port>] [options]: a server of this backend', sections: BACK_ONLY, parse: parseServer },
  'default-server': { help: '[options]: options for the servers declared after it', sections: BACK, parse: parseDefaultServer },
  log: {
    help: 'global | <target> …: accepted and ignored (lbd logs to stderr)',
    sections: PROXY_KINDS,
    parse(ctx) {
      if (ctx.args.length === 0) return ctx.error("expects 'global' or a log target");
      ctx.warn('ignored by lbd (it logs to stderr)');
    },
  },
  disabled: {
    help: 'start the proxy stopped',
    sections: PROXY_KINDS,
    parse(ctx, px) {
      if (ctx.expectCount(0, 'no argument')) px.disabled = true;
    },
  },
  enabled: {
    help: 'start the proxy (undoes disabled from defaults)',
    sections: PROXY_KINDS,
    parse(ctx, px) {
      if (ctx.expectCount(0, 'no argument')) px.disabled = false;
    },
  },
  description: {
    help: '<text>: free text shown by status views',
    sections: PROXIES,
    parse(ctx, px) {
      if (ctx.args.length === 0) return ctx.error('expects a text');
      px.description = ctx.args.map((w) => w.text).join(' ');
    },
  },
  id: {
    help: '<n>: proxy id (default: next free number in file order)',
    sections: PROXIES,
    parse(ctx, px) {
      const id = ctx.single((t) => parseInteger(t, 1, 2_147_483_647), 'a positive integer');
      if (id !== undefined) px.id = { value: id, where: ref(ctx) };
    },
  },
};

/** Proxy keywords HAProxy has that lbd does not implement: refused with "not supported", not "unknown". */
export const UNSUPPORTED_PROXY_KEYWORDS: ReadonlySet<string> = new Set([
  'acl', 'http-request', 'http-response', 'http-after-response', 'tcp-request', 'tcp-response', 'stick-table', 'stick',
  'cookie', 'errorfile', 'errorloc', 'capture', 'fullconn', 'rate-limit', 'monitor-uri', 'monitor', 'stats', 'redirect',
  'compression', 'filter', 'server-template', 'server-state-file-name', 'load-server-state-from-file', 'dynamic-cookie-key',
  'force-persist', 'ignore-persist', 'persist', 'unique-id-format', 'unique-id-header', 'log-format', 'error-log-format',
  'log-tag', 'bind-process', 'email-alert', 'external-check', 'http-reuse', 'source', 'errorfiles', 'grace', 'backlog',
]);
