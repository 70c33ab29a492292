import type { HealthCheckConfig, HttpCheckRequest } from '../config/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import type { Probe, ProbeTarget, ProbeTimeouts, CancelToken } from './probe-types.js';
import { ProbeRun, errnoText } from './probe-socket.js';
import { compileHttpExpect, evaluateHttpExpect, type HttpExpectPlan } from './expect.js';
import { parseResponseHead, readBody, type ResponseHead } from './probe-http-response.js';

/**
 * `option httpchk`: connect, send the request bytes (built once per config), read the status line
 * and, when a rule needs it, the body; then apply the expect rules.
 *
 * Results, as HAProxy 2.6 reports them:
 *   answer passes the rules            → L7OK   code = status, info ''
 *   status rule fails                  → L7STS  code = status, info = reason phrase
 *   404 with `disable-on-404`          → L7OKC  code 404, info ''
 *   body rule fails                    → L7RSP  code = status, info `HTTP content check did not match` …
 *   not HTTP / unparsable              → L7RSP  info ''
 *   closed without a byte              → L7RSP  info `TCPCHK got an empty response at step 2`
 *   no complete answer before deadline → L7TOUT info ''
 *   refused / connect deadline         → L4CON (errno text) / L4TOUT
 *   reset before any answer            → SOCKERR (errno text)
 */

interface HttpPlan {
  readonly request: Buffer;
  readonly expect: HttpExpectPlan;
  readonly disableOn404: boolean;
  readonly headRequest: boolean;
}

const plans = new WeakMap<HealthCheckConfig, HttpPlan>();

/**
 * The bytes of the check request: `METHOD URI VERSION`, the configured headers in order,
 * `Connection: close` unless a Connection header was given, `Content-Length` when there is a body.
 * No Host header is invented: HAProxy only sends one when configured (`http-check send hdr Host …`
 * or the legacy `\r\nHost:\ …` suffix of `option httpchk`), which HTTP/1.1 servers may require.
 */
export function buildHttpCheckRequest(req: HttpCheckRequest): Buffer {
  const method = req.method || 'OPTIONS';
  const uri = req.uri || '/';
  const version = req.version || 'HTTP/1.0';
  let head = `${method} ${uri} ${version}\r\n`;
  let hasConnection = false;
  let hasLength = false;
  for (const [name, value] of req.headers) {
    const lower = name.toLowerCase();
    if (lower === 'connection') hasConnection = true;
    else if (lower === 'content-length') hasLength = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasConnection) head += 'Connection: close\r\n';
  const body = Buffer.from(req.body, 'utf8');
  if (body.length > 0 && !hasLength) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  const h = Buffer.from(head, 'utf8');
  return body.length > 0 ? Buffer.concat([h, body]) : h;
}

/** The request bytes and compiled rules of a check config, computed once per config object. */
export function httpPlan(check: HealthCheckConfig): HttpPlan {
  let plan = plans.get(check);
  if (plan === undefined) {
    plan = {
      request: buildHttpCheckRequest(check.http),
      expect: compileHttpExpect(check.expect),
      disableOn404: check.disableOn404,
      headRequest: (check.http.method || '').toUpperCase() === 'HEAD',
    };
    plans.set(check, plan);
  }
  return plan;
}

class HttpCheckRun extends ProbeRun {
  private head: ResponseHead | null = null;

  constructor(
    private readonly plan: HttpPlan,
    private readonly target: ProbeTarget,
    timeouts: ProbeTimeouts,
    cancel: CancelToken | undefined,
  ) {
    super(timeouts, cancel, target.sendProxy ?? 0, target.tls ?? null);
  }

  protected begin(): void {
    this.connect(this.target.host, this.target.port);
  }

  protected onConnected(): void {
    this.write(this.plan.request);
  }

  protected onInput(): void {
    this.evaluate();
  }

  protected onEof(): void {
    this.evaluate();
  }

  protected override onIoError(err: unknown): void {
    // As HAProxy: a network error is reported only when nothing was received; otherwise the
    // answer so far is judged (an RST right after the last bytes is common).
    if (this.input === null) {
      this.finish('SOCKERR', null, errnoText(err));
      return;
    }
    this.eof = true;
    this.evaluate();
  }

  protected override onReadTimeout(): void {
    this.finish('L7TOUT', this.head?.status ?? null, '');
  }

  private evaluate(): void {
    const buf = this.input;
    const last = this.eof || this.inputFull;
    if (buf === null) {
      if (this.eof) this.finish('L7RSP', null, 'TCPCHK got an empty response at step 2');
      return;
    }
    let head = this.head;
    if (head === null) {
      const parsed = parseResponseHead(buf, this.plan.expect.needsBody, this.plan.headRequest);
      if (parsed === 'invalid' || (parsed === 'incomplete' && last)) {
        this.finish('L7RSP', null, '');
        return;
      }
      if (parsed === 'incomplete') return;
      head = this.head = parsed;
      if (this.plan.disableOn404 && head.status === 404) {
        this.finish('L7OKC', 404, '');
        return;
      }
    }
    let body: Buffer | null = null;
    let lastRead = last;
    if (this.plan.expect.needsBody) {
      const read = readBody(buf, head);
      if (read === 'invalid') {
        this.finish('L7RSP', head.status, '');
        return;
      }
      body = read.body;
      lastRead ||= read.complete;
    }
    const v = evaluateHttpExpect(this.plan.expect, { status: head.status, reason: head.reason, body, lastRead });
    if (v.kind === 'pass') this.finish('L7OK', head.status, '');
    else if (v.kind === 'fail') this.finish(v.status, head.status, v.info);
  }
}

/** Runs an `option httpchk` probe. Never rejects. */
export const httpProbe: Probe = (check: HealthCheckConfig, target: ProbeTarget, timeouts: ProbeTimeouts, cancel?: CancelToken): Promise<CheckResult> =>
  new HttpCheckRun(httpPlan(check), target, timeouts, cancel).run();
