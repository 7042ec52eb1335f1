package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// jsonName returns the key of a struct field from its json tag.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// parseInteger converts an integer-valued JSON number, written in any form
// JSON allows (2, 2.0, 1e2, 200e-2, -0, 0e999999), to an int64. It works on
// the decimal digits, so no exponent, however large, costs more than the
// length of the number.
func parseInteger(n json.Number) (int64, error) {
	s := string(n)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(intPart+fracPart, "0")
	if digits == "" {
		return 0, nil // zero, whatever the exponent
	}
	// The value is digits × 10^exp.
	exp := -len(fracPart)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil { // beyond int: the number is huge or tiny
			if strings.HasPrefix(expText, "-") {
				return 0, fmt.Errorf("number %s is not an integer", n)
			}
			return 0, fmt.Errorf("integer %s does not fit an int64", n)
		}
		exp += e
	}
	if exp < 0 {
		return 0, fmt.Errorf("number %s is not an integer", n)
	}
	if len(digits)+exp > 19 {
		return 0, fmt.Errorf("integer %s does not fit an int64", n)
	}
	text := digits + strings.Repeat("0", exp)
	if neg {
		text = "-" + text
	}
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("integer %s does not fit an int64", n)
	}
	return i, nil
}

func pathOrRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}
