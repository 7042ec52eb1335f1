package models

import "testing"

// Each fuzz target checks the one-verdict invariant (see verdict_test.go)
// with the v6 validator as the oracle, seeded from testdata/seeds/<schema>/
// and the shared corpus in ../tests/. Run one with, for example:
//
//	go test -run='^$' -fuzz='^FuzzTaskInfo$' -fuzztime=1m ./models

func FuzzTaskStatus(f *testing.F)   { fuzzVerdict[TaskStatus](f, "task_status") }
func FuzzTaskProgress(f *testing.F) { fuzzVerdict[TaskProgress](f, "task_progress") }
func FuzzRetryInfo(f *testing.F)    { fuzzVerdict[RetryInfo](f, "retry_info") }
func FuzzTaskInfo(f *testing.F)     { fuzzVerdict[TaskInfo](f, "task_info") }
func FuzzAsyncTaskResponse(f *testing.F) {
	fuzzVerdict[AsyncTaskResponse](f, "async_task_response")
}

func fuzzVerdict[T any](f *testing.F, name string) {
	s := oracle(f, name)
	for _, data := range seedFiles(f, name) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkVerdict[T](t, s, name, data)
	})
}
