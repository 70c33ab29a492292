/**
 * The one read view of a running lbd (design principle 5). `Runtime.snapshot()` produces it as a plain,
 * serialisable object; `show stat`, the WebSocket protocol, Prometheus output, `lbctl status`, top and
 * dash are all views of it and derive nothing on their own. Times are epoch milliseconds, durations ms,
 * rates per second over the last second.
 */
import type { CheckStatusCode } from './check-status.js';

/** Operational state from checks or track: HAProxy's SRV_ST_STOPPED/RUNNING/STOPPING. */
export type OpState = 'up' | 'down' | 'stopping';

/**
 * Admin state flags, HAProxy's SRV_ADMF_* bits (the value `show servers state` prints as srv_admin_state).
 * F = forced by an operator, I = inherited through track, C = from the config (`disabled`),
 * R = address resolution failed, H = HMAINT (`set server … state maint` via health, unused).
 */
export const ADMIN = Object.freeze({
  FMAINT: 0x01,
  IMAINT: 0x02,
  CMAINT: 0x04,
  FDRAIN: 0x08,
  IDRAIN: 0x10,
  RMAINT: 0x20,
  HMAINT: 0x40,
  MAINT: 0x01 | 0x02 | 0x04 | 0x20 | 0x40,
  DRAIN: 0x08 | 0x10,
});

export interface SessionCounters {
  /** Current sessions (scur). */
  cur: number;
  /** Highest cur seen (smax). */
  max: number;
  /** Cumulated sessions (stot). */
  total: number;
  /** Sessions per second over the last second (rate), and the highest seen (rate_max). */
  rate: number;
  rateMax: number;
  /** Bytes from clients (bin) and to clients (bout). */
  bytesIn: number;
  bytesOut: number;
  /** Client-side and server-side aborts (cli_abrt, srv_abrt). */
  cliAborts: number;
  srvAborts: number;
  /** HTTP mode (absent in snapshots of older daemons): requests (req_tot), their rate (req_rate, req_rate_max). */
  httpReqs?: number;
  reqRate?: number;
  reqRateMax?: number;
  /** Responses by class: hrsp_1xx … hrsp_5xx, hrsp_other. */
  hrsp1xx?: number;
  hrsp2xx?: number;
  hrsp3xx?: number;
  hrsp4xx?: number;
  hrsp5xx?: number;
  hrspOther?: number;
  /** Requests answered by lbd itself (intercepted: redirect, return, auth, monitor-uri), denied responses (dresp), failed rewrites (wrew). */
  intercepted?: number;
  deniedResp?: number;
  /** Server connections reused (reuse) and opened (connect) for HTTP requests. */
  reuse?: number;
  connects?: number;
  /** Average and highest time to the response head (rtime, rtime_max), ms. */
  responseTimeAvg?: number;
  responseTimeMax?: number;
  /** Invalid requests (ereq), and exceptions caught on the data path (eint), in HTTP mode. */
  reqErrors?: number;
  internalErrors?: number;
  /** Latency percentiles of the last requests (request head to response end), ms: for the console. */
  latencyP50?: number;
  latencyP99?: number;
}

export interface ServerCounters extends SessionCounters {
  /** Queue: current and highest (qcur, qmax). */
  queueCur: number;
  queueMax: number;
  /** Connection errors (econ), response errors (eresp), retries (wretr), redispatches (wredis). */
  connectErrors: number;
  responseErrors: number;
  retries: number;
  redispatches: number;
  /** Times the server was selected (lbtot). */
  selected: number;
  /** Failed checks while up (chkfail), up→down transitions (chkdown). */
  checkFailures: number;
  checkDowns: number;
  /** Average connect time over the last 1024 sessions (ctime), ms; and the max seen. */
  connectTimeAvg: number;
  connectTimeMax: number;
  /** Average queue time (qtime) and total session time (ttime), ms. */
  queueTimeAvg: number;
  totalTimeAvg: number;
  /** Epoch ms of the last session assigned, or null (lastsess). */
  lastSession: number | null;
  /** Highest queue time (qtime_max) and total session time (ttime_max) seen, ms. */
  queueTimeMax: number;
  totalTimeMax: number;
  /** Connection attempts to the server, failed ones included (`connect`). */
  connectAttempts: number;
  /** Failed checks caused by passive health (`observe` + `on-error`) (hanafail). */
  hanaFailures: number;
}

