package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns a flag set that prints nothing by itself: the caller
// reports parse errors and prints the usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses the flags of fs wherever they are among args, so that
// "validate a.json --json" works as well as "validate --json a.json", and
// returns the other arguments (the operands) in order. "-" is an operand
// (standard input); "--" ends the flags, and every argument after it is an
// operand.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return operands, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(operands, rest...), nil
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
}

// usageError handles an error in the command line of the command cmd
// ("validate" or "schema"), whose usage text is usage and whose first line
// is its synopsis. For a request for help (flag.ErrHelp, from -h or --help)
// it prints usage on stdout and returns exitOK; for any other error it
// reports the error and the synopsis on stderr and returns exitUsage.
func usageError(err error, cmd, usage string, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	synopsis, _, _ := strings.Cut(usage, "\n")
	fmt.Fprintf(stderr, "taskschema %s: %v\n%s\nRun 'taskschema %s -h' for details.\n", cmd, err, synopsis, cmd)
	return exitUsage
}
