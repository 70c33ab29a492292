/**
 * lbd's admin socket driven the way shell scripts drive HAProxy's: `echo '<command>' | socat stdio
 * <socket>`. socat sends the command, half-closes, and prints what arrives until lbd closes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { run, startLbd, tempDir, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { connectUnix } from '../integration/admin-harness.js';

const socat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
const skip = socat ? false : 'socat is not installed (apt-get install socat)';

/** A strict CSV reader: RFC 4180 quoting, and every record must have as many fields as the header. */
function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') rec.push(field), (field = '');
    else if (c === '\n') {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
    } else field += c;
  }
  assert.equal(quoted, false, 'no unterminated quote');
  assert.ok(rec.length === 0 && field === '', 'the text ends with a newline');
  const [header, ...rest] = records;
  assert.ok(header && header[0]!.startsWith('# '), 'the header starts with "# "');
  assert.deepEqual(rest.at(-1), [''], 'the answer ends with an empty line');
  const rows = rest.slice(0, -1);
  for (const [i, r] of rows.entries()) assert.equal(r.length, header.length, `row ${i + 1} (${r.slice(0, 2).join(',')}) has ${r.length} fields, the header ${header.length}`);
  return { header, rows };
}

let lbd: LbdProcess;
let sock: string;
let cleanup: (() => void) | undefined;

before(async () => {
  if (skip) return;
  const t = tempDir('lbd-socat-');
  cleanup = t.cleanup;
  sock = `${t.dir}/admin.sock`;
  const port = await freePort();
  lbd = await startLbd(`
global
    stats socket ${sock} mode 600 level admin
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend myApp
    bind 127.0.0.1:${port}
    mode tcp
    default_backend myApp
backend myApp
    mode tcp
    server server-1 127.0.0.1:9 track monitoring/server-1
    server server-2 127.0.0.1:9 track monitoring/server-2
backend monitoring
    mode http
    option httpchk GET /readyz
    server server-1 127.0.0.1:9 check inter 60s
    server server-2 127.0.0.1:9 check inter 60s
`);
});

after(async () => {
  if (skip) return;
  await lbd?.stop();
  cleanup?.();
});

const socatCmd = (input: string) => run('socat', ['stdio', `unix-connect:${sock}`], { input, timeoutMs: 5000 });

test('echo "show stat" | socat: a strict CSV, every row as wide as the header', { skip }, async () => {
  const r = await socatCmd('show stat\n');
  assert.equal(r.code, 0, r.stderr);
  const { header, rows } = parseCsv(r.stdout);
  assert.equal(header[0], '# pxname');
  assert.equal(header.length, 129, 'HAProxy 2.6: 128 columns, each followed by a comma');
  assert.deepEqual(rows.map((x) => `${x[0]}/${x[1]}`), ['myApp/FRONTEND', 'myApp/server-1', 'myApp/server-2', 'myApp/BACKEND', 'monitoring/server-1', 'monitoring/server-2', 'monitoring/BACKEND']);
});

test('socat scripts: one-shot answers, several commands with ;, state changes', { skip }, async () => {
  assert.match((await socatCmd('show info\n')).stdout, /^Name: .*\nVersion: /);
  const both = (await socatCmd('show info;show stat\r\n')).stdout;
  const blocks = both.split('\n\n').filter((b) => b.trim() !== '');
  assert.equal(blocks.length, 2, 'Datadog splits "show info;show stat" on empty lines: exactly two blocks');
  assert.equal((await socatCmd('disable server myApp/server-1\n')).stdout, '\n');
  const { rows } = parseCsv((await socatCmd('show stat\n')).stdout);
  assert.equal(rows.find((x) => x[0] === 'myApp' && x[1] === 'server-1')![17], 'MAINT');
  assert.equal((await socatCmd('enable server myApp/server-1;get weight myApp/server-1\n')).stdout, '\n1 (initial 1)\n\n');
  assert.equal((await socatCmd('get weight myApp/nope\n')).stdout, 'No such server.\n\n');
});

test('the round trip of a state change over the socket (measured)', { skip }, async () => {
  const once = async (cmd: string) => {
    const s = await connectUnix(sock);
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      s.on('data', () => {});
      s.once('end', () => resolve());
      s.write(cmd);
    });
    s.destroy();
    return performance.now() - t0;
  };
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    times.push(await once('disable server myApp/server-2\n'));
    times.push(await once('enable server myApp/server-2\n'));
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  console.log(`# disable/enable server round trip over the Unix socket: median ${median.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`);
  assert.ok(median < 20, `median ${median.toFixed(2)} ms`);
});
