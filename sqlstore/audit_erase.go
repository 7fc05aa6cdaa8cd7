package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
)

// Erasing the personal data of old audit events (retention), chunk by
// chunk, keeping what a legal hold covers.

func (s *AuditStore) ErasedBelow(ctx context.Context) (uint64, error) {
	var e int64
	if err := s.db.read.QueryRowContext(ctx, `SELECT erased_below FROM audit_state WHERE id = 1`).Scan(&e); err != nil {
		return 0, storageError(err, "read audit erasure point")
	}
	return uint64(e), nil
}

// Erase clears the personal data of events before t, a chunk of events per
// transaction so appends are never held up for long. Events keep says a
// legal hold covers keep their payload and references.
func (s *AuditStore) Erase(ctx context.Context, before time.Time, keep func(audit.Event) bool) (uint64, error) {
	from, err := s.ErasedBelow(ctx)
	if err != nil {
		return 0, err
	}
	upto, err := s.firstAtOrAfter(ctx, before)
	if err != nil {
		return 0, err
	}
	// Payloads kept by a hold at an earlier erasure come first: those no
	// longer held are erased now.
	if err := s.eraseRange(ctx, 0, from, keep, true); err != nil {
		return 0, err
	}
	const chunk = 1000
	for lo := from; lo < uint64(upto); lo += chunk {
		hi := min(uint64(upto), lo+chunk)
		if err := s.eraseRange(ctx, lo, hi, keep, false); err != nil {
			return lo, err
		}
	}
	return max(from, uint64(upto)), nil
}

// eraseRange erases the payloads of [lo, hi) that keep does not keep, in
// one transaction; with keptOnly, only those an earlier erasure kept.
func (s *AuditStore) eraseRange(ctx context.Context, lo, hi uint64, keep func(audit.Event) bool, keptOnly bool) error {
	{
		err := s.db.InTx(ctx, func(tx *Tx) error {
			q := `SELECT idx, time_ns, payload FROM audit_log WHERE idx >= $1 AND idx < $2 AND payload IS NOT NULL`
			if keptOnly {
				q = `SELECT l.idx, l.time_ns, l.payload FROM audit_kept k JOIN audit_log l ON l.idx = k.idx WHERE k.idx >= $1 AND k.idx < $2 AND l.payload IS NOT NULL`
			}
			rows, err := tx.QueryContext(ctx, q, int64(lo), int64(hi))
			if err != nil {
				return storageError(err, "read events to erase")
			}
			type ref struct {
				kind, ref string
				idx       int64
			}
			var refs []ref
			var kept, unreadable, erased []int64
			for rows.Next() {
				var idx, ns int64
				var p []byte
				if err := rows.Scan(&idx, &ns, &p); err != nil {
					rows.Close()
					return storageError(err, "read events to erase")
				}
				ev, err := verify.DecodePayload(p)
				if err != nil {
					unreadable = append(unreadable, idx) // cannot tell its references, nor whether it is held
					erased = append(erased, idx)
					continue
				}
				ev.Time = time.Unix(0, ns).UTC()
				if keep != nil && keep(ev) {
					kept = append(kept, idx)
					continue
				}
				erased = append(erased, idx)
				for _, c := range ev.Customers {
					refs = append(refs, ref{"c", c, idx})
				}
				for _, e := range ev.AccessPoints {
					refs = append(refs, ref{"e", e, idx})
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return storageError(err, "read events to erase")
			}
			for _, r := range refs {
				if _, err := tx.ExecContext(ctx, `DELETE FROM audit_refs WHERE kind = $1 AND ref = $2 AND idx = $3`, r.kind, r.ref, r.idx); err != nil {
					return storageError(err, "erase audit references")
				}
			}
			for _, idx := range unreadable {
				if _, err := tx.ExecContext(ctx, `DELETE FROM audit_refs WHERE idx = $1`, idx); err != nil {
					return storageError(err, "erase audit references")
				}
			}
			if keptOnly {
				for _, idx := range erased {
					if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET salt = NULL, payload = NULL, actor = NULL, interaction = NULL WHERE idx = $1`, idx); err != nil {
						return storageError(err, "erase audit events")
					}
					if _, err := tx.ExecContext(ctx, `DELETE FROM audit_kept WHERE idx = $1`, idx); err != nil {
						return storageError(err, "erase audit events")
					}
				}
				return nil
			}
			q, args := `UPDATE audit_log SET salt = NULL, payload = NULL, actor = NULL, interaction = NULL WHERE idx >= $1 AND idx < $2`, []any{int64(lo), int64(hi)}
			if len(kept) > 0 {
				q += ` AND idx NOT IN (` + placeholders(3, len(kept)) + `)`
				for _, k := range kept {
					args = append(args, k)
				}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return storageError(err, "erase audit events")
			}
			for _, k := range kept {
				if _, err := tx.ExecContext(ctx, `INSERT INTO audit_kept (idx) VALUES ($1) ON CONFLICT (idx) DO NOTHING`, k); err != nil {
					return storageError(err, "record a payload kept by a hold")
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE audit_state SET erased_below = $1 WHERE id = 1 AND erased_below < $1`, int64(hi))
			return storageError(err, "record audit erasure")
		})
		return err
	}
}
