package scim

import "strings"

// Schema URNs (RFC 7643 §8.7, RFC 7644 §3).
const (
	SchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaSPC        = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	SchemaRT         = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	MsgList          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	MsgSearch        = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	MsgPatch         = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	MsgError         = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// Attribute is one attribute definition of a schema (RFC 7643 §7). The
// definitions drive the canonical spelling of names (attribute names are
// case-insensitive), which strings compare case-exactly, which values are
// booleans, which may not be written, and the /Schemas endpoint.
type Attribute struct {
	Name        string
	Type        string // string, boolean, complex, reference, dateTime, integer
	MultiValued bool
	Required    bool
	CaseExact   bool
	Mutability  string // readWrite (default), readOnly, immutable, writeOnly
	Returned    string // default (default), always, never, request
	Uniqueness  string // none (default), server
	Sub         []*Attribute
}

func str(name string) *Attribute { return &Attribute{Name: name, Type: "string"} }
func boolean(name string) *Attribute {
	return &Attribute{Name: name, Type: "boolean"}
}
func complexAttr(name string, multi bool, sub ...*Attribute) *Attribute {
	return &Attribute{Name: name, Type: "complex", MultiValued: multi, Sub: sub}
}
func ref(name string) *Attribute {
	return &Attribute{Name: name, Type: "reference", CaseExact: true}
}

// multiSub is the usual sub-attributes of a multi-valued attribute.
func multiSub() []*Attribute {
	return []*Attribute{str("value"), str("display"), str("type"), boolean("primary")}
}

func with(a *Attribute, f func(a *Attribute)) *Attribute { f(a); return a }

var userAttrs = []*Attribute{
	with(str("userName"), func(a *Attribute) { a.Required, a.Uniqueness = true, "server" }),
	complexAttr("name", false, str("formatted"), str("familyName"), str("givenName"), str("middleName"), str("honorificPrefix"), str("honorificSuffix")),
	str("displayName"), str("nickName"), ref("profileUrl"), str("title"), str("userType"),
	str("preferredLanguage"), str("locale"), str("timezone"), boolean("active"),
	with(str("password"), func(a *Attribute) { a.Mutability, a.Returned = "writeOnly", "never" }),
	complexAttr("emails", true, multiSub()...),
	complexAttr("phoneNumbers", true, multiSub()...),
	complexAttr("ims", true, multiSub()...),
	complexAttr("photos", true, multiSub()...),
	complexAttr("addresses", true, str("formatted"), str("streetAddress"), str("locality"), str("region"), str("postalCode"), str("country"), str("type"), boolean("primary")),
	with(complexAttr("groups", true, with(str("value"), func(a *Attribute) { a.Mutability = "readOnly" }), with(ref("$ref"), func(a *Attribute) { a.Mutability = "readOnly" }), with(str("display"), func(a *Attribute) { a.Mutability = "readOnly" }), with(str("type"), func(a *Attribute) { a.Mutability = "readOnly" })), func(a *Attribute) { a.Mutability = "readOnly" }),
	complexAttr("entitlements", true, multiSub()...),
	complexAttr("roles", true, multiSub()...),
	complexAttr("x509Certificates", true, multiSub()...),
}

var enterpriseAttrs = []*Attribute{
	str("employeeNumber"), str("costCenter"), str("organization"), str("division"), str("department"),
	complexAttr("manager", false, str("value"), ref("$ref"), with(str("displayName"), func(a *Attribute) { a.Mutability = "readOnly" })),
}

var groupAttrs = []*Attribute{
	with(str("displayName"), func(a *Attribute) { a.Required, a.Uniqueness = true, "server" }),
	complexAttr("members", true, with(str("value"), func(a *Attribute) { a.Mutability = "immutable" }), with(ref("$ref"), func(a *Attribute) { a.Mutability = "immutable" }), str("display"), with(str("type"), func(a *Attribute) { a.Mutability = "immutable" })),
}

// commonAttrs are the attributes of every resource (RFC 7643 §3.1).
var commonAttrs = []*Attribute{
	with(str("id"), func(a *Attribute) {
		a.CaseExact, a.Mutability, a.Returned, a.Uniqueness = true, "readOnly", "always", "server"
	}),
	with(str("externalId"), func(a *Attribute) { a.CaseExact = true }),
	with(complexAttr("meta", false, str("resourceType"), &Attribute{Name: "created", Type: "dateTime"}, &Attribute{Name: "lastModified", Type: "dateTime"}, ref("location"), with(str("version"), func(a *Attribute) { a.CaseExact = true })), func(a *Attribute) { a.Mutability = "readOnly" }),
	with(ref("schemas"), func(a *Attribute) { a.MultiValued = true }),
}

// resourceSchema describes a resource type: its core attributes and the
// extensions it carries.
type resourceSchema struct {
	Name       string // "User", "Group"
	Endpoint   string // "/Users"
	Core       string
	Attrs      []*Attribute
	Extensions map[string][]*Attribute
}

var userSchema = &resourceSchema{Name: "User", Endpoint: "/Users", Core: SchemaUser, Attrs: userAttrs,
	Extensions: map[string][]*Attribute{SchemaEnterprise: enterpriseAttrs}}
var groupSchema = &resourceSchema{Name: "Group", Endpoint: "/Groups", Core: SchemaGroup, Attrs: groupAttrs}

func findAttr(list []*Attribute, name string) *Attribute {
	for _, a := range list {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// lookup returns the definition of a path's attribute (and sub-attribute
// when sub is not empty) under urn (empty: the core schema), or nil.
func (s *resourceSchema) lookup(urn, name, sub string) *Attribute {
	var a *Attribute
	if urn == "" || strings.EqualFold(urn, s.Core) {
		a = findAttr(commonAttrs, name)
		if a == nil {
			a = findAttr(s.Attrs, name)
		}
	} else {
		for u, attrs := range s.Extensions {
			if strings.EqualFold(u, urn) {
				a = findAttr(attrs, name)
			}
		}
	}
	if a == nil || sub == "" {
		return a
	}
	return findAttr(a.Sub, sub)
}

// extensionURN returns the canonical spelling of an extension URN of s.
func (s *resourceSchema) extensionURN(key string) (string, bool) {
	for u := range s.Extensions {
		if strings.EqualFold(u, key) {
			return u, true
		}
	}
	return "", false
}

// canonical rewrites a resource document with the schema's spelling of
// every known attribute name (names are case-insensitive, RFC 7643 §2.1),
// turns the strings "True"/"False" of boolean attributes into booleans
// (Entra ID sends "active": "False"), and drops writeOnly values that must
// never be returned (password).
func (s *resourceSchema) canonical(doc map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		if u, ok := s.extensionURN(k); ok {
			if m, ok := v.(map[string]any); ok {
				out[u] = canonicalAttrs(s.Extensions[u], m)
			}
			continue
		}
		a := findAttr(commonAttrs, k)
		if a == nil {
			a = findAttr(s.Attrs, k)
		}
		if a == nil {
			out[k] = v
			continue
		}
		if a.Returned == "never" {
			continue
		}
		out[a.Name] = canonicalValue(a, v)
	}
	return out
}

func canonicalAttrs(list []*Attribute, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		a := findAttr(list, k)
		if a == nil {
			out[k] = v
			continue
		}
		out[a.Name] = canonicalValue(a, v)
	}
	return out
}

func canonicalValue(a *Attribute, v any) any {
	switch a.Type {
	case "boolean":
		if s, ok := v.(string); ok {
			switch strings.ToLower(s) {
			case "true":
				return true
			case "false":
				return false
			}
		}
		return v
	case "complex":
		switch x := v.(type) {
		case map[string]any:
			return canonicalAttrs(a.Sub, x)
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				if m, ok := e.(map[string]any); ok {
					out[i] = canonicalAttrs(a.Sub, m)
				} else {
					out[i] = e
				}
			}
			return out
		}
	}
	return v
}
