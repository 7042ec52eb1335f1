package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// Errors a [Store] or a [Runner] returns; test for them with errors.Is.
var (
	// ErrNotFound: no task with that reference ID (never stored, deleted or
	// expired).
	ErrNotFound = errors.New("tasks: task not found")
	// ErrExists: a task with that reference ID is already stored or running.
	ErrExists = errors.New("tasks: a task with this ref_id already exists")
	// ErrConflict: the task changed since it was read (compare-and-set failed).
	ErrConflict = errors.New("tasks: task changed since it was read")
	// ErrFull: the store holds as many running tasks as it may.
	ErrFull = errors.New("tasks: store is full")
	// ErrIllegalTransition: the update breaks the task lifecycle.
	ErrIllegalTransition = errors.New("tasks: illegal task transition")
	// ErrFinished: the task is complete, cancelled, or failed with no
	// retries left, so it cannot be cancelled.
	ErrFinished = errors.New("tasks: task has finished")
	// ErrCancelled: the task was cancelled.
	ErrCancelled = errors.New("tasks: task cancelled")
	// ErrClosed: the runner is closed.
	ErrClosed = errors.New("tasks: runner closed")
	// ErrInvalid: a stored value or an argument is not valid.
	ErrInvalid = errors.New("tasks: invalid")
)

// Record is one stored task: the schema-valid [models.TaskInfo] and what a
// runner keeps beside it.
type Record struct {
	// Task is the task. Stores write it with models.Marshal and read it with
	// models.Unmarshal.
	Task models.TaskInfo
	// Result is the JSON result of a complete task; nil for any other status.
	Result json.RawMessage
	// Input is what a running task waits on, a TaskInput
	// (schema/task_input.schema.json): the requests its function asked the
	// client to answer and the answers that arrived; nil when it never
	// asked. See [Progress.AskInput] and [Runner.Respond].
	Input json.RawMessage
	// Key is the deduplication key of the call that started the task, or "".
	Key string
	// Owner names the runner that runs the task and holds its lease.
	Owner string
	// Requestor names whoever asked for the task (such as "user:alice" or
	// "session:…"), or "" for none. It never changes: [Store.Update]
	// refuses a change with ErrInvalid. Servers show a task only to its
	// requestor (see package mcptasks).
	Requestor string
	// LeaseExpires is when the owner's lease runs out unless renewed; the
	// zero time means no lease (a finished task).
	LeaseExpires time.Time
	// Version counts the writes of the record; a store sets it, and
	// [Store.Update] succeeds only when it still matches the stored one.
	Version int64
	// Func names the function registered on the runners (see
	// [Runner.Register]) that the task runs, or "" for a function only its
	// own runner knows. With a name, another runner can run the task again
	// when its owner dies.
	Func string
	// Args are the arguments the named function gets (JSON), or nil.
	Args json.RawMessage
}

// LeaseExpired reports whether the task is not finished for good (pending,
// processing, or failed with retries left, see [HoldsKey]) and its owner's
// lease ran out before now.
func (r Record) LeaseExpired(now time.Time) bool {
	return HoldsKey(r.Task) && !r.LeaseExpires.IsZero() && now.After(r.LeaseExpires)
}

// HoldsKey reports whether a stored task in this state keeps its
// deduplication key (and its owner's lease): pending, processing, or failed
// with retries left. A complete, cancelled, or finally failed task releases
// its key.
func HoldsKey(t models.TaskInfo) bool { return !t.IsTerminal() }

// ListOptions select a page of [Store.List].
type ListOptions struct {
	// Status keeps only tasks with this status; "" keeps all.
	Status models.TaskStatus
	// After is the cursor: only reference IDs greater than it (byte order)
	// are listed. Pass the previous page's Next; "" starts at the beginning.
	After string
	// Limit is the most records in the page; 0 means 100.
	Limit int
	// Requestor, when not "", keeps only the tasks of this requestor.
	Requestor string
}

// Page is one page of [Store.List].
type Page struct {
	// Records are in ascending order of reference ID.
	Records []Record
	// Next is the cursor of the next page, or "" when this page is the last.
	Next string
	// Corrupt are the stored records of this page's range that the store
	// could not read (another program wrote them, or they are of the wrong
	// kind): they are left where they are, for an operator to inspect, and
	// listing goes on past them.
	Corrupt []*CorruptError
}

// CorruptError is a stored record that a store cannot read back as a valid
// [Record]; errors.Is(err, ErrInvalid) is true for it.
type CorruptError struct {
	RefID    string // the task's ref_id
	Location string // where it is stored (a Redis key, say)
	Err      error  // why it cannot be read
}

// Error names the task, where it is stored and why it cannot be read.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("tasks: stored task %s (%s) cannot be read: %v", e.RefID, e.Location, e.Err)
}

// Unwrap returns why the record cannot be read.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *CorruptError) Is(target error) bool { return target == ErrInvalid }

