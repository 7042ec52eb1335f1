package models

import (
	"fmt"
	"reflect"
	"time"
)

// withDefaults returns a T whose fields hold the defaults that T's schema
// gives its properties; fields without a default keep Go's zero value.
func withDefaults[T any]() T {
	var v T
	reg, err := loadRegistry()
	if err == nil {
		err = decodeStruct(reg, reflect.ValueOf(&v).Elem(), map[string]any{}, "")
	}
	if err != nil {
		// Only a broken build can get here: the embedded schema files are
		// compiled and their defaults decoded by the package's tests.
		panic(fmt.Sprintf("taskschema: schema defaults for %T: %v", v, err))
	}
	return v
}

// NewTaskInfo returns the TaskInfo of a task with the given reference ID that
// started at startedAt (Unix seconds), with every other field set to its
// schema default: status pending, no progress, retry_count 0, max_retries 3
// and an empty retry history.
func NewTaskInfo(refID string, startedAt float64) TaskInfo {
	t := withDefaults[TaskInfo]()
	t.RefID = refID
	t.StartedAt = startedAt
	return t
}

// NewAsyncTaskResponse returns an AsyncTaskResponse with the given reference
// ID, status and start time, and every other field set to its schema default:
// no progress, ETA, error or message, retry_count 0 and can_retry true.
func NewAsyncTaskResponse(refID string, status TaskStatus, startedAt time.Time) AsyncTaskResponse {
	r := withDefaults[AsyncTaskResponse]()
	r.RefID = refID
	r.Status = status
	r.StartedAt = startedAt
	return r
}
