package models

import (
	"encoding/json"
	"fmt"
	"maps"
)

// The three views of an AsyncTaskResponse that mcp-refcache sends, chosen
// by a ResponseFormat (schema/response_format.schema.json):
//
//   - minimal: ref_id, status, is_complete, is_async (MinimalTaskResponse);
//   - standard: plus started_at, progress, message (StandardTaskResponse);
//   - full: plus eta_seconds, error, retry_count, can_retry,
//     expected_schema (FullTaskResponse).
//
// Every key of a view is always written, null where there is nothing to
// say. is_complete is always false and is_async always true (each schema's
// "const"): a view describes the task and never carries its result, also
// when its status is complete; the client then fetches the result by
// ref_id. is_async tells a view apart from a response that carries a value.

// SchemaName returns the name of the schema of the view that f selects
// ("minimal_task_response", "standard_task_response" or
// "full_task_response"), for [ValidateJSON] or `taskschema validate
// --type`, and false for a value that is not a ResponseFormat.
func (f ResponseFormat) SchemaName() (string, bool) {
	switch f {
	case ResponseFormatMinimal:
		return "minimal_task_response", true
	case ResponseFormatStandard:
		return "standard_task_response", true
	case ResponseFormatFull:
		return "full_task_response", true
	}
	return "", false
}

// Minimal returns the minimal view of r: its ref_id and status.
func (r AsyncTaskResponse) Minimal() MinimalTaskResponse {
	return MinimalTaskResponse{RefID: r.RefID, Status: r.Status, IsComplete: false, IsAsync: true}
}

// Standard returns the standard view of r: the minimal view plus its
// started_at, progress and message (copies: changing the view leaves r
// alone).
func (r AsyncTaskResponse) Standard() StandardTaskResponse {
	v := StandardTaskResponse{RefID: r.RefID, Status: r.Status, IsComplete: false, IsAsync: true, StartedAt: r.StartedAt}
	if r.Progress != nil {
		v.Progress = r.Progress.clone()
	}
	if r.Message != nil {
		v.Message = ptr(*r.Message)
	}
	return v
}

// Full returns the full view of r: the standard view plus its eta_seconds,
// error, retry_count and can_retry, and expected (a copy), the shape of the
// result to come, or null when expected is nil.
func (r AsyncTaskResponse) Full(expected *ExpectedSchema) FullTaskResponse {
	s := r.Standard()
	v := FullTaskResponse{RefID: s.RefID, Status: s.Status, IsComplete: false, IsAsync: true,
		StartedAt: s.StartedAt, Progress: s.Progress, Message: s.Message,
		RetryCount: r.RetryCount, CanRetry: r.CanRetry}
	if r.EtaSeconds != nil {
		v.EtaSeconds = ptr(*r.EtaSeconds)
	}
	if r.Error != nil {
		v.Error = ptr(*r.Error)
	}
	if expected != nil {
		v.ExpectedSchema = expected.clone()
	}
	return v
}

// View returns the view of r that f selects, as a pointer to its model type
// (*MinimalTaskResponse, *StandardTaskResponse or *FullTaskResponse), ready
// for [Marshal] or encoding/json. expected is used by the full view only.
// An unknown format, or a view its schema rejects (an invalid r or
// expected), is an error: a *ValidationError that names the field.
func (r AsyncTaskResponse) View(f ResponseFormat, expected *ExpectedSchema) (any, error) {
	var v any
	switch f {
	case ResponseFormatMinimal:
		m := r.Minimal()
		v = &m
	case ResponseFormatStandard:
		s := r.Standard()
		v = &s
	case ResponseFormatFull:
		full := r.Full(expected)
		v = &full
	default:
		if err := Validate(f); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("taskschema: response format %q has no view", f) // unreachable: the schema has three values
	}
	if err := Validate(v); err != nil {
		return nil, err
	}
	return v, nil
}

// clone returns a copy of e that shares nothing with it.
func (e ExpectedSchema) clone() *ExpectedSchema {
	c := e
	if e.ReturnType != nil {
		c.ReturnType = ptr(*e.ReturnType)
	}
	if e.Description != nil {
		c.Description = ptr(*e.Description)
	}
	c.Fields = maps.Clone(e.Fields)
	if e.Example != nil {
		c.Example = append(json.RawMessage{}, e.Example...)
	}
	return &c
}
