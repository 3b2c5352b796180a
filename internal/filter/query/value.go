package query

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// valueKind is the type of an operand, as libsmartcols's SCOLS_DATA_*.
type valueKind int

const (
	kindNone   valueKind = iota // an empty cell: no type of its own
	kindString                  // text
	kindInt                     // an integer
	kindFloat                   // a float64
	kindBool                    // a boolean
)

// integer is a whole number of any sign: column values may be negative
// even though literals are not.
type integer struct {
	neg bool
	mag uint64
}

// value is one operand of a comparison.
type value struct {
	kind valueKind
	s    string
	n    integer
	f    float64
	b    bool
}

func intValue(neg bool, mag uint64) value {
	return value{kind: kindInt, n: integer{neg: neg && mag != 0, mag: mag}}
}

// cellValue converts a column value handed to Match.
func cellValue(v any) value {
	switch v := v.(type) {
	case nil:
		return value{}
	case string:
		return value{kind: kindString, s: trimBlanks(v)}
	case bool:
		return value{kind: kindBool, b: v}
	case float64:
		return value{kind: kindFloat, f: v}
	case float32:
		return value{kind: kindFloat, f: float64(v)}
	case []int:
		return value{kind: kindString, s: joinInts(v)}
	}
	if n, ok := integerOf(v); ok {
		return value{kind: kindInt, n: n}
	}
	return value{kind: kindString, s: trimBlanks(fmt.Sprint(v))}
}

// integerOf converts any Go integer type.
func integerOf(v any) (integer, bool) {
	switch v := v.(type) {
	case int:
		return signed(int64(v)), true
	case int8:
		return signed(int64(v)), true
	case int16:
		return signed(int64(v)), true
	case int32:
		return signed(int64(v)), true
	case int64:
		return signed(v), true
	case uint:
		return integer{mag: uint64(v)}, true
	case uint8:
		return integer{mag: uint64(v)}, true
	case uint16:
		return integer{mag: uint64(v)}, true
	case uint32:
		return integer{mag: uint64(v)}, true
	case uint64:
		return integer{mag: v}, true
	}
	return integer{}, false
}

func signed(i int64) integer {
	if i < 0 {
		return integer{neg: true, mag: uint64(-(i + 1)) + 1}
	}
	return integer{mag: uint64(i)}
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " ")
}

// truth is the value's meaning alone: not empty, not zero, not false.
func (v value) truth() bool {
	switch v.kind {
	case kindString:
		return v.s != ""
	case kindInt:
		return v.n.mag != 0
	case kindFloat:
		return v.f != 0
	case kindBool:
		return v.b
	}
	return false
}

// text is the value as a string, as libsmartcols casts it.
func (v value) text() string {
	switch v.kind {
	case kindInt:
		s := strconv.FormatUint(v.n.mag, 10)
		if v.n.neg {
			return "-" + s
		}
		return s
	case kindFloat:
		return strconv.FormatFloat(v.f, 'g', 6, 64) // C's %g
	case kindBool:
		return strconv.FormatBool(v.b)
	}
	return v.s
}

// errNotNumber says text could not be read as the number a comparison
// needs.
type errNotNumber struct{ text, want string }

func (e errNotNumber) Error() string { return fmt.Sprintf("%q is not %s", e.text, e.want) }

// toInt converts v for an integer comparison (libsmartcols's cast to U64).
func (v value) toInt() (integer, error) {
	switch v.kind {
	case kindString:
		u, err := strconv.ParseUint(strings.TrimPrefix(v.s, "+"), 10, 64)
		if err != nil {
			return integer{}, errNotNumber{v.s, "a whole non-negative number"}
		}
		return integer{mag: u}, nil
	case kindFloat:
		return integer{mag: floatToUint(v.f)}, nil
	case kindBool:
		return integer{mag: boolToUint(v.b)}, nil
	}
	return v.n, nil
}

// toFloat converts v for a float comparison.
func (v value) toFloat() (float64, error) {
	switch v.kind {
	case kindString:
		f, err := strconv.ParseFloat(strings.TrimPrefix(v.s, "+"), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range saturates, as strtold does
			return 0, errNotNumber{v.s, "a number"}
		}
		return f, nil
	case kindInt:
		f := float64(v.n.mag)
		if v.n.neg {
			f = -f
		}
		return f, nil
	case kindBool:
		return float64(boolToUint(v.b)), nil
	}
	return v.f, nil
}

// toBool converts v for a boolean comparison: text is true if it is "1",
// "true" in any case, or starts with y or Y, as rpmatch says yes.
func (v value) toBool() bool {
	switch v.kind {
	case kindString:
		s := v.s
		return s == "1" || strings.EqualFold(s, "true") || s != "" && (s[0] == 'y' || s[0] == 'Y')
	case kindInt:
		return !v.n.neg && v.n.mag > 0
	case kindFloat:
		return v.f > 0
	}
	return v.b
}

func floatToUint(f float64) uint64 {
	switch {
	case !(f > 0): // negative or NaN
		return 0
	case f >= math.MaxUint64:
		return math.MaxUint64
	}
	return uint64(f)
}

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// compareInts returns -1, 0 or 1 as a is less than, equal to or greater
// than b.
func compareInts(a, b integer) int {
	switch {
	case a.neg != b.neg:
		if a.neg {
			return -1
		}
		return 1
	case a.mag == b.mag:
		return 0
	case (a.mag < b.mag) != a.neg:
		return -1
	}
	return 1
}
