import type { HealthCheckConfig } from '../config/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import type { Probe, ProbeTarget, ProbeTimeouts, CancelToken } from './probe-types.js';
import { errnoText } from './probe-socket.js';
import { tcpProbe } from './probe-tcp.js';
import { httpProbe } from './probe-http.js';
import { tcpCheckProbe } from './probe-tcpcheck.js';

/** One probe per check type (`HealthCheckConfig.type`); adding a check kind is adding a row. */
export const PROBES: Readonly<Record<HealthCheckConfig['type'], Probe>> = Object.freeze({
  tcp: tcpProbe,
  http: httpProbe,
  'tcp-check': tcpCheckProbe,
});

/**
 * Runs one health check of the kind the backend configures, against `target` (the server's
 * address, or its `addr`/`port` check overrides, already chosen by the caller). Never rejects and
 * never throws: an unknown kind or an unexpected exception becomes a SOCKERR result.
 */
export const runProbe: Probe = (check: HealthCheckConfig, target: ProbeTarget, timeouts: ProbeTimeouts, cancel?: CancelToken): Promise<CheckResult> => {
  const probe = PROBES[check.type];
  if (probe === undefined) {
    return Promise.resolve({ status: 'SOCKERR', code: null, durationMs: 0, info: `unknown check type '${String(check.type)}'` });
  }
  try {
    // Probes resolve every outcome themselves (ProbeRun); only a synchronous throw is caught here.
    return probe(check, target, timeouts, cancel);
  } catch (e) {
    return Promise.resolve({ status: 'SOCKERR', code: null, durationMs: 0, info: errnoText(e) });
  }
};
