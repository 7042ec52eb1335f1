package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// Func is the work of one call. It gets a context that is cancelled when
// its task is cancelled (or its runner closed), never by the request's
// cancellation, and the task's progress reporter. It returns the result as
// JSON (nil means null) or an error; a panic fails the task with the
// panic's message.
type Func func(ctx context.Context, p *Progress) (json.RawMessage, error)

// Options configure a [Runner]. Zero values take the defaults.
type Options struct {
	// Store keeps the tasks; nil means a new MemoryStore with default
	// options.
	Store Store
	// Owner names this runner in the records it owns; "" means a random
	// name. Two runners sharing a store must have different owners.
	Owner string
	// LeaseDuration is how long a task's lease lasts without renewal;
	// default 10s. A task whose lease expired is taken over by a live
	// runner's reaper: run again when its function is registered and
	// retries are left, else failed with can_retry false.
	LeaseDuration time.Duration
	// HeartbeatInterval is how often the runner renews the lease of each
	// task it runs and learns whether another runner cancelled it; default
	// LeaseDuration/10 (1s). It must be shorter than LeaseDuration. Whatever it is, a lease is
	// renewed once half of it has passed: the runner looks at its tasks
	// every min(HeartbeatInterval, ProgressInterval, LeaseDuration/4), so a
	// renewal lands before the lease runs out unless a store call takes a
	// quarter of the lease.
	HeartbeatInterval time.Duration
	// ProgressInterval is the least time between two progress writes of
	// one task; default 500ms.
	ProgressInterval time.Duration
	// StoreTimeout bounds each store call the runner makes on its own (not
	// on a caller's context); default 5s.
	StoreTimeout time.Duration
	// ReapInterval is how often the runner looks, in the background, for
	// tasks whose owner's lease expired, and takes them over (see
	// [Runner.ReapExpired]); default LeaseDuration/2, a negative value
	// turns the background reaper off.
	ReapInterval time.Duration
	// Logger receives the runner's log records (tasks taken over, corrupt
	// records, store errors of the background work); nil means
	// slog.Default().
	Logger *slog.Logger
	// OnEvent, when set, is called for each task event (created, finished,
	// retried, reaped, corrupt record); it must not block.
	OnEvent func(Event)
	// OnStoreCall, when set, is called after each store call the runner
	// makes, with its latency; it must not block.
	OnStoreCall func(StoreCall)
}

// Call describes one call of [Runner.Run].
type Call struct {
	// Timeout is how long Run waits for the function before it answers with
	// an AsyncTaskResponse; 0 answers at once.
	Timeout time.Duration
	// Key, when not "", deduplicates: a call with the key of a task that
	// is running joins that task instead of starting a new one, in this
	// runner or in another sharing the store. The key is claimed in the
	// store ([Store.ClaimKey]) under the runner's lease before the
	// function starts, renewed with the lease, and released when the task
	// ends; a key whose holder's lease ran out is free.
	Key string
	// Func, when not "", names the function registered with
	// [Runner.Register] that the call runs with Args (the fn of Run is
	// then nil). The name and the arguments are stored with the task, so
	// that another runner can run the task again if this one dies.
	Func string
	// Args are the JSON arguments of the named function.
	Args json.RawMessage
	// ID is the task's ref_id; "" means [NewRefID](Prefix).
	ID string
	// Prefix is put before a random ref_id (see [NewRefID]).
	Prefix string
	// MaxRetries is how often a failed function is run again
	// (max_retries); 0 means never.
	MaxRetries int64
	// RetryDelay is the wait before the first retry; each later retry
	// waits twice as long as the one before, up to MaxRetryDelay, and
	// every wait is drawn at random between half and all of that
	// (exponential backoff with jitter, so that retries of many tasks that
	// failed together spread out). 0 retries at once.
	RetryDelay time.Duration
	// MaxRetryDelay caps the wait before a retry; 0 means 64 times
	// RetryDelay.
	MaxRetryDelay time.Duration
	// Requestor is stored with the task as Record.Requestor: whoever asked
	// for it. "" means none.
	Requestor string
}

// Outcome is what [Runner.Run] gives: the function's result when it
// finished within the call's timeout, else the response that tells the
// client which task to poll.
type Outcome struct {
	// Result is the function's JSON result; nil when Async is set.
	Result json.RawMessage
	// Async is the task's response when the function outlived the timeout.
	Async *models.AsyncTaskResponse
}

