/**
 * `log` (global and proxies) and `log-format`. Lines are parsed fully, with HAProxy's checks, into
 * LogTarget objects for the access logger (daemon/log-sink.ts sends the lines, daemon/http/access-log.ts
 * formats them).
 */
import type { LogFormatName, LogLevel, LogTarget, SourceRef } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS, type KwCtx } from '../context.js';
import { parseInteger, parsePort } from '../units.js';
import { didYouMean } from '../suggest.js';
import type { Keyword } from './table.js';
import { parseLogFormat } from '../../http/acl/format.js';
import { parseContext } from './http-common.js';

const FORMATS: readonly LogFormatName[] = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'];
const LEVELS: readonly LogLevel[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

type Target = Extract<LogTarget, { kind: 'target' }>;

/** Where a log address sends: stdout/stderr, fd@N, ring@name, a UNIX socket path, or UDP/TCP host[:port]. */
function parseAddress(text: string): Pick<Target, 'transport' | 'host' | 'port'> | string {
  if (text === 'stdout' || text === 'stderr') return { transport: text, host: '', port: null };
  const m = /^([a-z0-9]+)@(.*)$/.exec(text);
  const prefix = m?.[1] ?? '';
  const rest = m ? m[2] : text;
  if (prefix === 'fd') return /^\d+$/.test(rest) ? { transport: rest === '1' ? 'stdout' : rest === '2' ? 'stderr' : 'fd', host: rest, port: null } : `invalid file descriptor in '${text}'`;
  if (prefix === 'ring') return rest === '' ? `missing ring name in '${text}'` : { transport: 'ring', host: rest, port: null };
  if (prefix === 'unix' || (prefix === '' && rest.startsWith('/'))) return rest === '' ? `missing path in '${text}'` : { transport: 'unix', host: rest, port: null };
  const stream = prefix === 'tcp' || prefix === 'tcp4' || prefix === 'tcp6';
  if (prefix !== '' && !stream && !['udp', 'udp4', 'udp6', 'ipv4', 'ipv6'].includes(prefix)) return `unknown address prefix '${prefix}@' in '${text}'`;
  let host = rest;
  let port: string | null = null;
  const v6 = /^\[(.*)\](?::(.*))?$/.exec(rest);
  if (v6) [host, port] = [v6[1], v6[2] ?? null];
  else if (rest.split(':').length === 2) [host, port] = rest.split(':');
  if (host === '') return `missing address in '${text}'`;
  if (port !== null) {
    const p = parsePort(port);
    if (!p.ok) return `invalid port '${port}' in '${text}'`;
    return { transport: stream ? 'tcp' : 'udp', host, port: p.value };
  }
  return { transport: stream ? 'tcp' : 'udp', host, port: 514 };
}

/** Parse the words of a `log` line (after `log`). `global` only where `allowGlobal`. */
export function parseLogLine(ctx: KwCtx, allowGlobal: boolean): LogTarget | undefined {
  const a = ctx.args;
  const where: SourceRef = { file: ctx.line.file, line: ctx.line.line };
  if (a.length === 1 && a[0].text === 'global') {
    if (allowGlobal) return { kind: 'global', where };
    ctx.error("'log global' is only allowed in proxy sections", a[0]);
    return undefined;
  }
  if (a.length < 2) {
    ctx.error(`expects <address> and <facility>${allowGlobal ? ' or global' : ''} as arguments`);
    return undefined;
  }
  const addr = parseAddress(a[0].text);
  if (typeof addr === 'string') return void ctx.error(addr, a[0]);
  let len = 1024;
  let format: LogFormatName = 'local';
  let sample: string | null = null;
  let i = 1;
  for (;;) {
    const w = a[i];
    const v = a[i + 1];
    if (w?.text === 'len') {
      const n = v === undefined ? null : parseInteger(v.text, 80, 65535);
      if (n === null || !n.ok) return void ctx.error(`invalid log length '${v?.text ?? ''}', must be between 80 and 65535`, v ?? w);
      len = n.value;
    } else if (w?.text === 'format') {
      if (v === undefined || !(FORMATS as readonly string[]).includes(v.text)) return void ctx.error(`unknown log format '${v?.text ?? ''}' (expected ${FORMATS.join(', ')})${v ? didYouMean(v.text, FORMATS) : ''}`, v ?? w);
      format = v.text as LogFormatName;
    } else if (w?.text === 'sample') {
      if (v === undefined || !/^\d+(-\d+)?(,\d+(-\d+)?)*:\d+$/.test(v.text)) return void ctx.error(`'sample' expects <ranges>:<sample_size>${v ? `, got '${v.text}'` : ''}`, v ?? w);
      sample = v.text;
    } else break;
    i += 2;
  }
  const [fac, lvl, minLvl, extra] = a.slice(i);
  if (fac === undefined) return void ctx.error('expects a log facility after the address');
  if (!FACILITIES.includes(fac.text)) return void ctx.error(`unknown log facility '${fac.text}'${didYouMean(fac.text, FACILITIES)}`, fac);
  if (lvl !== undefined && !(LEVELS as readonly string[]).includes(lvl.text)) return void ctx.error(`unknown optional log level '${lvl.text}' (expected ${LEVELS.join(', ')})`, lvl);
  if (minLvl !== undefined && !(LEVELS as readonly string[]).includes(minLvl.text)) return void ctx.error(`unknown optional minimum log level '${minLvl.text}'`, minLvl);
  if (extra !== undefined) return void ctx.error(`unexpected argument '${extra.text}'`, extra);
  return { kind: 'target', ...addr, address: a[0].text, len, format, sample, facility: fac.text, level: (lvl?.text as LogLevel) ?? null, minLevel: (minLvl?.text as LogLevel) ?? null, where };
}

/** `log global | <target> …` in a proxy section. */
export const proxyLogKeyword: Keyword<ProxyDraft> = {
  help: 'global | <address> [len <n>] [format <fmt>] [sample <r>:<n>] <facility> [<level> [<minlevel>]]: where this proxy\'s access log goes (stdout, stderr, fd@N, UDP syslog host:port, a UNIX stream socket)',
  sections: PROXY_KINDS,
  parse(ctx, px) {
    const t = parseLogLine(ctx, true);
    if (t === undefined) return;
    px.http.logTargets.push(t);
  },
};

/** `log-format <string>`: the custom access log line (replaces option tcplog/httplog). */
export const logFormatKeyword: Keyword<ProxyDraft> = {
  help: '<string>: the access log line (%ci, %ST, %[src] …; HAProxy\'s variables)',
  sections: PROXY_KINDS,
  parse(ctx, px) {
    if (ctx.args.length !== 1) return ctx.error(ctx.args.length === 0 ? 'expects a format string' : "expects only one argument, don't forget to escape spaces!", ctx.args[1]);
    const nodes = parseLogFormat(ctx.args[0].text, parseContext(ctx, px, 'req', false));
    if (typeof nodes === 'string') return ctx.error(`failed to parse log-format: ${nodes}`, ctx.args[0]);
    if (px.kind === 'backend') return ctx.warn(`directive is ignored in backends`);
    px.http.logFormat = { text: ctx.args[0].text, nodes };
    px.http.logStyle = { style: 'custom', where: { file: ctx.line.file, line: ctx.line.line } };
  },
};
