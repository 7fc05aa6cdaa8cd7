//go:build !unix

package demo

// PeakRSS is the process's peak resident memory in bytes, 0 when unknown.
func PeakRSS() int64 { return 0 }
