/**
 * Certificate hot update, HAProxy 2.6's runtime API: `show ssl cert [[*]<file>]`, and the one-at-a-time
 * transaction `set ssl cert <file> <<` + PEM payload, `commit ssl cert <file>`, `abort ssl cert <file>`.
 * Answers and errors are HAProxy's words, byte for byte (captured from 2.6.12, see the README); the
 * certificates' state lives in the runtime's SslStore (daemon/runtime/ssl-store.ts), so a commit reaches
 * every TLS listener using the file: new handshakes get the new certificate, open connections keep theirs.
 */
import type { Answer, Command } from './command-types.js';
import { dump, err, msg, SEV } from './command-types.js';
import { certDetails, completePem, parsePayload } from '../runtime/ssl-store.js';

const NOT_FOUND = "Can't display the certificate: Not found or the certificate is a bundle!\n";

/** `show ssl cert <file>`'s block for a certificate (HAProxy's show_cert_detail()). */
export function formatCertDetail(name: string, status: 'Used' | 'Unused', certPem: string): string {
  const d = certDetails(certPem);
  let out = `Filename: ${name}\nStatus: ${status}\n`;
  out += `Serial: ${d.serial}\nnotBefore: ${d.notBefore}\nnotAfter: ${d.notAfter}\n`;
  out += `Subject Alternative Name: ${d.san}\nAlgorithm: ${d.algorithm}\nSHA1 FingerPrint: ${d.sha1}\n`;
  out += `Subject: ${d.subject}\nIssuer: ${d.issuer}\n`;
  for (const c of d.chain) out += `Chain Subject: ${c.subject}\nChain Issuer: ${c.issuer}\n`;
  // lbd does no OCSP stapling: the line is there, empty, as HAProxy prints it for a certificate without OCSP
  return out + 'OCSP Response Key: \n';
}

/** `show ssl cert`'s list: the transaction's file (starred) first, then every file, sorted as HAProxy's tree. */
export function formatCertList(files: readonly string[], transaction: string | null): string {
  let out = transaction !== null ? `# transaction\n*${transaction}\n` : '';
  out += '# filename\n';
  for (const f of files) out += `${f}\n`;
  return out;
}

export const sslCommands: Command[] = [
  {
    words: ['show', 'ssl', 'cert'],
    level: 'operator',
    usage: { syntax: 'show ssl cert [<certfile>]', help: 'display the SSL certificates used in memory, or the details of a file' },
    compat: 'same',
    run: (args, _p, env): Answer => {
      const store = env.ctx.runtime.ssl;
      const tx = store.transaction;
      const arg = args[3];
      if (!arg) return dump(formatCertList(store.files(), tx?.file ?? null));
      if (arg.startsWith('*')) {
        return tx && tx.file === arg.slice(1) ? dump(formatCertDetail(arg, 'Unused', tx.pem.certPem)) : err(NOT_FOUND);
      }
      const cur = store.current(arg);
      return cur ? dump(formatCertDetail(arg, store.isUsed(arg) ? 'Used' : 'Unused', cur.certPem)) : err(NOT_FOUND);
    },
  },
  {
    words: ['set', 'ssl', 'cert'],
    level: 'admin',
    usage: { syntax: 'set ssl cert <certfile> <payload>', help: 'replace a certificate file', doc: 'set ssl cert <certfile> << (then the PEM lines: chain and key, and an empty line)' },
    compat: 'same',
    run: (args, payload, env): Answer => {
      const file = args[3];
      if (!file || payload === null) return err("'set ssl cert expects a filename and a certificate as a payload\n");
      const store = env.ctx.runtime.ssl;
      const tx = store.transaction;
      const fail = (why: string) => err(`${why}Can't update ${file}!\n`);
      if (tx && tx.file !== file) return fail(`The ongoing transaction is about '${tx.file}' but you are trying to set '${file}'\n`);
      if (!tx && !store.has(file)) return fail("Can't replace a certificate which is not referenced by the configuration!\n");
      const pem = parsePayload(file, payload);
      if ('error' in pem) return fail(`${pem.error}Can't load the payload\n`);
      store.transaction = { file, pem };
      return msg(`Transaction ${tx ? 'updated' : 'created'} for certificate ${file}!\n`, SEV.NOTICE);
    },
  },
  {
    words: ['commit', 'ssl', 'cert'],
    level: 'admin',
    usage: { syntax: 'commit ssl cert <certfile>', help: 'commit a certificate file' },
    compat: 'same',
    run: (args, _p, env): Answer => {
      const file = args[3];
      if (!file) return err("'commit ssl cert expects a filename\n");
      const rt = env.ctx.runtime;
      const tx = rt.ssl.transaction;
      const fail = (why: string) => err(`${why}Can't commit ${file}!\n`);
      if (!tx) return fail('No ongoing transaction! !\n');
      if (tx.file !== file) return fail(`The ongoing transaction is about '${tx.file}' but you are trying to set '${file}'\n`);
      const pem = completePem(file, tx.pem);
      if ('error' in pem) return fail(pem.error);
      rt.ssl.transaction = null;
      rt.commitCert(file, pem, args.join(' '));
      return dump(`Committing ${file}.\nSuccess!\n`);
    },
  },
  {
    words: ['abort', 'ssl', 'cert'],
    level: 'admin',
    usage: { syntax: 'abort ssl cert <certfile>', help: 'abort a transaction for a certificate file' },
    compat: 'same',
    run: (args, _p, env): Answer => {
      const file = args[3];
      if (!file) return err("'abort ssl cert' expects a filename\n");
      const store = env.ctx.runtime.ssl;
      const tx = store.transaction;
      if (!tx) return err('No ongoing transaction!\n');
      if (tx.file !== file) return err(`The ongoing transaction is about '${tx.file}' but you are trying to abort a transaction for '${file}'\n`);
      store.transaction = null;
      return msg(`Transaction aborted for certificate '${file}'!\n`, SEV.NOTICE);
    },
  },
];
