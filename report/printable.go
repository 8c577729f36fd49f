package report

// Printable returns s safe to print on a terminal: control characters,
// bidi overrides and invalid UTF-8 written as Go escapes. Paths and
// messages from scanned content (a zip member named with an escape
// sequence) reach the summary on stderr too, not only reports.
func Printable(s string) string { return clean(s) }
