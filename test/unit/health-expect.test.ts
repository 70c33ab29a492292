import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpCheckExpect, TcpCheckStep } from '../../daemon/config/types.js';
import {
  PASS,
  WAIT,
  compileHttpExpect,
  compileTcpExpect,
  dumpBinary,
  evaluateHttpExpect,
  evaluateTcpExpect,
  parseStatusPattern,
  resolve404WhileDown,
  tcpStepText,
  type HttpAnswer,
} from '../../daemon/health/expect.js';
import { buildHttpCheckRequest } from '../../daemon/health/probe-http.js';
import { parseResponseHead, readBody, type ResponseHead } from '../../daemon/health/probe-http-response.js';

const where = { file: 'test.cfg', line: 1 };

function rule(match: HttpCheckExpect['match'], pattern: string, negate = false): HttpCheckExpect {
  return { negate, match, pattern, where };
}

function answer(status: number, reason = '', body: string | null = null, lastRead = true): HttpAnswer {
  return { status, reason, body: body === null ? null : Buffer.from(body), lastRead };
}

function tcpExpect(match: 'string' | 'rstring' | 'binary', pattern: string, negate = false): Extract<TcpCheckStep, { kind: 'expect' }> {
  return { kind: 'expect', negate, match, pattern, where };
}

describe('parseStatusPattern', () => {
  it('reads single codes, ranges and lists', () => {
    assert.deepEqual(parseStatusPattern('200'), [[200, 200]]);
    assert.deepEqual(parseStatusPattern('200-399'), [[200, 399]]);
    assert.deepEqual(parseStatusPattern('200,204,300-399'), [
      [200, 200],
      [204, 204],
      [300, 399],
    ]);
  });
  it('rejects what is not a status pattern', () => {
    for (const bad of ['', 'abc', '2xx', '399-200', '200-', ',200', '99', '1000', '200;204']) {
      assert.equal(parseStatusPattern(bad), null, bad);
    }
  });
});

