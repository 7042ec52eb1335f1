package main

import (
	"encoding/json"
	"time"
)

// The plain structs that the peer decoders fill: the fields, Go types and
// JSON names of the model types of package models, without their methods,
// defaults or checks. TestPlainMatchesModels keeps the two in step.

type plainTaskStatus string

type plainTaskProgress struct {
	Current    *int64   `json:"current"`
	Total      *int64   `json:"total"`
	Message    *string  `json:"message"`
	Percentage *float64 `json:"percentage"`
}

type plainRetryInfo struct {
	Attempt   int64   `json:"attempt"`
	Error     string  `json:"error"`
	Timestamp float64 `json:"timestamp"`
}

type plainTaskInfo struct {
	RefID        string             `json:"ref_id"`
	Status       plainTaskStatus    `json:"status"`
	Progress     *plainTaskProgress `json:"progress"`
	StartedAt    float64            `json:"started_at"`
	CompletedAt  *float64           `json:"completed_at"`
	Error        *string            `json:"error"`
	RetryCount   int64              `json:"retry_count"`
	MaxRetries   int64              `json:"max_retries"`
	RetryHistory []plainRetryInfo   `json:"retry_history,omitempty"`
}

type plainAsyncTaskResponse struct {
	RefID      string             `json:"ref_id"`
	Status     plainTaskStatus    `json:"status"`
	Progress   *plainTaskProgress `json:"progress"`
	StartedAt  time.Time          `json:"started_at"`
	EtaSeconds *float64           `json:"eta_seconds"`
	Error      *string            `json:"error"`
	Message    *string            `json:"message"`
	RetryCount int64              `json:"retry_count"`
	CanRetry   bool               `json:"can_retry"`
}

type plainResponseFormat string

type plainExpectedSchema struct {
	ReturnType  *string           `json:"return_type"`
	Fields      map[string]string `json:"fields"`
	Example     json.RawMessage   `json:"example"`
	Description *string           `json:"description"`
}

type plainMinimalTaskResponse struct {
	RefID      string          `json:"ref_id"`
	Status     plainTaskStatus `json:"status"`
	IsComplete bool            `json:"is_complete"`
	IsAsync    bool            `json:"is_async"`
}

type plainStandardTaskResponse struct {
	RefID      string             `json:"ref_id"`
	Status     plainTaskStatus    `json:"status"`
	IsComplete bool               `json:"is_complete"`
	IsAsync    bool               `json:"is_async"`
	StartedAt  time.Time          `json:"started_at"`
	Progress   *plainTaskProgress `json:"progress"`
	Message    *string            `json:"message"`
}

type plainFullTaskResponse struct {
	RefID          string               `json:"ref_id"`
	Status         plainTaskStatus      `json:"status"`
	IsComplete     bool                 `json:"is_complete"`
	IsAsync        bool                 `json:"is_async"`
	StartedAt      time.Time            `json:"started_at"`
	Progress       *plainTaskProgress   `json:"progress"`
	Message        *string              `json:"message"`
	EtaSeconds     *float64             `json:"eta_seconds"`
	Error          *string              `json:"error"`
	RetryCount     int64                `json:"retry_count"`
	CanRetry       bool                 `json:"can_retry"`
	ExpectedSchema *plainExpectedSchema `json:"expected_schema"`
}

type plainAsyncTaskPage struct {
	Tasks      []plainAsyncTaskResponse `json:"tasks"`
	NextCursor string                   `json:"next_cursor"`
}

type plainMCPTaskStatus string

type plainMCPTask struct {
	TaskID        string             `json:"taskId"`
	Status        plainMCPTaskStatus `json:"status"`
	StatusMessage string             `json:"statusMessage"`
	CreatedAt     time.Time          `json:"createdAt"`
	LastUpdatedAt time.Time          `json:"lastUpdatedAt"`
	Ttl           *int64             `json:"ttl"`
	PollInterval  int64              `json:"pollInterval"`
}

type plainMCPCreateTaskResult struct {
	Task plainMCPTask `json:"task"`
}

type plainMCPListTasksResult struct {
	Tasks      []plainMCPTask `json:"tasks"`
	NextCursor string         `json:"nextCursor"`
}
