import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from '../helpers/lbd-process.js';
import { readPatternFile } from '../../daemon/http/acl/acl.js';
import { httpFrontend, load, messages, ok, view } from './acl-helpers.js';

const F = join(ROOT, 'test/fixtures/configs/http');

test("pattern files as HAProxy reads them: # comments, blank lines skipped, leading blanks removed, trailing ones kept, CR removed", () => {
  const r = readPatternFile(join(F, 'agents.lst'), false);
  assert.ok('patterns' in r);
  assert.deepEqual(
    r.patterns.map((p) => [p.text, p.where.line]),
    [
      ['curl', 1],
      ['#hash-prefixed', 2],
      ['Wget ', 3],
      ['bot', 4],
    ],
  );
  const missing = readPatternFile(join(F, 'nope.lst'), false);
  assert.deepEqual(missing, { error: `failed to open pattern file '${join(F, 'nope.lst')}' (no such file)` });
});

test('-f loads IP networks (IPv4, dotted masks, IPv6) and matches like inline patterns', async () => {
  const c = await ok(httpFrontend(`    acl blocked src -f ${F}/blocked-ips.lst`, '    http-request deny if blocked'));
  const cond = c.frontends[0].http!.requestRules[0].cond!;
  for (const [src, hit] of [['10.9.9.9', true], ['192.168.1.7', true], ['192.168.1.8', false], ['172.31.255.1', true], ['8.8.8.8', false], ['2001:db8::5', true], ['::ffff:10.1.1.1', true]] as const) {
    assert.equal(cond.test(view({ src })), hit, src);
  }
  assert.deepEqual(cond.alternatives[0][0].acl.tests[0].files, [`${F}/blocked-ips.lst`]);
  assert.equal(cond.alternatives[0][0].acl.tests[0].patterns.length, 4);
});

test('-i applies to the patterns and files after it, not before; several -f; inline patterns after files', async () => {
  const c = await ok(httpFrontend(`    acl ua hdr(user-agent) -m beg -f ${F}/agents.lst -i -f ${F}/agents-ci.lst python`, '    http-request deny if ua'));
  const cond = c.frontends[0].http!.requestRules[0].cond!;
  const ua = (s: string): boolean => cond.test(view({ headers: [['User-Agent', s]] }));
  assert.equal(ua('curl/8.0'), true);
  assert.equal(ua('CURL/8.0'), false, 'agents.lst was read before -i');
  assert.equal(ua('googlebot/2.1'), true, 'agents-ci.lst was read after -i');
  assert.equal(ua('Python-urllib'), true, 'the inline pattern follows -i');
  assert.equal(ua('Wget/1.0'), false, "'Wget ' keeps its trailing space");
  assert.equal(ua('Wget x'), true);
});

test('errors name the acl line and, for a bad pattern, the pattern file and its line', async () => {
  const r = await load(
    httpFrontend(
      `    acl a src -f ${F}/bad-ips.lst`,
      `    acl b path -f ${F}/missing.lst`,
      `    acl c path_reg -f ${F}/bad-regex.lst`,
      `    acl d path -f ${F}/agents.lst -m beg x`,
      '    acl e path -f',
    ),
  );
  assert.deepEqual(messages(r), [
    `lbd.cfg:4: 'acl a': pattern file '${F}/bad-ips.lst' line 3: '10.0.0.999' is not a valid IPv4 or IPv6 address`,
    `lbd.cfg:4: 'acl a': pattern file '${F}/bad-ips.lst' line 5: 'not-an-ip.example': host names are not supported in IP patterns by lbd (write the address)`,
    `lbd.cfg:5: 'acl b': failed to open pattern file '${F}/missing.lst' (no such file)`,
    `lbd.cfg:6: 'acl c': pattern file '${F}/bad-regex.lst' line 2: regex '(' is invalid (/(/: Unterminated group)`,
    "lbd.cfg:7: 'acl d': '-m' must be placed before '-f' (it also applies to the files' patterns)",
    "lbd.cfg:8: 'acl e': '-f' expects a file name",
  ]);
});
