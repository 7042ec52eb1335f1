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
// A call with a key ([Call.Key]) that is already running in this runner joins
// the running task instead of starting a second run. Reference IDs are either
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
// same runner, and within one heartbeat interval ([Options.HeartbeatInterval])
// when it runs in another runner sharing the store. Whatever the function
// returns afterwards is discarded. Cancelling a finished task is an error
// ([ErrFinished]).
//
// # Owners and leases
//
// The runner that writes a task to the store owns it and renews a lease on
// it ([Options.LeaseDuration]) every heartbeat. A pending or processing task
// whose lease has expired belongs to a process that stopped (crashed, or lost
// the store for longer than the lease): [Runner.Get] and [Runner.ReapExpired]
// mark it failed with an error that says so, so a poller never waits for
// ever.
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
