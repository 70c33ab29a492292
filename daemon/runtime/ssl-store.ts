/**
 * The certificates the runtime serves, by file, as HAProxy keeps its `ckch_store` tree: what the config
 * loaded, what an operator committed at runtime (`set ssl cert` + `commit ssl cert`), and the one
 * transaction in progress (HAProxy allows a single certificate transaction at a time).
 *
 * Reload rule (lbd's choice, documented in the README): a certificate committed at runtime survives a
 * reload while its file on disk still holds what it held when the certificate was committed, so a reload
 * never silently puts the old certificate back; the reload report says so, one line per kept certificate.
 * Once the file changes on disk (the operator installed the new certificate, or another one), the file
 * wins and the runtime certificate is dropped. A restart reads the files only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { BindConfig, BindSslConfig, Config, TlsCertificate } from '../config/types.js';
import { certNames, parsePem, type ParsedPem } from '../config/tls-certs.js';

/** A certificate committed at runtime, and the file content it replaced (to tell whether the file changed since). */
interface Override {
  readonly pem: ParsedPem;
  /** certPem + keyPem of the configured certificate at commit time. */
  readonly diskKey: string;
  readonly at: number;
}

/** A transaction in progress: the file and the parsed payload (key null when the payload had none). */
export interface CertTransaction {
  readonly file: string;
  readonly pem: TxPem;
}

/** A payload as `set ssl cert` keeps it: the certificate part always, the key when the payload had one. */
export interface TxPem {
  readonly certPem: string;
  readonly keyPem: string | null;
  /** The key does not match the certificate (HAProxy reports it at commit). */
  readonly mismatch: boolean;
}

/** The details `show ssl cert <file>` prints and the snapshot carries, computed once per certificate text. */
export interface CertDetails {
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly notAfterMs: number;
  /** DNS subjectAltNames as HAProxy prints them: `DNS:a, DNS:b`. */
  readonly san: string;
  /** `RSA2048`, `EC256`… */
  readonly algorithm: string;
  readonly sha1: string;
  readonly subject: string;
  readonly issuer: string;
  readonly chain: readonly { subject: string; issuer: string }[];
}

const detailsCache = new Map<string, CertDetails>();

function oneLine(dn: string): string {
  return dn === '' ? '' : '/' + dn.split('\n').join('/');
}

/** The key's algorithm and size as HAProxy's `show ssl cert` names it (`RSA2048`, `EC256`, `DSA1024`). */
function algorithmOf(leaf: X509Certificate): string {
  const key = leaf.publicKey;
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `RSA${d.modulusLength ?? ''}`;
    case 'dsa':
      return `DSA${d.modulusLength ?? ''}`;
    case 'ec': {
      const bits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256, secp224r1: 224 };
      return `EC${bits[d.namedCurve ?? ''] ?? ''}`;
    }
    default:
      return 'Unknown';
  }
}

/** Parse a certificate chain's details (cached by its PEM text: snapshots ask every second). */
export function certDetails(certPem: string): CertDetails {
  const hit = detailsCache.get(certPem);
  if (hit) return hit;
  const blocks = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const chain = blocks.map((b) => new X509Certificate(b));
  const leaf = chain[0]!;
  const san = [...(leaf.subjectAltName ?? '').matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)].map((m) => `DNS:${m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]}`);
  const d: CertDetails = {
    serial: leaf.serialNumber.toUpperCase(),
    notBefore: leaf.validFrom,
    notAfter: leaf.validTo,
    notAfterMs: Date.parse(leaf.validTo),
    san: san.join(', '),
    algorithm: algorithmOf(leaf),
    sha1: leaf.fingerprint.replace(/:/g, ''),
    subject: oneLine(leaf.subject),
    issuer: oneLine(leaf.issuer),
    chain: chain.slice(1).map((c) => ({ subject: oneLine(c.subject), issuer: oneLine(c.issuer) })),
  };
  if (detailsCache.size > 256) detailsCache.clear();
  detailsCache.set(certPem, d);
  return d;
}

/**
 * Read a `set ssl cert` payload: HAProxy loads the certificate (required) and the key if present; a key
 * that is missing or does not match is refused at commit, not here. Returns HAProxy's error text otherwise.
 */
