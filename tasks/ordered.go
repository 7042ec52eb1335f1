package tasks

import (
	"slices"
	"strings"
)

// chunkSize is the most strings one chunk of an ordered set holds.
const chunkSize = 256

// ordered is a set of strings kept in ascending byte order, in chunks of
// at most chunkSize, so that adding or removing one costs O(log n +
// chunkSize) and reading a page after a cursor O(log n + page), not a sort
// of the whole set.
type ordered struct {
	chunks [][]string // each sorted, non-empty; every string of chunk i is less than those of chunk i+1
	n      int
}

// chunkFor returns the index of the chunk where s is or would go.
func (o *ordered) chunkFor(s string) int {
	// The first chunk whose last string is >= s; s goes there (or in the
	// last chunk when it is greater than everything).
	i, _ := slices.BinarySearchFunc(o.chunks, s, func(c []string, s string) int { return strings.Compare(c[len(c)-1], s) })
	return min(i, len(o.chunks)-1)
}

// add puts s in the set; it reports whether s was new.
func (o *ordered) add(s string) bool {
	if len(o.chunks) == 0 {
		o.chunks = [][]string{{s}}
		o.n = 1
		return true
	}
	i := o.chunkFor(s)
	c := o.chunks[i]
	j, found := slices.BinarySearch(c, s)
	if found {
		return false
	}
	c = slices.Insert(c, j, s)
	if len(c) > chunkSize {
		half := len(c) / 2
		right := slices.Clone(c[half:])
		c = slices.Clip(c[:half])
		o.chunks = slices.Insert(o.chunks, i+1, right)
	}
	o.chunks[i] = c
	o.n++
	return true
}

// remove takes s out of the set; it reports whether s was there.
func (o *ordered) remove(s string) bool {
	if len(o.chunks) == 0 {
		return false
	}
	i := o.chunkFor(s)
	c := o.chunks[i]
	j, found := slices.BinarySearch(c, s)
	if !found {
		return false
	}
	c = slices.Delete(c, j, j+1)
	if len(c) == 0 {
		o.chunks = slices.Delete(o.chunks, i, i+1)
	} else {
		o.chunks[i] = c
	}
	o.n--
	return true
}

// after calls yield with the strings greater than cursor, in order, until
// yield returns false.
func (o *ordered) after(cursor string, yield func(string) bool) {
	if len(o.chunks) == 0 {
		return
	}
	i := o.chunkFor(cursor)
	j, found := slices.BinarySearch(o.chunks[i], cursor)
	if found {
		j++
	}
	for ; i < len(o.chunks); i, j = i+1, 0 {
		for _, s := range o.chunks[i][j:] {
			if !yield(s) {
				return
			}
		}
	}
}
