package detectors

import (
	"bytes"
	"strings"
)

// SQL rows: a seed file or a dump keeps each column's name once, in the
// statement's head, and the values in rows after it. A secret there is
// known by its column: INSERT INTO users (name, api_token) VALUES ('svc',
// '...'), or a pg_dump COPY block (COPY public.users (id, api_token) FROM
// stdin; then one tab-separated row a line, up to "\.").

// Bounds on what one statement is read for: rows a dump writes by the
// thousand are read up to maxSQLRows, and no row past maxSQLBytes from the
// statement's head.
const (
	maxSQLRows    = 10000
	maxSQLBytes   = 1 << 20
	maxSQLColumns = 256
)

// sqlRowValues reads the rows after an INSERT's or a COPY's head,
// data[start:end] (which ends where the rows begin), and returns the
// values in the columns whose names say secret that pass the generic
// value checks, each at the place it is written.
func sqlRowValues(data []byte, start, end int) []extracted {
	head := data[start:end]
	open := bytes.IndexByte(head, '(')
	shut := bytes.IndexByte(head, ')')
	if open < 0 || shut < open {
		return nil
	}
	cols := sqlColumns(string(head[open+1 : shut]))
	if cols == nil {
		return nil
	}
	limit := min(len(data), end+maxSQLBytes)
	if h := bytes.TrimSpace(head); len(h) >= 4 && bytes.EqualFold(h[:4], []byte("COPY")) {
		return copyRows(data[:limit], end, cols)
	}
	return insertRows(data[:limit], end, cols)
}

// sqlColumn is a column of the statement whose name says secret.
type sqlColumn struct {
	password, named bool
}

// sqlColumns returns, by position, the columns that name a secret (nil
// entries for the others), or nil when none does.
func sqlColumns(list string) []*sqlColumn {
	names := strings.Split(list, ",")
	if len(names) > maxSQLColumns {
		return nil
	}
	cols := make([]*sqlColumn, len(names))
	secret := false
	for i, n := range names {
		n = strings.Trim(strings.TrimSpace(n), "`\"[]")
		switch kind := keyKind(n); kind {
		case passwordKey, tokenKey:
			cols[i] = &sqlColumn{password: kind == passwordKey, named: credentialName(n, kind)}
			secret = true
		}
	}
	if !secret {
		return nil
	}
	return cols
}

// take reports whether v, a value in column c, is a secret to report.
func (c *sqlColumn) take(v string) bool {
	return c != nil && genericValue(v, c.password, c.named)
}

// insertRows reads VALUES tuples from data[p:]: ('a', 'b'), (...) up to
// the statement's end.
func insertRows(data []byte, p int, cols []*sqlColumn) []extracted {
	var out []extracted
	for row := 0; row < maxSQLRows; row++ {
		p = skipSQLSpace(data, p)
		if p >= len(data) || data[p] != '(' {
			return out
		}
		p++
		for col := 0; ; col++ {
			p = skipSQLSpace(data, p)
			if p >= len(data) {
				return out
			}
			vs, ve, next, quoted := sqlValue(data, p)
			if next < 0 {
				return out
			}
			if quoted && col < len(cols) && cols[col].take(string(data[vs:ve])) {
				out = append(out, extracted{start: vs, end: ve, secret: string(data[vs:ve])})
			}
			p = skipSQLSpace(data, next)
			if p >= len(data) {
				return out
			}
			if data[p] == ')' {
				p++
				break
			}
			if data[p] != ',' {
				return out
			}
			p++
		}
		p = skipSQLSpace(data, p)
		if p >= len(data) || data[p] != ',' {
			return out
		}
		p++
	}
	return out
}

// sqlValue reads one value at data[p]: a quoted string (a quote inside
// written twice) or anything up to the next comma or parenthesis. It returns the
// value's bounds (inside the quotes), where the text after it begins, and
// whether it was quoted; next is -1 when the value does not end.
func sqlValue(data []byte, p int) (vs, ve, next int, quoted bool) {
	if data[p] == '\'' {
		for i := p + 1; i < len(data); i++ {
			switch data[i] {
			case '\\':
				i++ // MySQL's \' escape
			case '\'':
				if i+1 < len(data) && data[i+1] == '\'' {
					i++
					continue
				}
				return p + 1, i, i + 1, true
			case '\n':
				if i-p > 4096 {
					return 0, 0, -1, false
				}
			}
		}
		return 0, 0, -1, false
	}
	depth := 0
	for i := p; i < len(data); i++ {
		switch data[i] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return p, i, i, false
			}
			depth--
		case ',':
			if depth == 0 {
				return p, i, i, false
			}
		case ';', '\'':
			return 0, 0, -1, false
		}
	}
	return 0, 0, -1, false
}

func skipSQLSpace(data []byte, p int) int {
	for p < len(data) && (data[p] == ' ' || data[p] == '\t' || data[p] == '\n' || data[p] == '\r') {
		p++
	}
	return p
}

// copyRows reads a COPY block's rows from the line after data[:p]: one
// row a line, tab-separated, up to a line "\.". \N is NULL; pg_dump
// escapes tabs, newlines and backslashes in values, so a value with a
// backslash is left alone rather than decoded.
func copyRows(data []byte, p int, cols []*sqlColumn) []extracted {
	if i := bytes.IndexByte(data[p:], '\n'); i >= 0 {
		p += i + 1
	} else {
		return nil
	}
	var out []extracted
	for row := 0; row < maxSQLRows && p < len(data); row++ {
		eol := bytes.IndexByte(data[p:], '\n')
		if eol < 0 {
			eol = len(data) - p
		}
		line := data[p : p+eol]
		if bytes.Equal(bytes.TrimRight(line, "\r"), []byte(`\.`)) {
			break
		}
		at := p
		for col := 0; col < len(cols); col++ {
			tab := bytes.IndexByte(line, '\t')
			v := line
			if tab >= 0 {
				v = line[:tab]
			}
			if s := string(bytes.TrimRight(v, "\r")); s != `\N` && !strings.Contains(s, `\`) && cols[col].take(s) {
				out = append(out, extracted{start: at, end: at + len(s), secret: s})
			}
			if tab < 0 {
				break
			}
			line = line[tab+1:]
			at += tab + 1
		}
		p += eol + 1
	}
	return out
}
