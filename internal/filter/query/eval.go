package query

import (
	"cmp"
	"fmt"
	"math"
	"strings"
)

// Match evaluates the filter for one row. value returns the row's value of
// a column, named as Columns names it: an integer of any Go integer type, a
// float, a string, a bool, an []int, or nil for an empty cell. Match asks
// only for the columns it needs (&& and || stop early) and may ask for one
// more than once.
//
// Match fails only when a comparison needs a number and text (a cell's or
// a string literal's) is not one, such as `TYPE > 1` where TYPE is "net";
// lsns then stops with "failed to apply filter". The error names the
// comparison and the column.
func (f *Filter) Match(value func(column string) any) (bool, error) {
	return truth(f.root, value)
}

type row = func(column string) any

// truth evaluates n for its truth.
func truth(n node, r row) (bool, error) {
	switch n := n.(type) {
	case *literal:
		return n.v.truth(), nil
	case *column:
		return cellValue(r(n.name)).truth(), nil
	case *not:
		t, err := truth(n.x, r)
		return !t, err
	case *binary:
		return n.eval(r)
	}
	panic(fmt.Sprintf("query: unknown node %T", n))
}

func (n *binary) eval(r row) (bool, error) {
	switch n.op {
	case opAnd, opOr:
		l, err := truth(n.l, r)
		if err != nil || l == (n.op == opOr) {
			return l, err
		}
		return truth(n.r, r)
	}
	l, err := evalOperand(n.l, r)
	if err != nil {
		return false, err
	}
	if n.re != nil {
		return n.re.MatchString(l.v.text()) == (n.op == opREG), nil
	}
	rv, err := evalOperand(n.r, r)
	if err != nil {
		return false, err
	}
	ok, err := compare(n.op, l, rv)
	if err != nil {
		return false, fmt.Errorf("cannot evaluate %s: %w", nodeString(n), err)
	}
	return ok, nil
}

// operand is one side of a comparison, evaluated.
type operand struct {
	v      value
	column string // the column it was read from, if any
}

// evalOperand reads a column or a literal, or evaluates a nested
// expression to a boolean, as libsmartcols's cast_node does.
func evalOperand(n node, r row) (operand, error) {
	switch n := n.(type) {
	case *literal:
		return operand{v: n.v}, nil
	case *column:
		return operand{v: cellValue(r(n.name)), column: n.name}, nil
	}
	t, err := truth(n, r)
	return operand{v: value{kind: kindBool, b: t}}, err
}

// commonKind picks the type both sides of a comparison are converted to,
// as libsmartcols's guess_expr_datatype does: a literal's type wins over a
// column's, else the left side's, and a float wins over an integer.
func commonKind(l, r operand) valueKind {
	lk, rk := l.v.kind, r.v.kind
	k := lk
	switch {
	case lk == rk:
	case l.column != "" && r.column == "":
		k = rk
	case lk == kindNone:
		k = rk
	}
	if k == kindNone {
		return kindString
	}
	if k == kindInt && (lk == kindFloat || rk == kindFloat) {
		return kindFloat
	}
	return k
}

// compare applies a comparison operator.
func compare(o op, l, r operand) (bool, error) {
	k := commonKind(l, r)
	if k == kindString {
		return holds(o, compareText(l.v, r.v)), nil
	}
	if l.v.kind == kindNone || r.v.kind == kindNone {
		return false, nil
	}
	switch k {
	case kindInt:
		a, b, err := both(l, r, value.toInt)
		return err == nil && holds(o, compareInts(a, b)), err
	case kindFloat:
		a, b, err := both(l, r, value.toFloat)
		if err != nil || math.IsNaN(a) || math.IsNaN(b) {
			return err == nil && o == opNE, err
		}
		return holds(o, cmp.Compare(a, b)), nil
	}
	return holds(o, cmp.Compare(boolToUint(l.v.toBool()), boolToUint(r.v.toBool()))), nil
}

// both converts both operands with conv, naming the column that held a
// value conv could not read.
func both[T any](l, r operand, conv func(value) (T, error)) (a, b T, err error) {
	if a, err = conv(l.v); err != nil {
		return a, b, l.explain(err)
	}
	if b, err = conv(r.v); err != nil {
		return a, b, r.explain(err)
	}
	return a, b, nil
}

func (o operand) explain(err error) error {
	if o.column == "" {
		return err
	}
	return fmt.Errorf("column %s: %w", o.column, err)
}

// compareText compares as strcmp, with an empty cell as C's NULL string:
// before every string, equal only to itself.
func compareText(a, b value) int {
	if a.kind == kindNone || b.kind == kindNone {
		return cmp.Compare(boolToUint(a.kind != kindNone), boolToUint(b.kind != kindNone))
	}
	return strings.Compare(a.text(), b.text())
}

// holds says whether a comparison whose operands compared as c (-1, 0, 1)
// is true under o.
func holds(o op, c int) bool {
	switch o {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	case opGE:
		return c >= 0
	}
	return false
}

func nodeString(n node) string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}
