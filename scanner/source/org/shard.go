package org

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is worker K of N (0 <= K < N) of an org scan cut across machines.
type Shard struct{ K, N int }

// ParseShard reads "K/N". Kubernetes Indexed Jobs number from 0
// (JOB_COMPLETION_INDEX); CI matrices often from 1, so "N/N" is refused
// rather than silently scanning nothing.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 0 || ki >= ni {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 0 <= K < N (the first of 3 is 0/3)", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// Owns reports whether this shard scans the repository.
func (s Shard) Owns(fullName string) bool {
	if s.N <= 1 {
		return true
	}
	return ShardOf(fullName, s.N) == s.K
}

// ShardOf assigns a repository to one of n shards by rendezvous hashing:
// each shard scores the name and the highest score wins. The assignment
// depends only on the name and n, so every worker agrees without talking,
// adding a repository moves no other, and going from n to n+1 shards moves
// only the repositories the new shard wins (about 1/(n+1) of them), which
// keeps their mirror caches useful.
func ShardOf(fullName string, n int) int {
	best, bestScore := 0, uint64(0)
	for k := 0; k < n; k++ {
		h := sha256.Sum256([]byte(strconv.Itoa(k) + "\x00" + strings.ToLower(fullName)))
		if score := binary.BigEndian.Uint64(h[:8]); k == 0 || score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

func sortRepos(rs []Repo) {
	slices.SortFunc(rs, func(a, b Repo) int { return strings.Compare(a.FullName, b.FullName) })
}
