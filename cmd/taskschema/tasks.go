package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// tasksCommand is the program that "taskschema tasks" runs.
const tasksCommand = "taskschema-tasks"

// runTasks runs taskschema-tasks from PATH with args and the same streams,
// and returns its exit status (see the package documentation, # tasks).
func runTasks(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	path, err := exec.LookPath(tasksCommand)
	if err != nil {
		fmt.Fprintf(stderr, "taskschema tasks: %s is not on PATH (%v); it is in the redisstore module, since this one does not depend on go-redis:\n"+
			"  go install github.com/mcp-refcache/taskschema/tasks/redisstore/cmd/taskschema-tasks@latest\n", tasksCommand, err)
		return exitUsage
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		fmt.Fprintf(stderr, "taskschema tasks: %v\n", err)
		return exitUsage
	}
}
