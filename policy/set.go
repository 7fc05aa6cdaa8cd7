// Package policy is Coupole's policy engine: Cedar policy sets that a privacy
// officer can read, review and test, embedded in the binary and replaceable by
// a reviewed directory.
//
// The engine is generic over a policy set (a Spec: schema, annotations, the
// meaning of outcomes); the disclosure policy (requirements D1–D10) is its
// first user. Go code gathers facts and asks; the rules live in the *.cedar
// files, never in Go conditions.
package policy

import (
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema/resolved"

	"github.com/coupole/coupole"
)

// Languages are the languages every explanation must exist in, French first
// (the default), then Dutch, German and English.
var Languages = []string{"fr", "nl", "de", "en"}

// DefaultLanguage is the language of explanations when none is asked for.
const DefaultLanguage = "fr"

// langIndex returns the position of lang in Languages ("" means French).
func langIndex(lang string) (int, error) {
	if lang == "" {
		return 0, nil
	}
	if i := slices.Index(Languages, lang); i >= 0 {
		return i, nil
	}
	return 0, coupole.Errorf(coupole.EINVALID, "lang: unknown language (want %s)", strings.Join(Languages, ", "))
}

// Messages is one sentence in each of Languages, in that order.
type Messages [4]string

// In returns the message in lang (a member of Languages; French otherwise).
func (m Messages) In(lang string) string {
	i, err := langIndex(lang)
	if err != nil {
		i = 0
	}
	return m[i]
}

// Annotation keys every policy carries. The reason is a stable machine code;
// reason_fr, reason_nl, reason_de and reason_en are the sentence the advisor
// reads out.
const (
	AnnotationID      = "id"
	AnnotationReason  = "reason"
	AnnotationOutcome = "outcome"
	AnnotationScope   = "scope"

	// AnnotationRecipient says where a permit's delivery goes, e.g. which
	// address a letter is printed for; one of Spec.Recipients.
	AnnotationRecipient = "recipient"

	// AnnotationRequirement names the requirements a policy implements
	// ("D4", "D1, D8"): for the reviewers, the docs and the auditors'
	// screens. A set whose reasons are read out to the caller (Spec.ReadOut)
	// keeps the codes here and out of the sentences.
	AnnotationRequirement = "requirement"
)

// requirementPattern is one requirement code of REQUIREMENTS.md: a letter
// and a number.
var requirementPattern = regexp.MustCompile(`^[A-Z][0-9]+$`)

// codeInText finds a requirement code written in a sentence, "(D4)" or
// "D1, D8": what a sentence said to a caller must not carry.
var codeInText = regexp.MustCompile(`\b[A-Z][0-9]{1,2}\b`)

// Spec describes a kind of policy set: what its policies must declare and
// what the decision means when nothing, a permit or a forbid applies.
type Spec struct {
	Name string // e.g. "disclosure"; used in messages

	// Outcomes are the values a permit may give in @outcome; Refuse is the
	// outcome of a denial (a forbid applied, or no permit did).
	Outcomes []string
	Refuse   string

	// Scopes are the values a permit may give in @scope; RefusalScope is the
	// scope of every refusal.
	Scopes       []string
	RefusalScope string

	// Recipients are the values a permit may give in @recipient (none: the
	// annotation is not allowed).
	Recipients []string

	// RefusalReasons are the values a forbid may give in @reason.
	RefusalReasons []string

	// DefaultDeny is what a request that no policy decides gets (D10).
	DefaultDenyReason string
	DefaultDeny       Messages

	// DefaultDenyRequirements are the requirements of the default deny.
	DefaultDenyRequirements []string

	// ReadOut says that the reasons are sentences the advisor reads out to
	// the caller (issue 15): every policy must name its requirements in
	// @requirement, and no sentence may carry a requirement code.
	ReadOut bool
}

// Policy is one loaded policy with what the engine reads from its annotations.
type Policy struct {
	ID        string
	Permit    bool
	File      string // file name inside the set's directory
	Line      int    // line of the policy's first annotation
	Outcome   string // permits only
	Scope     string // permits only
	Recipient string // permits only, may be empty: where the delivery goes
	Reason    string
	Messages  Messages

	// Requirements are the codes of @requirement, in the order written.
	Requirements []string

	cedar *cedar.Policy
}

// Set is a loaded, validated policy set. It is immutable and safe for
// concurrent use.
type Set struct {
	spec     Spec
	hash     string
	files    []string
	policies []*Policy
	byID     map[cedar.PolicyID]*Policy
	byAction map[types.EntityUID]policyList // the policies whose action scope can match, in reading order
	entities types.EntityMap
	schema   *resolved.Schema
}

// Hash returns the SHA-256 (hex) of the set's files: their names and contents,
// in name order. Two sets with the same hash decide the same way.
func (s *Set) Hash() string { return s.hash }

// Spec returns the kind of the set.
func (s *Set) Spec() Spec { return s.spec }

// Files returns the names of the set's files, schema included, in name order.
func (s *Set) Files() []string { return slices.Clone(s.files) }

// Policies returns the policies in reading order: files by name, then
// position in the file. They are shared: treat them as read-only.
func (s *Set) Policies() []*Policy { return slices.Clone(s.policies) }

// All iterates over the policies in reading order; it makes a Set a
// cedar.PolicyIterator so that Cedar reports matches in that order.
func (s *Set) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) {
		for _, p := range s.policies {
			if !yield(cedar.PolicyID(p.ID), p.cedar) {
				return
			}
		}
	}
}

