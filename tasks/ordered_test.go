package tasks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestOrdered holds the ordered set to a map and a sort, through random
// adds and removes that split and empty chunks, and pages after random
// cursors.
func TestOrdered(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var o ordered
	ref := map[string]bool{}
	for step := range 20_000 {
		s := fmt.Sprintf("%04d", rng.IntN(3000))
		if rng.IntN(3) == 0 {
			if o.remove(s) != ref[s] {
				t.Fatalf("step %d: remove(%s) disagrees", step, s)
			}
			delete(ref, s)
		} else {
			if o.add(s) == ref[s] {
				t.Fatalf("step %d: add(%s) disagrees", step, s)
			}
			ref[s] = true
		}
		if step%500 != 0 {
			continue
		}
		var want []string
		for k := range ref {
			want = append(want, k)
		}
		slices.Sort(want)
		cursor := fmt.Sprintf("%04d", rng.IntN(3000))
		if rng.IntN(4) == 0 {
			cursor = ""
		}
		i, found := slices.BinarySearch(want, cursor)
		if found {
			i++
		}
		want = want[i:min(len(want), i+25)]
		var got []string
		o.after(cursor, func(s string) bool { got = append(got, s); return len(got) < 25 })
		if !slices.Equal(got, want) || o.n != len(ref) {
			t.Fatalf("step %d: after(%q) = %v, want %v (n %d, %d)", step, cursor, got, want, o.n, len(ref))
		}
	}
}
