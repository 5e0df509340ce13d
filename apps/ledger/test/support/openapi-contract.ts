import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathPattern } from '../../src/http/routes';

/**
 * docs/openapi.json as a contract every e2e response is held to (the harness calls
 * `responseProblems` on each): the status must be one the operation lists, and the body
 * must match that response's schema. The snapshot test holds the file equal to what the
 * service serves.
 */
type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const openapi = JSON.parse(readFileSync(join(__dirname, '../../../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(openapi, 'openapi');

/** Path templates as patterns, the most literal first (`/v1/subjects` before `/v1/subjects/{subjectId}`). */
const routes = Object.keys(openapi.paths)
  .map((template) => ({ template, pattern: pathPattern(template), params: (template.match(/\{/g) ?? []).length }))
  .sort((a, b) => a.params - b.params);

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');
const validators = new Map<string, ValidateFunction>();

/** What is wrong with a response against the document; [] when nothing (or the path is not in it). */
export function responseProblems(method: string, url: string, status: number, contentType: string, body: unknown): string[] {
  const path = url.split('?')[0]!;
  const route = routes.find((r) => r.pattern.test(path));
  const operation = route && openapi.paths[route.template]![method.toLowerCase()];
  if (!route || !operation) return []; // an unknown route: 404, and nothing to hold it to
  const response = operation.responses[String(status)];
  if (!response) return [`${method} ${route.template}: status ${status} is not documented`];
  const media = Object.keys(response.content ?? {}).find((m) => contentType.startsWith(m));
  if (!media) return response.content ? [`${method} ${route.template} ${status}: content-type ${contentType} is not documented`] : [];
  if (!media.includes('json')) return [];
  const key = `${route.template} ${method} ${status} ${media}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.getSchema(`openapi#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(status), 'content', media, 'schema')}`);
    if (!validate) return [`${key}: no schema`];
    validators.set(key, validate);
  }
  return validate(body) ? [] : [`${method} ${route.template} ${status}: ${ajv.errorsText(validate.errors)}`];
}