// PanicError is the error of a function that panicked; the task's error
// is its message, "panic: " and the panic's value.
type PanicError struct {
	Value any    // what the function panicked with
	Stack []byte // the goroutine's stack at the panic
}

// Error returns "panic: " and the panic's value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Runner runs functions as tasks. It is safe for concurrent use.
type Runner struct {
	store Store
	owner string
	opts  Options
	log   *slog.Logger

	ctx  context.Context // cancelled by Close; parent of every task's cancellation
	stop context.CancelCauseFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	byID    map[string]*flight
	byKey   map[string]*flight
	keeping map[*flight]struct{} // stored or keyed flights, whose leases the keeper renews
	funcs   map[string]Handler   // registered functions, by name
}

// NewRunner returns a runner with the given options. Close it when done:
// it has a goroutine that renews the leases of its tasks.
func NewRunner(opts Options) (*Runner, error) {
	if opts.Store == nil {
		opts.Store = NewMemoryStore(MemoryOptions{})
	}
	if opts.Owner == "" {
		id, _ := NewRefID("runner")
		opts.Owner = id
	}
	if opts.LeaseDuration <= 0 {
		opts.LeaseDuration = 10 * time.Second
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = opts.LeaseDuration / 10
	}
	if opts.ProgressInterval <= 0 {
		opts.ProgressInterval = 500 * time.Millisecond
	}
	if opts.StoreTimeout <= 0 {
		opts.StoreTimeout = 5 * time.Second
	}
	if opts.HeartbeatInterval >= opts.LeaseDuration {
		return nil, fmt.Errorf("%w: HeartbeatInterval (%s) must be shorter than LeaseDuration (%s)", ErrInvalid, opts.HeartbeatInterval, opts.LeaseDuration)
	}
	if opts.ReapInterval == 0 {
		opts.ReapInterval = opts.LeaseDuration / 2
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	store := opts.Store
	if opts.OnStoreCall != nil {
		store = timedStore{Store: store, report: opts.OnStoreCall}
	}
	ctx, stop := context.WithCancelCause(context.Background())
	r := &Runner{store: store, owner: opts.Owner, opts: opts, log: opts.Logger, ctx: ctx, stop: stop,
		byID: map[string]*flight{}, byKey: map[string]*flight{}, keeping: map[*flight]struct{}{},
		funcs: map[string]Handler{}}
	go r.keep()
	if opts.ReapInterval > 0 {
		go r.reapLoop()
	}
	return r, nil
}

// Store returns the runner's store.
func (r *Runner) Store() Store { return r.opts.Store }

// InFlight returns how many functions run in this runner now (tasks it
// owns, and calls still within their timeout).
func (r *Runner) InFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byID)
}

// Owner returns the name the runner writes in the records it owns.
func (r *Runner) Owner() string { return r.owner }

