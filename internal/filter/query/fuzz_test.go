package query

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	`TYPE == "net" && NPROCS > 1`, `A || B && C`, `!A == 1`, `not (PID le 10 or PID ge 1K)`,
	`COMMAND =~ "^(sleep|bash)( |$)"`, `NS != 'x"y'`, `1.5 < NPROCS`, `(((A)))`, `TRUE == false`,
	`NS = 1`, `(A`, `A)`, `"unterminated`, ``, `A == 1 2`, `A =~ "("`, `!!!A`, `a eq "x" AND b NE 2`,
	`NSFS =~ "a.b" || NSFS !~ "[[:space:]]"`, `18446744073709551615 > 16E`, `Not == "and"`,
}

// FuzzParse: Parse never panics; it returns a filter or a *SyntaxError
// whose position lies within the input (or one past its end).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Parse(expr, testColumns)
		if err == nil {
			if flt == nil {
				t.Fatalf("Parse(%q) returned neither a filter nor an error", expr)
			}
			return
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q): %v is not a *SyntaxError", expr, err)
		}
		if se.Pos < 1 || se.Pos > utf8.RuneCountInString(expr)+1 {
			t.Fatalf("Parse(%q): position %d outside 1..%d", expr, se.Pos, utf8.RuneCountInString(expr)+1)
		}
		if strings.Contains(se.Msg, "\n") {
			t.Fatalf("Parse(%q): message %q spans lines", expr, se.Msg)
		}
	})
}

// FuzzRoundTrip: a filter's canonical form parses back to a filter with
// the same canonical form and the same columns, and that form is a fixed
// point.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Parse(expr, testColumns)
		if err != nil {
			return
		}
		canon := flt.String()
		again, err := Parse(canon, testColumns)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", expr, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("Parse(%q) = %q, which parses to %q", expr, canon, again.String())
		}
		if a, b := strings.Join(flt.Columns(), ","), strings.Join(again.Columns(), ","); a != b {
			t.Fatalf("columns of %q: %s; of %q: %s", expr, a, canon, b)
		}
	})
}

// FuzzMatch: evaluation never panics, gives the same answer twice, and
// negating the expression negates the answer (or fails the same way).
// The fuzzer picks the row's values: a string, integers of both signs, a
// float, a bool, a list and an empty cell, assigned to columns A-D and NS.
func FuzzMatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "net", uint64(4026531840), int64(-1), 0.5, true, uint8(0))
	}
	f.Fuzz(func(t *testing.T, expr, s string, u uint64, i int64, fl float64, b bool, shuffle uint8) {
		flt, err := Parse(expr, testColumns)
		if err != nil {
			return
		}
		values := []any{s, u, i, fl, b, []int{int(i), int(u % 1000)}, nil, int(shuffle)}
		row := func(c string) any {
			k := (int(shuffle) + len(c) + int(c[0])) % len(values)
			return values[k]
		}
		first, err1 := flt.Match(row)
		second, err2 := flt.Match(row)
		if first != second || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q: Match gave %v, %v then %v, %v", expr, first, err1, second, err2)
		}
		neg, err := Parse("!("+flt.String()+")", testColumns)
		if err != nil {
			if errors.As(err, new(*SyntaxError)) && strings.Contains(err.Error(), "nested more than") {
				return
			}
			t.Fatalf("negating %q: %v", flt, err)
		}
		n, errN := neg.Match(row)
		if (err1 == nil) != (errN == nil) || err1 == nil && n == first {
			t.Fatalf("%q: Match = %v, %v; its negation: %v, %v", expr, first, err1, n, errN)
		}
	})
}

// FuzzRegexp: a POSIX pattern means the same here as in Go's own POSIX
// mode on text without newlines, where the two agree by definition (Go's
// POSIX mode anchors at every line; compilePOSIX only at the ends).
func FuzzRegexp(f *testing.F) {
	for _, p := range []string{`^a.b$`, `[^a]x`, `(a|b)*c{2,}`, `[[:alpha:]]+$`, `a\.b|^c`, `0A|0a`, `a**`, `[]a]`} {
		f.Add(p, "xaab")
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		text = strings.ReplaceAll(text, "\n", "")
		re, err := compilePOSIX(pattern)
		ref, refErr := regexp.CompilePOSIX(pattern)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("%q: compilePOSIX error %v, CompilePOSIX error %v", pattern, err, refErr)
		}
		if err == nil && re.MatchString(text) != ref.MatchString(text) {
			t.Fatalf("%q on %q: compilePOSIX says %v, CompilePOSIX %v", pattern, text, re.MatchString(text), ref.MatchString(text))
		}
	})
}
