/**
 * Draw the model into one layout's widgets: the header line, each panel's data sized to the panel as it
 * is now, and the banner while lbd is unreachable. Every size decision (points, series, bars, donuts,
 * columns, rows) is made by the plain modules; this only measures panels and hands data over.
 */
import type { Widgets } from 'blessed';
import type { DashModel, Link } from './model.js';
import type { DashWidgets } from './layout.js';
import type { Palette } from './palette.js';
import { rateChart } from './series.js';
import { lastReal } from './history.js';
import { errorBars, httpBars } from './bars.js';
import { backendHealth, donutGeometry, donutLabel, healthTone, pickBackends } from './health.js';
import { serverTable } from './rows.js';
import { clock, cut, shortCount, shortDuration } from './text.js';

/** Set a panel's title: the first of `texts` that fits its top border (the last one cut to fit). */
function title(el: { width: unknown; setLabel(text: string): void }, ...texts: string[]): void {
  const room = Math.max(1, Number(el.width) - 6);
  el.setLabel(` ${cut(texts.find((t) => t.length <= room) ?? texts[texts.length - 1]!, room)} `);
}

/** The header: who we watch and the process's figures, the clock and the one key. */
export function headerText(model: DashModel, width: number): string {
  const s = model.snapshot;
  const right = ` ${clock(Date.now())}  q quit `;
  const room = Math.max(0, width - right.length - 1);
  let left: string;
  if (!s) left = ` lbd dash · ${model.opts.socket}`;
  else {
    const p = s.process;
    const fe = s.frontends.filter((f) => !f.configDisabled).length;
    const be = s.backends.filter((b) => !b.configDisabled).length;
    // [text, priority]: on a narrow screen the lowest priority goes first
    let parts: [string, number][] = [
      [`lbd ${p.version}`, 5],
      [`pid ${p.pid}`, 1],
      [`up ${shortDuration(p.now - p.startedAt)}`, 3],
      [`${fe} frontends`, 0],
      [`${be} backends`, 0],
      [`${p.currConns} conns`, 4],
      [`${p.connRate} conn/s`, 4],
    ];
    const http = s.frontends.filter((f) => f.mode === 'http' && !f.configDisabled && f.counters.httpReqs !== undefined);
    if (http.length) parts.push([`${Math.round(http.reduce((n, f) => n + (f.counters.reqRate ?? 0), 0) * 10) / 10} req/s`, 4]);
    if (p.stopping) parts.push(['STOPPING', 9]);
    const text = () => ` ${parts.map(([t]) => t).join(' · ')}`;
    while (text().length > room && parts.length > 1) {
      const low = Math.min(...parts.map(([, pr]) => pr));
      const i = parts.findIndex(([, pr]) => pr === low);
      parts = parts.filter((_, k) => k !== i);
    }
    left = text();
  }
  left = cut(left, room);
  return left + ' '.repeat(Math.max(0, width - left.length - right.length)) + right;
}

/** The banner's text for a connection that is not open, or null when it is. */
export function bannerText(link: Link, socket: string, now = Date.now()): string | null {
  const retry = (at: number | null) => (at === null ? 'retrying' : `retrying in ${Math.max(0, Math.ceil((at - now) / 1000))}s`);
  switch (link.state) {
    case 'open':
      return null;
    case 'connecting':
      return link.attempt === 0
        ? `connecting to lbd at ${socket} …`
        : `lbd is unreachable at ${socket}\n${link.error ?? ''}\n${retry(link.retryAt)} (attempt ${link.attempt}) · q quits`;
    case 'lost':
      return `connection to lbd lost (${socket})\n${link.error ?? ''}\n${retry(link.retryAt)}${link.attempt ? ` (attempt ${link.attempt})` : ''} · figures shown are from before · q quits`;
    case 'fatal':
      return `cannot talk to lbd at ${socket}\n${link.error}\nq quits`;
  }
}

function drawRate(w: DashWidgets, model: DashModel, p: Palette): void {
  const width = Number(w.rate.width);
  const height = Number(w.rate.height);
  const maxPoints = Math.max(2, Math.floor((width * 2 - 12 - 24) / 2));
  const chart = rateChart(model.history.ticks, { maxPoints, maxSeries: Math.max(1, Math.min(7, height - 6)) });
  const titleWidth = Math.min(22, Math.max(8, ...chart.series.map((s) => s.title.length)));
  w.rate.options.legend = { width: titleWidth + 2 };
  w.rate.options.maxY = chart.maxY;
  w.rate.options.numYLabels = chart.steps;
  w.rate.setData(chart.series.map((s, i) => ({ title: cut(s.title, titleWidth), x: chart.labels, y: s.y, style: { line: p.series(i) } })));
  // the widget draws its legend with a black border, invisible on a dark terminal
  const legend = (w.rate as unknown as { legend?: Widgets.BoxElement }).legend;
  if (legend) legend.style.border = p.frame ? { fg: p.frame } : {};
  title(w.rate, `sessions/s per backend · last ${shortDuration(model.windowMs)} · peak ${Math.round(chart.peak * 10) / 10}`, 'sessions/s per backend');
}

