package orgscan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/scanner"
)

// stateVersion is the state file's format; a file of another version is
// an error, not silently a full rescan.
const stateVersion = 1

// maxStateSize caps the state file read (a /dev/zero put in its place
// must not eat memory).
const maxStateSize = 256 << 20

// State is what incremental scans remember between runs, one entry per
// repository, saved to a JSON file after every repository (written to a
// temporary file and renamed, so a crash leaves the last good state).
// It holds ref tips and fingerprints, never secrets. Safe for concurrent
// use.
type State struct {
	path string

	mu    sync.Mutex
	repos map[string]*RepoState
}

// RepoState is one repository's entry.
type RepoState struct {
	CloneURL string `json:"clone_url,omitempty"`
	WebURL   string `json:"web_url,omitempty"`
	// Ruleset is the version (RulesetVersion) of the rules Tips were
	// scanned with; other rules rescan the whole history.
	Ruleset string `json:"ruleset,omitempty"`
	// Tips are the refs scanned, and the object each named.
	Tips      map[string]string `json:"tips,omitempty"`
	ScannedAt time.Time         `json:"scanned_at,omitzero"`
	// Undelivered, when set, holds the tips the last scan started from:
	// that scan found something that no report or alert has carried yet
	// (the run stopped before its end, a notification failed), so the
	// next run scans again from there rather than losing it.
	Undelivered *Undelivered `json:"undelivered,omitempty"`
	// Seen are the fingerprints of findings already delivered: an alert
	// carries only findings not in it (a rescan after a rule change
	// finds old secrets again).
	Seen []string `json:"seen,omitempty"`
	// Pushes are pushes a server received and had not scanned when it
	// stopped; it takes them up when it starts.
	Pushes []Push `json:"pushes,omitempty"`
}

// Undelivered is where a scan whose findings are not delivered started.
type Undelivered struct {
	From map[string]string `json:"from"`
}

// Push is one push event to scan: the ref moved from Before to After.
type Push struct {
	// Platform is the forge that sent it (github, gitlab), for links.
	Platform string `json:"platform,omitempty"`
	Ref      string `json:"ref"`
	Before   string `json:"before"`
	After    string `json:"after"`
}

type stateFile struct {
	Version      int                   `json:"version"`
	Repositories map[string]*RepoState `json:"repositories"`
}

// OpenState reads the state file at path; a missing file is an empty
// state (the first run). path "" keeps the state in memory only.
func OpenState(path string) (*State, error) {
	s := &State{path: path, repos: map[string]*RepoState{}}
	if path == "" {
		return s, nil
	}
	data, err := plainfile.Read(path, maxStateSize)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if f.Version != stateVersion {
		return nil, fmt.Errorf("state %s: version %d, want %d", path, f.Version, stateVersion)
	}
	for name, r := range f.Repositories {
		if r != nil {
			s.repos[name] = r
		}
	}
	return s, nil
}

// Get returns a copy of a repository's entry, or nil.
func (s *State) Get(name string) *RepoState {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[name]
	if r == nil {
		return nil
	}
	return r.clone()
}

// Names returns the repositories in the state, sorted.
func (s *State) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.repos))
}

// Update changes a repository's entry (created when missing) and saves
// the state.
func (s *State) Update(name string, change func(r *RepoState)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[name]
	if r == nil {
		r = &RepoState{}
		s.repos[name] = r
	}
	change(r)
	return s.saveLocked()
}

func (s *State) saveLocked() error {
	if s.path == "" {
		return nil
	}
	f := stateFile{Version: stateVersion, Repositories: s.repos}
	err := scanner.WriteFile(s.path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(f)
	})
	if err != nil {
		return fmt.Errorf("save state %s: %w", s.path, err)
	}
	return nil
}

func (r *RepoState) clone() *RepoState {
	c := *r
	c.Tips = maps.Clone(r.Tips)
	c.Seen = slices.Clone(r.Seen)
	c.Pushes = slices.Clone(r.Pushes)
	if r.Undelivered != nil {
		c.Undelivered = &Undelivered{From: maps.Clone(r.Undelivered.From)}
	}
	return &c
}

// addSeen merges fingerprints into Seen, kept sorted and unique.
func (r *RepoState) addSeen(fps []string) {
	r.Seen = append(r.Seen, fps...)
	slices.Sort(r.Seen)
	r.Seen = slices.Compact(r.Seen)
}