describe('http-check expect', () => {
  it('without rules passes 2xx and 3xx and fails the rest with L7STS and the reason phrase', () => {
    const plan = compileHttpExpect([]);
    assert.equal(plan.needsBody, false);
    for (const s of [200, 204, 299, 301, 399]) assert.equal(evaluateHttpExpect(plan, answer(s)), PASS, String(s));
    assert.deepEqual(evaluateHttpExpect(plan, answer(503, 'Service Unavailable')), { kind: 'fail', status: 'L7STS', info: 'Service Unavailable' });
    assert.deepEqual(evaluateHttpExpect(plan, answer(404, 'Not Found')), { kind: 'fail', status: 'L7STS', info: 'Not Found' });
    assert.deepEqual(evaluateHttpExpect(plan, answer(101, '')), { kind: 'fail', status: 'L7STS', info: '' });
    assert.deepEqual(evaluateHttpExpect(plan, answer(400, 'Bad Request')), { kind: 'fail', status: 'L7STS', info: 'Bad Request' });
  });

  it('status: exact code, range, list', () => {
    const exact = compileHttpExpect([rule('status', '200')]);
    assert.equal(evaluateHttpExpect(exact, answer(200)), PASS);
    assert.equal(evaluateHttpExpect(exact, answer(204, 'No Content')).kind, 'fail');
    const list = compileHttpExpect([rule('status', '200,204,300-399')]);
    for (const s of [200, 204, 300, 350, 399]) assert.equal(evaluateHttpExpect(list, answer(s)), PASS, String(s));
    for (const s of [201, 299, 400, 503]) assert.equal(evaluateHttpExpect(list, answer(s)).kind, 'fail', String(s));
  });

  it('! status inverts', () => {
    const plan = compileHttpExpect([rule('status', '500-599', true)]);
    assert.equal(evaluateHttpExpect(plan, answer(404)), PASS);
    assert.deepEqual(evaluateHttpExpect(plan, answer(502, 'Bad Gateway')), { kind: 'fail', status: 'L7STS', info: 'Bad Gateway' });
  });

  it('rstatus matches a regex on the status code', () => {
    const plan = compileHttpExpect([rule('rstatus', '^2[0-9]{2}$')]);
    assert.equal(evaluateHttpExpect(plan, answer(201)), PASS);
    assert.deepEqual(evaluateHttpExpect(plan, answer(302, 'Found')), { kind: 'fail', status: 'L7STS', info: 'Found' });
    const neg = compileHttpExpect([rule('rstatus', '^5', true)]);
    assert.equal(evaluateHttpExpect(neg, answer(200)), PASS);
    assert.equal(evaluateHttpExpect(neg, answer(500, 'Internal Server Error')).kind, 'fail');
  });

  it('string looks in the body; a mismatch waits for the last read, then fails with L7RSP', () => {
    const plan = compileHttpExpect([rule('string', 'ready')]);
    assert.equal(plan.needsBody, true);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'all ready now', false)), PASS);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'rea', false)), WAIT);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'not yet', false)), WAIT);
    assert.deepEqual(evaluateHttpExpect(plan, answer(200, 'OK', 'not yet', true)), {
      kind: 'fail',
      status: 'L7RSP',
      info: 'HTTP content check did not match',
    });
    // The status does not matter to a body rule (only to status rules).
    assert.equal(evaluateHttpExpect(plan, answer(503, 'Service Unavailable', 'ready')), PASS);
  });

  it('an empty body fails a body rule on the last read', () => {
    const plan = compileHttpExpect([rule('string', 'ok')]);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', '', false)), WAIT);
    assert.deepEqual(evaluateHttpExpect(plan, answer(200, 'OK', '', true)), {
      kind: 'fail',
      status: 'L7RSP',
      info: 'HTTP content check could not find a response body',
    });
  });

  it('! string fails as soon as the content is seen, passes on the last read without it', () => {
    const plan = compileHttpExpect([rule('string', 'maintenance', true)]);
    assert.deepEqual(evaluateHttpExpect(plan, answer(200, 'OK', 'in maintenance', false)), {
      kind: 'fail',
      status: 'L7RSP',
      info: 'HTTP check matched unwanted content',
    });
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'fine', false)), WAIT);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'fine', true)), PASS);
  });

  it('rstring matches a regex on the body', () => {
    const plan = compileHttpExpect([rule('rstring', '"status":\\s*"(up|ok)"')]);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', '{"status": "up"}')), PASS);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', '{"status": "down"}')).kind, 'fail');
  });

  it('rules apply in order and all must pass', () => {
    const plan = compileHttpExpect([rule('status', '200'), rule('string', 'ok')]);
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'ok')), PASS);
    assert.deepEqual(evaluateHttpExpect(plan, answer(503, 'Service Unavailable', 'ok')), { kind: 'fail', status: 'L7STS', info: 'Service Unavailable' });
    assert.equal(evaluateHttpExpect(plan, answer(200, 'OK', 'nope')).kind, 'fail');
  });

  it('an invalid pattern fails the check instead of throwing', () => {
    const bad = compileHttpExpect([rule('rstring', '(')]);
    const v = evaluateHttpExpect(bad, answer(200, 'OK', 'x'));
    assert.equal(v.kind, 'fail');
    assert.match((v as { info: string }).info, /^invalid regex '\('/);
    assert.equal(evaluateHttpExpect(compileHttpExpect([rule('status', 'abc')]), answer(200)).kind, 'fail');
  });

  it('resolve404WhileDown applies the rules to a 404, as HAProxy does for a DOWN server', () => {
    assert.deepEqual(resolve404WhileDown(compileHttpExpect([])), { kind: 'fail', status: 'L7STS', info: 'Not Found' });
    assert.equal(resolve404WhileDown(compileHttpExpect([rule('status', '200,404')])), PASS);
  });
});

