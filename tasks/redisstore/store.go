// Package redisstore is a tasks.Store on Redis, so that runners on several
// replicas share their tasks: a task submitted on one replica can be polled
// and cancelled on any other.
//
// Each task is a hash (the task's models.Marshal bytes, its status, version,
// result, deduplication key, owner, lease, function name and arguments);
// sorted sets index the tasks by status for List; a string per
// deduplication key holds its claim, "<until, Unix ms> <ref_id>" (until 0:
// no end), judged against the caller's clock as the leases are. Every write is one Lua script, so it is atomic: Update
// changes the hash only while its version is the one the caller read
// (compare-and-set), and a finished task gets its time to live with PEXPIRE
// in the same script; an expiry index lets each Create drop the index
// entries of expired tasks. Scripts name keys they derive from the prefix, so the
// store needs a single Redis server (or a primary with replicas), not Redis
// Cluster.
//
// For tasks to survive a restart of Redis, run it with appendonly yes and
// appendfsync always (everysec may lose the last second of writes); the
// tests kill and restart such a server while tasks run. A task lost anyway
// shows as tasks.ErrNotFound to pollers, and its runner stops its function.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// Options configure a [Store].
type Options struct {
	// Prefix starts every Redis key the store uses; "" means "taskschema:".
	Prefix string
	// TTL is how long a finished task (complete, failed or cancelled) is
	// kept; 0 means one hour.
	TTL time.Duration
	// MaxInFlightPerRequestor is the most pending or processing tasks one
	// requestor (tasks.Record.Requestor, when not "") may have, across all
	// replicas: Create checks and counts atomically and gives a
	// *tasks.InFlightLimitError beyond it. 0 means no limit.
	MaxInFlightPerRequestor int
}

// Store is a [tasks.Store] on Redis. It is safe for concurrent use.
type Store struct {
	rdb         redis.UniversalClient
	prefix      string
	ttl         time.Duration
	maxInFlight int

	mu       sync.Mutex
	sub      *redis.PubSub // the one subscription of Watch, or nil
	watchers tasks.Watchers
}

// New returns a store that keeps its tasks in rdb.
func New(rdb redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "taskschema:"
	}
	if opts.TTL <= 0 {
		opts.TTL = time.Hour
	}
	return &Store{rdb: rdb, prefix: opts.Prefix, ttl: opts.TTL, maxInFlight: max(opts.MaxInFlightPerRequestor, 0)}
}

func (s *Store) taskKey(id string) string              { return s.prefix + "t:" + id }
func (s *Store) allKey() string                        { return s.prefix + "all" }
func (s *Store) statusKey(st models.TaskStatus) string { return s.prefix + "s:" + string(st) }
func (s *Store) dedupKey(key string) string            { return s.prefix + "k:" + key }
func (s *Store) expiryKey() string                     { return s.prefix + "expiry" }
func (s *Store) leaseKey() string                      { return s.prefix + "leases" }

// reqKey is the index of a requestor's tasks (a sorted set, like the
// status indexes); flightKey the set of its pending and processing tasks,
// which the limit per requestor counts. Both expire an hour after the
// requestor's tasks' time to live from their last write (each write
// pushes it back), so that they do not outlive the tasks they index.
func (s *Store) reqKey(req string) string    { return s.prefix + "r:" + req }
func (s *Store) flightKey(req string) string { return s.prefix + "rf:" + req }

// indexTTL is how long a requestor's index outlives its last write.
func (s *Store) indexTTL() int64 { return (s.ttl + time.Hour).Milliseconds() }
func (s *Store) setKey(st models.TaskStatus) string {
	if st == "" {
		return s.allKey()
	}
	return s.statusKey(st)
}

// pruneLua removes from the indexes up to 100 tasks whose time to live has
// passed (their hashes are gone already: PEXPIRE), so that the indexes do
// not grow with every task ever finished. KEYS[2] is the index of all,
// KEYS[5] the expiry index; ARGV[10] is now in Unix milliseconds, ARGV[11]
// the prefix of the status indexes.
const pruneLua = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[10], 'LIMIT', 0, 100)
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[2], id)
  for _, st in ipairs({'pending', 'processing', 'complete', 'failed', 'cancelled'}) do
    redis.call('ZREM', ARGV[11] .. st, id)
  end
  redis.call('ZREM', KEYS[5], id)