export interface CheckSnapshot {
  /** Checks are configured and enabled (not `disable health`). When false the server shows `no check`. */
  enabled: boolean;
  /** A probe is running now (`* ` prefix in check_status). */
  inProgress: boolean;
  status: CheckStatusCode;
  /** check_desc text. */
  desc: string;
  /** HTTP status for L7 results. */
  code: number | null;
  durationMs: number | null;
  /** last_chk text. */
  info: string;
  health: number;
  rise: number;
  fall: number;
  /** Epoch ms of the last completed check, or null before the first. */
  lastAt: number | null;
  /** The recent results, newest last (bounded), for the console's server detail view. */
  history: { at: number; status: CheckStatusCode; code: number | null; durationMs: number; info: string }[];
}

/**
 * The server's own health check, as HAProxy keeps it per server (`show servers state` reports it, and
 * `show stat` shows the check columns only when it is configured, enabled and not paused). A tracker
 * without `check` has none: `configured` false, status INI.
 */
export interface OwnCheckSnapshot {
  /** `check` is set on this server itself. */
  configured: boolean;
  /** Not turned off by `disable health`. */
  enabled: boolean;
  /** Paused because the server is in maintenance. */
  paused: boolean;
  /** A probe is running now. */
  inProgress: boolean;
  /** Last result (INI before the first). */
  status: CheckStatusCode;
  /** Health counter as HAProxy reports it: 0 in maintenance; `rise` for a server without a check. */
  health: number;
}

export interface ServerSnapshot {
  backend: string;
  name: string;
  id: number;
  /** `ip:port` as connected to (port empty when the client's destination port is used). */
  addr: string;
  /** HAProxy's status string exactly as `show stat` shows it: `UP`, `UP 1/2`, `DOWN`, `MAINT (via b/s)`, `no check` … */
  status: string;
  op: OpState;
  /** SRV_ADMF_* flags, see ADMIN. */
  admin: number;
  /** Where inherited maintenance or drain comes from (`monitoring/server-1`), or null. */
  via: string | null;
  /**
   * Effective weight now (0 when drained or down), user weight (runtime), initial weight (config), and
   * HAProxy's eweight: the user weight as slowstart scales it, kept while down, drained or in maintenance
   * (the `weight` column of `show stat`).
   */
  weight: { effective: number; user: number; initial: number; eweight: number };
  /** Slowstart throttle percentage while warming up, else null. */
  throttle: number | null;
  backup: boolean;
  /** Can take a new session now (up, ready, weight > 0). */
  eligible: boolean;
  /** `backend/server` this server tracks, or null; and the servers tracking it. */
  tracks: string | null;
  trackedBy: string[];
  /** The check of the end of the track chain (as HAProxy shows), or null when there is none. */
  check: CheckSnapshot | null;
  /** Epoch ms of the last state change (lastchg), and total ms spent down (downtime). */
  lastChange: number;
  downtimeMs: number;
  maxconn: number;
  maxqueue: number;
  /** The resolved IP (null when unresolved), the port (null: the client's destination port), and the name as written when it is not an IP literal (srv_fqdn). */
  address: string | null;
  port: number | null;
  fqdn: string | null;
  /** `port` and `addr` server options: where checks go instead of the server's address. */
  checkPort: number | null;
  checkAddr: string | null;
  /** `observe layer4|layer7` is set (passive health; the hanafail column). */
  observe: boolean;
  ownCheck: OwnCheckSnapshot;
  counters: ServerCounters;
}

