import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, lexLine } from '../../daemon/config/lexer.js';

const words = (line: string, env: Record<string, string> = {}): string[] => lexLine(line, env).map((w) => w.text);

test('words are separated by spaces and tabs; columns count from 1', () => {
  const w = lexLine('  server\ts1   10.0.0.1:80  check', {});
  assert.deepEqual(w, [
    { text: 'server', col: 3 },
    { text: 's1', col: 10 },
    { text: '10.0.0.1:80', col: 15 },
    { text: 'check', col: 28 },
  ]);
});

test('# starts a comment outside quotes, not inside, and \\# is a literal #', () => {
  assert.deepEqual(words('maxconn 10 # comment'), ['maxconn', '10']);
  assert.deepEqual(words('a#b c'), ['a']);
  assert.deepEqual(words('a "#b" c'), ['a', '#b', 'c']);
  assert.deepEqual(words("a '#b' c"), ['a', '#b', 'c']);
  assert.deepEqual(words('a \\#b c'), ['a', '#b', 'c']);
});

test('double quotes keep spaces; single quotes keep everything literally', () => {
  assert.deepEqual(words('description "two words"'), ['description', 'two words']);
  assert.deepEqual(words("x 'a \\n $HOME \\\\'"), ['x', 'a \\n $HOME \\\\']);
  assert.deepEqual(words(`x "it's"`), ['x', "it's"]);
  assert.deepEqual(words(`x 'say "hi"'`), ['x', 'say "hi"']);
});

test('quoted and unquoted parts glue into one word', () => {
  assert.deepEqual(words(`x "a b"'c d'e`), ['x', 'a bc de']);
});

test('empty quotes are an empty word', () => {
  assert.deepEqual(words('x "" y'), ['x', '', 'y']);
});

test('backslash escapes outside and inside double quotes', () => {
  assert.deepEqual(words('a\\ b'), ['a b']);
  assert.deepEqual(words('a\\\\b'), ['a\\b']);
  assert.deepEqual(words('\\"q\\" \\\'s\\\''), ['"q"', "'s'"]);
  assert.deepEqual(words('"\\r\\n\\t"'), ['\r\n\t']);
  assert.deepEqual(words('\\x41\\x62'), ['Ab']);
  assert.deepEqual(words('"in \\"quotes\\""'), ['in "quotes"']);
});

test('other backslash sequences are kept as written (regex back-references survive)', () => {
  assert.deepEqual(words('\\1 \\d+'), ['\\1', '\\d+']);
  assert.deepEqual(words('trailing\\'), ['trailing\\']);
});

test('the legacy httpchk header trick lexes to CR LF and a space', () => {
  assert.deepEqual(words('option httpchk GET / HTTP/1.1\\r\\nHost:\\ www'), ['option', 'httpchk', 'GET', '/', 'HTTP/1.1\r\nHost: www']);
});

test('environment variables expand inside double quotes only', () => {
  const env = { PORT: '8080', HOST: 'example.com' };
  assert.deepEqual(words('bind "*:$PORT"', env), ['bind', '*:8080']);
  assert.deepEqual(words('x "${HOST}:${PORT}"', env), ['x', 'example.com:8080']);
  assert.deepEqual(words('x $PORT', env), ['x', '$PORT']);
  assert.deepEqual(words("x '$PORT'", env), ['x', '$PORT']);
  assert.deepEqual(words('x "\\$PORT"', env), ['x', '$PORT']);
  assert.deepEqual(words('x "$PORT.$PORT"', env), ['x', '8080.8080']);
});

test('unset variables expand to nothing; ${NAME-default} supplies a default', () => {
  assert.deepEqual(words('x "a$NOPE"b', {}), ['x', 'ab']);
  assert.deepEqual(words('x "${NOPE-dflt value}"', {}), ['x', 'dflt value']);
  assert.deepEqual(words('x "${SET-dflt}"', { SET: 'v' }), ['x', 'v']);
  assert.deepEqual(words('x "${EMPTY-dflt}"', { EMPTY: '' }), ['x', '']);
});

test('${NAME[*]} expands into several words', () => {
  assert.deepEqual(words('server s1 a:1 "${OPTS[*]}"', { OPTS: 'check  inter 2s' }), ['server', 's1', 'a:1', 'check', 'inter', '2s']);
  assert.deepEqual(words('server s1 a:1 "${OPTS[*]}"', { OPTS: '' }), ['server', 's1', 'a:1']);
});

test('${.FILE} and ${.LINE} name the current place', () => {
  assert.deepEqual(lexLine('x "${.FILE}:${.LINE}"', {}, { file: 'a.cfg', line: 7 }).map((w) => w.text), ['x', 'a.cfg:7']);
});

test('malformed lines throw with the column', () => {
  assert.throws(() => lexLine('x "abc', {}), /unmatched quote at position 3/);
  assert.throws(() => lexLine("x 'abc", {}), /unmatched quote at position 3/);
  assert.throws(() => lexLine('x \\xZZ', {}), /invalid hex escape/);
  assert.throws(() => lexLine('x "${A"', {}), /unmatched brace/);
  assert.throws(() => lexLine('x "$1"', {}), /forbidden first character/);
  assert.throws(() => lexLine('x "${A[x]}"', {}), /invalid word expansion/);
});

test('lex() keeps file:line, drops blank and comment lines, reports bad lines and keeps going', () => {
  const r = lex('\uFEFFglobal\r\n\n  # only a comment\n  maxconn "10\n  pidfile /run/lbd.pid  # where\n', 'a.cfg', {});
  assert.deepEqual(
    r.lines.map((l) => [l.file, l.line, l.words.map((w) => w.text)]),
    [
      ['a.cfg', 1, ['global']],
      ['a.cfg', 5, ['pidfile', '/run/lbd.pid']],
    ],
  );
  assert.equal(r.diagnostics.length, 1);
  assert.deepEqual(r.diagnostics[0].where, { file: 'a.cfg', line: 4, col: 11 });
  assert.equal(r.lines[1].raw, 'pidfile /run/lbd.pid');
});
