package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

const unitMaxInt = 9007199254740991 // 2^53-1, the schema's largest integer

func TestToAsyncTaskResponseStartedAt(t *testing.T) {
	tests := []struct {
		startedAt float64
		want      string
	}{
		{0, `"started_at":"1970-01-01T00:00:00Z"`},
		{1000, `"started_at":"1970-01-01T00:16:40Z"`},
		{1000.5, `"started_at":"1970-01-01T00:16:40.5Z"`},
		{1000.25, `"started_at":"1970-01-01T00:16:40.25Z"`},
		{1700000000, `"started_at":"2023-11-14T22:13:20Z"`},
		{253402300799, `"started_at":"9999-12-31T23:59:59Z"`},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.startedAt), func(t *testing.T) {
			task := NewTaskInfo("r", tc.startedAt)
			resp := task.ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(5000, 0).In(time.FixedZone("far", 9*3600))})
			if resp.StartedAt.Location() != time.UTC {
				t.Errorf("StartedAt location = %v, want UTC", resp.StartedAt.Location())
			}
			if !resp.StartedAt.Equal(task.StartedTime()) {
				t.Errorf("StartedAt = %v, want %v", resp.StartedAt, task.StartedTime())
			}
			data, err := Marshal(resp)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !strings.Contains(string(data), tc.want) {
				t.Errorf("Marshal output %s does not contain %s", data, tc.want)
			}
		})
	}
}

func TestToAsyncTaskResponseCopiesTaskFields(t *testing.T) {
	task := unitFullTaskInfo()
	task.Status = TaskStatusProcessing
	task.RetryCount = 2
	resp := task.ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(2000, 0)})
	if resp.RefID != task.RefID || resp.Status != task.Status || resp.RetryCount != task.RetryCount {
		t.Errorf("got ref_id %q status %q retry_count %d, want %q %q %d",
			resp.RefID, resp.Status, resp.RetryCount, task.RefID, task.Status, task.RetryCount)
	}
	if !reflect.DeepEqual(resp.Progress, task.Progress) {
		t.Errorf("Progress = %+v, want %+v", resp.Progress, task.Progress)
	}
	if !reflect.DeepEqual(resp.Error, task.Error) {
		t.Errorf("Error = %v, want %v", resp.Error, task.Error)
	}
	noProgress := NewTaskInfo("r", 1).ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(2, 0)})
	if noProgress.Progress != nil || noProgress.Error != nil {
		t.Errorf("Progress %v Error %v, want nil", noProgress.Progress, noProgress.Error)
	}
}

func TestToAsyncTaskResponseCanRetry(t *testing.T) {
	tests := []struct {
		status       TaskStatus
		retries, max int64
		want         bool
	}{
		{TaskStatusFailed, 0, 3, true},
		{TaskStatusFailed, 2, 3, true},
		{TaskStatusFailed, 3, 3, false},
		{TaskStatusFailed, 0, 0, false},
		{TaskStatusPending, 0, 3, false}, // not the response default (true)
		{TaskStatusProcessing, 0, 3, false},
		{TaskStatusComplete, 0, 3, false},
		{TaskStatusCancelled, 0, 3, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %d of %d", tc.status, tc.retries, tc.max), func(t *testing.T) {
			task := NewTaskInfo("r", 1000)
			task.Status, task.RetryCount, task.MaxRetries = tc.status, tc.retries, tc.max
			resp := task.ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(2000, 0)})
			if resp.CanRetry != tc.want {
				t.Errorf("CanRetry = %v, want %v", resp.CanRetry, tc.want)
			}
			if resp.CanRetry != task.CanRetry() {
				t.Errorf("CanRetry = %v, task.CanRetry() = %v", resp.CanRetry, task.CanRetry())
			}
		})
	}
}

