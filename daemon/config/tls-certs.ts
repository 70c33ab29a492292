/**
 * Certificates of TLS listeners, read at load time the way HAProxy 2.6 reads them: a `crt` PEM holds
 * the chain (leaf first) and the private key, or the key sits beside it in `<file>.key`; a `crt`
 * directory loads every regular file in lexical order except the `.key`/`.ocsp`/`.issuer`/`.sctl`
 * companions and hidden files; a `crt-list` names one certificate per line with optional SNI filters.
 * Problems are returned as diagnostics at the line that named the file, never thrown.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ConfigDiagnostic, SourceRef, TlsCertificate } from './types.js';

/** A value and the problems met while producing it (errors mean the value is incomplete). */
export interface Loaded<T> {
  readonly value: T;
  readonly problems: ConfigDiagnostic[];
}

/** A PEM bundle taken apart: what TlsCertificate needs except where it came from and its SNI names. */
export interface ParsedPem {
  readonly certPem: string;
  readonly keyPem: string;
  readonly keyType: string;
  readonly names: readonly string[];
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
  /** Chain certificates that do not issue the one before them (index in the chain, 1 = first intermediate). */
  readonly chainBreaks: readonly number[];
}

/** One line of a crt-list file. */
export interface CrtListEntry {
  /** The certificate path as written (crt-base not applied yet). */
  readonly crt: string;
  /** Positive SNI filters, lower case; empty: the certificate's own names. */
  readonly names: readonly string[];
  /** `!name` filters, lower case. */
  readonly excluded: readonly string[];
  readonly where: SourceRef;
}

/** Files that accompany a certificate in a `crt` directory and are not certificates themselves (HAProxy's list). */
const COMPANION_EXTENSIONS = ['.key', '.ocsp', '.issuer', '.sctl'];

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN (RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END \1?PRIVATE KEY-----/;

/** `crt-base`/`ca-base` rule: a relative path is taken under the base when one is set, else as written (from the working directory). */
export function withBase(base: string | null | undefined, path: string): string {
  return base && !isAbsolute(path) ? join(base, path) : path;
}

/** A file system error as HAProxy words it (strerror). */
function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory' };
  return (code !== undefined && known[code]) || (e as Error).message;
}

/** `/C=FR/CN=www.example.com`, the one-line DN `show ssl cert` prints, from Node's newline-separated form. */
export function oneLineDn(dn: string): string {
  return dn === '' ? '' : '/' + dn.split('\n').join('/');
}

/**
 * The names a certificate serves for SNI: its DNS subjectAltNames, or its CN when it has none
 * (what HAProxy indexes), lower case, wildcards kept as `*.example.com`.
 */
export function certNames(x509: X509Certificate): string[] {
  const san = x509.subjectAltName ?? '';
  const dns = [...san.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)].map((m) => (m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]).toLowerCase());
  if (dns.length > 0) return [...new Set(dns)];
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject);
  return cn ? [cn[1].toLowerCase()] : [];
}

/**
 * Take a PEM bundle apart: every CERTIFICATE block is the chain (the first is the leaf), the private key
 * comes from the bundle or from `keyText` (the `.key` file). The key must match the leaf.
 * Returns an error message (without file:line) when the bundle is unusable.
 */