// Run starts fn once and waits up to call.Timeout for it:
//   - when fn finishes in time, Run returns its result (or its error, a
//     *PanicError for a panic) and leaves nothing in the store;
//   - when it does not, or ctx is done first, Run stores the task (status
//     processing, or pending between retries) and returns its
//     AsyncTaskResponse; fn keeps running in the same goroutine, and
//     [Runner.Get] shows how it ends. A store error here is returned, and
//     fn is cancelled: no task runs that a client cannot see;
//   - when call.Key names a task running in this runner, Run waits for that
//     task in the same way instead of starting fn.
//
// A failed fn is run again up to call.MaxRetries times (after
// call.RetryDelay), within the same timeout while the call waits.
func (r *Runner) Run(ctx context.Context, call Call, fn Func) (Outcome, error) {
	if call.Timeout < 0 || call.RetryDelay < 0 || call.MaxRetryDelay < 0 {
		return Outcome{}, fmt.Errorf("%w: Timeout, RetryDelay and MaxRetryDelay must not be negative", ErrInvalid)
	}
	// MaxRetries becomes the task's max_retries: its bounds are the
	// TaskInfo schema's, checked here before fn starts.
	probe := newTask("max_retries", call.MaxRetries, time.Unix(0, 0))
	if err := models.Validate(&probe); err != nil {
		return Outcome{}, fmt.Errorf("%w: MaxRetries %d: %w", ErrInvalid, call.MaxRetries, err)
	}
	if call.Func != "" {
		if fn != nil {
			return Outcome{}, fmt.Errorf("%w: a call names a registered function (%q) and gives a Func too", ErrInvalid, call.Func)
		}
		if fn = r.named(call.Func, call.Args); fn == nil {
			return Outcome{}, fmt.Errorf("%w: no function is registered under the name %q", ErrInvalid, call.Func)
		}
	} else if call.Args != nil {
		return Outcome{}, fmt.Errorf("%w: Args given without a Func name", ErrInvalid)
	}
	if call.Args != nil && !json.Valid(call.Args) {
		return Outcome{}, fmt.Errorf("%w: Args are not valid JSON", ErrInvalid)
	}
	if fn == nil {
		return Outcome{}, fmt.Errorf("%w: nil Func", ErrInvalid)
	}
	id := call.ID
	if id != "" {
		if err := checkID(id); err != nil {
			return Outcome{}, err
		}
		if _, err := r.store.Get(ctx, id); err == nil {
			return Outcome{}, fmt.Errorf("%w: %s", ErrExists, id)
		} else if !errors.Is(err, ErrNotFound) {
			return Outcome{}, err
		}
	} else {
		var err error
		if id, err = NewRefID(call.Prefix); err != nil {
			return Outcome{}, err
		}
	}
	for {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return Outcome{}, ErrClosed
		}
		if f := r.byKey[call.Key]; call.Key != "" && f != nil {
			r.mu.Unlock()
			return f.wait(ctx, call.Timeout)
		}
		if _, ok := r.byID[id]; ok {
			r.mu.Unlock()
			return Outcome{}, fmt.Errorf("%w: %s", ErrExists, id)
		}
		r.mu.Unlock()
		if call.Key != "" {
			// The key is claimed in the store before the function starts,
			// so that no other runner starts it too.
			holder, err := r.store.ClaimKey(ctx, call.Key, id, time.Now().Add(r.opts.LeaseDuration))
			if err != nil {
				return Outcome{}, fmt.Errorf("tasks: claim key %q: %w", call.Key, err)
			}
			if holder != id {
				out, again, err := r.join(ctx, call, id, holder)
				if again {
					continue // the holder let the key go: claim it again
				}
				return out, err
			}
		}
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			r.releaseKey(call.Key, id)
			return Outcome{}, ErrClosed
		}
		if f := r.byKey[call.Key]; call.Key != "" && f != nil {
			// A call of this runner with the key won the claim in between.
			r.mu.Unlock()
			return f.wait(ctx, call.Timeout)
		}
		f := r.newFlight(ctx, id, call)
		r.byID[id] = f
		if call.Key != "" {
			r.byKey[call.Key] = f
			f.claimed = time.Now()
			r.keeping[f] = struct{}{}
		}
		r.wg.Add(1)
		r.mu.Unlock()
		go f.run(fn)
		return f.wait(ctx, call.Timeout)
	}
}

// join waits, as a call with call.Key, for the task holder that holds the
// key: in this runner, or stored by another. A holder that is not stored
// yet (its call still waits for it on another runner) is waited for until
// it is stored or lets the key go; then again is true (the key may be id's
// already) and the caller claims the key anew.
func (r *Runner) join(ctx context.Context, call Call, id, holder string) (out Outcome, again bool, err error) {
	if f := r.local(holder); f != nil {
		out, err := f.wait(ctx, call.Timeout)
		return out, false, err
	}
	delay := 2 * time.Millisecond
	deadline := time.Now().Add(call.Timeout)
	for {
		rec, err := r.Get(ctx, holder)
		switch {
		case err == nil:
			out, err := r.outcomeOf(ctx, rec, time.Until(deadline))
			return out, false, err
		case !errors.Is(err, ErrNotFound):
			return Outcome{}, false, err
		}
		// Claimed, not stored: its call is still within its timeout, or it
		// finished in time and is letting the key go, or its runner died
		// and the claim runs out within a lease.
		h, err := r.store.ClaimKey(ctx, call.Key, id, time.Now().Add(r.opts.LeaseDuration))
		if err != nil {
			return Outcome{}, false, err
		}
		if h != holder {
			return Outcome{}, true, nil // ours now, or another's to join
		}
		if err := sleep(ctx, delay); err != nil {
			return Outcome{}, false, err
		}
		delay = min(2*delay, r.opts.HeartbeatInterval)
	}
}

