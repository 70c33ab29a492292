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
  acceptProxy: boolean;
}

interface BindOption {
  readonly help: string;
  /** Number of values after the option word (0 for flags). */
  readonly arity: 0 | 1;
  /** `value` is the word after the option (the option word itself for flags). */
  readonly parse: (ctx: KwCtx, o: BindOptions, value: Word) => void;
}

/** The bind option table. */
export const BIND_OPTIONS: Readonly<Record<string, BindOption>> = {
  name: {
    help: '<name>: listener name shown in stats (default sock-<n>)',
    arity: 1,
    parse: (_ctx, o, v) => void (o.name = v.text),
  },
  'accept-proxy': {
    help: 'connections start with a PROXY protocol header (v1 or v2) giving the client\'s real addresses; without one they are closed',
    arity: 0,
    parse: (_ctx, o) => void (o.acceptProxy = true),
  },
};

/** Options HAProxy has that lbd does not, so the message says "not supported" rather than "unknown". */
const UNSUPPORTED = new Set([
  'ssl', 'crt', 'crt-list', 'alpn', 'npn', 'ca-file', 'verify', 'accept-netscaler-cip', 'v4v6', 'v6only',
  'transparent', 'defer-accept', 'interface', 'namespace', 'process', 'thread', 'tfo', 'backlog', 'maxconn', 'mss',
  'nice', 'level', 'mode', 'user', 'group', 'uid', 'gid', 'id', 'tcp-ut', 'proto', 'strict-sni', 'ciphers', 'curves',
]);

/** `bind` for frontends and listens. */
export function parseBind(ctx: KwCtx, px: ProxyDraft): void {
  const list = ctx.args[0];
  if (list === undefined) return ctx.error('expects <address>:<port>[,…] as its first argument');
  const where = { file: ctx.line.file, line: ctx.line.line };
  const addresses: Parsed<Omit<BindDraft, 'where' | 'text' | 'name' | 'acceptProxy'>>[] = [];
  const texts = list.text.split(',');
  for (const text of texts) addresses.push(text === '' ? { ok: false, error: `empty address in '${list.text}'` } : parseBindAddress(text));
  for (const a of addresses) if (!a.ok) ctx.error(a.error, list);
  const opts: BindOptions = { name: null, acceptProxy: false };
  for (let i = 1; i < ctx.args.length; i += 1 + (Object.hasOwn(BIND_OPTIONS, ctx.args[i].text) ? BIND_OPTIONS[ctx.args[i].text].arity : 1)) {
    const w = ctx.args[i];
    const row = Object.hasOwn(BIND_OPTIONS, w.text) ? BIND_OPTIONS[w.text] : undefined;
    if (row === undefined) {
      const why = UNSUPPORTED.has(w.text) ? 'is not supported by lbd' : `is unknown${didYouMean(w.text, Object.keys(BIND_OPTIONS))}`;
      return ctx.error(`option '${w.text}' ${why}`, w);
    }
    const value = row.arity === 0 ? w : ctx.args[i + 1];
    if (value === undefined) return ctx.error(`option '${w.text}' expects ${row.help.split(':')[0]}`, w);
    row.parse(ctx, opts, value);
  }
  addresses.forEach((a, i) => {
    if (a.ok) px.binds.push({ ...a.value, where, text: texts[i], name: opts.name, acceptProxy: opts.acceptProxy });
  });
}
