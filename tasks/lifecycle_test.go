package tasks_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// TestCheckTransition runs testdata/transitions.json: each case is a stored
// task, the task an update asks for, and "" when the update is legal or a
// part of the reason it is not.
func TestCheckTransition(t *testing.T) {
	data, err := os.ReadFile("testdata/transitions.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name  string          `json:"name"`
		From  json.RawMessage `json:"from"`
		To    json.RawMessage `json:"to"`
		Error string          `json:"error"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var from, to models.TaskInfo
			if err := models.Unmarshal(c.From, &from); err != nil {
				t.Fatalf("from: %v", err)
			}
			if err := models.Unmarshal(c.To, &to); err != nil {
				t.Fatalf("to: %v", err)
			}
			err := tasks.CheckTransition(from, to)
			switch {
			case c.Error == "" && err != nil:
				t.Fatalf("legal transition refused: %v", err)
			case c.Error != "" && (!errors.Is(err, tasks.ErrIllegalTransition) || !strings.Contains(err.Error(), c.Error)):
				t.Fatalf("got %v, want ErrIllegalTransition mentioning %q", err, c.Error)
			}
		})
	}
}

// legalSteps are the status changes of the lifecycle.
var legalSteps = map[[2]models.TaskStatus]bool{
	{models.TaskStatusPending, models.TaskStatusPending}:       true,
	{models.TaskStatusPending, models.TaskStatusProcessing}:    true,
	{models.TaskStatusPending, models.TaskStatusCancelled}:     true,
	{models.TaskStatusProcessing, models.TaskStatusProcessing}: true,
	{models.TaskStatusProcessing, models.TaskStatusComplete}:   true,
	{models.TaskStatusProcessing, models.TaskStatusFailed}:     true,
	{models.TaskStatusProcessing, models.TaskStatusCancelled}:  true,
	{models.TaskStatusFailed, models.TaskStatusPending}:        true,
}

// FuzzCheckTransition: whatever two schema-valid tasks it gets,
// CheckTransition never panics, and what it accepts is a step of the
// lifecycle from a task that has not finished, keeping ref_id, started_at
// and max_retries, with retry_count moving only on a retry.
func FuzzCheckTransition(f *testing.F) {
	data, err := os.ReadFile("testdata/transitions.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases []struct {
		From json.RawMessage `json:"from"`
		To   json.RawMessage `json:"to"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add([]byte(c.From), []byte(c.To))
	}
	f.Fuzz(func(t *testing.T, fromJSON, toJSON []byte) {
		var from, to models.TaskInfo
		if models.Unmarshal(fromJSON, &from) != nil || models.Unmarshal(toJSON, &to) != nil {
			return
		}
		if tasks.CheckTransition(from, to) != nil {
			return
		}
		if from.IsTerminal() || from.RefID != to.RefID || from.StartedAt != to.StartedAt || from.MaxRetries != to.MaxRetries {
			t.Fatalf("accepted %s -> %s", fromJSON, toJSON)
		}
		if to.Status == models.TaskStatusFailed && to.RetryCount == to.MaxRetries && (to.RetryCount > from.RetryCount || from.Status != models.TaskStatusProcessing) {
			// Given up: retry_count reaches max_retries, with one RetryInfo
			// when it rises.
			if want := len(from.RetryHistory) + min(1, int(to.RetryCount-from.RetryCount)); len(to.RetryHistory) != want {
				t.Fatalf("accepted giving up with %d RetryInfos after %d: %s -> %s", len(to.RetryHistory), len(from.RetryHistory), fromJSON, toJSON)
			}
			return
		}
		if !legalSteps[[2]models.TaskStatus{from.Status, to.Status}] {
			t.Fatalf("accepted %s -> %s", fromJSON, toJSON)
		}
		retry := from.Status == models.TaskStatusFailed
		if retry != (to.RetryCount == from.RetryCount+1) || (!retry && to.RetryCount != from.RetryCount) {
			t.Fatalf("accepted a retry_count change %d -> %d on %s -> %s", from.RetryCount, to.RetryCount, from.Status, to.Status)
		}
	})
}
