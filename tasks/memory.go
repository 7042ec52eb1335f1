package tasks

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// MemoryOptions configure a [MemoryStore].
type MemoryOptions struct {
	// TTL is how long a finished task (complete, failed or cancelled) is
	// kept; 0 means one hour.
	TTL time.Duration
	// MaxTasks is the most tasks kept; 0 means 100,000. When a new task
	// would exceed it, the tasks that finished first are removed; when all
	// are still running, Create gives ErrFull.
	MaxTasks int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxInFlightPerRequestor is the most pending or processing tasks one
	// requestor (Record.Requestor, when not "") may have; Create gives an
	// *InFlightLimitError beyond it. 0 means no limit.
	MaxInFlightPerRequestor int
}

// MemoryStore is the [Store] of one process: tasks in a map, each held as
// the bytes models.Marshal wrote. It is the default store of a [Runner].
type MemoryStore struct {
	ttl         time.Duration
	max         int
	maxInFlight int
	now         func() time.Time

	mu       sync.Mutex
	entries  map[string]*memEntry
	keys     map[string]keyClaim // dedup key -> its claim
	finished *list.List          // ref_ids of finished tasks, oldest first
	inFlight map[string]int      // requestor -> its pending or processing tasks
	all      ordered             // ref_ids of all entries
	byStatus map[models.TaskStatus]*ordered
	byReq    map[string]*ordered // requestor -> ref_ids of its entries
	watchers Watchers
}

// keyClaim is who holds a deduplication key, and until when (Unix
// nanoseconds; 0: no end).
type keyClaim struct {
	id    string
	until int64
}

