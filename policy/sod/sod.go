// Package sodpolicy is the segregation-of-duties policy set (issue 12, S7):
// incompatible role pairs and the rules that nobody administers, approves,
// validates or audits what concerns themselves. It is the third policy set on
// the generic engine of package policy, checked at every role assignment
// whatever its source and at every approval; Go only translates requests.
package sodpolicy

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

//go:embed *.cedar *.cedarschema
var embedded embed.FS

// EmbeddedFS returns the SoD policy set shipped in the binary.
func EmbeddedFS() fs.FS { return embedded }

// Outcomes of the SoD set.
const (
	Allow = "allow"
	Deny  = "deny"
)

// Actions of the SoD set.
const (
	ActionAssign   = "role.assign"
	ActionApprove  = "request.approve"
	ActionValidate = "access.validate"
	ActionAudit    = "trace.search"
)

var resourceOf = map[string]string{
	ActionAssign:   "StaffAccount",
	ActionApprove:  "Request",
	ActionValidate: "StaffAccount",
	ActionAudit:    "TraceSearch",
}

// Spec is the kind of the SoD policy set.
var Spec = policy.Spec{
	Name:              "sod",
	Outcomes:          []string{Allow},
	Refuse:            Deny,
	Scopes:            []string{"sod"},
	RefusalScope:      "none",
	RefusalReasons:    []string{"incompatible_roles", "self_administration", "self_approval", "self_validation", "self_audit", "own_grant_validation"},
	DefaultDenyReason: "not_allowed",
	DefaultDeny: policy.Messages{
		"Aucune règle de séparation des tâches ne couvre cette demande : refusée par défaut (S7).",
		"Geen enkele regel van functiescheiding dekt deze aanvraag: standaard geweigerd (S7).",
		"Keine Regel der Funktionstrennung deckt diese Anfrage ab: standardmäßig abgelehnt (S7).",
		"No segregation-of-duties rule covers this request: refused by default (S7).",
	},
}

// Checker decides segregation of duties with the SoD policy set. It is
// immutable and safe for concurrent use.
type Checker struct {
	set *policy.Set
}

// Load loads a SoD policy set; origin names it in messages.
func Load(fsys fs.FS, origin string) (*Checker, error) {
	set, err := policy.Load(fsys, origin, Spec)
	if err != nil {
		return nil, err
	}
	return &Checker{set: set}, nil
}

// Open loads the SoD set from dir (a reviewed copy of this directory), or the
// embedded one when dir is empty.
func Open(dir string) (*Checker, error) {
	set, err := policy.Open(dir, EmbeddedFS(), "policy/sod", Spec)
	if err != nil {
		return nil, err
	}
	return &Checker{set: set}, nil
}

// MustEmbedded returns the embedded set; it panics if it does not load, which
// tests prevent.
func MustEmbedded() *Checker {
	c, err := Open("")
	if err != nil {
		panic(err)
	}
	return c
}

// Set returns the loaded policy set.
func (c *Checker) Set() *policy.Set { return c.set }

// Check asks whether actor may do action about the account or request of
// target, given the roles the target would hold. A refusal is an EFORBIDDEN
// coupole.Error whose message is the first refusing rule's explanation in
// lang; Refusal gives the rule's id and reason code.
func (c *Checker) Check(ctx context.Context, action, actor, target string, roles []coupole.Role, lang coupole.Language) error {
	return c.check(ctx, action, actor, roles, facts{self: actor != "" && actor == target}, lang)
}

// CheckValidation asks whether actor may validate (or review) the access
// granted to target by granter (S5): nobody validates their own access nor
// a grant they made. granter is empty when a system actor granted.
func (c *Checker) CheckValidation(ctx context.Context, actor, target, granter string, roles []coupole.Role, lang coupole.Language) error {
	return c.check(ctx, ActionValidate, actor, roles, facts{self: actor != "" && actor == target, grantor: actor != "" && actor == granter}, lang)
}

func (c *Checker) check(ctx context.Context, action, actor string, roles []coupole.Role, f facts, lang coupole.Language) error {
	v, err := c.decide(ctx, action, actor, roles, f)
	if err != nil {
		return err
	}
	if v.Outcome == Allow {
		return nil
	}
	r := &Refusal{Rule: first(v.Policies), Reason: v.Reason, Messages: v.Messages, Lang: lang}
	return coupole.Wrap(r, coupole.EFORBIDDEN, "%s", r.Error())
}

