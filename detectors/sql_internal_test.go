package detectors

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// sqlToken is a random 32-character token no check takes for a
// placeholder.
func sqlToken() string {
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for {
		b := make([]byte, 32)
		for i := range b {
			b[i] = base62[rand.IntN(len(base62))]
		}
		if s := string(b); genericValue(s, false, true) {
			return s
		}
	}
}

// sqlHead is what the generic-secret-sql-column rule's regex matches.
var sqlHead = regexp.MustCompile(`(?i)\b(?:INSERT INTO [\w."` + "`" + `\[\]]+\s*\([^()]{1,1000}\)\s*VALUES\s*|COPY [\w."]+ \([^()]{1,1000}\) FROM stdin;)`)

func sqlSecrets(t *testing.T, sql string) []string {
	t.Helper()
	data := []byte(sql)
	var got []string
	for _, m := range sqlHead.FindAllIndex(data, -1) {
		for _, x := range sqlRowValues(data, m[0], m[1]) {
			if string(data[x.start:x.end]) != x.secret {
				t.Errorf("secret %q reported at %q", x.secret, data[x.start:x.end])
			}
			got = append(got, x.secret)
		}
	}
	return got
}

// TestSQLRows: the values of secret-named columns are found in every row
// of an INSERT and of a pg_dump COPY block, and nothing else is: not
// other columns, hashes, NULLs, placeholders, or a column whose name says
// it holds something about a secret (token_expires).
func TestSQLRows(t *testing.T) {
	t.Parallel()
	tok := sqlToken
	a, b, c, d := tok(), tok(), tok(), tok()
	sql := "-- seed\n" +
		"INSERT INTO `users` (`id`, `name`, `api_token`, `token_expires`) VALUES\n" +
		"  (1, 'o''brien', '" + a + "', '2027-01-01'),\n" +
		"  (2, 'svc, ci', NULL, '2027-01-01'),\n" +
		"  (3, 'bot', 'changeme', '2027-01-01'),\n" +
		"  (4, 'bot2', '" + b + "', " + "now());\n" +
		"INSERT INTO users (name, password) VALUES ('alice', '$2y$10$" + strings.Repeat("a", 53) + "');\n" +
		"INSERT INTO notes (title, body) VALUES ('x', '" + tok() + "');\n" +
		"COPY public.accounts (id, owner, client_secret, note) FROM stdin;\n" +
		"1\talice\t" + c + "\tfirst\n" +
		"2\tbob\t\\N\tsecond\n" +
		"3\tcarol\t" + d + "\tthird\n" +
		"\\.\n" +
		"4\tdave\t" + tok() + "\tafter the block\n"
	got := sqlSecrets(t, sql)
	want := []string{a, b, c, d}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestSQLRowsUnfinished: a statement cut off anywhere (a chunk's end, a
// broken dump) yields what was read, and the reader stops.
func TestSQLRowsUnfinished(t *testing.T) {
	t.Parallel()
	full := "INSERT INTO users (name, api_token) VALUES ('svc', '" + sqlToken() + "'), ('bot', 'x"
	for i := len("INSERT INTO users (name, api_token) VALUES "); i <= len(full); i++ {
		sqlSecrets(t, full[:i])
	}
	if got := sqlSecrets(t, full); len(got) != 1 {
		t.Errorf("got %q, want the first row's token", got)
	}
}
