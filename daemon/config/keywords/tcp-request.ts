/**
 * `tcp-request inspect-delay <time>` and `tcp-request content accept|reject [if|unless <cond>]`: a mode tcp
 * frontend reads the client's first bytes (a TLS ClientHello for `req.ssl_sni`) before choosing a backend.
 * Other `tcp-request` forms (`connection`, `session`, other actions) are refused as not supported by lbd.
 */
import type { ProxyDraft } from '../drafts.js';
import type { SectionKind } from '../context.js';
import { parseDuration } from '../units.js';
import type { Keyword, SubKeyword } from './table.js';
import { extraWords, withCondition } from './http-common.js';

/** HAProxy's content actions, so lbd can tell "not supported" from "unknown". */
const HAPROXY_CONTENT_ACTIONS = new Set([
  'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0', 'track-sc1', 'track-sc2', 'set-log-level', 'set-nice', 'switch-mode',
  'use-service', 'sc-inc-gpc', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt', 'sc-set-gpt0', 'send-spoe-group', 'do-resolve', 'set-var',
  'set-var-fmt', 'unset-var', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop',
  'set-priority-class', 'set-priority-offset',
]);

/** lbd runs content inspection on the frontend side only (HAProxy also has backend and named-defaults rules). */
const FRONT_ONLY: readonly SectionKind[] = ['frontend', 'listen'];

const ref = (ctx: { line: { file: string; line: number } }) => ({ file: ctx.line.file, line: ctx.line.line });

const unsupported = (what: string): SubKeyword<ProxyDraft> => ({
  help: `not supported by lbd`,
  parse: (ctx) => ctx.diags.error(ctx.where(), `'tcp-request ${what}' rules are not supported by lbd (only 'tcp-request inspect-delay' and 'tcp-request content accept|reject')`),
});

/** The rows after `tcp-request`. */
export const TCP_REQUEST_SUB: Readonly<Record<string, SubKeyword<ProxyDraft>>> = {
  'inspect-delay': {
    help: '<time>: how long content rules may wait for the client\'s first bytes (mode tcp)',
    parse(ctx, px) {
      const ms = ctx.single(parseDuration, 'a positive delay such as 5s');
      if (ms === undefined) return;
      if (ms === 0) return ctx.error('expects a positive delay in milliseconds');
      px.inspectDelay = ms;
    },
  },
  content: {
    help: 'accept|reject [if|unless <cond>]: decide on the client\'s first bytes (req.ssl_sni, req.ssl_hello_type, req.len); the first matching rule wins',
    parse(ctx, px) {
      const action = ctx.args[0];
      if (action === undefined) return ctx.error("expects 'accept' or 'reject'");
      if (action.text !== 'accept' && action.text !== 'reject') {
        const name = action.text.replace(/\(.*$/, '');
        if (HAPROXY_CONTENT_ACTIONS.has(name)) return ctx.error(`action '${action.text}' is not supported by lbd (supported: accept, reject)`, action);
        return ctx.error(`expects 'accept' or 'reject' but got '${action.text}'`, action);
      }
      const split = withCondition(ctx, px, 1, 'req');
      if (split === undefined || extraWords(ctx, split.args, 1)) return;
      const where = ref(ctx);
      if (px.useBackends.length > 0) ctx.warn("a 'tcp-request' rule placed after a 'use_backend' rule will still be processed before");
      px.tcpContent.push({ action: action.text, cond: split.cond, where });
    },
  },
  connection: unsupported('connection'),
  session: unsupported('session'),
};

/** `tcp-request <what> …`. */
export const tcpRequestKeyword: Keyword<ProxyDraft> = {
  help: 'inspect-delay <time> | content accept|reject [if|unless <cond>]: read the first bytes of a connection before routing it (mode tcp)',
  sections: FRONT_ONLY,
  parse(ctx, px) {
    const first = ctx.args[0]?.text;
    const row = first !== undefined && Object.hasOwn(TCP_REQUEST_SUB, first) ? TCP_REQUEST_SUB[first] : undefined;
    if (row === undefined) return ctx.error(`expects 'inspect-delay', 'content', 'connection' or 'session'${first === undefined ? '' : ` but got '${first}'`}`, ctx.args[0]);
    row.parse(ctx.sub(1), px);
  },
  sub: TCP_REQUEST_SUB,
};
