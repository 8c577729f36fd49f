// Package finding holds the leaf types every stage of leakhound shares: the
// chunk of content a source yields, where it came from, and the findings the
// engine reports about it.
package finding

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"time"
)

// Origin says where a chunk of content came from. Sources fill in what
// applies to them and leave the rest empty.
type Origin struct {
	Kind string // "file", "stdin", "git", "image", "archive"
	// Path is the file's path, slash-separated and relative to the scanned
	// root where there is one.
	Path string
	// Root is how the scanned root the path is relative to is shown in
	// reports ("" when paths are shown as they are): the scanner puts it
	// in front of Path (or Archive) once rules, allowlists, fingerprints
	// and suppressions, which are relative to the root, are done.
	Root string

	Repository string
	Commit     string
	Author     string
	Email      string
	Date       time.Time
	Message    string

	Image string
	Layer string // layer digest, or "config" for the image config
	// LayerIndex is the layer's position in the image, starting at 0; -1 or 0
	// with Layer empty means no layer.
	LayerIndex int
	// Archive is the chain of archive members leading to Path, e.g.
	// "app.jar!/BOOT-INF/lib/x.jar"; empty outside archives.
	Archive string
}

// Chunk is a piece of content to scan. Sources cut large inputs into chunks
// that overlap by Tail bytes: the last Tail bytes of Data are repeated at the
// start of the next chunk, and findings that start there belong to that next
// chunk, so no secret is split and none is reported twice.
type Chunk struct {
	Origin Origin
	Data   []byte
	// Offset is the byte offset of Data[0] in the whole input.
	Offset int64
	// LineBase is the number of newlines in the input before Data[0].
	LineBase int
	// ColumnBase is the number of bytes between the start of the line that
	// holds Data[0] and Data[0] (non-zero when a chunk starts mid-line).
	ColumnBase int
	// Tail is the number of bytes at the end of Data that belong to the next
	// chunk.
	Tail int
	// Head is the number of bytes at the start of Data scanned as context
	// only (a git blob's lines an older version already had, before its
	// new ones): a match that ends in them is not reported here.
	Head int
	// Spans place Data in the item when Data is not the item's bytes as
	// they are (text decoded from UTF-16, printable strings taken out of a
	// binary). Empty: Data[i] is byte Offset+i of the item.
	Spans []Span
	// NoLines says the item has no lines to report (strings taken out of a
	// binary): findings in it carry their byte offset only.
	NoLines bool
}

// Span says that Data[At:], up to the next span, starts at byte Offset of
// the item, each byte of Data standing for Width bytes of the item (2 for
// ASCII decoded from UTF-16). Width 0 places the whole span at Offset: for
// non-ASCII text whose characters change length when decoded, an offset
// inside the span is approximate.
type Span struct {
	At     int
	Offset int64
	Width  int
}

// ItemOffset is the byte offset in the item of Data[i].
func (c *Chunk) ItemOffset(i int) int64 {
	if len(c.Spans) == 0 {
		return c.Offset + int64(i)
	}
	// The last span starting at or before i.
	lo, hi := 0, len(c.Spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.Spans[m].At <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return c.Spans[0].Offset
	}
	s := c.Spans[lo-1]
	return s.Offset + int64(i-s.At)*int64(s.Width)
}

// Location is where a finding sits.
type Location struct {
	Origin
	Line      int // 1-based
	Column    int // 1-based, in bytes
	EndLine   int
	EndColumn int
	// Offset is the byte offset of the secret's start in the item (file,
	// blob, archive member), 0-based: the place to look when the item has
	// no lines (Line 0).
	Offset int64
}