func TestToAsyncTaskResponseMessage(t *testing.T) {
	type task struct {
		status   TaskStatus
		progress *TaskProgress
		err      *string
	}
	tests := []struct {
		name    string
		task    task
		message string // ResponseOptions.Message
		want    string
	}{
		{"given message kept (pending)", task{status: TaskStatusPending}, "custom", "custom"},
		{"given message kept (processing with progress message)", task{TaskStatusProcessing, &TaskProgress{Message: unitPtr("step 3")}, nil}, "custom", "custom"},
		{"given message kept (failed)", task{TaskStatusFailed, nil, unitPtr("boom")}, "custom", "custom"},
		{"given message kept (complete)", task{status: TaskStatusComplete}, "done!", "done!"},
		{"given message kept (cancelled)", task{status: TaskStatusCancelled}, " ", " "},
		{"processing uses the progress message", task{TaskStatusProcessing, &TaskProgress{Message: unitPtr("step 3 of 10")}, nil}, "", "step 3 of 10"},
		{"processing with an empty progress message", task{TaskStatusProcessing, &TaskProgress{Message: unitPtr("")}, nil}, "", "Task is processing (ref_id=ref-7)"},
		{"processing without a progress message", task{TaskStatusProcessing, &TaskProgress{Current: unitPtr[int64](1)}, nil}, "", "Task is processing (ref_id=ref-7)"},
		{"processing without progress", task{status: TaskStatusProcessing}, "", "Task is processing (ref_id=ref-7)"},
		{"failed with an error", task{TaskStatusFailed, nil, unitPtr("disk full")}, "", "Task failed: disk full"},
		{"failed with a nil error", task{status: TaskStatusFailed}, "", "Task failed: unknown error"},
		{"failed with an empty error", task{TaskStatusFailed, nil, unitPtr("")}, "", "Task failed: unknown error"},
		{"failed ignores the progress message", task{TaskStatusFailed, &TaskProgress{Message: unitPtr("step 3")}, unitPtr("x")}, "", "Task failed: x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := NewTaskInfo("ref-7", 1000)
			ti.Status, ti.Progress, ti.Error = tc.task.status, tc.task.progress, tc.task.err
			resp := ti.ToAsyncTaskResponse(ResponseOptions{Message: tc.message, Now: time.Unix(2000, 0)})
			if resp.Message == nil {
				t.Fatal("Message = nil")
			}
			if *resp.Message != tc.want {
				t.Errorf("Message = %q, want %q", *resp.Message, tc.want)
			}
		})
	}

	// The fixed sentences of pending, complete and cancelled name the task
	// and differ from each other.
	seen := map[string]TaskStatus{}
	for _, tc := range []struct {
		status TaskStatus
		word   string
	}{
		{TaskStatusPending, "queued"},
		{TaskStatusComplete, "complete"},
		{TaskStatusCancelled, "cancelled"},
	} {
		ti := NewTaskInfo("ref-42", 1000)
		ti.Status = tc.status
		ti.Progress = &TaskProgress{Message: unitPtr("progress message")}
		ti.Error = unitPtr("an error")
		resp := ti.ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(2000, 0)})
		msg := *resp.Message
		if !strings.Contains(msg, "ref_id=ref-42") || !strings.Contains(msg, tc.word) {
			t.Errorf("%s: message %q does not mention ref_id=ref-42 and %q", tc.status, msg, tc.word)
		}
		if other, dup := seen[msg]; dup {
			t.Errorf("%s and %s have the same message %q", tc.status, other, msg)
		}
		seen[msg] = tc.status
	}
}

