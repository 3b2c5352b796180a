package query

import (
	"regexp"
	"strconv"
	"strings"
)

// op is a binary operator.
type op int

const (
	opAnd op = iota
	opOr
	opEQ
	opNE
	opLT
	opLE
	opGT
	opGE
	opREG
	opNREG
)

var opText = [...]string{
	opAnd: "&&", opOr: "||", opEQ: "==", opNE: "!=", opLT: "<", opLE: "<=",
	opGT: ">", opGE: ">=", opREG: "=~", opNREG: "!~",
}

func (o op) String() string { return opText[o] }

func (o op) logical() bool { return o == opAnd || o == opOr }

// node is one part of a parsed expression: a *literal, *column, *not or
// *binary.
type node interface {
	// prec is how tightly the node binds when printed: 1 for && and ||,
	// 2 for comparisons, 3 for !, 4 for a value.
	prec() int
	write(b *strings.Builder)
}

// literal is a number, float, string or boolean written in the expression.
type literal struct{ v value }

// column reads the named column of the row.
type column struct{ name string }

// not negates its operand's truth.
type not struct{ x node }

// binary is a logical operator or a comparison.
type binary struct {
	op   op
	l, r node
	re   *regexp.Regexp // for =~ and !~: r, compiled
}

func (*literal) prec() int { return 4 }
func (*column) prec() int  { return 4 }
func (*not) prec() int     { return 3 }
func (n *binary) prec() int {
	if n.op.logical() {
		return 1
	}
	return 2
}

func (n *literal) write(b *strings.Builder) { b.WriteString(n.v.literalText()) }

// write prints the column's name, in a case that does not read as a
// keyword.
func (n *column) write(b *strings.Builder) {
	if _, ok := keyword(n.name); ok {
		b.WriteString(n.name[:1] + strings.ToLower(n.name[1:]))
		return
	}
	b.WriteString(n.name)
}

func (n *not) write(b *strings.Builder) {
	b.WriteByte('!')
	writeOperand(b, n.x, 3)
}

// write prints both operands, with parentheses where the grammar would
// otherwise group them differently: both operators associate to the left.
func (n *binary) write(b *strings.Builder) {
	p := n.prec()
	writeOperand(b, n.l, p)
	b.WriteString(" " + n.op.String() + " ")
	writeOperand(b, n.r, p+1)
}

// writeOperand prints x, in parentheses if it binds less tightly than min.
func writeOperand(b *strings.Builder, x node, min int) {
	if x.prec() >= min {
		x.write(b)
		return
	}
	b.WriteByte('(')
	x.write(b)
	b.WriteByte(')')
}

// literalText writes v as the expression would: strings quoted with a quote
// they do not contain, floats with a decimal point.
func (v value) literalText() string {
	switch v.kind {
	case kindString:
		if strings.Contains(v.s, `"`) {
			return "'" + v.s + "'"
		}
		return `"` + v.s + `"`
	case kindFloat:
		s := strconv.FormatFloat(v.f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	case kindBool:
		return strconv.FormatBool(v.b)
	default:
		return strconv.FormatUint(v.n.mag, 10)
	}
}
