/**
 * Child processes of the benchmark, tracked so that every one of them is stopped at the end,
 * on Ctrl-C, on SIGTERM and on an uncaught error.
 *
 * Each child is started in its own process group (`detached`), so the terminal's Ctrl-C reaches
 * only the harness, which then stops the children in order (SIGTERM to the group, SIGKILL after a
 * grace period). A synchronous `exit` hook SIGKILLs whatever is left if the harness dies abruptly.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A started child: its process, a tail of its stderr/stdout for error messages, and how it ended. */
export interface Tracked {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or 128 + signal number) when the process ends. */
  readonly exited: Promise<number>;
  /** True once the process has ended. */
  done: boolean;
  /** The last few KB of what the process wrote (stderr and stdout mixed), for diagnostics. */
  tail(): string;
}

const TAIL_BYTES = 8192;
const live = new Set<Tracked>();
let hooksInstalled = false;
const tempDirs = new Set<string>();

/** Remove `dir` when the harness exits, however it exits (the normal path may remove it earlier). */
export function removeOnExit(dir: string): void {
  installHooks();
  tempDirs.add(dir);
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGTERM: 15 };

/** Exit status as a shell reports it: the code, or 128 + the signal's number. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 1 : 1);
}

/**
 * Start `cmd args` as a tracked child in its own process group.
 * `capture` keeps a tail of its output (default); `inherit` shows it on our terminal instead.
 */
export function startProcess(name: string, cmd: string, args: readonly string[], opts: { cwd?: string; output?: 'capture' | 'inherit' | 'ignore'; env?: NodeJS.ProcessEnv } = {}): Tracked {
  installHooks();
  const output = opts.output ?? 'capture';
  const stdio: SpawnOptions['stdio'] = output === 'capture' ? ['ignore', 'pipe', 'pipe'] : output === 'inherit' ? ['ignore', 'inherit', 'inherit'] : 'ignore';
  const child = spawn(cmd, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio, detached: true });
  let buf = '';
  const keep = (d: Buffer) => {
    buf += d.toString('utf8');
    if (buf.length > TAIL_BYTES * 2) buf = buf.slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err) => {
      buf += `\n[${name}: ${err.message}]`;
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
  const t: Tracked = {
    name,
    child,
    pid: child.pid ?? -1,
    exited,
    done: false,
    tail: () => buf.slice(-TAIL_BYTES),
  };
  live.add(t);
  void exited.then(() => {
    t.done = true;
    live.delete(t);
  });
  return t;
}

/** Stop one tracked child: SIGTERM to its process group, SIGKILL after `graceMs`. Resolves with its exit status. */
export async function stopProcess(t: Tracked, graceMs = 3000): Promise<number> {
  if (t.done || t.pid < 0) return t.exited;
  signalGroup(t.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(t.pid, 'SIGKILL'), graceMs);
  try {
    return await t.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Stop every tracked child (in parallel). */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((t) => stopProcess(t, graceMs)));
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const t of live) signalGroup(t.pid, 'SIGKILL');
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      for (const t of live) signalGroup(t.pid, 'SIGKILL');
      process.exit(exitStatus(null, sig));
    }
    stopping = true;
    process.stderr.write(`\n${sig}: stopping ${live.size} child process(es)…\n`);
    void stopAll(1500).finally(() => process.exit(exitStatus(null, sig)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
