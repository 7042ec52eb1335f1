package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

func ExampleUnmarshal() {
	payload := []byte(`{
		"ref_id": "ref-123",
		"status": "failed",
		"started_at": 1000.5,
		"completed_at": 1010,
		"error": "connection reset",
		"retry_count": 1,
		"retry_history": [{"attempt": 1, "error": "timeout", "timestamp": 1005}]
	}`)
	var task models.TaskInfo
	if err := models.Unmarshal(payload, &task); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("ref_id:", task.RefID)
	fmt.Println("status:", task.Status)
	fmt.Println("started:", task.StartedTime().Format(time.RFC3339Nano))
	fmt.Println("elapsed:", task.Elapsed(time.Time{}))
	fmt.Println("error:", *task.Error)
	fmt.Println("retries:", task.RetryCount, "of", task.MaxRetries, "(max_retries is the default)")
	fmt.Println("can retry:", task.CanRetry(), "terminal:", task.IsTerminal())
	fmt.Println("progress is null:", task.Progress == nil)
	for _, r := range task.RetryHistory {
		fmt.Printf("attempt %d failed at %s: %s\n", r.Attempt, r.Time().Format(time.RFC3339), r.Error)
	}
	// Output:
	// ref_id: ref-123
	// status: failed
	// started: 1970-01-01T00:16:40.5Z
	// elapsed: 9.5s
	// error: connection reset
	// retries: 1 of 3 (max_retries is the default)
	// can retry: true terminal: false
	// progress is null: true
	// attempt 1 failed at 1970-01-01T00:16:45Z: timeout
}

func ExampleMarshal() {
	task := models.NewTaskInfo("ref-123", 1700000000)
	task.Status = models.TaskStatusProcessing
	progress := models.NewTaskProgress(25, 100)
	task.Progress = &progress
	data, err := models.Marshal(task)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(string(data))
	// Output:
	// {"ref_id":"ref-123","status":"processing","progress":{"current":25,"total":100,"message":null,"percentage":25},"started_at":1700000000,"completed_at":null,"error":null,"retry_count":0,"max_retries":3}
}

func ExampleValidationError() {
	payload := []byte(`{"status": "FAILED", "started_at": -1, "retry_count": 1.5}`)
	var task models.TaskInfo
	err := models.Unmarshal(payload, &task)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("schema:", ve.Schema)
		for _, v := range ve.Violations {
			fmt.Printf("%s | %s | %s\n", v.InstancePath, v.Keyword, v.Message)
		}
	}
	// Output:
	// schema: task_info
	// /ref_id | required | missing required property "ref_id"
	// /retry_count | type | got number, want integer
	// /started_at | minimum | must be at least 0, got -1
	// /status | enum | value must be one of 'pending', 'processing', 'complete', 'failed', 'cancelled'
}

func ExampleTaskInfo_ToAsyncTaskResponse() {
	task := models.NewTaskInfo("ref-123", 1000)
	task.Status = models.TaskStatusProcessing
	progress := models.NewTaskProgress(25, 100)
	task.Progress = &progress

	// A fixed "now", 10 seconds after the start: a quarter done after 10s
	// leaves an estimated 30s.
	resp := task.ToAsyncTaskResponse(models.ResponseOptions{Now: time.Unix(1010, 0)})
	data, err := models.Marshal(resp)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(string(data))
	// Output:
	// {"ref_id":"ref-123","status":"processing","progress":{"current":25,"total":100,"message":null,"percentage":25},"started_at":"1970-01-01T00:16:40Z","eta_seconds":30,"error":null,"message":"Task is processing (ref_id=ref-123)","retry_count":0,"can_retry":false}
}

func ExampleNewTaskInfo() {
	task := models.NewTaskInfo("ref-123", 1000)
	fmt.Println("status:", task.Status)
	fmt.Println("retry_count:", task.RetryCount)
	fmt.Println("max_retries:", task.MaxRetries)
	fmt.Println("retry_history:", len(task.RetryHistory), "entries")
	fmt.Println("progress, completed_at, error are nil:", task.Progress == nil, task.CompletedAt == nil, task.Error == nil)
	fmt.Println("valid:", models.Validate(task) == nil)
	// Output:
	// status: pending
	// retry_count: 0
	// max_retries: 3
	// retry_history: 0 entries
	// progress, completed_at, error are nil: true true true
	// valid: true
}

// A model inside a document that encoding/json reads keeps the one verdict:
// its generated UnmarshalJSON checks it, and the violations point into the
// model value.
func ExampleTaskInfo_UnmarshalJSON() {
	var result struct {
		Task models.TaskInfo `json:"task"`
		Note string          `json:"note"`
	}
	doc := []byte(`{"task": {"ref_id": "r", "started_at": 1, "status": "bogus"}, "note": "n"}`)
	err := json.Unmarshal(doc, &result)
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		for _, v := range verr.Violations {
			fmt.Printf("%s %s\n", v.InstancePath, v.Keyword)
		}
	}
	// Output:
	// /status enum
}

// Limits.Marshal refuses an encoding that Unmarshal with the same limits
// would refuse to read.
func ExampleLimits_Marshal() {
	task := models.NewTaskInfo("ref-1", 1000)
	_, err := models.Limits{MaxBytes: 64}.Marshal(task)
	fmt.Println(err)
	out, _ := models.Marshal(models.NewTaskInfo("<ref & co>", 1000))
	fmt.Println(string(out))
	// Output:
	// taskschema: invalid task_info: (root): limit: the encoding is 136 bytes, more than MaxBytes (64)
	// {"ref_id":"<ref & co>","status":"pending","progress":null,"started_at":1000,"completed_at":null,"error":null,"retry_count":0,"max_retries":3}
}
