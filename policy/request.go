package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
)

// The values of the decision contract (../shared/contracts/DECISIONS.md).
// They are typed strings so that a Go caller cannot mix them up; each list
// below is the only source of the allowed values for decoding and validation.

// Requester is who is asking.
type Requester string

const (
	RequesterCustomer   Requester = "customer"    // occupant of the access point
	RequesterMandatary  Requester = "mandatary"   // person mandated by the occupant
	RequesterCPAS       Requester = "cpas"        // social-welfare centre with a permanent mandate
	RequesterSupplier   Requester = "supplier"    // commercial energy supplier
	RequesterLandlord   Requester = "landlord"    // owner who is not the occupant
	RequesterThirdParty Requester = "third_party" // anyone else
)

// Requesters are the allowed requesters, in contract order.
var Requesters = []Requester{RequesterCustomer, RequesterMandatary, RequesterCPAS, RequesterSupplier, RequesterLandlord, RequesterThirdParty}

// Channel is how the request reached the contact center.
type Channel string

const (
	ChannelPhone     Channel = "phone"
	ChannelEmail     Channel = "email"
	ChannelLetter    Channel = "letter"
	ChannelChat      Channel = "chat"
	ChannelMessenger Channel = "messenger"
	ChannelCPASLine  Channel = "cpas_line"
	ChannelWebForm   Channel = "web_form"
)

// Channels are the allowed channels, in contract order.
var Channels = []Channel{ChannelPhone, ChannelEmail, ChannelLetter, ChannelChat, ChannelMessenger, ChannelCPASLine, ChannelWebForm}

// Item is what is asked.
type Item string

const (
	ItemEAN                Item = "ean"
	ItemSupplier           Item = "supplier"
	ItemConsumptionHistory Item = "consumption_history"
	ItemCaseStatus         Item = "case_status"
	ItemPublicInfo         Item = "public_info" // planned works, outages

	// ItemMeterReading is Coupole's extension of the contract's items: the
	// caller gives a meter index to record (C3). It is a change to the
	// occupant's data, decided like a disclosure (docs/policies.md).
	ItemMeterReading Item = "meter_reading"

	// ItemContactDetails is Coupole's second extension: the caller changes
	// the customer's mobile number, e-mail address, language or
	// correspondence address (D7). It is a change to the customer's data,
	// decided like a disclosure (docs/policies.md).
	ItemContactDetails Item = "contact_details"
)

// Items are the allowed items: the contract's, in its order, then
// Coupole's extensions.
var Items = []Item{ItemEAN, ItemSupplier, ItemConsumptionHistory, ItemCaseStatus, ItemPublicInfo, ItemMeterReading, ItemContactDetails}

// The facts below are the domain's own types: the policy speaks of the same
// occupancy relation, mandate validity and reading regime as the data.

// Occupancy is the requester's (or the mandator's) relation to the point.
type Occupancy = coupole.OccupancyRelation

const (
	OccupancyCurrent = coupole.OccupancyCurrent
	OccupancyPast    = coupole.OccupancyPast
	OccupancyNone    = coupole.OccupancyNone
)

// Occupancies are the allowed occupancies.
var Occupancies = []Occupancy{OccupancyCurrent, OccupancyPast, OccupancyNone}

// Mandate is the state of the mandate of a mandatary or a CPAS.
type Mandate = coupole.MandateValidity

const (
	MandateNone    = coupole.MandateNone
	MandateValid   = coupole.MandateValid
	MandateExpired = coupole.MandateExpired
)

// Mandates are the allowed mandate states.
var Mandates = []Mandate{MandateNone, MandateValid, MandateExpired}

// MandateScope is what a valid mandate covers (D1): an item outside it is
// refused with mandate_invalid.
type MandateScope = coupole.MandateScope

