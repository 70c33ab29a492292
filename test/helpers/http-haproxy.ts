/**
 * The reference: HAProxy run from a config text on free ports, for tests that compare lbd's bytes with
 * HAProxy 2.6's. `HAPROXY` is null when it is not installed (tests skip visibly).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p)) ?? null;

function canConnect(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

/** Start HAProxy with `text` (already filled) and wait until `port` accepts connections. */
export async function startHaproxy(text: string, port: number): Promise<{ stop(): void }> {
  if (!HAPROXY) throw new Error('haproxy is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'lbd-hx-'));
  const file = join(dir, 'h.cfg');
  writeFileSync(file, text);
  const proc = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = () => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
      return canConnect(port);
    }, 5000, `haproxy listening (${stderr})`);
  } catch (e) {
    stop();
    throw e;
  }
  return { stop };
}
