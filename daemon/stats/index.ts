/**
 * Formatters of the runtime API's read commands: pure functions of a Snapshot (design principle 5),
 * byte-compatible with HAProxy 2.6 (see ../shared/reference/haproxy-runtime-api.md §2.2–2.6).
 * Each answer is returned without the empty line that ends it on the socket (the CLI adds it).
 */
export { showStat, statRows, parseShowStatArgs, resolveStatProxy, STAT_TYPE, type ShowStatOptions } from './show-stat.js';
export { showInfo, RELEASE_DATE, type ShowInfoOptions } from './show-info.js';
export { showServersState, showBackend, SERVERS_STATE_HEADER } from './servers-state.js';
export { CSV_HEADER, STAT_FIELDS } from './fields.js';
