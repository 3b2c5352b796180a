package render

import (
	"strings"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/filter/query"
	"github.com/nsview/nsview/internal/scan"
)

// namespaceQuery is a -Q/--filter expression over the namespace columns,
// evaluated on the values the columns print, whether or not they are shown.
type namespaceQuery struct {
	filter  *query.Filter
	columns map[string]Column[NSRow]
}

// NamespaceQuery parses a -Q/--filter expression over the namespace
// columns (lsns's syntax, see package query) and returns it with what the
// scan must read for the columns it names. Its errors name the position.
func NamespaceQuery(expr string) (filter.Expression, scan.Need, error) {
	q := namespaceQuery{columns: make(map[string]Column[NSRow], len(namespaceColumns))}
	names := make([]string, len(namespaceColumns))
	for i, c := range namespaceColumns {
		names[i], q.columns[c.Name] = c.Name, c
	}
	var err error
	if q.filter, err = query.Parse(expr, names); err != nil {
		return nil, 0, err
	}
	var need scan.Need
	for _, name := range q.filter.Columns() {
		need |= q.columns[name].Needs
	}
	return q, need, nil
}

// Keep evaluates the expression on the namespace's row.
func (q namespaceQuery) Keep(idx *scan.Index, m filter.Match) (bool, error) {
	row := NSRow{Index: idx, Match: m}
	return q.filter.Match(func(column string) any { return queryValue(q.columns[column].Value(row)) })
}

// queryValue is a column value as expressions compare it: what a table
// shows, but booleans as booleans and numbers as numbers.
func queryValue(v any) any {
	switch v := v.(type) {
	case cellObject:
		if b, ok := v.json.(bool); ok {
			return b
		}
		return v.text
	case []string:
		return strings.Join(v, ",")
	}
	return v
}
