/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen` sections. As in HAProxy, one table serves
 * the four section kinds and each row says where it is allowed (HAProxy's PR_CAP_FE/BE/DEF flags):
 * a `listen` is both a frontend and a backend, `defaults` sets what the proxies after it inherit.
 */
import type { ProxyMode } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS, oneOf, type SectionKind } from '../context.js';
import { parseInteger } from '../units.js';
import { dispatchSub, type KeywordTable } from './table.js';
import { TIMEOUT_SUB, removedTimeout } from './timeouts.js';
import { OPTION_SUB, parseOption } from './options.js';
import { HTTP_CHECK_SUB, TCP_CHECK_SUB } from './checks.js';
import { parseDefaultServer, parseServer } from './server.js';
import { parseBind } from './bind.js';
import { aclKeyword, useBackendKeyword } from './acl.js';
import { balanceKeyword, hashTypeKeyword } from './balance.js';
import { logFormatKeyword, proxyLogKeyword } from './logging.js';
import { httpRequestKeyword, httpResponseKeyword } from './http-rules.js';
import { errorfileKeyword } from './http-files.js';
import { tcpRequestKeyword } from './tcp-request.js';
import { cookieKeyword, httpReuseKeyword, monitorUriKeyword, retryOnKeyword } from './http-proxy.js';

const FRONT: readonly SectionKind[] = ['defaults', 'frontend', 'listen'];
const FRONT_ONLY: readonly SectionKind[] = ['frontend', 'listen'];
const BACK: readonly SectionKind[] = ['defaults', 'backend', 'listen'];
const BACK_ONLY: readonly SectionKind[] = ['backend', 'listen'];
const PROXIES: readonly SectionKind[] = ['frontend', 'backend', 'listen'];

const ref = (ctx: { line: { file: string; line: number } }) => ({ file: ctx.line.file, line: ctx.line.line });

/** `default_backend` takes a plain name: dynamic names need sample expressions in backend names. */
function backendName(text: string): string | null {
  return text.includes('%[') ? `dynamic backend names ('${text}') are not supported by lbd` : null;
}

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
  use_backend: useBackendKeyword,
  acl: aclKeyword,
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
  balance: balanceKeyword,
  'hash-type': hashTypeKeyword,
  'http-check': { help: '<rule> …', sections: BACK, parse: (ctx, px) => dispatchSub(ctx, px, HTTP_CHECK_SUB, 'http-check rule'), sub: HTTP_CHECK_SUB },
  'tcp-check': { help: '<rule> …', sections: BACK, parse: (ctx, px) => dispatchSub(ctx, px, TCP_CHECK_SUB, 'tcp-check rule'), sub: TCP_CHECK_SUB },
  server: { help: '<name> <addr>[:<port>] [options]: a server of this backend', sections: BACK_ONLY, parse: parseServer },
  'default-server': { help: '[options]: options for the servers declared after it', sections: BACK, parse: parseDefaultServer },
  log: proxyLogKeyword,
  'log-format': logFormatKeyword,
  'http-request': httpRequestKeyword,
  'http-response': httpResponseKeyword,
  'tcp-request': tcpRequestKeyword,
  errorfile: errorfileKeyword,
  cookie: cookieKeyword,
  'retry-on': retryOnKeyword,
  'http-reuse': httpReuseKeyword,
  'monitor-uri': monitorUriKeyword,
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
  'http-after-response', 'tcp-response', 'stick-table', 'stick', 'http-error', 'errorloc302', 'errorloc303',
  'errorloc', 'capture', 'fullconn', 'rate-limit', 'monitor', 'stats', 'redirect', 'declare', 'log-format-sd', 'http-send-name-header',
  'compression', 'filter', 'server-template', 'server-state-file-name', 'load-server-state-from-file', 'dynamic-cookie-key',
  'force-persist', 'ignore-persist', 'persist', 'unique-id-format', 'unique-id-header', 'error-log-format', 'max-keep-alive-queue',
  'log-tag', 'bind-process', 'email-alert', 'external-check', 'source', 'errorfiles', 'grace', 'backlog', 'dispatch', 'hash-balance-factor',
]);
