// Package staffpolicy is the staff-access policy set (issue 5: S2, S3, S7,
// C1): which role may do what, need-to-know on customer data, break-glass and
// segregation of duties. It is the second policy set on the generic engine of
// package policy: the rules are the *.cedar files of this directory, embedded
// in the binary and replaceable by a reviewed directory; Go only translates
// requests.
package staffpolicy

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"slices"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

//go:embed *.cedar *.cedarschema
var embedded embed.FS

// EmbeddedFS returns the staff policy set shipped in the binary.
func EmbeddedFS() fs.FS { return embedded }

// Outcomes of the staff set.
const (
	Allow = "allow"
	Deny  = "deny"
)

// Spec is the kind of the staff-access policy set.
var Spec = policy.Spec{
	Name:              "staff",
	Outcomes:          []string{Allow},
	Refuse:            Deny,
	Scopes:            []string{"own", "interaction", "break_glass", "metadata", "traces", "accounts", "case"},
	RefusalScope:      "none",
	RefusalReasons:    []string{"no_customer_data", "self_administration", "self_approval", "self_unlock", "self_acknowledge"},
	DefaultDenyReason: "not_allowed",
	DefaultDeny: policy.Messages{
		"Aucune règle n'autorise votre rôle à faire ceci : refusé par défaut (S2).",
		"Geen enkele regel staat uw rol dit toe: standaard geweigerd (S2).",
		"Keine Regel erlaubt Ihrer Rolle dies: standardmäßig abgelehnt (S2).",
		"No rule allows your role to do this: refused by default (S2).",
	},
}

// Authorizer decides staff access with the staff policy set. It implements
// coupole.StaffAuthorizer and is safe for concurrent use.
type Authorizer struct {
	set *policy.Set
}

var _ coupole.StaffAuthorizer = (*Authorizer)(nil)

// Load loads a staff policy set; origin names it in messages.
func Load(fsys fs.FS, origin string) (*Authorizer, error) {
	set, err := policy.Load(fsys, origin, Spec)
	if err != nil {
		return nil, err
	}
	return &Authorizer{set: set}, nil
}

// Open loads the staff set from dir (a reviewed copy of this directory), or
// the embedded one when dir is empty.
func Open(dir string) (*Authorizer, error) {
	set, err := policy.Open(dir, EmbeddedFS(), "policy/staff", Spec)
	if err != nil {
		return nil, err
	}
	return &Authorizer{set: set}, nil
}

// MustEmbedded returns the embedded set; it panics if it does not load, which
// tests prevent.
func MustEmbedded() *Authorizer {
	a, err := Open("")
	if err != nil {
		panic(err)
	}
	return a
}

// Set returns the loaded policy set.
func (a *Authorizer) Set() *policy.Set { return a.set }

var resourceTypes = []string{"Page", "Customer", "AccessPoint", "StaffAccount", "Grant", "Interaction", "Alert", "Case"}

// AuthorizeStaff decides r. Deny by default; a forbid wins over every permit.
func (a *Authorizer) AuthorizeStaff(ctx context.Context, r coupole.AccessRequest) (coupole.AccessDecision, error) {
	if err := ctx.Err(); err != nil {
		return coupole.AccessDecision{}, err
	}
	v, err := a.decide(r.Staff.ID, r.Staff.Roles, r.Action, r.ResourceType, r.ResourceID, r.Facts)
	if err != nil {
		return coupole.AccessDecision{}, err
	}
	return coupole.AccessDecision{Allow: v.Outcome == Allow, Policies: v.Policies, Reason: v.Reason}, nil
}

func (a *Authorizer) decide(staffID string, roles []coupole.Role, action coupole.StaffAction, resType, resID string, f coupole.AccessFacts) (policy.Verdict, error) {
	if !slices.Contains(coupole.StaffActions, action) {
		return policy.Verdict{}, coupole.Errorf(coupole.EINVALID, "action: unknown staff action %q", action)
	}
	if !slices.Contains(resourceTypes, resType) {
		return policy.Verdict{}, coupole.Errorf(coupole.EINVALID, "resource: unknown resource type %q (want one of %s)", resType, strings.Join(resourceTypes, ", "))
	}
	rs := make([]types.Value, 0, len(roles))
	for _, role := range roles {
		if _, err := coupole.ParseRole(string(role)); err != nil {
			return policy.Verdict{}, err
		}
		rs = append(rs, types.NewEntityUID("Role", types.String(role)))
	}
	if resID == "" {
		resID = "any"
	}
	return a.set.Decide(cedar.Request{
		Principal: types.NewEntityUID("Staff", types.String(staffID)),
		Action:    types.NewEntityUID("Action", types.String(action)),
		Resource:  types.NewEntityUID(types.EntityType(resType), types.String(resID)),
		Context: types.NewRecord(types.RecordMap{
			"roles":               types.NewSet(rs...),
			"handles_interaction": types.Boolean(f.HandlesInteraction),
			"break_glass":         types.Boolean(f.BreakGlass),
			"target_is_self":      types.Boolean(f.TargetIsSelf),
			"handles_case":        types.Boolean(f.HandlesCase),
			"is_reviewer":         types.Boolean(f.IsReviewer),
		}),
	})
}

// ScenarioRequest is the request of a staff scenario case:
//
//	{"roles": ["advisor"], "action": "customer.read", "resource": "Customer",
//	 "facts": {"handles_interaction": true}}
type ScenarioRequest struct {
	Roles    []string `json:"roles"`
	Action   string   `json:"action"`
	Resource string   `json:"resource"`
	Facts    struct {
		HandlesInteraction bool `json:"handles_interaction"`
		BreakGlass         bool `json:"break_glass"`
		TargetIsSelf       bool `json:"target_is_self"`
		HandlesCase        bool `json:"handles_case"`
		IsReviewer         bool `json:"is_reviewer"`
	} `json:"facts"`
}

// DecideJSON is the policy.DecideFunc of the staff set, for `coupole policy
// test`: outcome "allow" or "deny" and the reason code.
func (a *Authorizer) DecideJSON(ctx context.Context, request json.RawMessage) (policy.Result, error) {
	dec := json.NewDecoder(strings.NewReader(string(request)))
	dec.DisallowUnknownFields()
	var req ScenarioRequest
	if err := dec.Decode(&req); err != nil {
		return policy.Result{}, coupole.Errorf(coupole.EINVALID, "staff request: %v", err)
	}
	roles, err := coupole.ParseRoles(strings.Join(req.Roles, ","))
	if err != nil {
		return policy.Result{}, err
	}
	resType := req.Resource
	if resType == "" {
		resType = "Page"
	}
	f := coupole.AccessFacts{HandlesInteraction: req.Facts.HandlesInteraction, BreakGlass: req.Facts.BreakGlass, TargetIsSelf: req.Facts.TargetIsSelf, HandlesCase: req.Facts.HandlesCase,
		IsReviewer: req.Facts.IsReviewer}
	v, err := a.decide("scenario", roles, coupole.StaffAction(req.Action), resType, "", f)
	if err != nil {
		return policy.Result{}, err
	}
	return policy.Result{Outcome: v.Outcome, Reason: v.Reason, Policies: v.Policies}, nil
}
