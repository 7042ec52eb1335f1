#!/usr/bin/env node
// The ajv column of the cross-language comparison (bench/compare.sh,
// docs/PERFORMANCE.md).
//
// Times ajv 8 from the bytes of a payload, as Go and pydantic get them: each
// call decodes the bytes as strict UTF-8 (TextDecoder with fatal: true, which
// throws on a malformed sequence, as Go rejects one), parses the string with
// JSON.parse and runs the compiled validator (ajv/dist/2020, with
// ajv-formats, allErrors, strict mode as in conformance/node), on the
// payload files of testdata/bench/ with the schema files of schema/. For an
// invalid payload the call includes building validate.errors, every error
// with its message.
//
// It speaks the runner protocol of bench/compare.go. At start it checks each
// payload's verdict: the valid one must validate, and the invalid one must
// give exactly the violations of expected_invalid.json (leaf errors: no
// "anyOf", and no "type" at a pointer with errors below it). Then it prints
// its version and {"ready":true}, and reads one command per line from stdin,
//
//   {"runtime":"ajv","model":"task_info","payload":"valid","target_ns":20000000}
//
// answering each with {"ns":<nanoseconds per call>} for one timed loop of
// calls that lasts at least target_ns (see timed; the first command for a
// payload runs one such loop untimed first, to warm up the JIT), or
// {"error":"..."}. It stops at the end of stdin.
//
// Usage (from the repository root; run `npm ci` in bench/node first;
// bench/compare.sh does both):
//
//   go run bench/compare.go -- "node bench/node/bench.mjs --dir testdata/bench --schemas schema"

import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

