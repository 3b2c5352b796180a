package query

import (
	"strings"
	"testing"
)

var evalColumns = append([]string{"T", "F", "YES", "NSPID", "BLANK", "NUMTEXT", "NEG", "RATIO", "EMPTYNUM"}, testColumns...)

// netRow is one namespace row, typed as nsview's column table types it.
var netRow = map[string]any{
	"NS": uint64(4026532008), "TYPE": "net", "PATH": "/proc/42/ns/net",
	"NPROCS": 2, "PID": 42, "PPID": int64(1), "COMMAND": "  sleep 60 ",
	"UID": uint32(0), "USER": "root", "NETNSID": nil, "NSFS": "/run/netns/a\n/run/netns/b",
	"PNS": nil, "ONS": uint64(4026531837),
	"T": true, "F": false, "YES": "yes", "NSPID": []int{42, 1}, "BLANK": "",
	"NUMTEXT": "17", "NEG": -3, "RATIO": 0.25, "EMPTYNUM": nil,
	"A": true, "B": false, "C": false, "D": nil,
}

func TestMatch(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		// a value alone: not empty, not zero, not false
		{`NS`, true}, {`NETNSID`, false}, {`BLANK`, false}, {`T`, true}, {`F`, false},
		{`UID`, false}, {`NEG`, true}, {`RATIO`, true}, {`"x"`, true}, {`""`, false},
		{`0`, false}, {`0.0`, false}, {`true`, true}, {`!NETNSID`, true},
		// numbers compare as numbers
		{`NS == 4026532008`, true}, {`PID > 5`, true}, {`PID >= 42`, true}, {`PID < 42`, false},
		{`PID <= 42`, true}, {`PID != 42`, false}, {`PPID == 1`, true}, {`UID == 0`, true},
		{`NS > 4026531837`, true}, {`NS > ONS`, true}, {`PPID < PID`, true},
		{`NEG < 0`, true}, {`NEG < PID`, true}, {`PID > NEG`, true}, {`NEG == 3`, false},
		{`NPROCS > 1.5`, true}, {`NPROCS < 2.5`, true}, {`NPROCS == 2.0`, true}, {`RATIO < 0.5`, true},
		{`1K == 1024`, true}, {`NPROCS == 2`, true},
		// text compares byte-wise
		{`TYPE == "net"`, true}, {`TYPE == 'net'`, true}, {`TYPE != "net"`, false},
		{`TYPE < "pid"`, true}, {`TYPE > "mnt"`, true}, {`TYPE >= "net"`, true}, {`TYPE <= "ne"`, false},
		{`USER == "root"`, true},
		{`COMMAND == "sleep 60"`, true}, // cell text is trimmed as in libsmartcols
		{`TYPE == "  net "`, true},      // and so are literals
		// a literal's type wins over a column's
		{`NS == "4026532008"`, true}, {`PID == "042"`, false}, {`PID < "5"`, true}, // as text
		{`NUMTEXT > 5`, true}, {`NUMTEXT == 17`, true}, {`NUMTEXT < 2`, false}, // as numbers
		{`NUMTEXT == "17"`, true},
		// two columns: the left one's type
		{`NUMTEXT == PID`, false}, {`NUMTEXT < PID`, true},
		// booleans
		{`T == true`, true}, {`T == TRUE`, true}, {`T == 1`, true}, {`F == 0`, true}, {`F == false`, true},
		{`T != false`, true}, {`T > F`, true},
		{`T == "1"`, false}, {`T == "true"`, true}, // as text: "true"
		{`YES == true`, true}, {`TYPE == true`, false}, {`NUMTEXT == false`, true},
		// lists read as the table prints them
		{`NSPID == "42 1"`, true}, {`NSPID =~ "^42 "`, true},
		// regular expressions: POSIX ERE, anywhere in the text
		{`TYPE =~ "e"`, true}, {`TYPE =~ "^n.t$"`, true}, {`TYPE !~ "^n"`, false},
		{`TYPE =~ "^(net|pid)$"`, true}, {`TYPE =~ "[[:digit:]]"`, false}, {`TYPE =~ "NET"`, false},
		{`NS =~ "^4026"`, true}, {`PID =~ "^4"`, true},
		{`NSFS =~ "^/run/netns/b"`, false}, // ^ anchors at the start of the text only
		{`NSFS =~ "a.[/]run"`, true},       // . and [^x] match a newline
		{`NSFS =~ "a[^x]/run"`, true},
		{`NSFS =~ "b$"`, true}, {`NSFS =~ "a$"`, false},
		// empty cells: false as numbers, the NULL string as text
		{`PNS == 0`, false}, {`PNS != 0`, false}, {`PNS < 1`, false}, {`PNS > 1`, false}, {`PNS < 1.5`, false},
		{`PNS == true`, false}, {`PNS != true`, false},
		{`NETNSID == ""`, false}, {`NETNSID != ""`, true}, {`NETNSID < ""`, true}, {`NETNSID == "x"`, false},
		{`NETNSID =~ "^$"`, true}, {`NETNSID !~ "x"`, true}, {`NETNSID == PNS`, true},
		{`NETNSID < TYPE`, true}, {`TYPE > NETNSID`, true}, {`PID > PNS`, false},
		{`BLANK == ""`, true}, {`BLANK < "a"`, true},
		// where libsmartcols compares an empty cell as its type's zero
		{`EMPTYNUM !~ "0"`, true}, {`EMPTYNUM < 1.5`, false}, {`PNS == false`, false},
		{`1000.0 == "1000"`, true}, {`RATIO == "0.25"`, true}, // floats as text: C's %g
		// libsmartcols's precedence
		{`A || B && C`, false}, // (A || B) && C
		{`A || (B && C)`, true},
		{`C && B || A`, true}, // (C && B) || A
		{`!A || A`, true}, {`!(A || A)`, false},
		{`!TYPE == "x"`, true}, // (!TYPE) == "x": false == false, "x" read as a boolean
		{`(PID > 1) == (NPROCS > 1)`, true}, {`(PID > 1) == false`, false}, {`(PID > 1) > F`, true},
		{`(PID > 1) =~ "^true$"`, true},
		{`PID == 42 == true`, true}, // (PID == 42) == true
		{`not not T and T or F`, true},
		{`1 == 1`, true}, {`1 < 2.5`, true}, {`"abc" < "abd"`, true}, {`1.5 == "1.5"`, true},
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr, evalColumns)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		got, err := f.Match(lookup(netRow))
		if err != nil || got != tt.want {
			t.Errorf("%s: Match = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
}

func TestMatchErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`TYPE > 1`, `cannot evaluate TYPE > 1: column TYPE: "net" is not a whole non-negative number`},
		{`TYPE == 1.5`, `column TYPE: "net" is not a number`},
		{`5 == "abc"`, `cannot evaluate 5 == "abc": "abc" is not a whole non-negative number`},
		{`NEG == "-3" && PID == TYPE`, `cannot evaluate PID == TYPE: column TYPE: "net" is not a whole`},
	}
	for _, tt := range tests {
		f := mustParseCols(t, tt.expr, evalColumns)
		_, err := f.Match(lookup(netRow))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.expr, err, tt.want)
		}
	}
}

