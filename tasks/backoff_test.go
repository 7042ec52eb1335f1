package tasks

import (
	"testing"
	"time"
)

// TestBackoffJitter: each wait is drawn between half and all of the
// doubled delay, capped, and spread out.
func TestBackoffJitter(t *testing.T) {
	f := &flight{retryDelay: 100 * time.Millisecond, maxDelay: time.Second}
	for n, full := range map[int64]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		f.task.RetryCount = n
		seen := map[time.Duration]bool{}
		for range 1000 {
			d := f.backoff()
			if d < full/2 || d > full {
				t.Fatalf("retry %d: wait %s outside [%s, %s]", n, d, full/2, full)
			}
			seen[d] = true
		}
		if len(seen) < 500 {
			t.Fatalf("retry %d: only %d distinct waits in 1000", n, len(seen))
		}
	}
}
