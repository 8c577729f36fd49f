package verify

import (
	"strconv"
	"strings"
)

// plural writes "1 repository", "3 repositories".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// lowerOr lowercases s, or returns def when s is empty.
func lowerOr(s, def string) string {
	if s == "" {
		return def
	}
	return strings.ToLower(s)
}
