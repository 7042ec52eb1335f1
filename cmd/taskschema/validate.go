package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mcp-refcache/taskschema/models"
)

// stdinName is the FILE argument that stands for standard input; it is also
// the file name under which standard input is reported.
const stdinName = "-"

// validateJSON gives the verdict on one payload. It is models.ValidateJSON,
// replaced only by tests that need an error other than a verdict.
var validateJSON = models.ValidateJSON

// validateUsage returns the usage text of the validate command.
func validateUsage() string {
	return `Usage: taskschema validate --type NAME [--json] FILE...

Validate each FILE, a JSON payload, against the schema NAME. A FILE of -
reads standard input. Flags may also follow the files; -- ends the flags.

` + schemaNameHelp() + `

Flags:
  --type NAME  the schema to validate against (required)
  --json       write one JSON object per file per line instead of text
  -h, --help   print this text

Output, one entry per file, in the order given:
  FILE: valid
  FILE: invalid
    POINTER: KEYWORD: MESSAGE     one line per violation
POINTER is the JSON Pointer of the offending value, (root) for the whole
payload; KEYWORD is the schema keyword that failed, or json for a payload
that is not a single well-formed JSON value. With --json:
  {"file":"FILE","valid":false,"violations":[{"instancePath":"/retry_count","keyword":"minimum","message":"must be at least 0, got -1"}]}
where instancePath is "" for the whole payload and violations is [] when
the file is valid. Standard input is reported as the file -.

A file that cannot be read is reported on standard error, and the other
files are still checked; with --json it also gets an entry:
  {"file":"FILE","valid":false,"error":"WHY","violations":[]}

Exit status: 0 every file is valid; 1 some file is invalid; 2 a usage
error or a file could not be read (2 wins over 1).
`
}

// fileResult is the verdict on one file, as written by validate --json.
type fileResult struct {
	// File is the FILE argument as given; "-" for standard input.
	File string `json:"file"`
	// Valid reports whether the schema accepts the payload.
	Valid bool `json:"valid"`
	// Error says why the file got no verdict (it could not be read, or the
	// validator failed); absent when it got one.
	Error string `json:"error,omitempty"`
	// Violations lists why the payload was rejected; empty, never nil, when
	// it is valid or got no verdict.
	Violations []models.Violation `json:"violations"`
}

// runValidate implements "taskschema validate".
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const prefix = "taskschema validate"
	fs := newFlagSet("validate")
	typeArg := fs.String("type", "", "the schema to validate against")
	asJSON := fs.Bool("json", false, "write one JSON object per file per line")
	files, err := parseArgs(fs, args)
	var name string
	if err == nil {
		name, err = checkValidateArgs(*typeArg, files)
	}
	if err != nil {
		return usageError(err, "validate", validateUsage(), stdout, stderr)
	}

	out := &errWriter{w: stdout}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	code := exitOK
	for _, file := range files {
		data, err := readInput(file, name, stdin)
		var tooLarge *models.ValidationError
		if err != nil && !errors.As(err, &tooLarge) {
			fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
			code = exitUsage
			if *asJSON {
				_ = enc.Encode(noVerdict(file, err))
			}
			continue
		}
		var res fileResult
		if tooLarge != nil {
			// Longer than MaxBytes: a verdict (a limit violation), not an
			// I/O error.
			res, err = resultOf(file, tooLarge)
		} else {
			res, err = verdict(name, file, data)
		}
		if err != nil {
			// Not a verdict: the validator failed, or the name is unknown
			// to ValidateJSON although SchemaNames lists it.
			fmt.Fprintf(stderr, "%s: %s: %v\n", prefix, file, err)
			code = exitUsage
			if *asJSON {
				_ = enc.Encode(noVerdict(file, err))
			}
			continue
		}
		if *asJSON {
			// An encoding error can only come from out; finish reports it.
			_ = enc.Encode(res)
		} else {
			writeText(out, res)
		}
		if !res.Valid && code == exitOK {
			code = exitInvalid
		}
	}
	return out.finish(prefix, code, stderr)
}

// checkValidateArgs returns the stem of the schema that typeArg names, or
// reports a usage error in the schema name or the files.
func checkValidateArgs(typeArg string, files []string) (string, error) {
	name, known := resolveSchemaName(typeArg)
	switch {
	case typeArg == "":
		return "", errors.New("--type NAME is required")
	case !known:
		return "", fmt.Errorf("unknown schema %q for --type (known: %s)", typeArg, schemaNameList())
	case len(files) == 0:
		return "", errors.New("no FILE given (use - for standard input)")
	}
	stdins := 0
	for _, f := range files {
		if f == stdinName {
			stdins++
		}
	}
	if stdins > 1 {
		return "", errors.New("standard input (-) given more than once")
	}
	return name, nil
}

// noVerdict is the --json entry of a file that got no verdict because of
// err: it could not be read, or the validator failed.
func noVerdict(file string, err error) fileResult {
	return fileResult{File: file, Valid: false, Error: err.Error(), Violations: []models.Violation{}}
}

// readInput returns the contents of file, or of stdin for "-", read with
// models.DefaultLimits().ReadAll: never more than MaxBytes+1 bytes are read,
// so a huge file or an endless stream costs no more than a payload at the
// limit. A longer input gives the *models.ValidationError of ReadAll for the
// schema name (a limit violation, which is a verdict); any other error is an
// I/O error.
func readInput(file, name string, stdin io.Reader) ([]byte, error) {
	limits := models.DefaultLimits()
	if file == stdinName {
		if stdin == nil {
			return nil, nil
		}
		data, err := limits.ReadAll(stdin, name)
		if err != nil && !isVerdict(err) {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A read error from *os.File already names the file.
	return limits.ReadAll(f, name)
}

// isVerdict reports whether err is a *models.ValidationError.
func isVerdict(err error) bool {
	var ve *models.ValidationError
	return errors.As(err, &ve)
}

// verdict validates data against the schema name and returns the result for
// file. It returns an error only when validation gave no verdict: anything
// from validateJSON but nil or a *models.ValidationError.
func verdict(name, file string, data []byte) (fileResult, error) {
	return resultOf(file, validateJSON(name, data))
}

// resultOf turns err, the verdict on file (nil or a *models.ValidationError),
// into its result. Any other error is not a verdict and is returned.
func resultOf(file string, err error) (fileResult, error) {
	res := fileResult{File: file, Valid: true, Violations: []models.Violation{}}
	if err == nil {
		return res, nil
	}
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return fileResult{}, err
	}
	res.Valid = false
	res.Violations = append(res.Violations, ve.Violations...)
	return res, nil
}

// writeText writes res as "FILE: valid", or as "FILE: invalid" followed by
// one indented line per violation.
func writeText(w io.Writer, res fileResult) {
	if res.Valid {
		fmt.Fprintf(w, "%s: valid\n", res.File)
		return
	}
	fmt.Fprintf(w, "%s: invalid\n", res.File)
	for _, v := range res.Violations {
		fmt.Fprintf(w, "  %s\n", v)
	}
}
