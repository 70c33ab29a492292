/**
 * One runtime API session on a connected socket, framed exactly as HAProxy 2.6's CLI (see
 * ../shared/reference/haproxy-runtime-api.md §1):
 *
 * - Requests end at `\n` or an unescaped `;` (cli-parse.ts); bytes without a terminator are never run.
 * - One-shot mode (default): each answer is followed by `\n`, and once an answer is out and nothing
 *   more was received, lbd closes the connection (clients read to EOF).
 * - `prompt` toggles interactive mode: answers end with `\n> `, the connection stays open; while a
 *   `<<` payload is collected the prompt is `+ `.
 * - `set severity-output` prefixes messages (not dumps) with `[3]: ` or `[err]: `.
 *
 * Limits (HAProxy's are its 16 kB buffer): a request (line plus payload) is at most MAX_REQUEST_BYTES,
 * beyond it lbd answers an error and closes. Input waiting behind a running command is bounded
 * (reading pauses), and so is output: while more than OUTPUT_HIGH_WATER bytes are unsent, no further
 * command runs and reading pauses, so a client that sends but never reads holds at most one answer in
 * memory, costs no CPU, and is closed by the idle timeout (`stats timeout`, `set timeout cli`).
 */
import type { Socket } from 'node:net';
import type { AdminContext, AdminLevel } from './types.js';
import type { Answer, AnswerStream, CliState } from './command-types.js';
import { SEV, SEV_NAMES } from './command-types.js';
import { nextLine, splitWords, startsPayload } from './cli-parse.js';
import { newCliState, runCommand } from './commands.js';

/** Longest request (command line plus payload), HAProxy's default tune.bufsize. */
export const MAX_REQUEST_BYTES = 16384;
/** Unsent output beyond which the session stops running commands and reading until the socket drains. */
export const OUTPUT_HIGH_WATER = 256 * 1024;
/** Unread input beyond which reading pauses while a command runs. */
export const INPUT_HIGH_WATER = 64 * 1024;
/** A streaming client (`show events … -w`) that lets this much pile up unread is dropped. */
export const STREAM_MAX_PENDING = 1024 * 1024;

export interface CliSessionOptions {
  ctx: AdminContext;
  /** The socket's level: the session starts there. */
  level: AdminLevel;
  /** Idle timeout (`stats timeout`). */
  timeoutMs: number;
  /** The client already sent its end (FIN) with `head`. */
  ended?: boolean;
}

const latin1ToUtf8 = (s: string) => (/[\x80-\xff]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s);

export class CliSession {
  readonly state: CliState;
  /** Received bytes not yet run, one char per byte (latin1). */
  private input = '';
  /** The `… <<` line while its payload is collected, and the payload lines so far. */
  private payloadCmd: string | null = null;
  private payloadLines: string[] = [];
  private payloadBytes = 0;
  private busy = false;
  private inputEnded = false;
  private closed = false;
  private blockedOnDrain = false;
  private stopStream: (() => void) | null = null;
  private timeoutMs: number;

  constructor(
    private readonly sock: Socket,
    head: Buffer,
    private readonly opts: CliSessionOptions,
  ) {
    this.state = newCliState(opts.level, opts.timeoutMs);
    this.timeoutMs = opts.timeoutMs;
    sock.setTimeout(this.timeoutMs);
    sock.on('timeout', () => this.destroy());
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('end', () => {
      this.inputEnded = true;
      void this.pump();
    });
    sock.on('drain', () => {
      if (!this.blockedOnDrain || this.closed) return;
      this.blockedOnDrain = false;
      void this.pump();
    });
    sock.on('close', () => this.release());
    this.inputEnded = opts.ended ?? false;
    if (head.length) this.onData(head);
    else if (this.inputEnded) void this.pump();
  }

  /** Bytes written to the client and not yet sent (the admin server reports the largest; tests bound it). */
  pendingOutput(): number {
    return this.sock.writableLength;
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    if (this.stopStream) {
      // "any key to stop" a `-w` stream: the key is consumed, what follows it runs
      this.endStream();
      return;
    }
    this.input += d.toString('latin1');
    if (this.input.length > INPUT_HIGH_WATER) this.sock.pause();
    void this.pump();
  }

