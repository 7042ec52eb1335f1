package tasks

import (
	"context"
	"errors"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// Notifier is what a store that can tell when a task changes implements
// (both stores of this module do); [Runner.Wait] uses it instead of
// polling.
type Notifier interface {
	// Watch returns a channel that gets the new status at the first write
	// that changes the status of the task refID, or ends it for good, after
	// Watch returned ("" when the task is removed), and is closed then; and a function that stops
	// watching (call it when done). Writes that keep the status (progress,
	// lease renewals) are not notified. A store that loses its
	// notifications for a while (a reconnection) may miss a change:
	// callers look at the task again after a bounded time.
	Watch(ctx context.Context, refID string) (changed <-chan models.TaskStatus, stop func(), err error)
}

// Wait waits until the task with the given ref_id has ended (complete,
// cancelled, or failed with no retries left) and returns it, or until ctx
// is done. It wakes up on the store's notification of a change ([Notifier])
// rather than by polling; it also looks at the task when its owner's lease
// runs out (so that a task whose owner died is taken over or failed, see
// [Runner.Get]) and at least every HeartbeatInterval when the store has no
// notifications, or 4 heartbeats when it has (a notification lost in a
// reconnection). A task that is not found (or cannot be read) ends the wait
// with that error; a store that cannot be reached does not: Wait reads the
// task again every heartbeat until ctx is done.
func (r *Runner) Wait(ctx context.Context, refID string) (Record, error) {
	return r.WaitUntil(ctx, refID, func(rec Record) bool { return rec.Task.IsTerminal() })
}

// WaitUntil waits, as [Runner.Wait] does, until done holds for the task
// (as [Runner.Get] finds it) and returns it, or until ctx is done.
func (r *Runner) WaitUntil(ctx context.Context, refID string, done func(Record) bool) (Record, error) {
	n, _ := r.opts.Store.(Notifier)
	for {
		var changed <-chan models.TaskStatus
		stop := func() {}
		fallback := r.opts.HeartbeatInterval
		if n != nil {
			var err error
			if changed, stop, err = n.Watch(ctx, refID); err != nil {
				changed, stop = nil, func() {}
			} else {
				fallback = 4 * r.opts.HeartbeatInterval
			}
		}
		var ended <-chan struct{}
		if f := r.local(refID); f != nil {
			ended = f.done
		}
		rec, err := r.Get(ctx, refID)
		switch {
		case err == nil && done(rec), errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid):
			stop()
			return rec, err
		case err != nil:
			// The store is unreachable for now: look again after a
			// heartbeat, until ctx is done.
			r.log.Debug("tasks: wait: reading the task failed; trying again", "ref_id", refID, "err", err)
			fallback = r.opts.HeartbeatInterval
		case !rec.LeaseExpires.IsZero():
			fallback = min(fallback, time.Until(rec.LeaseExpires)+time.Millisecond)
		}
		t := time.NewTimer(max(fallback, time.Millisecond))
		select {
		case <-ctx.Done():
		case <-changed:
		case <-ended:
		case <-t.C:
		}
		t.Stop()
		stop()
		if err := ctx.Err(); err != nil {
			return Record{}, err
		}
	}
}

// watchCancel stops the flight's function as soon as the store tells that
// its task was cancelled (by another runner), instead of at the flight's
// next lease renewal; without notifications, the renewal it is.
func (r *Runner) watchCancel(f *flight) {
	n, ok := r.opts.Store.(Notifier)
	if !ok {
		return
	}
	go func() {
		for {
			ch, stop, err := n.Watch(f.ctx, f.id)
			if err != nil {
				return
			}
			select {
			case st := <-ch:
				stop()
				if st == models.TaskStatusCancelled {
					f.cancel(ErrCancelled)
					return
				}
				if st == "" {
					return
				}
			case <-f.ctx.Done():
				stop()
				return
			}
		}
	}()
}