type memEntry struct {
	task     []byte // models.Marshal of the TaskInfo
	result   []byte
	input    []byte // Record.Input
	key      string
	owner    string
	req      string // the requestor
	fn       string
	args     []byte
	lease    int64 // Unix nanoseconds, 0: none
	version  int64
	status   models.TaskStatus
	expires  int64         // Unix nanoseconds, 0: never
	finished *list.Element // in MemoryStore.finished while finished
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.TTL <= 0 {
		opts.TTL = time.Hour
	}
	if opts.MaxTasks <= 0 {
		opts.MaxTasks = 100_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &MemoryStore{ttl: opts.TTL, max: opts.MaxTasks, maxInFlight: opts.MaxInFlightPerRequestor, now: opts.Now,
		entries: map[string]*memEntry{}, keys: map[string]keyClaim{}, finished: list.New(), inFlight: map[string]int{},
		byStatus: map[models.TaskStatus]*ordered{}, byReq: map[string]*ordered{}}
	for _, st := range []models.TaskStatus{models.TaskStatusPending, models.TaskStatusProcessing,
		models.TaskStatusComplete, models.TaskStatusFailed, models.TaskStatusCancelled} {
		s.byStatus[st] = &ordered{}
	}
	return s
}

// Watch implements [Notifier].
func (s *MemoryStore) Watch(ctx context.Context, refID string) (<-chan models.TaskStatus, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ch, stop := s.watchers.Add(refID)
	return ch, stop, nil
}

// holder returns who holds key at now, or "".
func (s *MemoryStore) holder(key string, now int64) string {
	c, ok := s.keys[key]
	if !ok || (c.until != 0 && c.until <= now) {
		return ""
	}
	return c.id
}

// ClaimKey implements [Store].
func (s *MemoryStore) ClaimKey(ctx context.Context, key, refID string, until time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if key == "" || refID == "" {
		return "", fmt.Errorf("%w: ClaimKey needs a key and a ref_id", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.holder(key, s.now().UnixNano()); h != "" && h != refID {
		return h, nil
	}
	s.keys[key] = keyClaim{id: refID, until: unixNanos(until)}
	return refID, nil
}

// ReleaseKey implements [Store].
func (s *MemoryStore) ReleaseKey(ctx context.Context, key, refID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.keys[key]; ok && c.id == refID {
		delete(s.keys, key)
	}
	return nil
}

func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Len returns the number of tasks held, expired ones not yet removed
// included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Create implements [Store].
func (s *MemoryStore) Create(ctx context.Context, rec Record) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	if err := CheckRecord(rec); err != nil {
		return Record{}, err
	}
	data, err := models.Marshal(rec.Task)
	if err != nil {
		return Record{}, fmt.Errorf("tasks: task %s: %w", rec.Task.RefID, err)
	}
	id := rec.Task.RefID
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UnixNano()
	s.expire(now)
	if e, ok := s.entries[id]; ok && !e.expired(now) {
		return Record{}, fmt.Errorf("%w: %s", ErrExists, id)
	} else if ok {
		s.remove(id, e)
	}
	if rec.Key != "" && HoldsKey(rec.Task) {
		if h := s.holder(rec.Key, now); h != "" && h != id {
			return Record{}, &KeyInUseError{Key: rec.Key, RefID: h}
		}
	}
	if n := s.inFlight[rec.Requestor]; s.maxInFlight > 0 && rec.Requestor != "" && !IsFinished(rec.Task.Status) && n >= s.maxInFlight {
		return Record{}, &InFlightLimitError{Requestor: rec.Requestor, InFlight: n, Limit: s.maxInFlight}
	}
	for len(s.entries) >= s.max {
		front := s.finished.Front()
		if front == nil {
			return Record{}, fmt.Errorf("%w: %d tasks are running (MaxTasks)", ErrFull, len(s.entries))
		}
		old := front.Value.(string)
		s.remove(old, s.entries[old])
	}
	e := &memEntry{version: 1}
	s.entries[id] = e
	s.fill(id, e, rec, data, now)
	rec.Version = 1
	return rec, nil
}

// Get implements [Store].
func (s *MemoryStore) Get(ctx context.Context, refID string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	s.mu.Lock()
	e, ok := s.entries[refID]
	if !ok || e.expired(s.now().UnixNano()) {
		s.mu.Unlock()
		return Record{}, fmt.Errorf("%w: %s", ErrNotFound, refID)
	}
	c := *e
	s.mu.Unlock()
	return c.record(refID)
}

// Update implements [Store].
func (s *MemoryStore) Update(ctx context.Context, rec Record) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	if err := CheckRecord(rec); err != nil {
		return Record{}, err
	}
	data, err := models.Marshal(rec.Task)
	if err != nil {
		return Record{}, fmt.Errorf("tasks: task %s: %w", rec.Task.RefID, err)
	}
	id := rec.Task.RefID
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UnixNano()
	e, ok := s.entries[id]
	if !ok || e.expired(now) {
		return Record{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if e.version != rec.Version {
		return Record{}, fmt.Errorf("%w: %s is at version %d, not %d", ErrConflict, id, e.version, rec.Version)
	}
	var old models.TaskInfo
	if err := models.Unmarshal(e.task, &old); err != nil {
		return Record{}, fmt.Errorf("%w: stored task %s: %w", ErrInvalid, id, err)
	}
	if err := CheckTransition(old, rec.Task); err != nil {
		return Record{}, err
	}
	if rec.Key != e.key {
		return Record{}, fmt.Errorf("%w: task %s: the key changes from %q to %q", ErrInvalid, id, e.key, rec.Key)
	}
	if rec.Requestor != e.req {
		return Record{}, fmt.Errorf("%w: task %s: the requestor changes from %q to %q", ErrInvalid, id, e.req, rec.Requestor)
	}
	if rec.Key != "" && HoldsKey(rec.Task) {
		if h := s.holder(rec.Key, now); h != "" && h != id {
			return Record{}, &KeyInUseError{Key: rec.Key, RefID: h}
		}
	}
	s.countInFlight(e, -1)
	if e.finished != nil {
		s.finished.Remove(e.finished)
		e.finished = nil
	}
	e.version++
	s.fill(id, e, rec, data, now)
	rec.Version = e.version
	return rec, nil
}

// fill writes rec into e and indexes it.
func (s *MemoryStore) fill(id string, e *memEntry, rec Record, data []byte, now int64) {
	if e.status != rec.Task.Status || !HoldsKey(rec.Task) {
		defer s.watchers.Notify(id, rec.Task.Status)
	}
	e.task = data
	e.result = slices.Clone(rec.Result)
	e.input = slices.Clone(rec.Input)
	e.key = rec.Key
	e.owner = rec.Owner
	e.req = rec.Requestor
	e.fn = rec.Func
	e.args = slices.Clone(rec.Args)
	e.lease = unixNanos(rec.LeaseExpires)
	if e.status != rec.Task.Status {
		if e.status != "" {
			s.byStatus[e.status].remove(id)
		}
		s.byStatus[rec.Task.Status].add(id)
	}
	s.all.add(id)
	if e.req != "" {
		idx := s.byReq[e.req]
		if idx == nil {
			idx = &ordered{}
			s.byReq[e.req] = idx
		}
		idx.add(id)
	}
	e.status = rec.Task.Status
	s.countInFlight(e, +1)
	e.expires = 0
	if IsFinished(e.status) {
		e.expires = now + int64(s.ttl)
		e.finished = s.finished.PushBack(id)
	}
	if e.key != "" {
		if HoldsKey(rec.Task) {
			s.keys[e.key] = keyClaim{id: id, until: e.lease}
		} else if c, ok := s.keys[e.key]; ok && c.id == id {
			delete(s.keys, e.key)
		}
	}
}

// List implements [Store]. It reads the page from ordered indexes (one
// of all tasks, one per status, one per requestor), never sorting: O(log n
// + page) for all tasks or one status; for one requestor, O(log n + the
// requestor's tasks it passes over to fill the page).
func (s *MemoryStore) List(ctx context.Context, opts ListOptions) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 100
	}
	index := &s.all
	type item struct {
		id string
		e  memEntry
	}
	var items []item
	more := false
	s.mu.Lock()
	if opts.Status != "" && s.byStatus[opts.Status] == nil {
		s.mu.Unlock()
		return Page{}, fmt.Errorf("%w: unknown status %q", ErrInvalid, opts.Status)
	}
	// The narrower index: a requestor's tasks, filtered by status, or a
	// status's tasks.
	switch {
	case opts.Requestor != "":
		index = s.byReq[opts.Requestor]
		if index == nil {
			index = &ordered{}
		}
	case opts.Status != "":
		index = s.byStatus[opts.Status]
	}
	now := s.now().UnixNano()
	s.expire(now)
	index.after(opts.After, func(id string) bool {
		e := s.entries[id]
		if opts.Status != "" && e.status != opts.Status {
			return true
		}
		if len(items) == limit {
			more = true
			return false
		}
		items = append(items, item{id, *e})
		return true
	})
	s.mu.Unlock()
	var p Page
	if more {
		p.Next = items[limit-1].id
	}
	for _, it := range items {
		rec, err := it.e.record(it.id)
		if err != nil {
			p.Corrupt = append(p.Corrupt, &CorruptError{RefID: it.id, Location: "memory", Err: err})
			continue
		}
		p.Records = append(p.Records, rec)
	}
	return p, nil
}

// Delete implements [Store].
func (s *MemoryStore) Delete(ctx context.Context, refID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[refID]
	if !ok || e.expired(s.now().UnixNano()) {
		return fmt.Errorf("%w: %s", ErrNotFound, refID)
	}
	s.remove(refID, e)
	return nil
}

// expire removes the finished tasks whose time to live has passed; they
// are in s.finished in the order they expire.
func (s *MemoryStore) expire(now int64) {
	for f := s.finished.Front(); f != nil; f = s.finished.Front() {
		id := f.Value.(string)
		e := s.entries[id]
		if !e.expired(now) {
			return
		}
		s.remove(id, e)
	}
}

func (s *MemoryStore) remove(id string, e *memEntry) {
	defer s.watchers.Notify(id, "")
	if e.finished != nil {
		s.finished.Remove(e.finished)
	}
	if c, ok := s.keys[e.key]; ok && e.key != "" && c.id == id {
		delete(s.keys, e.key)
	}
	s.countInFlight(e, -1)
	s.all.remove(id)
	if e.status != "" {
		s.byStatus[e.status].remove(id)
	}
	if idx := s.byReq[e.req]; idx != nil {
		idx.remove(id)
		if idx.n == 0 {
			delete(s.byReq, e.req)
		}
	}
	delete(s.entries, id)
}

// countInFlight adds d to the count of e's requestor when e is pending or
// processing.
func (s *MemoryStore) countInFlight(e *memEntry, d int) {
	if e.req == "" || IsFinished(e.status) {
		return
	}
	if n := s.inFlight[e.req] + d; n > 0 {
		s.inFlight[e.req] = n
	} else {
		delete(s.inFlight, e.req)
	}
}

func (e *memEntry) expired(now int64) bool { return e.expires != 0 && now >= e.expires }

// record decodes the entry through models.Unmarshal.
func (e *memEntry) record(id string) (Record, error) {
	rec := Record{Key: e.key, Owner: e.owner, Requestor: e.req, Version: e.version, Result: slices.Clone(e.result),
		Input: slices.Clone(e.input), Func: e.fn, Args: slices.Clone(e.args)}
	if err := models.Unmarshal(e.task, &rec.Task); err != nil {
		return Record{}, fmt.Errorf("%w: stored task %s: %w", ErrInvalid, id, err)
	}
	if e.lease != 0 {
		rec.LeaseExpires = time.Unix(0, e.lease)
	}
	return rec, nil
}
