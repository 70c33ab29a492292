/**
 * HTTP options: `option forwardfor [except <net>] [header <name>] [if-none]`, the connection modes
 * `option http-keep-alive` (HAProxy's default), `option http-server-close`, `option httpclose`, and the
 * log styles `option tcplog`, `option httplog [clf]`, `option dontlognull` (kept in the model; lbd does
 * not write access logs yet, so they still warn).
 */
import type { HttpConnectionMode } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS, type KwCtx } from '../context.js';
import type { OptionRow } from './options.js';
import { parseIpNet } from '../../http/acl/ip.js';

const at = (ctx: KwCtx) => ({ file: ctx.line.file, line: ctx.line.line });

/** `option forwardfor …`; `no option forwardfor` removes one inherited from defaults. */
const forwardfor: OptionRow = {
  help: '[except <network>] [header <name>] [if-none]: add X-Forwarded-For (or <name>) with the client address to requests',
  sections: PROXY_KINDS,
  negatable: true,
  parse(ctx, px, negate) {
    if (negate) {
      if (ctx.expectCount(0, 'no argument')) px.http.forwardFor = null;
      return;
    }
    const ff = { header: 'X-Forwarded-For', except: null as string | null, ifNone: false, where: at(ctx) };
    const a = ctx.args;
    for (let i = 0; i < a.length; i++) {
      const w = a[i];
      if (w.text === 'if-none') ff.ifNone = true;
      else if (w.text === 'except' || w.text === 'header') {
        const v = a[i + 1];
        if (w.text === 'except') {
          if (v === undefined || typeof parseIpNet(v.text) === 'string') return ctx.error(`'except' expects <address>[/mask]${v ? `, got '${v.text}'` : ''}`, v ?? w);
          ff.except = v.text;
        } else {
          if (v === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v.text)) return ctx.error(`'header' expects a header name${v ? `, got '${v.text}'` : ''}`, v ?? w);
          ff.header = v.text;
        }
        i++;
      } else return ctx.error(`only supports optional values: 'except', 'header' and 'if-none' (got '${w.text}')`, w);
    }
    px.http.forwardFor = ff;
  },
};

/** A connection mode option; `no option …` returns to the default keep-alive. */
const mode = (m: HttpConnectionMode, help: string): OptionRow => ({
  help,
  sections: PROXY_KINDS,
  negatable: true,
  parse(ctx, px, negate) {
    if (!ctx.expectCount(0, 'no argument')) return;
    if (negate) {
      if (px.http.connectionMode?.mode === m) delete px.http.connectionMode;
      return;
    }
    px.http.connectionMode = { mode: m, where: at(ctx) };
  },
});

/** A log style option: what the access log line looks like. */
const logStyle = (help: string, set: (ctx: KwCtx, px: ProxyDraft, on: boolean) => boolean): OptionRow => ({
  help,
  sections: PROXY_KINDS,
  negatable: true,
  parse(ctx, px, negate) {
    set(ctx, px, !negate);
  },
});

/** The HTTP rows of the option table. */
export const HTTP_OPTIONS: Readonly<Record<string, OptionRow>> = {
  forwardfor,
  'http-keep-alive': mode('keep-alive', "keep client and server connections open between requests (HAProxy's default)"),
  'http-server-close': mode('server-close', 'close the server connection after each response, keep the client one'),
  httpclose: mode('close', 'close both connections after each response'),
  tcplog: logStyle('TCP log format', (ctx, px, on) => {
    if (!ctx.expectCount(0, 'no argument')) return false;
    if (on) px.http.logStyle = { style: 'tcplog', where: at(ctx) };
    else if (px.http.logStyle?.style === 'tcplog') delete px.http.logStyle;
    return true;
  }),
  httplog: logStyle('[clf]: HTTP log format', (ctx, px, on) => {
    const clf = ctx.args[0]?.text === 'clf';
    if (!ctx.expectCount(clf ? 1 : 0, "no argument or 'clf'")) return false;
    const style = clf ? 'httplog-clf' : 'httplog';
    if (on) px.http.logStyle = { style, where: at(ctx) };
    else if (px.http.logStyle?.style.startsWith('httplog')) delete px.http.logStyle;
    return true;
  }),
  dontlognull: logStyle('do not log connections that carried no data', (ctx, px, on) => {
    if (!ctx.expectCount(0, 'no argument')) return false;
    px.http.dontlognull = on;
    return true;
  }),
};