end
`

// requestorLua keeps a requestor's indexes: KEYS[6] the index of its
// tasks, KEYS[7] the set of its tasks in flight; ARGV[12] is the
// requestor ("" for none), ARGV[13] how long the indexes outlive this
// write in ms. finished is '1' when the task is finished.
const requestorLua = `
local function requestorIndex(id, finished)
  if ARGV[12] == '' then return end
  redis.call('ZADD', KEYS[6], 0, id)
  if finished == '1' then
    redis.call('SREM', KEYS[7], id)
  else
    redis.call('SADD', KEYS[7], id)
  end
  for _, k in ipairs({KEYS[6], KEYS[7]}) do
    local left = redis.call('PTTL', k)
    if left == -1 or (left >= 0 and left < tonumber(ARGV[13])) then redis.call('PEXPIRE', k, ARGV[13]) end
  end
end
`

// keyLua defines holder(key, now): the ref_id whose claim on the
// deduplication key has not run out at now (Unix ms), or false.
const keyLua = `
local function holder(k, now)
  local v = redis.call('GET', k)
  if not v then return false end
  local ms, id = string.match(v, '^(%d+) (.*)$')
  if not ms then return v end
  if ms ~= '0' and tonumber(ms) <= tonumber(now) then return false end
  return id
end
local function claim(k, id, til, now)
  redis.call('SET', k, til .. ' ' .. id)
  if til ~= '0' then
    -- the claim is gone from Redis an hour after it ran out
    redis.call('PEXPIRE', k, math.max(tonumber(til) - tonumber(now), 0) + 3600000)
  else
    redis.call('PERSIST', k)
  end
end
local function release(k, id)
  local v = redis.call('GET', k)
  if not v then return end
  local ms, held = string.match(v, '^(%d+) (.*)$')
  if (held or v) == id then redis.call('DEL', k) end
end
`

var claimScript = redis.NewScript(keyLua + `
-- KEYS: 1 dedup key; ARGV: 1 id, 2 until ms (0: no end), 3 now ms
local h = holder(KEYS[1], ARGV[3])
if h and h ~= ARGV[1] then return h end
claim(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return ARGV[1]
`)

var releaseScript = redis.NewScript(keyLua + `
-- KEYS: 1 dedup key; ARGV: 1 id
release(KEYS[1], ARGV[1])
return 1
`)

var createScript = redis.NewScript(pruneLua + requestorLua + keyLua + `
-- KEYS: 1 task hash, 2 index of all, 3 index of the status, 4 dedup key, 5 expiry index,
--       6 index of the requestor, 7 the requestor's tasks in flight, 8 lease index
-- ARGV: 1 id, 2 task, 3 status, 4 finished, 5 result, 6 key, 7 owner, 8 lease, 9 ttl ms, 10 now ms, 11 status index prefix,
--       12 requestor, 13 index ttl ms, 14 most tasks in flight per requestor (0: no limit), 15 task hash prefix, 16 input,
--       17 holds its key, 18 function name, 19 arguments
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists', ''} end
if ARGV[6] ~= '' and ARGV[17] == '1' then
  local h = holder(KEYS[4], ARGV[10])
  if h and h ~= ARGV[1] then return {'key', h} end
end
if ARGV[12] ~= '' and ARGV[4] == '0' and tonumber(ARGV[14]) > 0 then
  local n = redis.call('SCARD', KEYS[7])
  if n >= tonumber(ARGV[14]) then
    -- drop the tasks that ended without a write (expired or deleted hashes)
    for _, id in ipairs(redis.call('SMEMBERS', KEYS[7])) do
      local st = redis.call('HGET', ARGV[15] .. id, 'st')
      if st ~= 'pending' and st ~= 'processing' then redis.call('SREM', KEYS[7], id) end
    end
    n = redis.call('SCARD', KEYS[7])
    if n >= tonumber(ARGV[14]) then return {'limit', tostring(n)} end
  end
end
if ARGV[6] ~= '' and ARGV[17] == '1' then claim(KEYS[4], ARGV[1], ARGV[8] ~= '' and ARGV[8] or '0', ARGV[10]) end
redis.call('HSET', KEYS[1], 'task', ARGV[2], 'st', ARGV[3], 'ver', 1, 'result', ARGV[5], 'key', ARGV[6], 'owner', ARGV[7], 'lease', ARGV[8],
  'input', ARGV[16], 'fn', ARGV[18], 'args', ARGV[19])
if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'req', ARGV[12]) end
requestorIndex(ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[3], 0, ARGV[1])
if ARGV[4] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[9])
  redis.call('ZADD', KEYS[5], tonumber(ARGV[10]) + tonumber(ARGV[9]), ARGV[1])