// outcomeOf waits up to timeout for a stored task to end and gives the
// outcome a call that joined it gets: its result, its error, or its
// AsyncTaskResponse.
func (r *Runner) outcomeOf(ctx context.Context, rec Record, timeout time.Duration) (Outcome, error) {
	if !rec.Task.IsTerminal() && timeout > 0 {
		wctx, cancel := context.WithTimeout(ctx, timeout)
		got, err := r.Wait(wctx, rec.Task.RefID)
		cancel()
		if err == nil {
			rec = got
		} else if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			return Outcome{}, err
		}
	}
	switch {
	case rec.Task.Status == models.TaskStatusComplete:
		return Outcome{Result: rec.Result}, nil
	case rec.Task.Status == models.TaskStatusCancelled:
		return Outcome{}, ErrCancelled
	case rec.Task.IsTerminal() && rec.Task.Error != nil:
		return Outcome{}, fmt.Errorf("tasks: task %s failed: %s", rec.Task.RefID, *rec.Task.Error)
	}
	resp, err := response(rec.Task)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Async: &resp}, nil
}

// releaseKey lets the key go, on the runner's own context.
func (r *Runner) releaseKey(key, id string) {
	if key == "" {
		return
	}
	ctx, cancel := r.storeCtx()
	defer cancel()
	if err := r.store.ReleaseKey(ctx, key, id); err != nil {
		r.log.Warn("tasks: releasing a key failed; it is free once its claim runs out", "key", key, "ref_id", id, "err", err)
	}
}

// Get returns the task with the given ref_id: from the store, or, while a
// call still waits for it, from this runner. A pending or processing task
// whose owner's lease has expired is first failed (see the package
// documentation).
func (r *Runner) Get(ctx context.Context, refID string) (Record, error) {
	if f := r.local(refID); f != nil && !f.stored.Load() {
		f.mu.Lock()
		if !f.stored.Load() {
			t := f.task
			if t.Status == models.TaskStatusProcessing {
				t.Progress = f.progress.Snapshot()
			}
			f.mu.Unlock()
			if err := models.Validate(t); err != nil { // as a store would refuse it
				return Record{}, fmt.Errorf("tasks: task %s: %w", refID, err)
			}
			return Record{Task: t, Key: f.key, Owner: r.owner, Requestor: f.requestor}, nil
		}
		f.mu.Unlock()
	}
	rec, err := r.store.Get(ctx, refID)
	if err != nil {
		return Record{}, err
	}
	if rec.LeaseExpired(time.Now()) {
		return r.reap(ctx, rec)
	}
	return rec, nil
}

// Response returns the AsyncTaskResponse of the task with the given
// ref_id, as [Runner.Get] finds it.
func (r *Runner) Response(ctx context.Context, refID string) (models.AsyncTaskResponse, error) {
	rec, err := r.Get(ctx, refID)
	if err != nil {
		return models.AsyncTaskResponse{}, err
	}
	return response(rec.Task)
}

// ownCreate tells a Create whose reply was lost from a real clash of
// ref_ids. A client library may send a write again after a timeout (go-redis
// does), and a store may have made the first one durable before it failed:
// then the second finds the task "already" there. When the stored record is
// the one this runner asked for (same owner, still at version 1, the same
// task), it is that record; otherwise createErr stands.
func (r *Runner) ownCreate(want Record, createErr error) (Record, error) {
	ctx, cancel := r.storeCtx()
	defer cancel()
	got, err := r.store.Get(ctx, want.Task.RefID)
	if err != nil || got.Owner != r.owner || got.Version != 1 ||
		got.Task.Status != want.Task.Status || got.Task.StartedAt != want.Task.StartedAt {
		return Record{}, createErr
	}
	return got, nil
}

// response returns the task's AsyncTaskResponse, checked against its
// schema.
func response(t models.TaskInfo) (models.AsyncTaskResponse, error) {
	resp := t.ToAsyncTaskResponse(models.ResponseOptions{})
	if err := models.Validate(resp); err != nil {
		return models.AsyncTaskResponse{}, fmt.Errorf("tasks: response for task %s: %w", t.RefID, err)
	}
	return resp, nil
}