export interface BackendSnapshot {
  name: string;
  id: number;
  mode: 'tcp' | 'http';
  /** Present once the backend has had an HTTP/2 connection to a `proto h2` server. */
  h2?: H2Snapshot;
  algo: string;
  /** `UP` when usable servers carry weight > 0 (or there are no servers), else `DOWN`. */
  status: 'UP' | 'DOWN';
  /**
   * HAProxy's backend weight: the sum of effective weights of the usable active servers or, when none is
   * usable, the weight of the first usable backup (the one that takes traffic); `uweight` the same sum
   * over user weights. `active` and `backup` count usable active and backup servers.
   */
  weight: number;
  uweight: number;
  active: number;
  backup: number;
  lastChange: number;
  downtimeMs: number;
  /** Times the backend lost its last usable server (chkdown of the BACKEND row). */
  downTransitions: number;
  /** `disabled` in the config: the backend is stopped (`show stat` leaves it out, as HAProxy does). */
  configDisabled: boolean;
  counters: ServerCounters;
  servers: ServerSnapshot[];
}

export interface ListenerSnapshot {
  name: string;
  /** `ip:port` or `fd@N`. */
  addr: string;
  status: 'OPEN' | 'PAUSED' | 'STOP';
  /** TLS listeners (`bind … ssl`): the certificates served, the default first (absent on plain listeners and older daemons). */
  certs?: ListenerCertSnapshot[];
}

/** One certificate of a TLS listener, as served now (after any `commit ssl cert`). */
export interface ListenerCertSnapshot {
  /** The certificate file as named in the config (`show ssl cert` lists it so). */
  file: string;
  /** SNI names it serves (DNS SANs, else the CN, or a crt-list line's filters), lower case. */
  names: string[];
  /** Leaf subject and issuer, one-line DN (`/CN=lb.test`). */
  subject: string;
  issuer: string;
  /** Validity end, epoch ms. */
  notAfter: number;
  /** Key type as crypto names it (`rsa`, `ec`), and with its size as HAProxy prints it (`RSA2048`, `EC256`). */
  keyType: string;
  algorithm: string;
}

/** HTTP/2 counters of a frontend (client connections) or backend (`proto h2` servers): HAProxy's `h2_*` columns. */
export interface H2Snapshot {
  headersRcvd: number;
  dataRcvd: number;
  settingsRcvd: number;
  rstRcvd: number;
  goawayRcvd: number;
  connProtoErrors: number;
  streamProtoErrors: number;
  rstResp: number;
  goawayResp: number;
  openConns: number;
  totalConns: number;
  openStreams: number;
  totalStreams: number;
  /** Connections ended for flooding (GOAWAY ENHANCE_YOUR_CALM): rapid reset, CONTINUATION, PING/SETTINGS floods. */
  floods: number;
}

export interface FrontendSnapshot {
  name: string;
  id: number;
  mode: 'tcp' | 'http';
  status: 'OPEN' | 'PAUSED' | 'STOP';
  /** `maxconn` of the frontend; 0 = none of its own (the global maxconn applies). */
  maxconn: number;
  /** `disabled` in the config: the frontend is not started (`show stat` leaves it out, as HAProxy does). */
  configDisabled: boolean;
  /** Backends this frontend sends sessions to (`default_backend`, `use_backend`), for the backends' fullconn. */
  backends: string[];
  listeners: ListenerSnapshot[];
  /** Present once the frontend has had an HTTP/2 connection. */
  h2?: H2Snapshot;
  counters: SessionCounters & {
    /** Connections denied/refused because of maxconn or no usable server (dreq-like), and request errors (ereq). */
    denied: number;
    /** Sessions closed by a `tcp-request content reject` rule (`dreq`); absent in older snapshots. */
    deniedReq?: number;
    /** TLS listeners (`bind … ssl`): handshakes done (ssl_sess), resumed (ssl_reused_sess), failed (ssl_failed_handshake). */
    sslSessions?: number;
    sslReused?: number;
    sslFailed?: number;
    errors: number;
    connRate: number;
    connRateMax: number;
    connTotal: number;
  };
}

export interface ReloadInfo {
  at: number;
  ok: boolean;
  /** What changed, one line each, or the errors as `file:line: message`. */
  messages: string[];
}

export interface ProcessSnapshot {
  version: string;
  pid: number;
  startedAt: number;
  now: number;
  configFiles: string[];
  maxconn: number;
  currConns: number;
  cumConns: number;
  connRate: number;
  connRateMax: number;
  stopping: boolean;
  lastReload: ReloadInfo | null;
}

export interface Snapshot {
  process: ProcessSnapshot;
  frontends: FrontendSnapshot[];
  backends: BackendSnapshot[];
}