end
if ARGV[17] == '1' and ARGV[8] ~= '' then redis.call('ZADD', KEYS[8], ARGV[8], ARGV[1]) end
redis.call('PUBLISH', KEYS[1], ARGV[3])
return {'ok', '1'}
`)

var updateScript = redis.NewScript(requestorLua + keyLua + `
-- KEYS: 1 task hash, 2 index of the old status, 3 index of the new status, 4 dedup key, 5 expiry index,
--       6 index of the requestor, 7 the requestor's tasks in flight, 8 lease index
-- ARGV: 1 id, 2 expected version, 3 task, 4 status, 5 finished, 6 result, 7 key, 8 owner, 9 lease, 10 ttl ms, 11 now ms,
--       12 requestor (unchanged, checked by the caller), 13 index ttl ms, 14 input, 15 holds its key, 16 function name, 17 arguments
local ver = redis.call('HGET', KEYS[1], 'ver')
if not ver then return {'missing', ''} end
if ver ~= ARGV[2] then return {'conflict', ver} end
if ARGV[7] ~= '' and ARGV[15] == '1' then
  local h = holder(KEYS[4], ARGV[11])
  if h and h ~= ARGV[1] then return {'key', h} end
end
local nv = tostring(tonumber(ver) + 1)
redis.call('HSET', KEYS[1], 'task', ARGV[3], 'st', ARGV[4], 'ver', nv, 'result', ARGV[6], 'key', ARGV[7], 'owner', ARGV[8], 'lease', ARGV[9],
  'input', ARGV[14], 'fn', ARGV[16], 'args', ARGV[17])
if KEYS[2] ~= KEYS[3] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], 0, ARGV[1])
end
if ARGV[7] ~= '' then
  if ARGV[15] == '1' then
    claim(KEYS[4], ARGV[1], ARGV[9] ~= '' and ARGV[9] or '0', ARGV[11])
  else
    release(KEYS[4], ARGV[1])
  end
end
if ARGV[5] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[10])
  redis.call('ZADD', KEYS[5], tonumber(ARGV[11]) + tonumber(ARGV[10]), ARGV[1])
else
  redis.call('PERSIST', KEYS[1])
  redis.call('ZREM', KEYS[5], ARGV[1])
end
requestorIndex(ARGV[1], ARGV[5])
if ARGV[15] == '1' and ARGV[9] ~= '' then
  redis.call('ZADD', KEYS[8], ARGV[9], ARGV[1])
else
  redis.call('ZREM', KEYS[8], ARGV[1])