// Finding is one secret found at one location.
type Finding struct {
	RuleID      string
	Description string
	Severity    string
	Tags        []string
	// Secret is the secret itself; Match is the text the rule matched, which
	// contains the secret. Both are redacted by every report unless the user
	// asked for them.
	Secret   string
	Match    string
	Location Location
	Entropy  float64
	// Fingerprint identifies this secret at this place (rule, path, secret);
	// it is stable across runs and contains no part of the secret.
	Fingerprint string
	// SecretHash identifies the secret alone, whatever the rule or place.
	SecretHash string

	// Verification is what the credential's provider said of it, when
	// verification ran.
	Verification Verification
	// Groups are the rule's named groups other than the secret, as
	// matched (the client_email beside a service account key, the shop
	// beside a Shopify token): what verification needs besides the secret.
	// Not reported.
	Groups map[string]string
	// Parts are the secrets that part-only rules (skipReport) found in
	// the same chunk, by rule id: what verification needs from elsewhere
	// in the file (the tenant and client ids beside an Azure client
	// secret). Shared by the chunk's findings: read only. Not reported.
	Parts map[string][]string
}

// Verification states.
const (
	Verified     = "verified"     // the provider accepted the credential: it is live
	Invalid      = "invalid"      // the provider rejected it
	Unknown      = "unknown"      // no clear answer (network error, rate limit, unexpected reply); Reason says why
	Unverifiable = "unverifiable" // no verifier for this kind of credential
)

// Verification is a provider's answer about one credential and, for a live
// one, what it reaches: its identity, scopes and expiry where the provider
// tells them.
type Verification struct {
	Status   string    `json:"-"`
	Identity string    `json:"identity,omitempty"` // the account, user, app or organization the credential acts as
	Scopes   []string  `json:"scopes,omitempty"`   // its permissions, as the provider names them
	Expires  time.Time `json:"expires,omitzero"`
	// Reaches says in a few words what the credential gives access to
	// (an AWS account ARN, a Slack workspace), for the report.
	Reaches string `json:"reaches,omitempty"`
	Reason  string `json:"reason,omitempty"` // why it is invalid or unknown
}

// Live reports whether the provider said the credential works.
func (v Verification) Live() bool { return v.Status == Verified }

// hashKey separates leakhound's secret hashes from plain SHA-256 so a hash
// in a shared baseline can't be looked up in public tables of unsalted
// hashes.
var hashKey = []byte("leakhound secret hash v1")

// HashSecret returns the keyed hash that identifies a secret.
func HashSecret(secret string) string {
	m := hmac.New(sha256.New, hashKey)
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Fingerprint returns the stable identifier of a secret found by a rule at
// a path. Line numbers and commit metadata are left out on purpose: they
// churn, and a baseline keyed on them would hide a different secret later
// put on the same line.
func Fingerprint(ruleID, filePath, secretHash string) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	h.Write([]byte{0})
	h.Write([]byte(filePath))
	h.Write([]byte{0})
	h.Write([]byte(secretHash))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// DisplayPath is the path a report shows: the archive chain and the path in
// it, in slash form.
func (o Origin) DisplayPath() string {
	p := o.Path
	if o.Archive != "" {
		p = o.Archive + "!/" + strings.TrimPrefix(p, "/")
	}
	return path.Clean(strings.ReplaceAll(p, "\\", "/"))
}

// Shown returns the origin as reports show it: Root folded into the
// archive chain or the path.
func (o Origin) Shown() Origin {
	if o.Root == "" {
		return o
	}
	if o.Archive != "" {
		o.Archive = path.Join(o.Root, o.Archive)
	} else {
		o.Path = path.Join(o.Root, o.Path)
	}
	o.Root = ""
	return o
}

// Redact hides a secret, keeping a short prefix so a reader can tell which
// credential it is (for most providers the prefix is the public token type).
func Redact(secret string) string {
	keep := len(secret) / 5
	if keep > 4 {
		keep = 4
	}
	if len(secret) < 12 {
		keep = 0
	}
	// Don't cut a multi-byte rune.
	for keep > 0 && keep < len(secret) && secret[keep]&0xC0 == 0x80 {
		keep--
	}
	return secret[:keep] + "*****"
}

// RedactIn replaces every occurrence of secret in s with its redacted form.
func RedactIn(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, Redact(secret))
}
