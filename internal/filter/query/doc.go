// Package query parses and evaluates lsns's -Q/--filter expressions, the
// filter language of util-linux libsmartcols (scols-filter(5), lsns 2.41+),
// against the cells of one row.
//
// # Syntax
//
// It follows libsmartcols's scanner (filter-scanner.l) and grammar
// (filter-parser.y):
//
//	expr    = expr ("&&" | "and" | "AND" | "||" | "or" | "OR") expr
//	        | expr cmp expr | ("!" | "not" | "NOT") expr | "(" expr ")" | param
//	cmp     = "==" | "eq" | "EQ" | "!=" | "ne" | "NE" | "<" | "lt" | "LT"
//	        | "<=" | "le" | "LE" | ">" | "gt" | "GT" | ">=" | "ge" | "GE"
//	        | "=~" | "!~"
//	param   = column | integer | float | string | "true" | "TRUE" | "false" | "FALSE"
//	column  = [a-zA-Z][a-zA-Z0-9_.%:/-]*   (case-insensitive)
//	integer = [0-9]+ | [0-9]+[KMGTPEZY] | [0-9]+[KMGTPEZY]iB   (K = 1024, ...)
//	float   = [0-9]+ "." [0-9]+
//	string  = '"' [^"\n]* '"' | "'" [^'\n]* "'"     (no escapes)
//
// Blanks, tabs and newlines separate tokens. Keywords are recognised only
// in all-lower or all-upper case; "And" is a column name. A single "=" is
// not an operator. Numbers are never negative.
//
// Precedence is libsmartcols's, which is not C's: "&&" and "||" bind
// equally and associate to the left, so `A || B && C` means
// `(A || B) && C`; comparisons and "!" bind tighter and also equally, so
// `!A == B` means `(!A) == B` and `A == B == C` means `(A == B) == C`.
// Write `A || (B && C)` for C's grouping. [Filter.String] prints the
// parsed form with only the parentheses this grammar needs.
//
// # Evaluation
//
// A value alone (a column, a literal) is true when it is not empty: a
// non-empty string, a non-zero number, true. An empty cell is false, so
// `NETNSID` keeps the rows that have a NETNSID.
//
// A comparison first picks one type for both sides, as libsmartcols's
// guess_expr_datatype does: the type both sides share; else the literal's
// type when one side is a column and the other a literal (so `NS == "1"`
// compares text and `PID > 5` compares numbers); else the left side's type;
// an integer against a float compares as floats. A comparison or a
// negation used as an operand is a boolean. Both sides are then converted:
//
//   - to text: numbers in decimal, floats as C's %g, booleans as "true"/"false";
//   - to an integer: text must be a whole non-negative decimal number,
//     otherwise Match returns an error (lsns: "failed to apply filter");
//   - to a float: text must parse as a float, otherwise an error;
//   - to a boolean: text is true if it is "1", "true" in any case, or starts
//     with "y" or "Y" (rpmatch in the C locale); numbers are true above 0.
//
// Text compares byte-wise (strcmp). "=~" and "!~" match the left side's
// text against the right side, which must be a string literal: a POSIX
// extended regular expression searched anywhere in the text. String
// literals and column text lose leading and trailing blanks before use, as
// in libsmartcols.
//
// An empty cell (nil) is false in every numeric and boolean comparison,
// "!=" included. Compared as text it is libsmartcols's NULL string: equal
// only to another empty cell, less than every string including "", and ""
// for "=~" and "!~".
//
// Column values are Go values as nsview's column tables produce them:
// signed and unsigned integers are integers, float32/float64 floats, bool
// booleans, string text, []int the text of its numbers separated by
// spaces (as the table prints it), and anything else the text fmt.Sprint
// gives.
//
// # Deliberate differences from libsmartcols
//
// These were checked against libsmartcols from util-linux's development
// tree (sample-scols-fromfile -Q); everything else above agreed.
//
//   - An empty expression is a syntax error; libsmartcols keeps every row.
//   - A character the grammar does not know (a lone "=", "-", ".", a lone
//     double quote, "\r") is a syntax error; libsmartcols's scanner prints
//     it to standard output and parses the rest without it, so there
//     `NUM == -1` means `NUM == 1`.
//   - An unterminated string is a syntax error; libsmartcols drops the
//     lone '"' and reads the rest as columns.
//   - An integer above 2^64-1 is a syntax error, not 2^64-1.
//   - The right side of "=~" and "!~" must be a string literal (the manual
//     says so; libsmartcols rejects or misreads other operands). The left
//     side is always matched as text, so `(A == 1) =~ "true"` works where
//     libsmartcols fails with an error.
//   - An empty cell stays empty whatever type the comparison converts it
//     to. libsmartcols loses the emptiness when it converts a cell away
//     from its column's type and compares the type's zero instead, so
//     there an empty integer cell is "0" as text (`NUM !~ "0"` false), 0.0
//     as a float (`NUM < 1.5` true), and an empty boolean cell is 0
//     (`BOOL == 0` true); here the first is the NULL string and the others
//     are false.
//   - Two empty cells compare as NULL strings, equal. libsmartcols knows
//     each column's type, and says false for two empty numbers.
//   - Floats are float64, not long double, and an integer column compared
//     with a float is converted to float64 (exact below 2^53).
//   - Regular expressions are Go's RE2 engine given POSIX syntax
//     (regexp/syntax without Perl extensions), with "." and "[^x]" matching
//     a newline and "^"/"$" anchoring only at the ends of the text, as
//     regcomp(REG_EXTENDED) without REG_NEWLINE does. Go rejects what glibc
//     accepts as extensions (back-references \1, \< \> \b \w), lacks
//     collating elements [[.x.]] and equivalence classes [[=x=]], treats
//     "\" inside brackets as an escape where POSIX takes it literally, and
//     accepts a few escapes glibc rejects ("\{"). Matching is by UTF-8 code
//     points. RE2 runs in linear time, so the limits util-linux 2.43 adds
//     to protect glibc (no "a**" or "(a+)+", counts up to 1024, patterns up
//     to 256 bytes) are not needed and not imposed.
//   - Parentheses and negations nest at most 1000 deep.
//   - Syntax errors name a 1-based character position.
package query
