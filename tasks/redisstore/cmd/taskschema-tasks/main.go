// Command taskschema-tasks lets an operator look at and cancel the tasks
// that runners keep in Redis (package redisstore):
//
//	taskschema-tasks -redis 127.0.0.1:6379 list [-status processing] [-requestor user:alice] [-limit 50] [-after REF_ID]
//	taskschema-tasks -redis redis://:password@host:6379/0 get REF_ID
//	taskschema-tasks -redis 127.0.0.1:6379 -prefix myapp: cancel REF_ID
//
// list prints one JSON object a line, get one object: the task as stored
// (its TaskInfo), its requestor, owner (the runner), lease, deduplication
// key and version, and get also the result. cancel cancels a pending or
// processing task through tasks.Runner.Cancel, as a poller's cancel does:
// the runner running it stops its function as soon as the store's
// notification reaches it, and at its next heartbeat at the latest. The
// exit status is 0 on success, 1 when the task is unknown, has finished
// (cancel) or Redis fails, 2 for a usage error.
//
// The command lives in the redisstore module, not beside the taskschema
// command in the root module, because the root module must not depend on
// go-redis (see docs/SECURITY.md).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/redis/go-redis/v9"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: taskschema-tasks [-redis ADDR|URL] [-prefix P] [-timeout D] COMMAND
commands:
  list [-status S] [-requestor R] [-limit N] [-after REF_ID]   tasks as JSON lines, by ref_id
  get REF_ID                                                   one task as JSON
  cancel REF_ID                                                cancel a pending or processing task
`

// record is what the command prints of a stored task.
type record struct {
	Task         models.TaskInfo `json:"task"`
	Requestor    string          `json:"requestor,omitempty"`
	Owner        string          `json:"owner,omitempty"`
	Key          string          `json:"key,omitempty"`
	LeaseExpires *time.Time      `json:"lease_expires,omitempty"`
	Version      int64           `json:"version"`
	Result       json.RawMessage `json:"result,omitempty"`
}

func view(r tasks.Record, withResult bool) record {
	out := record{Task: r.Task, Requestor: r.Requestor, Owner: r.Owner, Key: r.Key, Version: r.Version}
	if !r.LeaseExpires.IsZero() {
		l := r.LeaseExpires.UTC()
		out.LeaseExpires = &l
	}
	if withResult {
		out.Result = r.Result
	}
	return out
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("taskschema-tasks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	addr := fs.String("redis", "127.0.0.1:6379", "Redis address (host:port) or URL (redis://[:password@]host:port[/db], rediss:// for TLS)")
	prefix := fs.String("prefix", "taskschema:", "key prefix of the store (redisstore.Options.Prefix)")
	timeout := fs.Duration("timeout", 10*time.Second, "bound of the whole command")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	opts := &redis.Options{Addr: *addr}
	if strings.Contains(*addr, "://") {
		var err error
		if opts, err = redis.ParseURL(*addr); err != nil {
			fmt.Fprintf(stderr, "taskschema-tasks: -redis: %v\n", err)
			return 2
		}
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	store := redisstore.New(rdb, redisstore.Options{Prefix: *prefix})
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	enc := json.NewEncoder(stdout)
	var err error
	switch cmd {
	case "list":
		err = list(ctx, store, rest, enc, stderr)
	case "get":
		var id string
		if id, err = oneID(cmd, rest); err == nil {
			var rec tasks.Record
			if rec, err = store.Get(ctx, id); err == nil {
				err = enc.Encode(view(rec, true))
			}
		}
	case "cancel":
		var id string
		if id, err = oneID(cmd, rest); err == nil {
			err = cancelTask(ctx, store, id, enc)
		}
	default:
		err = usageError(fmt.Sprintf("unknown command %q", cmd))
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "taskschema-tasks: %s\n%s", ue, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "taskschema-tasks: %v\n", err)
		return 1
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

func oneID(cmd string, args []string) (string, error) {
	if len(args) != 1 || args[0] == "" {
		return "", usageError(cmd + " takes one REF_ID")
	}
	return args[0], nil
}

func list(ctx context.Context, store tasks.Store, args []string, enc *json.Encoder, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	status := fs.String("status", "", "only tasks with this status: pending, processing, complete, failed or cancelled")
	requestor := fs.String("requestor", "", "only the tasks of this requestor (such as user:alice)")
	limit := fs.Int("limit", 100, "the most tasks printed (1 to 10000)")
	after := fs.String("after", "", "start after this ref_id (the last one printed)")
	if err := fs.Parse(args); err != nil {
		return usageError("list: " + err.Error())
	}
	if fs.NArg() != 0 {
		return usageError("list takes flags only")
	}
	switch models.TaskStatus(*status) {
	case "", models.TaskStatusPending, models.TaskStatusProcessing, models.TaskStatusComplete, models.TaskStatusFailed, models.TaskStatusCancelled:
	default:
		return usageError(fmt.Sprintf("list: -status %q is not pending, processing, complete, failed or cancelled", *status))
	}
	if *limit < 1 || *limit > 10000 {
		return usageError(fmt.Sprintf("list: -limit %d is not between 1 and 10000", *limit))
	}
	opts := tasks.ListOptions{Status: models.TaskStatus(*status), Requestor: *requestor, After: *after}
	left := *limit
	for left > 0 {
		opts.Limit = min(left, 500)
		page, err := store.List(ctx, opts)
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			if err := enc.Encode(view(r, false)); err != nil {
				return err
			}
		}
		for _, c := range page.Corrupt { // skipped by List, left in Redis: say where
			fmt.Fprintf(stderr, "taskschema-tasks: corrupt record %s at %s: %v\n", c.RefID, c.Location, c.Err)
		}
		left -= len(page.Records)
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	return nil
}

// cancelTask cancels through a runner of its own, so that the cancel is
// the one every poller makes (tasks.Runner.Cancel: compare-and-set, the
// running owner stops on the store's notification, or at its next
// heartbeat at the latest).
func cancelTask(ctx context.Context, store tasks.Store, id string, enc *json.Encoder) error {
	host, _ := os.Hostname()
	// ReapInterval -1: an inspector never takes a task over.
	r, err := tasks.NewRunner(tasks.Options{Store: store, Owner: "taskschema-tasks@" + host, ReapInterval: -1})
	if err != nil {
		return err
	}
	defer r.Close(context.Background())
	info, err := r.Cancel(ctx, id)
	if err != nil {
		return err
	}
	rec, err := store.Get(ctx, id)
	if err != nil {
		return enc.Encode(record{Task: info})
	}
	return enc.Encode(view(rec, false))
}
