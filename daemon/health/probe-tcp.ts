import type { HealthCheckConfig } from '../config/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import type { Probe, ProbeTarget, ProbeTimeouts, CancelToken } from './probe-types.js';
import { ProbeRun } from './probe-socket.js';

/**
 * The plain layer-4 check (a server with `check` and no `option httpchk`/`tcp-check`): the connection
 * is established → L4OK, refused → L4CON with the errno text (`Connection refused`), no answer to the
 * SYN before the connect deadline → L4TOUT. The connection is reset right away, as HAProxy does.
 */
class TcpConnectRun extends ProbeRun {
  constructor(
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
    // with check-ssl the connection is only established once the TLS handshake is done: HAProxy's L6OK
    this.finish(this.target.tls ? 'L6OK' : 'L4OK', null, '');
  }

  protected onInput(): void {}

  protected onEof(): void {}
}

/** Runs a layer-4 connect check. Never rejects. */
export const tcpProbe: Probe = (_check: HealthCheckConfig, target: ProbeTarget, timeouts: ProbeTimeouts, cancel?: CancelToken): Promise<CheckResult> =>
  new TcpConnectRun(target, timeouts, cancel).run();