  /** Run every complete request received so far, in order, one at a time. */
  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      while (!this.closed && !this.stopStream && !this.blockedOnDrain) {
        const inPayload = this.payloadCmd !== null;
        const r = nextLine(this.input, inPayload);
        if (!r) {
          if (this.input.length + this.payloadBytes > MAX_REQUEST_BYTES) this.tooLong();
          else if (this.inputEnded) this.finish(); // a request without its terminator is never run
          break;
        }
        this.input = this.input.slice(r.used);
        if (r.line.length + this.payloadBytes > MAX_REQUEST_BYTES) {
          this.tooLong();
          break;
        }
        const line = latin1ToUtf8(r.line);
        if (inPayload) {
          if (line !== '') {
            this.payloadLines.push(line);
            this.payloadBytes += r.line.length + 1;
            this.write(this.state.interactive ? '+ ' : '');
            continue;
          }
          const cmd = this.payloadCmd!;
          const payload = this.payloadLines.join('\n');
          this.payloadCmd = null;
          this.payloadLines = [];
          this.payloadBytes = 0;
          await this.execute(cmd, payload);
        } else if (startsPayload(line)) {
          this.payloadCmd = line;
          this.payloadBytes = r.line.length + 1;
          this.write(this.state.interactive ? '+ ' : '');
          continue;
        } else {
          await this.execute(line, null);
        }
        this.closeIfDone();
      }
    } finally {
      this.busy = false;
    }
    if (!this.closed && !this.blockedOnDrain && this.sock.isPaused() && this.input.length <= INPUT_HIGH_WATER) this.sock.resume();
  }

  /** One-shot mode: once an answer is out and nothing more was received, close (HAProxy: empty request buffer). */
  private closeIfDone(): void {
    if (this.closed || this.stopStream || this.state.interactive || this.payloadCmd !== null) return;
    if (this.input.length === 0) this.finish();
  }

  private async execute(line: string, payload: string | null): Promise<void> {
    const { words, payload: marked } = splitWords(line);
    const answer = await runCommand(words, marked ? payload : null, { ctx: this.opts.ctx, state: this.state });
    if (this.closed) return;
    if (this.state.quit) return this.finish();
    if (this.state.timeoutMs !== this.timeoutMs) {
      this.timeoutMs = this.state.timeoutMs;
      this.sock.setTimeout(this.timeoutMs);
    }
    const text = this.withSeverity(answer);
    if (answer.stream) {
      this.write(text);
      this.startStream(answer.stream);
      return;
    }
    this.write(text + this.terminator());
  }

  /** What follows an answer: an empty line, plus the prompt in interactive mode. */
  private terminator(): string {
    return this.state.interactive ? '\n> ' : '\n';
  }

  private withSeverity(a: Answer): string {
    const mode = this.state.severityOutput;
    if (a.severity === undefined || mode === 'none') return a.text;
    return `[${mode === 'number' ? a.severity : SEV_NAMES[a.severity]}]: ${a.text}`;
  }

  private write(text: string): void {
    if (!text || this.closed) return;
    this.sock.write(text);
    if (this.sock.writableLength > OUTPUT_HIGH_WATER) {
      this.blockedOnDrain = true;
      this.sock.pause();
    }
  }

  /** Stream new lines until the client sends anything; no idle timeout meanwhile (it is not idle). */
  private startStream(stream: AnswerStream): void {
    this.sock.setTimeout(0);
    this.stopStream = stream.subscribe((text) => {
      if (this.closed) return;
      if (this.sock.writableLength > STREAM_MAX_PENDING) return this.destroy(); // never reads: drop it
      this.sock.write(text);
    });
  }

  private endStream(): void {
    this.stopStream?.();
    this.stopStream = null;
    this.sock.setTimeout(this.timeoutMs);
    this.write(this.terminator());
    this.closeIfDone();
    void this.pump();
  }

  private tooLong(): void {
    this.write(this.withSeverity({ text: `Request too long (limit ${MAX_REQUEST_BYTES} bytes): closing.\n`, severity: SEV.ERR }) + '\n');
    this.finish();
  }

  /** Close after what was written is sent (FIN, then the whole socket: HAProxy ends the session too). */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.input = '';
    this.sock.end(() => this.sock.destroy());
  }

  /** Close now (idle timeout, a streaming client that does not read). */
  destroy(): void {
    this.closed = true;
    this.sock.destroy();
  }

  private release(): void {
    this.closed = true;
    this.stopStream?.();
    this.stopStream = null;
  }
}