export function parsePayload(file: string, payload: string): TxPem | { error: string } {
  const certs = payload.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const fail = { error: `unable to load certificate from file '${file}'.\n` };
  if (certs.length === 0) return fail;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]!);
    for (const c of certs.slice(1)) new X509Certificate(c);
  } catch {
    return fail;
  }
  const keyBlock = /-----BEGIN (RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END \1?PRIVATE KEY-----/.exec(payload);
  if (!keyBlock) return { certPem: certs.join('\n') + '\n', keyPem: null, mismatch: false };
  if (keyBlock[1] === 'ENCRYPTED ') return { error: `unable to load private key from file '${file}'.\n` };
  try {
    const key = createPrivateKey(keyBlock[0]);
    return { certPem: certs.join('\n') + '\n', keyPem: keyBlock[0] + '\n', mismatch: !leaf.checkPrivateKey(key) };
  } catch {
    return { error: `unable to load private key from file '${file}'.\n` };
  }
}

const diskKeyOf = (c: TlsCertificate) => c.certPem + c.keyPem;

/**
 * A configured certificate with a committed one in its place: chain, key and validity from the new one;
 * the SNI names of a crt-list line's filters are kept, a certificate's own names are the new certificate's.
 */
export function replaceCert(c: TlsCertificate, pem: ParsedPem): TlsCertificate {
  const own = certNames(new X509Certificate(c.certPem));
  const filtered = c.excluded.length > 0 || own.length !== c.names.length || own.some((n, i) => n !== c.names[i]);
  const { chainBreaks: _, ...rest } = pem;
  return { ...c, ...rest, names: filtered ? c.names : pem.names, excluded: c.excluded };
}

export class SslStore {
  /** Every certificate file of the running config, with its configured certificate (the first bind naming it). */
  private readonly configured = new Map<string, TlsCertificate>();
  /** Files whose configured certificate is served by a started frontend (`Status: Used`). */
  private readonly used = new Set<string>();
  private readonly overrides = new Map<string, Override>();
  transaction: CertTransaction | null = null;

  /**
   * Take a new config's certificates. Returns one line per runtime certificate kept (file unchanged since
   * its commit) or dropped (the file changed on disk), for the reload report.
   */
  sync(cfg: Config): string[] {
    this.configured.clear();
    this.used.clear();
    for (const fe of cfg.frontends) {
      for (const b of fe.binds) {
        for (const c of b.ssl?.certs ?? []) {
          if (!this.configured.has(c.file)) this.configured.set(c.file, c);
          if (!fe.disabled) this.used.add(c.file);
        }
      }
    }
    const report: string[] = [];
    for (const [file, o] of this.overrides) {
      const c = this.configured.get(file);
      if (!c) {
        this.overrides.delete(file);
        continue;
      }
      if (diskKeyOf(c) === o.diskKey) report.push(`ssl cert ${file}: keeping the certificate committed at runtime (${o.pem.subject}); the file is unchanged since`);
      else {
        this.overrides.delete(file);
        report.push(`ssl cert ${file}: the file changed on disk; it replaces the certificate committed at runtime`);
      }
    }
    if (this.transaction && !this.configured.has(this.transaction.file)) this.transaction = null;
    return report;
  }

  /** The files in use, in HAProxy's order (its tree is sorted by name). */
  files(): string[] {
    return [...this.configured.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  has(file: string): boolean {
    return this.configured.has(file);
  }

  isUsed(file: string): boolean {
    return this.used.has(file);
  }

  /** The certificate served for `file` now: the committed one, else the configured one (null: unknown file). */
  current(file: string): { certPem: string; keyPem: string } | null {
    const o = this.overrides.get(file);
    if (o) return o.pem;
    return this.configured.get(file) ?? null;
  }

  /** Make a committed payload the certificate of `file` (the caller checked the key). */
  commit(file: string, pem: ParsedPem, now: number): void {
    const c = this.configured.get(file);
    if (!c) return;
    this.overrides.set(file, { pem, diskKey: diskKeyOf(c), at: now });
  }

  /** A bind line with committed certificates in place of the configured ones (the same object when none applies). */
  bind(b: BindConfig): BindConfig {
    const ssl = b.ssl;
    if (!ssl || !ssl.certs.some((c) => this.overrides.has(c.file))) return b;
    return { ...b, ssl: this.sslWith(ssl) };
  }

  private sslWith(ssl: BindSslConfig): BindSslConfig {
    return { ...ssl, certs: ssl.certs.map((c) => (this.overrides.has(c.file) ? replaceCert(c, this.overrides.get(c.file)!.pem) : c)) };
  }
}

/** A transaction payload as a full ParsedPem (checked: it has a key that matches), or HAProxy's commit error. */
export function completePem(file: string, tx: TxPem): ParsedPem | { error: string } {
  if (tx.keyPem === null) return { error: 'The transaction must contain at least a certificate and a private key!\n' };
  if (tx.mismatch) return { error: `inconsistencies between private key and certificate loaded '${file}'.\n` };
  const p = parsePem(file, tx.certPem + tx.keyPem, null);
  return 'error' in p ? { error: `${p.error}\n` } : p;
}
