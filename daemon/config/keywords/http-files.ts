/**
 * Files read at load for HTTP answers: `errorfile <code> <file>` and the `errorfile`/`file`/`lf-file`
 * bodies of `return` and `deny`. Like HAProxy, an errorfile must be a complete, valid HTTP response
 * (status line, headers, blank line, body matching any Content-Length); it is kept in memory, so later
 * changes to the file need a reload.
 */
import { readFileSync } from 'node:fs';
import type { ErrorFileConfig, HttpResponseFile } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS } from '../context.js';
import type { Keyword } from './table.js';

/** Status codes HAProxy generates itself, the ones `errorfile` may replace. */
export const ERRORFILE_CODES: readonly number[] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];

/** Read a file's bytes (as latin1 text), or an error message. */
export function readRaw(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(path, 'latin1') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { error: `error opening file '${path}' (${why})` };
  }
}

/** Parse a full HTTP response (CRLF or bare LF line ends); an empty text is allowed and parses to null. */
export function parseHttpResponse(path: string, raw: string): HttpResponseFile | { error: string } {
  if (raw === '') return { path, raw, parsed: null };
  const headEnd = /\r?\n\r?\n/.exec(raw);
  const head = headEnd ? raw.slice(0, headEnd.index) : raw;
  const body = headEnd ? raw.slice(headEnd.index + headEnd[0].length) : '';
  const lines = head.split(/\r?\n/);
  const status = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (status === null || !headEnd) return { error: `'${path}': unable to parse headers (expected a status line such as 'HTTP/1.0 503 Service Unavailable', headers and an empty line)` };
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(l);
    if (m === null) return { error: `'${path}': unable to parse header line '${l}'` };
    headers.push([m[1], m[2]]);
  }
  const cl = headers.find(([n]) => n.toLowerCase() === 'content-length');
  if (cl !== undefined && Number(cl[1]) !== body.length) {
    return { error: `'${path}': payload size does not match the announced content-length (${body.length} != ${cl[1]})` };
  }
  return { path, raw, parsed: { status: Number(status[1]), reason: status[2] ?? '', headers, body } };
}

/** Read and check a response file; an error message on failure. */
export function loadHttpResponse(path: string): HttpResponseFile | { error: string } {
  const r = readRaw(path);
  return 'error' in r ? r : parseHttpResponse(path, r.text);
}

/** `errorfile <code> <file>`: a later line for the same code replaces the earlier one (also one inherited from defaults). */
export const errorfileKeyword: Keyword<ProxyDraft> = {
  help: `<code> <file>: answer with this file (a full HTTP response, read at load) instead of lbd's own page for ${ERRORFILE_CODES.join(', ')}`,
  sections: PROXY_KINDS,
  parse(ctx, px) {
    if (!ctx.expectCount(2, '<status_code> and <file>')) return;
    const [codeWord, fileWord] = ctx.args;
    const code = Number(codeWord.text);
    if (!/^\d{3}$/.test(codeWord.text) || !ERRORFILE_CODES.includes(code)) return ctx.error(`status code '${codeWord.text}' not handled (expected one of ${ERRORFILE_CODES.join(', ')})`, codeWord);
    const file = loadHttpResponse(fileWord.text);
    if ('error' in file) return ctx.error(file.error, fileWord);
    const entry: ErrorFileConfig = { ...file, status: code, where: { file: ctx.line.file, line: ctx.line.line } };
    px.http.errorFiles = [...px.http.errorFiles.filter((e) => e.status !== code), entry];
  },
};
