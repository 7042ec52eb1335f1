package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// inputState is a TaskInput (schema/task_input.schema.json) as the runner
// works on it.
type inputState struct {
	Requests  map[string]json.RawMessage `json:"requests"`
	Responses map[string]json.RawMessage `json:"responses"`
	NextID    int64                      `json:"next_id"`
}

func decodeInput(raw json.RawMessage) (inputState, error) {
	in := inputState{Requests: map[string]json.RawMessage{}, Responses: map[string]json.RawMessage{}}
	if len(raw) == 0 {
		return in, nil
	}
	if err := models.ValidateJSON("task_input", raw); err != nil {
		return in, fmt.Errorf("%w: input: %w", ErrInvalid, err)
	}
	var got inputState
	if err := json.Unmarshal(raw, &got); err != nil {
		return in, fmt.Errorf("%w: input: %w", ErrInvalid, err)
	}
	maps.Copy(in.Requests, got.Requests)
	maps.Copy(in.Responses, got.Responses)
	in.NextID = got.NextID
	return in, nil
}

// encode writes the state, checked against its schema.
func (in inputState) encode() (json.RawMessage, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	if err := models.ValidateJSON("task_input", b); err != nil {
		return nil, fmt.Errorf("%w: input: %w", ErrInvalid, err)
	}
	return b, nil
}

// merge takes the answers in other for requests that in has outstanding
// and no answer for; it reports whether it took one.
func (in *inputState) merge(other map[string]json.RawMessage) bool {
	took := false
	for id, v := range other {
		if _, asked := in.Requests[id]; !asked {
			continue // never issued, or answered and resumed: ignored
		}
		if _, done := in.Responses[id]; done {
			continue // answered already: the first answer stands
		}
		in.Responses[id] = v
		took = true
	}
	return took
}

// PendingInput returns the requests a task waits on: those in the record's
// Input without an answer yet, keyed by their ids; nil when there is none.
func PendingInput(rec Record) (map[string]json.RawMessage, error) {
	in, err := decodeInput(rec.Input)
	if err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	for id, req := range in.Requests {
		if _, done := in.Responses[id]; !done {
			if out == nil {
				out = map[string]json.RawMessage{}
			}
			out[id] = req
		}
	}
	return out, nil
}

// AskInput asks the client for input and waits for the answers: each
// request (a JSON object, such as {"method":"elicitation/create","params":
// {...}}) gets an id the runner mints for the task and never reuses
// ("in-1", "in-2", ...), and is stored with the task at once, so that every
// replica sharing the store shows it (see [PendingInput]). AskInput returns
// the answers in the order of the requests once every one has arrived
// through [Runner.Respond] on any replica; until then the task waits on
// input. It returns the context's error when the task is cancelled, and
// an error wrapping ErrInvalid for a request that is not a JSON object or
// for a Progress that no Runner made.
func (p *Progress) AskInput(ctx context.Context, requests ...json.RawMessage) ([]json.RawMessage, error) {
	if p.ask == nil {
		return nil, fmt.Errorf("%w: AskInput needs the Progress a Runner gives its Func", ErrInvalid)
	}
	for i, r := range requests {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(r, &obj); err != nil {
			return nil, fmt.Errorf("%w: input request %d is not a JSON object", ErrInvalid, i)
		}
	}
	if len(requests) == 0 {
		return nil, nil
	}
	return p.ask(ctx, requests)
}

// inputJSON is the flight's input as stored, or nil when it never asked.
// The caller holds f.mu.
func (f *flight) inputJSON() json.RawMessage {
	if f.input.Requests == nil {
		return nil
	}
	b, err := f.input.encode()
	if err != nil {
		return nil // cannot happen: the state is built from checked values
	}
	return b
}

// mergeStoredInput takes the answers another runner wrote to the store.
// The caller holds f.mu.
func (f *flight) mergeStoredInput(raw json.RawMessage) {
	if f.input.Requests == nil || len(raw) == 0 {
		return
	}
	if other, err := decodeInput(raw); err == nil {
		f.input.merge(other.Responses)
	}
}

func (f *flight) wake() {
	select {
	case f.inputWake <- struct{}{}:
	default:
	}
}

// askInput is AskInput of the flight's Progress.
func (f *flight) askInput(ctx context.Context, requests []json.RawMessage) ([]json.RawMessage, error) {
	r := f.r
	f.mu.Lock()
	if f.stopErr != nil {
		f.mu.Unlock()
		return nil, f.stopErr
	}
	if f.input.Requests == nil {
		f.input = inputState{Requests: map[string]json.RawMessage{}, Responses: map[string]json.RawMessage{}}
	}
	ids := make([]string, len(requests))
	for i, req := range requests {
		f.input.NextID++
		ids[i] = "in-" + strconv.FormatInt(f.input.NextID, 10)
		f.input.Requests[ids[i]] = req
	}
	var err error
	if f.stored.Load() {
		err = f.writeLocked(f.task, nil, true)
	}
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	poll := time.NewTicker(min(r.opts.HeartbeatInterval, 250*time.Millisecond))
	defer poll.Stop()
	for {
		f.mu.Lock()
		if out, ok := f.answeredLocked(ids); ok {
			for _, id := range ids {
				delete(f.input.Requests, id)
				delete(f.input.Responses, id)
			}
			if f.stored.Load() {
				err = f.writeLocked(f.task, nil, true)
			}
			f.mu.Unlock()
			return out, err
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-f.ctx.Done():
			return nil, context.Cause(f.ctx)
		case <-f.inputWake:
		case <-poll.C:
			// Answers written by another runner sharing the store.
			if f.stored.Load() {
				sctx, cancel := r.storeCtx()
				cur, err := r.store.Get(sctx, f.id)
				cancel()
				if err == nil {
					f.mu.Lock()
					f.mergeStoredInput(cur.Input)
					f.mu.Unlock()
				}
			}
		}
	}
}

func (f *flight) answeredLocked(ids []string) ([]json.RawMessage, bool) {
	out := make([]json.RawMessage, len(ids))
	for i, id := range ids {
		v, ok := f.input.Responses[id]
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// Respond delivers answers to the input requests of the task with the
// given ref_id, keyed by the ids [PendingInput] shows. Any subset may come
// in one call; an answer for an id that is not outstanding (never issued,
// answered already, or answered and resumed) is ignored, so delivering the
// same answers again changes nothing. The task resumes once every request
// of its AskInput is answered. The answers are stored with the task, so
// Respond works on any runner sharing the store. An unknown task gives
// ErrNotFound; a finished one is left as it is.
func (r *Runner) Respond(ctx context.Context, refID string, responses map[string]json.RawMessage) error {
	if f := r.local(refID); f != nil {
		f.mu.Lock()
		if f.input.Requests != nil && f.stopErr == nil && !f.finishing && f.input.merge(responses) {
			var err error
			if f.stored.Load() {
				err = f.writeLocked(f.task, nil, true)
			}
			f.mu.Unlock()
			f.wake()
			return err
		}
		f.mu.Unlock()
	}
	for range 20 {
		rec, err := r.store.Get(ctx, refID)
		if err != nil {
			return err
		}
		if IsFinished(rec.Task.Status) || rec.Input == nil {
			return nil
		}
		in, err := decodeInput(rec.Input)
		if err != nil {
			return err
		}
		if !in.merge(responses) {
			return nil
		}
		if rec.Input, err = in.encode(); err != nil {
			return err
		}
		if _, err = r.store.Update(ctx, rec); err == nil {
			return nil
		} else if !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: task %s kept changing while answers were delivered", ErrConflict, refID)
}
