/**
 * One `show stat` row per object, filled exactly where HAProxy 2.6 fills it (stats_fill_fe_stats,
 * stats_fill_be_stats, stats_fill_sv_stats; the field presence table in
 * ../shared/reference/haproxy-2.6-captures/field_presence.txt). A row is an array indexed by field
 * position: `undefined` is an empty field (left out of typed/json), '' an empty string (kept).
 * lbd proxies TCP only so far: HTTP counters are 0 where HAProxy shows them for `mode http` proxies,
 * module counters (ssl, h2, h1) are 0 where HAProxy shows them.
 */
import type { BackendSnapshot, FrontendSnapshot, H2Snapshot, ServerSnapshot, SessionCounters } from '../../shared/snapshot.js';
import { CHECK_STATUSES } from '../../shared/check-status.js';
import { P, STAT_FIELD_COUNT } from './fields.js';
import { showsCheckCode, showsCheckDuration } from './codes.js';

/** A field value: a number (always an integer), a string, or undefined for an empty field. */
export type StatValue = string | number | undefined;

/** F frontend, B backend, S server, L listener: the letter of `show stat typed`. */
export type ObjType = 'F' | 'B' | 'S' | 'L';

/** One object's row: its `show stat typed` prefix (`T.iid.sid`) and values by field position. */
export interface StatRow {
  readonly objType: ObjType;
  readonly iid: number;
  readonly sid: number;
  readonly values: StatValue[];
}

/** What rows need besides their object. */
export interface RowContext {
  /** Snapshot time, epoch ms. */
  readonly now: number;
  /** Process maxconn: a frontend's limit when it has none of its own (HAProxy's default frontend maxconn). */
  readonly maxconn: number;
  /** Fill the "legend" columns addr, cookie and algo (false on a `level user` socket, as HAProxy). */
  readonly legends: boolean;
  /** `up` / `no-maint` given: BACKEND status gets ` (<up>/<total>)`. */
  readonly countServers: boolean;
  /** Each backend's fullconn (slim of the BACKEND row), see fullconnOf. */
  readonly fullconn: ReadonlyMap<string, number>;
}

/** Whole seconds between two epoch-ms times as HAProxy counts them (both taken in seconds, then subtracted). */
export const secondsSince = (now: number, then: number): number => Math.max(0, Math.floor(now / 1000) - Math.floor(then / 1000));

const zero = (v: StatValue[], from: number, to: number): void => {
  for (let i = from; i <= to; i++) v[i] = 0;
};

/** HAProxy's h2 module columns of a frontend or backend row (streams only on backend rows, as HAProxy). */
function h2Counters(v: StatValue[], h: H2Snapshot | undefined, backend: boolean): void {
  if (h === undefined) return;
  v[P.h2_headers_rcvd] = h.headersRcvd;
  v[P.h2_data_rcvd] = h.dataRcvd;
  v[P.h2_settings_rcvd] = h.settingsRcvd;
  v[P.h2_rst_stream_rcvd] = h.rstRcvd;
  v[P.h2_goaway_rcvd] = h.goawayRcvd;
  v[P.h2_detected_conn_protocol_errors] = h.connProtoErrors;
  v[P.h2_detected_strm_protocol_errors] = h.streamProtoErrors;
  v[P.h2_rst_stream_resp] = h.rstResp;
  v[P.h2_goaway_resp] = h.goawayResp;
  v[P.h2_open_connections] = h.openConns;
  v[P.h2_total_connections] = h.totalConns;
  if (backend) {
    v[P.h2_backend_open_streams] = h.openStreams;
    v[P.h2_backend_total_streams] = h.totalStreams;
  }
}

/** ssl counters: every row type. h2 and h1 mux counters: frontends and backends. */
function moduleCounters(v: StatValue[], withMux: boolean): void {
  zero(v, P.ssl_sess, P.ssl_failed_handshake);
  if (withMux) zero(v, P.h2_headers_rcvd, P.h1_spliced_bytes_out);
}

