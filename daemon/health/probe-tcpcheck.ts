import type { HealthCheckConfig, TcpCheckStep } from '../config/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import type { Probe, ProbeTarget, ProbeTimeouts, CancelToken } from './probe-types.js';
import { ProbeRun, errnoText } from './probe-socket.js';
import { compileTcpExpect, evaluateTcpExpect, tcpStepText, type TcpExpectRule } from './expect.js';

/**
 * `option tcp-check`: run the `tcp-check` steps in order on one connection (a `connect` step opens a
 * new one). As in HAProxy 2.6: when the first step is not a `connect`, an implicit connect (step 0)
 * comes first; every send forgets what was received before it; an expect waits for data, decides
 * early on a match and only on the last read (peer closed, buffer full) on a mismatch.
 *
 * Results:
 *   all steps passed, last one an expect or send → L7OK  info `(tcp-check)`
 *   all steps passed, last one an explicit connect → L4OK info `(tcp-check)`; no steps at all → L4OK ''
 *   expect mismatch → L7RSP `TCPCHK did not match content '<s>' at step N` (or `matched unwanted content`)
 *   closed before any byte at an expect → L7RSP `TCPCHK got an empty response at step N`
 *   deadline while waiting → L7TOUT ` at step N of tcp-check (expect string '<s>')`
 *   refused / connect deadline → L4CON `Connection refused at initial connection step of tcp-check` / L4TOUT
 */

type CompiledStep =
  | { readonly kind: 'connect'; readonly port: number | null; readonly src: TcpCheckStep }
  | { readonly kind: 'send'; readonly bytes: Buffer; readonly src: TcpCheckStep }
  | { readonly kind: 'expect'; readonly rule: TcpExpectRule; readonly src: TcpCheckStep };

const compiled = new WeakMap<HealthCheckConfig, readonly CompiledStep[]>();

function compileSteps(check: HealthCheckConfig): readonly CompiledStep[] {
  let steps = compiled.get(check);
  if (steps !== undefined) return steps;
  steps = check.tcpCheck.map((s, i): CompiledStep => {
    switch (s.kind) {
      case 'connect':
        return { kind: 'connect', port: s.port, src: s };
      case 'send':
        return { kind: 'send', bytes: Buffer.from(s.data, 'utf8'), src: s };
      case 'send-binary':
        return { kind: 'send', bytes: Buffer.from(s.hex, 'hex'), src: s };
      case 'expect':
        return { kind: 'expect', rule: compileTcpExpect(s, i + 1), src: s };
    }
  });
  compiled.set(check, steps);
  return steps;
}

class TcpCheckRun extends ProbeRun {
  /** Index of the step in progress (-1 = the implicit first connect). */
  private current = -1;
  /** Index of the next step to run. */
  private next = 0;
  /** What the step in progress waits for. */
  private waiting: 'connect' | 'expect' | null = null;

  constructor(
    private readonly steps: readonly CompiledStep[],
    private readonly target: ProbeTarget,
    timeouts: ProbeTimeouts,
    cancel: CancelToken | undefined,
  ) {
    super(timeouts, cancel, target.sendProxy ?? 0, target.tls ?? null);
    this.noDelay = true;
  }

  protected begin(): void {
    if (this.steps.length === 0 || this.steps[0]!.kind !== 'connect') {
      this.current = -1;
      this.waiting = 'connect';
      this.connect(this.target.host, this.target.port);
      return;
    }
    this.advance();
  }

  protected onConnected(): void {
    this.waiting = null;
    this.next = this.current + 1;
    this.advance();
  }

  protected onInput(): void {
    if (this.waiting === 'expect') this.advance();
  }

  protected onEof(): void {
    if (this.waiting === 'expect') this.advance();
  }

  protected override onConnectError(err: unknown): void {
    this.finish('L4CON', null, errnoText(err) + this.where());
  }

  protected override onIoError(err: unknown): void {
    // Judge what was received first (an RST right after the answer is common), as HAProxy does.
    if (this.waiting === 'expect' && this.input !== null) {
      this.eof = true;
      this.advance();
      if (this.connecting()) return; // a later connect step opened a new connection
    }
    this.finish('SOCKERR', null, errnoText(err) + this.where());
  }

  protected override onConnectTimeout(): void {
    this.finish('L4TOUT', null, this.where());
  }

  protected override onReadTimeout(): void {
    this.finish('L7TOUT', null, this.where());
  }

  private connecting(): boolean {
    return this.waiting === 'connect';
  }

  /** HAProxy's ` at step N of tcp-check (…)` suffix for the step in progress. */
  private where(): string {
    return this.current < 0 ? tcpStepText(0, null) : tcpStepText(this.current + 1, this.steps[this.current]!.src);
  }

  /** Runs steps from `next` until one has to wait (a connect, an undecided expect) or all are done. */
  private advance(): void {
    this.waiting = null;
    while (this.next < this.steps.length) {
      if (this.finished) return;
      const i = this.next;
      const step = this.steps[i]!;
      this.current = i;
      if (step.kind === 'connect') {
        this.waiting = 'connect';
        this.connect(this.target.host, step.port ?? this.target.port);
        return;
      }
      if (step.kind === 'send') {
        this.resetInput();
        this.write(step.bytes);
        this.next = i + 1;
        continue;
      }
      const data = this.input;
      const lastRead = this.eof || this.inputFull;
      if (data === null) {
        if (lastRead) this.finish('L7RSP', null, `TCPCHK got an empty response at step ${i + 1}`);
        else this.waiting = 'expect';
        return;
      }
      const v = evaluateTcpExpect(step.rule, data, lastRead);
      if (v.kind === 'wait') {
        this.waiting = 'expect';
        return;
      }
      if (v.kind === 'fail') {
        this.finish(v.status, null, v.info);
        return;
      }
      this.next = i + 1;
    }
    this.succeed();
  }

  private succeed(): void {
    if (this.current < 0) {
      this.finish('L4OK', null, '');
      return;
    }
    const last = this.steps[this.current]!;
    this.finish(last.kind === 'connect' ? 'L4OK' : 'L7OK', null, '(tcp-check)');
  }
}

/** Runs an `option tcp-check` probe. Never rejects. */
export const tcpCheckProbe: Probe = (check: HealthCheckConfig, target: ProbeTarget, timeouts: ProbeTimeouts, cancel?: CancelToken): Promise<CheckResult> =>
  new TcpCheckRun(compileSteps(check), target, timeouts, cancel).run();