function parseArgs(argv) {
  const args = { dir: "testdata/bench", schemas: "schema" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--dir") args.dir = resolve(value);
    else if (flag === "--schemas") args.schemas = resolve(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

function validators(dir) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const byStem = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort()) {
    const s = JSON.parse(readFileSync(join(dir, f), "utf8"));
    ajv.addSchema(s);
    byStem.set(f.slice(0, -".schema.json".length), s.$id);
  }
  const out = new Map();
  for (const [stem, id] of byStem) out.set(stem, ajv.getSchema(id));
  return out;
}

function leaves(errors) {
  const pointers = errors.map((e) => e.instancePath);
  const out = new Set();
  for (const e of errors) {
    if (e.keyword === "anyOf") continue;
    if (e.keyword === "type" && pointers.some((p) => p.startsWith(e.instancePath + "/"))) continue;
    if (e.keyword === "required") {
      // Reported, as the library does, at the missing property's pointer.
      const token = e.params.missingProperty.replaceAll("~", "~0").replaceAll("/", "~1");
      out.add(`${e.instancePath}/${token} required`);
      continue;
    }
    out.add(`${e.instancePath} ${e.keyword}`);
  }
  return [...out].sort();
}

// decoder turns bytes into a string, throwing on malformed UTF-8.
const decoder = new TextDecoder("utf-8", { fatal: true });

function check(validate, bytes, valid, want) {
  const ok = validate(JSON.parse(decoder.decode(bytes)));
  if (valid) {
    if (!ok) throw new Error(`the valid payload is rejected: ${JSON.stringify(validate.errors)}`);
    return;
  }
  if (ok) throw new Error("the invalid payload is accepted");
  const got = leaves(validate.errors);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`violations ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

// loop times n calls; sink keeps the results alive so that nothing is
// optimised away.
let sink = 0;
function loop(validate, bytes, valid, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (validate(JSON.parse(decoder.decode(bytes))) !== valid) throw new Error("verdict changed");
    if (!valid) sink += validate.errors.length;
  }
  return Number(process.hrtime.bigint() - start);
}

// timed runs calls until at least targetNs has passed and returns the
// nanoseconds per call. The clock is read after chunks of calls that double
// in size until they take about a sixteenth of targetNs, so that a loop never
// ends early and a pause of the process adds at most its own length to
// targetNs of work.
function timed(validate, bytes, valid, targetNs) {
  let calls = 0;
  let chunk = 1;
  let elapsed = 0;
  while (elapsed < targetNs) {
    elapsed += loop(validate, bytes, valid, chunk);
    calls += chunk;
    if (elapsed < targetNs / 16) chunk *= 2;
  }
  return elapsed / calls;
}

// loopParse and timedParse are loop and timed for the package's parse.
function loopParse(job, bytes, valid, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = job.parse(job.stem, bytes);
    if (res.ok !== valid) throw new Error("verdict changed");
    if (!valid) sink += res.violations.length;
  }
  return Number(process.hrtime.bigint() - start);
}

function timedParse(job, bytes, valid, targetNs) {
  let calls = 0;
  let chunk = 1;
  let elapsed = 0;
  while (elapsed < targetNs) {
    elapsed += loopParse(job, bytes, valid, chunk);
    calls += chunk;
    if (elapsed < targetNs / 16) chunk *= 2;
  }
  return elapsed / calls;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const require = createRequire(import.meta.url);
  const ajvVersion = require("ajv/package.json").version;
  const formatsVersion = require("ajv-formats/package.json").version;
  const emit = (line) => process.stdout.write(JSON.stringify(line) + "\n");
  const version = `TextDecoder (fatal) + JSON.parse + ajv ${ajvVersion} (allErrors) + ajv-formats ${formatsVersion}, node ${process.versions.node}`;

  const manifest = JSON.parse(readFileSync(join(args.dir, "expected_invalid.json"), "utf8"));
  const byStem = validators(args.schemas);
  const jobs = new Map();
  for (const [stem, validate] of byStem) {
    if (!manifest[stem]) throw new Error(`expected_invalid.json has no entry for ${stem}`);
    const want = manifest[stem].violations.map((v) => `${v.instancePath} ${v.keyword}`).sort();
    for (const kind of ["valid", "invalid"]) {
      // A Buffer is a Uint8Array: the bytes as read, decoded on every call.
      const bytes = readFileSync(join(args.dir, `${stem}.${kind}.json`));
      const valid = kind === "valid";
      try {
        check(validate, bytes, valid, want);
      } catch (e) {
        process.stderr.write(`ajv: ${stem}.${kind}.json: ${e.message}\n`);
        process.exit(1);
      }
      jobs.set(`${stem}/${kind}`, { validate, bytes, valid, warmed: false });
    }
  }
  // The TypeScript package's parse (clients/typescript, built with npm run
  // build there), the runtime "ts-parse": the bytes through parse(stem,
  // bytes), its ahead-of-time validators and its Go-worded violations.
  const tsDist = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "clients", "typescript", "dist", "src", "index.js");
  let ts = null;
  try {
    ts = await import(tsDist);
  } catch {
    process.stderr.write(`ajv: ${tsDist} is not built; the ts-parse column is skipped\n`);
  }
  if (ts) {
    for (const stem of byStem.keys()) {
      const want = manifest[stem].violations.map((v) => `${v.instancePath} ${v.keyword}`).sort();
      for (const kind of ["valid", "invalid"]) {
        const bytes = readFileSync(join(args.dir, `${stem}.${kind}.json`));
        const valid = kind === "valid";
        const res = ts.parse(stem, bytes);
        const got = res.ok ? [] : res.violations.map((v) => `${v.instancePath} ${v.keyword}`).sort();
        if (res.ok !== valid || (!valid && JSON.stringify([...new Set(got.map((g) => g.split(" ")[0]))]) !== JSON.stringify([...new Set(want.map((g) => g.split(" ")[0]))]))) {
          process.stderr.write(`ts-parse: ${stem}.${kind}.json: violations ${JSON.stringify(got)}, want ${JSON.stringify(want)}\n`);
          process.exit(1);
        }
        jobs.set(`ts-parse/${stem}/${kind}`, { validate: null, parse: ts.parse, stem, bytes, valid, warmed: false });
      }
    }
  }
  emit({ runtime: "ajv", version });
  if (ts) emit({ runtime: "ts-parse", version: `@mcp-refcache/taskschema parse (standalone ajv code, Go-worded violations), node ${process.versions.node}` });
  emit({ ready: true });

  createInterface({ input: process.stdin }).on("line", (text) => {
    try {
      const c = JSON.parse(text);
      const job = jobs.get(c.runtime === "ajv" ? `${c.model}/${c.payload}` : `${c.runtime}/${c.model}/${c.payload}`);
      if (!job) {
        emit({ error: `no ajv runner for ${c.model}.${c.payload}.json` });
        return;
      }
      const t = job.parse ? timedParse : timed;
      const first = job.parse ? job : job.validate;
      if (!job.warmed) {
        job.warmed = true;
        t(first, job.bytes, job.valid, c.target_ns);
      }
      emit({ ns: t(first, job.bytes, job.valid, c.target_ns) });
    } catch (e) {
      emit({ error: `${text}: ${e.message}` });
    }
  }).on("close", () => {
    if (sink < 0) console.error(sink);
  });
}

main();
