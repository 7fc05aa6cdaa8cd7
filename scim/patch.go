package scim

import (
	"reflect"
	"strings"
)

// patchOp is one operation of a PatchOp request (RFC 7644 §3.5.2). Op is
// compared case-insensitively: Entra ID sends "Replace", "Add", "Remove".
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// patchTarget is a parsed PATCH path: attrPath, or
// attrPath "[" valFilter "]" ["." subAttr].
type patchTarget struct {
	attrPath
	Filter expr // nil without a value filter
}

func parsePatchPath(s string) (patchTarget, error) {
	s = strings.TrimSpace(s)
	open := strings.Index(s, "[")
	if open < 0 {
		p, err := parseAttrPath(s)
		if err != nil {
			return patchTarget{}, badRequest("invalidPath", "patch: "+err.Error())
		}
		return patchTarget{attrPath: p}, nil
	}
	close := strings.LastIndex(s, "]")
	if close < open {
		return patchTarget{}, badRequest("invalidPath", "patch: missing ] in path")
	}
	p, err := parseAttrPath(s[:open])
	if err != nil || p.Sub != "" {
		return patchTarget{}, badRequest("invalidPath", "patch: bad attribute before [ in path")
	}
	f, err := parseFilter(s[open+1 : close])
	if err != nil {
		return patchTarget{}, badRequest("invalidPath", "patch: bad value filter in path")
	}
	rest := s[close+1:]
	if rest != "" {
		if !strings.HasPrefix(rest, ".") || !validName(rest[1:]) {
			return patchTarget{}, badRequest("invalidPath", "patch: bad sub-attribute after ] in path")
		}
		p.Sub = rest[1:]
	}
	return patchTarget{attrPath: p, Filter: f}, nil
}

// applyPatch applies ops to doc (changed in place) under schema s.
func applyPatch(s *resourceSchema, doc map[string]any, ops []patchOp) error {
	if len(ops) == 0 {
		return badRequest("invalidValue", "patch: no Operations")
	}
	for _, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			return badRequest("invalidValue", "patch: op must be add, replace or remove")
		}
		if op.Path == "" {
			if kind == "remove" {
				return badRequest("noTarget", "patch: remove needs a path")
			}
			m, ok := op.Value.(map[string]any)
			if !ok {
				return badRequest("invalidValue", "patch: an operation without path needs an object value")
			}
			for k, v := range m {
				if u, ok := s.extensionURN(k); ok {
					if sub, ok := v.(map[string]any); ok {
						for sk, sv := range sub {
							t, err := parsePatchPath(u + ":" + sk)
							if err != nil {
								return err
							}
							if err := applyOne(s, doc, kind, t, sv); err != nil {
								return err
							}
						}
						continue
					}
				}
				if strings.EqualFold(k, "schemas") {
					continue
				}
				t, err := parsePatchPath(k)
				if err != nil {
					return err
				}
				if err := applyOne(s, doc, kind, t, v); err != nil {
					return err
				}
			}
			continue
		}
		t, err := parsePatchPath(op.Path)
		if err != nil {
			return err
		}
		if kind != "remove" && op.Value == nil {
			return badRequest("invalidValue", "patch: "+kind+" needs a value")
		}
		if err := applyOne(s, doc, kind, t, op.Value); err != nil {
			return err
		}
	}
	return nil
}

// container returns the map holding the path's attribute: the document or
// its extension object (created when create is set).
func container(s *resourceSchema, doc map[string]any, t patchTarget, create bool) (map[string]any, *Attribute, error) {
	def := s.lookup(t.URN, t.Name, "")
	if t.URN == "" || strings.EqualFold(t.URN, s.Core) {
		return doc, def, nil
	}
	u, ok := s.extensionURN(t.URN)
	if !ok {
		return nil, nil, badRequest("invalidPath", "patch: unknown schema "+t.URN)
	}
	ext, key, ok := getKey(doc, u)
	if m, isMap := ext.(map[string]any); ok && isMap {
		return m, def, nil
	}
	if !create {
		return nil, def, nil
	}
	if key == "" {
		key = u
	}
	m := map[string]any{}
	doc[key] = m
	return m, def, nil
}

