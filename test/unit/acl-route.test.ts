import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionView, selectBackend, staticBackend } from '../../daemon/http/acl/route.js';
import { cfg, ok, view } from './acl-helpers.js';

const backends = ['a', 'b', 'c'].flatMap((n) => [`backend ${n}`, '    server s1 127.0.0.1:80']);

test('selectBackend: the first rule whose condition holds, else default_backend; staticBackend when it never varies', async () => {
  const c = await ok(cfg('frontend f', '    bind :80', '    use_backend a if { src 10.0.0.0/8 }', '    use_backend b if { dst_port 8443 }', '    default_backend c', ...backends));
  const fe = c.frontends[0];
  assert.equal(selectBackend(fe, connectionView('10.1.1.1', 5000, '127.0.0.1', 80)), 'a');
  assert.equal(selectBackend(fe, connectionView('::ffff:192.0.2.1', 5000, '127.0.0.1', 8443)), 'b');
  assert.equal(selectBackend(fe, connectionView('192.0.2.1', 5000, '127.0.0.1', 80)), 'c');
  assert.equal(staticBackend(fe), undefined);
  const s = await ok(cfg('frontend f', '    bind :80', '    use_backend b', '    use_backend a if { src 10.0.0.0/8 }', '    default_backend c', ...backends));
  assert.equal(staticBackend(s.frontends[0]), 'b', 'an unconditional rule first: always b');
  assert.equal(selectBackend(s.frontends[0], view({ src: '10.0.0.1' })), 'b');
  const d = await ok(cfg('frontend f', '    bind :80', '    default_backend c', ...backends));
  assert.equal(staticBackend(d.frontends[0]), 'c');
  const n = await ok(cfg('frontend f', '    bind :80', ...backends));
  assert.equal(staticBackend(n.frontends[0]), null);
});

test('connectionView: HTTP fetches find nothing on a plain connection', async () => {
  const c = await ok(cfg('frontend f', '    mode http', '    bind :80', '    use_backend a if { hdr(host) -m found } || { path -m found }', '    default_backend b', 'backend a', '    mode http', '    server s1 127.0.0.1:80', 'backend b', '    mode http', '    server s1 127.0.0.1:81'));
  assert.equal(selectBackend(c.frontends[0], connectionView('10.0.0.1', 1, '127.0.0.1', 80)), 'b');
});
