package jsonpointer

import "testing"

func TestJoin(t *testing.T) {
	for _, tc := range []struct {
		tokens []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, "/"},
		{[]string{"a", "b"}, "/a/b"},
		{[]string{"a/b", "m~n"}, "/a~1b/m~0n"},
		{[]string{"~1"}, "/~01"},
		{[]string{"/~"}, "/~1~0"},
	} {
		if got := Join(tc.tokens); got != tc.want {
			t.Errorf("Join(%q) = %q, want %q", tc.tokens, got, tc.want)
		}
	}
}

func TestKeyIndex(t *testing.T) {
	if got := Key("/a", "x/y"); got != "/a/x~1y" {
		t.Errorf("Key = %q", got)
	}
	if got := Index("/retry_history", 10); got != "/retry_history/10" {
		t.Errorf("Index = %q", got)
	}
}

func TestCompare(t *testing.T) {
	// Each pointer comes strictly before the next.
	ordered := []string{
		"",
		"/",
		"/a",
		"/a/2",
		"/a/2/attempt",
		"/a/10",
		"/a/10/attempt",
		"/a/100",
		"/a/x",
		"/a~1b",
		"/b",
		"/retry_history/2/attempt",
		"/retry_history/10/attempt",
		"/retry_history/10/error",
		"/retry_history/11",
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(a, b); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	// Digit tokens with leading zeros (keys, not indices) still order
	// totally: equal values fall back to text.
	if Compare("/01", "/1") == 0 || Compare("/01", "/1") != -Compare("/1", "/01") {
		t.Errorf("Compare of /01 and /1 is not a total order")
	}
}
