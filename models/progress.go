package models

// NewTaskProgress returns the progress of a task at step current of total,
// with its percentage computed by [PercentageOf].
func NewTaskProgress(current, total int64) TaskProgress {
	p := TaskProgress{Current: &current, Total: &total}
	if pct, ok := PercentageOf(current, total); ok {
		p.Percentage = &pct
	}
	return p
}

// PercentageOf returns current/total*100 clamped to 0..100, and false when
// total is not positive (so (0, 0) gives none). mcp-refcache leaves 150 for
// 150 of 100, which its own schema rejects; here it is 100.
func PercentageOf(current, total int64) (float64, bool) {
	if total <= 0 {
		return 0, false
	}
	pct := float64(current) / float64(total) * 100
	return min(max(pct, 0), 100), true
}

// CompletionPercentage returns the percentage the progress reports, or, when
// it reports none, the one computed from current and total by
// [PercentageOf]. It returns false when neither is known.
func (p TaskProgress) CompletionPercentage() (float64, bool) {
	if p.Percentage != nil {
		return *p.Percentage, true
	}
	if p.Current == nil || p.Total == nil {
		return 0, false
	}
	return PercentageOf(*p.Current, *p.Total)
}