// TestMatchReadsOnlyWhatItNeeds: && and || stop early, as libsmartcols's
// evaluation does, so a scan can skip the costly columns.
func TestMatchReadsOnlyWhatItNeeds(t *testing.T) {
	f := mustParseCols(t, `B && COMMAND == "x" || A || USER`, evalColumns)
	var read []string
	ok, err := f.Match(func(c string) any {
		read = append(read, c)
		return netRow[c]
	})
	if err != nil || !ok {
		t.Fatalf("Match = %v, %v", ok, err)
	}
	if got := strings.Join(read, ","); got != "B,A" {
		t.Errorf("read %s, want B,A", got)
	}
}

func TestMatchValueTypes(t *testing.T) {
	for _, v := range []any{int8(7), int16(7), int32(7), int64(7), uint(7), uint8(7), uint16(7), uint32(7), uint64(7), 7, float32(7), 7.0} {
		f := mustParseCols(t, `A == 7 && A > 6.5 && A == "7" && A`, []string{"A"})
		ok, err := f.Match(func(string) any { return v })
		if err != nil || !ok {
			t.Errorf("%T: Match = %v, %v", v, ok, err)
		}
	}
	type other struct{ n int }
	f := mustParseCols(t, `A == "{3}"`, []string{"A"})
	if ok, err := f.Match(func(string) any { return other{3} }); err != nil || !ok {
		t.Errorf("a struct value: Match = %v, %v, want it read as its fmt.Sprint text", ok, err)
	}
}

func lookup(row map[string]any) func(string) any {
	return func(c string) any { return row[c] }
}

func mustParseCols(t *testing.T, expr string, cols []string) *Filter {
	t.Helper()
	f, err := Parse(expr, cols)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return f
}
