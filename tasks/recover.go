package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// Handler is a function registered under a name with [Runner.Register]: a
// [Func] that takes its arguments as JSON. Because a task records the name
// and the arguments, any runner that registered the name can run the task
// again when its owner dies, as a job queue would.
type Handler func(ctx context.Context, args json.RawMessage, p *Progress) (json.RawMessage, error)

// Register makes h the function named name, for calls that name it
// ([Call.Func]) and for tasks taken over from a runner that died. Every
// runner sharing a store should register the same names. Registering a
// name twice is an error.
func (r *Runner) Register(name string, h Handler) error {
	if name == "" || h == nil {
		return fmt.Errorf("%w: Register needs a name and a Handler", ErrInvalid)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.funcs[name]; ok {
		return fmt.Errorf("%w: a function is registered under the name %q already", ErrExists, name)
	}
	r.funcs[name] = h
	return nil
}

// named returns the Func that runs the function registered under name
// with args, or nil.
func (r *Runner) named(name string, args json.RawMessage) Func {
	r.mu.Lock()
	h := r.funcs[name]
	r.mu.Unlock()
	if h == nil {
		return nil
	}
	return func(ctx context.Context, p *Progress) (json.RawMessage, error) { return h(ctx, args, p) }
}

// Cancel cancels the task with the given ref_id and returns it as stored.
// A pending or processing task becomes cancelled at once, in the store;
// the function's context is cancelled at once in this runner, and in
// another as soon as the store's notification reaches it, or at its next
// lease renewal at the latest (see docs/OPERATIONS.md for what is
// measured); what the function returns afterwards is discarded. A
// finished task gives an error wrapping ErrFinished. A task whose owner
// died is cancelled like any other.
func (r *Runner) Cancel(ctx context.Context, refID string) (models.TaskInfo, error) {
	if f := r.local(refID); f != nil && !f.stored.Load() {
		if t, err, done := f.cancelUnstored(); done {
			return t, err
		}
	}
	for attempt := range 50 {
		rec, err := r.store.Get(ctx, refID)
		if err != nil {
			return models.TaskInfo{}, err
		}
		if rec.Task.IsTerminal() {
			return rec.Task, fmt.Errorf("%w: task %s is %s", ErrFinished, refID, rec.Task.Status)
		}
		now := time.Now()
		if rec.Task.Status == models.TaskStatusFailed {
			if !rec.LeaseExpired(now) {
				// Its runner is moving it to pending for a retry, at once.
				if err := sleep(ctx, time.Duration(attempt+1)*2*time.Millisecond); err != nil {
					return rec.Task, err
				}
				continue
			}
			// Its owner died between a failure and the retry: the retry
			// is the step to cancelled.
			rec.Task = toRetry(rec.Task, now)
			rec.Owner, rec.LeaseExpires = r.owner, now.Add(r.opts.LeaseDuration)
			if rec, err = r.store.Update(ctx, rec); err != nil {
				if errors.Is(err, ErrConflict) {
					continue
				}
				return models.TaskInfo{}, err
			}
		}
		rec.Task = toCancelled(rec.Task, now)
		rec.Result, rec.LeaseExpires = nil, time.Time{}
		got, err := r.store.Update(ctx, rec)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return models.TaskInfo{}, err
		}
		if f := r.local(refID); f != nil {
			f.cancel(ErrCancelled)
			r.forgetKey(f)
		}
		r.event(Event{Kind: EventFinished, RefID: refID, Status: models.TaskStatusCancelled})
		return got.Task, nil
	}
	return models.TaskInfo{}, fmt.Errorf("%w: task %s kept changing while it was being cancelled", ErrConflict, refID)
}

// cancelUnstored cancels a flight whose task is not stored yet (its call
// still waits): the task is stored as cancelled, so that Get says so
// afterwards, and the key is let go. done is false when the task was
// stored in the meantime.
func (f *flight) cancelUnstored() (t models.TaskInfo, err error, done bool) {
	r := f.r
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stored.Load() {
		return models.TaskInfo{}, nil, false
	}
	if f.finished || f.stopErr != nil {
		return f.task, fmt.Errorf("%w: task %s is %s", ErrFinished, f.id, f.task.Status), true
	}
	f.task = toCancelled(f.task, time.Now())
	f.stopErr = ErrCancelled
	f.cancel(ErrCancelled)
	r.forgetKey(f)
	ctx, cancel := r.storeCtx()
	got, err := r.store.Create(ctx, Record{Task: f.task, Key: f.key, Owner: r.owner, Requestor: f.requestor, Func: f.fn, Args: f.args})
	cancel()
	r.releaseKey(f.key, f.id)
	if err != nil {
		return f.task, fmt.Errorf("tasks: task %s cancelled, but storing it failed (Get will not find it): %w", f.id, err), true
	}
	f.rec = got
	f.stored.Store(true)
	r.event(Event{Kind: EventFinished, RefID: f.id, Status: models.TaskStatusCancelled})
	return f.task, nil, true
}

