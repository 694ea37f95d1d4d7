import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidInput } from '../errors/cohort-error.js';

/**
 * The JSON body, checked against a schema. Malformed JSON is a 400 (INVALID_INPUT), a body of the
 * wrong shape a ZodError (400 naming the field) — never a 500.
 */
export async function readBody<S extends z.ZodTypeAny>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw invalidInput(
      'The request body is not valid JSON.',
      'Send a JSON object with Content-Type: application/json.',
    );
  }
  return schema.parse(body) as z.output<S>;
}

/** The query string, checked against a schema; a key given several times becomes an array. */
export function readQuery<S extends z.ZodTypeAny>(c: Context, schema: S): z.output<S> {
  const all = c.req.queries();
  const query: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(all)) {
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return schema.parse(query) as z.output<S>;
}

/** A positive integer path parameter (an id); anything else is a 404, like an id that does not exist. */
export function idParam(c: Context, name: string): number {
  const text = c.req.param(name) ?? '';
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id))
    throw invalidInput(`'${name}' must be a positive integer id, not '${text}'.`);
  return id;
}
