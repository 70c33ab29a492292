/**
 * The runtime API's framing over a real Unix socket, compared with what HAProxy 2.6 sends for the
 * same bytes (../shared/reference/haproxy-runtime-api.md §1; the expected strings were captured from a
 * real HAProxy 2.6.12 with the same commands).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VERSION } from '../../daemon/version.js';
import { COMMANDS } from '../../daemon/admin/commands.js';
import { usageText, UNKNOWN_HEADER, FUZZY_HEADER, HELP_HEADER, USAGE_FOOTER } from '../../daemon/admin/usage.js';
import { MAX_REQUEST_BYTES } from '../../daemon/admin/cli.js';
import { connectUnix, exchange, promptClient, startAdmin, trackConfig, type AdminHarness } from './admin-harness.js';

const V = VERSION;
let h: AdminHarness;
let oper: string;
let user: string;

before(async () => {
  h = await startAdmin(trackConfig());
  oper = `${h.dir}/oper.sock`;
  user = `${h.dir}/user.sock`;
});
after(() => h.close());

test('one-shot mode: each answer ends with an empty line and the server closes', async () => {
  assert.equal(await exchange(h.sock, 'show version\n'), `${V}\n\n`);
  assert.equal(await exchange(h.sock, 'show version;show cli level\n'), `${V}\n\nadmin\n\n`);
  assert.equal(await exchange(h.sock, 'show version\nshow cli level\n'), `${V}\n\nadmin\n\n`);
  assert.equal(await exchange(h.sock, 'show version\r\n'), `${V}\n\n`);
  assert.equal(await exchange(h.sock, 'disable server myApp/server-1\n'), '\n');
  assert.equal(await exchange(h.sock, 'enable server myApp/server-1\n'), '\n');
  assert.equal(await exchange(h.sock, 'quit\n'), '');
  assert.equal(await exchange(h.sock, 'get weight myApp/nope\n'), 'No such server.\n\n');
});

test('a command without its newline never runs: the connection waits; at EOF it closes silently', async () => {
  const s = await connectUnix(h.sock);
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString()));
  s.write('show version');
  // an answer would arrive within a few ms; a later command on the same write then completes the line
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(got, '', 'nothing is answered before the newline');
  assert.ok(!s.destroyed && s.readable, 'the connection stays open');
  s.end();
  await new Promise((r) => s.once('end', r));
  assert.equal(got, '', 'EOF does not run the partial command');
});

test('the idle timeout (stats timeout) closes a connection that sends nothing', async () => {
  const t = await startAdmin(trackConfig('    stats timeout 300ms'));
  try {
    const t0 = Date.now();
    const got = await exchange(t.sock, 'show version', 3000);
    const ms = Date.now() - t0;
    assert.equal(got, '');
    assert.ok(ms >= 250 && ms < 2000, `closed after ${ms} ms`);
  } finally {
    await t.close();
  }
});

test('interactive mode: prompt toggles, answers end with \\n> , levels only go down', async () => {
  const c = await promptClient(h.sock);
  try {
    assert.equal(await c.send('prompt\n'), '\n> ');
    assert.equal(await c.send('show version\n'), `${V}\n\n> `);
    assert.equal(await c.send('show cli level\n'), 'admin\n\n> ');
    const unknown = await c.send('foo bar\n');
    assert.ok(unknown.startsWith(FUZZY_HEADER) && unknown.endsWith(USAGE_FOOTER + '\n> '), unknown);
    assert.equal(await c.send('operator\n'), '\n> ');
    assert.equal(await c.send('show cli level\n'), 'operator\n\n> ');
    assert.equal(await c.send('user\n'), '\n> ');
    assert.equal(await c.send('disable server myApp/server-1\n'), 'Permission denied\n\n> ');
    assert.equal(await c.send('operator\n'), 'Permission denied\n\n> ');
    assert.equal(await c.send('show version;show version\n'), `${V}\n\n> ${V}\n\n> `);
    c.socket.write('prompt\n');
    assert.equal(await c.closed(), '\n', 'prompt again: one empty line, then closed as nothing more was sent');
  } finally {
    c.close();
  }
});

test('set timeout cli changes the idle timeout of this session', async () => {
  const c = await promptClient(h.sock);
  try {
    assert.equal(await c.send('prompt\n'), '\n> ');
    assert.equal(await c.send('set timeout cli 1\n'), '\n> ');
    const t0 = Date.now();
    assert.equal(await c.closed(4000), '');
    const ms = Date.now() - t0;
    assert.ok(ms >= 900 && ms < 3000, `closed after ${ms} ms`);
  } finally {
    c.close();
  }
  assert.equal(await exchange(h.sock, 'set timeout\n'), "'set timeout' only supports 'cli'.\n\n");
  assert.equal(await exchange(h.sock, 'set timeout cli\n'), 'Expects an integer value.\n\n');
  assert.equal(await exchange(h.sock, 'set timeout cli abc\n'), 'Invalid timeout value.\n\n');
  assert.equal(await exchange(h.sock, 'set timeout cli 0\n'), 'Invalid timeout value.\n\n');
  assert.equal(await exchange(h.sock, 'set timeout cli 1s\n'), '\n');
});

test('payloads: lines after a final << until an empty line; + prompt in interactive mode', async () => {
  assert.equal(await exchange(h.sock, 'show cli level <<\nabc\ndef\n\nshow version\n'), `admin\n\n${V}\n\n`);
  const c = await promptClient(h.sock);
  try {
    assert.equal(await c.send('prompt\n'), '\n> ');
    c.socket.write('show cli level <<\n');
    c.socket.write('abc\n');
    assert.equal(await c.send('\n'), '+ + admin\n\n> ');
  } finally {
    c.close();
  }
  // a payload that never ends keeps the connection open (nothing runs)
  await assert.rejects(exchange(h.sock, 'show cli level <<\nabc\n', 300), /still open after 300 ms; received ""/);
});

test('escapes and separators: backslash keeps ; and spaces in a word, CR before LF is dropped', async () => {
  const esc = await exchange(h.sock, 'show\\ version\n');
  assert.ok(esc.startsWith(FUZZY_HEADER) && esc.includes('  show version  '), esc);
  const semi = await exchange(h.sock, 'show version\\;show cli level\n');
  assert.ok(semi.startsWith(FUZZY_HEADER), 'the escaped ; is part of a word, not a separator');
  assert.equal(await exchange(h.sock, 'get weight myApp/server\\-1\n'), '1 (initial 1)\n\n');
  assert.equal(await exchange(h.sock, '  \tshow  version \n'), `${V}\n\n`);
  assert.equal(await exchange(h.sock, 'show cli level\r\n\r\n').then((t) => t.split('\n\n')[0]), 'admin');
  assert.equal(await exchange(h.sock, 'show version extra words\n'), `${V}\n\n`);
});

test('unknown commands and help: headers, sorted usage lines, the fixed footer', async () => {
  const empty = await exchange(h.sock, '\n');
  assert.equal(empty, usageText(COMMANDS, []) + '\n');
  assert.ok(empty.startsWith(UNKNOWN_HEADER) && empty.endsWith(USAGE_FOOTER + '\n'));
  const help = await exchange(h.sock, 'help\n');
  assert.ok(help.startsWith(HELP_HEADER));
  const lines = help.split('\n').slice(1, -5);
  assert.deepEqual(lines, [...lines].sort(), 'usage lines are sorted');
  assert.equal(lines.length, COMMANDS.filter((c) => c.usage).length);
  // `help disable` lists the disable commands only (HAProxy 2.6 lists dynamic-cookie too, which lbd lacks)
  assert.equal(
    await exchange(h.sock, 'help disable\n'),
    HELP_HEADER +
      '  disable agent                           : disable agent checks\n' +
      '  disable frontend <frontend>             : temporarily disable specific frontend\n' +
      '  disable health                          : disable health checks\n' +
      "  disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)\n" +
      USAGE_FOOTER + '\n',
  );
  // captured from HAProxy 2.6: a keyword with an unknown next word gets fuzzy matches of the same prefix
  assert.equal(
    await exchange(h.sock, 'show envv\n'),
    FUZZY_HEADER + '  show env [var]                          : dump environment variables known to the process\n' + USAGE_FOOTER + '\n',
  );
  assert.equal(
    await exchange(h.sock, 'shutdown sessions\n'),
    FUZZY_HEADER + '  shutdown sessions server <bk>/<srv>     : kill sessions on a server\n' + USAGE_FOOTER + '\n',
  );
  const upper = await exchange(h.sock, 'Show version\n');
  assert.equal(upper, FUZZY_HEADER + '  show version                            : show version of the current process\n' + USAGE_FOOTER + '\n');
});

test('a request longer than the limit is answered with an error and the connection closes', async () => {
  const got = await exchange(h.sock, 'show version ' + 'x'.repeat(MAX_REQUEST_BYTES + 10) + '\n');
  assert.equal(got, `Request too long (limit ${MAX_REQUEST_BYTES} bytes): closing.\n\n`);
  const noNewline = await exchange(h.sock, 'y'.repeat(MAX_REQUEST_BYTES + 10));
  assert.match(noNewline, /^Request too long/);
  const bigPayload = await exchange(h.sock, 'show cli level <<\n' + ('z'.repeat(100) + '\n').repeat(200) + '\n');
  assert.match(bigPayload, /^Request too long/);
  // just under the limit still works
  assert.equal(await exchange(h.sock, 'show version ' + 'x'.repeat(MAX_REQUEST_BYTES - 100) + '\n'), `${V}\n\n`);
});

test('set severity-output prefixes messages, never dumps (captured from HAProxy 2.6)', async () => {
  assert.equal(await exchange(h.sock, 'set severity-output number;get weight myApp/nope\n'), '\n[3]: No such server.\n\n');
  assert.equal(await exchange(h.sock, 'set severity-output number;get weight myApp/server-1\n'), '\n1 (initial 1)\n\n');
  assert.equal(await exchange(h.sock, 'set severity-output string;disable server nope/x\n'), '\n[err]: No such backend.\n\n');
  assert.equal(await exchange(h.sock, 'set severity-output number;show version\n'), `\n[6]: ${V}\n\n`);
  assert.equal(await exchange(h.sock, 'set severity-output bad\n'), "one of 'none', 'number', 'string' is a required argument\n\n");
  assert.equal(await exchange(h.sock, 'set severity-output number;set weight myApp/server-1 x\n'), '\n[3]: Empty weight string empty or preceded by garbage\n');
  assert.equal(await exchange(h.sock, 'set severity-output number;user;disable server a/b\n'), '\n\n[3]: Permission denied\n\n');
  assert.equal(await exchange(h.sock, 'set severity-output number;disable frontend myApp;disable frontend myApp;enable frontend myApp\n'), '\n\n[5]: All sockets are already disabled.\n\n\n');
  assert.equal(await exchange(h.sock, 'set severity-output none;show version\n'), `\n${V}\n\n`);
});

test('levels per socket: operator by default, user and operator refused what needs more', async () => {
  assert.equal(await exchange(oper, 'show cli level\n'), 'operator\n\n');
  assert.equal(await exchange(user, 'show cli level\n'), 'user\n\n');
  assert.equal(await exchange(oper, 'clear counters all\n'), 'Permission denied\n\n');
  assert.equal(await exchange(oper, 'disable server myApp/server-1\n'), 'Permission denied\n\n');
  assert.equal(await exchange(oper, 'shutdown session 0x1\n'), 'Permission denied\n\n');
  assert.equal(await exchange(oper, 'disable frontend myApp\n'), 'Permission denied\n\n');
  assert.equal(await exchange(oper, 'reload\n'), 'Permission denied\n\n');
  assert.match(await exchange(oper, 'show env HOME\n'), /^HOME=.*\n\n$/);
  for (const cmd of ['clear counters', 'show env', 'show sess', 'show events events']) {
    assert.equal(await exchange(user, `${cmd}\n`), 'Permission denied\n\n', cmd);
  }
  for (const cmd of ['show info', 'show stat', 'show servers state', 'show backend', 'get weight myApp/server-1', 'show events', 'show table', 'help']) {
    assert.doesNotMatch(await exchange(user, `${cmd}\n`), /Permission denied/, cmd);
  }
  assert.equal(await exchange(user, 'operator\n'), 'Permission denied\n\n');
  assert.equal(await exchange(h.sock, 'operator;show cli level\n'), '\noperator\n\n');
  assert.equal(await exchange(h.sock, 'user;operator\n'), '\nPermission denied\n\n');
  assert.equal(await exchange(h.sock, 'user;show cli level;operator;show cli level\n'), '\nuser\n\nPermission denied\n\nuser\n\n');
  assert.equal(await exchange(h.sock, 'admin;show cli level\n'), '\nadmin\n\n');
  assert.equal(await exchange(oper, 'admin\n'), 'Permission denied\n\n');
});
