package query

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind says what a token is.
type kind int

const (
	tokEnd kind = iota
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokNot
	tokCmp // a comparison; token.op says which
	tokInt
	tokFloat
	tokString
	tokBool
	tokIdent
)

// token is one lexeme of an expression.
type token struct {
	kind kind
	pos  int    // byte offset in the expression
	text string // as written
	op   op     // for tokCmp
	u    uint64 // for tokInt
	f    float64
	b    bool
	s    string // for tokString, without the quotes
}

// describe names t for an error message.
func (t token) describe() string {
	if t.kind == tokEnd {
		return "the end of the expression"
	}
	return strconv.Quote(t.text)
}

// symbols are the operator spellings, longest first where one is a
// prefix of another.
var symbols = []struct {
	text string
	kind kind
	op   op
}{
	{"&&", tokAnd, 0}, {"||", tokOr, 0},
	{"==", tokCmp, opEQ}, {"!=", tokCmp, opNE}, {"=~", tokCmp, opREG}, {"!~", tokCmp, opNREG},
	{"<=", tokCmp, opLE}, {">=", tokCmp, opGE}, {"<", tokCmp, opLT}, {">", tokCmp, opGT},
	{"!", tokNot, 0}, {"(", tokLParen, 0}, {")", tokRParen, 0},
}

// keywords are the word operators and literals. libsmartcols knows them in
// all-lower and all-upper case only.
var keywords = map[string]token{
	"and": {kind: tokAnd}, "or": {kind: tokOr}, "not": {kind: tokNot},
	"eq": {kind: tokCmp, op: opEQ}, "ne": {kind: tokCmp, op: opNE},
	"lt": {kind: tokCmp, op: opLT}, "le": {kind: tokCmp, op: opLE},
	"gt": {kind: tokCmp, op: opGT}, "ge": {kind: tokCmp, op: opGE},
	"true": {kind: tokBool, b: true}, "false": {kind: tokBool, b: false},
}

// keyword returns the keyword token spelled word, if it is one.
func keyword(word string) (token, bool) {
	lower := strings.ToLower(word)
	if word != lower && word != strings.ToUpper(word) {
		return token{}, false
	}
	t, ok := keywords[lower]
	return t, ok
}

// lexer splits an expression into tokens.
type lexer struct {
	src string
	off int // byte offset of the next unread byte
}

// next returns the next token, or a *SyntaxError.
func (l *lexer) next() (token, error) {
	for l.off < len(l.src) && isBlank(l.src[l.off]) {
		l.off++
	}
	start := l.off
	if start == len(l.src) {
		return token{kind: tokEnd, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '"' || c == '\'':
		return l.quoted(c)
	case isDigit(c):
		return l.number()
	case isLetter(c):
		return l.word(), nil
	}
	for _, s := range symbols {
		if strings.HasPrefix(l.src[start:], s.text) {
			l.off += len(s.text)
			return token{kind: s.kind, op: s.op, pos: start, text: s.text}, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	msg := fmt.Sprintf("unexpected character %q", r)
	if c == '=' {
		msg += ` (did you mean "=="?)`
	}
	return token{}, l.errAt(start, msg)
}

func (l *lexer) quoted(quote byte) (token, error) {
	start := l.off
	end := strings.IndexAny(l.src[start+1:], string(quote)+"\n")
	if end < 0 || l.src[start+1+end] == '\n' {
		return token{}, l.errAt(start, "unterminated string: no closing "+string(quote)+" on the same line")
	}
	l.off = start + 1 + end + 1
	body := l.src[start+1 : start+1+end]
	return token{kind: tokString, pos: start, text: l.src[start:l.off], s: trimBlanks(body)}, nil
}

// number reads an integer with an optional size suffix, or a float.
func (l *lexer) number() (token, error) {
	start := l.off
	l.skipDigits()
	if l.off+1 < len(l.src) && l.src[l.off] == '.' && isDigit(l.src[l.off+1]) {
		l.off++
		l.skipDigits()
		text := l.src[start:l.off]
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, l.errAt(start, fmt.Sprintf("float %s is out of range", text))
		}
		return token{kind: tokFloat, pos: start, text: text, f: f}, nil
	}
	digits := l.src[start:l.off]
	shift := l.sizeSuffix()
	text := l.src[start:l.off]
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || bits.LeadingZeros64(u) < shift {
		return token{}, l.errAt(start, fmt.Sprintf("number %s is too large (the largest is %d)", text, uint64(math.MaxUint64)))
	}
	return token{kind: tokInt, pos: start, text: text, u: u << shift}, nil
}

// sizeSuffix consumes K, M, G, ... (optionally followed by iB) and returns
// the power of two it multiplies by.
func (l *lexer) sizeSuffix() int {
	if l.off >= len(l.src) {
		return 0
	}
	i := strings.IndexByte("KMGTPEZY", l.src[l.off])
	if i < 0 {
		return 0
	}
	l.off++
	if strings.HasPrefix(l.src[l.off:], "iB") {
		l.off += 2
	}
	return 10 * (i + 1)
}

func (l *lexer) skipDigits() {
	for l.off < len(l.src) && isDigit(l.src[l.off]) {
		l.off++
	}
}

// word reads an identifier, which may be a keyword.
func (l *lexer) word() token {
	start := l.off
	for l.off < len(l.src) && isIdentByte(l.src[l.off]) {
		l.off++
	}
	text := l.src[start:l.off]
	if t, ok := keyword(text); ok {
		t.pos, t.text = start, text
		return t
	}
	return token{kind: tokIdent, pos: start, text: text}
}

// runePos is the position, counted in runes from 1, of the byte offset off.
func (l *lexer) runePos(off int) int { return utf8.RuneCountInString(l.src[:off]) + 1 }

func (l *lexer) errAt(off int, msg string) *SyntaxError {
	return &SyntaxError{Pos: l.runePos(off), Msg: msg}
}

func isBlank(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isIdentByte(c byte) bool {
	return isLetter(c) || isDigit(c) || strings.IndexByte("_.%:/-", c) >= 0
}

// trimBlanks drops what C's isspace calls space from both ends, as
// libsmartcols does to string literals and cell text.
func trimBlanks(s string) string { return strings.Trim(s, " \t\n\v\f\r") }