const (
	MandateScopeAll         = coupole.ScopeAll         // any item (the default)
	MandateScopeConsumption = coupole.ScopeConsumption // consumption history and meter readings only
	MandateScopeCase        = coupole.ScopeCase        // the status of the customer's cases only
)

// MandateScopes are the allowed mandate scopes.
var MandateScopes = coupole.MandateScopes

// ReadingRegime is how the access point is read.
type ReadingRegime = coupole.ReadingRegime

const (
	RegimeAnnual  = coupole.RegimeAnnual
	RegimeMonthly = coupole.RegimeMonthly
	RegimeRemote  = coupole.RegimeRemote // remote reading, no smart meter
	RegimeSmart   = coupole.RegimeSmart
)

// ReadingRegimes are the allowed reading regimes.
var ReadingRegimes = coupole.ReadingRegimes

// Outcome is what the advisor does.
type Outcome string

const (
	OutcomeOral           Outcome = "oral"             // tell it, or reply on the same written channel
	OutcomeSMS            Outcome = "sms"              // to the registered mobile
	OutcomeLetter         Outcome = "letter"           // nominative letter to the installation address
	OutcomeBackOfficeCase Outcome = "back_office_case" // encode a case, answer by e-mail or letter
	OutcomeCMSPortal      Outcome = "cms_portal"       // redirect the supplier
	OutcomeWebsite        Outcome = "website"          // ask on the operator's website
	OutcomeCustomerPortal Outcome = "customer_portal"  // smart-meter portal
	OutcomeRefuse         Outcome = "refuse"
)

// Outcomes are the allowed outcomes; every one but refuse is given by a permit.
var Outcomes = []Outcome{OutcomeOral, OutcomeSMS, OutcomeLetter, OutcomeBackOfficeCase, OutcomeCMSPortal, OutcomeWebsite, OutcomeCustomerPortal, OutcomeRefuse}

// Refusal reasons of the contract.
const (
	ReasonNotVerified    = "not_verified"
	ReasonNoRelation     = "no_relation"
	ReasonMandateInvalid = "mandate_invalid"
	ReasonPrivateData    = "private_data"
	ReasonWrongChannel   = "wrong_channel"
	ReasonNotAllowed     = "not_allowed" // deny by default (D10)
)

// RefusalReasons are the reasons a refusal may carry.
var RefusalReasons = []string{ReasonNotVerified, ReasonNoRelation, ReasonMandateInvalid, ReasonPrivateData, ReasonWrongChannel, ReasonNotAllowed}

// Scope says what the disclosed data is limited to.
type Scope string

const (
	ScopeOwnOccupancy Scope = "own_occupancy" // the requester's occupancy period
	ScopeNone         Scope = "none"          // public info, redirects and refusals
)

// Request is one disclosure question: who asks what, through which channel,
// and the facts the advisor (or the interaction service) established.
type Request struct {
	Requester Requester `json:"requester"`
	Channel   Channel   `json:"channel"`
	Item      Item      `json:"item"`
	Facts     Facts     `json:"facts"`

	// Lang is the language of the decision's explanation: fr (default), nl,
	// de or en. It is not part of the JSON request.
	Lang string `json:"-"`
}

// Facts are what is known about the requester and the access point. The zero
// value of each field is the contract's default, except EANCount whose zero
// means "not given", i.e. 1.
type Facts struct {
	MeterVerified    bool          `json:"meter_verified"`
	Occupancy        Occupancy     `json:"occupancy,omitempty"`     // "" means none
	Mandate          Mandate       `json:"mandate,omitempty"`       // "" means none
	MandateScope     MandateScope  `json:"mandate_scope,omitempty"` // "" means all
	RegisteredMobile bool          `json:"registered_mobile"`
	PostalAddress    bool          `json:"postal_address"`           // a correspondence address other than the installation address is on file (extension of the contract)
	EANCount         int           `json:"ean_count,omitempty"`      // 0 means 1
	ReadingRegime    ReadingRegime `json:"reading_regime,omitempty"` // "" means not given
}