// ExpiryLister is what a store that indexes its tasks by the end of their
// lease implements (tasks/redisstore does); [Runner.ReapExpired] then reads
// only the tasks whose lease ran out, not every running task.
type ExpiryLister interface {
	// ListExpired returns up to limit records, after skipping offset, of
	// the tasks that hold a lease (see [HoldsKey]) which ran out before
	// before, soonest first; Page.Next is "" on the last page. Records it
	// cannot read go to Page.Corrupt.
	ListExpired(ctx context.Context, before time.Time, offset, limit int) (Page, error)
}

// ReapExpired takes over every task in the store whose owner's lease has
// expired (see [Runner.Get]), and returns how many it took over or
// failed. A record the store cannot read is skipped and logged with where
// it is; it never stops the others. With an [ExpiryLister] store it reads
// only the expired tasks; otherwise it lists every pending, processing and
// failed task. The runner does this by itself every
// [Options.ReapInterval] (with a full listing every tenth time, for tasks
// an index may lack).
func (r *Runner) ReapExpired(ctx context.Context) (int, error) {
	return r.reapExpired(ctx, false)
}

func (r *Runner) reapExpired(ctx context.Context, full bool) (int, error) {
	n := 0
	var errs []error
	reapPage := func(page Page) {
		for _, c := range page.Corrupt {
			r.log.Error("tasks: skipping a stored task that cannot be read; it is left for inspection",
				"ref_id", c.RefID, "location", c.Location, "err", c.Err)
			r.event(Event{Kind: EventCorrupt, RefID: c.RefID, Err: c})
		}
		now := time.Now()
		for _, rec := range page.Records {
			if !rec.LeaseExpired(now) {
				continue
			}
			if got, err := r.reap(ctx, rec); err != nil {
				errs = append(errs, err)
			} else if got.Owner == r.owner || got.Task.IsTerminal() {
				n++
			}
		}
	}
	if el, ok := r.opts.Store.(ExpiryLister); ok && !full {
		before := time.Now()
		for offset := 0; ; {
			page, err := el.ListExpired(ctx, before, offset, 500)
			if err != nil {
				return n, errors.Join(append(errs, err)...)
			}
			reapPage(page)
			if page.Next == "" {
				return n, errors.Join(errs...)
			}
			// One pass over the index as it was: reaped tasks leave the
			// range, so some later ones shift below the offset; the next
			// pass takes them.
			offset += 500
		}
	}
	for _, st := range []models.TaskStatus{models.TaskStatusPending, models.TaskStatusProcessing, models.TaskStatusFailed} {
		opts := ListOptions{Status: st, Limit: 500}
		for {
			page, err := r.store.List(ctx, opts)
			if err != nil {
				return n, errors.Join(append(errs, err)...)
			}
			reapPage(page)
			if page.Next == "" {
				break
			}
			opts.After = page.Next
		}
	}
	return n, errors.Join(errs...)
}

// reapLoop runs ReapExpired every ReapInterval until the runner closes.
func (r *Runner) reapLoop() {
	t := time.NewTicker(r.opts.ReapInterval)
	defer t.Stop()
	for pass := 1; ; pass++ {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(r.ctx, max(r.opts.ReapInterval, r.opts.StoreTimeout))
		if _, err := r.reapExpired(ctx, pass%10 == 0); err != nil && r.ctx.Err() == nil {
			r.log.Warn("tasks: reaping expired tasks", "owner", r.owner, "err", err)
		}
		cancel()
	}
}

