// Validate a JSON payload with the taskschema bundle (docs/CLIENTS.md).
//
// usage: node validate.js BUNDLE TITLE PAYLOAD
//   e.g. node validate.js schema/taskschema.bundle.json TaskInfo examples/task_info.json
//
// Prints "valid", or one line per violation (JSON Pointer, keyword, message),
// and exits with 0 when the payload is valid and 1 when it is not. Needs ajv 8
// and ajv-formats 3.
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const [bundlePath, title, payloadPath] = process.argv.slice(2);
if (payloadPath === undefined) {
  console.error("usage: node validate.js BUNDLE TITLE PAYLOAD");
  process.exit(2);
}

const bundle = JSON.parse(readFileSync(bundlePath, "utf8"));
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(bundle);
const validate = ajv.getSchema(`${bundle.$id}#/$defs/${title}`);
if (validate === undefined) {
  console.error(`${bundlePath} has no $defs/${title}`);
  process.exit(2);
}

let payload: unknown;
try {
  // fatal: invalid UTF-8 is an error; ignoreBOM: a byte order mark is kept,
  // and JSON.parse refuses it. JSON.parse reads every number as a double.
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(readFileSync(payloadPath));
  payload = JSON.parse(text);
} catch (e) {
  console.log(`(root) json: not one JSON value in UTF-8: ${(e as Error).message}`);
  process.exit(1);
}

if (validate(payload)) {
  console.log("valid");
} else {
  for (const e of validate.errors ?? []) {
    console.log(`${e.instancePath || "(root)"} ${e.keyword}: ${e.message}`);
  }
  process.exitCode = 1;
}
