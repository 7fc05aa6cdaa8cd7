package sqlstore

// prefixRange returns the bounds [lo, hi) of the keys that start with p, for
// an index range scan. Keys are folded, so p is ASCII and its last byte can
// be incremented.
func prefixRange(p string) (lo, hi string) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0x7f {
			b[i]++
			return p, string(b[:i+1])
		}
	}
	return p, "\x7f"
}
