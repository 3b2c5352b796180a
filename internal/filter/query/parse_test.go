package query

import (
	"errors"
	"strings"
	"testing"
)

// lsnsColumns are lsns's column names, as nsview's namespace view has them.
var lsnsColumns = []string{"NS", "TYPE", "PATH", "NPROCS", "PID", "PPID", "COMMAND",
	"UID", "USER", "NETNSID", "NSFS", "PNS", "ONS"}

// testColumns adds single-letter columns for precedence tests.
var testColumns = append([]string{"A", "B", "C", "D"}, lsnsColumns...)

func TestParseCanonical(t *testing.T) {
	tests := []struct{ expr, want string }{
		// precedence and associativity, libsmartcols's
		{`A || B && C`, `A || B && C`}, // (A || B) && C: printed left-nested without parentheses
		{`A || (B && C)`, `A || (B && C)`},
		{`A && B || C`, `A && B || C`},
		{`A && (B || C)`, `A && (B || C)`},
		{`(A || B) && C`, `A || B && C`},
		{`A == 1 && B == 2 || C == 3`, `A == 1 && B == 2 || C == 3`},
		{`A == B == C`, `A == B == C`},
		{`A == (B == C)`, `A == (B == C)`},
		{`!A == 1`, `!A == 1`}, // (!A) == 1
		{`!(A == 1)`, `!(A == 1)`},
		{`!A && B`, `!A && B`},
		{`!(A && B)`, `!(A && B)`},
		{`A == !B`, `A == !B`},
		{`!!A`, `!!A`},
		{`not not A`, `!!A`},
		{`((A))`, `A`},
		// both spellings of every operator
		{`A and B`, `A && B`}, {`A AND B`, `A && B`}, {`A&&B`, `A && B`},
		{`A or B`, `A || B`}, {`A OR B`, `A || B`}, {`A||B`, `A || B`},
		{`not A`, `!A`}, {`NOT A`, `!A`}, {`!A`, `!A`},
		{`A eq 1`, `A == 1`}, {`A EQ 1`, `A == 1`}, {`A==1`, `A == 1`},
		{`A ne 1`, `A != 1`}, {`A NE 1`, `A != 1`}, {`A!=1`, `A != 1`},
		{`A lt 1`, `A < 1`}, {`A LT 1`, `A < 1`}, {`A<1`, `A < 1`},
		{`A le 1`, `A <= 1`}, {`A LE 1`, `A <= 1`}, {`A<=1`, `A <= 1`},
		{`A gt 1`, `A > 1`}, {`A GT 1`, `A > 1`}, {`A>1`, `A > 1`},
		{`A ge 1`, `A >= 1`}, {`A GE 1`, `A >= 1`}, {`A>=1`, `A >= 1`},
		{`A=~"x"`, `A =~ "x"`}, {`A!~"x"`, `A !~ "x"`},
		{`A =~ ("x")`, `A =~ "x"`},
		// whitespace: blanks, tabs, newlines, or none
		{" \tA\n==\n1 ", `A == 1`},
		{`(A==1)&&(B!=2)`, `A == 1 && B != 2`},
		// values
		{`A == 'it"s'`, `A == 'it"s'`},
		{`A == "it's"`, `A == "it's"`},
		{`A == "  padded "`, `A == "padded"`}, // libsmartcols trims literals
		{`A == ""`, `A == ""`},
		{`A == 1K`, `A == 1024`}, {`A == 2KiB`, `A == 2048`}, {`A == 1M`, `A == 1048576`},
		{`A == 15E`, `A == 17293822569102704640`},
		{`A == 18446744073709551615`, `A == 18446744073709551615`},
		{`A == 007`, `A == 7`},
		{`A == 1.5`, `A == 1.5`}, {`A == 2.0`, `A == 2.0`}, {`A == 0.000`, `A == 0.0`},
		{`A == true`, `A == true`}, {`A == TRUE`, `A == true`}, {`A == FALSE`, `A == false`},
		{`true`, `true`}, {`42`, `42`}, {`"x"`, `"x"`},
		// column names: any case, spelled back as the column list spells them
		{`ns == 1`, `NS == 1`}, {`nProcs > 1`, `NPROCS > 1`},
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr, testColumns)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		if got := f.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// TestParseTree checks the grouping itself, not only its printed form.
func TestParseTree(t *testing.T) {
	f := mustParse(t, `A || B && C`)
	and, ok := f.root.(*binary)
	if !ok || and.op != opAnd {
		t.Fatalf("root of A || B && C is %#v, want &&", f.root)
	}
	if or, ok := and.l.(*binary); !ok || or.op != opOr {
		t.Errorf("left of && is %#v, want ||", and.l)
	}
	f = mustParse(t, `!A == 1`)
	eq, ok := f.root.(*binary)
	if !ok || eq.op != opEQ {
		t.Fatalf("root of !A == 1 is %#v, want ==", f.root)
	}
	if _, ok := eq.l.(*not); !ok {
		t.Errorf("left of == is %#v, want !", eq.l)
	}
}

func TestColumns(t *testing.T) {
	f := mustParse(t, `pid > 1 && (type == "net" || PID < 5) && !command`)
	got := strings.Join(f.Columns(), ",")
	if got != "PID,TYPE,COMMAND" {
		t.Errorf("Columns() = %s, want PID,TYPE,COMMAND", got)
	}
	f.Columns()[0] = "changed"
	if f.Columns()[0] != "PID" {
		t.Error("Columns() shares its slice with the filter")
	}
	if c := mustParse(t, `1 == 1`).Columns(); len(c) != 0 {
		t.Errorf("Columns() of a constant = %v, want none", c)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr string
		pos  int
		msg  string // a part of the message
	}{
		{``, 1, "empty expression"},
		{"  \t", 1, "empty expression"},
		{`(NS == 1`, 9, `expected ")" to close the "(" at position 1, found the end`},
		{`((NS == 1)`, 11, `to close the "(" at position 1`},
		{`NS == 1)`, 8, `")" without a matching "("`},
		{`()`, 2, `expected a column, number, string, true or false after "(", found ")"`},
		{`TYPE == "net`, 9, `unterminated string`},
		{`TYPE == 'net`, 9, `unterminated string`},
		{"TYPE == \"n\net\"", 9, `unterminated string`},
		{`NS == 1 2`, 9, `expected an operator or the end of the expression after "1", found "2"`},
		{`NS == 1 TYPE`, 9, `found "TYPE"`},
		{`NS ==`, 6, `expected a column, number, string, true or false after "==", found the end of the expression`},
		{`== 1`, 1, `expected a column, number, string, true or false, found "=="`},
		{`NS == 1 &&`, 11, `after "&&", found the end`},
		{`NS = 1`, 4, `unexpected character '=' (did you mean "=="?)`},
		{`NS ** 1`, 4, `unexpected character '*'`},
		{`NS == -1`, 7, `unexpected character '-'`},
		{`NS == 100 . 5`, 11, `unexpected character '.'`},
		{`NS == 1y0`, 8, `found "y0"`},
		{`NS == 18446744073709551616`, 7, `too large`},
		{`NS == 16E`, 7, `too large`},
		{`NS == 1Y`, 7, `too large`},
		{`FOO == 1`, 1, `unknown column "FOO" (valid: A, B, C, D, NS, TYPE,`},
		{`NS == 1 && Not A`, 12, `unknown column "Not"`},
		{`TYPE =~ "net("`, 9, `bad regular expression "net(": missing closing ): "net("`},
		{`TYPE =~ "\1"`, 9, `bad regular expression "\\1": invalid escape sequence`},
		{`TYPE =~ "\d"`, 9, `bad regular expression "\\d": invalid escape sequence`},
		{`TYPE =~ NS`, 9, `the right side of "=~" must be a string (a regular expression), found "NS"`},
		{`TYPE !~ 1`, 9, `the right side of "!~" must be a string`},
		{`TYPE =~ !"x"`, 9, `the right side of "=~" must be a string`},
		{"NS == \r1", 7, `unexpected character '\r'`},
		{`éé == 1`, 1, `unexpected character 'é'`},
		{`"é" == 1 1`, 10, `found "1"`}, // positions count characters, not bytes
		{strings.Repeat("(", maxDepth+1) + "A" + strings.Repeat(")", maxDepth+1), maxDepth + 1, "nested more than"},
		{strings.Repeat("!", maxDepth+1) + "A", maxDepth + 1, "nested more than"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr, testColumns)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tt.expr, err)
			continue
		}
		if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%q): %v\nwant position %d and %q", tt.expr, err, tt.pos, tt.msg)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error %q is more than one line", tt.expr, err)
		}
	}
}

func TestSyntaxErrorText(t *testing.T) {
	_, err := Parse(`NS == `, lsnsColumns)
	want := `syntax error at position 7: expected a column, number, string, true or false after "==", found the end of the expression`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

// TestKeywordColumn: a column spelled like a keyword is reached in another
// case, and printed in a case that parses back to it.
func TestKeywordColumn(t *testing.T) {
	cols := []string{"NOT", "AND"}
	f, err := Parse(`Not && And`, cols)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.String(); got != `Not && And` {
		t.Errorf("String() = %q", got)
	}
	g, err := Parse(f.String(), cols)
	if err != nil || g.String() != f.String() {
		t.Errorf("round trip of %q: %v, %v", f, g, err)
	}
}

func mustParse(t *testing.T, expr string) *Filter {
	t.Helper()
	f, err := Parse(expr, testColumns)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return f
}
