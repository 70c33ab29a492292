/**
 * The daemon's control surface: what SIGHUP, the runtime API's `reload`, the WebSocket protocol and
 * lbctl all drive. It owns the config file list and serialises reloads (a reload asked for while one
 * runs is queued once; asking again only joins the queued one).
 */
import { loadConfig, formatDiagnostic } from './config/index.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import type { Runtime } from './runtime/runtime.js';

/** The answer to a reload: `ok` with what changed, or the errors (`file:line: message`) and nothing changed. */
export interface ReloadResult {
  ok: boolean;
  /** One line per listener, backend or server added, removed or changed (empty: nothing changed). */
  changes: string[];
  /** Every error as `file:line: message` (or the bind error); empty when ok. */
  errors: string[];
  /** Warnings of the new config, `file:line: warning: message`. */
  warnings: string[];
  /** Milliseconds from the request to the applied config. */
  durationMs: number;
}

export class Control {
  private running: Promise<ReloadResult> | null = null;
  private queued: Promise<ReloadResult> | null = null;
  /** Called with the new config after each successful apply (the admin server re-reads its sockets). */
  onApplied: ((config: Config) => void | Promise<void>) | null = null;

  constructor(
    readonly runtime: Runtime,
    readonly files: readonly string[],
    readonly log: Logger,
  ) {}

  /** Reload the configuration files; never throws. */
  reload(origin: string): Promise<ReloadResult> {
    if (this.running) {
      // the files may have changed since the running reload read them: one more reload follows it
      this.queued ??= this.running.then(() => {
        this.queued = null;
        return this.start(origin);
      });
      return this.queued;
    }
    return this.start(origin);
  }

  private start(origin: string): Promise<ReloadResult> {
    const p = this.doReload(origin).finally(() => {
      if (this.running === p) this.running = null;
    });
    this.running = p;
    return p;
  }

  private async doReload(origin: string): Promise<ReloadResult> {
    const rt = this.runtime;
    const t0 = performance.now();
    const done = (r: Omit<ReloadResult, 'durationMs'>): ReloadResult => {
      const res = { ...r, durationMs: Math.round((performance.now() - t0) * 10) / 10 };
      rt.lastReload = { at: Date.now(), ok: res.ok, messages: res.ok ? res.changes : res.errors };
      return res;
    };
    if (rt.stopping) return done({ ok: false, changes: [], errors: ['lbd is stopping'], warnings: [] });
    let loaded;
    try {
      loaded = await loadConfig([...this.files]);
    } catch (e) {
      return done({ ok: false, changes: [], errors: [(e as Error).message], warnings: [] });
    }
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    const warnings = loaded.diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic);
    for (const w of warnings) process.stderr.write(w + '\n');
    if (!loaded.config) {
      for (const e of errors) process.stderr.write(e + '\n');
      this.log.alert(`Reload (${origin}) failed: ${errors.length} errors; the running configuration stays.`);
      rt.events.emit('reload', '', 'running', 'running', { kind: 'reload' }, `reload (${origin}) refused: ${errors.length} configuration errors`);
      return done({ ok: false, changes: [], errors, warnings });
    }
    try {
      const r = await rt.apply(loaded.config);
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      const msg = `Reloaded configuration (${origin}): ${r.changes.length ? r.changes.join('; ') : 'no changes'} (${ms} ms)`;
      this.log.notice(msg);
      rt.events.emit('reload', '', 'running', 'running', { kind: 'reload' }, msg);
      await this.onApplied?.(loaded.config);
      return done({ ok: true, changes: r.changes, errors: [], warnings });
    } catch (e) {
      const m = (e as Error).message;
      this.log.alert(`Reload (${origin}) failed: ${m}; the running configuration stays.`);
      rt.events.emit('reload', '', 'running', 'running', { kind: 'reload' }, `reload (${origin}) failed: ${m}`);
      return done({ ok: false, changes: [], errors: [m], warnings });
    }
  }
}
