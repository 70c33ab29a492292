/**
 * Spawn `bin/lbd` (or `bin/lbctl`) as a real process for end-to-end tests: config from a string
 * written to a temp dir, stderr collected line by line, `waitForLog` with a deadline, and stop()
 * that always reaps the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lbdArgv } from '../../shared/lbd-command.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const LBD = join(ROOT, 'bin/lbd');
export const LBCTL = join(ROOT, 'bin/lbctl');

export interface LbdProcess {
  proc: ChildProcess;
  dir: string;
  cfgPath: string;
  /** stderr lines so far. */
  lines: string[];
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Replace the config file (for reload tests). */
  writeConfig(text: string): void;
  /** Send a signal and wait for exit; resolves with the exit code. SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function tempDir(prefix = 'lbd-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Start lbd with `cfg` and wait until it logs that it started (or fail with its stderr). */
export async function startLbd(cfg: string, opts: { args?: string[]; startTimeoutMs?: number; waitStarted?: boolean } = {}): Promise<LbdProcess> {
  const { dir } = tempDir();
  const cfgPath = join(dir, 'lbd.cfg');
  writeFileSync(cfgPath, cfg);
  const proc = spawn(process.execPath, [...lbdArgv(LBD), '-f', cfgPath, ...(opts.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve(l: string): void }[] = [];
  let partial = '';
  const onChunk = (d: Buffer) => {
    partial += d.toString();
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  proc.stderr!.on('data', onChunk);
  proc.stdout!.on('data', onChunk);
  let exited = false;
  let exitCode: number | null = null;
  const exitP = new Promise<number | null>((r) =>
    proc.once('exit', (code) => {
      exited = true;
      exitCode = code;
      r(code);
    }),
  );

  const lbd: LbdProcess = {
    proc,
    dir,
    cfgPath,
    lines,
    waitForLog(re, timeoutMs = 5000) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { re, resolve: (l: string) => (clearTimeout(t), resolve(l)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`lbd did not log ${re} within ${timeoutMs} ms; log:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.push(w);
        void exitP.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(t);
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`lbd exited (${exitCode}) before logging ${re}; log:\n${lines.join('\n')}`));
          }
        });
      });
    },
    writeConfig(text) {
      writeFileSync(cfgPath, text);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 5000) {
      if (!exited) {
        proc.kill(signal);
        const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
        await exitP;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
      return exitCode;
    },
  };
  if (opts.waitStarted !== false) {
    try {
      await lbd.waitForLog(/lbd \S+ started/, opts.startTimeoutMs ?? 10000);
    } catch (e) {
      await lbd.stop('SIGKILL');
      throw e;
    }
  }
  return lbd;
}

/** Run a command to completion (lbd -c, lbctl …): exit code, stdout, stderr. Bounded by timeoutMs. */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 10000} ms`));
    }, opts.timeoutMs ?? 10000);
    p.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(opts.input ?? '');
  });
}
