/**
 * HAProxy 2.6's `show stat` fields, in position order: name, tags (origin, nature, scope letters as
 * `show stat typed` prints them), value type and the `desc` text. Copied from a real HAProxy 2.6.12's
 * `show stat typed desc` (../shared/reference/haproxy-2.6-captures/), so the typed and JSON forms and
 * the CSV header come from one table. A fifth entry is the tags of a BACKEND row when they differ.
 */

/** Value types as `show stat typed` names them. */
export type StatType = 'u32' | 'u64' | 's32' | 'str';
type FieldRow = readonly [name: string, tags: string, type: StatType, desc: string, backendTags?: string];

/** One field of the table; `backendTags` are the tags on BACKEND rows (they differ for act, bck, rate, rate_max). */
export interface StatField {
  readonly pos: number;
  readonly name: string;
  readonly tags: string;
  readonly backendTags: string;
  readonly type: StatType;
  readonly desc: string;
}

const ROWS: readonly FieldRow[] = [
  ['pxname', 'KNS', 'str', 'Proxy name'],
  ['svname', 'KNS', 'str', 'Server name'],
  ['qcur', 'MGP', 'u32', 'Number of current queued connections'],
  ['qmax', 'MMP', 'u32', 'Highest value of queued connections encountered since process started'],
  ['scur', 'MGP', 'u32', 'Number of current sessions on the frontend, backend or server'],
  ['smax', 'MMP', 'u32', 'Highest value of current sessions encountered since process started'],
  ['slim', 'CLP', 'u32', 'Frontend/listener/server\'s maxconn, backend\'s fullconn'],
  ['stot', 'MCP', 'u64', 'Total number of sessions since process started'],
  ['bin', 'MCP', 'u64', 'Total number of request bytes since process started'],
  ['bout', 'MCP', 'u64', 'Total number of response bytes since process started'],
  ['dreq', 'MCP', 'u64', 'Total number of denied requests since process started'],
  ['dresp', 'MCP', 'u64', 'Total number of denied responses since process started'],
  ['ereq', 'MCP', 'u64', 'Total number of invalid requests since process started'],
  ['econ', 'MCP', 'u64', 'Total number of failed connections to server since the worker process started'],
  ['eresp', 'MCP', 'u64', 'Total number of invalid responses since the worker process started'],
  ['wretr', 'MCP', 'u64', 'Total number of server connection retries since the worker process started'],
  ['wredis', 'MCP', 'u64', 'Total number of server redispatches due to connection failures since the worker process started'],
  ['status', 'SGP', 'str', 'Frontend/listen status: OPEN/WAITING/FULL/STOP; backend: UP/DOWN; server: last check status'],
  ['weight', 'MaP', 'u32', 'Server\'s effective weight, or sum of active servers\' effective weights for a backend'],
  ['act', 'SGP', 'u32', 'Total number of active UP servers with a non-zero weight', 'MGP'],
  ['bck', 'SGP', 'u32', 'Total number of backup UP servers with a non-zero weight', 'MGP'],
  ['chkfail', 'MCP', 'u64', 'Total number of failed individual health checks per server/backend, since the worker process started'],
  ['chkdown', 'MCP', 'u64', 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started'],
  ['lastchg', 'MAP', 'u32', 'How long ago the last server state changed, in seconds'],
  ['downtime', 'MCP', 'u32', 'Total time spent in DOWN state, for server or backend'],
  ['qlimit', 'CGS', 'u32', 'Limit on the number of connections in queue, for servers only (maxqueue argument)'],
  ['pid', 'KGP', 'u32', 'Relative worker process number (1)'],
  ['iid', 'KGS', 'u32', 'Frontend or Backend numeric identifier (\'id\' setting)'],
  ['sid', 'KGS', 'u32', 'Server numeric identifier (\'id\' setting)'],
  ['throttle', 'MaP', 'u32', 'Throttling ratio applied to a server\'s maxconn and weight during the slowstart period (0 to 100%)'],
  ['lbtot', 'MCP', 'u64', 'Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)'],
  ['tracked', 'CNS', 'str', 'Name of the other server this server tracks for its state'],
  ['type', 'CGS', 'u32', 'Type of the object (Listener, Frontend, Backend, Server)'],
  ['rate', 'MRP', 'u32', 'Total number of sessions processed by this object over the last second (sessions for listeners/frontends, requests for backends/servers)', 'MGP'],
  ['rate_lim', 'CLP', 'u32', 'Limit on the number of sessions accepted in a second (frontend only, \'rate-limit sessions\' setting)'],
  ['rate_max', 'MMP', 'u32', 'Highest value of sessions per second observed since the worker process started', 'MGP'],
  ['check_status', 'MOP', 'str', 'Status report of the server\'s latest health check, prefixed with \'*\' if a check is currently in progress'],
  ['check_code', 'MOP', 'u32', 'HTTP/SMTP/LDAP status code reported by the latest server health check'],
  ['check_duration', 'MDP', 'u64', 'Total duration of the latest server health check, in milliseconds'],
  ['hrsp_1xx', 'MCP', 'u64', 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started'],
  ['hrsp_2xx', 'MCP', 'u64', 'Total number of HTTP responses with status 200-299 returned by this object since the worker process started'],
  ['hrsp_3xx', 'MCP', 'u64', 'Total number of HTTP responses with status 300-399 returned by this object since the worker process started'],
  ['hrsp_4xx', 'MCP', 'u64', 'Total number of HTTP responses with status 400-499 returned by this object since the worker process started'],
  ['hrsp_5xx', 'MCP', 'u64', 'Total number of HTTP responses with status 500-599 returned by this object since the worker process started'],
  ['hrsp_other', 'MCP', 'u64', 'Total number of HTTP responses with status <100, >599 returned by this object since the worker process started (error -1 included)'],
  ['hanafail', 'MCP', 'u64', 'Total number of failed checks caused by an \'on-error\' directive after an \'observe\' condition matched'],
  ['req_rate', 'MRP', 'u32', 'Number of HTTP requests processed over the last second on this object'],
  ['req_rate_max', 'MMP', 'u32', 'Highest value of http requests observed since the worker process started'],
  ['req_tot', 'MCP', 'u64', 'Total number of HTTP requests processed by this object since the worker process started'],
  ['cli_abrt', 'MCP', 'u64', 'Total number of requests or connections aborted by the client since the worker process started'],
  ['srv_abrt', 'MCP', 'u64', 'Total number of requests or connections aborted by the server since the worker process started'],
  ['comp_in', 'MCP', 'u64', 'Total number of bytes submitted to the HTTP compressor for this object since the worker process started'],
  ['comp_out', 'MCP', 'u64', 'Total number of bytes emitted by the HTTP compressor for this object since the worker process started'],
  ['comp_byp', 'MCP', 'u64', 'Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)'],
  ['comp_rsp', 'MCP', 'u64', 'Total number of HTTP responses that were compressed for this object since the worker process started'],
  ['lastsess', 'MAP', 's32', 'How long ago some traffic was seen on this object on this worker process, in seconds'],
  ['last_chk', 'MOP', 'str', 'Short description of the latest health check report for this server (see also check_desc)'],
  ['last_agt', 'MOP', 'str', 'Short description of the latest agent check report for this server (see also agent_desc)'],
  ['qtime', 'MaP', 'u32', 'Time spent in the queue, in milliseconds, averaged over the 1024 last requests (backend/server)'],
  ['ctime', 'MaP', 'u32', 'Time spent waiting for a connection to complete, in milliseconds, averaged over the 1024 last requests (backend/server)'],
  ['rtime', 'MaP', 'u32', 'Time spent waiting for a server response, in milliseconds, averaged over the 1024 last requests (backend/server)'],
  ['ttime', 'MaP', 'u32', 'Total request+response time (request+queue+connect+response+processing), in milliseconds, averaged over the 1024 last requests (backend/server)'],
  ['agent_status', 'MOP', 'str', 'Status report of the server\'s latest agent check, prefixed with \'*\' if a check is currently in progress'],
  ['agent_code', 'MOP', 'u32', 'Status code reported by the latest server agent check'],
  ['agent_duration', 'MDP', 'u64', 'Total duration of the latest server agent check, in milliseconds'],
  ['check_desc', 'MOP', 'str', 'Textual description of the latest health check report for this server'],
  ['agent_desc', 'MOP', 'str', 'Textual description of the latest agent check report for this server'],
  ['check_rise', 'CGS', 'u32', 'Number of successful health checks before declaring a server UP (server \'rise\' setting)'],
  ['check_fall', 'CGS', 'u32', 'Number of failed health checks before declaring a server DOWN (server \'fall\' setting)'],
  ['check_health', 'CGS', 'u32', 'Current server health check level (0..fall-1=DOWN, fall..rise-1=UP)'],
  ['agent_rise', 'CGS', 'u32', 'Number of successful agent checks before declaring a server UP (server \'rise\' setting)'],
  ['agent_fall', 'CGS', 'u32', 'Number of failed agent checks before declaring a server DOWN (server \'fall\' setting)'],
  ['agent_health', 'CGS', 'u32', 'Current server agent check level (0..fall-1=DOWN, fall..rise-1=UP)'],
  ['addr', 'CGS', 'str', 'Server\'s address:port, shown only if show-legends is set, or at levels oper/admin for the CLI'],
  ['cookie', 'CNS', 'str', 'Backend\'s cookie name or Server\'s cookie value, shown only if show-legends is set, or at levels oper/admin for the CLI'],
  ['mode', 'CGS', 'str', '\'mode\' setting (tcp/http/health/cli)'],
  ['algo', 'CGS', 'str', 'Backend\'s load balancing algorithm, shown only if show-legends is set, or at levels oper/admin for the CLI'],
  ['conn_rate', 'MRP', 'u32', 'Number of new connections accepted over the last second on the frontend for this worker process'],
  ['conn_rate_max', 'MMP', 'u32', 'Highest value of connections per second observed since the worker process started'],
  ['conn_tot', 'MCP', 'u64', 'Total number of new connections accepted on this frontend since the worker process started'],
  ['intercepted', 'MCP', 'u64', 'Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started'],
  ['dcon', 'MCP', 'u64', 'Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started'],
  ['dses', 'MCP', 'u64', 'Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started'],
  ['wrew', 'MCP', 'u64', 'Total number of failed HTTP header rewrites since the worker process started'],
  ['connect', 'MCP', 'u64', 'Total number of outgoing connection attempts on this backend/server since the worker process started'],
  ['reuse', 'MCP', 'u64', 'Total number of reused connection on this backend/server since the worker process started'],
  ['cache_lookups', 'MCP', 'u64', 'Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started'],
  ['cache_hits', 'MCP', 'u64', 'Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started'],
  ['srv_icur', 'MGP', 'u32', 'Current number of idle connections available for reuse on this server'],
  ['src_ilim', 'CLP', 'u32', 'Limit on the number of available idle connections on this server (server \'pool_max_conn\' directive)'],
  ['qtime_max', 'MMP', 'u32', 'Maximum observed time spent in the queue, in milliseconds (backend/server)'],
  ['ctime_max', 'MMP', 'u32', 'Maximum observed time spent waiting for a connection to complete, in milliseconds (backend/server)'],
  ['rtime_max', 'MMP', 'u32', 'Maximum observed time spent waiting for a server response, in milliseconds (backend/server)'],
  ['ttime_max', 'MMP', 'u32', 'Maximum observed total request+response time (request+queue+connect+response+processing), in milliseconds (backend/server)'],
  ['eint', 'MCP', 'u64', 'Total number of internal errors since process started'],
  ['idle_conn_cur', 'MGP', 'u32', 'Current number of unsafe idle connections'],
  ['safe_conn_cur', 'MGP', 'u32', 'Current number of safe idle connections'],
  ['used_conn_cur', 'MGP', 'u32', 'Current number of connections in use'],
  ['need_conn_est', 'MGP', 'u32', 'Estimated needed number of connections'],
  ['uweight', 'MaP', 'u32', 'Server\'s user weight, or sum of active servers\' user weights for a backend'],
  ['agg_server_status', 'MGP', 'u32', 'Backend\'s aggregated gauge of servers\' status'],
  ['agg_server_check_status', 'MGP', 'u32', 'Backend\'s aggregated gauge of servers\' state check status'],
  ['agg_check_status', 'MGP', 'u32', 'Backend\'s aggregated gauge of servers\' state check status'],
  ['ssl_sess', 'MCP', 'u64', 'Total number of ssl sessions established'],
  ['ssl_reused_sess', 'MCP', 'u64', 'Total number of ssl sessions reused'],
  ['ssl_failed_handshake', 'MCP', 'u64', 'Total number of failed handshake'],
  ['h2_headers_rcvd', 'MCP', 'u64', 'Total number of received HEADERS frames'],
  ['h2_data_rcvd', 'MCP', 'u64', 'Total number of received DATA frames'],
  ['h2_settings_rcvd', 'MCP', 'u64', 'Total number of received SETTINGS frames'],
  ['h2_rst_stream_rcvd', 'MCP', 'u64', 'Total number of received RST_STREAM frames'],
  ['h2_goaway_rcvd', 'MCP', 'u64', 'Total number of received GOAWAY frames'],
  ['h2_detected_conn_protocol_errors', 'MCP', 'u64', 'Total number of connection protocol errors'],
  ['h2_detected_strm_protocol_errors', 'MCP', 'u64', 'Total number of stream protocol errors'],
  ['h2_rst_stream_resp', 'MCP', 'u64', 'Total number of RST_STREAM sent on detected error'],
  ['h2_goaway_resp', 'MCP', 'u64', 'Total number of GOAWAY sent on detected error'],
  ['h2_open_connections', 'MGP', 'u64', 'Count of currently open connections'],
  ['h2_backend_open_streams', 'MGP', 'u64', 'Count of currently open streams'],
  ['h2_total_connections', 'MCP', 'u64', 'Total number of connections'],
  ['h2_backend_total_streams', 'MCP', 'u64', 'Total number of streams'],
  ['h1_open_connections', 'MGP', 'u64', 'Count of currently open connections'],
  ['h1_open_streams', 'MGP', 'u64', 'Count of currently open streams'],
  ['h1_total_connections', 'MCP', 'u64', 'Total number of connections'],
  ['h1_total_streams', 'MCP', 'u64', 'Total number of streams'],
  ['h1_bytes_in', 'MCP', 'u64', 'Total number of bytes received'],
  ['h1_bytes_out', 'MCP', 'u64', 'Total number of bytes send'],
  ['h1_spliced_bytes_in', 'MCP', 'u64', 'Total number of bytes received using kernel splicing'],
  ['h1_spliced_bytes_out', 'MCP', 'u64', 'Total number of bytes sendusing kernel splicing'],
];

/** Every field, index = position (typed/json `pos`); checked against P at load. */
export const STAT_FIELDS: readonly StatField[] = Object.freeze(
  ROWS.map(([name, tags, type, desc, backendTags], pos) => Object.freeze({ pos, name, tags, backendTags: backendTags ?? tags, type, desc })),
);

/** Number of fields (127): CSV has one more column, the literal `-` after agg_check_status. */
export const STAT_FIELD_COUNT = STAT_FIELDS.length;

/** The CSV column holding a literal `-` (between the built-in fields and the ssl/h2/h1 module fields). */
export const STAT_MODULE_SEPARATOR = 103;

/** Position of each field by name (`P.scur` = 4), so row builders read like HAProxy's stats_fill_*_stats. */
export const P = {
  pxname: 0, svname: 1, qcur: 2, qmax: 3, scur: 4, smax: 5, slim: 6, stot: 7, bin: 8, bout: 9, dreq: 10, dresp: 11,
  ereq: 12, econ: 13, eresp: 14, wretr: 15, wredis: 16, status: 17, weight: 18, act: 19, bck: 20, chkfail: 21,
  chkdown: 22, lastchg: 23, downtime: 24, qlimit: 25, pid: 26, iid: 27, sid: 28, throttle: 29, lbtot: 30,
  tracked: 31, type: 32, rate: 33, rate_lim: 34, rate_max: 35, check_status: 36, check_code: 37, check_duration: 38,
  hrsp_1xx: 39, hrsp_2xx: 40, hrsp_3xx: 41, hrsp_4xx: 42, hrsp_5xx: 43, hrsp_other: 44, hanafail: 45, req_rate: 46,
  req_rate_max: 47, req_tot: 48, cli_abrt: 49, srv_abrt: 50, comp_in: 51, comp_out: 52, comp_byp: 53, comp_rsp: 54,
  lastsess: 55, last_chk: 56, last_agt: 57, qtime: 58, ctime: 59, rtime: 60, ttime: 61, agent_status: 62,
  agent_code: 63, agent_duration: 64, check_desc: 65, agent_desc: 66, check_rise: 67, check_fall: 68,
  check_health: 69, agent_rise: 70, agent_fall: 71, agent_health: 72, addr: 73, cookie: 74, mode: 75, algo: 76,
  conn_rate: 77, conn_rate_max: 78, conn_tot: 79, intercepted: 80, dcon: 81, dses: 82, wrew: 83, connect: 84,
  reuse: 85, cache_lookups: 86, cache_hits: 87, srv_icur: 88, src_ilim: 89, qtime_max: 90, ctime_max: 91,
  rtime_max: 92, ttime_max: 93, eint: 94, idle_conn_cur: 95, safe_conn_cur: 96, used_conn_cur: 97,
  need_conn_est: 98, uweight: 99, agg_server_status: 100, agg_server_check_status: 101, agg_check_status: 102,
  ssl_sess: 103, ssl_reused_sess: 104, ssl_failed_handshake: 105, h2_headers_rcvd: 106, h2_data_rcvd: 107,
  h2_settings_rcvd: 108, h2_rst_stream_rcvd: 109, h2_goaway_rcvd: 110, h2_detected_conn_protocol_errors: 111,
  h2_detected_strm_protocol_errors: 112, h2_rst_stream_resp: 113, h2_goaway_resp: 114, h2_open_connections: 115,
  h2_backend_open_streams: 116, h2_total_connections: 117, h2_backend_total_streams: 118, h1_open_connections: 119,
  h1_open_streams: 120, h1_total_connections: 121, h1_total_streams: 122, h1_bytes_in: 123, h1_bytes_out: 124,
  h1_spliced_bytes_in: 125, h1_spliced_bytes_out: 126,
} as const;

/** `# pxname,svname,…,agg_check_status,-,ssl_sess,…,` exactly as HAProxy 2.6 prints it (every name followed by a comma). */
export const CSV_HEADER: string =
  '# ' + STAT_FIELDS.map((f) => (f.pos === STAT_MODULE_SEPARATOR ? '-,' : '') + f.name + ',').join('');

for (const f of STAT_FIELDS) if ((P as Record<string, number>)[f.name] !== f.pos) throw new Error(`stat field table: ${f.name} is not at ${f.pos}`);