// Close cancels every function still running in this runner and waits,
// until ctx is done, for their tasks to be written: a task whose function
// stopped fails with "runner closed before the task finished". Later
// calls of Run give ErrClosed.
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.stop(ErrClosed)
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown drains the runner: it stops taking calls at once (Run gives
// ErrClosed), lets the running tasks finish until ctx is done, then
// cancels those left as [Runner.Close] does and returns their ref_ids
// (each is logged). A cancelled task is written failed ("runner closed
// before the task finished") with its lease ended, so that when it names
// a registered function and has a retry left another runner sharing the
// store takes it over at its next reap, not a lease later. The error is
// non-nil only when the tasks left could not be written within
// StoreTimeout.
func (r *Runner) Shutdown(ctx context.Context) (cancelled []string, err error) {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		r.stop(ErrClosed)
		return nil, nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	for id, f := range r.byID {
		cancelled = append(cancelled, id)
		f.mu.Lock()
		f.handOver = true
		f.mu.Unlock()
	}
	r.mu.Unlock()
	slices.Sort(cancelled)
	for _, id := range cancelled {
		r.log.Warn("tasks: shutdown deadline passed: cancelling a running task", "ref_id", id, "owner", r.owner)
	}
	r.stop(ErrClosed)
	grace := time.NewTimer(r.opts.StoreTimeout)
	defer grace.Stop()
	select {
	case <-done:
		return cancelled, nil
	case <-grace.C:
		return cancelled, fmt.Errorf("tasks: shutdown: the tasks cancelled were not all written within %s", r.opts.StoreTimeout)
	}
}

func (r *Runner) local(id string) *flight {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

// forgetKey lets a new call with f's key start a new task.
func (r *Runner) forgetKey(f *flight) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f.key != "" && r.byKey[f.key] == f {
		delete(r.byKey, f.key)
	}
}

func (r *Runner) forget(f *flight) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.keeping, f)
	if r.byID[f.id] == f {
		delete(r.byID, f.id)
	}
	if f.key != "" && r.byKey[f.key] == f {
		delete(r.byKey, f.key)
	}
}

func (r *Runner) storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), r.opts.StoreTimeout)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errStopped: the store holds a state of the task that its flight did not
// write (cancelled or failed by another runner), so the flight writes no
// more.
var errStopped = errors.New("tasks: task changed by another runner")

// flight is one task running in this runner.
type flight struct {
	r          *Runner
	id, key    string
	requestor  string
	fn         string          // the registered function's name, or ""
	args       json.RawMessage // its arguments
	start      time.Time
	maxRetries int64
	retryDelay time.Duration
	maxDelay   time.Duration
	ctx        context.Context
	cancel     context.CancelCauseFunc
	progress   *Progress
	done       chan struct{} // closed when the function's run has ended
	stored     atomic.Bool   // the task is in the store

	mu        sync.Mutex // guards what follows; held during the flight's store writes
	task      models.TaskInfo
	rec       Record // the last record written or read, when stored
	finished  bool
	finishing bool  // the final write is under way: the keeper writes no more
	stopErr   error // why the flight writes no more (cancelled, taken over, store lost)
	result    json.RawMessage
	err       error
	lastWrite time.Time
	claimed   time.Time     // when the key was last claimed, while not stored
	handOver  bool          // Shutdown cancelled the task: its lease ends at once
	input     inputState    // what the function asked the client for (input.go)
	inputWake chan struct{} // Respond in this runner wakes AskInput
}

func (r *Runner) newFlight(reqCtx context.Context, id string, call Call) *flight {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(reqCtx))
	stopOnClose := context.AfterFunc(r.ctx, func() { cancel(ErrClosed) })
	f := &flight{r: r, id: id, key: call.Key, requestor: call.Requestor, fn: call.Func, args: call.Args, start: time.Now(),
		maxRetries: call.MaxRetries, retryDelay: call.RetryDelay, maxDelay: call.MaxRetryDelay,
		ctx: ctx, done: make(chan struct{}), task: newTask(id, call.MaxRetries, time.Now())}
	f.cancel = func(cause error) { stopOnClose(); cancel(cause) }
	f.progress = &Progress{ctx: ctx, ask: f.askInput}
	f.inputWake = make(chan struct{}, 1)
	return f
}

