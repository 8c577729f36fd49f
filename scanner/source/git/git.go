package git

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	ghash "github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/sourcegraph/conc/pool"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/scanner/source/archive"
)

// Options configure a git scan.
type Options struct {
	source.Options
	// Path is a local repository: a work tree or a directory in one, a
	// .git directory, or a bare repository. Default ".".
	Path string
	// URL, when set instead of Path, is cloned (bare) and scanned.
	URL string
	// CloneDir keeps the clone of URL here (and updates it when it is
	// already one); by default the clone goes to a temporary directory
	// that is removed after the scan.
	CloneDir string
	// Auth, when set, authenticates the clone or fetch of URL; it is
	// given to the transport for each fetch and never stored in the
	// clone's config or put in the URL.
	Auth transport.AuthMethod

	// Range "A..B" scans the commits reachable from B and not from A, as
	// `git log A..B` lists them. An empty side means HEAD.
	Range string
	// Since leaves out commits committed before this time.
	Since time.Time
	// Branches, when set, replace all refs as starting points.
	Branches []string
	// MaxCommits keeps only the newest N selected commits (0: all).
	MaxCommits int
	// Exclude are objects an earlier scan covered (its ref tips, as Refs
	// returns them): commits reachable from them are not scanned again,
	// as if each were the A of an A..B range, and a ref that still leads
	// to one of them (an annotated tag, a tagged blob) is not either. A
	// hash not in the repository (a tip a force-push dropped) is ignored,
	// so what it covered is scanned again rather than missed.
	Exclude []string
	// Staged scans what the index holds that HEAD does not, instead of
	// history.
	Staged bool
	// Push, when set, scans what a push brings instead of history: the
	// commits its new ref values reach that no ref of the repository
	// reaches yet (see selectPush), read from its quarantine first. For a
	// pre-receive hook.
	Push *Push
	// Archive, when set, enters blobs that are archives (a committed jar,
	// a tarball of configs) with these options; a changed archive is
	// scanned whole, since its lines mean nothing.
	Archive *archive.Options

	// Workers is the number of blobs read and scanned at once (default
	// GOMAXPROCS).
	Workers int
	// CacheSize bounds the object cache shared by all readers, in bytes
	// (default 16 MiB). go-git, which reads only the objects the pack
	// reader leaves to it, has its own cache of fallbackCacheSize.
	CacheSize int64
}

// fallbackCacheSize bounds go-git's object cache: it serves the rare
// objects the pack reader leaves to go-git (over 32 MiB, in no pack, or
// malformed), so it needs little.
const fallbackCacheSize = 4 << 20

// DefaultCacheSize is the default bound of the shared object cache: enough
// to hold the delta bases of the files being read without growing with the
// repository.
const DefaultCacheSize = 16 << 20

// init makes go-git hash objects with crypto/sha1 (hardware SHA-1 where
// the CPU has it) instead of its default sha1cd, which also detects
// SHAttered-style collision attacks. go-git hashes every object it caches,
// and the switch saves about 15% of a history scan's CPU. Collision
// detection protects a repository from a crafted object replacing another
// with the same id; a scanner only reads what is stored, whichever object
// that is, so it gains nothing from it. The setting is process-wide, in a
// map go-git reads without a lock whenever it hashes: it is made in init,
// before any goroutine can be cloning or reading a repository (made on
// first use, it raced with an org scan's concurrent clones).
func init() {
	// It fails only for a nil function or an unknown algorithm.
	_ = ghash.RegisterHash(crypto.SHA1, sha1.New)
}

// TargetError is an error in what the user asked to scan: a path that is
// not a repository, a revision or branch that does not exist. A failed
// clone is not one: the target may be fine and the network not.
type TargetError = source.TargetError

// Source scans a git repository.
type Source struct {
	opts Options
	repo string // as shown in Origin.Repository
}

