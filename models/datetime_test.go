package models

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tzChildEnv, when set, makes TestDateTimeUnderLocalZone run its checks in
// this process: TestDateTimeDoesNotDependOnTZ starts the test binary again
// with TZ set, since time.Local is fixed when a process starts.
const tzChildEnv = "TASKSCHEMA_TZ_CHILD_OFFSET"

// TestDateTimeDoesNotDependOnTZ runs TestDateTimeUnderLocalZone under
// several TZ values, each in a process of its own. The local offset on
// 2025-06-15 is passed along, so that the child can tell that TZ took effect.
func TestDateTimeDoesNotDependOnTZ(t *testing.T) {
	if os.Getenv(tzChildEnv) != "" {
		t.Skip("in the child process")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, tc := range []struct {
		tz     string
		offset int // seconds east of UTC on 2025-06-15
	}{
		{"UTC", 0},
		{"Asia/Kolkata", 5*3600 + 30*60},
		{"America/St_Johns", -(2*3600 + 30*60)},
		{"Europe/London", 3600},
		{"Pacific/Kiritimati", 14 * 3600},
	} {
		t.Run(tc.tz, func(t *testing.T) {
			if _, err := time.LoadLocation(tc.tz); err != nil {
				t.Skipf("no zone data for %s: %v", tc.tz, err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestDateTimeUnderLocalZone$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "TZ="+tc.tz, tzChildEnv+"="+strconv.Itoa(tc.offset))
			out, err := cmd.CombinedOutput()
			if errors.Is(err, syscall.ENOEXEC) {
				// Under an emulator (go test -exec qemu-arm) the test
				// binary cannot start itself; TestDateTimeWithLocalSet
				// covers the zones in this process.
				t.Skipf("cannot run the test binary again: %v", err)
			}
			if err != nil {
				t.Fatalf("under TZ=%s: %v\n%s", tc.tz, err, out)
			}
			if !bytes.Contains(out, []byte("--- PASS: TestDateTimeUnderLocalZone")) {
				t.Fatalf("under TZ=%s the check did not run:\n%s", tc.tz, out)
			}
		})
	}
}

// TestDateTimeWithLocalSet runs TestDateTimeUnderLocalZone's checks with
// time.Local set to several zones in this process, for platforms where
// TestDateTimeDoesNotDependOnTZ cannot start processes. No test of this
// package runs in parallel, so nothing else reads time.Local meanwhile.
func TestDateTimeWithLocalSet(t *testing.T) {
	if os.Getenv(tzChildEnv) != "" {
		t.Skip("in the child process")
	}
	orig := time.Local
	t.Cleanup(func() { time.Local = orig })
	for _, name := range []string{"Asia/Kolkata", "America/St_Johns", "UTC"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Logf("no zone data for %s: %v", name, err)
			continue
		}
		time.Local = loc
		t.Run(name, TestDateTimeUnderLocalZone)
	}
	time.Local = orig
}

// formatOffset writes an offset in seconds as RFC 3339 does: "Z" for 0.
func formatOffset(offset int) string {
	if offset == 0 {
		return "Z"
	}
	return time.Date(2025, 6, 15, 0, 0, 0, 0, time.FixedZone("", offset)).Format("-07:00")
}

// TestDateTimeUnderLocalZone checks, in whatever zone the process has, that
// decoded date-times never use time.Local, keep their offset through
// Marshal and Unmarshal, and come back == to the first decoding.
func TestDateTimeUnderLocalZone(t *testing.T) {
	want := os.Getenv(tzChildEnv)
	if want != "" {
		// Started by TestDateTimeDoesNotDependOnTZ: TZ must have taken effect.
		_, local := time.Date(2025, 6, 15, 12, 0, 0, 0, time.Local).Zone()
		if strconv.Itoa(local) != want {
			t.Fatalf("local offset is %d, want %s: TZ=%s did not take effect", local, want, os.Getenv("TZ"))
		}
	}
	_, local := time.Date(2025, 6, 15, 12, 0, 0, 0, time.Local).Zone()
	offsets := []string{formatOffset(local), "+05:30", "-02:30", "+01:00", "+14:00", "Z", "+00:00", "-00:00", "z"}
	for _, off := range offsets {
		value := "2025-06-15T12:34:56.789" + off
		t.Run(value, func(t *testing.T) {
			data := []byte(`{"ref_id":"r","status":"pending","started_at":"` + value + `"}`)
			var first AsyncTaskResponse
			if err := Unmarshal(data, &first); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if loc := first.StartedAt.Location(); loc == time.Local && loc != time.UTC {
				t.Errorf("decoded %s into time.Local", value)
			}
			_, gotOffset := first.StartedAt.Zone()
			wantOffset := 0
			if z := strings.ToUpper(off); z != "Z" && z != "+00:00" && z != "-00:00" {
				wantOffset = mustOffset(t, z)
			}
			if gotOffset != wantOffset {
				t.Errorf("offset of %s = %d, want %d", value, gotOffset, wantOffset)
			}
			if wantOffset == 0 && first.StartedAt.Location() != time.UTC {
				t.Errorf("zero offset of %s decoded in %v, want UTC", value, first.StartedAt.Location())
			}
			out, err := Marshal(first)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			wantText := `"started_at":"2025-06-15T12:34:56.789` + formatOffset(wantOffset) + `"`
			if !bytes.Contains(out, []byte(wantText)) {
				t.Errorf("Marshal wrote %s, want it to hold %s", out, wantText)
			}
			var again AsyncTaskResponse
			if err := Unmarshal(out, &again); err != nil {
				t.Fatalf("Unmarshal again: %v", err)
			}
			if again.StartedAt != first.StartedAt {
				t.Errorf("round trip is not ==: %#v, then %#v", first.StartedAt, again.StartedAt)
			}
		})
	}
}

func mustOffset(t *testing.T, z string) int {
	t.Helper()
	p, err := time.Parse("-07:00", z)
	if err != nil {
		t.Fatalf("offset %q: %v", z, err)
	}
	_, off := p.Zone()
	return off
}