// wait waits for the function up to timeout or until ctx is done, then
// hands the task to the background.
func (f *flight) wait(ctx context.Context, timeout time.Duration) (Outcome, error) {
	t := time.NewTimer(timeout)
	select {
	case <-f.done:
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	return f.handoff()
}

// handoff returns the outcome of a finished flight, or stores the task (if
// it is not stored yet) and returns its response.
func (f *flight) handoff() (Outcome, error) {
	r := f.r
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finished {
		if f.err != nil {
			return Outcome{}, f.err
		}
		return Outcome{Result: f.result}, nil
	}
	if f.stopErr != nil {
		return Outcome{}, f.stopErr
	}
	if !f.stored.Load() {
		t := f.task
		if t.Status == models.TaskStatusProcessing {
			t.Progress = f.progress.Snapshot()
		}
		now := time.Now()
		ctx, cancel := r.storeCtx()
		want := Record{Task: t, Key: f.key, Owner: r.owner, Requestor: f.requestor, LeaseExpires: now.Add(r.opts.LeaseDuration),
			Func: f.fn, Args: f.args, Input: f.inputJSON()}
		got, err := r.store.Create(ctx, want)
		cancel()
		if errors.Is(err, ErrExists) {
			got, err = r.ownCreate(want, err)
		}
		if err != nil {
			var inUse *KeyInUseError
			if errors.As(err, &inUse) {
				// Another runner runs a task with this key: answer with it.
				f.stopErr = fmt.Errorf("tasks: key %q is held by task %s", f.key, inUse.RefID)
				f.cancel(f.stopErr)
				resp, rerr := r.Response(context.Background(), inUse.RefID)
				if rerr != nil {
					return Outcome{}, rerr
				}
				return Outcome{Async: &resp}, nil
			}
			f.stopErr = fmt.Errorf("tasks: store task %s: %w", f.id, err)
			f.cancel(f.stopErr)
			return Outcome{}, f.stopErr
		}
		f.rec, f.task, f.lastWrite = got, t, now
		f.stored.Store(true)
		if !HoldsKey(t) {
			r.releaseKey(f.key, f.id) // it ended as it was stored: the claim goes
		}
		r.mu.Lock()
		r.keeping[f] = struct{}{}
		r.mu.Unlock()
		r.event(Event{Kind: EventCreated, RefID: f.id, Status: t.Status})
		r.watchCancel(f)
	}
	resp, err := response(f.task)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Async: &resp}, nil
}

// run runs the function, with its retries, and writes each step.
func (f *flight) run(fn Func) {
	defer f.r.wg.Done()
	var result json.RawMessage
	var runErr error
	for {
		if err := f.step(toProcessing, nil); err != nil {
			runErr = err
			break
		}
		res, err := invoke(f.ctx, f.progress, fn)
		if f.ctx.Err() != nil {
			runErr = f.ended()
			break
		}
		if err == nil {
			if res == nil {
				res = json.RawMessage("null")
			}
			if !json.Valid(res) {
				err = fmt.Errorf("the function returned a result that is not valid JSON (%d bytes)", len(res))
			}
		}
		now := time.Now()
		if err == nil {
			p := f.progress.Snapshot()
			runErr = f.step(func(t models.TaskInfo) models.TaskInfo {
				if p != nil {
					t.Progress = p
				}
				return toComplete(t, now)
			}, res)
			if runErr == nil {
				result = res
			}
			break
		}
		runErr = err
		msg := err.Error()
		if IsPermanent(err) && f.retriesLeft() {
			// Not worth retrying: failed for good, retries left or not.
			f.step(func(t models.TaskInfo) models.TaskInfo {
				return toGivenUp(t, now, msg+" (permanent: not retried)")
			}, nil)
			break
		}
		if !f.retriesLeft() {
			f.step(func(t models.TaskInfo) models.TaskInfo { return toFailed(t, now, msg) }, nil)
			break
		}
		if f.step(func(t models.TaskInfo) models.TaskInfo { return toFailed(t, now, msg) }, nil) != nil ||
			f.step(func(t models.TaskInfo) models.TaskInfo { return toRetry(t, time.Now()) }, nil) != nil {
			break
		}
		if f.stored.Load() {
			f.r.event(Event{Kind: EventRetried, RefID: f.id, Status: models.TaskStatusPending})
		}
		f.progress.reset()
		if sleep(f.ctx, f.backoff()) != nil {
			runErr = f.ended()
			break
		}
	}
	f.mu.Lock()
	f.finished, f.result, f.err = true, result, runErr
	stored := f.stored.Load()
	t, stopped := f.task, f.stopErr != nil
	f.mu.Unlock()
	f.r.forget(f)
	f.cancel(context.Canceled)
	if !stored {
		f.r.releaseKey(f.key, f.id) // it ran within its call's timeout
	} else if t.IsTerminal() && !stopped {
		f.r.event(Event{Kind: EventFinished, RefID: f.id, Status: t.Status, RunTime: time.Since(f.start)})
	}
	close(f.done)
}