// Conflicts lists the refusals of action for these facts (every forbid that
// applies, not only the first): the SoD report shows them all.
func (c *Checker) Conflicts(ctx context.Context, roles []coupole.Role) ([]Refusal, error) {
	v, err := c.decide(ctx, ActionAssign, "report", roles, facts{})
	if err != nil || v.Outcome == Allow {
		return nil, err
	}
	var out []Refusal
	for _, id := range v.Policies {
		for _, p := range c.set.Policies() {
			if p.ID == id {
				out = append(out, Refusal{Rule: p.ID, Reason: p.Reason, Messages: p.Messages})
			}
		}
	}
	return out, nil
}

func first(ids []string) string {
	if len(ids) == 0 {
		return Spec.DefaultDenyReason
	}
	return ids[0]
}

// facts are the booleans of a SoD request's context.
type facts struct {
	self    bool // actor_is_target
	grantor bool // actor_is_grantor
}

func (c *Checker) decide(ctx context.Context, action, actor string, roles []coupole.Role, f facts) (policy.Verdict, error) {
	if err := ctx.Err(); err != nil {
		return policy.Verdict{}, err
	}
	res, ok := resourceOf[action]
	if !ok {
		return policy.Verdict{}, coupole.Errorf(coupole.EINVALID, "sod: unknown action %q", action)
	}
	rs := make([]types.Value, 0, len(roles))
	for _, r := range roles {
		if _, err := coupole.ParseRole(string(r)); err != nil {
			return policy.Verdict{}, err
		}
		rs = append(rs, types.NewEntityUID("Role", types.String(r)))
	}
	if actor == "" {
		actor = "unknown"
	}
	return c.set.Decide(cedar.Request{
		Principal: types.NewEntityUID("Staff", types.String(actor)),
		Action:    types.NewEntityUID("Action", types.String(action)),
		Resource:  types.NewEntityUID(types.EntityType(res), "any"),
		Context: types.NewRecord(types.RecordMap{
			"roles":            types.NewSet(rs...),
			"actor_is_target":  types.Boolean(f.self),
			"actor_is_grantor": types.Boolean(f.grantor),
		}),
	})
}

// Refusal is a segregation-of-duties refusal: the rule that refused and its
// explanation in the four languages. Check returns it wrapped in an
// EFORBIDDEN coupole.Error; errors.As finds it to translate the message.
type Refusal struct {
	Rule     string // the forbid's @id, e.g. "incompatible-auditor-it-admin"
	Reason   string // its @reason code, e.g. "incompatible_roles"
	Messages policy.Messages
	Lang     coupole.Language // the language of Error(); French when empty
}

// Error names the rule and says why, in r.Lang.
func (r *Refusal) Error() string {
	return "segregation of duties (" + r.Rule + "): " + r.Messages.In(string(r.Lang))
}

// In returns the explanation in lang.
func (r *Refusal) In(lang coupole.Language) string { return r.Messages.In(string(lang)) }

// ScenarioRequest is the request of a SoD scenario case:
//
//	{"roles": ["auditor", "it_admin"], "action": "role.assign", "facts": {"actor_is_target": false}}
type ScenarioRequest struct {
	Roles  []string `json:"roles"`
	Action string   `json:"action"`
	Facts  struct {
		ActorIsTarget  bool `json:"actor_is_target"`
		ActorIsGrantor bool `json:"actor_is_grantor"`
	} `json:"facts"`
}

// DecideJSON is the policy.DecideFunc of the SoD set, for `coupole policy
// test --set sod`.
func (c *Checker) DecideJSON(ctx context.Context, request json.RawMessage) (policy.Result, error) {
	dec := json.NewDecoder(strings.NewReader(string(request)))
	dec.DisallowUnknownFields()
	var req ScenarioRequest
	if err := dec.Decode(&req); err != nil {
		return policy.Result{}, coupole.Errorf(coupole.EINVALID, "sod request: %v", err)
	}
	roles, err := coupole.ParseRoles(strings.Join(req.Roles, ","))
	if err != nil {
		return policy.Result{}, err
	}
	v, err := c.decide(ctx, req.Action, "scenario", roles, facts{self: req.Facts.ActorIsTarget, grantor: req.Facts.ActorIsGrantor})
	if err != nil {
		return policy.Result{}, err
	}
	return policy.Result{Outcome: v.Outcome, Reason: v.Reason, Policies: v.Policies}, nil
}