// reap deals with a task whose owner's lease expired. When the call can
// run again (its function is registered here under its name, it has a
// retry left or was waiting for one, and no other task has taken its key)
// this runner takes it over: the failure is recorded (retry_count + 1, a
// RetryInfo) and the function runs here. Otherwise the task fails for
// good (can_retry false). If the task changed in the meantime, reap
// returns it as it is now.
func (r *Runner) reap(ctx context.Context, rec Record) (Record, error) {
	msg := fmt.Sprintf("the task's owner %q stopped renewing its lease, which expired at %s: the process running the task stopped (crashed, or lost the store)",
		rec.Owner, rec.LeaseExpires.UTC().Format(time.RFC3339Nano))
	id := rec.Task.RefID
	now := time.Now()
	lease := now.Add(r.opts.LeaseDuration)
	fn := r.named(rec.Func, rec.Args)
	why := ""
	switch {
	case rec.Func == "":
		why = "the call names no registered function, so no other runner can run it again"
	case fn == nil:
		why = fmt.Sprintf("no function is registered under the name %q on runner %q", rec.Func, r.owner)
	case rec.Task.Status == models.TaskStatusProcessing && rec.Task.RetryCount >= rec.Task.MaxRetries:
		why = "no retries left"
	case r.isClosed():
		why = "the runner that found it is closing"
	}
	if why == "" && rec.Key != "" {
		h, err := r.store.ClaimKey(ctx, rec.Key, id, lease)
		if err != nil {
			return Record{}, err
		}
		if h != id {
			why = fmt.Sprintf("its key is held by task %s now", h)
		}
	}
	old := rec
	rec.Owner, rec.LeaseExpires = r.owner, lease
	if why != "" {
		return r.giveUp(ctx, rec, msg+"; it is not run again: "+why)
	}
	var err error
	if rec.Task.Status == models.TaskStatusProcessing {
		rec.Task = toFailed(rec.Task, now, msg)
		if rec, err = r.store.Update(ctx, rec); err != nil {
			return r.afterReapConflict(ctx, id, err)
		}
	}
	if rec.Task.Status == models.TaskStatusFailed {
		rec.Task = toRetry(rec.Task, now)
	}
	rec.LeaseExpires = time.Now().Add(r.opts.LeaseDuration)
	if rec, err = r.store.Update(ctx, rec); err != nil {
		return r.afterReapConflict(ctx, id, err)
	}
	r.log.Info("tasks: took over a task whose owner's lease expired", "ref_id", id, "from", old.Owner, "owner", r.owner,
		"retry_count", rec.Task.RetryCount, "func", rec.Func)
	r.event(Event{Kind: EventReaped, RefID: id, Status: rec.Task.Status, Retried: true})
	r.adopt(rec, fn)
	return rec, nil
}

// giveUp fails a task whose owner died and that is not run again, for
// good: can_retry is false (see [CheckTransition] on giving up).
func (r *Runner) giveUp(ctx context.Context, rec Record, msg string) (Record, error) {
	id := rec.Task.RefID
	now := time.Now()
	rec.Task = toGivenUp(rec.Task, now, msg)
	rec.LeaseExpires = time.Time{}
	got, err := r.store.Update(ctx, rec)
	if err != nil {
		return r.afterReapConflict(ctx, id, err)
	}
	r.log.Warn("tasks: failed a task whose owner's lease expired", "ref_id", id, "err", msg)
	r.event(Event{Kind: EventReaped, RefID: id, Status: models.TaskStatusFailed})
	r.event(Event{Kind: EventFinished, RefID: id, Status: models.TaskStatusFailed})
	return got, nil
}

func (r *Runner) afterReapConflict(ctx context.Context, id string, err error) (Record, error) {
	var inUse *KeyInUseError
	if errors.Is(err, ErrConflict) || errors.As(err, &inUse) {
		return r.store.Get(ctx, id)
	}
	return Record{}, err
}

// adopt runs a stored task that this runner took over (pending, owned by
// this runner) in a new flight.
func (r *Runner) adopt(rec Record, fn Func) {
	call := Call{Key: rec.Key, Func: rec.Func, Args: rec.Args, MaxRetries: rec.Task.MaxRetries, Requestor: rec.Requestor}
	f := r.newFlight(context.Background(), rec.Task.RefID, call)
	f.task, f.rec, f.lastWrite = rec.Task, rec, time.Now()
	f.stored.Store(true)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		f.cancel(ErrClosed)
		return // the lease runs out; another runner takes it over
	}
	r.byID[f.id] = f
	if f.key != "" {
		r.byKey[f.key] = f
	}
	r.keeping[f] = struct{}{}
	r.wg.Add(1)
	r.mu.Unlock()
	r.watchCancel(f)
	go f.run(fn)
}

func (r *Runner) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// permanentError marks an error not worth retrying.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err to say that running the function again would not
// help (bad arguments, a missing resource): the task fails at once, for
// good (can_retry false), whatever retries it has left. Permanent(nil) is
// nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was made by
// [Permanent].
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Retry runs a task that failed for good again, by hand, as a new task:
// the same registered function, arguments, key, max_retries and
// requestor (the caller checks that whoever asks may see the task), with
// timeout as the call's timeout. The failed task stays as it is (a
// finished task never changes); the outcome names the new task. A task
// that is not failed for good gives ErrInvalid, one that names no
// registered function too.
func (r *Runner) Retry(ctx context.Context, refID string, timeout time.Duration) (Outcome, error) {
	rec, err := r.Get(ctx, refID)
	if err != nil {
		return Outcome{}, err
	}
	if rec.Task.Status != models.TaskStatusFailed || !rec.Task.IsTerminal() {
		return Outcome{}, fmt.Errorf("%w: task %s is %s, not failed for good: only a failed task is retried by hand", ErrInvalid, refID, rec.Task.Status)
	}
	if rec.Func == "" {
		return Outcome{}, fmt.Errorf("%w: task %s names no registered function, so it cannot be run again", ErrInvalid, refID)
	}
	return r.Run(ctx, Call{Timeout: timeout, Key: rec.Key, Func: rec.Func, Args: rec.Args, MaxRetries: rec.Task.MaxRetries,
		Requestor: rec.Requestor}, nil)
}
