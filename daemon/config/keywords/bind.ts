/**
 * `bind <addr>[,<addr>…] [options]`: listening addresses of a frontend. Each address of a comma list
 * becomes its own BindConfig sharing the line's options (HAProxy's `bind_kws`).
 */
import type { Word } from '../lexer.js';
import type { BindDraft, BindSslDraft, ProxyDraft } from '../drafts.js';
import { oneOf, type KwCtx } from '../context.js';
import { applyVersionWord, VERSION_WORDS_HELP } from './ssl-options.js';
import { parseBindAddress } from '../address.js';
import type { Parsed } from '../units.js';
import { didYouMean } from '../suggest.js';

interface BindOptions {
  name: string | null;
  acceptProxy: boolean;
  proto: 'h1' | 'h2' | null;
  ssl: BindSslDraft;
}

interface BindOption {
  readonly help: string;
  /** Number of values after the option word (0 for flags). */
  readonly arity: 0 | 1;
  /** `value` is the word after the option (the option word itself for flags). */
  readonly parse: (ctx: KwCtx, o: BindOptions, value: Word) => void;
}

/** A TLS option that takes one string value, stored as written. */
function tlsString(key: 'ciphers' | 'ciphersuites' | 'curves', help: string): BindOption {
  return { help, arity: 1, parse: (_ctx, o, v) => void ((o.ssl[key] = v.text), o.ssl.words.push(key)) };
}

/** A TLS flag. */
function tlsFlag(key: 'noTlsTickets' | 'strictSni', word: string, help: string): BindOption {
  return { help, arity: 0, parse: (_ctx, o) => void ((o.ssl[key] = true), o.ssl.words.push(word)) };
}

/** A protocol version word (`ssl-min-ver <v>`, `no-tlsv11`, `force-tlsv12` …), shared with ssl-default-bind-options. */
function versionOption(word: string): BindOption {
  return {
    help: VERSION_WORDS_HELP[word],
    arity: word.startsWith('ssl-') ? 1 : 0,
    parse(ctx, o, v) {
      const w = { ...v, text: word };
      applyVersionWord(ctx, o.ssl.versions, w, word.startsWith('ssl-') ? v : undefined);
      o.ssl.words.push(word);
    },
  };
}