end
if KEYS[2] ~= KEYS[3] or ARGV[15] ~= '1' then redis.call('PUBLISH', KEYS[1], ARGV[4]) end
return {'ok', nv}
`)

var deleteScript = redis.NewScript(keyLua + `
-- KEYS: 1 task hash, 2 index of all, 3 index of the status, 4 dedup key, 5 expiry index,
--       6 index of the requestor, 7 the requestor's tasks in flight, 8 lease index
-- ARGV: 1 id
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('SREM', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
release(KEYS[4], ARGV[1])
redis.call('PUBLISH', KEYS[1], 'deleted')
return 1
`)

// encoded is a record as the scripts take it.
type encoded struct {
	task, finished, result, lease, holds string
}

func encode(rec tasks.Record) (encoded, error) {
	if err := tasks.CheckRecord(rec); err != nil {
		return encoded{}, err
	}
	data, err := models.Marshal(rec.Task)
	if err != nil {
		return encoded{}, fmt.Errorf("tasks: task %s: %w", rec.Task.RefID, err)
	}
	e := encoded{task: string(data), finished: "0", result: string(rec.Result), holds: "0"}
	if tasks.IsFinished(rec.Task.Status) {
		e.finished = "1"
	}
	if tasks.HoldsKey(rec.Task) {
		e.holds = "1"
	}
	if !rec.LeaseExpires.IsZero() {
		e.lease = strconv.FormatInt(rec.LeaseExpires.UnixMilli(), 10)
	}
	return e, nil
}

// Create implements [tasks.Store].
func (s *Store) Create(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	e, err := encode(rec)
	if err != nil {
		return tasks.Record{}, err
	}
	id := rec.Task.RefID
	keys := []string{s.taskKey(id), s.allKey(), s.statusKey(rec.Task.Status), s.dedupKey(rec.Key), s.expiryKey(),
		s.reqKey(rec.Requestor), s.flightKey(rec.Requestor), s.leaseKey()}
	res, err := createScript.Run(ctx, s.rdb, keys, id, e.task, string(rec.Task.Status), e.finished, e.result,
		rec.Key, rec.Owner, e.lease, s.ttl.Milliseconds(), time.Now().UnixMilli(), s.statusKey(""),
		rec.Requestor, s.indexTTL(), s.maxInFlight, s.taskKey(""), string(rec.Input), e.holds, rec.Func, string(rec.Args)).StringSlice()
	if err != nil {
		return tasks.Record{}, fmt.Errorf("redisstore: create %s: %w", id, err)
	}
	switch res[0] {
	case "exists":
		return tasks.Record{}, fmt.Errorf("%w: %s", tasks.ErrExists, id)
	case "key":
		return tasks.Record{}, &tasks.KeyInUseError{Key: rec.Key, RefID: res[1]}
	case "limit":
		n, _ := strconv.Atoi(res[1])
		return tasks.Record{}, &tasks.InFlightLimitError{Requestor: rec.Requestor, InFlight: n, Limit: s.maxInFlight}
	}
	rec.Version = 1
	return rec, nil
}

// Get implements [tasks.Store]. The task is read through models.Unmarshal:
// a hash that another program wrote with a task the schema rejects gives
// an error wrapping tasks.ErrInvalid.
//
// A record that cannot be read back (not a hash, or a hash another program
// wrote that the schema or [tasks.CheckRecord] rejects) gives a
// *tasks.CorruptError naming its Redis key; the record is left as it is.
func (s *Store) Get(ctx context.Context, refID string) (tasks.Record, error) {
	h, err := s.rdb.HGetAll(ctx, s.taskKey(refID)).Result()
	if err != nil {
		if c := s.corrupt(refID, err); c != nil {
			return tasks.Record{}, c
		}
		return tasks.Record{}, fmt.Errorf("redisstore: get %s: %w", refID, err)
	}
	rec, err := decode(refID, h)
	if err != nil && !errors.Is(err, tasks.ErrNotFound) {
		return tasks.Record{}, &tasks.CorruptError{RefID: refID, Location: "redis key " + s.taskKey(refID), Err: err}
	}
	return rec, err
}

// corrupt is the CorruptError of a Redis error that says the key holds
// something other than a hash (WRONGTYPE), or nil.
func (s *Store) corrupt(id string, err error) *tasks.CorruptError {
	if err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
		return nil
	}
	return &tasks.CorruptError{RefID: id, Location: "redis key " + s.taskKey(id),
		Err: fmt.Errorf("%w: the key holds another type than a hash (%v)", tasks.ErrInvalid, err)}
}

// fetched is one task hash that fetch read, in the order of its ids: the
// record, or missing (the hash is gone and an index still names it), or
// corrupt (a key of another type, or a hash that does not decode).
type fetched struct {
	id      string
	rec     tasks.Record
	missing bool
	corrupt *tasks.CorruptError
}

// fetch reads the task hashes of ids in one pipeline. Any error other than
// a corrupt record ends the read.
func (s *Store) fetch(ctx context.Context, ids []string) ([]fetched, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.taskKey(id))
	}
	pipe.Exec(ctx) // each command's error is looked at below
	out := make([]fetched, len(ids))
	for i, id := range ids {
		out[i].id = id
		h, err := cmds[i].Result()
		if c := s.corrupt(id, err); c != nil {
			out[i].corrupt = c
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(h) == 0 {
			out[i].missing = true
			continue
		}
		if out[i].rec, err = decode(id, h); err != nil {
			out[i].corrupt = &tasks.CorruptError{RefID: id, Location: "redis key " + s.taskKey(id), Err: err}
		}
	}
	return out, nil
}

func decode(id string, h map[string]string) (tasks.Record, error) {
	if len(h) == 0 {
		return tasks.Record{}, fmt.Errorf("%w: %s", tasks.ErrNotFound, id)
	}
	rec := tasks.Record{Key: h["key"], Owner: h["owner"], Requestor: h["req"], Func: h["fn"]}
	if a := h["args"]; a != "" {
		rec.Args = []byte(a)
	}
	if err := models.Unmarshal([]byte(h["task"]), &rec.Task); err != nil {
		return tasks.Record{}, fmt.Errorf("%w: stored task %s: %w", tasks.ErrInvalid, id, err)
	}
	var err error
	if rec.Version, err = strconv.ParseInt(h["ver"], 10, 64); err != nil || rec.Version < 1 {
		return tasks.Record{}, fmt.Errorf("%w: stored task %s: version %q is not a positive integer", tasks.ErrInvalid, id, h["ver"])
	}
	if l := h["lease"]; l != "" {
		ms, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			return tasks.Record{}, fmt.Errorf("%w: stored task %s: lease %q is not Unix milliseconds", tasks.ErrInvalid, id, l)
		}
		rec.LeaseExpires = time.UnixMilli(ms)
	}
	if r := h["result"]; r != "" {
		rec.Result = []byte(r)
	}
	if in := h["input"]; in != "" {
		rec.Input = []byte(in)
	}
	if rec.Task.RefID != id || h["st"] != string(rec.Task.Status) {
		return tasks.Record{}, fmt.Errorf("%w: stored task %s: hash holds ref_id %q, status %q for %q", tasks.ErrInvalid, id, rec.Task.RefID, h["st"], rec.Task.Status)
	}
	if err := tasks.CheckRecord(rec); err != nil {
		return tasks.Record{}, fmt.Errorf("stored task: %w", err)
	}
	return rec, nil
}

// Update implements [tasks.Store]: it reads the stored task, checks the
// transition, and writes only if the version is still rec.Version.
func (s *Store) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	e, err := encode(rec)
	if err != nil {
		return tasks.Record{}, err
	}
	id := rec.Task.RefID
	old, err := s.Get(ctx, id)
	if err != nil {
		return tasks.Record{}, err
	}
	if old.Version != rec.Version {
		return tasks.Record{}, fmt.Errorf("%w: %s is at version %d, not %d", tasks.ErrConflict, id, old.Version, rec.Version)
	}
	if err := tasks.CheckTransition(old.Task, rec.Task); err != nil {
		return tasks.Record{}, err
	}
	if rec.Key != old.Key {
		return tasks.Record{}, fmt.Errorf("%w: task %s: the key changes from %q to %q", tasks.ErrInvalid, id, old.Key, rec.Key)
	}
	if rec.Requestor != old.Requestor {
		return tasks.Record{}, fmt.Errorf("%w: task %s: the requestor changes from %q to %q", tasks.ErrInvalid, id, old.Requestor, rec.Requestor)
	}
	keys := []string{s.taskKey(id), s.statusKey(old.Task.Status), s.statusKey(rec.Task.Status), s.dedupKey(rec.Key), s.expiryKey(),
		s.reqKey(rec.Requestor), s.flightKey(rec.Requestor), s.leaseKey()}
	res, err := updateScript.Run(ctx, s.rdb, keys, id, strconv.FormatInt(rec.Version, 10), e.task, string(rec.Task.Status),
		e.finished, e.result, rec.Key, rec.Owner, e.lease, s.ttl.Milliseconds(), time.Now().UnixMilli(),
		rec.Requestor, s.indexTTL(), string(rec.Input), e.holds, rec.Func, string(rec.Args)).StringSlice()
	if err != nil {
		return tasks.Record{}, fmt.Errorf("redisstore: update %s: %w", id, err)
	}
	switch res[0] {
	case "missing":
		return tasks.Record{}, fmt.Errorf("%w: %s", tasks.ErrNotFound, id)
	case "conflict":
		return tasks.Record{}, fmt.Errorf("%w: %s is at version %s, not %d", tasks.ErrConflict, id, res[1], rec.Version)
	case "key":
		return tasks.Record{}, &tasks.KeyInUseError{Key: rec.Key, RefID: res[1]}
	}
	if rec.Version, err = strconv.ParseInt(res[1], 10, 64); err != nil {
		return tasks.Record{}, fmt.Errorf("redisstore: update %s: version %q: %w", id, res[1], err)
	}
	return rec, nil
}

// List implements [tasks.Store]. Index entries of tasks that expired are
// removed as List comes across them.
func (s *Store) List(ctx context.Context, opts tasks.ListOptions) (tasks.Page, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = 100
	}
	set := s.setKey(opts.Status)
	if opts.Requestor != "" {
		set = s.reqKey(opts.Requestor)
	}
	after := "-"
	if opts.After != "" {
		after = "(" + opts.After
	}
	var page tasks.Page
	for range 1000 { // each round removes stale entries or fills the page
		ids, err := s.rdb.ZRangeByLex(ctx, set, &redis.ZRangeBy{Min: after, Max: "+", Count: int64(limit - len(page.Records) + 1)}).Result()
		if err != nil {
			return tasks.Page{}, fmt.Errorf("redisstore: list: %w", err)
		}
		if len(ids) == 0 {
			return page, nil
		}
		got, err := s.fetch(ctx, ids)
		if err != nil {
			return tasks.Page{}, fmt.Errorf("redisstore: list: %w", err)
		}
		for _, f := range got {
			if f.corrupt != nil {
				page.Corrupt = append(page.Corrupt, f.corrupt)
				continue
			}
			if f.missing {
				s.rdb.ZRem(ctx, set, f.id)
				s.rdb.ZRem(ctx, s.allKey(), f.id)
				continue
			}
			rec := f.rec
			if opts.Status != "" && rec.Task.Status != opts.Status {
				continue // moved since the index was read
			}
			if opts.Requestor != "" && rec.Requestor != opts.Requestor {
				continue
			}
			if len(page.Records) == limit {
				page.Next = page.Records[limit-1].Task.RefID
				return page, nil
			}
			page.Records = append(page.Records, rec)
		}
		after = "(" + ids[len(ids)-1]
	}
	return page, nil
}

// Watch implements [tasks.Notifier]: every write that changes a task's
// status (or ends it for good) publishes the new status on the channel named by the task hash's
// key, and the store holds one pattern subscription (one connection) for
// all its watchers, made at the first Watch. go-redis renews the
// subscription after a reconnection; a change in between is missed, which
// is why [tasks.Runner.Wait] also looks at the task after a bounded time.
func (s *Store) Watch(ctx context.Context, refID string) (<-chan models.TaskStatus, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sub == nil {
		sub := s.rdb.PSubscribe(ctx, globEscape(s.prefix+"t:")+"*")
		if _, err := sub.Receive(ctx); err != nil { // the subscription is in place
			sub.Close()
			return nil, nil, fmt.Errorf("redisstore: subscribe: %w", err)
		}
		s.sub = sub
		go s.dispatch(sub.Channel(redis.WithChannelSize(1000)))
	}
	ch, stop := s.watchers.Add(refID)
	return ch, stop, nil
}

// globEscape escapes the characters special to Redis patterns, so that a
// prefix holding them matches only itself.
func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *Store) dispatch(msgs <-chan *redis.Message) {
	for m := range msgs {
		id := strings.TrimPrefix(m.Channel, s.prefix+"t:")
		st := models.TaskStatus(m.Payload)
		if m.Payload == "deleted" {
			st = ""
		}
		s.watchers.Notify(id, st)
	}
}

// Close ends the subscription of Watch, if there is one; the client is the
// caller's to close.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sub == nil {
		return nil
	}
	err := s.sub.Close()
	s.sub = nil
	return err
}

// ListExpired implements [tasks.ExpiryLister] from an index of the tasks
// that hold a lease, by its end: O(log n + page), so that a reaper need not
// read every running task. An index entry whose task is gone is dropped.
func (s *Store) ListExpired(ctx context.Context, before time.Time, offset, limit int) (tasks.Page, error) {
	if limit <= 0 {
		limit = 100
	}
	ids, err := s.rdb.ZRangeByScore(ctx, s.leaseKey(), &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(before.UnixMilli(), 10),
		Offset: int64(offset), Count: int64(limit)}).Result()
	if err != nil {
		return tasks.Page{}, fmt.Errorf("redisstore: list expired: %w", err)
	}
	var page tasks.Page
	if len(ids) == 0 {
		return page, nil
	}
	got, err := s.fetch(ctx, ids)
	if err != nil {
		return tasks.Page{}, fmt.Errorf("redisstore: list expired: %w", err)
	}
	for _, f := range got {
		switch {
		case f.corrupt != nil:
			page.Corrupt = append(page.Corrupt, f.corrupt)
		case f.missing:
			s.rdb.ZRem(ctx, s.leaseKey(), f.id)
		default:
			page.Records = append(page.Records, f.rec)
		}
	}
	if len(ids) == limit {
		page.Next = ids[len(ids)-1]
	}
	return page, nil
}

// ClaimKey implements [tasks.Store].
func (s *Store) ClaimKey(ctx context.Context, key, refID string, until time.Time) (string, error) {
	if key == "" || refID == "" {
		return "", fmt.Errorf("%w: ClaimKey needs a key and a ref_id", tasks.ErrInvalid)
	}
	ms := "0"
	if !until.IsZero() {
		ms = strconv.FormatInt(until.UnixMilli(), 10)
	}
	h, err := claimScript.Run(ctx, s.rdb, []string{s.dedupKey(key)}, refID, ms, time.Now().UnixMilli()).Text()
	if err != nil {
		return "", fmt.Errorf("redisstore: claim key %q: %w", key, err)
	}
	return h, nil
}

// ReleaseKey implements [tasks.Store].
func (s *Store) ReleaseKey(ctx context.Context, key, refID string) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{s.dedupKey(key)}, refID).Err(); err != nil {
		return fmt.Errorf("redisstore: release key %q: %w", key, err)
	}
	return nil
}

// Delete implements [tasks.Store].
func (s *Store) Delete(ctx context.Context, refID string) error {
	h, err := s.rdb.HMGet(ctx, s.taskKey(refID), "st", "key", "req").Result()
	if c := s.corrupt(refID, err); c != nil {
		return c
	}
	if err != nil {
		return fmt.Errorf("redisstore: delete %s: %w", refID, err)
	}
	st, _ := h[0].(string)
	key, _ := h[1].(string)
	req, _ := h[2].(string)
	keys := []string{s.taskKey(refID), s.allKey(), s.statusKey(models.TaskStatus(st)), s.dedupKey(key), s.expiryKey(),
		s.reqKey(req), s.flightKey(req), s.leaseKey()}
	n, err := deleteScript.Run(ctx, s.rdb, keys, refID).Int()
	if err != nil {
		return fmt.Errorf("redisstore: delete %s: %w", refID, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", tasks.ErrNotFound, refID)
	}
	return nil
}

var (
	_ tasks.Store        = (*Store)(nil)
	_ tasks.Notifier     = (*Store)(nil)
	_ tasks.ExpiryLister = (*Store)(nil)
)