function drawHealth(w: DashWidgets, model: DashModel, p: Palette): void {
  const all = model.snapshot ? backendHealth(model.snapshot) : [];
  const g = donutGeometry(Number(w.health.width), Number(w.health.height), all.length);
  const shown = pickBackends(all, g.capacity);
  w.health.options.radius = g.radius;
  w.health.options.arcWidth = g.arcWidth;
  w.health.setData(shown.map((h) => ({ percent: h.total ? h.healthy / h.total : 0, label: donutLabel(h, g.labelChars), color: p.ink(healthTone(h)) })));
  const healthy = all.filter((h) => h.healthy === h.total).length;
  const more = all.length > shown.length ? ` · ${all.length - shown.length} more, least healthy shown` : '';
  title(w.health, `healthy servers · all up: ${healthy}/${all.length}${more}`, `healthy servers · all up: ${healthy}/${all.length}`, 'healthy servers');
}

function drawServers(w: DashWidgets, model: DashModel, p: Palette): void {
  if (!model.snapshot) {
    w.servers.setData({ headers: ['waiting for the first snapshot …'], data: [] });
    return;
  }
  // the table's rows start one column in and lose its border; the header line takes two lines
  const width = Number(w.servers.width) - 4;
  const lines = Number(w.servers.height) - 4;
  const t = serverTable(model.snapshot, { width, lines, gap: w.tableGap, palette: p });
  w.servers.options.columnWidth = t.columnWidth;
  w.servers.setData({ headers: t.headers, data: t.rows });
  // the widget puts the header one column left of the rows, over an empty line: align it, rule it
  const head = t.headers.map((h, i) => h.padEnd(t.columnWidth[i]!)).join(' '.repeat(w.tableGap)).trimEnd();
  w.servers.setContent(` ${p.bold(head)}\n ${p.paint('muted', '─'.repeat(Math.min(width, head.length)))}`);
  const hidden = t.hidden ? ` · ${t.total - t.hidden} of ${t.total} shown, problems first` : ` · ${t.total}`;
  title(w.servers, `servers${hidden}`, 'servers');
}

function drawErrors(w: DashWidgets, model: DashModel): void {
  const inner = Number(w.errors.width) - 4;
  const ticks = model.history.ticks;
  // HTTP: up to six bars of three-letter classes (5 cells each at least); else one bar per backend
  const http = httpBars(ticks);
  const count = http ? 6 : Math.max(1, lastReal(ticks)?.backends?.size ?? 1);
  const least = http ? 5 : 6;
  const maxBars = Math.max(1, Math.floor(inner / least));
  const bars = errorBars(ticks, { maxBars, titleWidth: Math.max(least, Math.min(16, Math.floor(inner / Math.min(count, maxBars)))) - 1 });
  const spacing = Math.max(least, Math.min(16, Math.floor(inner / Math.max(1, bars.titles.length))));
  w.errors.options.barSpacing = spacing;
  w.errors.options.barWidth = Math.max(2, Math.min(8, spacing - 3));
  // the widget writes each value with toString() over a bar a few cells wide: a number that keeps its
  // value (the bar's height) but writes itself short (`19k`), so labels do not run into each other
  w.errors.setData({ titles: bars.titles, data: bars.data.map((n) => Object.assign(new Number(n), { toString: () => shortCount(n) }) as unknown as number) });
  const note = bars.note ? ` · ${bars.note}` : '';
  const more = bars.hidden ? ` · ${bars.hidden} more` : '';
  title(w.errors, `${bars.title}${note}${more}`, `${bars.title}${note}`, ...(http ? [`responses by class${note}`, `responses${note}`, `HTTP${note}`, 'HTTP responses'] : [bars.title]));
}

function drawEvents(w: DashWidgets, model: DashModel): void {
  w.events.setItems(model.log.slice(-200).map((l) => l.line) as unknown as Widgets.BlessedElement[]);
  w.events.setScrollPerc(100);
}

function drawBanner(w: DashWidgets, model: DashModel): void {
  const text = bannerText(model.link, model.opts.socket);
  if (text === null) {
    w.banner.hide();
    return;
  }
  const screenWidth = Number(w.root.width);
  const lines = text.split('\n');
  const width = Math.min(screenWidth - 2, Math.max(50, ...lines.map((l) => l.length + 6)));
  w.banner.width = width;
  w.banner.height = lines.reduce((n, l) => n + Math.max(1, Math.ceil(l.length / (width - 2))), 0) + 2;
  w.banner.setContent(text);
  w.banner.show();
  w.banner.setFront();
}

/** Draw everything from the model (the screen's render() follows). */
export function draw(w: DashWidgets, model: DashModel, p: Palette): void {
  w.header.setContent(headerText(model, Number(w.header.width)));
  drawRate(w, model, p);
  drawHealth(w, model, p);
  drawServers(w, model, p);
  drawErrors(w, model);
  drawEvents(w, model);
  drawBanner(w, model);
}
