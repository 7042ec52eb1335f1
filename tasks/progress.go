package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/mcp-refcache/taskschema/models"
)

// Progress is the reporter a [Func] gets from the runner (a zero Progress,
// for calling a Func directly, records reports and is never cancelled). It keeps the latest progress; the
// runner writes it to the store no more often than [Options.ProgressInterval].
// Its methods are safe for concurrent use.
type Progress struct {
	ctx context.Context
	// ask is the runner's AskInput for the task (input.go); nil for a
	// Progress no runner made.
	ask func(context.Context, []json.RawMessage) ([]json.RawMessage, error)

	mu    sync.Mutex
	last  *models.TaskProgress
	dirty bool
}

// Report records that the task is at step current of total (total 0: not
// known) with a message, and derives the percentage, clamped to 0..100.
// It returns ErrCancelled, and records nothing, once the task's context is
// cancelled (by [Runner.Cancel], say), so a function can stop there; and
// an error wrapping ErrInvalid (and the *models.ValidationError that names
// the field) for a current or total the TaskProgress schema rejects, so the
// bounds are the schema's and are decided nowhere else.
func (p *Progress) Report(current, total int64, message string) error {
	if p.Cancelled() {
		return ErrCancelled
	}
	tp := models.TaskProgress{Message: &message}
	c := current
	tp.Current = &c
	if total > 0 {
		t := total
		pct := min(max(float64(current)/float64(total)*100, 0), 100)
		if math.IsNaN(pct) {
			pct = 0
		}
		tp.Total, tp.Percentage = &t, &pct
	} else if total < 0 {
		tp.Total = &total // for the check below to reject it
	}
	if err := models.Validate(&tp); err != nil {
		return fmt.Errorf("%w: progress current %d and total %d: %w", ErrInvalid, current, total, err)
	}
	p.mu.Lock()
	p.last, p.dirty = &tp, true
	p.mu.Unlock()
	return nil
}

// Cancelled reports whether the task's context is done: the task was
// cancelled, or its runner closed.
func (p *Progress) Cancelled() bool { return p.ctx != nil && p.ctx.Err() != nil }

// Snapshot returns the latest progress reported, or nil.
func (p *Progress) Snapshot() *models.TaskProgress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return clone(p.last)
}

// take returns the latest progress and whether it changed since the last
// take.
func (p *Progress) take() (*models.TaskProgress, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dirty
	p.dirty = false
	return clone(p.last), d
}

func (p *Progress) reset() {
	p.mu.Lock()
	p.last, p.dirty = nil, false
	p.mu.Unlock()
}

func clone(tp *models.TaskProgress) *models.TaskProgress {
	if tp == nil {
		return nil
	}
	c := *tp
	return &c // the fields point to values Report never changes
}

func (p *Progress) markDirty() {
	p.mu.Lock()
	p.dirty = true
	p.mu.Unlock()
}
