/**
 * `bind … ssl` drafts → BindSslConfig: the global `ssl-default-bind-*` applied (a bind's own setting wins,
 * version flags add up), crt-base/ca-base applied, certificates loaded, and the protocol range folded
 * into Node's minVersion/maxVersion with HAProxy 2.6's rules and messages.
 */
import { createSecureContext, getCiphers } from 'node:tls';
import type { BindSslConfig, ConfigDiagnostic, ServerSslConfig, SourceRef, SslDefaultBindConfig, TlsCertificate } from './types.js';
import type { BindSslDraft, GlobalDraft, ServerOptions, SslDefaultBindDraft } from './drafts.js';
import type { Diagnostics } from './context.js';
import { TLS_VERSIONS, type HaproxyTlsVersion, type TlsVersionsDraft } from './keywords/ssl-options.js';
import { loadCertFile, loadCrt, loadCrtList, loadPemFile, withBase } from './tls-certs.js';

type NodeTlsVersion = BindSslConfig['minVersion'];

const NODE_NAMES: Readonly<Record<HaproxyTlsVersion, NodeTlsVersion | null>> = {
  SSLv3: null,
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};
const DEFAULT_MIN: HaproxyTlsVersion = 'TLSv1.2';
const DEFAULT_MAX: HaproxyTlsVersion = 'TLSv1.3';
const rank = (v: HaproxyTlsVersion): number => TLS_VERSIONS.indexOf(v);

/** What folding versions tells: the range, or null with an error; warnings either way. */
export interface FoldedVersions {
  readonly range: { readonly min: NodeTlsVersion; readonly max: NodeTlsVersion } | null;
  readonly warnings: readonly string[];
  readonly error: string | null;
}

/**
 * HAProxy 2.6's rule for a bind's protocol range: ssl-min-ver/ssl-max-ver (the bind's, else the global
 * default's) win and then `no-*` flags are ignored with a warning; without them the range is
 * TLSv1.2..TLSv1.3 minus the `no-*` flags; a max below TLSv1.2 without a min becomes the min too.
 */
export function foldVersions(bind: TlsVersionsDraft, defaults: TlsVersionsDraft | undefined): FoldedVersions {
  const warnings: string[] = [];
  let min = bind.min ?? defaults?.min;
  const max = bind.max ?? defaults?.max;
  let disabled = [...new Set([...bind.disabled, ...(defaults?.disabled ?? [])])];
  if (disabled.length > 0 && (min !== undefined || max !== undefined)) {
    warnings.push("no-sslv3/no-tlsv1x are ignored for this bind. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.");
    disabled = [];
  }
  if (min === undefined && max !== undefined && rank(max) < rank(DEFAULT_MIN)) {
    warnings.push(`ambiguous configuration: ssl-min-ver is not set and ssl-max-ver is lower than the default ssl-min-ver (${DEFAULT_MIN}). Setting ssl-min-ver to ${max}. Use 'ssl-min-ver' to fix this.`);
    min = max;
  }
  const lo = rank(min ?? DEFAULT_MIN);
  const hi = rank(max ?? DEFAULT_MAX);
  const enabled = TLS_VERSIONS.filter((v, i) => i >= lo && i <= hi && NODE_NAMES[v] !== null && !disabled.includes(v));
  if (enabled.length === 0) return { range: null, warnings, error: 'all SSL/TLS versions are disabled' };
  const first = enabled[0];
  const last = enabled[enabled.length - 1];
  if (rank(last) - rank(first) + 1 !== enabled.length) warnings.push(`SSL/TLS versions range not contiguous; lbd uses ${first} to ${last}`);
  return { range: { min: NODE_NAMES[first]!, max: NODE_NAMES[last]! }, warnings, error: null };
}

/** An OpenSSL cipher list or group list Node refuses, as a message (null when it is accepted). */
export function checkCipherSettings(ciphers: string | null, ciphersuites: string | null, curves: string | null): string[] {
  const errors: string[] = [];
  if (ciphers !== null) {
    try {
      createSecureContext({ ciphers });
    } catch {
      errors.push(`unable to set SSL cipher list to '${ciphers}'`);
    }
  }
  if (ciphersuites !== null) {
    const known = new Set(getCiphers());
    const bad = ciphersuites.split(':').filter((s) => !/^TLS_/.test(s) || !known.has(s.toLowerCase()));
    if (bad.length > 0) errors.push(`unable to set TLS 1.3 cipher suites to '${ciphersuites}' (unknown: ${bad.join(', ')})`);
  }
  if (curves !== null) {
    try {
      createSecureContext({ ecdhCurve: curves });
    } catch {
      errors.push(`unable to set SSL curves list to '${curves}'`);
    }
  }
  return errors;
}

/** The GlobalConfig view of `ssl-default-bind-*` (absent when none is set). */
export function sslDefaultBindOf(d: SslDefaultBindDraft | undefined): SslDefaultBindConfig | undefined {
  if (d === undefined) return undefined;
  return {
    minVersion: d.versions.min ?? null,
    maxVersion: d.versions.max ?? null,
    disabled: d.versions.disabled,
    noTlsTickets: d.noTlsTickets,
    ciphers: d.ciphers ?? null,
    ciphersuites: d.ciphersuites ?? null,
    curves: d.curves ?? null,
  };
}

/**
 * One bind line's TLS settings, certificates loaded. Null for a line without `ssl` (its `crt` files
 * are still loaded and checked, as HAProxy does, with a warning that the listener stays plain).
 * `label` names the bind in messages, e.g. `bind :443`.
 */
