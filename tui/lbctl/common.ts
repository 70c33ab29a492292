/**
 * What every lbctl command shares: exit codes, where the admin socket is, one connection per run, and
 * the rule for output: data on stdout (with --json, exactly one JSON document, or one per line when
 * following), messages on stderr.
 */
import type { Command } from 'commander';
import type { AdminClient, AdminClientError } from '../../shared/admin-client.js';
import type { ErrorCode } from '../../shared/protocol.js';
import { defaultSocketPath } from '../../shared/paths.js';

/** Exit codes, distinct so a script can tell what happened (documented in --help and the README). */
export const EXIT = Object.freeze({
  OK: 0,
  /** Refused, invalid or not found: the daemon (or the config check) said no. */
  REFUSED: 1,
  /** Usage error: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** The daemon is unreachable: no socket, nothing listening, permission denied, no answer in time. */
  UNREACHABLE: 3,
  /** The socket answered but not in a protocol version this lbctl speaks. */
  PROTOCOL: 4,
  /** `lbctl cert list`: a certificate has expired or expires within the warning window (--days, 30 by default). */
  CERT_EXPIRING: 5,
});

/** An error that ends the command with an exit code and a message on stderr. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly code: ErrorCode | 'usage' | 'invalid' = 'refused',
  ) {
    super(message);
  }
}

/** Exit code for a protocol error code: who is to blame decides the number. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'unreachable':
    case 'timeout':
    case 'disconnected':
    case 'closed':
      return EXIT.UNREACHABLE;
    case 'version-mismatch':
    case 'bad-message':
    case 'handshake-required':
    case 'unknown-op':
    case 'internal':
      return EXIT.PROTOCOL;
    case 'bad-request':
      // lbd found an argument malformed (`myApp/`, a state or weight it cannot read): a usage error
      return EXIT.USAGE;
    default:
      return EXIT.REFUSED;
  }
}

export interface GlobalOptions {
  socket?: string;
  timeout?: string;
}

/** The socket lbctl talks to: `-s/--socket`, else `$LBCTL_SOCKET`, else lbd's default path. */
export function socketPath(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return opts.socket || env.LBCTL_SOCKET || defaultSocketPath(env);
}

export function stdout(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n');
}

export function stderr(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function printJson(v: unknown, compact = false): void {
  process.stdout.write(JSON.stringify(v, null, compact ? undefined : 2) + '\n');
}

/**
 * Connect for one command and always close afterwards. `reconnect` is for the commands that follow
 * (status --watch, events --follow): they survive a daemon restart.
 */
export async function withClient<T>(cmd: Command, fn: (c: AdminClient) => Promise<T>, opts: { reconnect?: boolean } = {}): Promise<T> {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const timeoutMs = g.timeout !== undefined ? Number(g.timeout) : 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(EXIT.USAGE, `--timeout must be a number of milliseconds, not '${g.timeout}'`, 'usage');
  const { AdminClient } = await import('../../shared/admin-client.js');
  const { VERSION } = await import('../../daemon/version.js');
  const client = new AdminClient({
    socketPath: socketPath(g),
    clientName: `lbctl/${VERSION}`,
    requestTimeoutMs: timeoutMs,
    connectTimeoutMs: Math.min(timeoutMs, 5000),
    reconnect: opts.reconnect ?? false,
  });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Wrap a command's action: errors become an exit code and a message on stderr, and, with --json, an
 * `{"error":{code,message}}` document on stdout so a script parsing stdout always gets JSON.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    try {
      await fn(...args);
    } catch (e) {
      const { exitCode, code, message } = describeError(e);
      if (cmd.opts<{ json?: boolean }>().json) printJson({ error: { code, message } });
      stderr(`lbctl: ${message}`);
      process.exitCode = exitCode;
    }
  };
}

/** The exit code, error code and message of anything a command threw. */
export function describeError(e: unknown): { exitCode: number; code: string; message: string } {
  if (e instanceof CliError) return { exitCode: e.exitCode, code: e.code, message: e.message };
  if (e instanceof Error && e.name === 'AdminClientError') {
    const ae = e as AdminClientError;
    return { exitCode: exitCodeFor(ae.code), code: ae.code, message: ae.message };
  }
  return { exitCode: EXIT.REFUSED, code: 'internal', message: (e as Error)?.message ?? String(e) };
}

/** Resolve when SIGINT or SIGTERM arrives (the end of --watch and --follow); handlers removed after. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Pad columns to a table (left-aligned, two spaces apart). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
