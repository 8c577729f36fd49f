package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/internal/plainfile"
)

// Cache keeps verification results between runs (--verify-cache FILE),
// keyed by provider and secret hash: the file holds no secret. Answers
// that said nothing (Unknown) are not kept.
type Cache struct {
	path string
	ttl  time.Duration
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
	dirty   bool
}

type cacheEntry struct {
	Checked time.Time            `json:"checked"`
	Status  string               `json:"status"`
	Detail  finding.Verification `json:"detail"`
}

type cacheFile struct {
	Version int                   `json:"version"`
	Entries map[string]cacheEntry `json:"entries"`
}

// maxCacheSize caps the cache file read.
const maxCacheSize = 256 << 20

// OpenCache reads the cache at path (a missing file is an empty cache).
// Entries older than ttl are ignored and dropped on Save.
func OpenCache(path string, ttl time.Duration) (*Cache, error) {
	c := &Cache{path: path, ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
	data, err := plainfile.Read(path, maxCacheSize)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("verify cache: %w", err)
	}
	var f cacheFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("verify cache %s: %w", path, err)
	}
	for k, e := range f.Entries {
		if c.fresh(e) {
			c.entries[k] = e
		}
	}
	return c, nil
}

func (c *Cache) fresh(e cacheEntry) bool {
	return c.ttl <= 0 || c.now().Sub(e.Checked) < c.ttl
}

func (c *Cache) get(key string) (finding.Verification, bool) {
	if c == nil {
		return finding.Verification{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.fresh(e) {
		return finding.Verification{}, false
	}
	v := e.Detail
	v.Status = e.Status
	return v, true
}

func (c *Cache) put(key string, v finding.Verification) {
	if c == nil || v.Status == finding.Unknown || v.Status == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = cacheEntry{Checked: c.now().UTC(), Status: v.Status, Detail: v}
	c.dirty = true
}

// Save writes the cache back (atomically, mode 0600) if it changed.
func (c *Cache) Save() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	data, err := json.MarshalIndent(cacheFile{Version: 1, Entries: c.entries}, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), "."+filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("verify cache: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("verify cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("verify cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("verify cache: %w", err)
	}
	c.dirty = false
	return nil
}
