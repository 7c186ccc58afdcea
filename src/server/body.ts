/**
 * Request bodies, read here instead of by restify's body parser (whose gzip stream had no `error`
 * listener, so one corrupt compressed body ended the process, and whose size limit counted the
 * compressed bytes, so a small gzip body could inflate to hundreds of megabytes).
 *
 * - Content-Encoding: none/`identity`, `gzip` (`x-gzip`), `deflate` or `br`, decoded with node:zlib;
 *   any other (or a list of several) is 415. A corrupt encoding is 400. Every stream has an `error`
 *   listener, so nothing a client sends can throw outside the request.
 * - The size limit applies to the bytes received and to the decoded bytes: 413 beyond either.
 * - A non-empty body must be JSON (`application/json` or `…+json`, UTF-8): 415 otherwise, 400 when it
 *   is not valid UTF-8 or not valid JSON.
 * - Nesting is limited (400 naming the field that nests too deeply: a 10,000-deep object used to
 *   make JSON.stringify overflow the stack later in the turn), and `__proto__` keys (and
 *   `constructor.prototype`) are dropped, as secure JSON parsers do.
 *
 * Nothing of the body or the headers is logged here or anywhere else.
 */
import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import type restify from 'restify';
import { formatPath, type Problem } from '../validation.js';

/** How deeply objects and arrays may nest in a JSON body. */
export const MAX_JSON_DEPTH = 64;

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    /** bad-request | too-large | unsupported-media-type */
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** A decoder for a Content-Encoding; null for none; BodyError 415 for one we do not accept. */
function decoderFor(encoding: string | undefined): Transform | null {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === '' || e === 'identity') return null;
  if (e === 'gzip' || e === 'x-gzip') return createGunzip();
  if (e === 'deflate') return createInflate();
  if (e === 'br') return createBrotliDecompress();
  throw new BodyError(415, 'unsupported-media-type', 'expected no content-encoding, or gzip, deflate or br');
}

/**
 * The whole body, decoded, at most `maxBytes` received and at most `maxBytes` decoded. Rejects with
 * a BodyError (never anything else); the request is drained, never left half-read.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let decoder: Transform | null;
    try {
      decoder = decoderFor(headerOf(req, 'content-encoding'));
    } catch (e) {
      req.resume();
      reject(e);
      return;
    }
    const declared = Number(headerOf(req, 'content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      reject(new BodyError(413, 'too-large', `expected a body of at most ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let decoded = 0;
    let settled = false;
    const fail = (error: BodyError) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      decoder?.destroy();
      req.resume(); // drain what is left; nothing more is kept
      reject(error);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    };
    const tooLarge = () => fail(new BodyError(413, 'too-large', `expected a body of at most ${maxBytes} bytes`));
    if (decoder) {
      decoder.on('data', (c: Buffer) => {
        if (settled) return;
        decoded += c.length;
        if (decoded > maxBytes) tooLarge();
        else chunks.push(c);
      });
      decoder.on('error', () => fail(new BodyError(400, 'bad-request', 'the body could not be decoded (corrupt content-encoding)')));
      decoder.on('end', finish);
    }
    req.on('data', (c: Buffer) => {
      if (settled) return;
      received += c.length;
      if (received > maxBytes) return tooLarge();
      if (decoder) decoder.write(c);
      else chunks.push(c);
    });
    req.on('error', () => fail(new BodyError(400, 'bad-request', 'the request could not be read')));
    req.on('aborted', () => fail(new BodyError(400, 'bad-request', 'the request was aborted')));
    req.on('end', () => {
      if (settled) return;
      if (decoder) decoder.end();
      else finish();
    });
  });
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** BodyError 415 unless the request declares JSON in UTF-8. */
function checkJsonType(req: IncomingMessage): void {
  const type = headerOf(req, 'content-type') ?? '';
  const [media = '', ...params] = type.split(';').map((s) => s.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/^"|"$/g, '');
  if (!JSON_TYPE.test(media) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new BodyError(415, 'unsupported-media-type', 'expected content-type application/json (UTF-8)');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Walks a parsed JSON value without recursion: drops `__proto__` keys (and a `constructor` key that
 * holds a `prototype`), and returns the path of the first value nested deeper than `maxDepth`.
 */
export function sanitizeJson(value: unknown, maxDepth = MAX_JSON_DEPTH): (string | number)[] | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= maxDepth) return path;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, '__proto__')) Reflect.deleteProperty(o, '__proto__');
    const ctor = Object.hasOwn(o, 'constructor') ? o.constructor : undefined;
    if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) Reflect.deleteProperty(o, 'constructor');
    for (const k of Object.keys(o)) stack.push({ v: o[k], path: [...path, k] });
  }
  return null;
}

/** A JSON body as a value (undefined when the body is empty); BodyError for anything else. */
export async function readJson(req: IncomingMessage, maxBytes: number, root: string): Promise<unknown> {
  const raw = await readBody(req, maxBytes);
  if (raw.length === 0) return undefined;
  checkJsonType(req);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BodyError(400, 'bad-request', 'expected a body in UTF-8');
  }
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError(400, 'bad-request', 'expected a JSON body');
  }
  const deep = sanitizeJson(value);
  if (deep) {
    const shown = deep.length > 4 ? [...deep.slice(0, 4)] : deep;
    const path = formatPath(root, shown) + (deep.length > 4 ? '…' : '');
    throw new BodyError(400, 'bad-request', 'nested too deeply', [{ path, message: `expected at most ${MAX_JSON_DEPTH} levels of nesting` }]);
  }
  return value;
}

export interface JsonBodyOptions {
  maxBytes: number;
  /** The name of the body in problems (`activity`, `body`). */
  root: string;
  /** The error body for a refusal (the route's own error format). */
  errorBody?: (e: BodyError) => unknown;
}

/** `{ error: code }`, with the problems when there are some. */
export const plainErrorBody = (e: BodyError): unknown => (e.problems.length ? { error: e.code === 'bad-request' ? 'invalid-body' : e.code, problems: e.problems } : { error: e.code });

/**
 * A restify handler that reads a JSON body into `req.body` (undefined when empty), or answers the
 * refusal and ends the chain.
 */
export function jsonBody(options: JsonBodyOptions): restify.RequestHandler {
  const errorBody = options.errorBody ?? plainErrorBody;
  return function readJsonBody(req: restify.Request, res: restify.Response, next: restify.Next): void {
    readJson(req, options.maxBytes, options.root).then(
      (value) => {
        req.body = value;
        next();
      },
      (e: unknown) => {
        const error = e instanceof BodyError ? e : new BodyError(400, 'bad-request', 'the body could not be read');
        res.setHeader('connection', 'close');
        if (error.status === 415) res.setHeader('accept-encoding', 'gzip, deflate, br');
        res.send(error.status, errorBody(error));
        next(false);
      },
    );
  };
}
