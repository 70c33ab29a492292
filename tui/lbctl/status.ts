/**
 * `lbctl status`: backends and their servers as a compact table, a view of the snapshot (design
 * principle 5: nothing re-derived here). `--watch` redraws on every snapshot of a subscription and
 * survives a daemon restart; `--json` prints the snapshot itself (one per line when watching).
 */
import type { Command } from 'commander';
import type { BackendSnapshot, ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { action, CliError, EXIT, printJson, stderr, stdout, table, untilInterrupted, withClient } from './common.js';

interface StatusOptions {
  json?: boolean;
  watch?: boolean;
  interval?: string;
  backend?: string;
}

function checkText(s: ServerSnapshot): string {
  const c = s.check;
  let text = '';
  if (c) {
    if (!c.enabled) text = 'paused';
    else {
      text = c.status + (c.code !== null ? `/${c.code}` : '');
      if (c.durationMs !== null) text += ` ${c.durationMs}ms`;
    }
  }
  if (s.tracks) text += `${text ? ' ' : ''}(${s.tracks})`;
  return text || '-';
}

function weightText(s: ServerSnapshot): string {
  const w = s.weight;
  return w.user === w.initial ? `${w.effective}` : `${w.effective} (set ${w.user}, initial ${w.initial})`;
}

/** The status table of some backends: one row per backend, then one per server. */
export function formatStatus(snap: Snapshot, backends: BackendSnapshot[] = snap.backends): string {
  const rows: string[][] = [['BACKEND', 'SERVER', 'STATUS', 'WEIGHT', 'SESS', 'TOTAL', 'CHECK']];
  for (const b of backends) {
    const active = b.servers.filter((s) => !s.backup).length;
    rows.push([b.name, '-', `${b.status} (${b.active}/${active} up)`, `${b.weight}`, `${b.counters.cur}`, `${b.counters.total}`, '']);
    for (const s of b.servers) {
      rows.push([b.name, s.name + (s.backup ? ' (backup)' : ''), s.status, weightText(s), `${s.counters.cur}`, `${s.counters.total}`, checkText(s)]);
    }
  }
  return table(rows);
}

function selectBackends(snap: Snapshot, only: string | undefined): BackendSnapshot[] {
  if (only === undefined) return snap.backends;
  const b = snap.backends.find((x) => x.name === only);
  if (!b) throw new CliError(EXIT.REFUSED, `no backend named ${only}`, 'not-found');
  return [b];
}

function header(snap: Snapshot): string {
  const p = snap.process;
  const up = Math.round((p.now - p.startedAt) / 1000);
  return `lbd ${p.version}  pid ${p.pid}  up ${up}s  ${p.currConns} sessions  ${new Date(p.now).toLocaleTimeString()}`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('backends and servers: status, weight, sessions, last check')
    .option('--json', 'print the snapshot as JSON (with --watch: one snapshot per line)')
    .option('-w, --watch', 'refresh on every snapshot until interrupted (survives a daemon restart)')
    .option('-i, --interval <ms>', 'refresh interval with --watch', '1000')
    .option('-b, --backend <name>', 'only this backend')
    .addHelpText('after', '\nExamples:\n  lbctl status\n  lbctl status --backend myApp --watch\n  lbctl status --json | jq \'.backends[].servers[] | select(.status != "UP") | .name\'')
    .action(
      action(async (opts: StatusOptions, cmd: Command) => {
        const intervalMs = Number(opts.interval);
        if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new CliError(EXIT.USAGE, `--interval must be milliseconds, not '${opts.interval}'`, 'usage');
        if (!opts.watch) {
          await withClient(cmd, async (c) => {
            const { snapshot } = await c.request('snapshot', {});
            const backends = selectBackends(snapshot, opts.backend);
            if (opts.json) printJson(opts.backend ? { ...snapshot, backends } : snapshot);
            else stdout(formatStatus(snapshot, backends));
          });
          return;
        }
        await withClient(
          cmd,
          async (c) => {
            const tty = process.stdout.isTTY === true;
            c.on('reconnecting', ({ attempt }: { attempt: number }) => attempt === 1 && stderr('lbctl: connection to lbd lost, reconnecting'));
            c.on('open', () => stderr('lbctl: reconnected'));
            const sub = await c.subscribeSnapshots({ intervalMs }, (snap) => {
              let backends: BackendSnapshot[];
              try {
                backends = selectBackends(snap, opts.backend);
              } catch (e) {
                return stderr(`lbctl: ${(e as Error).message}`);
              }
              if (opts.json) return printJson(opts.backend ? { ...snap, backends } : snap, true);
              const text = `${header(snap)}\n\n${formatStatus(snap, backends)}`;
              process.stdout.write(tty ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
            });
            await untilInterrupted();
            await sub.close();
          },
          { reconnect: true },
        );
      }),
    );
}