export function bindSslOf(b: BindSslDraft, g: GlobalDraft, diags: Diagnostics, now = Date.now()): BindSslConfig | null {
  const onLine = (w: SourceRef): boolean => w.file === b.where.file && w.line === b.where.line;
  const report = (p: ConfigDiagnostic): void => {
    const message = onLine(p.where) ? `'bind': ${p.message}` : p.message;
    if (p.severity === 'error') diags.error(p.where, message);
    else diags.warn(p.where, message);
  };
  const certs: TlsCertificate[] = [];
  for (const c of b.crts) {
    const loaded = c.kind === 'crt' ? loadCrt(withBase(g.crtBase, c.path), c.where, now) : loadCrtList(c.path, c.where, g.crtBase ?? null, now);
    certs.push(...loaded.value);
    loaded.problems.forEach(report);
  }
  if (b.ssl === null) {
    if (b.crts.length > 0) diags.warn(b.crts[0].where, `'bind': 'crt' without 'ssl': the certificates are loaded but the listener stays plain TCP (as in HAProxy); add 'ssl' to terminate TLS`);
    else diags.warn(b.where, `'bind': ${b.words.map((w) => `'${w}'`).join(', ')} ignored without 'ssl'`);
    return null;
  }
  const d = g.sslDefaultBind;
  const err = (message: string, where: SourceRef = b.ssl ?? b.where): void => diags.error(where, `'bind': ${message}`);
  if (b.crts.length === 0) err("no SSL certificate specified (use 'crt' or 'crt-list')");
  const folded = foldVersions(b.versions, d?.versions);
  for (const w of folded.warnings) diags.warn(b.where, `'bind': ${w}`);
  if (folded.error !== null) err(folded.error, b.where);
  const ciphers = b.ciphers ?? d?.ciphers ?? null;
  const ciphersuites = b.ciphersuites ?? d?.ciphersuites ?? null;
  const curves = b.curves ?? d?.curves ?? null;
  for (const m of checkCipherSettings(ciphers, ciphersuites, curves)) err(m, b.where);
  const verify = b.verify ?? 'none';
  const load = (f: { path: string; where: SourceRef } | undefined, marker: 'CERTIFICATE' | 'X509 CRL'): { path: string; pem: string } | null => {
    if (f === undefined) return null;
    const r = loadPemFile(withBase(g.caBase, f.path), marker, f.where);
    r.problems.forEach(report);
    return r.value;
  };
  const caFile = load(b.caFile, 'CERTIFICATE');
  const crlFile = load(b.crlFile, 'X509 CRL');
  if (verify !== 'none' && b.caFile === undefined) err(`verify is enabled but no CA file specified (use 'ca-file')`, b.where);
  return {
    certs,
    alpn: b.alpn ?? [],
    minVersion: folded.range?.min ?? 'TLSv1.2',
    maxVersion: folded.range?.max ?? 'TLSv1.3',
    ciphers,
    ciphersuites,
    curves,
    noTlsTickets: b.noTlsTickets || (d?.noTlsTickets ?? false),
    strictSni: b.strictSni,
    verify,
    caFile,
    crlFile,
  };
}

/**
 * A server line's TLS settings (`server … ssl …`), files loaded; null without `ssl` (other TLS options are
 * then ignored with a warning, as in HAProxy). Without `verify`, the global `ssl-server-verify` decides
 * (default required), and verifying needs a `ca-file`: HAProxy's error otherwise.
 */
export function serverSslOf(o: ServerOptions, label: string, where: SourceRef, g: GlobalDraft, diags: Diagnostics, now = Date.now()): ServerSslConfig | null {
  const report = (p: ConfigDiagnostic): void => {
    if (p.severity === 'error') diags.error(p.where, `${label}: ${p.message}`);
    else diags.warn(p.where, `${label}: ${p.message}`);
  };
  if (o.ssl !== true) {
    const set = [o.sslVerify && 'verify', o.sslCaFile && 'ca-file', o.sslSni && 'sni', o.sslAlpn && 'alpn', o.sslCrt && 'crt', o.checkSsl && 'check-ssl'].filter(Boolean);
    if (set.length) diags.warn(where, `${label}: ${set.map((w) => `'${w}'`).join(', ')} ignored without 'ssl'`);
    return null;
  }
  const verify = o.sslVerify ?? g.sslServerVerify ?? 'required';
  let caFile: { path: string; pem: string } | null = null;
  if (o.sslCaFile) {
    const r = loadPemFile(withBase(g.caBase, o.sslCaFile.value), 'CERTIFICATE', o.sslCaFile.where);
    r.problems.forEach(report);
    caFile = r.value;
  } else if (verify === 'required') {
    diags.error(where, `${label}: verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.`);
  }
  let crt: ServerSslConfig['crt'] = null;
  if (o.sslCrt) {
    const r = loadCertFile(withBase(g.crtBase, o.sslCrt.value), o.sslCrt.where, null, now);
    r.problems.forEach(report);
    if (r.value) crt = { file: r.value.file, certPem: r.value.certPem, keyPem: r.value.keyPem };
  }
  const min = o.sslMinVer ?? 'TLSv1.2';
  const max = o.sslMaxVer ?? 'TLSv1.3';
  const order = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  if (order.indexOf(min) > order.indexOf(max)) diags.error(where, `${label}: ssl-min-ver is above ssl-max-ver`);
  for (const m of checkCipherSettings(o.sslCiphers ?? null, null, null)) diags.error(where, `${label}: ${m}`);
  return {
    verify,
    caFile,
    verifyHost: o.sslVerifyHost ?? null,
    sni: o.sslSni ?? null,
    alpn: o.sslAlpn ?? [],
    crt,
    minVersion: min,
    maxVersion: max,
    ciphers: o.sslCiphers ?? null,
    reuse: o.sslReuse ?? true,
    checkSsl: o.checkSsl ?? o.checkPort === undefined,
    checkSni: o.checkSni ?? null,
  };
}
