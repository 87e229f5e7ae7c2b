import { isUtf8 } from 'node:buffer';
import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error';

/** Deeper JSON than any contract body needs; deeper documents are refused before they are parsed. */
export const MAX_JSON_DEPTH = 32;

export const JSON_BODY_ERRORS = {
  notUtf8: 'request body has an error: the body is not valid UTF-8',
  tooDeep: `request body has an error: the body is nested deeper than ${MAX_JSON_DEPTH} levels`,
} as const;

/**
 * True when the JSON text nests arrays/objects deeper than `maxDepth`. One pass over the text,
 * stopping at the first level too deep, so a hostile body costs microseconds per kilobyte instead
 * of a recursive parse (and a stack overflow) further down.
 */
export function exceedsJsonDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/**
 * The only body parser: `application/json`, valid UTF-8, at most {@link MAX_JSON_DEPTH} levels, with
 * Fastify's own JSON parsing (which refuses `__proto__` and `constructor` poisoning). Every other
 * media type is answered 415 by Fastify, so form and text bodies never reach a JSON route.
 */
export function useJsonBodiesOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new ApiError(HttpStatus.BAD_REQUEST, JSON_BODY_ERRORS.notUtf8), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    if (exceedsJsonDepth(text)) {
      done(new ApiError(HttpStatus.BAD_REQUEST, JSON_BODY_ERRORS.tooDeep), undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