export function parsePem(file: string, text: string, keyText: string | null): ParsedPem | { error: string } {
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return { error: `unable to load certificate from file '${file}' (no PEM CERTIFICATE block)` };
  let chain: X509Certificate[];
  try {
    chain = blocks.map((b) => new X509Certificate(b));
  } catch (e) {
    return { error: `unable to load certificate from file '${file}' (${(e as Error).message})` };
  }
  const keySource = KEY_BLOCK.exec(text) ? text : keyText;
  const keyFile = keySource === text ? file : `${file}.key`;
  const keyBlock = keySource === null ? null : KEY_BLOCK.exec(keySource);
  if (keyBlock === null) return { error: `no private key found in '${file}' nor in '${file}.key'` };
  if (keyBlock[1] === 'ENCRYPTED ') return { error: `the private key in '${keyFile}' is encrypted (lbd cannot ask for a pass phrase; store it decrypted)` };
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock[0]);
  } catch (e) {
    return { error: `unable to load the private key from '${keyFile}' (${(e as Error).message})` };
  }
  const leaf = chain[0];
  if (!leaf.checkPrivateKey(key)) return { error: `inconsistencies between private key and certificate loaded from '${file}'${keyFile === file ? '' : ` (key from '${keyFile}')`}: the key does not match the certificate` };
  const chainBreaks: number[] = [];
  for (let i = 1; i < chain.length; i++) if (!chain[i - 1].checkIssued(chain[i])) chainBreaks.push(i);
  return {
    certPem: blocks.join('\n') + '\n',
    keyPem: keyBlock[0] + '\n',
    keyType: key.asymmetricKeyType ?? 'unknown',
    names: certNames(leaf),
    subject: oneLineDn(leaf.subject),
    issuer: oneLineDn(leaf.issuer),
    serial: leaf.serialNumber,
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
    chainBreaks,
  };
}

/** What a crt-list line adds to a certificate: its SNI filters. */
export interface CertFilters {
  readonly names: readonly string[];
  readonly excluded: readonly string[];
}

/**
 * Load one PEM file (and its `.key` companion when the PEM has no key). `where` is the line that named it.
 * Warnings: expired or not yet valid (HAProxy loads it anyway), chain out of order.
 */
export function loadCertFile(path: string, where: SourceRef, filters: CertFilters | null = null, now = Date.now()): Loaded<TlsCertificate | null> {
  const problems: ConfigDiagnostic[] = [];
  const error = (message: string): Loaded<null> => ({ value: null, problems: [{ severity: 'error', where, message }] });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return error(`unable to stat SSL certificate from file '${path}' : ${errnoText(e)}`);
  }
  let keyText: string | null = null;
  if (!KEY_BLOCK.test(text)) {
    try {
      keyText = readFileSync(`${path}.key`, 'utf8');
    } catch {
      keyText = null;
    }
  }
  const pem = parsePem(path, text, keyText);
  if ('error' in pem) return error(pem.error);
  if (pem.notAfter < now) problems.push({ severity: 'warning', where, message: `certificate '${path}' expired on ${new Date(pem.notAfter).toISOString()} (loaded anyway, as HAProxy does)` });
  else if (pem.notBefore > now) problems.push({ severity: 'warning', where, message: `certificate '${path}' is not valid before ${new Date(pem.notBefore).toISOString()} (loaded anyway)` });
  for (const i of pem.chainBreaks) problems.push({ severity: 'warning', where, message: `certificate '${path}': chain certificate ${i} did not issue the certificate before it (the chain must go from the leaf up)` });
  const { chainBreaks: _, ...rest } = pem;
  const names = filters && (filters.names.length > 0 || filters.excluded.length > 0) ? filters.names : pem.names;
  return { value: { file: path, ...rest, names, excluded: filters?.excluded ?? [], where }, problems };
}

/** The certificate files of a `crt` directory, in lexical order, without companions, hidden files and subdirectories. */
export function certFilesOf(dir: string): string[] | { error: string } {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => !d.name.startsWith('.') && !COMPANION_EXTENSIONS.some((x) => d.name.endsWith(x)))
      .filter((d) => d.isFile() || (d.isSymbolicLink() && statSync(join(dir, d.name), { throwIfNoEntry: false })?.isFile() === true))
      .map((d) => d.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((n) => join(dir, n));
  } catch (e) {
    return { error: `unable to read directory '${dir}' : ${errnoText(e)}` };
  }
}