/** `bind … ssl …`: TLS termination (HAProxy 2.6's bind_kws of ssl_sock). */
const TLS_OPTIONS: Readonly<Record<string, BindOption>> = {
  ssl: {
    help: 'terminate TLS on this listener (needs crt or crt-list)',
    arity: 0,
    parse: (ctx, o, v) => void (o.ssl.ssl = ctx.where(v)),
  },
  crt: {
    help: '<file|dir>: PEM with the certificate chain (leaf first) and its key (or the key in <file>.key); a directory loads each file in lexical order, skipping .key/.ocsp/.issuer/.sctl companions; repeatable; relative to crt-base',
    arity: 1,
    parse: (ctx, o, v) => void o.ssl.crts.push({ kind: 'crt', path: v.text, where: ctx.where(v) }),
  },
  'crt-list': {
    help: '<file>: one certificate per line, \'<crtfile> [sni filter …]\' with *.wildcards and !exclusions (filters replace the certificate\'s own names); # comments; per-line [ssl options] are refused; crt-base applies to the certificates, not to the list',
    arity: 1,
    parse: (ctx, o, v) => void o.ssl.crts.push({ kind: 'crt-list', path: v.text, where: ctx.where(v) }),
  },
  alpn: {
    help: '<proto>[,<proto>…]: ALPN protocols offered, in order, e.g. h2,http/1.1',
    arity: 1,
    parse(ctx, o, v) {
      const list = v.text.split(',');
      const bad = list.find((p) => p === '' || Buffer.byteLength(p) > 255);
      if (bad !== undefined) return ctx.error(`'alpn': invalid protocol list '${v.text}' (expected names separated by commas, each 1 to 255 bytes)`, v);
      o.ssl.alpn = list;
      o.ssl.words.push('alpn');
    },
  },
  'ssl-min-ver': versionOption('ssl-min-ver'),
  'ssl-max-ver': versionOption('ssl-max-ver'),
  'no-sslv3': versionOption('no-sslv3'),
  'no-tlsv10': versionOption('no-tlsv10'),
  'no-tlsv11': versionOption('no-tlsv11'),
  'no-tlsv12': versionOption('no-tlsv12'),
  'no-tlsv13': versionOption('no-tlsv13'),
  'force-tlsv10': versionOption('force-tlsv10'),
  'force-tlsv11': versionOption('force-tlsv11'),
  'force-tlsv12': versionOption('force-tlsv12'),
  'force-tlsv13': versionOption('force-tlsv13'),
  ciphers: tlsString('ciphers', '<list>: OpenSSL cipher list for TLSv1.2 and below (default: Node\'s, which excludes weak ciphers; overrides ssl-default-bind-ciphers)'),
  ciphersuites: tlsString('ciphersuites', '<list>: TLSv1.3 cipher suites, colon separated (overrides ssl-default-bind-ciphersuites)'),
  curves: tlsString('curves', '<list>: key exchange groups, colon separated, e.g. X25519:P-256 (overrides ssl-default-bind-curves)'),
  'no-tls-tickets': tlsFlag('noTlsTickets', 'no-tls-tickets', 'disable stateless session resumption (TLS tickets)'),
  'strict-sni': tlsFlag('strictSni', 'strict-sni', 'refuse a handshake whose SNI matches no certificate instead of using the default one'),
  verify: {
    help: 'none|optional|required: ask for a client certificate and check it against ca-file (default none)',
    arity: 1,
    parse(ctx, o, v) {
      const m = oneOf(ctx, v, ['none', 'optional', 'required'] as const, 'verify mode');
      if (m !== undefined) o.ssl.verify = m;
      o.ssl.words.push('verify');
    },
  },
  'ca-file': {
    help: '<file>: PEM of the CAs that client certificates must chain to (relative to ca-base)',
    arity: 1,
    parse: (ctx, o, v) => void ((o.ssl.caFile = { path: v.text, where: ctx.where(v) }), o.ssl.words.push('ca-file')),
  },
  'crl-file': {
    help: '<file>: PEM of certificate revocation lists checked for client certificates (relative to ca-base)',
    arity: 1,
    parse: (ctx, o, v) => void ((o.ssl.crlFile = { path: v.text, where: ctx.where(v) }), o.ssl.words.push('crl-file')),
  },
  'prefer-client-ciphers': {
    help: 'accepted and ignored (the TLS transport chooses the cipher order)',
    arity: 0,
    parse: (ctx, _o, v) => ctx.warn(`option 'prefer-client-ciphers' is ignored by lbd`, v),
  },
};

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
  proto: {
    help: '<h2|h1>: the HTTP version spoken on this listener whatever ALPN says: h2 is HTTP/2 with prior knowledge (h2c on a clear listener); mode http only',
    arity: 1,
    parse: (ctx, o, v) => {
      const p = oneOf(ctx, v, ['h1', 'h2'] as const, 'protocol');
      if (p !== undefined) o.proto = p;
    },
  },
  ...TLS_OPTIONS,
};

/** Options HAProxy has that lbd does not, so the message says "not supported" rather than "unknown". */
const UNSUPPORTED = new Set([
  'npn', 'accept-netscaler-cip', 'v4v6', 'v6only',
  'transparent', 'defer-accept', 'interface', 'namespace', 'process', 'thread', 'tfo', 'backlog', 'maxconn', 'mss',
  'nice', 'level', 'mode', 'user', 'group', 'uid', 'gid', 'id', 'tcp-ut',
  'ca-ignore-err', 'crt-ignore-err', 'ecdhe', 'generate-certificates', 'ca-sign-file', 'ca-sign-pass', 'tls-ticket-keys',
  'allow-0rtt', 'no-ca-names', 'ca-verify-file', 'sigalgs', 'client-sigalgs', 'force-sslv3', 'ssl-engine', 'no-alpn',
]);

/** `bind` for frontends and listens. */
export function parseBind(ctx: KwCtx, px: ProxyDraft): void {
  const list = ctx.args[0];
  if (list === undefined) return ctx.error('expects <address>:<port>[,…] as its first argument');
  const where = { file: ctx.line.file, line: ctx.line.line };
  const addresses: Parsed<Omit<BindDraft, 'where' | 'text' | 'name' | 'acceptProxy' | 'proto'>>[] = [];
  const texts = list.text.split(',');
  for (const text of texts) addresses.push(text === '' ? { ok: false, error: `empty address in '${list.text}'` } : parseBindAddress(text));
  for (const a of addresses) if (!a.ok) ctx.error(a.error, list);
  const opts: BindOptions = { name: null, acceptProxy: false, proto: null, ssl: { ssl: null, crts: [], versions: { disabled: [] }, noTlsTickets: false, strictSni: false, words: [], where } };
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
    if (!a.ok) return;
    const tls = opts.ssl.ssl !== null || opts.ssl.crts.length > 0 || opts.ssl.words.length > 0;
    px.binds.push({ ...a.value, where, text: texts[i], name: opts.name, acceptProxy: opts.acceptProxy, proto: opts.proto, ...(tls ? { sslDraft: opts.ssl } : {}) });
  });
}
