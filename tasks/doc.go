// Package tasks runs tool calls with a deadline and keeps the ones that
// outlive it as asynchronous tasks that a client polls: mcp-refcache's "async
// timeout fallback", built on the models of package models so that every
// task it stores or returns satisfies the schema.
//
// # Running
//
// [Runner.Run] starts a [Func] once, in its own goroutine, and waits up to the
// call's timeout. When the function finishes in time the caller gets its
// result and nothing is left in the store. When it does not, the task is
// written to the [Store] (status processing) and the caller gets a
// schema-valid [models.AsyncTaskResponse]; the same goroutine keeps running,
// on a context that the request's cancellation does not reach but
// [Runner.Cancel] does. A client polls with [Runner.Get].
//
// A call with a key ([Call.Key]) that is already running, in this runner or in
// another sharing the store, joins the running task instead of starting a
// second run: the key is claimed in the store, atomically and under the
// runner's lease, before the function starts. Reference IDs are either
// the caller's ([Call.ID]) or 128 random bits from crypto/rand, hex-encoded,
// after an optional prefix.
//
// # Lifecycle
//
// A task moves pending -> processing -> complete | failed | cancelled, and
// failed -> pending for a retry while retry_count < max_retries (the retry
// increments retry_count and appends a RetryInfo). [CheckTransition] is the
// one place these rules live; every store calls it before it writes, so an
// illegal transition is an error and never stored. Complete, cancelled, and
// failed with no retries left never change.
//
// Cancel: a pending task becomes cancelled at once. A processing task also
// becomes cancelled at once, in the store, when [Runner.Cancel] returns; its
// function's context is cancelled at the same moment when it runs in the
// same runner. In another runner sharing the store it is cancelled when the
// store's notification reaches that runner (milliseconds), or, with a store
// without notifications, at that runner's next lease renewal: within one
// heartbeat ([Options.HeartbeatInterval]) plus one tick of its keeper, 1.56
// heartbeats at worst as measured (docs/OPERATIONS.md). Whatever the
// function returns afterwards is discarded. Cancelling a finished task is an error
// ([ErrFinished]).
//
// # Owners and leases
//
// The runner that writes a task to the store owns it and renews a lease on
// it ([Options.LeaseDuration]) every heartbeat, and always before half the
// lease has passed. A task whose lease has expired belongs to a process that
// stopped (crashed, or lost the store for longer than the lease). Every
// runner's background reaper ([Options.ReapInterval], [Runner.ReapExpired];
// [Runner.Get] and [Runner.Wait] too) takes such a task over and runs it
// again when it can: the call named a function registered on the runner
// ([Runner.Register], [Call.Func]) whose arguments are stored with the task,
// and it has a retry left; retry_count and retry_history record the failure.
// Otherwise the task fails for good (can_retry false), so a poller never
// waits for ever. [Runner.Shutdown] drains a runner before it stops.
//
// # Stores
//
// [Store] is what a runner needs from storage: create, get, update with
// compare-and-set, list with a status filter and paging, delete; a complete
// task's result is stored with it ([Record.Result]). Every task written goes
// through [models.Marshal] and every task read through [models.Unmarshal].
// [MemoryStore] is the embedded default; the nested module
// github.com/mcp-refcache/taskschema/tasks/redisstore shares tasks between
// replicas through Redis.
package tasks
