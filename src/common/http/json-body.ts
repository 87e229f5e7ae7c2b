import { HttpStatus } from '@nestjs/common';
import secureJson from 'secure-json-parse';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';

/** The size a JSON body may have unless its route declares more (`@RouteConfig({ maxBodyBytes })`). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The most any route may declare: Redox messages. */
export const LARGEST_BODY_BYTES = 5 * 1024 * 1024;
/** No contract schema nests deeper than a handful of levels; 32 leaves room and bounds the parse. */
export const MAX_JSON_DEPTH = 32;

export interface BodyRouteConfig {
  maxBodyBytes?: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function maxBodyBytesFor(request: FastifyRequest): number {
  const declared = (request.routeOptions.config as BodyRouteConfig | undefined)?.maxBodyBytes;
  return typeof declared === 'number' ? Math.min(declared, LARGEST_BODY_BYTES) : DEFAULT_MAX_BODY_BYTES;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    HttpStatus.PAYLOAD_TOO_LARGE,
    `request body is too large: at most ${limit} bytes are accepted on this route`,
  );
}

/**
 * Whether the JSON text nests arrays and objects deeper than `maxDepth`. One pass over the bytes,
 * stopping at the first level too deep, so a hostile body costs no more than its length before it
 * is refused (JSON.parse itself would recurse and may overflow the stack).
 */
export function nestsDeeperThan(body: Buffer, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a parsed body's text cannot be stored, if it cannot: a NUL character (which PostgreSQL, under
 * the embedded database, cannot hold) or a lone UTF-16 surrogate from a `\uD8xx` escape (which is
 * not Unicode text, and would be stored as a replacement character). Keys count as text too.
 */
export function unstorableText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'text may not contain the NUL character (\\u0000)';
    if (LONE_SURROGATE.test(value)) return 'text is not valid Unicode (an unpaired \\uD800–\\uDFFF escape)';
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorableText(item);
      if (problem) return problem;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableText(key) ?? unstorableText(item);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Parses a JSON request body after checking its size, encoding and depth; every refusal is an ApiError. */
export function parseJsonBody(body: Buffer, maxBytes: number): unknown {
  if (body.length > maxBytes) throw tooLarge(maxBytes);
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new ApiError(HttpStatus.BAD_REQUEST, 'request body has an error: the body is not valid UTF-8');
  }
  if (text.trim() === '') throw new ApiError(HttpStatus.BAD_REQUEST, 'request body has an error: the body is empty');
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new ApiError(
      HttpStatus.BAD_REQUEST,
      `request body has an error: the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
    );
  }
  let parsed: unknown;
  try {
    parsed = secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch {
    throw new ApiError(HttpStatus.BAD_REQUEST, 'request body has an error: the body is not valid JSON');
  }
  const problem = unstorableText(parsed);
  if (problem) throw new ApiError(HttpStatus.BAD_REQUEST, `request body has an error: ${problem}`);
  return parsed;
}

/**
 * The only body parser: `application/json` (any parameters), checked by `parseJsonBody`; the URL's
 * parameters are checked for the same unstorable text. Every
 * other media type with a body is refused with 415 by Fastify. A declared `content-length` over the
 * route's limit is refused before the body is read.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  // The URL's parameters are text to be stored or matched as well (the embedded database's
  // PostgreSQL refuses a NUL in any text), so they obey the same rule as the body.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem = unstorableText(request.params) ?? unstorableText(request.query);
    if (problem) return done(new ApiError(HttpStatus.BAD_REQUEST, `request has an error: ${problem}`));
    done();
  });
  fastify.removeAllContentTypeParsers();
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const declared = Number(request.headers['content-length']);
    const limit = maxBodyBytesFor(request);
    if (Number.isFinite(declared) && declared > limit) return done(tooLarge(limit), payload);
    done(null, payload);
  });
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: LARGEST_BODY_BYTES },
    (request, body, done) => {
      try {
        done(null, parseJsonBody(body as Buffer, maxBodyBytesFor(request)));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}