func TestToAsyncTaskResponseETA(t *testing.T) {
	start := 1000.0
	progress := func(current, total int64) *TaskProgress {
		return &TaskProgress{Current: &current, Total: &total}
	}
	at := func(seconds float64) time.Time { return unixTime(start + seconds) }
	tests := []struct {
		name      string
		progress  *TaskProgress
		completed *float64
		eta       *float64 // ResponseOptions.EtaSeconds
		now       time.Time
		want      *float64
	}{
		{"given eta kept", progress(25, 100), nil, unitPtr(7.5), at(10), unitPtr(7.5)},
		{"given eta 0 kept", progress(25, 100), nil, unitPtr(0.0), at(10), unitPtr(0.0)},
		{"given eta kept without progress", nil, nil, unitPtr(99.0), at(10), unitPtr(99.0)},
		{"given eta kept when none can be estimated", progress(0, 100), nil, unitPtr(12.0), at(0), unitPtr(12.0)},
		{"estimated: 25 of 100 after 10s", progress(25, 100), nil, nil, at(10), unitPtr(30.0)},
		{"estimated: 1 of 3 after 1s", progress(1, 3), nil, nil, at(1), unitPtr(2.0)},
		{"estimated: 50 of 100 after 0.5s", progress(50, 100), nil, nil, at(0.5), unitPtr(0.5)},
		{"estimated from completed_at, not now", progress(25, 100), unitPtr(start + 10), nil, at(1e6), unitPtr(30.0)},
		{"current 0 gives none", progress(0, 100), nil, nil, at(10), nil},
		{"current equal to total gives 0", progress(100, 100), nil, nil, at(10), unitPtr(0.0)},
		{"current above total gives 0", progress(150, 100), nil, nil, at(10), unitPtr(0.0)},
		{"total 0 with current 5 gives 0", progress(5, 0), nil, nil, at(10), unitPtr(0.0)},
		{"current >= total gives 0 even at elapsed 0", progress(3, 3), nil, nil, at(0), unitPtr(0.0)},
		{"no progress gives none", nil, nil, nil, at(10), nil},
		{"empty progress gives none", &TaskProgress{}, nil, nil, at(10), nil},
		{"percentage alone gives none", &TaskProgress{Percentage: unitPtr(50.0)}, nil, nil, at(10), nil},
		{"current nil gives none", &TaskProgress{Total: unitPtr[int64](100)}, nil, nil, at(10), nil},
		{"total nil gives none", &TaskProgress{Current: unitPtr[int64](25)}, nil, nil, at(10), nil},
		{"elapsed 0 gives none", progress(25, 100), nil, nil, at(0), nil},
		{"negative elapsed gives none", progress(25, 100), nil, nil, at(-10), nil},
		{"completed_at 0 gives negative elapsed, none", progress(25, 100), unitPtr(0.0), nil, at(10), nil},
		{"huge estimate beyond 2^53-1 gives none", progress(1, unitMaxInt), nil, nil, at(10), nil},
		{"largest estimate within 2^53-1 kept", progress(1, unitMaxInt), nil, nil, at(1), unitPtr(float64(unitMaxInt - 1))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			task := NewTaskInfo("r", start)
			task.Status = TaskStatusProcessing
			task.Progress = tc.progress
			task.CompletedAt = tc.completed
			resp := task.ToAsyncTaskResponse(ResponseOptions{EtaSeconds: tc.eta, Now: tc.now})
			switch {
			case tc.want == nil && resp.EtaSeconds != nil:
				t.Errorf("EtaSeconds = %v, want nil", *resp.EtaSeconds)
			case tc.want != nil && resp.EtaSeconds == nil:
				t.Errorf("EtaSeconds = nil, want %v", *tc.want)
			case tc.want != nil && math.Abs(*resp.EtaSeconds-*tc.want) > 1e-6:
				t.Errorf("EtaSeconds = %v, want %v", *resp.EtaSeconds, *tc.want)
			}
			if err := Validate(resp); tc.eta == nil && err != nil {
				t.Errorf("Validate(response) = %v", err)
			}
		})
	}
}

func TestEstimateETA(t *testing.T) {
	tests := []struct {
		name           string
		current, total *int64
		elapsed        time.Duration
		want           float64
		ok             bool
	}{
		{"25 of 100 after 10s", unitPtr[int64](25), unitPtr[int64](100), 10 * time.Second, 30, true},
		{"75 of 100 after 30s", unitPtr[int64](75), unitPtr[int64](100), 30 * time.Second, 10, true},
		{"99 of 100 after 99ms", unitPtr[int64](99), unitPtr[int64](100), 99 * time.Millisecond, 0.001, true},
		{"done", unitPtr[int64](100), unitPtr[int64](100), 10 * time.Second, 0, true},
		{"past done", unitPtr[int64](101), unitPtr[int64](100), 0, 0, true},
		{"current 0", unitPtr[int64](0), unitPtr[int64](100), 10 * time.Second, 0, false},
		{"negative current", unitPtr[int64](-1), unitPtr[int64](100), 10 * time.Second, 0, false},
		{"current nil", nil, unitPtr[int64](100), 10 * time.Second, 0, false},
		{"total nil", unitPtr[int64](1), nil, 10 * time.Second, 0, false},
		{"elapsed 0", unitPtr[int64](1), unitPtr[int64](100), 0, 0, false},
		{"elapsed negative", unitPtr[int64](1), unitPtr[int64](100), -time.Second, 0, false},
		{"beyond 2^53-1", unitPtr[int64](1), unitPtr[int64](unitMaxInt), 2 * time.Second, 0, false},
		{"1ns elapsed", unitPtr[int64](1), unitPtr[int64](2), time.Nanosecond, 1e-9, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := EstimateETA(TaskProgress{Current: tc.current, Total: tc.total}, tc.elapsed.Seconds())
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (eta %v)", ok, tc.ok, got)
			}
			if math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("EstimateETA = %v, want %v", got, tc.want)
			}
			if got < 0 {
				t.Errorf("EstimateETA = %v is negative", got)
			}
		})
	}
}