func applyOne(s *resourceSchema, doc map[string]any, kind string, t patchTarget, value any) error {
	c, def, err := container(s, doc, t, kind != "remove")
	if err != nil {
		return err
	}
	if def != nil && def.Mutability == "readOnly" {
		return badRequest("mutability", "patch: "+t.Name+" is read-only")
	}
	if c == nil { // removing from an absent extension
		return nil
	}
	if def != nil && def.Required && kind == "remove" && t.Sub == "" && t.Filter == nil {
		return badRequest("mutability", "patch: "+t.Name+" is required and cannot be removed")
	}
	cur, key, present := getKey(c, t.Name)
	if !present {
		key = t.Name
		if def != nil {
			key = def.Name
		}
	}
	var subDef *Attribute
	if def != nil && t.Sub != "" {
		subDef = findAttr(def.Sub, t.Sub)
		if subDef != nil && subDef.Mutability == "readOnly" {
			return badRequest("mutability", "patch: "+t.Name+"."+t.Sub+" is read-only")
		}
	}
	multi := def != nil && def.MultiValued
	if _, isList := cur.([]any); isList {
		multi = true
	}
	// A complex attribute given as a plain value is its "value"
	// sub-attribute: Entra ID sends the manager's id as a string.
	if def != nil && def.Type == "complex" && t.Sub == "" && t.Filter == nil {
		if str, ok := value.(string); ok {
			value = map[string]any{"value": str}
		}
	}

	if t.Filter != nil {
		list, _ := cur.([]any)
		ev := evaluator{schema: s, parent: def}
		if def == nil {
			ev.parent = &Attribute{Type: "complex"}
		}
		var matched []int
		for i, e := range list {
			if m, ok := e.(map[string]any); ok && ev.match(t.Filter, m) {
				matched = append(matched, i)
			}
		}
		switch kind {
		case "remove":
			if t.Sub != "" {
				for _, i := range matched {
					delKey(list[i].(map[string]any), t.Sub)
				}
				return nil
			}
			c[key] = removeIndexes(list, matched)
			if len(c[key].([]any)) == 0 {
				delete(c, key)
			}
			return nil
		default:
			if len(matched) == 0 {
				if kind == "replace" {
					return badRequest("noTarget", "patch: no value of "+t.Name+" matches the path's filter")
				}
				elem := equalities(t.Filter)
				if t.Sub != "" {
					setKey(elem, t.Sub, value)
				} else if m, ok := value.(map[string]any); ok {
					mergeInto(elem, m)
				}
				c[key] = append(list, elem)
				return nil
			}
			for _, i := range matched {
				m := list[i].(map[string]any)
				if t.Sub != "" {
					setKey(m, t.Sub, value)
				} else if v, ok := value.(map[string]any); ok {
					mergeInto(m, v)
				} else {
					return badRequest("invalidValue", "patch: the value for "+t.Name+"[…] must be an object")
				}
			}
			return nil
		}
	}

	if t.Sub != "" {
		switch x := cur.(type) {
		case map[string]any:
			if kind == "remove" {
				delKey(x, t.Sub)
				if len(x) == 0 {
					delete(c, key)
				}
			} else {
				setKey(x, t.Sub, value)
			}
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					if kind == "remove" {
						delKey(m, t.Sub)
					} else {
						setKey(m, t.Sub, value)
					}
				}
			}
		case nil:
			if kind != "remove" {
				c[key] = map[string]any{t.Sub: value}
			}
		default:
			return badRequest("invalidPath", "patch: "+t.Name+" has no sub-attributes")
		}
		return nil
	}

	switch kind {
	case "remove":
		if multi && value != nil {
			list, _ := cur.([]any)
			var idx []int
			for i, e := range list {
				for _, v := range flatten(value) {
					if sameValue(e, v) {
						idx = append(idx, i)
						break
					}
				}
			}
			list = removeIndexes(list, idx)
			if len(list) == 0 {
				delete(c, key)
			} else {
				c[key] = list
			}
			return nil
		}
		delete(c, key)
	case "add":
		if multi {
			list, _ := cur.([]any)
			for _, v := range flatten(value) {
				dup := false
				for _, e := range list {
					if sameValue(e, v) {
						dup = true
					}
				}
				if !dup {
					list = append(list, v)
				}
			}
			c[key] = list
			return nil
		}
		if m, ok := cur.(map[string]any); ok {
			if v, ok := value.(map[string]any); ok {
				mergeInto(m, v)
				return nil
			}
		}
		c[key] = value
	case "replace":
		if multi {
			c[key] = flatten(value)
			return nil
		}
		if m, ok := cur.(map[string]any); ok {
			if v, ok := value.(map[string]any); ok {
				mergeInto(m, v)
				return nil
			}
		}
		c[key] = value
	}
	return nil
}

// sameValue tells whether a value of a multi-valued attribute is the one
// named: complex values by their "value" sub-attribute when both have one.
func sameValue(have, want any) bool {
	hm, ok1 := have.(map[string]any)
	wm, ok2 := want.(map[string]any)
	if ok1 && ok2 {
		hv, _, hok := getKey(hm, "value")
		wv, _, wok := getKey(wm, "value")
		if hok && wok {
			return reflect.DeepEqual(hv, wv)
		}
	}
	return reflect.DeepEqual(have, want)
}

func removeIndexes(list []any, idx []int) []any {
	out := make([]any, 0, len(list))
	for i, e := range list {
		drop := false
		for _, j := range idx {
			if i == j {
				drop = true
			}
		}
		if !drop {
			out = append(out, e)
		}
	}
	return out
}

func setKey(m map[string]any, key string, v any) {
	if _, k, ok := getKey(m, key); ok {
		m[k] = v
		return
	}
	m[key] = v
}

func delKey(m map[string]any, key string) {
	if _, k, ok := getKey(m, key); ok {
		delete(m, k)
	}
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		setKey(dst, k, v)
	}
}

// equalities returns the "attr eq value" clauses of a filter joined by and:
// the new value an add through a value filter creates (emails[type eq
// "work"].value adds {"type": "work", "value": …}).
func equalities(e expr) map[string]any {
	out := map[string]any{}
	var walk func(e expr)
	walk = func(e expr) {
		switch x := e.(type) {
		case logicalExpr:
			if x.And {
				walk(x.L)
				walk(x.R)
			}
		case compareExpr:
			if x.Op == "eq" && x.Path.Sub == "" {
				out[x.Path.Name] = x.Value
			}
		}
	}
	walk(e)
	return out
}