/**
 * HAProxy's default fullconn: 10% of the maxconn sum of the started frontends that route to the backend
 * (a `listen` counts itself), rounded up, at least 1.
 */
export function fullconnOf(frontends: readonly FrontendSnapshot[], maxconn: number): Map<string, number> {
  const sum = new Map<string, number>();
  for (const fe of frontends) {
    if (fe.configDisabled) continue;
    for (const b of fe.backends) sum.set(b, (sum.get(b) ?? 0) + (fe.maxconn || maxconn));
  }
  const out = new Map<string, number>();
  for (const [b, total] of sum) out.set(b, Math.max(1, Math.floor((total + 9) / 10)));
  return out;
}

/** hrsp_1xx … hrsp_other of an HTTP proxy or server. */
function httpResponses(v: StatValue[], c: SessionCounters): void {
  v[P.hrsp_1xx] = c.hrsp1xx ?? 0;
  v[P.hrsp_2xx] = c.hrsp2xx ?? 0;
  v[P.hrsp_3xx] = c.hrsp3xx ?? 0;
  v[P.hrsp_4xx] = c.hrsp4xx ?? 0;
  v[P.hrsp_5xx] = c.hrsp5xx ?? 0;
  v[P.hrsp_other] = c.hrspOther ?? 0;
}

/** The FRONTEND row. */
export function frontendRow(fe: FrontendSnapshot, ctx: RowContext): StatRow {
  const v: StatValue[] = new Array(STAT_FIELD_COUNT);
  const c = fe.counters;
  const http = fe.mode === 'http';
  v[P.pxname] = fe.name;
  v[P.svname] = 'FRONTEND';
  v[P.scur] = c.cur;
  v[P.smax] = c.max;
  v[P.slim] = fe.maxconn || ctx.maxconn;
  v[P.stot] = c.total;
  v[P.bin] = c.bytesIn;
  v[P.bout] = c.bytesOut;
  v[P.dreq] = c.deniedReq ?? 0;
  v[P.dresp] = c.deniedResp ?? 0;
  v[P.ereq] = c.reqErrors ?? 0;
  v[P.status] = fe.status;
  v[P.pid] = 1;
  v[P.iid] = fe.id;
  v[P.sid] = 0;
  v[P.type] = 0;
  v[P.rate] = c.rate;
  v[P.rate_lim] = 0;
  v[P.rate_max] = c.rateMax;
  if (http) httpResponses(v, c);
  v[P.req_rate] = c.reqRate ?? 0;
  v[P.req_rate_max] = c.reqRateMax ?? 0;
  v[P.req_tot] = c.httpReqs ?? 0;
  zero(v, P.comp_in, P.comp_rsp);
  v[P.mode] = fe.mode;
  v[P.conn_rate] = c.connRate;
  v[P.conn_rate_max] = c.connRateMax;
  v[P.conn_tot] = c.connTotal;
  if (http) v[P.intercepted] = c.intercepted ?? 0;
  // connections refused at accept (wait list full) are lbd's nearest thing to `tcp-request connection` denials
  v[P.dcon] = c.denied;
  v[P.dses] = 0;
  v[P.wrew] = 0;
  if (http) zero(v, P.cache_lookups, P.cache_hits);
  v[P.eint] = c.internalErrors ?? 0;
  moduleCounters(v, true);
  h2Counters(v, fe.h2, false);
  if (c.sslSessions !== undefined) {
    v[P.ssl_sess] = c.sslSessions;
    v[P.ssl_reused_sess] = c.sslReused ?? 0;
    v[P.ssl_failed_handshake] = c.sslFailed ?? 0;
  }
  return { objType: 'F', iid: fe.id, sid: 0, values: v };
}

