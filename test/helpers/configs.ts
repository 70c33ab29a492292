/**
 * Build typed Config objects directly (no parser) for unit tests of the runtime and state machine.
 * Every field has HAProxy's default; tests override what they exercise.
 */
import type { BackendConfig, Config, FrontendConfig, HealthCheckConfig, ServerConfig, Timeouts } from '../../daemon/config/types.js';

const here = { file: 'test.cfg', line: 1 };

export const noTimeouts: Timeouts = {
  connect: null, client: null, server: null, check: null, queue: null, tunnel: null,
  clientFin: null, serverFin: null, httpRequest: null, httpKeepAlive: null,
};

export function serverConfig(name: string, o: Partial<ServerConfig> = {}): ServerConfig {
  return {
    name, id: 1, where: here, host: '127.0.0.1', address: '127.0.0.1', port: 1,
    check: false, inter: 2000, fastinter: 2000, downinter: 2000, rise: 2, fall: 3, weight: 1,
    disabled: false, backup: false, track: null, checkPort: null, checkAddr: null,
    maxconn: 0, maxqueue: 0, slowstart: 0, observe: null, errorLimit: 10, onError: 'fail-check',
    onMarkedDown: null, onMarkedUp: null, initAddr: ['last', 'libc'], sendProxy: 0, checkSendProxy: false,
    ...o,
  };
}

export const tcpCheck: HealthCheckConfig = {
  type: 'tcp',
  http: { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [], body: '' },
  expect: [], disableOn404: false, tcpCheck: [], logHealthChecks: false,
};

export function backendConfig(name: string, servers: ServerConfig[], o: Partial<BackendConfig> = {}): BackendConfig {
  return {
    name, id: 1, where: here, mode: 'tcp',
    balance: { algorithm: 'roundrobin', draws: 2, hashType: 'map-based' },
    timeouts: noTimeouts, retries: 3, redispatch: false, healthCheck: tcpCheck,
    servers: servers.map((s, i) => ({ ...s, id: i + 1 })), fromListen: false,
    ...o,
  };
}

export function frontendConfig(name: string, o: Partial<FrontendConfig> = {}): FrontendConfig {
  return {
    name, id: 1, where: here, mode: 'tcp', binds: [], maxconn: 0, defaultBackend: null,
    useBackends: [], timeouts: noTimeouts, disabled: false, fromListen: false,
    ...o,
  };
}

export function config(backends: BackendConfig[], frontends: FrontendConfig[] = []): Config {
  let id = 0;
  return {
    files: ['test.cfg'],
    global: { maxconn: 1000, statsSockets: [], statsTimeout: 10000, spreadChecks: 0, hardStopAfter: null, pidfile: null, logs: [], where: null },
    frontends: frontends.map((f) => ({ ...f, id: ++id })),
    backends: backends.map((b) => ({ ...b, id: ++id })),
    warnings: [],
  };
}

/**
 * The issue's TCP + track example: myApp (tcp) servers track monitoring (http checks) servers.
 * `check` options apply to the monitoring servers.
 */
export function trackExample(check: Partial<ServerConfig> = { inter: 1000, fastinter: 1000, downinter: 1000, rise: 2, fall: 2 }): Config {
  const names = ['server-1', 'server-2', 'server-3'];
  const monitoring = backendConfig('monitoring', names.map((n, i) => serverConfig(n, { port: 18001 + i, check: true, ...check })), { mode: 'http' });
  const myApp = backendConfig('myApp', names.map((n, i) => serverConfig(n, { port: 18001 + i, track: { backend: 'monitoring', server: n } })));
  return config([myApp, monitoring]);
}

/**
 * The issue's TCP + `track` config as lbd.cfg text: frontend myApp → backend myApp, whose servers track
 * monitoring/server-N, HTTP-checked on GET /readyz (fall 2, rise 2). What the end-to-end tests run.
 */
export function trackConfigText(o: { ports: readonly number[]; frontendPort: number; socket: string; level: 'user' | 'operator' | 'admin'; inter: string; disabled?: readonly number[] }): string {
  return `global
    stats socket ${o.socket} level ${o.level}
defaults
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    default-server inter ${o.inter} fall 2 rise 2
frontend myApp
    bind 127.0.0.1:${o.frontendPort}
    mode tcp
    default_backend myApp
backend myApp
    mode tcp
${o.ports.map((p, i) => `    server server-${i + 1} 127.0.0.1:${p} track monitoring/server-${i + 1}`).join('\n')}
backend monitoring
    mode http
    option httpchk GET /readyz
    http-check expect status 200
${o.ports.map((p, i) => `    server server-${i + 1} 127.0.0.1:${p} check${o.disabled?.includes(i + 1) ? ' disabled' : ''}`).join('\n')}
`;
}
