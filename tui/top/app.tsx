/**
 * The `lbctl top` Ink app: thin. It draws buildScreen()'s lines, passes key presses to onKey() and
 * runs the effects (requests through the client, quit). Redraws happen when the feed changes (at most
 * every 100 ms), on a key, on a resize and once a second for the clocks; Ink's maxFps and incremental
 * rendering keep the terminal traffic to the lines that changed.
 */
import React, { useEffect, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import { Box, useApp, useInput, useStdin, useStdout } from 'ink';
import { describeReload, describeTargets, type ActionPlan, type Outcome } from './actions.js';
import type { Feed, TopClient } from './feed.js';
import { glyphsFor } from './glyphs.js';
import { keyName } from './keys.js';
import { LineView } from './line-view.js';
import { buildScreen, type ScreenOptions } from './screen.js';
import { initialUi, onKey, onReply, type UiState } from './state.js';
import type { ReloadOutcome, ServerTarget } from '../../shared/protocol.js';

export interface AppProps {
  client: Pick<TopClient, 'request'>;
  feed: Feed;
  opts: ScreenOptions & { color: boolean };
  /** The clock (tests pin it). */
  now?: () => number;
  /** Redraw period for clocks and ages, ms (default 1000). */
  tickMs?: number;
}

function useTerminalSize(): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const on = () => setSize(read());
    stdout.on('resize', on);
    return () => {
      stdout.off('resize', on);
    };
  }, [stdout]);
  return size;
}

/** Send a confirmed plan; the reply (or the failure) comes back as an Outcome. */
export async function sendPlan(client: Pick<TopClient, 'request'>, plan: ActionPlan, arrow: string): Promise<Outcome> {
  const r = plan.request;
  try {
    if (r.op === 'reload') return describeReload((await client.request('reload', r.fields)) as ReloadOutcome);
    const res = (await client.request(r.op, r.fields as never)) as { targets: ServerTarget[] };
    return describeTargets(plan, res.targets, arrow);
  } catch (e) {
    const msg = (e as Error).message;
    return { ok: false, summary: `${plan.title}: ${msg}`, lines: [msg] };
  }
}

export function App({ client, feed, opts, now = Date.now, tickMs = 1000 }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize();
  useSyncExternalStore(feed.subscribe, () => feed.state.version);
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const lastDraw = useRef(0);
  useEffect(() => {
    // clocks and ages move once a second: redraw for them only when nothing else did in that second
    const t = setInterval(() => {
      if (now() - lastDraw.current >= tickMs * 0.9) tick();
    }, tickMs);
    return () => clearInterval(t);
  }, [tickMs]);
  const uiRef = useRef<UiState>(initialUi());
  const [, setUi] = useState<UiState>(uiRef.current);
  const apply = (next: UiState) => {
    uiRef.current = next;
    setUi(next);
  };
  const screenFor = (ui: UiState) => buildScreen({ feed: feed.state, rates: feed.rates, ui, cols: size.cols, rows: size.rows, opts, now: now() });

  const handle = (name: string, input: string) => {
    // the context is rebuilt from the latest state: two keys between frames act on what the first did
    const step = onKey(uiRef.current, name, input, screenFor(uiRef.current).ctx);
    apply(step.ui);
    for (const e of step.effects) {
      if (e.kind === 'quit') exit();
      else void sendPlan(client, e.plan, glyphsFor(opts.ascii).arrow).then((o) => apply(onReply(uiRef.current, e.id, o, now())));
    }
  };
  useInput(
    (input, key) => {
      // keys typed faster than a read (or over a slow SSH link) arrive as one string: each is a key,
      // except in a prompt, where a paste is text
      const plain = !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab && !key.backspace && !key.delete;
      if (plain && [...input].length > 1 && uiRef.current.mode.kind !== 'prompt') for (const ch of input) handle(keyName(ch, {}), ch);
      else handle(keyName(input, key), input);
    },
    { isActive: isRawModeSupported === true },
  );

  const screen = screenFor(uiRef.current);
  lastDraw.current = now();
  return (
    <Box flexDirection="column">
      {screen.lines.map((l, i) => (
        <LineView key={i} line={l} color={opts.color} />
      ))}
    </Box>
  );
}
