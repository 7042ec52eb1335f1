package models

import (
	"math"
	"testing"
)

const unitTolerance = 1e-9

func TestPercentageOf(t *testing.T) {
	tests := []struct {
		name           string
		current, total int64
		want           float64
		ok             bool
	}{
		{"25 of 100", 25, 100, 25, true},
		{"1 of 3", 1, 3, 100.0 / 3, true},
		{"2 of 3", 2, 3, 200.0 / 3, true},
		{"0 of 100", 0, 100, 0, true},
		{"100 of 100", 100, 100, 100, true},
		{"1 of 1", 1, 1, 100, true},
		{"150 of 100 clamps to 100", 150, 100, 100, true},
		{"huge current clamps to 100", math.MaxInt, 1, 100, true},
		{"negative current clamps to 0", -5, 100, 0, true},
		{"0 of 0 is none", 0, 0, 0, false},
		{"5 of 0 is none", 5, 0, 0, false},
		{"negative total is none", 5, -10, 0, false},
		{"largest schema integers", 9007199254740991, 9007199254740991, 100, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := PercentageOf(tc.current, tc.total)
			if ok != tc.ok {
				t.Fatalf("PercentageOf(%d, %d) ok = %v, want %v", tc.current, tc.total, ok, tc.ok)
			}
			if math.Abs(got-tc.want) > unitTolerance {
				t.Errorf("PercentageOf(%d, %d) = %v, want %v", tc.current, tc.total, got, tc.want)
			}
		})
	}
	// 1 of 3 is about 33.333, as a reader would check it.
	if got, _ := PercentageOf(1, 3); math.Abs(got-33.333) > 0.001 {
		t.Errorf("PercentageOf(1, 3) = %v, want about 33.333", got)
	}
}

func TestNewTaskProgress(t *testing.T) {
	tests := []struct {
		name           string
		current, total int64
		wantPct        *float64
	}{
		{"25 of 100", 25, 100, unitPtr(25.0)},
		{"1 of 3", 1, 3, unitPtr(100.0 / 3)},
		{"0 of 0 has no percentage", 0, 0, nil},
		{"150 of 100 clamps to 100", 150, 100, unitPtr(100.0)},
		{"negative current clamps to 0", -1, 100, unitPtr(0.0)},
		{"total 0 has no percentage", 7, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewTaskProgress(tc.current, tc.total)
			if p.Current == nil || *p.Current != tc.current {
				t.Errorf("Current = %v, want %d", p.Current, tc.current)
			}
			if p.Total == nil || *p.Total != tc.total {
				t.Errorf("Total = %v, want %d", p.Total, tc.total)
			}
			if p.Message != nil {
				t.Errorf("Message = %q, want nil", *p.Message)
			}
			switch {
			case tc.wantPct == nil && p.Percentage != nil:
				t.Errorf("Percentage = %v, want nil", *p.Percentage)
			case tc.wantPct != nil && p.Percentage == nil:
				t.Errorf("Percentage = nil, want %v", *tc.wantPct)
			case tc.wantPct != nil && math.Abs(*p.Percentage-*tc.wantPct) > unitTolerance:
				t.Errorf("Percentage = %v, want %v", *p.Percentage, *tc.wantPct)
			}
		})
	}
}

func TestNewTaskProgressValidity(t *testing.T) {
	// 150 of 100 is valid here because the percentage is clamped
	// (mcp-refcache writes 150, which its own schema rejects).
	for _, c := range [][2]int64{{150, 100}, {25, 100}, {0, 0}, {1, 3}} {
		if err := Validate(NewTaskProgress(c[0], c[1])); err != nil {
			t.Errorf("Validate(NewTaskProgress(%d, %d)) = %v, want nil", c[0], c[1], err)
		}
	}
	// A negative current clamps the percentage, but the current itself is
	// still one the schema rejects.
	ve := unitValidationError(t, Validate(NewTaskProgress(-1, 100)))
	if len(ve.Violations) != 1 || ve.Violations[0].InstancePath != "/current" || ve.Violations[0].Keyword != "minimum" {
		t.Errorf("violations %v, want one minimum at /current", ve.Violations)
	}
}

func TestNewTaskProgressDoesNotShareMemory(t *testing.T) {
	a := NewTaskProgress(1, 2)
	b := NewTaskProgress(1, 2)
	*a.Current = 9
	*a.Total = 9
	if *b.Current != 1 || *b.Total != 2 {
		t.Errorf("changing one progress changed another: %d of %d", *b.Current, *b.Total)
	}
}

func TestCompletionPercentage(t *testing.T) {
	tests := []struct {
		name string
		p    TaskProgress
		want float64
		ok   bool
	}{
		{"computed 25 of 100", TaskProgress{Current: unitPtr[int64](25), Total: unitPtr[int64](100)}, 25, true},
		{"computed 1 of 3", TaskProgress{Current: unitPtr[int64](1), Total: unitPtr[int64](3)}, 100.0 / 3, true},
		{"computed 0 of 0 is none", TaskProgress{Current: unitPtr[int64](0), Total: unitPtr[int64](0)}, 0, false},
		{"computed 150 of 100 clamps", TaskProgress{Current: unitPtr[int64](150), Total: unitPtr[int64](100)}, 100, true},
		{"computed negative current clamps", TaskProgress{Current: unitPtr[int64](-3), Total: unitPtr[int64](100)}, 0, true},
		{"explicit kept although current/total disagree", TaskProgress{Current: unitPtr[int64](50), Total: unitPtr[int64](100), Percentage: unitPtr(10.0)}, 10, true},
		{"explicit kept with 0 of 0", TaskProgress{Current: unitPtr[int64](0), Total: unitPtr[int64](0), Percentage: unitPtr(42.5)}, 42.5, true},
		{"explicit 0 kept", TaskProgress{Current: unitPtr[int64](99), Total: unitPtr[int64](100), Percentage: unitPtr(0.0)}, 0, true},
		{"explicit without current and total", TaskProgress{Percentage: unitPtr(75.0)}, 75, true},
		{"current nil is none", TaskProgress{Total: unitPtr[int64](100)}, 0, false},
		{"total nil is none", TaskProgress{Current: unitPtr[int64](25)}, 0, false},
		{"all nil is none", TaskProgress{}, 0, false},
		{"message alone is none", TaskProgress{Message: unitPtr("working")}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.p.CompletionPercentage()
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if math.Abs(got-tc.want) > unitTolerance {
				t.Errorf("CompletionPercentage = %v, want %v", got, tc.want)
			}
		})
	}
}
