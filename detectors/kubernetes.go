package detectors

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

// Extractor finds the secrets of a structure a rule's match points at: the
// match (data[start:end]) names the structure, the extractor reads it from
// the chunk and returns one secret per value, each with its span in data.
type Extractor func(data []byte, start, end int) []extracted

// extracted is one secret an extractor found: data[start:end] is the text
// it is reported at, secret the value (decoded, where the text is encoded).
type extracted struct {
	start, end int
	secret     string
}

// extractors is the registry of structure readers.
var extractors = map[string]Extractor{
	"kubernetes-secret": kubernetesSecretValues,
	"sql-rows":          sqlRowValues,
}

// kubernetesSecretValues reads the Kubernetes Secret whose "kind: Secret"
// line is data[start:end] and returns the values under its data: (base64,
// reported decoded) and stringData: (plain), one per key. The object is
// found by indentation, so a Secret inside a List's items and one
// whose data: comes before its kind: (as kubectl writes them) are read too.
// Keys that name no secret (username, host, port, ca.crt ...), empty
// values, placeholders, references and certificates are left out.
func kubernetesSecretValues(data []byte, start, end int) []extracted {
	if data[start] == '"' {
		return kubernetesSecretJSON(data, start)
	}
	ls := bytes.LastIndexByte(data[:start], '\n') + 1
	kind := yamlLineAt(data, ls)
	if kind.key != "kind" {
		return nil
	}
	col := kind.keyCol
	// The object: from its first line (a "- " item start holding its
	// first key, or the line after one less indented) to its last.
	first := ls
	if !kind.item {
		for p := ls; p > 0; {
			q := bytes.LastIndexByte(data[:p-1], '\n') + 1
			l := yamlLineAt(data, q)
			if l.blank {
				p = q
				continue
			}
			if l.keyCol == col && l.key == "kind" {
				// Another object's kind with no --- between (not valid
				// YAML, but written): what lies between is its.
				first = ls
				break
			}
			if l.docEnd || l.indent < col && !(l.item && l.keyCol == col) {
				break // a parent
			}
			first = q
			if l.item && l.keyCol == col {
				break
			}
			p = q
		}
	}
	var out []extracted
	for p := first; p < len(data); {
		l := yamlLineAt(data, p)
		next := l.end + 1
		if p != first && !l.blank && (l.docEnd || l.indent < col || l.item && l.keyCol <= col || p != ls && l.keyCol == col && l.key == "kind") {
			break
		}
		if !l.blank && l.keyCol == col && (l.key == "data" || l.key == "stringData") && l.value == "" {
			var vs []extracted
			vs, next = kubernetesSecretBlock(data, next, col, l.key == "data")
			out = append(out, vs...)
		}
		p = next
	}
	return out
}

// kubernetesSecretJSON reads the Secret whose "kind": "Secret" starts at
// data[start], as kubectl get -o json writes it: the object around it
// (a List item, or the document), its data and stringData, each value
// reported where it is written.
func kubernetesSecretJSON(data []byte, start int) []extracted {
	from, to, ok := enclosingObject(data, start)
	if !ok {
		return nil
	}
	obj := data[from:to]
	var secret struct {
		Kind       string            `json:"kind"`
		Data       map[string]string `json:"data"`
		StringData map[string]string `json:"stringData"`
	}
	if json.Unmarshal(obj, &secret) != nil || secret.Kind != "Secret" {
		return nil
	}
	var out []extracted
	for _, block := range []struct {
		values  map[string]string
		encoded bool
	}{{secret.Data, true}, {secret.StringData, false}} {
		keys := make([]string, 0, len(block.values))
		for k := range block.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if block.values[k] == "" {
				continue
			}
			vs, ve, ok := jsonStringValue(obj, k, block.values[k])
			if !ok {
				continue
			}
			l := yamlLine{key: k, value: block.values[k], valueStart: from + vs, valueEnd: from + ve}
			if x, ok := kubernetesSecretValue(l, block.encoded); ok {
				out = append(out, x)
			}
		}
	}
	return out
}

// enclosingObject returns the bounds of the innermost JSON object holding
// the string that starts at data[at]: its opening brace is found walking
// back and its closing one walking on, both reading strings so that braces
// in them don't count. Each walk covers the object alone, so a chunk of
// many small Secrets costs time in proportion to its size.
func enclosingObject(data []byte, at int) (int, int, bool) {
	from, depth := -1, 0
	for i := at - 1; i >= 0 && from < 0; i-- {
		switch data[i] {
		case '"':
			if !escapedQuote(data, i) {
				// Walk back over the string to its opening quote.
				for i--; i >= 0 && (data[i] != '"' || escapedQuote(data, i)); i-- {
				}
			}
		case '}', ']':
			depth++
		case '{', '[':
			if depth == 0 && data[i] == '{' {
				from = i
			} else if depth == 0 {
				return 0, 0, false // the kind is an array's element, not a key
			} else {
				depth--
			}
		}
	}
	if from < 0 {
		return 0, 0, false
	}
	depth = 0
	for i := from; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return from, i + 1, true
			}
		}
	}
	return 0, 0, false
}

