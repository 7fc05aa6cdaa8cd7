package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A filter (RFC 7644 §3.4.2.2) is parsed into an expression tree and
// evaluated in memory over each resource's representation: a contact
// center has hundreds of staff, not millions, and one evaluator over the
// document serves every attribute, extension and valuePath alike.

// attrPath names an attribute: [urn:]name[.sub].
type attrPath struct {
	URN, Name, Sub string
}

func (p attrPath) String() string {
	s := p.Name
	if p.URN != "" {
		s = p.URN + ":" + s
	}
	if p.Sub != "" {
		s += "." + p.Sub
	}
	return s
}

// parseAttrPath parses "name", "name.sub" or "urn:…:name[.sub]".
func parseAttrPath(s string) (attrPath, error) {
	var p attrPath
	rest := s
	if strings.HasPrefix(strings.ToLower(s), "urn:") {
		i := strings.LastIndex(s, ":")
		p.URN, rest = s[:i], s[i+1:]
	}
	p.Name, p.Sub, _ = strings.Cut(rest, ".")
	if !validName(p.Name) || (p.Sub != "" && !validName(p.Sub)) {
		return attrPath{}, fmt.Errorf("%q is not an attribute path", s)
	}
	return p, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '-' || r == '$' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

type expr interface{}

type logicalExpr struct {
	And  bool
	L, R expr
}
type notExpr struct{ E expr }
type compareExpr struct {
	Path  attrPath
	Op    string // eq ne co sw ew gt ge lt le pr
	Value any    // string, float64, bool or nil
}
type valuePathExpr struct {
	Path attrPath
	Sub  expr // evaluated against each value of the multi-valued attribute
}

// tokens of a filter.
type token struct {
	kind string // "word", "string", "(", ")", "[", "]"
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '[' || c == ']':
			out = append(out, token{kind: string(c)})
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
				} else if s[j] == '"' {
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return nil, fmt.Errorf("bad string %s", s[i:j+1])
			}
			out = append(out, token{kind: "string", text: v})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()[]\"", rune(s[j])) {
				j++
			}
			out = append(out, token{kind: "word", text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: "eof"}
}
func (p *parser) next() token { t := p.peek(); p.pos++; return t }
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == "word" && strings.EqualFold(t.text, w)
}

// parseFilter parses a filter; an error is a 400 invalidFilter.
func parseFilter(s string) (expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, badRequest("invalidFilter", "filter: "+err.Error())
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err == nil && p.peek().kind != "eof" {
		err = fmt.Errorf("unexpected %q", p.peek().text+p.peek().kind)
	}
	if err != nil {
		return nil, badRequest("invalidFilter", "filter: "+err.Error())
	}
	return e, nil
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	for err == nil && p.isWord("or") {
		p.next()
		var r expr
		if r, err = p.and(); err == nil {
			l = logicalExpr{And: false, L: l, R: r}
		}
	}
	return l, err
}

func (p *parser) and() (expr, error) {
	l, err := p.unary()
	for err == nil && p.isWord("and") {
		p.next()
		var r expr
		if r, err = p.unary(); err == nil {
			l = logicalExpr{And: true, L: l, R: r}
		}
	}
	return l, err
}

func (p *parser) unary() (expr, error) {
	if p.isWord("not") {
		p.next()
		if p.peek().kind != "(" {
			return nil, fmt.Errorf("not must be followed by a parenthesis")
		}
		e, err := p.unary()
		return notExpr{E: e}, err
	}
	if p.peek().kind == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next().kind != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	}
	return p.attrExp()
}

func (p *parser) attrExp() (expr, error) {
	t := p.next()
	if t.kind != "word" {
		return nil, fmt.Errorf("expected an attribute path")
	}
	path, err := parseAttrPath(t.text)
	if err != nil {
		return nil, err
	}
	if p.peek().kind == "[" {
		p.next()
		sub, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next().kind != "]" {
			return nil, fmt.Errorf("missing ]")
		}
		return valuePathExpr{Path: path, Sub: sub}, nil
	}
	op := p.next()
	if op.kind != "word" {
		return nil, fmt.Errorf("expected an operator after %s", path)
	}
	o := strings.ToLower(op.text)
	switch o {
	case "pr":
		return compareExpr{Path: path, Op: o}, nil
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le":
	default:
		return nil, fmt.Errorf("unknown operator %q", op.text)
	}
	v := p.next()
	var val any
	switch {
	case v.kind == "string":
		val = v.text
	// ABNF literals are case-insensitive (RFC 5234 §2.3): True, FALSE, Null.
	case v.kind == "word" && strings.EqualFold(v.text, "true"):
		val = true
	case v.kind == "word" && strings.EqualFold(v.text, "false"):
		val = false
	case v.kind == "word" && strings.EqualFold(v.text, "null"):
		val = nil
	case v.kind == "word":
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, fmt.Errorf("bad comparison value %q", v.text)
		}
		val = f
	default:
		return nil, fmt.Errorf("expected a comparison value after %s %s", path, o)
	}
	if (o == "co" || o == "sw" || o == "ew") && !isString(val) {
		return nil, fmt.Errorf("%s needs a string", o)
	}
	// RFC 7644 §3.4.2.2: gt, ge, lt and le on a boolean (or null) are
	// invalid filters, not an empty result.
	if (o == "gt" || o == "ge" || o == "lt" || o == "le") && (val == nil || isBool(val)) {
		return nil, fmt.Errorf("%s cannot compare booleans or null", o)
	}
	return compareExpr{Path: path, Op: o, Value: val}, nil
}

