package jsonread

// Extent is how far JSON values reach towards the Limits: the deepest
// nesting of objects and arrays inside one of them (0 for a value that is
// neither, 1 for [] or {"a":1}), the longest number token and the largest
// exponent, in absolute value, that a number is written with (0 without
// one). A value nested n deep in a payload reads within Limits when
// n+Depth <= MaxDepth, NumberLength <= MaxNumberLength and Exponent <=
// MaxExponent, measured as a Reader measures them.
type Extent struct {
	Depth, NumberLength, Exponent int
}

// AppendCompact appends value, one JSON value that a Reader accepted, to
// dst without the white space outside its strings, byte for byte what
// json.Compact writes for it, and widens x to cover it. It reads value once
// and allocates only to grow dst. Given anything else it does not panic,
// but what it writes and measures is then undefined.
func AppendCompact(dst, value []byte, x *Extent) []byte {
	depth := 0
	start := 0 // value[start:i] is still to be copied to dst
	for i := 0; i < len(value); {
		switch c := value[i]; c {
		case ' ', '\t', '\n', '\r':
			dst = append(dst, value[start:i]...)
			i++
			start = i
		case '"':
			i = stringEnd(value, i+1)
		case '{', '[':
			depth++
			x.Depth = max(x.Depth, depth)
			i++
		case '}', ']':
			depth--
			i++
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			i = x.number(value, i)
		default: // the letters of true, false and null, ',' and ':'
			i++
		}
	}
	return append(dst, value[start:]...)
}

// stringEnd returns the offset just after the closing quote of the string
// whose contents begin at d[i], or len(d) when it has none.
func stringEnd(d []byte, i int) int {
	for {
		// To the first byte that may be a quote or a backslash (skipPlain
		// also stops at bytes that cannot be in an accepted string, and
		// at those above 0x7F).
		if i = skipPlain(d, i); i >= len(d) {
			return len(d)
		}
		switch d[i] {
		case '"':
			return i + 1
		case '\\':
			i += 2 // the escaped byte may be a quote
		default:
			i++
		}
	}
}

// number widens x to cover the number token that begins at d[i], as
// ReadNumber measures it, and returns the offset just after it.
func (x *Extent) number(d []byte, i int) int {
	start := i
	if d[i] == '-' {
		i++
	}
	for i < len(d) && (d[i] >= '0' && d[i] <= '9' || d[i] == '.') {
		i++
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		exp := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			if exp < maxCountedExponent { // as ReadNumber, which stops counting there
				exp = exp*10 + int(d[i]-'0')
			}
			i++
		}
		x.Exponent = max(x.Exponent, exp)
	}
	x.NumberLength = max(x.NumberLength, i-start)
	return i
}
