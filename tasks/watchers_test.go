package tasks_test

import (
	"testing"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

func TestWatchers(t *testing.T) {
	var w tasks.Watchers
	a, stopA := w.Add("t1")
	b, _ := w.Add("t1")
	other, _ := w.Add("t2")
	stopA()
	w.Notify("t1", models.TaskStatusComplete)
	if st, ok := <-b; !ok || st != models.TaskStatusComplete {
		t.Errorf("a watcher of t1 got %q, %v; want complete", st, ok)
	}
	if _, ok := <-b; ok {
		t.Error("a notified channel is not closed")
	}
	select {
	case st := <-a:
		t.Errorf("a stopped watcher got %q", st)
	default:
	}
	select {
	case st := <-other:
		t.Errorf("a watcher of t2 got %q from t1's notification", st)
	default:
	}
	w.Notify("t1", models.TaskStatusFailed) // no watcher left: nothing to do
	w.Notify("t2", "")
	if st, ok := <-other; !ok || st != "" {
		t.Errorf("a watcher of a removed task got %q, %v; want \"\"", st, ok)
	}
}