func TestToAsyncTaskResponseZeroNowUsesTheClock(t *testing.T) {
	before := time.Now()
	started := before.Add(-10 * time.Second)
	task := NewTaskInfo("r", float64(started.UnixNano())/1e9)
	task.Status = TaskStatusProcessing
	task.Progress = &TaskProgress{Current: unitPtr[int64](25), Total: unitPtr[int64](100)}
	resp := task.ToAsyncTaskResponse(ResponseOptions{})
	after := time.Now()
	if resp.EtaSeconds == nil {
		t.Fatal("EtaSeconds = nil, want about 30")
	}
	// eta = 3 × elapsed, where elapsed is 10s plus the time the call took.
	lo, hi := 3*10.0-0.01, 3*after.Sub(started).Seconds()+0.01
	if *resp.EtaSeconds < lo || *resp.EtaSeconds > hi {
		t.Errorf("EtaSeconds = %v, want within [%v, %v]", *resp.EtaSeconds, lo, hi)
	}
}

// time.Duration holds at most about 292 years, so Elapsed saturates for a
// task that (validly) started in 1970 and is looked at after year 2262, and
// the ETA estimated from it is wrong.
func TestToAsyncTaskResponseETAWithVeryLongElapsed(t *testing.T) {
	task := NewTaskInfo("r", 0)
	task.Status = TaskStatusProcessing
	task.Progress = &TaskProgress{Current: unitPtr[int64](1), Total: unitPtr[int64](2)}
	now := time.Unix(253402300799, 0) // 9999-12-31T23:59:59Z
	resp := task.ToAsyncTaskResponse(ResponseOptions{Now: now})
	if err := Validate(resp); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	want := 253402300799.0 // half done after 253402300799 s
	if resp.EtaSeconds == nil {
		t.Fatalf("EtaSeconds = nil, want %v", want)
	}
	if math.Abs(*resp.EtaSeconds-want) > 1 {
		t.Fatalf("EtaSeconds = %v, want %v", *resp.EtaSeconds, want)
	}
}

// unitTaskVariants holds the values each field of a generated task takes.
var unitTaskVariants = struct {
	statuses  []TaskStatus
	progress  []*TaskProgress
	startedAt []float64
	completed []func(started float64) *float64
	errors    []*string
	retries   [][2]int64
	now       []time.Time
	messages  []string
	etas      []*float64
}{
	statuses: []TaskStatus{TaskStatusPending, TaskStatusProcessing, TaskStatusComplete, TaskStatusFailed, TaskStatusCancelled},
	progress: []*TaskProgress{
		nil,
		{},
		{Current: unitPtr[int64](25), Total: unitPtr[int64](100)},
		{Current: unitPtr[int64](0), Total: unitPtr[int64](100)},
		{Current: unitPtr[int64](0), Total: unitPtr[int64](0)},
		{Current: unitPtr[int64](100), Total: unitPtr[int64](100), Percentage: unitPtr(100.0)},
		{Current: unitPtr[int64](150), Total: unitPtr[int64](100)},
		{Current: unitPtr[int64](1), Total: unitPtr[int64](unitMaxInt)},
		{Current: unitPtr[int64](unitMaxInt), Total: unitPtr[int64](unitMaxInt)},
		{Current: unitPtr[int64](1), Total: unitPtr[int64](3), Message: unitPtr("one third"), Percentage: unitPtr(100.0 / 3)},
		{Message: unitPtr("")},
		{Message: unitPtr("working \u2603 \"quoted\" <b>")},
		{Percentage: unitPtr(0.0)},
		{Current: unitPtr[int64](7)},
		{Total: unitPtr[int64](7)},
	},
	startedAt: []float64{0, 1e-9, 0.5, 1000, 1000.5, 1700000000.123456, 253402300798.99997, 253402300799},
	completed: []func(float64) *float64{
		func(float64) *float64 { return nil },
		func(float64) *float64 { return unitPtr(0.0) },
		func(s float64) *float64 { return unitPtr(s) },
		func(s float64) *float64 { return unitPtr(min(s+10, 253402300799)) },
		func(float64) *float64 { return unitPtr(253402300799.0) },
	},
	errors:   []*string{nil, unitPtr(""), unitPtr("boom"), unitPtr("line1\nline2 \u00e9")},
	retries:  [][2]int64{{0, 3}, {3, 3}, {0, 0}, {5, 3}, {unitMaxInt, unitMaxInt}},
	now:      []time.Time{{}, time.Unix(0, 0), time.Unix(1, 1), time.Unix(2000, 0), time.Unix(1700000000, 0).In(time.FixedZone("x", -7*3600)), time.Unix(253402300799, 999999999)},
	messages: []string{"", "given message"},
	etas:     []*float64{nil, nil, unitPtr(0.0), unitPtr(12.5)},
}

