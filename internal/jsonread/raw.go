package jsonread

// Raw returns the payload's bytes from m to where the reader is now: after
// Skip, the value that began at m, as it is written. The slice points into
// the payload; copy it to keep it.
func (r *Reader) Raw(m Mark) []byte { return r.data[m.pos:r.pos] }
