/**
 * `make demo`: three demo backends on 127.0.0.1:18001-18003 (in this process), lbd on
 * examples/demo.cfg as a child process, and `lbctl top` on it. On a terminal, lbd's log goes to
 * /tmp/lbd-demo.log and the console takes the screen, with a hint on how to make a backend fail;
 * quitting the console (q) stops the demo. Without a terminal, or with --no-top, lbd logs here and a
 * few things to try are printed instead.
 *
 *   node dist/examples/demo.js [--no-top] [lbd options, e.g. -d for debug logs]
 *
 * Ctrl-C, SIGTERM or SIGHUP (the terminal went away) stops lbd (SIGTERM, its graceful stop) and the backends, and exits 0.
 * If lbd exits on its own, the backends are stopped and the demo exits with lbd's status.
 * SIGUSR2 to this process toggles backend-2's readiness (the demo backends share this pid).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoBackend, type DemoBackend } from './demo-backend.js';
import { lbdArgv } from '../shared/lbd-command.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFIG = path.join(ROOT, 'examples', 'demo.cfg');
const LBD_BIN = path.join(ROOT, 'bin', 'lbd');
const LBD_MAIN = path.join(ROOT, 'dist', 'daemon', 'main.js');
const HOST = '127.0.0.1';
const FRONTEND_PORT = 16443;
const STATS_SOCKET = '/tmp/lbd-demo.sock';
const LBD_LOG = '/tmp/lbd-demo.log';
const LBCTL_BIN = path.join(ROOT, 'bin', 'lbctl');
const BACKENDS = [
  { port: 18001, name: 'backend-1' },
  { port: 18002, name: 'backend-2' },
  { port: 18003, name: 'backend-3' },
] as const;
/** The backend the walkthrough fails and recovers. */
const FLAKY = 1;

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };

/** While lbctl top owns the terminal, the demo's own messages wait (they would tear its screen). */
let held: string[] | null = null;

function say(text: string): void {
  const line = `[demo] ${text}\n`;
  if (held) held.push(line);
  else process.stdout.write(line);
}

class DemoError extends Error {}

/** Resolve if nothing listens on HOST:port (by briefly listening there ourselves); else explain who to blame. */
function ensurePortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${err.code ?? err.message})`;
      reject(new DemoError(`port ${HOST}:${port} (${what}) ${why}. Is another \`make demo\` running? See who holds it: ss -ltnp 'sport = :${port}'`));
    });
    s.listen({ port, host: HOST, exclusive: true }, () => s.close(() => resolve()));
  });
}

/** A stats socket left by a previous demo that died is removed; one that answers means another lbd runs. */
async function ensureSocketFree(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(file);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new DemoError(`${file} answers: another lbd with the demo config is running. Stop it first.`);
  try {
    unlinkSync(file);
    say(`removed stale ${file}`);
  } catch (e) {
    throw new DemoError(`${file} exists and cannot be removed: ${(e as Error).message}`);
  }
}

