/**
 * What the access logger knows of one finished transaction: an HTTP request/response exchange in
 * `mode http`, or a whole TCP session in `mode tcp`. The proxy fills one record when the exchange ends;
 * daemon/http/access-log.ts turns it into HAProxy's `option httplog` / `option tcplog` / `log-format`
 * line, and daemon/log-sink.ts sends the line to the `log` targets.
 *
 * Timers follow HAProxy 2.6 (manual 8.4): milliseconds, -1 for a step never reached.
 */
export interface TxnLog {
  /** Frontend name (%f); `transport` is '~' for a TLS listener (%ft = name + '~'), else ''. */
  readonly frontend: string;
  readonly transport: '' | '~';
  /** Backend name (%b): the frontend's name when no backend was chosen, as HAProxy logs it. */
  readonly backend: string;
  /** Server name (%s), or null: logged as `<NOSRV>`. */
  readonly server: string | null;
  /** Client address and port (%ci %cp), frontend address and port (%fi %fp). */
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** Server address and port (%si %sp), lbd's source towards it (%bi %bp); null when no server connection. */
  readonly serverAddr: string | null;
  readonly serverPort: number | null;
  readonly backendSrc: string | null;
  readonly backendSrcPort: number | null;
  /** Epoch ms when the connection was accepted (%t, %T, %Ts, %ms). */
  readonly acceptMs: number;
  /** Epoch ms when this request's first byte arrived (%tr, %trg, %trl); = acceptMs in mode tcp. */
  readonly requestMs: number;
  /** Th: handshake; Ti: idle before the request; TR: receiving the request head; Tw: queues; Tc: connect;
   * Tr: server response head; Ta: request start to the last byte of the response; Tt: whole session. */
  readonly th: number;
  readonly ti: number;
  readonly tR: number;
  readonly tw: number;
  readonly tc: number;
  readonly tr: number;
  readonly ta: number;
  readonly tt: number;
  /** HTTP status sent to the client (%ST), -1 when none. */
  readonly status: number;
  /** Bytes sent to the client (%B), received from the client (%U). */
  readonly bytesOut: number;
  readonly bytesIn: number;
  /** Termination state (%ts): two characters such as `--`, `CD`, `SH`, `sC`, `PR`, `LR`. */
  readonly termination: string;
  /** Cookie persistence state (the last two characters of %tsc): `--` without persistence, else e.g. `NI`, `VN`. */
  readonly cookieState: string;
  /** Connection counts when the log was emitted (%ac %fc %bc %sc) and retries (%rc); `redispatched` prefixes %rc with '+'. */
  readonly actconn: number;
  readonly feconn: number;
  readonly beconn: number;
  readonly srvconn: number;
  readonly retries: number;
  readonly redispatched: boolean;
  /** Position in the server queue and the backend queue (%sq %bq). */
  readonly srvQueue: number;
  readonly backendQueue: number;
  /** The request (HTTP only, null in mode tcp): method (%HM), target as sent (%HU), version as `HTTP/1.1` (%HV). */
  readonly method: string | null;
  readonly uri: string | null;
  readonly version: string | null;
}
