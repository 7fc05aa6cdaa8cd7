package policy

import (
	"context"
	"embed"
	"io/fs"
	"sync"
	"sync/atomic"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

// embedded holds the reviewed disclosure policy set shipped in the binary.
//
//go:embed disclosure/*.cedar disclosure/*.cedarschema
var embedded embed.FS

// EmbeddedDisclosureFS returns the disclosure policy set shipped in the
// binary (policy/disclosure in the source tree).
func EmbeddedDisclosureFS() fs.FS {
	sub, err := fs.Sub(embedded, "disclosure")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// DisclosureSpec is the kind of the disclosure policy set (D1–D10).
var DisclosureSpec = Spec{
	Name:              "disclosure",
	Outcomes:          []string{"oral", "sms", "letter", "back_office_case", "cms_portal", "website", "customer_portal"},
	Refuse:            string(OutcomeRefuse),
	Scopes:            []string{string(ScopeOwnOccupancy), string(ScopeNone)},
	RefusalScope:      string(ScopeNone),
	Recipients:        []string{RecipientInstallationAddress, RecipientPostalAddress},
	RefusalReasons:    []string{ReasonNotVerified, ReasonNoRelation, ReasonMandateInvalid, ReasonPrivateData, ReasonWrongChannel},
	DefaultDenyReason: ReasonNotAllowed,
	DefaultDeny: Messages{
		"Je ne peux pas répondre à votre demande.",
		"Ik kan uw vraag niet beantwoorden.",
		"Ich kann Ihre Anfrage nicht beantworten.",
		"I cannot answer your request.",
	},
	DefaultDenyRequirements: []string{"D10"},
	ReadOut:                 true,
}

// Disclosure decides what may be told to whom, how (D1–D10). It is immutable
// and safe for concurrent use.
type Disclosure struct {
	set *Set

	// Cedar names of the contract's values, built once.
	requesters map[Requester]types.EntityUID
	channels   map[Channel]types.EntityUID
	actions    map[Item]types.EntityUID
	occupancy  map[Occupancy]types.EntityUID
	mandates   map[Mandate]types.EntityUID
	scopes     map[MandateScope]types.EntityUID
	regimes    map[ReadingRegime]types.EntityUID

	// contexts keeps the Cedar context record of each combination of
	// channel and facts met (contextKey → types.Record, immutable): building
	// one (a map, then cedar-go's copy, sort and hash of it) was half of
	// Decide's time (issue 17, item 6). The combinations are few; at most
	// maxContexts are kept, the rest built each time.
	contexts  sync.Map
	ncontexts atomic.Int64
}

// maxContexts bounds the context records kept by a Disclosure.
const maxContexts = 1 << 14

// contextKey is what a decision's Cedar context is made of.
type contextKey struct {
	channel Channel
	facts   Facts
}

// accessPoint is the resource of every disclosure request: the facts in the
// context describe it.
var accessPoint = types.NewEntityUID("AccessPoint", "asked")

// regimeNotGiven is the Cedar value of an absent reading regime.
const regimeNotGiven = "not_given"

// LoadDisclosure loads a disclosure policy set; origin names it in messages.
func LoadDisclosure(fsys fs.FS, origin string) (*Disclosure, error) {
	set, err := Load(fsys, origin, DisclosureSpec)
	if err != nil {
		return nil, err
	}
	return newDisclosure(set), nil
}

// OpenDisclosure loads the disclosure policy set from dir, or the embedded
// one when dir is empty (the --policy-dir / COUPOLE_POLICY_DIR setting).
func OpenDisclosure(dir string) (*Disclosure, error) {
	set, err := Open(dir, EmbeddedDisclosureFS(), "policy/disclosure", DisclosureSpec)
	if err != nil {
		return nil, err
	}
	return newDisclosure(set), nil
}

func newDisclosure(set *Set) *Disclosure {
	d := &Disclosure{set: set}
	d.requesters = uids[Requester]("Requester", Requesters)
	d.channels = uids[Channel]("Channel", Channels)
	d.occupancy = uids[Occupancy]("Occupancy", Occupancies)
	d.mandates = uids[Mandate]("Mandate", Mandates)
	d.scopes = uids[MandateScope]("MandateScope", MandateScopes)
	d.regimes = uids[ReadingRegime]("ReadingRegime", append(ReadingRegimes, ""))
	d.regimes[""] = types.NewEntityUID("ReadingRegime", regimeNotGiven)
	d.actions = map[Item]types.EntityUID{}
	for _, it := range Items {
		d.actions[it] = types.NewEntityUID("Action", types.String(ActionOf(it)))
	}
	return d
}

// ActionOf is the Cedar action of an item: ask_ITEM for a question,
// give_meter_reading for an index the caller gives (C3) and
// change_contact_details for new contact details (D7), which change the
// customer's data instead of disclosing it.
func ActionOf(it Item) string {
	switch it {
	case ItemMeterReading:
		return "give_" + string(it)
	case ItemContactDetails:
		return "change_" + string(it)
	}
	return "ask_" + string(it)
}

func uids[T ~string](typ string, values []T) map[T]types.EntityUID {
	m := make(map[T]types.EntityUID, len(values))
	for _, v := range values {
		m[v] = types.NewEntityUID(types.EntityType(typ), types.String(v))
	}
	return m
}

// Set returns the policy set that decides.
func (d *Disclosure) Set() *Set { return d.set }

// cedarRequest translates a normalized request into Cedar's terms. It decides
// nothing: every rule is in the policies.
func (d *Disclosure) cedarRequest(r Request) cedar.Request {
	return cedar.Request{
		Principal: d.requesters[r.Requester],
		Action:    d.actions[r.Item],
		Resource:  accessPoint,
		Context:   d.context(r.Channel, r.Facts),
	}
}

// context returns the Cedar context record of channel and facts, built
// once per combination (up to maxContexts).
func (d *Disclosure) context(ch Channel, f Facts) types.Record {
	k := contextKey{ch, f}
	if rec, ok := d.contexts.Load(k); ok {
		return rec.(types.Record)
	}
	rec := types.NewRecord(types.RecordMap{
		"channel":           d.channels[ch],
		"meter_verified":    types.Boolean(f.MeterVerified),
		"occupancy":         d.occupancy[f.Occupancy],
		"mandate":           d.mandates[f.Mandate],
		"mandate_scope":     d.scopes[f.MandateScope],
		"registered_mobile": types.Boolean(f.RegisteredMobile),
		"postal_address":    types.Boolean(f.PostalAddress),
		"ean_count":         types.Long(f.EANCount),
		"reading_regime":    d.regimes[f.ReadingRegime],
	})
	if d.ncontexts.Load() < maxContexts {
		if _, loaded := d.contexts.LoadOrStore(k, rec); !loaded {
			d.ncontexts.Add(1)
		}
	}
	return rec
}

// Decide returns the disclosure decision for req, with the explanation in
// req.Lang. It is pure: the same set and request always give the same
// decision. A request with an unknown value is an EINVALID error naming the
// field.
func (d *Disclosure) Decide(ctx context.Context, req Request) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, err
	}
	r, err := req.normalize()
	if err != nil {
		return Decision{}, err
	}
	v, err := d.set.Decide(d.cedarRequest(r))
	if err != nil {
		return Decision{}, err
	}
	lang, _ := langIndex(r.Lang)
	return Decision{
		Outcome:      Outcome(v.Outcome),
		Reason:       v.Reason,
		Scope:        Scope(v.Scope),
		Policies:     v.Policies,
		Explanation:  v.Messages[lang],
		Recipient:    recipientOf(Outcome(v.Outcome), v.Recipient),
		PolicySet:    d.set.Hash(),
		Requirements: v.Requirements,
	}, nil
}

// Matching returns every permit and forbid that applies to req (tests).
func (d *Disclosure) Matching(req Request) (permits, forbids []*Policy, err error) {
	r, err := req.normalize()
	if err != nil {
		return nil, nil, err
	}
	return d.set.Matching(d.cedarRequest(r))
}

// Where a letter goes: the policies say it with @recipient (a former
// occupant's letter goes to their postal address, docs/policies.md); a
// letter permit that does not say goes to the installation address, as
// the contract's outcome "letter" reads.
const (
	RecipientInstallationAddress = "installation_address"
	RecipientPostalAddress       = "postal_address"
)

func recipientOf(o Outcome, annotated string) string {
	if o != OutcomeLetter {
		return ""
	}
	if annotated == "" {
		return RecipientInstallationAddress
	}
	return annotated
}
