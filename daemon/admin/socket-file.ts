/**
 * The Unix socket file of an admin socket: whether a file already at the path is a live socket
 * (another lbd answers), a stale one (left by a process that died: nobody accepts), or not a socket;
 * and binding with the configured file mode applied from the first instant.
 */
import net from 'node:net';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';

export type SocketFileState = 'none' | 'stale' | 'live' | 'not-socket';

/** How long a connect to an existing socket may take before it counts as live (busy, not dead). */
const PROBE_TIMEOUT_MS = 1000;

/** What is at `path` now. A socket nobody accepts on (ECONNREFUSED) is stale and may be replaced. */
export function probeSocketFile(path: string): Promise<SocketFileState> {
  try {
    if (!lstatSync(path).isSocket()) return Promise.resolve('not-socket');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve('none');
    throw e;
  }
  return new Promise((resolve) => {
    const c = net.connect(path);
    const done = (s: SocketFileState) => {
      clearTimeout(t);
      c.destroy();
      resolve(s);
    };
    const t = setTimeout(() => done('live'), PROBE_TIMEOUT_MS);
    c.once('connect', () => done('live'));
    c.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? 'stale' : 'live'));
  });
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  ENOENT: 'no such directory',
  EADDRINUSE: 'address already in use',
  ENAMETOOLONG: 'path too long for a Unix socket (at most 107 bytes)',
  EINVAL: 'invalid path (a Unix socket path holds at most 107 bytes)',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
};

/** An operator-readable reason for a failed bind or unlink. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code ? `${ERRNO_TEXT[code] ?? code}` : (e as Error).message;
}

/**
 * Listen on `path` with file mode `mode`. The umask is narrowed around the synchronous bind so the
 * file never exists with wider permissions, and chmod afterwards makes the mode exact whatever the umask.
 */
export async function listenUnix(server: net.Server, path: string, mode: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    const old = process.umask(0o777 & ~mode);
    try {
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
  chmodSync(path, mode);
}

/** Remove the socket file if it is still there (ignored when already gone). */
export function unlinkSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // already removed, or never created
  }
}