/** `crt <file|dir>`: one certificate, or every certificate of a directory. */
export function loadCrt(path: string, where: SourceRef, now = Date.now()): Loaded<TlsCertificate[]> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return { value: [], problems: [{ severity: 'error', where, message: `unable to stat SSL certificate from file '${path}' : ${errnoText(e)}` }] };
  }
  if (!isDir) {
    const one = loadCertFile(path, where, null, now);
    return { value: one.value ? [one.value] : [], problems: one.problems };
  }
  const files = certFilesOf(path);
  if ('error' in files) return { value: [], problems: [{ severity: 'error', where, message: files.error }] };
  if (files.length === 0) return { value: [], problems: [{ severity: 'error', where, message: `no certificate found in directory '${path}'` }] };
  const value: TlsCertificate[] = [];
  const problems: ConfigDiagnostic[] = [];
  for (const f of files) {
    const one = loadCertFile(f, where, null, now);
    if (one.value) value.push(one.value);
    problems.push(...one.problems);
  }
  return { value, problems };
}

/**
 * Parse a crt-list file's text: `<crtfile> [[ssl options]] [filter …]` per line, `#` comments and blank
 * lines skipped. Per-line `[…]` SSL options are refused (lbd keeps one set of options per bind).
 */
export function parseCrtList(file: string, text: string): Loaded<CrtListEntry[]> {
  const value: CrtListEntry[] = [];
  const problems: ConfigDiagnostic[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const where: SourceRef = { file, line: i + 1 };
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = line.split(/[ \t]+/);
    const crt = words[0];
    if (crt.startsWith('[') || crt.startsWith('!')) {
      problems.push({ severity: 'error', where, message: `crt-list: expected a certificate file first on the line, got '${crt}'` });
      return;
    }
    const rest = words.slice(1);
    if (rest.some((w) => w.includes('[') || w.includes(']'))) {
      problems.push({ severity: 'error', where, message: `crt-list: per-certificate SSL options ('[…]') are not supported by lbd; set them on the bind line` });
      return;
    }
    const names: string[] = [];
    const excluded: string[] = [];
    for (const w of rest) {
      const neg = w.startsWith('!');
      const name = (neg ? w.slice(1) : w).toLowerCase();
      if (name === '' || !/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$|^\*$/.test(name)) {
        problems.push({ severity: 'error', where, message: `crt-list: invalid SNI filter '${w}' (expected a host name, *.domain, or !name)` });
        continue;
      }
      (neg ? excluded : names).push(name);
    }
    value.push({ crt, names, excluded, where });
  });
  return { value, problems };
}

/** `crt-list <file>`: every certificate it names (crt-base applies to the certificate paths), with its filters. */
export function loadCrtList(path: string, where: SourceRef, crtBase: string | null, now = Date.now()): Loaded<TlsCertificate[]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { value: [], problems: [{ severity: 'error', where, message: `'crt-list' : cannot open file '${path}' : ${errnoText(e)}` }] };
  }
  const parsed = parseCrtList(path, text);
  const value: TlsCertificate[] = [];
  const problems = [...parsed.problems];
  for (const e of parsed.value) {
    const one = loadCertFile(withBase(crtBase, e.crt), e.where, e, now);
    if (one.value) value.push(one.value);
    problems.push(...one.problems);
  }
  if (parsed.value.length === 0 && parsed.problems.length === 0) problems.push({ severity: 'error', where, message: `'crt-list' : file '${path}' names no certificate` });
  return { value, problems };
}

/** `ca-file`/`crl-file`: the PEM text, which must hold at least one `marker` block (CERTIFICATE or X509 CRL). */
export function loadPemFile(path: string, marker: 'CERTIFICATE' | 'X509 CRL', where: SourceRef): Loaded<{ path: string; pem: string } | null> {
  const what = marker === 'CERTIFICATE' ? 'CA file' : 'CRL file';
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes(`-----BEGIN ${marker}-----`)) return { value: null, problems: [{ severity: 'error', where, message: `unable to load ${what} '${path}' (no ${marker} block)` }] };
    return { value: { path, pem }, problems: [] };
  } catch (e) {
    return { value: null, problems: [{ severity: 'error', where, message: `unable to load ${what} '${path}' : ${errnoText(e)}` }] };
  }
}