// escapedQuote reports whether the quote at data[i] is escaped: preceded
// by an odd number of backslashes.
func escapedQuote(data []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// jsonStringValue finds "key": "value" in obj, the value as JSON writes
// it, and returns the value's bounds (inside its quotes).
func jsonStringValue(obj []byte, key, value string) (int, int, bool) {
	k, _ := json.Marshal(key)
	var v bytes.Buffer
	enc := json.NewEncoder(&v)
	enc.SetEscapeHTML(false)
	if enc.Encode(value) != nil {
		return 0, 0, false
	}
	raw := bytes.TrimSpace(v.Bytes())
	for i := 0; ; {
		j := bytes.Index(obj[i:], k)
		if j < 0 {
			return 0, 0, false
		}
		p := i + j + len(k)
		i = p
		for p < len(obj) && isJSONSpace(obj[p]) {
			p++
		}
		if p >= len(obj) || obj[p] != ':' {
			continue
		}
		p++
		for p < len(obj) && isJSONSpace(obj[p]) {
			p++
		}
		if bytes.HasPrefix(obj[p:], raw) {
			return p + 1, p + len(raw) - 1, true
		}
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// kubernetesSecretBlock reads the entries of a data: or stringData: block
// starting at p, nested deeper than col; it returns them and where the
// block ends.
func kubernetesSecretBlock(data []byte, p, col int, encoded bool) ([]extracted, int) {
	var out []extracted
	entryCol := -1
	for p < len(data) {
		l := yamlLineAt(data, p)
		if l.blank {
			p = l.end + 1
			continue
		}
		if l.docEnd || l.indent <= col {
			break
		}
		if entryCol < 0 {
			entryCol = l.keyCol
		}
		if l.keyCol == entryCol && l.key != "" && l.value != "" && !l.item {
			if x, ok := kubernetesSecretValue(l, encoded); ok {
				out = append(out, x)
			}
		}
		p = l.end + 1
	}
	return out, p
}

// notSecretKeys name the Secret entries that hold no secret.
var notSecretKeys = wordSet("username", "user", "user-name", "user_name", "login", "email", "host", "hostname", "port",
	"database", "dbname", "db-name", "db_name", "namespace", "region", "ca.crt", "tls.crt", "ca-bundle.crt", "service-ca.crt")

func kubernetesSecretValue(l yamlLine, encoded bool) (extracted, bool) {
	v := l.value
	if strings.ContainsAny(v[:1], "|>{[&*!") { // block scalars, flow collections, anchors, tags
		return extracted{}, false
	}
	if notSecretKeys[strings.ToLower(l.key)] {
		return extracted{}, false
	}
	secret, text := v, true
	if encoded {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "=")); err != nil {
				return extracted{}, false // not a Secret's base64: other rules see the text
			}
		}
		if utf8.Valid(b) && !hasControl(b) {
			secret = strings.TrimSpace(string(b))
		} else {
			// Binary (a keystore, a DER key): reported as written.
			text = false
		}
	}
	switch {
	case text && secret == "", !text && len(v) < 16:
		return extracted{}, false
	case strings.Contains(secret, "-----BEGIN CERTIFICATE") || strings.Contains(secret, "PUBLIC KEY-----"):
		return extracted{}, false
	case text && !strings.Contains(secret, "\n") && !validPasswordValue(secret):
		// A one-line value must be a real one; a file (a config, a key)
		// is reported as it is, and what it holds is scanned decoded.
		return extracted{}, false
	}
	return extracted{start: l.valueStart, end: l.valueEnd, secret: secret}, true
}

// yamlLine is what one line of YAML says, as far as the readers here need.
type yamlLine struct {
	end                  int // offset of the line's '\n' (or of the end of data)
	indent               int // columns of leading spaces
	keyCol               int // column of the key: after the indent and a "- "
	item                 bool
	blank                bool // empty or a comment
	docEnd               bool // "---" or "..."
	key, value           string
	valueStart, valueEnd int // offsets of value in data
}

// yamlLineAt reads the line of data starting at p. Keys and values are
// unquoted; a value's trailing comment is dropped.
func yamlLineAt(data []byte, p int) yamlLine {
	e := bytes.IndexByte(data[p:], '\n')
	if e < 0 {
		e = len(data)
	} else {
		e += p
	}
	l := yamlLine{end: e}
	line := data[p:e]
	line = bytes.TrimRight(line, "\r")
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	l.indent = i
	rest := line[i:]
	if len(bytes.TrimSpace(rest)) == 0 || rest[0] == '#' {
		l.blank = true
		return l
	}
	if i == 0 && (bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("..."))) {
		l.docEnd = true
		return l
	}
	if rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ') {
		l.item = true
		j := 1
		for j < len(rest) && rest[j] == ' ' {
			j++
		}
		i += j
		rest = line[i:]
	}
	l.keyCol = i
	k := bytes.Index(rest, []byte(":"))
	for k >= 0 && k+1 < len(rest) && rest[k+1] != ' ' && rest[k+1] != '\t' {
		// "a:b" is no key; a key ends at ": " or at the end of the line.
		n := bytes.Index(rest[k+1:], []byte(":"))
		if n < 0 {
			k = -1
			break
		}
		k += 1 + n
	}
	if k <= 0 {
		return l
	}
	l.key = strings.Trim(string(rest[:k]), `"' `)
	vs := i + k + 1
	for vs < len(line) && (line[vs] == ' ' || line[vs] == '\t') {
		vs++
	}
	ve := len(line)
	if h := bytes.Index(line[vs:], []byte(" #")); h >= 0 {
		ve = vs + h
	}
	for ve > vs && (line[ve-1] == ' ' || line[ve-1] == '\t') {
		ve--
	}
	if ve-vs >= 2 && (line[vs] == '"' && line[ve-1] == '"' || line[vs] == '\'' && line[ve-1] == '\'') {
		vs++
		ve--
	}
	l.value = string(line[vs:ve])
	l.valueStart, l.valueEnd = p+vs, p+ve
	return l
}
