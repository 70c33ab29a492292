/**
 * TLS peers for SNI tests: real ClientHellos captured from Node's `tls.connect` and from
 * `openssl s_client`, and self-signed certificates made with `openssl req` (null when openssl is missing).
 */
import net from 'node:net';
import tls from 'node:tls';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when an `openssl` binary runs. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for `cn` (PEM key and cert), or null without openssl. */
export function selfSigned(cn: string): { key: string; cert: string } | null {
  if (!hasOpenssl()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'lbd-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Listen on 127.0.0.1 and resolve with the first complete TLS record a client sends (or what came before it closed). */
async function captureFirstRecord(start: (port: number) => () => void): Promise<Buffer> {
  let stopClient: () => void = () => {};
  const srv = net.createServer();
  const got = new Promise<Buffer>((resolve) => {
    srv.on('connection', (s) => {
      s.on('error', () => {});
      let buf = Buffer.alloc(0);
      const done = () => {
        s.destroy();
        resolve(buf);
      };
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) done();
      });
      s.on('end', done);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  stopClient = start((srv.address() as net.AddressInfo).port);
  try {
    return await got;
  } finally {
    stopClient();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** The ClientHello record Node's `tls.connect` sends (with `servername`, or none when it is undefined). */
export function nodeHello(servername: string | undefined, extra: tls.ConnectionOptions = {}): Promise<Buffer> {
  return captureFirstRecord((port) => {
    const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }), ...extra });
    c.on('error', () => {});
    return () => c.destroy();
  });
}

/** The ClientHello record `openssl s_client` sends (`-servername` when given, `-noservername` otherwise). */
export function opensslHello(servername: string | undefined): Promise<Buffer> {
  return captureFirstRecord((port) => {
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, ...(servername === undefined ? ['-noservername'] : ['-servername', servername])];
    const p = spawn('openssl', args, { stdio: ['pipe', 'ignore', 'ignore'] });
    p.on('error', () => {});
    return () => p.kill();
  });
}

/** Options of `opensslCert`: key type, subject CN, DNS SANs, and the CA that signs it (self-signed when absent). */
export interface CertSpec {
  readonly key?: 'rsa' | 'ec';
  readonly cn: string;
  readonly san?: readonly string[];
  /** Make a CA certificate (basicConstraints CA:true). */
  readonly ca?: boolean;
  readonly signer?: CertFiles;
  readonly days?: number;
}

/** Files written by `opensslCert`: the certificate, its key, and `pem` = certificate + key in one file. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
  readonly pem: string;
}

/**
 * Write a certificate and key made with `openssl` as `<dir>/<name>.crt`, `.key` and `.pem` (cert + key).
 * Throws when openssl fails (check `hasOpenssl()` first).
 */
export function opensslCert(dir: string, name: string, spec: CertSpec): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const pem = join(dir, `${name}.pem`);
  const newkey = spec.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const exts = [
    ...(spec.san && spec.san.length > 0 ? ['-addext', `subjectAltName=${spec.san.map((s) => `DNS:${s}`).join(',')}`] : []),
    ...(spec.ca ? ['-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'] : []),
  ];
  const days = String(spec.days ?? 2);
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  if (spec.signer === undefined) {
    run(['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', cert, '-days', days, '-subj', `/CN=${spec.cn}`, ...exts]);
  } else {
    const csr = join(dir, `${name}.csr`);
    run(['req', '-new', ...newkey, '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${spec.cn}`, ...exts]);
    run(['x509', '-req', '-in', csr, '-CA', spec.signer.cert, '-CAkey', spec.signer.key, '-CAcreateserial', '-out', cert, '-days', days, '-copy_extensions', 'copy']);
    rmSync(csr);
  }
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { cert, key, pem };
}
