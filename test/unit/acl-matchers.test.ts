import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMatcher, matchWord, parsePattern, type IntOperator } from '../../daemon/http/acl/matchers.js';
import type { MatchMethod, SampleValue } from '../../daemon/http/acl/types.js';

const here = { file: 'lbd.cfg', line: 1 };
/** A matcher for patterns; a pattern prefixed with `-i:` ignores case. */
function m(method: MatchMethod, patterns: string[], op: IntOperator = null): (v: SampleValue) => boolean {
  const parsed = patterns.map((p) => {
    const icase = p.startsWith('-i:');
    const r = parsePattern(method, { text: icase ? p.slice(3) : p, icase, where: here }, op);
    assert.ok(typeof r !== 'string', String(r));
    return r;
  });
  return compileMatcher(method, parsed);
}

test('str: exact, case-sensitive unless -i; any pattern; any value of a multi-valued sample', () => {
  const t = m('str', ['/login', '-i:/Admin']);
  assert.equal(t('/login'), true);
  assert.equal(t('/LOGIN'), false);
  assert.equal(t('/admin'), true);
  assert.equal(t('/ADMIN'), true);
  assert.equal(t('/login/'), false);
  assert.equal(t(['a', '/login']), true);
  assert.equal(t([]), false);
  assert.equal(t(null), false);
  assert.equal(m('str', ['80'])(80), true, 'integers compare as their decimal text');
});

test('beg, end, sub (with -i)', () => {
  assert.equal(m('beg', ['/api/', '/static'])('/api/v1'), true);
  assert.equal(m('beg', ['/api/'])('/API/v1'), false);
  assert.equal(m('beg', ['-i:/api/'])('/API/v1'), true);
  assert.equal(m('end', ['.css', '.js'])('/a/b.js'), true);
  assert.equal(m('end', ['.css'])('/a/b.CSS'), false);
  assert.equal(m('end', ['-i:.css'])('/a/b.CSS'), true);
  assert.equal(m('sub', ['admin'])('/x/admin/y'), true);
  assert.equal(m('sub', ['admin'])('/x/ADMIN/y'), false);
  assert.equal(m('sub', ['-i:admin'])('/x/ADMIN/y'), true);
});

// The manual's examples (7.1.3) say 'png' does not match with -m dir and 'dc-eu.example:80' matches with -m dom;
// HAProxy's match_word (pattern.c), which lbd follows, does the opposite: '/png/' is a delimited portion,
// and 'dc-eu.example:80' is not in the string at all.
test("dir: slash-delimited portions (the manual's /images/png/logo/32x32.png example, as pattern.c matches it)", () => {
  const s = '/images/png/logo/32x32.png';
  for (const p of ['/images', '/images/png', 'images/png', '/png/logo', 'logo/32x32.png', '32x32.png', 'png']) assert.equal(m('dir', [p])(s), true, p);
  for (const p of ['32x32', 'ages', 'logo/32x32']) assert.equal(m('dir', [p])(s), false, p);
  assert.equal(m('dir', ['-i:LOGO'])(s), true);
});

test("dom: dot, colon, slash and ? delimited portions (the manual's http://www1.dc-eu.example.com:80/blah example)", () => {
  const s = 'http://www1.dc-eu.example.com:80/blah';
  for (const p of ['http', 'www1', '.www1', 'dc-eu', 'example', 'com', '80', 'dc-eu.example', 'blah', ':www1:', 'example.com:80']) assert.equal(m('dom', [p])(s), true, p);
  for (const p of ['eu', 'dc', 'exam', 'dc-eu.example:80']) assert.equal(m('dom', [p])(s), false, p);
  assert.equal(m('dom', ['-i:EXAMPLE'])(s), true);
  assert.equal(matchWord('a.b', '...', '.', false), false, 'a pattern of delimiters only never matches');
});

