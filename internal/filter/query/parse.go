package query

import (
	"fmt"
	"strings"
)

// SyntaxError is an expression Parse rejects, and where.
type SyntaxError struct {
	Pos int    // 1-based character (rune) position; one past the end for a missing ending
	Msg string // what is wrong there
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at position %d: %s", e.Pos, e.Msg)
}

// Filter is a parsed expression. It is immutable and safe for concurrent
// use.
type Filter struct {
	root    node
	columns []string
}

// maxDepth bounds how deeply parentheses and negations nest, so that no
// expression exhausts the stack.
const maxDepth = 1000

// Parse parses expr and checks its column names, case-insensitively,
// against columns. A filter names each column as columns spells it.
// Errors are *SyntaxError.
func Parse(expr string, columns []string) (*Filter, error) {
	p := &parser{lex: lexer{src: expr}, known: columns}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEnd {
		return nil, &SyntaxError{Pos: 1, Msg: "empty expression"}
	}
	root, err := p.logical()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokRParen {
		return nil, p.errHere(`")" without a matching "("`)
	}
	if p.tok.kind != tokEnd {
		return nil, p.errHere(fmt.Sprintf("expected an operator or the end of the expression after %s, found %s", p.prev.describe(), p.tok.describe()))
	}
	return &Filter{root: root, columns: p.used}, nil
}

// Columns returns the columns the expression reads, each once, in the
// order they first appear, spelled as in the list given to Parse.
func (f *Filter) Columns() []string { return append([]string(nil), f.columns...) }

// String returns the expression in canonical form: symbolic operators,
// canonical column names, decimal numbers, and only the parentheses the
// grammar needs. Parsing it gives the same filter.
func (f *Filter) String() string { return nodeString(f.root) }

// parser is a recursive-descent parser over libsmartcols's two precedence
// levels: && and || (lower), comparisons and ! (higher), all associating
// to the left.
type parser struct {
	lex   lexer
	tok   token // the current token
	prev  token // the token before it
	depth int
	known []string
	used  []string
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.prev, p.tok = p.tok, t
	return nil
}

// logical parses comparisons joined by && and ||.
func (p *parser) logical() (node, error) {
	left, err := p.comparison()
	for err == nil && (p.tok.kind == tokAnd || p.tok.kind == tokOr) {
		o := opAnd
		if p.tok.kind == tokOr {
			o = opOr
		}
		if err = p.advance(); err != nil {
			break
		}
		var right node
		if right, err = p.comparison(); err == nil {
			left = &binary{op: o, l: left, r: right}
		}
	}
	return left, err
}

// comparison parses operands joined by comparison operators.
func (p *parser) comparison() (node, error) {
	left, err := p.unary()
	for err == nil && p.tok.kind == tokCmp {
		opTok := p.tok
		if err = p.advance(); err != nil {
			break
		}
		rightTok := p.tok
		var right node
		if right, err = p.unary(); err == nil {
			left, err = p.compare(opTok, left, right, rightTok)
		}
	}
	return left, err
}

// compare builds a comparison; a regular expression must be a string
// literal, and is compiled here.
func (p *parser) compare(opTok token, l, r node, rTok token) (node, error) {
	n := &binary{op: opTok.op, l: l, r: r}
	if n.op != opREG && n.op != opNREG {
		return n, nil
	}
	lit, ok := r.(*literal)
	if !ok || lit.v.kind != kindString {
		return nil, p.errAt(rTok.pos, fmt.Sprintf("the right side of %q must be a string (a regular expression), found %s", opTok.text, rTok.describe()))
	}
	re, err := compilePOSIX(lit.v.s)
	if err != nil {
		return nil, p.errAt(rTok.pos, fmt.Sprintf("bad regular expression %q: %s", lit.v.s, regexpProblem(err)))
	}
	n.re = re
	return n, nil
}

// unary parses a value preceded by any number of negations.
func (p *parser) unary() (node, error) {
	if p.tok.kind != tokNot {
		return p.primary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &not{x: x}, nil
}

// primary parses a literal, a column or a parenthesised expression.
func (p *parser) primary() (node, error) {
	t := p.tok
	var n node
	switch t.kind {
	case tokLParen:
		return p.parenthesised()
	case tokInt:
		n = &literal{v: intValue(false, t.u)}
	case tokFloat:
		n = &literal{v: value{kind: kindFloat, f: t.f}}
	case tokString:
		n = &literal{v: value{kind: kindString, s: t.s}}
	case tokBool:
		n = &literal{v: value{kind: kindBool, b: t.b}}
	case tokIdent:
		name, err := p.resolve(t)
		if err != nil {
			return nil, err
		}
		n = &column{name: name}
	default:
		return nil, p.errHere(p.expectedValue())
	}
	return n, p.advance()
}

func (p *parser) parenthesised() (node, error) {
	open := p.tok
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.logical()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, p.errHere(fmt.Sprintf(`expected ")" to close the "(" at position %d, found %s`, p.lex.runePos(open.pos), p.tok.describe()))
	}
	return x, p.advance()
}

func (p *parser) expectedValue() string {
	what := "expected a column, number, string, true or false"
	if p.prev.text != "" {
		what += " after " + p.prev.describe()
	}
	return what + ", found " + p.tok.describe()
}

// resolve finds the column an identifier names and records its use.
func (p *parser) resolve(t token) (string, error) {
	for _, c := range p.known {
		if asciiEqualFold(c, t.text) {
			p.use(c)
			return c, nil
		}
	}
	return "", p.errAt(t.pos, fmt.Sprintf("unknown column %q (valid: %s)", t.text, strings.Join(p.known, ", ")))
}

func (p *parser) use(name string) {
	for _, c := range p.used {
		if c == name {
			return
		}
	}
	p.used = append(p.used, name)
}

func (p *parser) enter() error {
	if p.depth++; p.depth > maxDepth {
		return p.errHere(fmt.Sprintf("expression nested more than %d deep", maxDepth))
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) errAt(off int, msg string) *SyntaxError { return p.lex.errAt(off, msg) }

func (p *parser) errHere(msg string) *SyntaxError { return p.errAt(p.tok.pos, msg) }

// asciiEqualFold reports whether a and b are equal ignoring the case of
// ASCII letters only, as C's strcasecmp in the C locale does.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
