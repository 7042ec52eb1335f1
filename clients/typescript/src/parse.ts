// parse and validate: a JSON payload checked by the validators that
// scripts/build-validators.mjs compiled ahead of time from the bundle (ajv's
// standalone code), with the violations the Go library reports for it:
// leaf JSON Pointers, JSON Schema keywords, and its messages where ajv has
// the same keyword.
import type { ErrorObject, ValidateFunction } from 'ajv';

import { strictViolation } from './strict.js';
import type { Types } from './types.gen.js';
import * as validators from './validators.gen.js';

/** A JSON payload: its text, or its bytes in UTF-8. */
export type Payload = string | Uint8Array;

/** One reason a payload was rejected, as the Go library's models.Violation. */
export interface Violation {
  /** A JSON Pointer (RFC 6901) into the payload; "" is the whole payload. */
  instancePath: string;
  /** The schema keyword that failed, or "json" for a payload that is not JSON. */
  keyword: string;
  /** What is wrong, worded as the Go library words it. */
  message: string;
}

/** The typed value, or the violations. */
export type Result<T> = { ok: true; value: T } | { ok: false; violations: Violation[] };

/** A schema's stem, such as "task_info". */
export type Stem = keyof Types;

const table = validators as unknown as Record<Stem, ValidateFunction>;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * parse reads a JSON payload and checks it against the schema of stem.
 * Bytes are decoded as strict UTF-8 (a byte order mark is kept, and then
 * refused by JSON.parse, as the Go library refuses it). As the Go library,
 * it refuses what JSON.parse takes but I-JSON does not: a duplicate key and
 * a lone UTF-16 surrogate (keyword "json" at the key's or string's pointer).
 */
export function parse<S extends Stem>(stem: S, payload: Payload): Result<Types[S]> {
  let value: unknown;
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : decoder.decode(payload);
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, violations: [{ instancePath: '', keyword: 'json', message: `payload is not JSON: ${(err as Error).message}` }] };
  }
  if (typeof payload === 'string' && !(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    return { ok: false, violations: [{ instancePath: '', keyword: 'json', message: 'payload holds a lone UTF-16 surrogate' }] };
  }
  const bad = strictViolation(text);
  if (bad !== undefined) return { ok: false, violations: [bad] };
  return validate(stem, value);
}

/** validate checks a value already parsed from JSON against the schema of stem. */
export function validate<S extends Stem>(stem: S, value: unknown): Result<Types[S]> {
  const fn = table[stem];
  if (fn === undefined) throw new Error(`no schema ${String(stem)}`);
  if (fn(value)) return { ok: true, value: value as Types[S] };
  return { ok: false, violations: violationsOf(fn.errors ?? []) };
}

function escapeToken(t: string): string {
  return t.replaceAll('~', '~0').replaceAll('/', '~1');
}

// jsonTypeOrder is the order in which the Go library lists wanted types.
const jsonTypeOrder = ['null', 'boolean', 'number', 'integer', 'string', 'array', 'object'];

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

// quote writes a string as the Go library's messages quote it: in single
// quotes, with Go's escapes for control characters, a backslash doubled.
function quote(s: string): string {
  const q = JSON.stringify(s).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${q}'`;
}

function numberText(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

// precedence: at one pointer the Go library reports the first failing of
// type, then enum or const, then format, then pattern, minimum and maximum.
const rank: Record<string, number> = { type: 0, enum: 1, const: 1, format: 2 };

/**
 * violationsOf turns ajv's errors into the Go library's violations: a
 * missing property at its own pointer, no anyOf entry, no type violation of
 * a container with violations inside it, the keywords at one pointer cut to
 * the Go library's first failing rank, messages as it words them.
 */
export function violationsOf(errors: ErrorObject[]): Violation[] {
  const byPointer = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const p = e.keyword === 'required' ? `${e.instancePath}/${escapeToken(String(e.params.missingProperty))}` : e.instancePath;
    if (!byPointer.has(p)) byPointer.set(p, []);
    byPointer.get(p)!.push(e);
  }
  const pointers = [...byPointer.keys()];
  const out: Violation[] = [];
  for (const [p, errs] of byPointer) {
    const union = errs.some((e) => e.keyword === 'anyOf');
    let kept = errs.filter((e) => e.keyword !== 'anyOf');
    if (kept.some((e) => e.keyword === 'type') && pointers.some((q) => q.startsWith(`${p}/`))) {
      kept = kept.filter((e) => e.keyword !== 'type');
    }
    const best = Math.min(...kept.map((e) => rank[e.keyword] ?? 3));
    kept = kept.filter((e) => (rank[e.keyword] ?? 3) === best || e.keyword === 'required');
    const types: string[] = [];
    for (const e of kept) {
      if (e.keyword === 'type') {
        for (const t of ([] as string[]).concat(e.schema as string | string[])) if (!types.includes(t)) types.push(t);
      }
    }
    if (!union) types.sort((a, b) => jsonTypeOrder.indexOf(a) - jsonTypeOrder.indexOf(b));
    const seen = new Set<string>();
    for (const e of kept) {
      if (seen.has(e.keyword)) continue;
      seen.add(e.keyword);
      out.push({ instancePath: p, keyword: e.keyword, message: message(e, types) });
    }
  }
  return out.sort((a, b) => (a.instancePath < b.instancePath ? -1 : a.instancePath > b.instancePath ? 1 : a.keyword < b.keyword ? -1 : 1));
}

// enumMessages caches the message of each enum (by its schema's array of
// values, which the compiled validators share).
const enumMessages = new WeakMap<unknown[], string>();

function message(e: ErrorObject, types: string[]): string {
  switch (e.keyword) {
    case 'required':
      return `missing required property ${JSON.stringify(e.params.missingProperty)}`;
    case 'type':
      return `got ${jsonType(e.data)}, want ${types.join(' or ')}`;
    case 'enum': {
      const allowed = e.params.allowedValues as unknown[];
      let m = enumMessages.get(allowed);
      if (m === undefined) {
        const vs = allowed.map((v) => (typeof v === 'string' ? quote(v) : JSON.stringify(v)));
        m = vs.length === 1 ? `value must be ${vs[0]}` : `value must be one of ${vs.join(', ')}`;
        enumMessages.set(allowed, m);
      }
      return m;
    }
    case 'const':
      return `value must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'minimum':
      return `must be at least ${numberText(e.schema)}, got ${numberText(e.data)}`;
    case 'maximum':
      return `must be at most ${numberText(e.schema)}, got ${numberText(e.data)}`;
    case 'format':
      return `${quote(String(e.data))} is not valid ${String(e.params.format)}`;
    case 'pattern':
      return `${quote(String(e.data))} does not match pattern ${quote(String(e.schema))}`;
  }
  return e.message ?? e.keyword;
}
