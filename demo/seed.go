package demo

import (
	"context"

	"github.com/coupole/coupole"
)

// Seed generates cfg and loads it into store, one transaction per batch.
// Generation runs one batch ahead of loading on another goroutine, so the
// two overlap on a machine with two cores. progress, if not nil, is called
// after each batch with the number of access points loaded so far.
//
// Loading is idempotent (the store upserts by natural key): seeding the same
// configuration twice leaves the data as it was.
func Seed(ctx context.Context, store coupole.GridStore, cfg Config, progress func(accessPoints int)) (Counts, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *coupole.Batch, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		_, err := Generate(ctx, cfg, func(b *coupole.Batch) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		genErr <- err
	}()
	var counts Counts
	for b := range batches {
		if err := store.Load(ctx, b); err != nil {
			cancel()
			for range batches { // let the generator finish
			}
			<-genErr
			return counts, err
		}
		counts.Add(b)
		if progress != nil {
			progress(counts.AccessPoints)
		}
	}
	return counts, <-genErr
}
