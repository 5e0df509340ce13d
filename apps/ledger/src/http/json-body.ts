import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException } from './problem';

/**
 * Deepest nesting a request body may have. The deepest body the API takes is 3 levels
 * (an object in an array in the body); class-transformer walks a body recursively, and a
 * body nested thousands deep — 14 KB of brackets, under the size limit — overflowed its
 * stack: a 500.
 */
export const MAX_BODY_DEPTH = 16;

/** Whether `value` nests objects or arrays more than `max` levels deep (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * The JSON body parser. JSON is UTF-8 (RFC 8259 §8.1): Fastify's parser decoded any body
 * as UTF-8 whatever its charset said, and put U+FFFD in place of bytes that are not UTF-8,
 * so a personal-data value sent in Latin-1, or cut in the middle of a character, was
 * recorded altered, with no error. Here another charset is 415, bytes that are not UTF-8
 * are 400, and a body nested deeper than MAX_BODY_DEPTH is 400; the rest goes to Fastify's
 * own parser, with its refusals of `__proto__` and `constructor.prototype`.
 */
export function utf8JsonParser(fastify: FastifyInstance): (request: FastifyRequest, body: Buffer, done: Done) => void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ProblemException(415, 'UNSUPPORTED_MEDIA_TYPE', 'JSON is read as UTF-8 (RFC 8259): send charset=utf-8, or no charset'));
    } else if (!isUtf8(body)) {
      done(new ProblemException(400, 'MALFORMED_JSON', 'the body is not valid UTF-8'));
    } else {
      parseJson(request, body.toString('utf8'), (error, parsed) => {
        if (error) done(error);
        else if (nestsDeeperThan(parsed, MAX_BODY_DEPTH)) done(new ProblemException(400, 'BODY_TOO_DEEP', `the body nests deeper than ${MAX_BODY_DEPTH} levels`));
        else done(null, parsed);
      });
    }
  };
}