// New checks the options and returns a git source.
func New(opts Options) (*Source, error) {
	if opts.Path != "" && opts.URL != "" {
		return nil, errors.New("give a path or a URL, not both")
	}
	if opts.Path == "" && opts.URL == "" {
		opts.Path = "."
	}
	if opts.Range != "" {
		if _, _, err := splitRange(opts.Range); err != nil {
			return nil, err
		}
	}
	for _, h := range opts.Exclude {
		if !isHex40(h) {
			return nil, fmt.Errorf("exclude %q: want a full 40-hex object hash", h)
		}
	}
	if opts.MaxCommits < 0 {
		return nil, errors.New("max commits must not be negative")
	}
	if opts.Staged && (opts.Range != "" || !opts.Since.IsZero() || len(opts.Branches) > 0 || opts.MaxCommits > 0 || len(opts.Exclude) > 0) {
		return nil, errors.New("staged scans the index: it can't be combined with a range, since, branches, max commits or excluded commits")
	}
	if opts.Push != nil {
		if opts.Staged || opts.Range != "" || !opts.Since.IsZero() || len(opts.Branches) > 0 || opts.MaxCommits > 0 || opts.URL != "" {
			return nil, errors.New("a push is checked on its own: it can't be combined with staged, a range, since, branches, max commits or a URL")
		}
		if err := opts.Push.validate(); err != nil {
			return nil, err
		}
	}
	s := &Source{opts: opts, repo: opts.Path}
	if opts.URL != "" {
		s.repo = DisplayURL(opts.URL)
	}
	return s, nil
}

func splitRange(r string) (from, to string, err error) {
	if strings.Contains(r, "...") {
		return "", "", fmt.Errorf("range %q: symmetric ranges (A...B) are not supported; use A..B", r)
	}
	from, to, ok := strings.Cut(r, "..")
	if !ok {
		return "", "", fmt.Errorf("range %q: want A..B", r)
	}
	if from == "" {
		from = "HEAD"
	}
	if to == "" {
		to = "HEAD"
	}
	return from, to, nil
}

// Scan scans the repository's history, or its staged changes.
func (s *Source) Scan(ctx context.Context, sink source.Sink) error {
	path := s.opts.Path
	if s.opts.URL != "" {
		dir := s.opts.CloneDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "leakhound-clone-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		if err := clone(ctx, s.opts.URL, dir, s.opts.Auth); err != nil {
			return err
		}
		path = dir
	}
	r, err := openRepo(path)
	if err != nil {
		return &TargetError{Err: err}
	}
	if p := s.opts.Push; p != nil {
		// The pushed objects wait in git's quarantine until the hook
		// accepts them: both readers look there first.
		p.checkObjectDirs(sink)
		r.pushObjects = p.objectDirs()
	}
	c := cache.NewObjectLRU(fallbackCacheSize)
	db := openODBFrom(r.objectDirs(), s.cacheSize())
	defer db.Close()
	for _, err := range db.problems {
		sink.Problem("objects/info/alternates", err)
	}
	o := &objectSource{repo: r, cache: c, db: db}
	if s.opts.Staged {
		return s.scanStaged(ctx, o, sink)
	}
	return s.scanHistory(ctx, o, sink)
}

// Refs returns the refs a history scan of the repository at path starts
// from (HEAD, branches, tags, the stash...) and the object each names, as
// hex. Given back as Options.Exclude, they make the next scan cover only
// what was committed since. A ref that can't be read is left out and
// named in the error; the others are still returned.
func Refs(ctx context.Context, path string) (map[string]string, error) {
	r, err := openRepo(path)
	if err != nil {
		return nil, &TargetError{Err: err}
	}
	var rec problemList
	out := map[string]string{}
	for _, rf := range r.refs(ctx, &rec) {
		out[rf.name] = rf.hash.String()
	}
	return out, errors.Join(rec...)
}

// problemList is a Sink that keeps only problems.
type problemList []error

