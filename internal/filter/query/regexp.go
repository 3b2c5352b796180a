package query

import (
	"fmt"
	"regexp"
	"regexp/syntax"
)

// compilePOSIX compiles a POSIX extended regular expression with the
// meaning regcomp(REG_EXTENDED) gives it: "." and "[^x]" match a newline,
// "^" and "$" anchor at the ends of the text only. regexp/syntax parses
// POSIX syntax with those flags; its String form carries them over to the
// regexp package, whose own POSIX mode would anchor at every line.
func compilePOSIX(pattern string) (*regexp.Regexp, error) {
	re, err := syntax.Parse(pattern, syntax.ClassNL|syntax.DotNL|syntax.OneLine)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(re.String())
}

// regexpProblem words a regexp error without repeating the pattern.
func regexpProblem(err error) string {
	if e, ok := err.(*syntax.Error); ok {
		return fmt.Sprintf("%s: %q", e.Code, e.Expr)
	}
	return err.Error()
}