// Decision is the answer, in the JSON of the contract.
type Decision struct {
	Outcome     Outcome  `json:"outcome"`
	Reason      string   `json:"reason"`
	Scope       Scope    `json:"scope"`
	Policies    []string `json:"policies"`
	Explanation string   `json:"explanation"`

	// PolicySet is the SHA-256 (hex) of the policy set that decided, so that
	// a trace names the policy version. Not part of the JSON decision.
	PolicySet string `json:"-"`

	// Recipient is where a letter goes, RecipientInstallationAddress or
	// RecipientPostalAddress (the permit's @recipient); empty for other
	// outcomes. Not part of the JSON decision: the contract's outcome
	// stays "letter".
	Recipient string `json:"-"`

	// Requirements are the codes of the requirements the determining
	// policies implement (@requirement), for auditors: the explanation is
	// said to the caller and names none. Not part of the JSON decision.
	Requirements []string `json:"-"`
}

// normalize applies the defaults and checks every value, naming the field
// of the first bad one.
func (r Request) normalize() (Request, error) {
	if err := checkEnum("requester", r.Requester, Requesters); err != nil {
		return r, err
	}
	if err := checkEnum("channel", r.Channel, Channels); err != nil {
		return r, err
	}
	if err := checkEnum("item", r.Item, Items); err != nil {
		return r, err
	}
	f := &r.Facts
	if f.Occupancy == "" {
		f.Occupancy = OccupancyNone
	}
	if f.Mandate == "" {
		f.Mandate = MandateNone
	}
	if f.MandateScope == "" {
		f.MandateScope = MandateScopeAll
	}
	if f.EANCount == 0 {
		f.EANCount = 1
	}
	if err := checkEnum("facts.occupancy", f.Occupancy, Occupancies); err != nil {
		return r, err
	}
	if err := checkEnum("facts.mandate", f.Mandate, Mandates); err != nil {
		return r, err
	}
	if err := checkEnum("facts.mandate_scope", f.MandateScope, MandateScopes); err != nil {
		return r, err
	}
	if f.EANCount < 1 {
		return r, coupole.Errorf(coupole.EINVALID, "facts.ean_count: must be an integer ≥ 1")
	}
	if f.ReadingRegime != "" {
		if err := checkEnum("facts.reading_regime", f.ReadingRegime, ReadingRegimes); err != nil {
			return r, err
		}
	}
	if _, err := langIndex(r.Lang); err != nil {
		return r, err
	}
	return r, nil
}

// enumLike is what a mistyped enum value looks like; only such values are
// echoed in errors, so that a pasted EAN or name never reaches a message.
var enumLike = regexp.MustCompile(`^[A-Za-z_]{1,24}$`)

func checkEnum[T ~string](field string, v T, allowed []T) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if v == "" {
		return coupole.Errorf(coupole.EINVALID, "%s: required (one of %s)", field, strings.Join(names, ", "))
	}
	if enumLike.MatchString(string(v)) {
		return coupole.Errorf(coupole.EINVALID, "%s: unknown value %q (want one of %s)", field, string(v), strings.Join(names, ", "))
	}
	return coupole.Errorf(coupole.EINVALID, "%s: unknown value (want one of %s)", field, strings.Join(names, ", "))
}

