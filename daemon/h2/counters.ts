import type { H2Snapshot } from '../../shared/snapshot.js';

/**
 * HTTP/2 counters of a frontend or backend: HAProxy's `h2` stats module (the `h2_*` columns of
 * `show stat`), plus lbd's own count of connections closed for flooding.
 */
export class H2Counters {
  headersRcvd = 0;
  dataRcvd = 0;
  settingsRcvd = 0;
  rstRcvd = 0;
  goawayRcvd = 0;
  connProtoErrors = 0;
  streamProtoErrors = 0;
  rstResp = 0;
  goawayResp = 0;
  openConns = 0;
  totalConns = 0;
  openStreams = 0;
  totalStreams = 0;
  /** Connections closed with ENHANCE_YOUR_CALM (rapid reset, CONTINUATION, ping/settings floods). */
  floods = 0;

  /** `clear counters all` (the open gauges stay). */
  clear(): void {
    this.headersRcvd = this.dataRcvd = this.settingsRcvd = this.rstRcvd = this.goawayRcvd = 0;
    this.connProtoErrors = this.streamProtoErrors = this.rstResp = this.goawayResp = 0;
    this.totalConns = this.totalStreams = this.floods = 0;
  }

  /** For the snapshot: absent until the first HTTP/2 connection. */
  view(): { h2?: H2Snapshot } {
    if (this.totalConns === 0) return {};
    return {
      h2: {
        headersRcvd: this.headersRcvd, dataRcvd: this.dataRcvd, settingsRcvd: this.settingsRcvd, rstRcvd: this.rstRcvd,
        goawayRcvd: this.goawayRcvd, connProtoErrors: this.connProtoErrors, streamProtoErrors: this.streamProtoErrors,
        rstResp: this.rstResp, goawayResp: this.goawayResp, openConns: this.openConns, totalConns: this.totalConns,
        openStreams: this.openStreams, totalStreams: this.totalStreams, floods: this.floods,
      },
    };
  }
}