// ended writes the end of a task whose context is done, and returns the
// error of the run: ErrCancelled, ErrClosed or why the flight stopped.
func (f *flight) ended() error {
	cause := context.Cause(f.ctx)
	now := time.Now()
	switch {
	case errors.Is(cause, ErrClosed):
		if f.status() == models.TaskStatusPending {
			f.step(toProcessing, nil) // failed is reached through processing
		}
		f.step(func(t models.TaskInfo) models.TaskInfo {
			return toFailed(t, now, "runner closed before the task finished")
		}, nil)
	case errors.Is(cause, ErrCancelled):
		f.step(func(t models.TaskInfo) models.TaskInfo { return toCancelled(t, now) }, nil)
	}
	return cause
}

// backoff is the wait before the next retry: RetryDelay doubled for each
// retry made, capped at MaxRetryDelay, drawn between half and all of it.
func (f *flight) backoff() time.Duration {
	f.mu.Lock()
	n := f.task.RetryCount // the retry about to run, counted already
	f.mu.Unlock()
	if f.retryDelay <= 0 {
		return 0
	}
	ceiling := f.maxDelay
	if ceiling <= 0 {
		ceiling = 64 * f.retryDelay
	}
	d := f.retryDelay
	for i := int64(1); i < n && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return d/2 + rand.N(d/2+1)
}

func (f *flight) retriesLeft() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.task.RetryCount < f.maxRetries
}

func (f *flight) status() models.TaskStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.task.Status
}

// step moves the task to next(task), writing it to the store once the
// task is stored. It returns errStopped (or why the flight stopped) when
// the flight must write no more.
func (f *flight) step(next func(models.TaskInfo) models.TaskInfo, result json.RawMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopErr != nil {
		return f.stopErr
	}
	t := next(f.task)
	if err := CheckTransition(f.task, t); err != nil {
		return err
	}
	if IsFinished(t.Status) && !(t.Status == models.TaskStatusFailed && t.RetryCount < t.MaxRetries) {
		f.finishing = true
	}
	if !f.stored.Load() {
		f.task = t
		return nil
	}
	return f.writeLocked(t, result, true)
}

// writeLocked writes t to the store. With retry, a store error is retried
// until one lease has passed; then the flight stops (the lease will expire
// and a reader will fail the task). A conflict with a change by someone
// else (Cancel, or a reaper) stops the flight and cancels the function.
func (f *flight) writeLocked(t models.TaskInfo, result json.RawMessage, retry bool) error {
	r := f.r
	giveUp := time.Now().Add(r.opts.LeaseDuration)
	backoff := 5 * time.Millisecond
	for {
		rec := f.rec
		rec.Task, rec.Result, rec.Owner = t, result, r.owner
		rec.Input = f.inputJSON()
		rec.LeaseExpires = time.Time{}
		if HoldsKey(t) {
			rec.LeaseExpires = time.Now().Add(r.opts.LeaseDuration)
			if f.handOver {
				rec.LeaseExpires = time.Now()
			}
		}
		ctx, cancel := r.storeCtx()
		got, err := r.store.Update(ctx, rec)
		cancel()
		if err == nil {
			f.rec, f.task, f.lastWrite = got, t, time.Now()
			return nil
		}
		var inUse *KeyInUseError
		if errors.As(err, &inUse) {
			// The lease ran out and another call took the key: that call
			// runs, this one stops.
			return f.stopLocked(fmt.Errorf("%w: task %s: its key %q is held by task %s now", errStopped, f.id, f.key, inUse.RefID))
		}
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrIllegalTransition) {
			ctx, cancel := r.storeCtx()
			cur, gerr := r.store.Get(ctx, f.id)
			cancel()
			switch {
			case errors.Is(gerr, ErrNotFound):
				return f.stopLocked(fmt.Errorf("%w: task %s was deleted", errStopped, f.id))
			case gerr == nil && (cur.Task.Status != f.task.Status || cur.Owner != r.owner):
				f.task = cur.Task
				if cur.Task.Status == models.TaskStatusCancelled {
					return f.stopLocked(ErrCancelled)
				}
				return f.stopLocked(fmt.Errorf("%w: task %s is now %s (owner %q)", errStopped, f.id, cur.Task.Status, cur.Owner))
			case gerr == nil:
				f.rec.Version = cur.Version
				f.mergeStoredInput(cur.Input) // answers another runner wrote
				continue
			}
			err = gerr
		}
		if !retry {
			return err
		}
		if time.Now().After(giveUp) {
			return f.stopLocked(fmt.Errorf("tasks: task %s: store unavailable for a whole lease: %w", f.id, err))
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
	}
}