/** The BACKEND row. */
export function backendRow(be: BackendSnapshot, ctx: RowContext): StatRow {
  const v: StatValue[] = new Array(STAT_FIELD_COUNT);
  const c = be.counters;
  const http = be.mode === 'http';
  v[P.pxname] = be.name;
  v[P.svname] = 'BACKEND';
  v[P.qcur] = c.queueCur;
  v[P.qmax] = c.queueMax;
  v[P.scur] = c.cur;
  v[P.smax] = c.max;
  v[P.slim] = ctx.fullconn.get(be.name) ?? 1;
  v[P.stot] = c.total;
  v[P.bin] = c.bytesIn;
  v[P.bout] = c.bytesOut;
  v[P.dreq] = 0;
  v[P.dresp] = c.deniedResp ?? 0;
  v[P.econ] = c.connectErrors;
  v[P.eresp] = c.responseErrors;
  v[P.wretr] = c.retries;
  v[P.wredis] = c.redispatches;
  let status: string = be.status;
  if (ctx.countServers) {
    let up = 0;
    for (const s of be.servers) if (s.op !== 'down') up++;
    status += ` (${up}/${be.servers.length})`;
  }
  v[P.status] = status;
  v[P.weight] = be.weight;
  v[P.act] = be.active;
  v[P.bck] = be.backup;
  v[P.chkdown] = be.downTransitions;
  v[P.lastchg] = secondsSince(ctx.now, be.lastChange);
  v[P.downtime] = Math.floor(be.downtimeMs / 1000);
  v[P.pid] = 1;
  v[P.iid] = be.id;
  v[P.sid] = 0;
  v[P.lbtot] = c.selected;
  v[P.type] = 1;
  v[P.rate] = c.rate;
  v[P.rate_max] = c.rateMax;
  if (http) {
    httpResponses(v, c);
    v[P.req_tot] = c.httpReqs ?? 0;
  }
  v[P.cli_abrt] = c.cliAborts;
  v[P.srv_abrt] = c.srvAborts;
  zero(v, P.comp_in, P.comp_rsp);
  v[P.lastsess] = c.lastSession === null ? -1 : secondsSince(ctx.now, c.lastSession);
  v[P.qtime] = c.queueTimeAvg;
  v[P.ctime] = c.connectTimeAvg;
  v[P.rtime] = c.responseTimeAvg ?? 0;
  v[P.ttime] = c.totalTimeAvg;
  v[P.mode] = be.mode;
  if (ctx.legends) v[P.algo] = be.algo;
  v[P.wrew] = 0;
  v[P.connect] = c.connectAttempts;
  v[P.reuse] = c.reuse ?? 0;
  if (http) zero(v, P.cache_lookups, P.cache_hits);
  v[P.qtime_max] = c.queueTimeMax;
  v[P.ctime_max] = c.connectTimeMax;
  v[P.rtime_max] = c.responseTimeMax ?? 0;
  v[P.ttime_max] = c.totalTimeMax;
  v[P.eint] = 0;
  v[P.uweight] = be.uweight;
  zero(v, P.agg_server_status, P.agg_check_status);
  moduleCounters(v, true);
  h2Counters(v, be.h2, true);
  return { objType: 'B', iid: be.id, sid: 0, values: v };
}

/** `ip:port` as HAProxy prints a server address (IPv6 in brackets, port 0 when none); empty when unresolved. */
function serverAddr(s: ServerSnapshot): string | undefined {
  if (s.address === null) return undefined;
  const host = s.address.includes(':') ? `[${s.address}]` : s.address;
  return `${host}:${s.port ?? 0}`;
}

