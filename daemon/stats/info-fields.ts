/**
 * HAProxy 2.6's `show info` fields in print order: position, name, tags, type, `desc` text, and for the
 * fields `float` turns into decimals, that flag (and the tags HAProxy then prints, when they change).
 * Copied from a real HAProxy 2.6.12's `show info typed desc [float]`. ZlibMemUsage and MaxZlibMemUsage
 * (45, 46) exist only in zlib builds and are not printed by the captured build; neither by lbd.
 */

/** Value types as `show info typed` names them (`flt` is the float variant, see InfoField.float). */
export type InfoType = 'u32' | 'u64' | 'str';

type InfoRow = readonly [pos: number, name: string, tags: string, type: InfoType, desc: string, float?: boolean, floatTags?: string];

/** One `show info` field. */
export interface InfoField {
  readonly pos: number;
  readonly name: string;
  readonly tags: string;
  readonly type: InfoType;
  readonly desc: string;
  /** `float` prints this one with decimals, type `flt`, and these tags. */
  readonly float: boolean;
  readonly floatTags: string;
}

const ROWS: readonly InfoRow[] = [
  [0, 'Name', 'POS', 'str', 'Product name'],
  [1, 'Version', 'POS', 'str', 'Product version'],
  [2, 'Release_date', 'POS', 'str', 'Date of latest source code update'],
  [3, 'Nbthread', 'CGS', 'u32', 'Number of started threads (global.nbthread)'],
  [4, 'Nbproc', 'CGS', 'u32', 'Number of started worker processes (historical, always 1)'],
  [5, 'Process_num', 'KGP', 'u32', 'Relative worker process number (1)'],
  [6, 'Pid', 'SGP', 'u32', 'This worker process identifier for the system'],
  [7, 'Uptime', 'MDP', 'str', 'How long ago this worker process was started (days+hours+minutes+seconds)'],
  [8, 'Uptime_sec', 'MDP', 'u32', 'How long ago this worker process was started (seconds)', true],
  [9, 'Memmax_MB', 'CLP', 'u32', 'Worker process\'s hard limit on memory usage in MB (-m on command line)'],
  [10, 'PoolAlloc_MB', 'MGP', 'u32', 'Amount of memory allocated in pools (in MB)'],
  [11, 'PoolUsed_MB', 'MGP', 'u32', 'Amount of pool memory currently used (in MB)'],
  [12, 'PoolFailed', 'MCP', 'u32', 'Number of failed pool allocations since this worker was started'],
  [13, 'Ulimit-n', 'CLP', 'u32', 'Hard limit on the number of per-process file descriptors'],
  [14, 'Maxsock', 'CLP', 'u32', 'Hard limit on the number of per-process sockets'],
  [15, 'Maxconn', 'CLP', 'u32', 'Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)'],
  [16, 'Hard_maxconn', 'CLP', 'u32', 'Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)'],
  [17, 'CurrConns', 'MGP', 'u32', 'Current number of connections on this worker process'],
  [18, 'CumConns', 'MCP', 'u32', 'Total number of connections on this worker process since started'],
  [19, 'CumReq', 'MCP', 'u32', 'Total number of requests on this worker process since started'],
  [20, 'MaxSslConns', 'MMP', 'u32', 'Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited'],
  [21, 'CurrSslConns', 'MGP', 'u32', 'Current number of SSL endpoints on this worker process (front+back)'],
  [22, 'CumSslConns', 'MCP', 'u32', 'Total number of SSL endpoints on this worker process since started (front+back)'],
  [23, 'Maxpipes', 'CLP', 'u32', 'Hard limit on the number of pipes for splicing, 0=unlimited'],
  [24, 'PipesUsed', 'MGP', 'u32', 'Current number of pipes in use in this worker process'],
  [25, 'PipesFree', 'MGP', 'u32', 'Current number of allocated and available pipes in this worker process'],
  [26, 'ConnRate', 'MRP', 'u32', 'Number of front connections created on this worker process over the last second', true],
  [27, 'ConnRateLimit', 'CLP', 'u32', 'Hard limit for ConnRate (global.maxconnrate)'],
  [28, 'MaxConnRate', 'MMP', 'u32', 'Highest ConnRate reached on this worker process since started (in connections per second)'],
  [29, 'SessRate', 'MRP', 'u32', 'Number of sessions created on this worker process over the last second', true],
  [30, 'SessRateLimit', 'CLP', 'u32', 'Hard limit for SessRate (global.maxsessrate)'],
  [31, 'MaxSessRate', 'MRP', 'u32', 'Highest SessRate reached on this worker process since started (in sessions per second)'],
  [32, 'SslRate', 'MRP', 'u32', 'Number of SSL connections created on this worker process over the last second', true],
  [33, 'SslRateLimit', 'CLP', 'u32', 'Hard limit for SslRate (global.maxsslrate)'],
  [34, 'MaxSslRate', 'MMP', 'u32', 'Highest SslRate reached on this worker process since started (in connections per second)'],
  [35, 'SslFrontendKeyRate', 'MGP', 'u32', 'Number of SSL keys created on frontends in this worker process over the last second', true, 'MRP'],
  [36, 'SslFrontendMaxKeyRate', 'MMP', 'u32', 'Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)'],
  [37, 'SslFrontendSessionReuse_pct', 'MGP', 'u32', 'Percent of frontend SSL connections which did not require a new key', true, 'MRP'],
  [38, 'SslBackendKeyRate', 'MRP', 'u32', 'Number of SSL keys created on backends in this worker process over the last second', true],
  [39, 'SslBackendMaxKeyRate', 'MMP', 'u32', 'Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)'],
  [40, 'SslCacheLookups', 'MCP', 'u32', 'Total number of SSL session ID lookups in the SSL session cache on this worker since started'],
  [41, 'SslCacheMisses', 'MCP', 'u32', 'Total number of SSL session ID lookups that didn\'t find a session in the SSL session cache on this worker since started'],
  [42, 'CompressBpsIn', 'MRP', 'u32', 'Number of bytes submitted to the HTTP compressor in this worker process over the last second', true],
  [43, 'CompressBpsOut', 'MRP', 'u32', 'Number of bytes emitted by the HTTP compressor in this worker process over the last second', true],
  [44, 'CompressBpsRateLim', 'CLP', 'u32', 'Limit of CompressBpsOut beyond which HTTP compression is automatically disabled'],
  [47, 'Tasks', 'MGP', 'u32', 'Total number of tasks in the current worker process (active + sleeping)'],
  [48, 'Run_queue', 'MGP', 'u32', 'Total number of active tasks+tasklets in the current worker process'],
  [49, 'Idle_pct', 'MaP', 'u32', 'Percentage of last second spent waiting in the current worker thread'],
  [50, 'node', 'COS', 'str', 'Node name (global.node)'],
  [51, 'description', 'COS', 'str', 'Node description (global.description)'],
  [52, 'Stopping', 'MGP', 'u32', '1 if the worker process is currently stopping, otherwise zero'],
  [53, 'Jobs', 'MGP', 'u32', 'Current number of active jobs on the current worker process (frontend connections, master connections, listeners)'],
  [54, 'Unstoppable Jobs', 'MGP', 'u32', 'Current number of unstoppable jobs on the current worker process (master connections)'],
  [55, 'Listeners', 'MGP', 'u32', 'Current number of active listeners on the current worker process'],
  [56, 'ActivePeers', 'MGP', 'u32', 'Current number of verified active peers connections on the current worker process'],
  [57, 'ConnectedPeers', 'MGP', 'u32', 'Current number of peers having passed the connection step on the current worker process'],
  [58, 'DroppedLogs', 'MGP', 'u32', 'Total number of dropped logs for current worker process since started'],
  [59, 'BusyPolling', 'MGP', 'u32', '1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)'],
  [60, 'FailedResolutions', 'MGP', 'u32', 'Total number of failed DNS resolutions in current worker process since started'],
  [61, 'TotalBytesOut', 'MGP', 'u64', 'Total number of bytes emitted by current worker process since started'],
  [62, 'TotalSplicdedBytesOut', 'MGP', 'u64', 'Total number of bytes emitted by current worker process through a kernel pipe since started'],
  [63, 'BytesOutRate', 'MRP', 'u64', 'Number of bytes emitted by current worker process over the last second'],
  [64, 'DebugCommandsIssued', 'MGP', 'u32', 'Number of debug commands issued on this process (anything > 0 is unsafe)'],
  [65, 'CumRecvLogs', 'MCP', 'u32', 'Total number of log messages received by log-forwarding listeners on this worker process since started'],
  [66, 'Build info', 'POS', 'str', 'Build info'],
  [67, 'Memmax_bytes', 'CLP', 'u32', 'Worker process\'s hard limit on memory usage in byes (-m on command line)'],
  [68, 'PoolAlloc_bytes', 'MGP', 'u64', 'Amount of memory allocated in pools (in bytes)'],
  [69, 'PoolUsed_bytes', 'MGP', 'u64', 'Amount of pool memory currently used (in bytes)'],
  [70, 'Start_time_sec', 'MDP', 'u32', 'Start time in seconds', true],
  [71, 'Tainted', 'SGP', 'str', 'Experimental features used'],
];

/** Every `show info` field, in print order. */
export const INFO_FIELDS: readonly InfoField[] = Object.freeze(
  ROWS.map(([pos, name, tags, type, desc, float, floatTags]) =>
    Object.freeze({ pos, name, tags, type, desc, float: float ?? false, floatTags: floatTags ?? tags }),
  ),
);
