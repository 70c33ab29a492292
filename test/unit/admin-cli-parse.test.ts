/**
 * The runtime API's request syntax and the `help`/"Unknown command" generator as pure functions.
 * The fuzzy matcher is checked against HAProxy 2.6 itself: fed HAProxy's own command table (from the
 * captured `help`), it must suggest what the real HAProxy suggested for the same typos.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nextLine, splitWords, startsPayload, strtol } from '../../daemon/admin/cli-parse.js';
import { usageText, FUZZY_HEADER, HELP_HEADER, USAGE_FOOTER } from '../../daemon/admin/usage.js';
import { COMMANDS, findCommand } from '../../daemon/admin/commands.js';
import { usageLine, type Command } from '../../daemon/admin/command-types.js';
import { ROOT } from '../helpers/lbd-process.js';

const CAPTURES = `${ROOT}/test/unit/admin-captures`;

test('nextLine: \\n and unescaped ; end a request, one \\r is dropped, payload lines end at \\n only', () => {
  assert.deepEqual(nextLine('show info\nrest', false), { line: 'show info', used: 10 });
  assert.deepEqual(nextLine('a;b\n', false), { line: 'a', used: 2 });
  assert.deepEqual(nextLine('a\\;b\n', false), { line: 'a\\;b', used: 5 });
  assert.deepEqual(nextLine('a\\\nb\n', false), { line: 'a\\\nb', used: 5 }, 'an escaped newline continues the line');
  assert.deepEqual(nextLine('x\r\n', false), { line: 'x', used: 3 });
  assert.deepEqual(nextLine('x\r;', false), { line: 'x', used: 3 });
  assert.equal(nextLine('no terminator', false), null);
  assert.deepEqual(nextLine('a;b\n', true), { line: 'a;b', used: 4 });
  assert.ok(startsPayload('set ssl cert x <<') && startsPayload('x<<') && !startsPayload('<< x'));
});

test('splitWords: spaces and tabs separate, backslash escapes, a final << asks for the payload', () => {
  assert.deepEqual(splitWords('  show \t stat  '), { words: ['show', 'stat'], payload: false });
  assert.deepEqual(splitWords('a\\ b c'), { words: ['a b', 'c'], payload: false });
  assert.deepEqual(splitWords('a\\\\ b'), { words: ['a\\', 'b'], payload: false });
  assert.deepEqual(splitWords('a\\;b \\x'), { words: ['a;b', 'x'], payload: false });
  assert.deepEqual(splitWords('set ssl cert f <<'), { words: ['set', 'ssl', 'cert', 'f'], payload: true });
  assert.deepEqual(splitWords('x << y'), { words: ['x', '<<', 'y'], payload: false });
  assert.deepEqual(splitWords('f<<'), { words: ['f<<'], payload: false });
  assert.equal(splitWords(Array.from({ length: 70 }, (_, i) => `w${i}`).join(' ')).words.length, 64);
  assert.deepEqual(splitWords(''), { words: [], payload: false });
});

test('strtol: C prefix parsing with base 10 or auto (0x, 0)', () => {
  assert.deepEqual(strtol('12abc'), { value: 12, rest: 'abc', digits: true });
  assert.deepEqual(strtol('+5'), { value: 5, rest: '', digits: true });
  assert.deepEqual(strtol('-5%'), { value: -5, rest: '%', digits: true });
  assert.deepEqual(strtol('x'), { value: 0, rest: 'x', digits: false });
  assert.equal(strtol('0x1f', 0).value, 31);
  assert.equal(strtol('017', 0).value, 15);
  assert.equal(strtol('31', 0).value, 31);
  assert.equal(strtol('zz', 0).digits, false);
});

/** HAProxy 2.6's command table, rebuilt from its `help`: keyword words are the leading literal words. */
function haproxyTable(): Command[] {
  const lines = readFileSync(`${CAPTURES}/help.txt`, 'utf8').split('\n').slice(1, -5);
  return lines.map((l) => {
    const syntax = l.slice(2, 42).trimEnd();
    const words: string[] = [];
    for (const w of syntax.split(/\s+/)) {
      if (!w || /^[<[{(@*#]/.test(w)) break;
      words.push(w);
    }
    return { words, level: 'user', usage: { syntax, help: l.slice(44) }, compat: 'same', run: () => ({ text: '' }) } satisfies Command;
  });
}

test('usageText reproduces HAProxy 2.6 suggestions when given its table (captured answers)', () => {
  const table = haproxyTable();
  assert.equal(table.length, 100);
  const names = (args: string[]) => usageText(table, args).split('\n').slice(1, -4).map((l) => l.slice(2, 42).trimEnd());
  // captured from a real HAProxy 2.6.12 (runtime API reference §1.4 and live runs)
  assert.deepEqual(names(['foo']), ['add acl [@<ver>] <acl> <pattern>', 'show fd [num]', 'show info [desc|json|typed|float]*', 'trace [<module>|0] [cmd [args...]]', 'user']);
  assert.deepEqual(names(['foo', 'bar']), ['clear acl [@<ver>] <acl>', 'get var <name>', 'operator', 'trace [<module>|0] [cmd [args...]]', 'user']);
  assert.deepEqual(names(['show', 'bogus']), ['show errors [<px>] [request|response]', 'show fd [num]', 'show libs', 'show pools', 'show sess [id]']);
  assert.deepEqual(names(['help', 'bogus']), ['show fd [num]', 'show libs', 'show pools', 'show sess [id]', 'user']);
  assert.deepEqual(names(['show', 'acx']), ['show acl [@<ver>] <acl>]', 'show cache', 'show map [@ver] [map]', 'show stat [desc|json|no-maint|typed|up]*', 'show trace [<module>]']);
  assert.deepEqual(names(['show', 'envv']), ['show env [var]']);
  assert.equal(usageText(table, ['help']), readFileSync(`${CAPTURES}/help.txt`, 'utf8').slice(0, -1), 'the whole help, byte for byte');
});

test('every lbd usage line marked "same" is byte-identical to a line of HAProxy 2.6\'s help', () => {
  const help = new Set(readFileSync(`${CAPTURES}/help.txt`, 'utf8').split('\n'));
  const same = COMMANDS.filter((c) => c.usage && c.compat === 'same');
  assert.ok(same.length >= 25);
  for (const c of same) assert.ok(help.has(usageLine(c.usage!)), `not in HAProxy's help: ${usageLine(c.usage!)}`);
  for (const c of COMMANDS.filter((x) => x.compat !== 'same')) {
    assert.ok(c.usage, `${c.words.join(' ')} has a usage line`);
    assert.ok(!help.has(usageLine(c.usage)), `${c.words.join(' ')} is marked ${c.compat} but matches HAProxy`);
  }
});

test('the command table: unique keywords, every keyword found by its own words, help lists each usage once', () => {
  const keys = COMMANDS.map((c) => c.words.join(' '));
  assert.equal(new Set(keys).size, keys.length);
  for (const c of COMMANDS) assert.equal(findCommand([...c.words, 'x']), c, c.words.join(' '));
  const help = usageText(COMMANDS, ['help']);
  assert.ok(help.startsWith(HELP_HEADER) && help.endsWith(USAGE_FOOTER));
  assert.equal(help.split('\n').length - 1, 1 + COMMANDS.filter((c) => c.usage).length + 3);
  assert.ok(usageText(COMMANDS, ['disable', 'servr']).startsWith(FUZZY_HEADER + '  disable server'));
});
