package tasks

import (
	"sync"

	"github.com/mcp-refcache/taskschema/models"
)

// Watchers keeps the channels that a store's [Notifier.Watch] hands out:
// the store calls Add from Watch, and Notify when it learns that a task's
// status changed (or that the task ended for good or was removed). Both
// stores of this module use it, and a store outside it can too. The zero
// value is ready to use; it is safe for concurrent use.
type Watchers struct {
	mu   sync.Mutex
	byID map[string]map[chan models.TaskStatus]struct{} // ref_id -> channels told of its next change
}

// Add returns a channel that gets the next status Notify gives for refID
// and is closed then, and a function that stops watching (a channel that
// was notified already is gone, and stopping it does nothing).
func (w *Watchers) Add(refID string) (<-chan models.TaskStatus, func()) {
	ch := make(chan models.TaskStatus, 1)
	w.mu.Lock()
	if w.byID == nil {
		w.byID = map[string]map[chan models.TaskStatus]struct{}{}
	}
	set := w.byID[refID]
	if set == nil {
		set = map[chan models.TaskStatus]struct{}{}
		w.byID[refID] = set
	}
	set[ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if set := w.byID[refID]; set != nil {
			delete(set, ch)
			if len(set) == 0 {
				delete(w.byID, refID)
			}
		}
	}
}

// Notify sends st to every channel watching refID, closes them and forgets
// them; st is "" when the task was removed.
func (w *Watchers) Notify(refID string, st models.TaskStatus) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.byID[refID] {
		ch <- st // buffered: each channel gets one value
		close(ch)
	}
	delete(w.byID, refID)
}