// ParseRequest decodes a JSON request strictly: bad JSON, an unknown field, a
// value of the wrong type or an unknown enum value is an EINVALID error whose
// message (one line) names the field. Missing facts take their defaults.
func ParseRequest(data []byte) (Request, error) {
	var r Request
	top, err := decodeObject("request", data)
	if err != nil {
		return r, err
	}
	for _, k := range sortedKeys(top) {
		raw := top[k]
		switch k {
		case "requester":
			err = decodeEnum(k, raw, &r.Requester, Requesters)
		case "channel":
			err = decodeEnum(k, raw, &r.Channel, Channels)
		case "item":
			err = decodeEnum(k, raw, &r.Item, Items)
		case "facts":
			err = decodeFacts(raw, &r.Facts)
		default:
			err = unknownField("", k)
		}
		if err != nil {
			return r, err
		}
	}
	for _, req := range []struct {
		name string
		set  bool
	}{{"requester", r.Requester != ""}, {"channel", r.Channel != ""}, {"item", r.Item != ""}} {
		if !req.set {
			return r, coupole.Errorf(coupole.EINVALID, "%s: required", req.name)
		}
	}
	// The contract requires the reading regime for a consumption history:
	// without it the request is malformed, not refused. (A Go caller may
	// leave it out: the interaction service asks before a point is chosen,
	// and the policies then refuse.)
	if r.Item == ItemConsumptionHistory && r.Facts.ReadingRegime == "" {
		return r, checkEnum("facts.reading_regime", r.Facts.ReadingRegime, ReadingRegimes)
	}
	return r.normalize()
}

func decodeFacts(data []byte, f *Facts) error {
	obj, err := decodeObject("facts", data)
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(obj) {
		raw := obj[k]
		name := "facts." + k
		switch k {
		case "meter_verified":
			err = decodeBool(name, raw, &f.MeterVerified)
		case "registered_mobile":
			err = decodeBool(name, raw, &f.RegisteredMobile)
		case "postal_address":
			err = decodeBool(name, raw, &f.PostalAddress)
		case "occupancy":
			err = decodeEnum(name, raw, &f.Occupancy, Occupancies)
		case "mandate":
			err = decodeEnum(name, raw, &f.Mandate, Mandates)
		case "mandate_scope":
			err = decodeEnum(name, raw, &f.MandateScope, MandateScopes)
		case "reading_regime":
			err = decodeEnum(name, raw, &f.ReadingRegime, ReadingRegimes)
		case "ean_count":
			var n json.Number
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			// json.Number also accepts "3" (a string): a wrong type here.
			if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] == '"' || dec.Decode(&n) != nil {
				return coupole.Errorf(coupole.EINVALID, "%s: must be an integer ≥ 1", name)
			}
			v, perr := n.Int64()
			if perr != nil || v < 1 || v > 1_000_000 {
				return coupole.Errorf(coupole.EINVALID, "%s: must be an integer ≥ 1", name)
			}
			f.EANCount = int(v)
		default:
			err = unknownField("facts.", k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func decodeObject(name string, data []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: invalid JSON: %s", name, strings.TrimPrefix(syntax.Error(), "json: "))
		}
		return nil, coupole.Errorf(coupole.EINVALID, "%s: must be a JSON object", name)
	}
	if obj == nil { // null
		return nil, coupole.Errorf(coupole.EINVALID, "%s: must be a JSON object, not null", name)
	}
	return obj, nil
}

func decodeEnum[T ~string](name string, raw json.RawMessage, dst *T, allowed []T) error {
	var s string
	if isNull(raw) || json.Unmarshal(raw, &s) != nil {
		return coupole.Errorf(coupole.EINVALID, "%s: must be a string", name)
	}
	if err := checkEnum(name, T(s), allowed); err != nil {
		return err
	}
	*dst = T(s)
	return nil
}

func decodeBool(name string, raw json.RawMessage, dst *bool) error {
	if isNull(raw) || json.Unmarshal(raw, dst) != nil {
		return coupole.Errorf(coupole.EINVALID, "%s: must be true or false", name)
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func unknownField(prefix, k string) error {
	if len(k) > 40 {
		k = k[:40] + "…"
	}
	q := strconv.Quote(k) // escapes control characters: the message stays on one line
	name := q[1 : len(q)-1]
	if name == "" {
		name = `""` // the member with an empty name
	}
	return coupole.Errorf(coupole.EINVALID, "%s%s: unknown field", prefix, name)
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
