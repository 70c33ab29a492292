/**
 * `bind <addr>[,<addr>…] [options]`: listening addresses of a frontend. Each address of a comma list
 * becomes its own BindConfig sharing the line's options (HAProxy's `bind_kws`).
 */
import type { Word } from '../lexer.js';
import type { BindDraft, ProxyDraft } from '../drafts.js';
import type { KwCtx } from '../context.js';
import { parseBindAddress } from '../address.js';
import type { Parsed } from '../units.js';
import { didYouMean } from '../suggest.js';

interface BindOptions {
  name: string | null;
}

interface BindOption {
  readonly help: string;
  readonly parse: (ctx: KwCtx, o: BindOptions, value: Word) => void;
}

/** The bind option table. */
export const BIND_OPTIONS: Readonly<Record<string, BindOption>> = {
  name: {
    help: '<name>: listener name shown in stats (default sock-<n>)',
    parse: (_ctx, o, v) => void (o.name = v.text),
  },
};

/** Options HAProxy has that lbd does not, so the message says "not supported" rather than "unknown". */
const UNSUPPORTED = new Set([
  'ssl', 'crt', 'crt-list', 'alpn', 'npn', 'ca-file', 'verify', 'accept-proxy', 'accept-netscaler-cip', 'v4v6', 'v6only',
  'transparent', 'defer-accept', 'interface', 'namespace', 'process', 'thread', 'tfo', 'backlog', 'maxconn', 'mss',
  'nice', 'level', 'mode', 'user', 'group', 'uid', 'gid', 'id', 'tcp-ut', 'proto', 'strict-sni', 'ciphers', 'curves',
]);

/** `bind` for frontends and listens. */
export function parseBind(ctx: KwCtx, px: ProxyDraft): void {
  const list = ctx.args[0];
  if (list === undefined) return ctx.error('expects <address>:<port>[,…] as its first argument');
  const where = { file: ctx.line.file, line: ctx.line.line };
  const addresses: Parsed<Omit<BindDraft, 'where' | 'text' | 'name'>>[] = [];
  const texts = list.text.split(',');
  for (const text of texts) addresses.push(text === '' ? { ok: false, error: `empty address in '${list.text}'` } : parseBindAddress(text));
  for (const a of addresses) if (!a.ok) ctx.error(a.error, list);
  const opts: BindOptions = { name: null };
  for (let i = 1; i < ctx.args.length; i += 2) {
    const w = ctx.args[i];
    const row = Object.hasOwn(BIND_OPTIONS, w.text) ? BIND_OPTIONS[w.text] : undefined;
    if (row === undefined) {
      const why = UNSUPPORTED.has(w.text) ? 'is not supported by lbd' : `is unknown${didYouMean(w.text, Object.keys(BIND_OPTIONS))}`;
      return ctx.error(`option '${w.text}' ${why}`, w);
    }
    const value = ctx.args[i + 1];
    if (value === undefined) return ctx.error(`option '${w.text}' expects ${row.help.split(':')[0]}`, w);
    row.parse(ctx, opts, value);
  }
  addresses.forEach((a, i) => {
    if (a.ok) px.binds.push({ ...a.value, where, text: texts[i], name: opts.name });
  });
}
