package render

import (
	"slices"
	"strings"
)

// ColumnName is a column as -o takes it, with what it means: for shell
// completion, which must offer the names the CLI accepts.
type ColumnName struct {
	Name string // lower case, as the examples write it; -o ignores case
	Help string
}

// ColumnNames lists every name -o accepts: the namespace columns, then
// the process columns that are not also namespace columns.
func ColumnNames() []ColumnName {
	var names []ColumnName
	add := func(name, help string) {
		name = strings.ToLower(name)
		if !slices.ContainsFunc(names, func(c ColumnName) bool { return c.Name == name }) {
			names = append(names, ColumnName{Name: name, Help: help})
		}
	}
	for _, c := range namespaceColumns {
		add(c.Name, c.Help)
	}
	for _, c := range processColumns {
		add(c.Name, c.Help)
	}
	return names
}