describe('tcp-check expect', () => {
  it('string: passes on a match, waits on a short or mismatching read, fails on the last read', () => {
    const r = compileTcpExpect(tcpExpect('string', '+PONG'), 2);
    assert.equal(evaluateTcpExpect(r, Buffer.from('+PONG\r\n'), false), PASS);
    assert.equal(evaluateTcpExpect(r, Buffer.from('+PO'), false), WAIT);
    assert.equal(evaluateTcpExpect(r, Buffer.from('-ERR unknown\r\n'), false), WAIT);
    assert.deepEqual(evaluateTcpExpect(r, Buffer.from('-ERR unknown\r\n'), true), {
      kind: 'fail',
      status: 'L7RSP',
      info: "TCPCHK did not match content '+PONG' at step 2",
    });
  });

  it('! string fails on the unwanted content with HAProxy\'s text', () => {
    const r = compileTcpExpect(tcpExpect('string', 'ERR', true), 3);
    assert.deepEqual(evaluateTcpExpect(r, Buffer.from('-ERR\r\n'), false), {
      kind: 'fail',
      status: 'L7RSP',
      info: "TCPCHK matched unwanted content 'ERR' at step 3",
    });
    assert.equal(evaluateTcpExpect(r, Buffer.from('+OK\r\n'), true), PASS);
  });

  it('rstring and binary', () => {
    const re = compileTcpExpect(tcpExpect('rstring', '^\\+OK'), 1);
    assert.equal(evaluateTcpExpect(re, Buffer.from('+OK ready'), false), PASS);
    assert.deepEqual(evaluateTcpExpect(re, Buffer.from('nope'), true), { kind: 'fail', status: 'L7RSP', info: 'TCPCHK did not match content (regex) at step 1' });
    const bin = compileTcpExpect(tcpExpect('binary', '0d0a'), 4);
    assert.equal(evaluateTcpExpect(bin, Buffer.from('x\r\ny'), false), PASS);
    assert.deepEqual(evaluateTcpExpect(bin, Buffer.from('xy'), true), { kind: 'fail', status: 'L7RSP', info: 'TCPCHK did not match content (binary) at step 4' });
    const badHex = compileTcpExpect(tcpExpect('binary', 'zz'), 1);
    assert.equal(evaluateTcpExpect(badHex, Buffer.from('zz'), true).kind, 'fail');
  });

  it('tcpStepText says where a tcp-check stopped, like chk_report_conn_err()', () => {
    assert.equal(tcpStepText(0, null), ' at initial connection step of tcp-check');
    assert.equal(tcpStepText(1, { kind: 'connect', port: 6379, where }), ' at step 1 of tcp-check (connect port 6379)');
    assert.equal(tcpStepText(1, { kind: 'connect', port: null, where }), ' at step 1 of tcp-check (connect)');
    assert.equal(tcpStepText(2, { kind: 'send', data: 'PING\r\n', where }), ' at step 2 of tcp-check (send)');
    assert.equal(tcpStepText(3, tcpExpect('string', '+PONG')), " at step 3 of tcp-check (expect string '+PONG')");
    assert.equal(tcpStepText(3, tcpExpect('rstring', 'x')), ' at step 3 of tcp-check (expect regex)');
    assert.equal(tcpStepText(3, tcpExpect('binary', '410d0a')), " at step 3 of tcp-check (expect binary 'A\\r\\n')");
  });

  it('dumpBinary escapes like HAProxy', () => {
    assert.equal(dumpBinary(Buffer.from([0x41, 0x09, 0x0a, 0x0d, 0x1b, 0x5c, 0x00, 0xff])), 'A\\t\\n\\r\\e\\\\\\x00\\xff');
  });
});

describe('HTTP check request bytes', () => {
  it('adds Connection: close and no Host unless configured', () => {
    const b = buildHttpCheckRequest({ method: 'GET', uri: '/readyz', version: 'HTTP/1.0', headers: [], body: '' });
    assert.equal(b.toString(), 'GET /readyz HTTP/1.0\r\nConnection: close\r\n\r\n');
  });
  it('keeps configured headers in order, does not duplicate Connection, adds Content-Length for a body', () => {
    const b = buildHttpCheckRequest({
      method: 'POST',
      uri: '/check',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'www.example.com'],
        ['connection', 'keep-alive'],
      ],
      body: 'héllo',
    });
    assert.equal(b.toString(), 'POST /check HTTP/1.1\r\nHost: www.example.com\r\nconnection: keep-alive\r\nContent-Length: 6\r\n\r\nhéllo');
  });
  it("uses HAProxy's defaults for empty fields (OPTIONS / HTTP/1.0)", () => {
    const b = buildHttpCheckRequest({ method: '', uri: '', version: '', headers: [], body: '' });
    assert.equal(b.toString(), 'OPTIONS / HTTP/1.0\r\nConnection: close\r\n\r\n');
  });
});

