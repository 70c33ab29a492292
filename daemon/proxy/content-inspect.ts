/**
 * `tcp-request inspect-delay` + `tcp-request content` rules: before a tcp session picks a backend, read the
 * client's first bytes (a TLS ClientHello for SNI routing) and run the rules on them, HAProxy's way
 * (`tcp_inspect_request` in src/tcp_rules.c): rules are evaluated in order each time data arrives; a
 * rule whose condition may still change with more data makes the whole evaluation wait, until the delay
 * expires, the buffer is full or the client closes, when the last evaluation is final (a miss is a
 * no-match). `accept` stops the rules; `reject` closes; no rule matching accepts.
 * Only frontends with content rules come here; the data path of the others is untouched.
 */
import type { Conn, ConnHandler, Endpoints } from './conn.js';
import { NO_HANDLER } from './conn.js';
import type { TcpContentRule } from '../config/types.js';
import { connectionView, evaluatePartial, type ContentSample, type RequestView } from '../http/acl/index.js';

/** How inspection ended: accepted (route with `view`), rejected by a rule, or the client went away (`closed`). */
export type InspectVerdict = 'accept' | 'reject' | 'closed';

/** Called once; for `accept`, `view` holds the final content sample and `conn.early` the bytes read. */
export type InspectDone = (verdict: InspectVerdict, view: RequestView | null, reason: string) => void;

/** Run content rules on a sample: 'accept', 'reject', or null when a rule must wait for more data. */
export function runContentRules(rules: readonly TcpContentRule[], view: RequestView): 'accept' | 'reject' | null {
  for (const r of rules) {
    const hit = evaluatePartial(r.cond, view);
    if (hit === null) return null;
    if (hit) return r.action;
  }
  return 'accept';
}

const EMPTY = Buffer.alloc(0);

/**
 * Buffers a connection's first bytes (at most `limit`, HAProxy's tune.bufsize; one read may overshoot it,
 * and every byte read is kept to be forwarded) and runs `rules` as they arrive, waiting at most `delayMs`
 * (null: no wait, the rules see what was read with a PROXY header, usually nothing). Then the connection
 * is paused with NO_HANDLER and `done` is called.
 */
export class ContentInspector implements ConnHandler {
  private buf: Buffer;
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  /** The client sent FIN while being inspected. */
  private ended = false;

  constructor(
    readonly conn: Conn,
    private readonly endpoints: Endpoints,
    private readonly rules: readonly TcpContentRule[],
    delayMs: number | null,
    private readonly limit: number,
    private readonly done: InspectDone,
  ) {
    // bytes that came with a PROXY header (`accept-proxy`) are the start of the content
    this.buf = conn.early ?? EMPTY;
    conn.early = null;
    if (delayMs === null) {
      this.decide(true);
      return;
    }
    if (this.decide(this.buf.length >= limit)) return;
    conn.handler = this;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.decide(true);
    }, delayMs);
    conn.readStart();
  }

  onData(chunk: Buffer): void {
    if (this.finished) return;
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    this.decide(this.buf.length >= this.limit);
  }

  /** The client half-closed: a last, final evaluation (as HAProxy on a shut read side); the FIN follows the data. */
  onEnd(): void {
    if (this.finished) return;
    this.ended = true;
    this.decide(true);
  }

  onError(code: string): void {
    this.finish('closed', null, `${code} during tcp-request inspection`);
  }

  onDrain(): void {}

  /** Process stopping: give up now. */
  kill(reason: string): void {
    this.finish('closed', null, reason);
  }

  private view(final: boolean): RequestView {
    const content: ContentSample = { data: this.buf.length > this.limit ? this.buf.subarray(0, this.limit) : this.buf, final };
    const e = this.endpoints;
    return connectionView(e.src, e.srcPort, e.dst, e.dstPort, content, this.conn.tls);
  }

  /** Evaluate the rules; true when they decided (and the inspection is over). */
  private decide(final: boolean): boolean {
    if (this.finished) return true;
    const view = this.view(final);
    const verdict = runContentRules(this.rules, view);
    // wait for more data (a final sample never misses: its fetches cannot change any more)
    if (verdict === null) return false;
    if (verdict === 'reject') this.finish('reject', null, 'rejected by a tcp-request content rule');
    else {
      // use_backend conditions are evaluated on the final state of the buffer, as HAProxy's switching rules
      this.finish('accept', this.view(true), 'accepted');
    }
    return true;
  }

  private finish(verdict: InspectVerdict, view: RequestView | null, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (verdict === 'accept' && this.buf.length > 0) this.conn.early = this.buf;
    if (verdict === 'accept' && this.ended) this.conn.earlyEnd = true;
    this.buf = EMPTY;
    if (!this.conn.closed) this.conn.readStop();
    this.conn.handler = NO_HANDLER;
    this.done(verdict, view, reason);
  }
}