func isString(v any) bool { _, ok := v.(string); return ok }
func isBool(v any) bool   { _, ok := v.(bool); return ok }

// evaluator matches expressions against a resource's representation.
type evaluator struct {
	schema *resourceSchema
	// parent is set inside a valuePath: paths are then sub-attributes of it.
	parent *Attribute
}

// getKey returns m's value under key, whatever the case of the key.
func getKey(m map[string]any, key string) (any, string, bool) {
	if v, ok := m[key]; ok {
		return v, key, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, k, true
		}
	}
	return nil, "", false
}

// values resolves a path on doc to the list of its values (multi-valued
// attributes are flattened) and the attribute's definition (nil if unknown).
func (ev evaluator) values(doc map[string]any, p attrPath) ([]any, *Attribute) {
	var def *Attribute
	var cur any = doc
	name, sub := p.Name, p.Sub
	if ev.parent != nil {
		def = findAttr(ev.parent.Sub, p.Name)
	} else {
		def = ev.schema.lookup(p.URN, p.Name, p.Sub)
		if p.URN != "" && !strings.EqualFold(p.URN, ev.schema.Core) {
			ext, _, ok := getKey(doc, p.URN)
			if !ok {
				return nil, def
			}
			cur = ext
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, def
	}
	v, _, ok := getKey(m, name)
	if !ok {
		return nil, def
	}
	vals := flatten(v)
	if sub == "" {
		return vals, def
	}
	var out []any
	for _, e := range vals {
		if em, ok := e.(map[string]any); ok {
			if sv, _, ok := getKey(em, sub); ok {
				out = append(out, flatten(sv)...)
			}
		}
	}
	return out, def
}

func flatten(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func (ev evaluator) match(e expr, doc map[string]any) bool {
	switch x := e.(type) {
	case logicalExpr:
		if x.And {
			return ev.match(x.L, doc) && ev.match(x.R, doc)
		}
		return ev.match(x.L, doc) || ev.match(x.R, doc)
	case notExpr:
		return !ev.match(x.E, doc)
	case valuePathExpr:
		vals, def := ev.values(doc, x.Path)
		inner := evaluator{schema: ev.schema, parent: def}
		if def == nil {
			inner.parent = &Attribute{Type: "complex"}
		}
		for _, v := range vals {
			if m, ok := v.(map[string]any); ok && inner.match(x.Sub, m) {
				return true
			}
		}
		return false
	case compareExpr:
		vals, def := ev.values(doc, x.Path)
		if x.Op == "pr" {
			for _, v := range vals {
				if !empty(v) {
					return true
				}
			}
			return false
		}
		if x.Op == "ne" {
			return !ev.anyCompare(vals, def, "eq", x.Value)
		}
		if x.Value == nil && x.Op == "eq" {
			return len(vals) == 0
		}
		return ev.anyCompare(vals, def, x.Op, x.Value)
	}
	return false
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func (ev evaluator) anyCompare(vals []any, def *Attribute, op string, want any) bool {
	for _, v := range vals {
		// A complex value compares through its "value" sub-attribute
		// (emails eq "x" means emails.value eq "x").
		if m, ok := v.(map[string]any); ok {
			v, _, _ = getKey(m, "value")
			if def != nil {
				def = findAttr(def.Sub, "value")
			}
		}
		if compare(v, def, op, want) {
			return true
		}
	}
	return false
}

func compare(have any, def *Attribute, op string, want any) bool {
	switch w := want.(type) {
	case bool:
		h, ok := have.(bool)
		return ok && op == "eq" && h == w
	case float64:
		var h float64
		switch x := have.(type) {
		case float64:
			h = x
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return false
			}
			h = f
		default:
			return false
		}
		return ordered(op, cmpFloat(h, w))
	case string:
		h, ok := have.(string)
		if !ok {
			return false
		}
		if def != nil && def.Type == "dateTime" {
			ht, err1 := time.Parse(time.RFC3339Nano, h)
			wt, err2 := time.Parse(time.RFC3339Nano, w)
			if err1 == nil && err2 == nil {
				return ordered(op, ht.Compare(wt))
			}
		}
		if def == nil || !def.CaseExact {
			h, w = strings.ToLower(h), strings.ToLower(w)
		}
		switch op {
		case "co":
			return strings.Contains(h, w)
		case "sw":
			return strings.HasPrefix(h, w)
		case "ew":
			return strings.HasSuffix(h, w)
		}
		return ordered(op, strings.Compare(h, w))
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ordered(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}