// Verdict is what a set decides for one request.
type Verdict struct {
	Outcome   string
	Reason    string
	Scope     string
	Policies  []string // ids of the determining policies; empty only for the default deny
	Messages  Messages
	Recipient string // the first permit's @recipient

	// Requirements are the requirements of the determining policies, each
	// once, in their order (the default deny's for the default deny).
	Requirements []string
}

// Decide asks Cedar and reads the answer:
//
//   - a forbid applies: the outcome is Refuse; the reason and explanation are
//     those of the first forbid in reading order; every forbid that applied
//     is listed;
//   - else a permit applies: its @outcome, @scope and @reason; when several
//     permits apply, the first in reading order gives the outcome, and the
//     permits that agree with it are listed (the property tests check that
//     the embedded sets never have permits that disagree);
//   - else: deny by default (Refuse, DefaultDenyReason, no policy).
//
// A policy that fails to evaluate is an error, never a silent skip: a skipped
// forbid could let data out.
func (s *Set) Decide(req cedar.Request) (Verdict, error) {
	var policies cedar.PolicyIterator = s
	if l, ok := s.byAction[req.Action]; ok {
		policies = l
	}
	decision, diag := cedar.Authorize(policies, s.entities, req)
	if len(diag.Errors) > 0 {
		e := diag.Errors[0]
		return Verdict{}, coupole.Errorf(coupole.EINTERNAL, "policy %s (%s:%d) failed to evaluate: %s",
			e.PolicyID, e.Position.Filename, e.Position.Line, e.Message)
	}
	if len(diag.Reasons) == 0 {
		return Verdict{Outcome: s.spec.Refuse, Reason: s.spec.DefaultDenyReason, Scope: s.spec.RefusalScope,
			Policies: []string{}, Messages: s.spec.DefaultDeny, Requirements: slices.Clone(s.spec.DefaultDenyRequirements)}, nil
	}
	first := s.byID[diag.Reasons[0].PolicyID]
	v := Verdict{Reason: first.Reason, Messages: first.Messages, Policies: make([]string, 0, len(diag.Reasons))}
	if decision == cedar.Deny {
		v.Outcome, v.Scope = s.spec.Refuse, s.spec.RefusalScope
	} else {
		v.Outcome, v.Scope, v.Recipient = first.Outcome, first.Scope, first.Recipient
	}
	for _, r := range diag.Reasons {
		if p := s.byID[r.PolicyID]; decision == cedar.Deny || p.Outcome == first.Outcome {
			v.Policies = append(v.Policies, p.ID)
			for _, code := range p.Requirements {
				if !slices.Contains(v.Requirements, code) {
					v.Requirements = append(v.Requirements, code)
				}
			}
		}
	}
	return v, nil
}

// Matching returns every permit and every forbid that applies to req, each
// evaluated on its own, in reading order. Tests use it to check that permits never disagree.
func (s *Set) Matching(req cedar.Request) (permits, forbids []*Policy, err error) {
	for _, p := range s.policies {
		one := onePolicy{p}
		d, diag := cedar.Authorize(one, s.entities, req)
		if len(diag.Errors) > 0 {
			return nil, nil, fmt.Errorf("policy %s: %s", p.ID, diag.Errors[0].Message)
		}
		switch {
		case len(diag.Reasons) == 0:
		case d == cedar.Allow:
			permits = append(permits, p)
		default:
			forbids = append(forbids, p)
		}
	}
	return permits, forbids, nil
}

// policyList is a list of policies in reading order, as a cedar.PolicyIterator.
type policyList []*Policy

func (l policyList) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) {
		for _, p := range l {
			if !yield(cedar.PolicyID(p.ID), p.cedar) {
				return
			}
		}
	}
}

// indexByAction lists, for every action of the schema, the policies whose
// action scope can match it, so that a decision evaluates only those. The
// index only skips policies that would evaluate to false; an action scope
// of an unknown form keeps the policy everywhere.
func (s *Set) indexByAction() {
	ancestors := func(uid types.EntityUID) map[types.EntityUID]bool {
		seen := map[types.EntityUID]bool{uid: true}
		todo := []types.EntityUID{uid}
		for len(todo) > 0 {
			e, ok := s.entities[todo[0]]
			todo = todo[1:]
			if !ok {
				continue
			}
			for parent := range e.Parents.All() {
				if !seen[parent] {
					seen[parent] = true
					todo = append(todo, parent)
				}
			}
		}
		return seen
	}
	s.byAction = map[types.EntityUID]policyList{}
	for action := range s.schema.Actions {
		in := ancestors(action)
		list := policyList{}
		for _, p := range s.policies {
			match := true
			switch sc := p.cedar.AST().Action.(type) {
			case xast.ScopeTypeEq:
				match = sc.Entity == action
			case xast.ScopeTypeIn:
				match = in[sc.Entity]
			case xast.ScopeTypeInSet:
				match = slices.ContainsFunc(sc.Entities, func(e types.EntityUID) bool { return in[e] })
			}
			if match {
				list = append(list, p)
			}
		}
		s.byAction[action] = list
	}
}

type onePolicy struct{ p *Policy }

func (o onePolicy) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) { yield(cedar.PolicyID(o.p.ID), o.p.cedar) }
}
