package models

import (
	"reflect"
	"testing"
	"time"
)

func TestNewTaskInfoDefaults(t *testing.T) {
	task := NewTaskInfo("ref-1", 1000.5)
	checks := []struct {
		name      string
		got, want any
	}{
		{"RefID", task.RefID, "ref-1"},
		{"StartedAt", task.StartedAt, 1000.5},
		{"Status", task.Status, TaskStatusPending},
		{"MaxRetries", task.MaxRetries, int64(3)},
		{"RetryCount", task.RetryCount, int64(0)},
		{"Progress", task.Progress, (*TaskProgress)(nil)},
		{"CompletedAt", task.CompletedAt, (*float64)(nil)},
		{"Error", task.Error, (*string)(nil)},
		{"RetryHistory", task.RetryHistory, []RetryInfo{}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if task.RetryHistory == nil {
		t.Error("RetryHistory is nil, want an empty non-nil slice")
	}
	if err := Validate(task); err != nil {
		t.Errorf("Validate(NewTaskInfo) = %v", err)
	}
}

func TestNewTaskInfoValuesAreIndependent(t *testing.T) {
	a := NewTaskInfo("a", 1)
	a.RetryHistory = append(a.RetryHistory, RetryInfo{Attempt: 1, Error: "e", Timestamp: 1})
	a.MaxRetries = 9
	b := NewTaskInfo("b", 2)
	if len(b.RetryHistory) != 0 || b.MaxRetries != 3 {
		t.Errorf("a later NewTaskInfo sees changes to an earlier one: %+v", b)
	}
}

func TestNewAsyncTaskResponseDefaults(t *testing.T) {
	started := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r := NewAsyncTaskResponse("ref-2", TaskStatusProcessing, started)
	checks := []struct {
		name      string
		got, want any
	}{
		{"RefID", r.RefID, "ref-2"},
		{"Status", r.Status, TaskStatusProcessing},
		{"StartedAt", r.StartedAt, started},
		{"CanRetry", r.CanRetry, true},
		{"RetryCount", r.RetryCount, int64(0)},
		{"Progress", r.Progress, (*TaskProgress)(nil)},
		{"EtaSeconds", r.EtaSeconds, (*float64)(nil)},
		{"Error", r.Error, (*string)(nil)},
		{"Message", r.Message, (*string)(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if err := Validate(r); err != nil {
		t.Errorf("Validate(NewAsyncTaskResponse) = %v", err)
	}
}

func TestDefaultsEqualUnmarshalOfRequiredKeys(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    any
		target  func() any
	}{
		{"task_info", `{"ref_id":"ref-3","started_at":1000}`, NewTaskInfo("ref-3", 1000), func() any { return new(TaskInfo) }},
		{"task_info fraction", `{"started_at":0.25,"ref_id":""}`, NewTaskInfo("", 0.25), func() any { return new(TaskInfo) }},
		{"async_task_response", `{"ref_id":"ref-4","status":"failed","started_at":"1970-01-01T00:16:40Z"}`,
			NewAsyncTaskResponse("ref-4", TaskStatusFailed, time.Unix(1000, 0).UTC()), func() any { return new(AsyncTaskResponse) }},
		{"task_progress", `{}`, TaskProgress{}, func() any { return new(TaskProgress) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target()
			if err := Unmarshal([]byte(tc.payload), target); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got := reflect.ValueOf(target).Elem().Interface()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Unmarshal gives\n %+v\nthe constructor gives\n %+v", got, tc.want)
			}
		})
	}
}

func TestGoZeroValuesAreNotTheDefaults(t *testing.T) {
	// The reason for the constructors: a zero TaskInfo has no status and no
	// retries, which the schema rejects or reads differently.
	if err := Validate(TaskInfo{RefID: "r"}); err == nil {
		t.Error("Validate(TaskInfo{}) = nil, want an error for the empty status")
	}
	if reflect.DeepEqual(NewTaskInfo("r", 0), TaskInfo{RefID: "r"}) {
		t.Error("NewTaskInfo equals the zero value")
	}
	if (AsyncTaskResponse{}).CanRetry == NewAsyncTaskResponse("", TaskStatusPending, time.Time{}).CanRetry {
		t.Error("NewAsyncTaskResponse does not set can_retry's default true")
	}
}
