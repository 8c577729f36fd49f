package git

import (
	"container/list"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// objectCache is the object cache every reader shares. go-git's ObjectLRU
// computes each object's SHA-1 while holding its one lock, which made the
// readers take turns; here the hash is taken outside any lock and the
// cache is split into shards by hash, each its own LRU.
type objectCache struct {
	shards [cacheShards]cacheShard
}

const cacheShards = 16

type cacheShard struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    list.List
	items map[plumbing.Hash]*list.Element
}

type cacheEntry struct {
	hash plumbing.Hash
	obj  plumbing.EncodedObject
	size int64
}

func newObjectCache(maxBytes int64) *objectCache {
	c := &objectCache{}
	for i := range c.shards {
		c.shards[i].max = maxBytes / cacheShards
		c.shards[i].items = map[plumbing.Hash]*list.Element{}
	}
	return c
}

func (c *objectCache) shard(h plumbing.Hash) *cacheShard { return &c.shards[h[0]%cacheShards] }

// Put adds an object. go-git puts objects it has just decoded and not yet
// shared, so hashing one here, unlocked, races with nothing.
func (c *objectCache) Put(o plumbing.EncodedObject) {
	if o.Type() == plumbing.CommitObject {
		// Each commit is read once, and is rarely a delta base: caching
		// commits would cost a hash each and push out the trees and
		// blobs that are.
		return
	}
	size := o.Size()
	h := o.Hash()
	s := c.shard(h)
	if size > s.max {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[h]; ok {
		s.ll.MoveToFront(e)
		return
	}
	s.items[h] = s.ll.PushFront(&cacheEntry{hash: h, obj: o, size: size})
	s.size += size
	for s.size > s.max {
		last := s.ll.Back()
		if last == nil {
			break
		}
		e := last.Value.(*cacheEntry)
		s.ll.Remove(last)
		delete(s.items, e.hash)
		s.size -= e.size
	}
}

func (c *objectCache) Get(h plumbing.Hash) (plumbing.EncodedObject, bool) {
	s := c.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[h]
	if !ok {
		return nil, false
	}
	s.ll.MoveToFront(e)
	return e.Value.(*cacheEntry).obj, true
}

func (c *objectCache) Clear() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.ll.Init()
		s.items = map[plumbing.Hash]*list.Element{}
		s.size = 0
		s.mu.Unlock()
	}
}