func (problemList) Chunk(finding.Chunk) {}
func (problemList) Item(int64)          {}
func (problemList) Skip(string, string) {}
func (p *problemList) Problem(path string, err error) {
	*p = append(*p, fmt.Errorf("%s: %w", path, err))
}

func (s *Source) cacheSize() int64 {
	if s.opts.CacheSize > 0 {
		return s.opts.CacheSize
	}
	return DefaultCacheSize
}

func (s *Source) workers() int {
	if s.opts.Workers > 0 {
		return s.opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// meta is what a finding says about the commit that introduced its blob.
// A long history keeps one per commit until the walk is done, so it is
// packed: one string and a few numbers (about 90 bytes where separate
// strings, a hash string and a time.Time took about 230).
type meta struct {
	hash  plumbing.Hash // zero for staged content
	dated bool
	// oneLine is set when the message is its first line and a newline,
	// as most are; whole when text holds the whole message (a short one,
	// while the walk's budget lasts). Either way its scan needs no second
	// read of the commit.
	oneLine bool
	whole   bool
	tz      int32  // author's time zone, seconds east of UTC
	when    int64  // author time, Unix seconds
	text    string // author name, NUL, email, NUL, first line of the message (or all of it)
}

// A walk keeps whole the messages of up to maxKeptMessage bytes, up to
// keptMessages bytes in all: the rest are read again when their turn to
// be scanned comes (reading a commit twice cost 5% of a history scan).
const (
	maxKeptMessage = 1 << 10
	keptMessages   = 8 << 20
)

// messageBudget is what is left of keptMessages; nil keeps nothing.
type messageBudget struct{ left atomic.Int64 }

func (b *messageBudget) take(n int) bool {
	if b == nil || n > maxKeptMessage {
		return false
	}
	if b.left.Add(-int64(n)) >= 0 {
		return true
	}
	b.left.Add(int64(n))
	return false
}

func newMeta(h plumbing.Hash, author, email string, message []byte, date time.Time, keep *messageBudget) *meta {
	_, tz := date.Zone()
	first := firstLine(message)
	m := &meta{hash: h, dated: true, tz: int32(tz), when: date.Unix(),
		oneLine: len(message) == len(first)+1 && string(message[:len(first)]) == first && message[len(first)] == '\n'}
	kept := first
	if !m.oneLine && keep.take(len(message)) {
		kept, m.whole = string(message), true
	}
	m.text = author + "\x00" + email + "\x00" + kept
	return m
}

// messageText is what text holds of the message.
func (m *meta) messageText() string {
	_, rest, _ := strings.Cut(m.text, "\x00")
	_, msg, _ := strings.Cut(rest, "\x00")
	return msg
}

// message is the first line of the message.
func (m *meta) message() string {
	if m.whole {
		return firstLine([]byte(m.messageText()))
	}
	return m.messageText()
}

// commit is the commit's hash as text, "" for staged content.
func (m *meta) commit() string {
	if m.hash.IsZero() {
		return ""
	}
	return m.hash.String()
}

// origin fills in what o says about the commit.
func (m *meta) origin(o *finding.Origin) {
	o.Commit = m.commit()
	if m.text != "" {
		rest := m.text
		o.Author, rest, _ = strings.Cut(rest, "\x00")
		o.Email, _, _ = strings.Cut(rest, "\x00")
		o.Message = m.message()
	}
	if m.dated {
		o.Date = time.Unix(m.when, 0).In(time.FixedZone("", int(m.tz)))
	}
}

// Where findings in messages are located. A commit message is content of
// its own, at a path no committed file can have (git refuses ".git" in a
// tree), which keeps its fingerprint stable (rule, path and secret: the
// same secret in two messages is one entry in an ignore file) while the
// commit field says which commit; its lines are the message's, the
// subject being line 1. An annotated tag's message is at the tag's ref
// name with git's ^{tag} suffix ("refs/tags/v1.0^{tag}", which `git show`
// takes).
const (
	CommitMessagePath = ".git/COMMIT_EDITMSG"
	TagMessageSuffix  = "^{tag}"
)

// jobKind says what a job scans.
type jobKind uint8

const (
	blobContent   jobKind = iota // the blob at a path
	commitMessage                // the message of the commit named by blob
	textContent                  // text, held by the job (a tag message)
)

// job is one blob to scan at one path, or a message.
type job struct {
	kind jobKind
	blob plumbing.Hash
	path string
	meta *meta
	text []byte // textContent
	// prev are the versions of the file at this path in the commit's
	// parents (or in HEAD, for a staged file): lines found there are not
	// new in this blob and are not scanned again.
	prev []plumbing.Hash
}

// runWorkers starts the blob readers and returns the channel to feed them
// and a function that closes it and waits for them.
func (s *Source) runWorkers(ctx context.Context, o *objectSource, sink source.Sink) (chan<- job, func()) {
	n := s.workers()
	jobs := make(chan job, n*64)
	p := pool.New().WithMaxGoroutines(n)
	for i := 0; i < n; i++ {
		p.Go(func() {
			objs := o.open()
			defer objs.Close()
			w := newWorker(objs)
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				switch j.kind {
				case blobContent:
					s.scanBlob(ctx, w, j, sink)
				case commitMessage:
					s.scanCommitMessage(ctx, w, j, sink)
				case textContent:
					s.scanText(ctx, j, j.text, sink)
				}
			}
		})
	}
	return jobs, func() {
		close(jobs)
		p.Wait()
	}
}

// worker is one blob reader's own state: go-git stores are not safe for
// concurrent use, and the buffers are reused from blob to blob.
type worker struct {
	*objects
	diff lineDiff
	bufs [][]byte // [0] the blob, [1:] its previous versions
}

func newWorker(objs *objects) *worker {
	return &worker{objects: objs, diff: lineDiff{seed: maphash.MakeSeed()}}
}

// buf returns scratch buffer i with room for n bytes. Buffers over 4 MiB
// are not kept, so one huge blob doesn't pin memory for the whole scan.
func (w *worker) buf(i int, n int64) []byte {
	for len(w.bufs) <= i {
		w.bufs = append(w.bufs, nil)
	}
	if int64(cap(w.bufs[i])) >= n {
		return w.bufs[i][:0]
	}
	b := make([]byte, 0, n)
	if n <= 4<<20 {
		w.bufs[i] = b
	}
	return b
}

func (s *Source) scanBlob(ctx context.Context, w *worker, j job, sink source.Sink) {
	where := func(err error) error {
		if c := j.meta.commit(); c != "" {
			return fmt.Errorf("blob %s in commit %s: %w", j.blob, c, err)
		}
		return fmt.Errorf("blob %s: %w", j.blob, err)
	}
	// The whole blob from the pack reader, or a stream from go-git; in
	// both the size is checked before anything is inflated.
	var (
		data  []byte
		whole bool
		body  io.Reader
		size  int64
	)
	max := s.opts.MaxFileSize
	d, err := w.rd.read(j.blob, plumbing.BlobObject, max, true)
	var tooLarge *tooLargeError
	switch {
	case err == nil:
		data, whole, size = d, true, int64(len(d))
		body = bytes.NewReader(d)
	case errors.As(err, &tooLarge):
		sink.Skip(j.path, source.ReasonTooLarge)
		return
	default:
		// go-git returns objects over 16 KiB unread (their size known
		// from the pack header), so its size check costs no inflating.
		obj, err := w.sto.EncodedObject(plumbing.BlobObject, j.blob)
		if err != nil {
			sink.Problem(j.path, where(err))
			return
		}
		if max > 0 && obj.Size() > max {
			sink.Skip(j.path, source.ReasonTooLarge)
			return
		}
		rd, err := obj.Reader()
		if err != nil {
			sink.Problem(j.path, where(err))
			return
		}
		defer rd.Close()
		body, size = rd, obj.Size()
	}
	origin := finding.Origin{
		Kind:       "git",
		Path:       j.path,
		Repository: s.repo,
	}
	j.meta.origin(&origin)
	if s.opts.Archive != nil {
		var head []byte
		if whole {
			head = data[:min(len(data), archive.HeadLen)]
		} else {
			br := bufio.NewReaderSize(body, archive.HeadLen)
			head, _ = br.Peek(archive.HeadLen)
			body = br
		}
		if archive.Detect(head) != archive.None {
			archive.Content(ctx, body, size, origin, *s.opts.Archive, sink)
			return
		}
	}
	// A changed file: scan only the lines its previous versions lack (of
	// its text decoded from UTF-16; for a binary, the printable strings
	// they lack: a secret in every build of a binary is reported once,
	// where it came in). A new file, a big one or media: scan all of it,
	// streaming.
	diff := len(j.prev) > 0 && size <= diffLimit
	if diff && !whole {
		data, err = readAll(body, w.buf(0, size))
		if err != nil {
			sink.Problem(j.path, where(err))
			return
		}
		body = bytes.NewReader(data)
	}
	var (
		text    []byte
		spans   []finding.Span // place text in the blob when it is decoded
		noLines bool
	)
	if diff {
		class, _ := source.Classify(data)
		text, spans, err = source.Decode(ctx, data, class)
		diff = err == nil // media, or too many spans to hold: scanned whole
		noLines = class == source.Binary
	}
	if !diff {
		n, err := source.ReadChunks(ctx, body, origin, s.opts.Options, sink)
		var skip *source.SkipError
		switch {
		case errors.As(err, &skip):
			sink.Skip(j.path, skip.Reason)
		case err != nil && ctx.Err() == nil:
			sink.Problem(j.path, where(err))
		case err == nil:
			sink.Item(n)
		}
		return
	}
	var olds [][]byte
	for i, h := range j.prev {
		// A version that can't be read counts as empty: its lines are
		// scanned again rather than missed.
		old, _ := w.readBlob(h, i+1)
		// Compared as it is scanned: decoded, or its strings.
		class, _ := source.Classify(old)
		old, _, _ = source.Decode(ctx, old, class) // media, too many spans: empty
		olds = append(olds, old)
	}
	opts := s.opts.Options
	opts.AsText = true // classified above, as a whole
	var scanErr error
	w.diff.newLines(text, olds, func(ctxStart, start, end, ctxEnd, lineBase int) {
		if scanErr != nil {
			return
		}
		sh := &shifted{Sink: sink, offset: int64(ctxStart), lineBase: lineBase - bytes.Count(text[ctxStart:start], []byte{'\n'}),
			size: int64(ctxEnd - ctxStart), head: start - ctxStart, context: ctxEnd - end, spans: spans, noLines: noLines}
		_, scanErr = source.ReadChunks(ctx, bytes.NewReader(text[ctxStart:ctxEnd]), origin, opts, sh)
	})
	switch {
	case scanErr != nil && ctx.Err() == nil:
		sink.Problem(j.path, where(scanErr))
	case scanErr == nil:
		sink.Item(int64(len(data)))
	}
}

// scanCommitMessage scans the whole message of a commit, read again
// unless the walk kept it (see meta).
func (s *Source) scanCommitMessage(ctx context.Context, w *worker, j job, sink source.Sink) {
	if j.meta.oneLine {
		s.scanText(ctx, j, []byte(j.meta.message()+"\n"), sink)
		return
	}
	if j.meta.whole {
		s.scanText(ctx, j, []byte(j.meta.messageText()), sink)
		return
	}
	raw, err := w.rd.read(j.blob, plumbing.CommitObject, 0, false)
	if err != nil {
		obj, gerr := w.sto.EncodedObject(plumbing.CommitObject, j.blob)
		if gerr != nil {
			// Read once already for the walk: it was there a moment ago.
			sink.Problem(j.path, fmt.Errorf("commit %s: read message: %w", j.blob, gerr))
			return
		}
		rd, gerr := obj.Reader()
		if gerr == nil {
			raw, gerr = readAll(rd, make([]byte, 0, obj.Size()))
			rd.Close()
		}
		if gerr != nil {
			sink.Problem(j.path, fmt.Errorf("commit %s: read message: %w", j.blob, gerr))
			return
		}
	}
	msg := commitMessageOf(raw)
	s.scanText(ctx, j, msg, sink)
}

// commitMessageOf returns the message of a raw commit: what follows the
// first empty line (header values that span lines, like gpgsig, go on
// with a space, so they hold no empty line).
func commitMessageOf(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("\n")) {
		return raw[1:]
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[i+2:]
	}
	return nil
}

