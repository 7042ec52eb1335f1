// Package models is the Go side of the taskschema contract: the types an MCP
// server and its clients exchange when a tool call outlives its timeout, and
// the functions that read and write them so that they always satisfy the JSON
// Schema files in the schema directory.
//
// # Types
//
// [TaskStatus], [TaskProgress], [RetryInfo], [TaskInfo] and
// [AsyncTaskResponse] are generated from the schema files and never written by
// hand. A server tracks its work in a [TaskInfo] and answers the client with an
// [AsyncTaskResponse], made by [TaskInfo.ToAsyncTaskResponse].
//
// mcp-refcache sends one of three views of that response, chosen by a
// [ResponseFormat]: [MinimalTaskResponse], [StandardTaskResponse] and
// [FullTaskResponse] (with an [ExpectedSchema]), made by
// [AsyncTaskResponse.View]. Each has a schema of its own (a minimal view
// has no started_at, which AsyncTaskResponse requires); is_complete is
// always false and is_async always true in a view, which never carries the
// result.
//
// # Reading and writing
//
// [Unmarshal] validates a payload against the schema of the target's type and
// only then decodes it; [Marshal] checks a value and encodes it; [Validate]
// checks a value without encoding it. A payload or value that
// the schema rejects gives a [*ValidationError] that lists every [Violation]
// with the JSON Pointer of the offending value, the keyword that failed and a
// message.
//
// No schema is compiled or fetched at run time: the check that runs on every
// call is generated from the schema files (model_gen.go). It reads a payload
// straight into the Go type in one pass, and a generated writer encodes a
// checked value without reflection. It also writes every violation it finds,
// worded as the jsonschema v6 validator words it; v6 is the oracle that the
// tests and fuzz targets hold the generated code to, verdict and violations,
// and only the tests import it. The schema files are embedded for
// [SchemaJSON].
//
// # Payload rules and limits
//
// Before the schema applies, a payload must be one well-formed JSON value in
// UTF-8 with no duplicate object keys and no lone UTF-16 surrogate escapes
// (I-JSON), and stay within [Limits]: size, nesting, number length and
// exponent, and the number of violations listed. [DefaultLimits] are what
// [Unmarshal], [ValidateJSON] and the command-line tool apply; use the
// methods of a Limits value for others, and [Limits.ReadAll] to read a
// payload from a stream. Every limit has a ceiling ([LimitCeilings]) that
// no Limits value lifts: 0 means the ceiling, not "no limit". A syntax error
// names the character it found (a byte-order mark, U+00A0 NO-BREAK SPACE)
// or, when it is not UTF-8, the byte in hex.
//
// # One verdict
//
// [Unmarshal] succeeds exactly when the payload keeps the payload rules and
// limits (above) and the schema accepts it, and the value it fills holds what
// was validated:
//
//   - integer fields accept any integer-valued JSON number, such as 2.0 or 1e2,
//     as JSON Schema does (encoding/json would refuse them);
//   - a key is matched to a field only when it is spelled exactly as in the
//     schema; "RETRY_COUNT" is an unknown key, ignored like any other, and never
//     reaches RetryCount (encoding/json would match it);
//   - a key that is absent takes the schema's default; an explicit null is
//     accepted only where the schema allows null, and then stays null;
//   - date-times follow RFC 3339 as the schema's format does, including a
//     lowercase "t" or "z"; the schema's pattern rejects a leap second
//     (second 60) and the year 0000, which time.Time or Python's datetime
//     cannot hold;
//   - a date-time never depends on the machine's zone: it is decoded in UTC
//     when its offset is zero ("Z", "+00:00" or "-00:00") and otherwise in a
//     fixed zone with the offset as written, never in time.Local, so Marshal
//     writes the offset back and decoding that again gives a time.Time == to
//     the first; RFC 3339's "-00:00" (local offset unknown) is read as UTC
//     and written back as "Z", since time.Time cannot say "unknown";
//   - every number the schema accepts fits its Go type, because every number
//     field has a maximum and integers are int64 on every platform.
//
// [Marshal] writes every field, so 0 and false survive a round trip, except an
// empty retry_history, whose absence means the same (its default is []). It
// writes nothing that [Unmarshal] with the same limits refuses: it does not
// HTML-escape, and it refuses an encoding beyond the limits (such as more
// than MaxBytes) with the keyword [KeywordLimit]; [Limits.Marshal] applies
// other limits.
//
// # Inside encoding/json
//
// Every model type has MarshalJSON and UnmarshalJSON methods that go through
// the same reader, checks, writer and [DefaultLimits], so the one verdict
// holds wherever encoding/json meets a model (a struct field, a slice, a map
// value): a value the schema rejects makes json.Unmarshal or json.Marshal
// fail with the model's *ValidationError (wrapped in a *json.MarshalerError
// by json.Marshal), whose pointers are relative to the model value, not to
// the enclosing document. A struct that embeds a model type inherits these
// methods and so reads and writes as the model alone. json.Marshal
// HTML-escapes what MarshalJSON returns; a json.Encoder with
// SetEscapeHTML(false) does not.
//
// # Defaults
//
// Go's zero values are not the schema's defaults. [NewTaskInfo],
// [NewAsyncTaskResponse] and [NewTaskProgress] return values with the
// defaults that gen writes from the schema files (status "pending", max_retries 3,
// can_retry true).
package models