describe('HTTP response head and body', () => {
  const head = (s: string, framing = true): ReturnType<typeof parseResponseHead> => parseResponseHead(Buffer.from(s), framing);

  it('reads status and reason, CRLF or bare LF', () => {
    assert.deepEqual(head('HTTP/1.1 503 Service Unavailable\r\n\r\n', false), { status: 503, reason: 'Service Unavailable', bodyStart: 36, framing: 'none', contentLength: 0 });
    const h = head('HTTP/1.0 200 OK\nServer: x\n\nbody', false) as ResponseHead;
    assert.equal(h.status, 200);
    assert.equal(h.reason, 'OK');
    assert.equal(h.bodyStart, 27);
    assert.equal((head('HTTP/1.1 204\r\n\r\n') as ResponseHead).reason, '');
  });

  it('is incomplete until the blank line, and rejects garbage at once', () => {
    assert.equal(head('HTTP/1.1 200 OK\r\nContent-Le'), 'incomplete');
    assert.equal(head('HTT'), 'incomplete');
    assert.equal(head('garbage'), 'invalid');
    assert.equal(head('HTTX'), 'invalid');
    assert.equal(head('HTTP/1.1 2x0 OK\r\n\r\n'), 'invalid');
    assert.equal(head('HTTP/1.1 200OK\r\n\r\n'), 'invalid');
    assert.equal(head('HTTP/1 200 OK\r\n\r\n'), 'invalid');
  });

  it('skips interim 1xx answers', () => {
    const h = head('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok') as ResponseHead;
    assert.equal(h.status, 200);
    assert.equal(h.framing, 'length');
    assert.equal(head('HTTP/1.1 100 Continue\r\n\r\n'), 'incomplete');
  });

  it('reads Content-Length bodies', () => {
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel');
    const h = parseResponseHead(buf, true) as ResponseHead;
    assert.deepEqual(readBody(buf, h), { body: Buffer.from('hel'), complete: false });
    const full = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloEXTRA');
    assert.deepEqual(readBody(full, parseResponseHead(full, true) as ResponseHead), { body: Buffer.from('hello'), complete: true });
    assert.equal(head('HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n'), 'invalid');
  });

  it('de-chunks chunked bodies and knows when they end', () => {
    const parts = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n';
    const buf = Buffer.from(parts);
    const h = parseResponseHead(buf, true) as ResponseHead;
    assert.equal(h.framing, 'chunked');
    assert.deepEqual(readBody(buf, h), { body: Buffer.from('hello world'), complete: true });
    const partial = Buffer.from(parts.slice(0, parts.indexOf(' world') + 3));
    assert.deepEqual(readBody(partial, h), { body: Buffer.from('hello wo'), complete: false });
    const broken = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    assert.equal(readBody(broken, parseResponseHead(broken, true) as ResponseHead), 'invalid');
  });

  it('has no body for 204, 304 and HEAD; runs to the close otherwise', () => {
    assert.equal((head('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n') as ResponseHead).framing, 'none');
    assert.equal((head('HTTP/1.1 304 Not Modified\r\n\r\n') as ResponseHead).framing, 'none');
    assert.equal((parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), true, true) as ResponseHead).framing, 'none');
    const buf = Buffer.from('HTTP/1.0 200 OK\r\n\r\nuntil close');
    const h = parseResponseHead(buf, true) as ResponseHead;
    assert.equal(h.framing, 'close');
    assert.deepEqual(readBody(buf, h), { body: Buffer.from('until close'), complete: false });
  });
});