test('reg: unanchored, -i and a leading (?i) ignore case', () => {
  assert.equal(m('reg', ['^/api/v[0-9]+/'])('/api/v2/x'), true);
  assert.equal(m('reg', ['^/api/v[0-9]+/'])('/API/v2/x'), false);
  assert.equal(m('reg', ['-i:^/api/'])('/API/v2/x'), true);
  assert.equal(m('reg', ['(?i)^/api/'])('/API/v2/x'), true);
  assert.equal(m('reg', ['png$'])('/a.png'), true);
  const bad = parsePattern('reg', { text: '(', icase: false, where: here }, null);
  assert.match(bad as string, /^regex '\(' is invalid/);
});

test('len: the length of the sample against integers and ranges', () => {
  assert.equal(m('len', ['3'])('abc'), true);
  assert.equal(m('len', ['3:5'])('abcde'), true);
  assert.equal(m('len', ['3:5'])('abcdef'), false);
  assert.equal(m('len', ['10'], 'gt')('a'.repeat(11)), true);
});

test('int: values, ranges with open bounds, eq/ge/gt/le/lt operators; strings by their leading digits', () => {
  assert.equal(m('int', ['80', '443'])(443), true);
  assert.equal(m('int', ['80', '443'])(8080), false);
  assert.equal(m('int', ['1024:65535'])(8080), true);
  assert.equal(m('int', ['1024:'])(65535), true);
  assert.equal(m('int', [':1023'])(22), true);
  assert.equal(m('int', [':1023'])(1024), false);
  assert.equal(m('int', ['1'], 'gt')(2), true);
  assert.equal(m('int', ['1'], 'gt')(1), false);
  assert.equal(m('int', ['1'], 'ge')(1), true);
  assert.equal(m('int', ['0'], 'lt')(-1), true);
  assert.equal(m('int', ['5'], 'le')(5), true);
  assert.equal(m('int', ['5'], 'eq')(5), true);
  assert.equal(m('int', ['12'])('12abc'), true);
  assert.equal(m('int', ['12'])('abc'), false);
  assert.equal(m('int', ['1'])(true), true);
  assert.equal(parsePattern('int', { text: 'abc', icase: false, where: here }, null), "'abc' is not a number");
  assert.equal(parsePattern('int', { text: '1:2:3', icase: false, where: here }, null), "'1:2:3' is not a valid integer range");
  assert.equal(parsePattern('int', { text: '1:5', icase: false, where: here }, 'gt'), "'1:5' is not a number");
});

test('ip: CIDRs and addresses, IPv4 and IPv6', () => {
  const t = m('ip', ['10.0.0.0/8', '192.168.1.1', '2001:db8::/32']);
  assert.equal(t('10.9.8.7'), true);
  assert.equal(t('192.168.1.1'), true);
  assert.equal(t('192.168.1.2'), false);
  assert.equal(t('::ffff:10.0.0.1'), true);
  assert.equal(t('2001:db8::1'), true);
  assert.equal(t('not an ip'), false);
});

test('found and bool take no pattern; a missing sample never matches', () => {
  assert.equal(m('found', [])(''), true);
  assert.equal(m('found', [])(null), false);
  assert.equal(m('found', [])([]), false);
  assert.equal(m('bool', [])(true), true);
  assert.equal(m('bool', [])(false), false);
  assert.equal(m('bool', [])(3), true);
  assert.equal(m('bool', [])(0), false);
  assert.equal(m('str', [])('x'), false, 'no pattern: never matches');
});

test('meth: known methods by exact name, other methods as strings (case-insensitive with -i)', () => {
  assert.equal(m('meth', ['GET', 'HEAD'])('GET'), true);
  assert.equal(m('meth', ['GET'])('get'), false);
  assert.equal(m('meth', ['-i:GET'])('GET'), true, 'a known method pattern still matches that method with -i');
  assert.equal(m('meth', ['PURGE'])('PURGE'), true);
  assert.equal(m('meth', ['PURGE'])('purge'), false);
  assert.equal(m('meth', ['-i:purge'])('PURGE'), true);
  assert.equal(m('meth', ['-i:get'])('GET'), false, "'get' is not a known method, and known request methods only match known patterns");
});