func unitGeneratedTask(pick func(n int) int) (TaskInfo, ResponseOptions) {
	v := unitTaskVariants
	task := NewTaskInfo(fmt.Sprintf("ref-%d", pick(1000)), v.startedAt[pick(len(v.startedAt))])
	task.Status = v.statuses[pick(len(v.statuses))]
	task.Progress = v.progress[pick(len(v.progress))]
	task.CompletedAt = v.completed[pick(len(v.completed))](task.StartedAt)
	task.Error = v.errors[pick(len(v.errors))]
	r := v.retries[pick(len(v.retries))]
	task.RetryCount, task.MaxRetries = r[0], r[1]
	if pick(3) == 0 {
		task.RetryHistory = []RetryInfo{{Attempt: 1, Error: "e", Timestamp: task.StartedAt}}
	}
	opts := ResponseOptions{
		Message:    v.messages[pick(len(v.messages))],
		EtaSeconds: v.etas[pick(len(v.etas))],
		Now:        v.now[pick(len(v.now))],
	}
	return task, opts
}

func TestToAsyncTaskResponseIsAlwaysValid(t *testing.T) {
	check := func(t *testing.T, task TaskInfo, opts ResponseOptions) {
		t.Helper()
		if err := Validate(task); err != nil {
			t.Fatalf("generated task is invalid: %v\n%+v", err, task)
		}
		resp := task.ToAsyncTaskResponse(opts)
		if err := Validate(resp); err != nil {
			t.Fatalf("Validate(ToAsyncTaskResponse) = %v\ntask %+v\nopts %+v", err, task, opts)
		}
		data, err := Marshal(resp)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back AsyncTaskResponse
		if err := Unmarshal(data, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", data, err)
		}
		if !reflect.DeepEqual(back, resp) {
			t.Fatalf("round trip of %s:\n got %+v\nwant %+v", data, back, resp)
		}
	}

	// Every status × progress × start × completion, other fields cycling.
	v := unitTaskVariants
	n := 0
	for _, status := range v.statuses {
		for _, progress := range v.progress {
			for _, started := range v.startedAt {
				for _, completed := range v.completed {
					n++
					task := NewTaskInfo("ref-edge", started)
					task.Status, task.Progress, task.CompletedAt = status, progress, completed(started)
					task.Error = v.errors[n%len(v.errors)]
					r := v.retries[n%len(v.retries)]
					task.RetryCount, task.MaxRetries = r[0], r[1]
					check(t, task, ResponseOptions{
						Message:    v.messages[n%len(v.messages)],
						EtaSeconds: v.etas[n/7%len(v.etas)],
						Now:        v.now[n/3%len(v.now)],
					})
				}
			}
		}
	}

	// Random combinations of every field, reproducibly.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		task, opts := unitGeneratedTask(rng.IntN)
		check(t, task, opts)
	}
}