func (f *flight) stopLocked(err error) error {
	f.stopErr = err
	f.cancel(err)
	f.r.forgetKey(f)
	return err
}

// tick is how often the keeper looks at the tasks: often enough for each
// heartbeat and progress write, and four times a lease, so that a lease is
// renewed between half and a quarter of it before it runs out.
func (r *Runner) tick() time.Duration {
	return max(min(r.opts.ProgressInterval, r.opts.HeartbeatInterval, r.opts.LeaseDuration/4), time.Millisecond)
}

// renewDue reports whether a lease written at last must be renewed now:
// a heartbeat has passed, or half the lease.
func (r *Runner) renewDue(last time.Time) bool {
	since := time.Since(last)
	return since >= r.opts.HeartbeatInterval || since >= r.opts.LeaseDuration/2
}

// keepers is how many tasks the keeper writes at the same time.
const keepers = 8

// keep writes the progress and renews the lease of every task this runner
// has stored, each tick, until the runner is closed. One goroutine serves
// all tasks, so a running task costs only its function's goroutine.
func (r *Runner) keep() {
	t := time.NewTicker(r.tick())
	defer t.Stop()
	var flights []*flight
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		flights = flights[:0]
		for f := range r.keeping {
			flights = append(flights, f)
		}
		r.mu.Unlock()
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range min(keepers, len(flights)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(flights)); i = next.Add(1) - 1 {
					flights[i].keepOnce()
				}
			}()
		}
		wg.Wait()
		clear(flights) // let finished flights go
	}
}

// keepOnce writes the task's progress if it changed and ProgressInterval
// has passed, or renews its lease if HeartbeatInterval has passed. A write
// that finds the task changed by someone else stops the flight (see
// writeLocked); once writes have failed for a whole lease, the flight stops
// too, since a reader may fail the task now.
func (f *flight) keepOnce() {
	r := f.r
	if !f.mu.TryLock() {
		return // the flight is writing the task itself, which renews the lease
	}
	defer f.mu.Unlock()
	if f.finishing || f.stopErr != nil || f.finished {
		return
	}
	if !f.stored.Load() {
		f.renewClaimLocked()
		return
	}
	since := time.Since(f.lastWrite)
	p, dirty := f.progress.take()
	if !(dirty && since >= r.opts.ProgressInterval) && !r.renewDue(f.lastWrite) {
		if dirty {
			f.progress.markDirty()
		}
		return
	}
	next := f.task
	if dirty && next.Status == models.TaskStatusProcessing {
		next.Progress = p
	}
	err := f.writeLocked(next, nil, false)
	if err == nil || f.stopErr != nil {
		return
	}
	if time.Since(f.lastWrite) >= r.opts.LeaseDuration {
		f.stopLocked(fmt.Errorf("tasks: task %s: store unavailable for a whole lease: %w", f.id, err))
	} else if dirty {
		f.progress.markDirty()
	}
}

// renewClaimLocked renews the key claim of a flight whose task is not
// stored yet (its call waits longer than a heartbeat). A claim that
// another call took (this one ran out while the store was unreachable)
// stops the flight.
func (f *flight) renewClaimLocked() {
	r := f.r
	if f.key == "" || !r.renewDue(f.claimed) {
		return
	}
	ctx, cancel := r.storeCtx()
	h, err := r.store.ClaimKey(ctx, f.key, f.id, time.Now().Add(r.opts.LeaseDuration))
	cancel()
	switch {
	case err == nil && h == f.id:
		f.claimed = time.Now()
	case err == nil:
		f.stopLocked(fmt.Errorf("%w: task %s: its key %q is held by task %s now", errStopped, f.id, f.key, h))
	case time.Since(f.claimed) >= r.opts.LeaseDuration:
		f.stopLocked(fmt.Errorf("tasks: task %s: store unavailable for a whole lease: %w", f.id, err))
	}
}

// invoke calls fn, turning a panic into a *PanicError.
func invoke(ctx context.Context, p *Progress, fn Func) (res json.RawMessage, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, p)
}
