package register

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coupole/coupole"
)

// Service keeps the registers. Who may read or change them is the staff
// policy's (register.read, register.write); the service checks the data.
type Service struct {
	Store Store
	Clock coupole.Clock
}

// Change is what the privacy officer submits: a new entry (ID empty) or a
// new version of one (Version = the version the change was made from).
type Change struct {
	ID        string
	Version   int
	Title     string
	Fields    map[string]string
	ReviewDue string
}

const maxText = 4000

// validate checks c against the register's schema and returns the fields
// normalised; every problem is named, nothing is stored on error.
func validate(kind Kind, c Change) (map[string]string, error) {
	var probs []string
	if t := strings.TrimSpace(c.Title); t == "" {
		probs = append(probs, "title: required")
	}
	if c.ReviewDue != "" {
		if _, err := time.Parse(time.DateOnly, c.ReviewDue); err != nil {
			probs = append(probs, fmt.Sprintf("review_due: %q is not a date (2006-01-02)", c.ReviewDue))
		}
	}
	out := map[string]string{}
	known := map[string]bool{}
	for _, f := range Schemas[kind] {
		known[f.Name] = true
		v := strings.TrimSpace(c.Fields[f.Name])
		if !utf8.ValidString(v) || len(v) > maxText {
			probs = append(probs, fmt.Sprintf("%s: not valid text of at most %d bytes", f.Name, maxText))
			continue
		}
		switch {
		case v == "" && f.Required:
			probs = append(probs, f.Name+": required")
		case v == "":
		case f.Type == Date:
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				probs = append(probs, fmt.Sprintf("%s: %q is not a date (2006-01-02)", f.Name, v))
			}
		case f.Type == Bool && v != "yes" && v != "no":
			probs = append(probs, fmt.Sprintf("%s: %q is not yes or no", f.Name, v))
		case f.Type == Choice && !slices.Contains(f.Choices, v):
			probs = append(probs, fmt.Sprintf("%s: %q is not one of %s", f.Name, v, strings.Join(f.Choices, ", ")))
		}
		if v != "" {
			out[f.Name] = v
		}
	}
	for k, v := range c.Fields {
		if !known[k] && strings.TrimSpace(v) != "" {
			probs = append(probs, k+": not a field of this register")
		}
	}
	if len(probs) > 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "register %s: %s", kind, strings.Join(probs, "; "))
	}
	return out, nil
}

func newID(kind Kind) string {
	var b [5]byte
	rand.Read(b[:])
	return strings.ToUpper(string(kind[:3])) + "-" + hex.EncodeToString(b[:])
}

// Save stores a change as a new version and returns it. A change made from
// a version that is no longer the latest is refused (ECONFLICT): the
// officer reloads and sees what changed.
func (s *Service) Save(ctx context.Context, actor string, kind Kind, c Change) (Entry, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return Entry{}, err
	}
	fields, err := validate(kind, c)
	if err != nil {
		return Entry{}, err
	}
	if err := s.checkRefs(ctx, kind, fields); err != nil {
		return Entry{}, err
	}
	e := Entry{Kind: kind, ID: c.ID, Version: 1, Title: strings.TrimSpace(c.Title), Fields: fields, ReviewDue: c.ReviewDue,
		ChangedBy: actor, ChangedAt: s.Clock.Now().UTC()}
	if c.ID == "" {
		e.ID = newID(kind)
	} else {
		cur, err := s.Get(ctx, kind, c.ID)
		if err != nil {
			return Entry{}, err
		}
		if cur.Deleted {
			return Entry{}, coupole.Errorf(coupole.ECONFLICT, "register %s: entry %s was deleted", kind, c.ID)
		}
		if c.Version != cur.Version {
			return Entry{}, coupole.Errorf(coupole.ECONFLICT, "register %s: entry %s changed since version %d (now version %d by %s): reload it", kind, c.ID, c.Version, cur.Version, cur.ChangedBy)
		}
		e.Version = cur.Version + 1
	}
	if err := s.Store.AddRegisterVersion(ctx, e); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// Delete marks an entry deleted in a new version; its history stays.
func (s *Service) Delete(ctx context.Context, actor string, kind Kind, id string, version int) (Entry, error) {
	cur, err := s.Get(ctx, kind, id)
	if err != nil {
		return Entry{}, err
	}
	if cur.Deleted {
		return cur, nil
	}
	if version != cur.Version {
		return Entry{}, coupole.Errorf(coupole.ECONFLICT, "register %s: entry %s changed since version %d: reload it", kind, id, version)
	}
	e := cur
	e.Version, e.Deleted, e.ChangedBy, e.ChangedAt = cur.Version+1, true, actor, s.Clock.Now().UTC()
	if err := s.Store.AddRegisterVersion(ctx, e); err != nil {
		return Entry{}, err
	}
	return e, nil
}

func (s *Service) checkRefs(ctx context.Context, kind Kind, fields map[string]string) error {
	for _, f := range Schemas[kind] {
		if f.Type != Ref || fields[f.Name] == "" {
			continue
		}
		for _, id := range strings.Split(fields[f.Name], ",") {
			id = strings.TrimSpace(id)
			e, err := s.Get(ctx, f.RefKind, id)
			if coupole.ErrorCode(err) == coupole.ENOTFOUND || err == nil && e.Deleted {
				return coupole.Errorf(coupole.EINVALID, "register %s: %s: no %s entry %q", kind, f.Name, f.RefKind, id)
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// Get returns the latest version of an entry.
func (s *Service) Get(ctx context.Context, kind Kind, id string) (Entry, error) {
	h, err := s.Store.RegisterHistory(ctx, kind, id)
	if err != nil {
		return Entry{}, err
	}
	return h[len(h)-1], nil
}

// History returns every version of an entry, oldest first.
func (s *Service) History(ctx context.Context, kind Kind, id string) ([]Entry, error) {
	return s.Store.RegisterHistory(ctx, kind, id)
}

// Listed is an entry with its status on the day it was listed.
type Listed struct {
	Entry
	Status string `json:"status"`
}

// List returns the current entries of a register (deleted ones left out)
// with their status today.
func (s *Service) List(ctx context.Context, kind Kind) ([]Listed, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	es, err := s.Store.RegisterEntries(ctx, kind)
	if err != nil {
		return nil, err
	}
	today := coupole.Date(s.Clock.Now())
	var out []Listed
	for _, e := range es {
		if !e.Deleted {
			out = append(out, Listed{e, Status(e, today)})
		}
	}
	return out, nil
}

// Reminders lists, over every register, the entries whose review is due
// within the reminder window or overdue, and the overdue findings.
func (s *Service) Reminders(ctx context.Context) ([]Listed, error) {
	var out []Listed
	for _, k := range Kinds {
		ls, err := s.List(ctx, k)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			switch l.Status {
			case StatusReviewDue, StatusReviewOverdue, StatusOverdue, StatusIncomplete:
				out = append(out, l)
			}
		}
	}
	return out, nil
}
