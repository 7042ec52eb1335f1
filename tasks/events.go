package tasks

import (
	"context"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// EventKind says what happened to a task.
type EventKind string

// The kinds of [Event].
const (
	// EventCreated: a task was written to the store (its call outlived its
	// timeout).
	EventCreated EventKind = "created"
	// EventFinished: a task ended: complete, cancelled, or failed for good
	// (Event.Status says which). Calls that end within their timeout are
	// not tasks and give no event.
	EventFinished EventKind = "finished"
	// EventRetried: a failed task was moved to pending for another run.
	EventRetried EventKind = "retried"
	// EventReaped: a task whose owner's lease expired was taken over
	// (Event.Retried) or failed for good.
	EventReaped EventKind = "reaped"
	// EventCorrupt: a stored record could not be read and was skipped
	// (Event.Err is a *CorruptError).
	EventCorrupt EventKind = "corrupt"
)

// Event is what [Options.OnEvent] receives.
type Event struct {
	Kind    EventKind
	RefID   string
	Status  models.TaskStatus // the task's status after the event
	Retried bool              // for EventReaped: the task runs again here
	// RunTime is, for EventFinished of a task this runner ran, the time
	// from the task's start to its end.
	RunTime time.Duration
	Err     error
}

// StoreCall is what [Options.OnStoreCall] receives for each store call
// the runner makes.
type StoreCall struct {
	Op       string // "create", "get", "update", "list", "delete", "claim_key" or "release_key"
	Duration time.Duration
	Err      error
}

func (r *Runner) event(e Event) {
	r.log.Debug("tasks: event", "kind", string(e.Kind), "ref_id", e.RefID, "status", string(e.Status), "owner", r.owner)
	if r.opts.OnEvent != nil {
		r.opts.OnEvent(e)
	}
}

// timedStore reports the latency of each call of a store.
type timedStore struct {
	Store
	report func(StoreCall)
}

func (s timedStore) done(op string, start time.Time, err error) {
	s.report(StoreCall{Op: op, Duration: time.Since(start), Err: err})
}

func (s timedStore) Create(ctx context.Context, rec Record) (Record, error) {
	start := time.Now()
	got, err := s.Store.Create(ctx, rec)
	s.done("create", start, err)
	return got, err
}

func (s timedStore) Get(ctx context.Context, id string) (Record, error) {
	start := time.Now()
	got, err := s.Store.Get(ctx, id)
	s.done("get", start, err)
	return got, err
}

func (s timedStore) Update(ctx context.Context, rec Record) (Record, error) {
	start := time.Now()
	got, err := s.Store.Update(ctx, rec)
	s.done("update", start, err)
	return got, err
}

func (s timedStore) List(ctx context.Context, opts ListOptions) (Page, error) {
	start := time.Now()
	got, err := s.Store.List(ctx, opts)
	s.done("list", start, err)
	return got, err
}

func (s timedStore) Delete(ctx context.Context, id string) error {
	start := time.Now()
	err := s.Store.Delete(ctx, id)
	s.done("delete", start, err)
	return err
}

func (s timedStore) ClaimKey(ctx context.Context, key, id string, until time.Time) (string, error) {
	start := time.Now()
	h, err := s.Store.ClaimKey(ctx, key, id, until)
	s.done("claim_key", start, err)
	return h, err
}

func (s timedStore) ReleaseKey(ctx context.Context, key, id string) error {
	start := time.Now()
	err := s.Store.ReleaseKey(ctx, key, id)
	s.done("release_key", start, err)
	return err
}
