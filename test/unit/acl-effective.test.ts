import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionModeOf, forwardForOf } from '../../daemon/http/acl/effective.js';
import { cfg, ok } from './acl-helpers.js';

async function sides(feLines: string[], beLines: string[]) {
  const c = await ok(cfg('frontend f', '    mode http', '    bind :80', ...feLines, '    default_backend b', 'backend b', '    mode http', ...beLines, '    server s1 127.0.0.1:80'));
  return { fe: c.frontends[0].http, be: c.backends[0].http };
}

test('option forwardfor: either side adds it; the backend header name wins; either except skips; if-none needs both', async () => {
  let s = await sides([], []);
  assert.equal(forwardForOf(s.fe, s.be, '10.0.0.1'), null);
  s = await sides(['    option forwardfor header X-Fe'], []);
  assert.deepEqual(forwardForOf(s.fe, s.be, '10.0.0.1'), { header: 'X-Fe', ifNone: false });
  s = await sides(['    option forwardfor header X-Fe if-none'], ['    option forwardfor header X-Be if-none']);
  assert.deepEqual(forwardForOf(s.fe, s.be, '10.0.0.1'), { header: 'X-Be', ifNone: true });
  s = await sides(['    option forwardfor if-none'], ['    option forwardfor']);
  assert.deepEqual(forwardForOf(s.fe, s.be, '10.0.0.1'), { header: 'X-Forwarded-For', ifNone: false });
  s = await sides(['    option forwardfor except 127.0.0.0/8'], ['    option forwardfor except 10.0.0.0/8']);
  assert.equal(forwardForOf(s.fe, s.be, '127.0.0.1'), null);
  assert.equal(forwardForOf(s.fe, s.be, '10.1.1.1'), null);
  assert.deepEqual(forwardForOf(s.fe, s.be, '192.0.2.1'), { header: 'X-Forwarded-For', ifNone: false });
});

test('connection mode: the more closing side wins', async () => {
  const mode = async (fe: string[], be: string[]) => {
    const s = await sides(fe, be);
    return connectionModeOf(s.fe, s.be);
  };
  assert.equal(await mode([], []), 'keep-alive');
  assert.equal(await mode(['    option http-server-close'], []), 'server-close');
  assert.equal(await mode([], ['    option httpclose']), 'close');
  assert.equal(await mode(['    option httpclose'], ['    option http-server-close']), 'close');
  assert.equal(await mode(['    option http-keep-alive'], ['    option http-server-close']), 'server-close');
});
