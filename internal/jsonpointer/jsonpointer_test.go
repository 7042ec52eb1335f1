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