function waitForPort(port: number, timeoutMs: number, exited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const attempt = () => {
      if (exited()) return resolve(false);
      const c = net.connect({ port, host: HOST });
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => {
        c.destroy();
        if (Date.now() > deadline) resolve(false);
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function instructions(lbdPid: number): string {
  const flaky = BACKENDS[FLAKY];
  return `
lbd (pid ${lbdPid}) listens on ${HOST}:${FRONTEND_PORT} (the real config binds *:6443) and passes TCP through
to three demo HTTP backends on ${BACKENDS.map((b) => `${HOST}:${b.port}`).join(', ')}.
Servers in backend myApp have no checks of their own: each tracks monitoring/server-N,
which is checked with GET /readyz every second (fall 2, rise 2).

Try, in another terminal:

  for i in 1 2 3 4 5 6; do curl -s http://${HOST}:${FRONTEND_PORT}/; done
      round robin over backend-1, backend-2, backend-3 (one TCP connection per curl)

  curl -X POST 'http://${HOST}:${flaky.port}/control/ready?status=503'
      ${flaky.name} answers 503 on /readyz: after two failed checks (~2 s) lbd's log shows
      monitoring/server-2 going DOWN, and myApp/server-2 with it, through track;
      the curl loop above then only reaches backend-1 and backend-3.

  curl -X POST 'http://${HOST}:${flaky.port}/control/ready?status=200'
      ${flaky.name} is ready again: two good checks later both server-2s are UP.

  kill -USR2 ${process.pid}
      the same, as a toggle of ${flaky.name}'s readiness (the three demo backends run in this process, pid ${process.pid}).

  ./bin/lbctl check examples/demo.cfg
      validate a config as lbd -c does (every error as file:line: message).

Ctrl-C stops lbd and the backends.
`;
}

async function main(): Promise<number> {
  if (!existsSync(LBD_MAIN)) throw new DemoError(`lbd is not built (${path.relative(ROOT, LBD_MAIN)} is missing): run \`make build\` first.`);
  for (const b of BACKENDS) await ensurePortFree(b.port, b.name);
  await ensurePortFree(FRONTEND_PORT, 'the demo frontend');
  await ensureSocketFree(STATS_SOCKET);

  const backends: DemoBackend[] = [];
  const closeBackends = async () => {
    const all = backends.splice(0);
    await Promise.allSettled(all.map((b) => b.close()));
  };
  try {
    for (const b of BACKENDS) {
      backends.push(await startDemoBackend({ port: b.port, host: HOST, name: b.name }));
      say(`${b.name} listening on ${HOST}:${b.port}`);
    }
  } catch (e) {
    await closeBackends();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new DemoError(`a demo backend port is already in use: ${err.message}`);
    throw e;
  }

  const useTop = process.stdout.isTTY === true && process.stdin.isTTY === true && !process.argv.includes('--no-top');
  const lbdArgs = [...lbdArgv(LBD_BIN), '-f', CONFIG, ...process.argv.slice(2).filter((a) => a !== '--no-top')];
  say(`starting: ${path.basename(process.execPath)} ${lbdArgs.map((a) => path.relative(ROOT, a) || a).join(' ')}${useTop ? ` (log: ${LBD_LOG})` : ''}`);
  // with the console on this terminal, lbd's log goes to a file (it would scribble over the screen)
  const logFd = useTop ? openSync(LBD_LOG, 'w') : null;
  // Own process group: Ctrl-C reaches only the demo, which stops lbd with SIGTERM (its graceful stop).
  const lbd: ChildProcess = spawn(process.execPath, lbdArgs, { cwd: ROOT, stdio: ['ignore', logFd ?? 'inherit', logFd ?? 'inherit'], detached: true });
  if (logFd !== null) closeSync(logFd);
  let lbdDone = false;
  const lbdExit = new Promise<number>((resolve) => {
    lbd.once('error', (err) => {
      lbdDone = true;
      say(`cannot start lbd: ${err.message}`);
      resolve(127);
    });
    lbd.once('exit', (code, signal) => {
      lbdDone = true;
      resolve(code ?? 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 1 : 1));
    });
  });
  process.on('exit', () => {
    if (!lbdDone && lbd.pid) lbd.kill('SIGKILL');
  });

  let stopping = false;
  const stop = async (why: string): Promise<number> => {
    if (stopping) return 0;
    stopping = true;
    say(`${why}: stopping lbd (SIGTERM) and the demo backends`);
    if (!lbdDone) lbd.kill('SIGTERM');
    const killer = setTimeout(() => {
      if (!lbdDone) {
        say('lbd still running after 5 s: SIGKILL');
        lbd.kill('SIGKILL');
      }
    }, 5000);
    await lbdExit;
    clearTimeout(killer);
    await closeBackends();
    return 0;
  };

  const stopped = new Promise<number>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        if (stopping) {
          // A second Ctrl-C: do not wait any longer.
          if (!lbdDone) lbd.kill('SIGKILL');
          process.exit(0);
        }
        void stop(sig).then(resolve);
      });
    }
  });

  process.on('SIGUSR2', () => {
    const b = backends[FLAKY];
    if (!b) return;
    const next = b.readyStatus === 200 ? 503 : 200;
    b.setReady(next);
    say(`SIGUSR2: ${b.name} /readyz now answers ${next}`);
  });

  const consoleDone = new Promise<number>((resolve) => {
    void waitForPort(FRONTEND_PORT, 15_000, () => lbdDone || stopping).then((up) => {
      if (!up) {
        if (!lbdDone && !stopping) say(`lbd is running but nothing accepts on ${HOST}:${FRONTEND_PORT} yet; see its log ${useTop ? LBD_LOG : 'above'}`);
        return;
      }
      if (!useTop) return void process.stdout.write(instructions(lbd.pid ?? -1));
      const flaky = BACKENDS[FLAKY];
      const hint = `make server-2 fail: kill -USR2 ${process.pid} (again to recover), or curl -X POST '${HOST}:${flaky.port}/control/ready?status=503'`;
      held = [];
      const top = spawn(process.execPath, [LBCTL_BIN, 'top', '-s', STATS_SOCKET], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, LBCTL_TOP_HINT: hint } });
      const release = () => {
        for (const l of held ?? []) process.stdout.write(l);
        held = null;
      };
      top.once('error', (e) => {
        release();
        say(`cannot start lbctl top: ${e.message}`);
      });
      top.once('exit', () => {
        release();
        void stop('lbctl top quit').then(resolve);
      });
    });
  });

  const onItsOwn = lbdExit.then(async (code) => {
    if (stopping) return null;
    stopping = true;
    say(`lbd exited on its own with status ${code}; stopping the demo backends`);
    await closeBackends();
    return code;
  });

  const first = await Promise.race([stopped, onItsOwn, consoleDone]);
  if (first === null) return stopped;
  return first;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof DemoError) say(`error: ${e.message}`);
    else say(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
