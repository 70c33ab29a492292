import { parseArgs } from 'node:util';
import { writeFileSync, rmSync } from 'node:fs';
import { loadConfig, formatDiagnostic, listKeywords } from './config/index.js';
import type { Config } from './config/types.js';
import { createLogger, type Logger } from './log.js';
import { Runtime } from './runtime/runtime.js';
import { runProbe } from './health/probe.js';
import { VERSION } from './version.js';
import { Control } from './control.js';
import { AdminServer } from './admin/server.js';

const USAGE = `Usage: lbd -f <cfgfile|cfgdir> [-f ...] [-c] [-d] [-q] [-p <pidfile>] [-v|-vv]
  -f <file|dir>  load this configuration (repeatable; a directory loads its *.cfg files in order)
  -c             check the configuration only: exit 0 if valid, 1 otherwise
  -d             debug: verbose logs on stderr (lbd always runs in the foreground)
  -q             quiet: only warnings and alerts
  -p <pidfile>   write the process id to this file
  -v, -vv        print the version (and build details with -vv)
  --list-keywords  print every supported configuration keyword with its help
Signals: SIGHUP reloads the configuration; SIGTERM, SIGINT and SIGUSR1 stop gracefully (stop accepting,
let sessions finish, at most hard-stop-after); a second SIGTERM/SIGINT stops at once.`;

interface Args {
  files: string[];
  check: boolean;
  debug: boolean;
  quiet: boolean;
  pidfile: string | null;
  version: number;
  listKeywords: boolean;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      f: { type: 'string', multiple: true },
      c: { type: 'boolean' },
      d: { type: 'boolean' },
      q: { type: 'boolean' },
      p: { type: 'string' },
      v: { type: 'boolean', multiple: true },
      'list-keywords': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  return {
    files: values.f ?? [],
    check: values.c ?? false,
    debug: values.d ?? false,
    quiet: values.q ?? false,
    pidfile: values.p ?? null,
    version: values.v?.length ?? 0,
    listKeywords: values['list-keywords'] ?? false,
  };
}

async function load(files: string[], log: Logger): Promise<Config | null> {
  const { config, diagnostics } = await loadConfig(files);
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (!config) log.alert(`Fatal errors found in configuration (${diagnostics.filter((d) => d.severity === 'error').length}).`);
  return config;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`lbd: ${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (args.version) {
    process.stdout.write(`lbd version ${VERSION}\n`);
    if (args.version > 1) process.stdout.write(`Running on: Node.js ${process.version} ${process.platform} ${process.arch}\nOpenSSL: ${process.versions.openssl}\n`);
    return 0;
  }
  if (args.listKeywords) {
    for (const k of listKeywords()) process.stdout.write(`${k.section.padEnd(14)} ${k.keyword.padEnd(28)} ${k.help}\n`);
    return 0;
  }
  if (args.files.length === 0) {
    process.stderr.write(`lbd: no configuration file given (-f)\n${USAGE}\n`);
    return 1;
  }
  const log = createLogger({ level: args.debug ? 'debug' : args.quiet ? 'warn' : 'notice' });
  const config = await load(args.files, log);
  if (args.check) {
    if (config) process.stdout.write('Configuration file is valid\n');
    return config ? 0 : 1;
  }
  if (!config) return 1;

  const rt = new Runtime({ log, probe: runProbe });
  try {
    await rt.apply(config);
  } catch (e) {
    log.alert(`Starting proxies: ${(e as Error).message}`);
    rt.shutdown();
    return 1;
  }
  const pidfile = args.pidfile ?? config.global.pidfile;

  const control = new Control(rt, args.files, log);
  // the admin socket opens once the proxies run; a configured socket that cannot be opened is fatal
  const admin = new AdminServer({ runtime: rt, control }, log);
  try {
    await admin.start(config);
  } catch (e) {
    log.alert(`Starting admin socket: ${(e as Error).message}`);
    await admin.close();
    rt.shutdown();
    return 1;
  }
  control.onApplied = (next) => admin.update(next);
  process.on('SIGHUP', () => {
    if (rt.stopping) return void log.warn('SIGHUP ignored: lbd is stopping');
    void control.reload('SIGHUP');
  });

  // the daemon runs until a signal stops it, even with no listener (a config that only checks servers)
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise<number>((resolve) => {
    let stopping = false;
    let done = false;
    const finish = (why: string) => {
      if (done) return;
      done = true;
      clearInterval(keepAlive);
      void admin.close();
      rt.shutdown();
      if (pidfile) rmSync(pidfile, { force: true });
      log.notice(`stopped (${why})`);
      resolve(0);
    };
    const stop = async (signal: string) => {
      if (stopping) {
        if (signal !== 'SIGUSR1') {
          log.warn(`${signal} again: stopping now`);
          finish(`second ${signal}`);
        }
        return;
      }
      stopping = true;
      log.notice(`${signal}: stopping gracefully (${rt.currentSessions()} sessions in progress)`);
      // the admin socket goes with the listeners: a new lbd can take the path while this one drains
      await Promise.all([rt.closeListeners(), admin.close()]);
      const idle = await rt.waitIdle(rt.config?.global.hardStopAfter ?? null);
      if (!done && !idle) log.warn(`hard-stop-after reached: closing ${rt.currentSessions()} sessions`);
      finish('graceful');
    };
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGUSR1'] as const) process.on(sig, () => void stop(sig));
    // announced only once every signal handler is in place: a supervisor may signal as soon as it reads this line
    if (pidfile) writeFileSync(pidfile, `${process.pid}\n`);
    log.notice(`lbd ${VERSION} started: ${rt.frontends.size} frontends, ${rt.backends.size} backends, ${[...rt.backends.values()].reduce((n, b) => n + b.servers.length, 0)} servers`);
    rt.events.emit('process', '', 'stopped', 'running', { kind: 'startup' }, `lbd ${VERSION} started`);
  });
}

process.on('uncaughtException', (e) => {
  // last line of defence: log and keep serving; a bug in one session must not take the process down
  process.stderr.write(`[ALERT]    (${process.pid}) : internal error: ${(e as Error).stack ?? String(e)}\n`);
});

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`lbd: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
