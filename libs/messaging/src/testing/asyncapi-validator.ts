import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** docs/asyncapi.yaml, loaded once, with validators by JSON pointer and message names by ce_type. */
export const asyncApi = parse(readFileSync(join(__dirname, '../../../../docs/asyncapi.yaml'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(asyncApi, 'asyncapi');

export function validatorAt(pointer: string): ValidateFunction {
  const v = ajv.getSchema(`asyncapi#${pointer}`);
  if (!v) throw new Error(`no schema at ${pointer}`);
  return v;
}

export const messageNameByCeType = new Map<string, string>(
  Object.entries(asyncApi.components.messages as Record<string, { 'x-ce-type': string }>).map(([name, m]) => [m['x-ce-type'], name]),
);

/** Validates one message as a consumer receives it; returns the problems, [] if none. */
export function contractProblems(headers: Record<string, string>, value: string | null): string[] {
  const name = messageNameByCeType.get(headers.ce_type ?? '');
  if (!name) return [`undocumented ce_type ${headers.ce_type}`];
  const problems: string[] = [];
  const h = validatorAt(`/components/messages/${name}/headers`);
  if (!h(headers)) problems.push(`${name} headers: ${JSON.stringify(h.errors)}`);
  const p = validatorAt(`/components/messages/${name}/payload`);
  if (!p(value === null ? null : JSON.parse(value))) problems.push(`${name} payload: ${JSON.stringify(p.errors)}`);
  return problems;
}
