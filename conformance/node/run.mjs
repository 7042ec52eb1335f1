#!/usr/bin/env node
// Runs the fixture corpus under tests/ through ajv 8 (its draft 2020-12
// build, ajv/dist/2020) with ajv-formats, and prints one JSON line per
// fixture:
//
//   {"runner":"ajv","schema":"task_info","file":"task_info/invalid/x.json",
//    "valid":false,"violations":[{"instancePath":"/x","keyword":"type"}]}
//
// or "skipped" with a reason instead of "valid" and "violations" (the
// limit_* fixtures test the Go library's payload limits, which are not part
// of the schemas).
//
// Payload bytes are decoded as strict UTF-8 (invalid UTF-8 is an error; a
// byte order mark is kept, and JSON.parse then rejects it) and parsed with
// JSON.parse, which reads every number as a double: docs/COMPATIBILITY.md
// lists what that changes. A payload that cannot be parsed is invalid with
// the keyword "json" at "".
//
// Usage: node run.mjs [--tests DIR] [--schemas DIR] [--bundle FILE] [--no-pattern]
// (defaults: tests/ and schema/ of this repository; with --bundle, the
// schemas come from that single-file bundle instead of the separate files;
// with --no-pattern, every "pattern" keyword is removed and only the schemas
// that had one are run, to show what format "date-time" alone decides).
// Install the dependencies first with `npm ci` in this directory.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function parseArgs(argv) {
  const args = { tests: join(root, "tests"), schemas: join(root, "schema"), bundle: null, noPattern: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--no-pattern") {
      args.noPattern = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--tests") args.tests = resolve(value);
    else if (flag === "--schemas") args.schemas = resolve(value);
    else if (flag === "--bundle") args.bundle = resolve(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (args.noPattern && args.bundle !== null) throw new Error("--no-pattern works with the separate schema files only");
  return args;
}

// dropPatterns removes every "pattern" keyword from a schema and reports
// whether there was one.
function dropPatterns(node) {
  let found = false;
  if (Array.isArray(node)) {
    for (const v of node) found = dropPatterns(v) || found;
  } else if (node !== null && typeof node === "object") {
    if (typeof node.pattern === "string") {
      delete node.pattern;
      found = true;
    }
    for (const v of Object.values(node)) found = dropPatterns(v) || found;
  }
  return found;
}

function newAjv() {
  // strict mode on, but union types ("type": ["integer", "null"]) are what
  // the schemas use for nullable fields, so allow them.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

// validatorsFor returns a Map from schema stem to a compiled validate function.
function validatorsFor(args) {
  const ajv = newAjv();
  const files = readdirSync(args.schemas).filter((f) => f.endsWith(".schema.json")).sort();
  const schemas = files.map((f) => [f.slice(0, -".schema.json".length), JSON.parse(readFileSync(join(args.schemas, f), "utf8"))]);
  const out = new Map();
  if (args.bundle === null) {
    const withPattern = new Set(schemas.filter(([, s]) => !args.noPattern || dropPatterns(s)).map(([stem]) => stem));
    for (const [, s] of schemas) ajv.addSchema(s);
    for (const [stem, s] of schemas) if (withPattern.has(stem)) out.set(stem, ajv.getSchema(s.$id));
    return out;
  }
  const bundle = JSON.parse(readFileSync(args.bundle, "utf8"));
  ajv.addSchema(bundle);
  for (const [stem, s] of schemas) {
    const validate = ajv.getSchema(`${bundle.$id}#/$defs/${s.title}`);
    if (!validate) throw new Error(`the bundle has no $defs/${s.title}`);
    out.set(stem, validate);
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function parse(bytes) {
  return JSON.parse(decoder.decode(bytes));
}

function escapeToken(t) {
  return String(t).replaceAll("~", "~0").replaceAll("/", "~1");
}

// violationsOf maps ajv's errors to leaf (instancePath, keyword) pairs, as
// tests/README.md describes the Go library's: a missing property at its own
// pointer, no "anyOf" entry, no "type" at a pointer with violations below it.
function violationsOf(errors) {
  const found = [];
  for (const e of errors ?? []) {
    if (e.keyword === "required") found.push([`${e.instancePath}/${escapeToken(e.params.missingProperty)}`, "required"]);
    else found.push([e.instancePath, e.keyword]);
  }
  const pointers = new Set(found.map(([p]) => p));
  const out = new Map();
  for (const [p, k] of found) {
    if (k === "anyOf") continue;
    if (k === "type" && [...pointers].some((q) => q.startsWith(`${p}/`))) continue;
    out.set(`${p}\u0000${k}`, { instancePath: p, keyword: k });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const runner = args.bundle !== null ? "ajv-bundle" : args.noPattern ? "ajv-no-pattern" : "ajv";
  const validators = validatorsFor(args);
  const lines = [];
  for (const stem of readdirSync(args.tests).sort()) {
    if (!statSync(join(args.tests, stem)).isDirectory()) continue;
    for (const validity of ["valid", "invalid"]) {
      const dir = join(args.tests, stem, validity);
      let names;
      try {
        names = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const line = { runner, schema: stem, file: `${stem}/${validity}/${name}` };
        const validate = validators.get(stem);
        if (name.startsWith("limit_")) {
          line.skipped = "limit_* fixtures test the Go library's payload limits, which are not part of the schemas";
        } else if (!validate) {
          line.skipped = args.noPattern ? `${stem} has no pattern` : `no schema ${stem}`;
        } else {
          let instance;
          let parsed = true;
          try {
            instance = parse(readFileSync(join(dir, name)));
          } catch {
            parsed = false;
          }
          if (!parsed) {
            line.valid = false;
            line.violations = [{ instancePath: "", keyword: "json" }];
          } else {
            line.valid = validate(instance);
            line.violations = line.valid ? [] : violationsOf(validate.errors);
          }
        }
        lines.push(JSON.stringify(line));
      }
    }
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main();
