package tasks

// The integer fields of the models (retry_count, max_retries, attempt,
// current, total) are converted here and nowhere else, so that a change of
// their Go type is an edit to this file.

// modelInt converts a count to the type of the models' integer fields.
func modelInt(v int64) int { return int(v) }

// countOf converts one of the models' integer fields to an int64.
func countOf(v int) int64 { return int64(v) }