// scanText scans a message held in memory, at j's path. Messages are
// text whatever bytes they hold (the content policy is for files); the
// size limit still applies.
func (s *Source) scanText(ctx context.Context, j job, text []byte, sink source.Sink) {
	if len(bytes.TrimSpace(text)) == 0 {
		return
	}
	if max := s.opts.MaxFileSize; max > 0 && int64(len(text)) > max {
		sink.Skip(j.path, "too large")
		return
	}
	origin := finding.Origin{Kind: "git", Path: j.path, Repository: s.repo}
	j.meta.origin(&origin)
	opts := s.opts.Options
	opts.AsText = true
	if _, err := source.ReadChunks(ctx, bytes.NewReader(text), origin, opts, sink); err != nil && ctx.Err() == nil {
		sink.Problem(j.path, fmt.Errorf("scan message: %w", err))
	}
}

// diffLimit is the largest blob compared line by line with its previous
// versions; bigger ones are scanned in full.
const diffLimit = 32 << 20

// readBlob reads a whole blob, up to diffLimit bytes: from the pack
// reader, or with go-git into buffer i.
func (w *worker) readBlob(h plumbing.Hash, i int) ([]byte, error) {
	data, err := w.rd.read(h, plumbing.BlobObject, diffLimit, true)
	var tooLarge *tooLargeError
	switch {
	case err == nil:
		return data, nil
	case errors.As(err, &tooLarge):
		return nil, errors.New("too large to compare")
	}
	obj, err := w.sto.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	if obj.Size() > diffLimit {
		return nil, errors.New("too large to compare")
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return readAll(rd, w.buf(i, obj.Size()))
}

// readAll is io.ReadAll into a buffer already sized for the content.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// shifted places the chunks of a part of a blob in the whole blob, and
// makes the part's trailing context the last chunk's tail: matches may
// run into it, but none that starts there is this part's.
type shifted struct {
	source.Sink
	offset   int64
	lineBase int
	size     int64 // bytes in the part, context included
	head     int   // bytes of context before the new lines
	context  int   // bytes of context after them
	// spans, when set, place the whole text (decoded, or a binary's
	// strings) in the blob; the chunks get theirs. noLines marks a
	// binary's strings.
	spans   []finding.Span
	spanBuf []finding.Span
	noLines bool
}

func (s *shifted) Chunk(c finding.Chunk) {
	if c.Offset+int64(len(c.Data)) == s.size && c.Tail < s.context {
		c.Tail = min(s.context, len(c.Data))
	}
	if c.Offset < int64(s.head) {
		c.Head = min(s.head-int(c.Offset), len(c.Data))
	}
	c.Offset += s.offset
	c.LineBase += s.lineBase
	if s.spans != nil {
		s.spanBuf = source.SpansIn(s.spans, int(c.Offset), len(c.Data), s.spanBuf[:0])
		c.Spans = s.spanBuf
	}
	c.NoLines = s.noLines
	s.Sink.Chunk(c)
}

// send hands a job to the workers unless the scan is cancelled.
func send(ctx context.Context, jobs chan<- job, j job) error {
	select {
	case jobs <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
