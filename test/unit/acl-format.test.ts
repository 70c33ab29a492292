import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFormatter, parseLogFormat } from '../../daemon/http/acl/format.js';
import type { FetchContext } from '../../daemon/http/acl/fetches.js';
import type { Formatter } from '../../daemon/http/acl/types.js';
import { view, type ViewInit } from './acl-helpers.js';

const ctx = (dir: 'req' | 'res' = 'req'): FetchContext => ({ dir, acl: false, userlist: () => () => null });
function fmt(text: string, dir: 'req' | 'res' = 'req'): Formatter {
  const f = compileFormatter(text, ctx(dir));
  assert.ok(typeof f !== 'string', String(f));
  return f;
}
const run = (text: string, init: ViewInit = {}, dir: 'req' | 'res' = 'req'): string => fmt(text, dir).format(view(init));
const err = (text: string): string => {
  const f = compileFormatter(text, ctx());
  assert.ok(typeof f === 'string', text);
  return f;
};

test('literal text stays as it is; %% is one %; a constant formatter is not dynamic', () => {
  const f = fmt('no-cache, 100%% sure');
  assert.equal(f.format(view()), 'no-cache, 100% sure');
  assert.equal(f.dynamic, false);
  assert.deepEqual(f.nodes, [{ kind: 'text', text: 'no-cache, 100% sure' }]);
});

test('%[src], %[req.hdr(host)], %[path] and text around them', () => {
  const i: ViewInit = { src: '::ffff:203.0.113.9', url: '/shop/cart?x=1', headers: [['Host', 'www.example.com']] };
  assert.equal(run('%[src]', i), '203.0.113.9');
  assert.equal(run('%[req.hdr(host)]', i), 'www.example.com');
  assert.equal(run('/%[hdr(host)]%[path]', i), '/www.example.com/shop/cart');
  assert.equal(run('client=%[src]; port=%[dst_port]', i), 'client=203.0.113.9; port=80');
  assert.equal(fmt('%[src]').dynamic, true);
});

test('a missing sample gives an empty string; +Q does not quote samples in values (as HAProxy 2.6); the last occurrence of a header is used', () => {
  assert.equal(run('[%[req.hdr(x-missing)]]'), '[]');
  assert.equal(run('%{+Q}[req.hdr(x-missing)]'), '');
  assert.equal(run('%{+Q}[path]', { url: '/p' }), '/p');
  assert.equal(run('%[req.hdr(x-forwarded-for)]', { headers: [['X-Forwarded-For', '1.1.1.1, 2.2.2.2']] }), '2.2.2.2');
  assert.equal(run('%[req.cook(SID)]', { headers: [['Cookie', 'SID=abc']] }), 'abc');
  assert.equal(run('%[url_param(id)]-%[query]-%[method]', { url: '/a?id=7', method: 'PUT' }), '7-id=7-PUT');
});

test('request variables: %ci %cp %fi %fp %HM %HU %HP %HPO %HQ %HV %r', () => {
  const i: ViewInit = { src: '10.0.0.1', srcPort: 5000, dst: '10.0.0.2', dstPort: 8443, method: 'GET', url: '/a/b?c=d', version: '1.1' };
  assert.equal(run('%ci:%cp -> %fi:%fp', i), '10.0.0.1:5000 -> 10.0.0.2:8443');
  assert.equal(run('%HM %HU %HP %HPO %HQ %HV', i), 'GET /a/b?c=d /a/b /a/b ?c=d HTTP/1.1');
  assert.equal(run('%r', i), 'GET /a/b?c=d HTTP/1.1');
  assert.match(run('%Ts'), /^\d{10}$/);
});

test('flags: +Q quotes, +X writes numbers and IPv4 addresses in hex, +E escapes, -Q undoes +Q', () => {
  const i: ViewInit = { src: '192.168.1.20', srcPort: 443, headers: [['X', 'a"b]c\\']] };
  assert.equal(run('%{+Q}ci', i), '"192.168.1.20"');
  assert.equal(run('%{+X}ci:%{+X}cp', i), 'C0A80114:1BB');
  assert.equal(run('%{+E}[req.hdr(x)]', i), 'a\\"b\\]c\\\\');
  assert.equal(run('%{+Q,-Q}ci', i), '192.168.1.20');
});

test('converters: %[hdr(host),lower]', () => {
  assert.equal(run('%[hdr(host),lower]', { headers: [['Host', 'WWW.A.COM']] }), 'www.a.com');
});

test('on a response, %[status] and %[hdr()] read the response', () => {
  const i: ViewInit = { status: 404, resHeaders: [['Server', 'nginx']], headers: [['Server', 'client']] };
  assert.equal(run('%[status] %[hdr(server)] %[res.hdr(server)]', i, 'res'), '404 nginx nginx');
});

test('errors: lone %, % followed by a space, unknown variables and fetches, unclosed brackets, bad flags, variables lbd cannot compute for values', () => {
  assert.equal(err('abc%'), "truncated line after '%' (write '%%' for a literal '%')");
  assert.equal(err('a % b'), "unexpected variable name near ' b' in 'a % b' (write '%%' for a literal '%')");
  assert.equal(err('%Zz'), "no such format variable 'Zz' (write '%%' for a literal '%')");
  assert.equal(err('%[nofetch]'), "failed to parse sample expression <nofetch>: unknown fetch method 'nofetch'");
  assert.equal(err('%[src'), "missing ']' after 'src'");
  assert.equal(err('%{+Z}ci'), "unknown log-format flag '+Z' (expected +Q, +X or +E)");
  assert.equal(err('%{+Q'), "missing '}' after '%{' in '%{+Q'");
  assert.equal(err('%[src,foo]'), "failed to parse sample expression <src,foo>: unknown converter 'foo'");
  assert.equal(err('%[path_beg]'), "failed to parse sample expression <path_beg>: unknown fetch method 'path_beg': it is an ACL keyword (write path here)");
  assert.match(err('%Tr'), /^log-format variable '%Tr' is not supported by lbd in rule values \(supported: %ci %cp/);
});

test('parseLogFormat accepts every HAProxy log variable and keeps the nodes (for the access logger)', () => {
  const text = '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[src] %%';
  const nodes = parseLogFormat(text, ctx());
  assert.ok(typeof nodes !== 'string', String(nodes));
  const vars = nodes.filter((n) => n.kind === 'var').map((n) => (n.kind === 'var' ? n.name : ''));
  assert.deepEqual(vars, ['ci', 'cp', 'tr', 'ft', 'b', 's', 'TR', 'Tw', 'Tc', 'Tr', 'Ta', 'ST', 'B', 'CC', 'CS', 'tsc', 'ac', 'fc', 'bc', 'sc', 'rc', 'sq', 'bq', 'hr', 'hs', 'r']);
  assert.deepEqual(nodes.find((n) => n.kind === 'var' && n.name === 'r'), { kind: 'var', name: 'r', flags: ['Q'] });
  assert.deepEqual(nodes[nodes.length - 1], { kind: 'text', text: ' %' });
  assert.equal(nodes.filter((n) => n.kind === 'sample').length, 1);
});
