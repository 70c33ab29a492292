import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hdrKey, httpHashKey, uriKey, urlParamKey } from '../../daemon/http/acl/balance-key.js';
import { view } from './acl-helpers.js';

const uri = (url: string, o: Partial<{ whole: boolean; len: number; depth: number; pathOnly: boolean }> = {}): string =>
  uriKey(view({ url }), { whole: false, len: 0, depth: 0, pathOnly: false, ...o });

test('balance uri: the part before ?, or the whole URI; len and depth cut it; path-only drops scheme and authority', () => {
  assert.equal(uri('/a/b/c?x=1'), '/a/b/c');
  assert.equal(uri('/a/b/c?x=1', { whole: true }), '/a/b/c?x=1');
  assert.equal(uri('/a/b/c', { depth: 1 }), '/a');
  assert.equal(uri('/a/b/c', { depth: 2 }), '/a/b');
  assert.equal(uri('/a/b/c', { depth: 3 }), '/a/b/c');
  assert.equal(uri('/a/b/c', { depth: 9 }), '/a/b/c');
  assert.equal(uri('/abcdef', { len: 4 }), '/abc');
  assert.equal(uri('/a/b/c', { len: 3, depth: 2 }), '/a/', 'whichever limit comes first');
  assert.equal(uri('/a/b/c', { len: 5, depth: 1 }), '/a');
  assert.equal(uri('http://h.example/a/b?q'), 'http://h.example/a/b');
  assert.equal(uri('http://h.example/a/b?q', { depth: 1 }), 'http:/', 'an absolute URI counts the slashes of its scheme too');
  assert.equal(uri('http://h.example/a/b?q', { pathOnly: true }), '/a/b');
  assert.equal(uri('http://h.example/a/b?q', { pathOnly: true, whole: true }), '/a/b?q');
  assert.equal(uri('http://h.example', { pathOnly: true }), '');
  assert.equal(uri('/a?b/c', { depth: 2 }), '/a', 'the query string stops before any depth');
});

test('balance url_param: the value of the first name= parameter; no query string, no parameter or no = → null (round robin)', () => {
  assert.equal(urlParamKey(view({ url: '/p?user=alice&id=7' }), 'id'), '7');
  assert.equal(urlParamKey(view({ url: '/p?id=7&id=8' }), 'id'), '7');
  assert.equal(urlParamKey(view({ url: '/p?id=' }), 'id'), '');
  assert.equal(urlParamKey(view({ url: '/p?userid=1' }), 'id'), null);
  assert.equal(urlParamKey(view({ url: '/p?id' }), 'id'), null);
  assert.equal(urlParamKey(view({ url: '/p' }), 'id'), null);
  assert.equal(urlParamKey(view({ url: '/p?a=1;id=2' }), 'id'), null, 'only & separates parameters here, as in HAProxy');
});

test('balance hdr(name): the first value; absent or empty → null; use_domain_only keeps the label before the last dot', () => {
  const h = (value: string | null, dom = false, name = 'Host'): string | null => hdrKey(view({ headers: value === null ? [] : [['host', value]] }), name, dom);
  assert.equal(h('www.example.com'), 'www.example.com');
  assert.equal(h('a, b'), 'a');
  assert.equal(h(''), null);
  assert.equal(h(null), null);
  assert.equal(h('haproxy.1wt.eu', true), '1wt', "the manual's example");
  assert.equal(h('www.example.com:8080', true), 'example');
  assert.equal(h('example.com', true), 'example');
  assert.equal(h('localhost', true), 'localhost');
  assert.equal(h('.com', true), '.com');
});

test('httpHashKey dispatches on the configured key; no key → null', () => {
  const v = view({ url: '/a/b?id=3', headers: [['X-User', 'u1']] });
  assert.equal(httpHashKey({ kind: 'uri', whole: false, len: 0, depth: 1, pathOnly: false }, v), '/a');
  assert.equal(httpHashKey({ kind: 'url_param', name: 'id', checkPost: false }, v), '3');
  assert.equal(httpHashKey({ kind: 'hdr', name: 'X-User', useDomainOnly: false }, v), 'u1');
  assert.equal(httpHashKey(null, v), null);
  assert.equal(httpHashKey(undefined, v), null);
});