/** A server row. Check columns come from the server's own check; a tracker shows only status and `tracked`. */
export function serverRow(s: ServerSnapshot, be: BackendSnapshot, ctx: RowContext): StatRow {
  const v: StatValue[] = new Array(STAT_FIELD_COUNT);
  const c = s.counters;
  const own = s.ownCheck;
  const http = be.mode === 'http';
  v[P.pxname] = be.name;
  v[P.svname] = s.name;
  v[P.qcur] = c.queueCur;
  v[P.qmax] = c.queueMax;
  v[P.scur] = c.cur;
  v[P.smax] = c.max;
  if (s.maxconn > 0) v[P.slim] = s.maxconn;
  v[P.stot] = c.total;
  v[P.bin] = c.bytesIn;
  v[P.bout] = c.bytesOut;
  v[P.dresp] = c.deniedResp ?? 0;
  v[P.econ] = c.connectErrors;
  v[P.eresp] = c.responseErrors;
  v[P.wretr] = c.retries;
  v[P.wredis] = c.redispatches;
  v[P.status] = s.status;
  v[P.weight] = s.weight.eweight;
  v[P.act] = s.backup ? 0 : 1;
  v[P.bck] = s.backup ? 1 : 0;
  if (own.enabled) {
    v[P.chkfail] = c.checkFailures;
    v[P.chkdown] = c.checkDowns;
    v[P.downtime] = Math.floor(s.downtimeMs / 1000);
  }
  v[P.lastchg] = secondsSince(ctx.now, s.lastChange);
  if (s.maxqueue > 0) v[P.qlimit] = s.maxqueue;
  v[P.pid] = 1;
  v[P.iid] = be.id;
  v[P.sid] = s.id;
  if (s.throttle !== null) v[P.throttle] = s.throttle;
  v[P.lbtot] = c.selected;
  if (s.tracks !== null) v[P.tracked] = s.tracks;
  v[P.type] = 2;
  v[P.rate] = c.rate;
  v[P.rate_max] = c.rateMax;
  const chk = s.check;
  if (own.enabled && !own.paused && chk) {
    v[P.check_status] = (chk.inProgress ? '* ' : '') + chk.status;
    if (showsCheckCode(chk.status)) v[P.check_code] = chk.code ?? 0;
    if (showsCheckDuration(chk.status)) v[P.check_duration] = chk.durationMs ?? 0;
    v[P.check_desc] = CHECK_STATUSES[chk.status].desc;
    v[P.last_chk] = chk.info;
    v[P.check_rise] = chk.rise;
    v[P.check_fall] = chk.fall;
    v[P.check_health] = chk.health;
  }
  if (http) {
    httpResponses(v, c);
    v[P.req_tot] = c.httpReqs ?? 0;
  }
  if (s.observe) v[P.hanafail] = c.hanaFailures;
  v[P.cli_abrt] = c.cliAborts;
  v[P.srv_abrt] = c.srvAborts;
  v[P.lastsess] = c.lastSession === null ? -1 : secondsSince(ctx.now, c.lastSession);
  v[P.qtime] = c.queueTimeAvg;
  v[P.ctime] = c.connectTimeAvg;
  v[P.rtime] = c.responseTimeAvg ?? 0;
  v[P.ttime] = c.totalTimeAvg;
  if (ctx.legends) v[P.addr] = serverAddr(s);
  v[P.mode] = be.mode;
  v[P.wrew] = 0;
  v[P.connect] = c.connectAttempts;
  v[P.reuse] = c.reuse ?? 0;
  v[P.srv_icur] = 0;
  v[P.qtime_max] = c.queueTimeMax;
  v[P.ctime_max] = c.connectTimeMax;
  v[P.rtime_max] = c.responseTimeMax ?? 0;
  v[P.ttime_max] = c.totalTimeMax;
  v[P.eint] = 0;
  v[P.idle_conn_cur] = 0;
  v[P.safe_conn_cur] = 0;
  v[P.used_conn_cur] = c.cur;
  // HAProxy's estimate of connections needed: at least the one its checks use once they ran, or one after traffic
  v[P.need_conn_est] = Math.max(c.cur, (own.configured && chk?.lastAt != null) || c.total > 0 ? 1 : 0);
  v[P.uweight] = s.weight.user;
  moduleCounters(v, false);
  return { objType: 'S', iid: be.id, sid: s.id, values: v };
}
