/**
 * Where the admin socket is when the config names none. lbd listens there and lbctl looks there first,
 * so `lbctl status` works with no flag on a default install. `LBCTL_SOCKET` / `-s` override it for
 * lbctl; a `stats socket` line in the config overrides it for lbd.
 *
 * root: /run/lbd/admin.sock. Others: $XDG_RUNTIME_DIR/lbd/admin.sock, or /tmp/lbd-<uid>/admin.sock.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export function defaultSocketDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? -1): string {
  if (uid === 0) return '/run/lbd';
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'lbd');
  return join(tmpdir(), `lbd-${uid}`);
}

export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env, uid?: number): string {
  return join(defaultSocketDir(env, uid), 'admin.sock');
}