// Store keeps tasks. Implementations are safe for concurrent use, write
// tasks only through models.Marshal and read them only through
// models.Unmarshal (so they never hold or return a task the schema rejects),
// call [CheckTransition] before every update, and remove a finished task
// (complete, failed or cancelled) once its time to live has passed.
//
// Deduplication keys are claims with a lease: a key is held by one ref_id
// until a time (or for ever, the zero time). [Store.ClaimKey] claims one
// before the task's function starts; a stored task that holds its key (see
// [HoldsKey]) keeps the claim until its lease ([Record.LeaseExpires]), and
// releases it when it finishes for good. A claim whose time has passed is
// free. Stores judge this with the same clock as the runners' leases.
type Store interface {
	// Create stores a new record with Version 1 and returns it. A record
	// with the same ref_id gives ErrExists. A record that holds its Key
	// (see [HoldsKey]) claims it until its LeaseExpires; a key another
	// ref_id holds gives a *KeyInUseError. A store with a limit per
	// requestor gives an *InFlightLimitError when the record's requestor
	// is at it.
	Create(ctx context.Context, rec Record) (Record, error)
	// Get returns the record with the given ref_id, or ErrNotFound.
	Get(ctx context.Context, refID string) (Record, error)
	// Update replaces the stored record with rec if rec.Version equals the
	// stored version (ErrConflict otherwise), the change passes
	// [CheckTransition] and the Key and Requestor are unchanged; it
	// returns the stored record, its Version incremented. A record that
	// holds its key claims it again until its LeaseExpires (a
	// *KeyInUseError when another ref_id holds it now); one that no longer
	// holds it releases it.
	Update(ctx context.Context, rec Record) (Record, error)
	// List returns a page of records in ascending order of ref_id.
	List(ctx context.Context, opts ListOptions) (Page, error)
	// Delete removes the record; a missing one gives ErrNotFound.
	Delete(ctx context.Context, refID string) error
	// ClaimKey claims key for the task refID until the time until (the
	// zero time: no end), atomically: when no one holds the key, when
	// refID holds it (a renewal), or when the holder's claim has run out,
	// refID gets it and ClaimKey returns refID; otherwise it returns the
	// ref_id that holds the key and changes nothing.
	ClaimKey(ctx context.Context, key, refID string, until time.Time) (holder string, err error)
	// ReleaseKey gives up refID's claim on key; when refID does not hold
	// it, nothing changes.
	ReleaseKey(ctx context.Context, key, refID string) error
}

// KeyInUseError is the error of [Store.Create] when a running task already
// holds the record's deduplication key.
type KeyInUseError struct {
	Key   string // the key
	RefID string // the task that holds it
}

// Error names the key and the task that holds it.
func (e *KeyInUseError) Error() string {
	return fmt.Sprintf("tasks: key %q is held by running task %s", e.Key, e.RefID)
}

// Is makes errors.Is(err, ErrExists) true.
func (e *KeyInUseError) Is(target error) bool { return target == ErrExists }

// InFlightLimitError is the error of [Store.Create] when the record's
// requestor already has as many pending or processing tasks as the store
// allows one requestor. It wraps ErrFull.
type InFlightLimitError struct {
	Requestor string // whose tasks
	InFlight  int    // how many of them are pending or processing
	Limit     int    // the most one requestor may have
}

// Error names the requestor, the count and the limit.
func (e *InFlightLimitError) Error() string {
	return fmt.Sprintf("tasks: requestor %q has %d tasks in flight, the most one requestor may have (MaxInFlightPerRequestor %d)", e.Requestor, e.InFlight, e.Limit)
}

// Is makes errors.Is(err, ErrFull) true.
func (e *InFlightLimitError) Is(target error) bool { return target == ErrFull }

// IsFinished reports whether a task in this status keeps its record only
// until its time to live: complete, failed or cancelled. (A failed task with
// retries left is not terminal, see models.TaskInfo.IsTerminal, but its
// runner moves it to pending at once; a store gives it the time to live all
// the same, so that the task of a runner that died there is removed too.)
func IsFinished(s models.TaskStatus) bool {
	switch s {
	case models.TaskStatusComplete, models.TaskStatusFailed, models.TaskStatusCancelled:
		return true
	}
	return false
}

// CheckRecord is the validity rule of a record that every store applies
// to what it writes and what it reads back, beside the schema
// (models.Validate) and the lifecycle ([CheckTransition]): a ref_id; the
// fields a task in its status must have or lack (completed_at on a
// complete, cancelled or failed task, an error on a failed one, neither on
// a pending or processing one); a result only on a complete task, and
// valid JSON; arguments only with a function name, and valid JSON.
func CheckRecord(rec Record) error {
	if rec.Task.RefID == "" {
		return fmt.Errorf("%w: ref_id is empty", ErrInvalid)
	}
	if msg := checkShape(&rec.Task); msg != "" {
		return fmt.Errorf("%w: task %s: %s", ErrInvalid, rec.Task.RefID, msg)
	}
	if rec.Args != nil {
		if rec.Func == "" {
			return fmt.Errorf("%w: task %s: arguments given without a function name", ErrInvalid, rec.Task.RefID)
		}
		if !json.Valid(rec.Args) {
			return fmt.Errorf("%w: task %s: arguments are not valid JSON", ErrInvalid, rec.Task.RefID)
		}
	}
	if rec.Result != nil {
		if rec.Task.Status != models.TaskStatusComplete {
			return fmt.Errorf("%w: task %s: result given for a %s task (only a complete task has one)", ErrInvalid, rec.Task.RefID, rec.Task.Status)
		}
		if !json.Valid(rec.Result) {
			return fmt.Errorf("%w: task %s: result is not valid JSON", ErrInvalid, rec.Task.RefID)
		}
	}
	if rec.Input != nil {
		if err := models.ValidateJSON("task_input", rec.Input); err != nil {
			return fmt.Errorf("%w: task %s: input: %w", ErrInvalid, rec.Task.RefID, err)
		}
	}
	return nil
}
