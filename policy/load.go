package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"

	"github.com/coupole/coupole"
)

// Loading a policy set: reading the directory, parsing, checking annotations
// and requirements, validating against the schema, and reporting every
// problem with file:line.

// File name extensions of a policy set directory. Other files (README,
// scenarios…) are ignored.
const (
	SchemaExt = ".cedarschema"
	PolicyExt = ".cedar"
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// loadErrors collects every problem of a set so that a reviewer sees them all
// at once, each as "file:line: what is wrong".
type loadErrors struct {
	name   string
	origin string
	list   []string
}

func (l *loadErrors) add(file string, line int, format string, args ...any) {
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	if l.origin != "" {
		file = path.Join(l.origin, file)
	}
	if line > 0 {
		l.list = append(l.list, fmt.Sprintf("%s:%d: %s", file, line, msg))
	} else {
		l.list = append(l.list, fmt.Sprintf("%s: %s", file, msg))
	}
}

func (l *loadErrors) err() error {
	if len(l.list) == 0 {
		return nil
	}
	return coupole.Errorf(coupole.EINVALID, "%s policy set is invalid (%d problem(s)):\n  %s",
		l.name, len(l.list), strings.Join(l.list, "\n  "))
}

// Load reads a policy set from the top directory of fsys: exactly one schema
// (*.cedarschema) and one or more policy files (*.cedar). It parses every
// policy, checks its annotations against spec, validates it against the
// schema with cedar-go's validator, and checks that every enumerated entity
// it names exists. Any problem stops the load; the error lists them all with
// file:line.
//
// origin is how messages name the directory (e.g. the --policy-dir path).
func Load(fsys fs.FS, origin string, spec Spec) (*Set, error) {
	errs := &loadErrors{name: spec.Name, origin: origin}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINVALID, "%s policy set: cannot read the directory", spec.Name)
	}
	var schemaFiles, policyFiles []string
	for _, e := range entries {
		switch {
		case e.IsDir():
		case strings.HasSuffix(e.Name(), SchemaExt):
			schemaFiles = append(schemaFiles, e.Name())
		case strings.HasSuffix(e.Name(), PolicyExt):
			policyFiles = append(policyFiles, e.Name())
		}
	}
	sort.Strings(schemaFiles)
	sort.Strings(policyFiles)
	if len(schemaFiles) != 1 {
		errs.add(".", 0, "want exactly one schema file (*%s), found %d", SchemaExt, len(schemaFiles))
	}
	if len(policyFiles) == 0 {
		errs.add(".", 0, "no policy file (*%s)", PolicyExt)
	}
	if e := errs.err(); e != nil {
		return nil, e
	}

	set := &Set{spec: spec, byID: map[cedar.PolicyID]*Policy{}}
	hash := sha256.New()
	contents := map[string][]byte{}
	for _, name := range append(slices.Clone(schemaFiles), policyFiles...) {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, coupole.Wrap(err, coupole.EINVALID, "%s policy set: cannot read %s", spec.Name, name)
		}
		contents[name] = b
	}
	set.files = append(slices.Clone(schemaFiles), policyFiles...)
	sort.Strings(set.files)
	for _, name := range set.files {
		fmt.Fprintf(hash, "%s\x00%d\x00", name, len(contents[name]))
		hash.Write(contents[name])
	}
	set.hash = hex.EncodeToString(hash.Sum(nil))

	// Schema.
	var sch schema.Schema
	sch.SetFilename(schemaFiles[0])
	if err := sch.UnmarshalCedar(contents[schemaFiles[0]]); err != nil {
		errs.add(schemaFiles[0], 0, "%v", err)
		return nil, errs.err()
	}
	res, err := sch.Resolve()
	if err != nil {
		errs.add(schemaFiles[0], 0, "%v", err)
		return nil, errs.err()
	}
	set.schema = res
	validator := validate.New(res)

	// Action groups: Cedar evaluates `action in Action::"group"` against the
	// entity store, so every action and its groups go in it.
	set.entities = types.EntityMap{}
	for uid, a := range res.Actions {
		ent := a.Entity
		ent.UID = uid
		set.entities[uid] = ent
	}

	// Policies, one by one so that each keeps its @id and its position.
	for _, name := range policyFiles {
		src := contents[name]
		list, err := cedar.NewPolicyListFromBytes(name, src)
		if err != nil {
			// "parser error: parse error at <input>:15:50 ...": keep the line
			// and column, with the file's name.
			msg, line := err.Error(), 0
			if m := parsePos.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = "syntax error at column " + m[2] + ": " + strings.TrimSpace(strings.TrimPrefix(msg[strings.Index(msg, m[0])+len(m[0]):], ":"))
			}
			errs.add(name, line, "%s", msg)
			continue
		}
		if len(list) == 0 {
			errs.add(name, 0, "holds no policy")
		}
		for i, cp := range list {
			start := cp.Position().Offset
			end := len(src)
			if i+1 < len(list) {
				end = list[i+1].Position().Offset
			}
			text := src[min(start, len(src)):min(end, len(src))]
			line := cp.Position().Line
			// Annotation problems do not stop the schema checks: a reviewer
			// sees every problem of the policy at once.
			p := set.checkAnnotations(errs, name, line, cp)
			if verr := validator.Policy(p.ID, (*xast.Policy)(cp.AST())); verr != nil {
				for _, msg := range splitValidation(verr) {
					errs.add(name, lineOf(text, line, msg, p.ID), "policy %q does not match the schema: %s", p.ID, msg)
				}
			}
			for _, bad := range set.unknownEnumValues(cp) {
				errs.add(name, lineOf(text, line, "`\""+string(bad.ID)+"\"`", p.ID),
					"policy %q names %s, which is not a value of the enumeration %s in the schema", p.ID, bad.String(), bad.Type)
			}
			if p.ID == "" {
				continue
			}
			if prev, dup := set.byID[cedar.PolicyID(p.ID)]; dup {
				errs.add(name, line, "policy id %q is already used at %s:%d", p.ID, prev.File, prev.Line)
				continue
			}
			set.byID[cedar.PolicyID(p.ID)] = p
			set.policies = append(set.policies, p)
		}
	}
	if e := errs.err(); e != nil {
		return nil, e
	}
	set.indexByAction()
	return set, nil
}

// checkAnnotations reads and checks the annotations of one policy. The
// policy it returns has an empty ID when it has no @id.
func (s *Set) checkAnnotations(errs *loadErrors, file string, line int, cp *cedar.Policy) *Policy {
	ann := cp.Annotations()
	get := func(k string) string { return strings.TrimSpace(string(ann[types.Ident(k)])) }
	p := &Policy{ID: get(AnnotationID), Permit: cp.Effect() == cedar.Permit, File: file, Line: line, cedar: cp}
	if p.ID == "" {
		errs.add(file, line, "policy has no @id annotation")
		return p
	}
	if !idPattern.MatchString(p.ID) {
		errs.add(file, line, "policy id %q: use lower-case letters, digits and dashes", p.ID)
	}
	p.Reason = get(AnnotationReason)
	if p.Reason == "" {
		errs.add(file, line, "policy %q has no @reason annotation", p.ID)
	}
	for i, lang := range Languages {
		k := AnnotationReason + "_" + lang
		p.Messages[i] = get(k)
		if p.Messages[i] == "" {
			errs.add(file, line, "policy %q has no @%s annotation (the reason in %s)", p.ID, k, lang)
		}
	}
	s.checkRequirements(errs, file, line, p, get(AnnotationRequirement))
	p.Outcome, p.Scope, p.Recipient = get(AnnotationOutcome), get(AnnotationScope), get(AnnotationRecipient)
	if _, given := ann[types.Ident(AnnotationRecipient)]; given && (!p.Permit || !slices.Contains(s.spec.Recipients, p.Recipient)) {
		errs.add(file, line, "policy %q: @recipient belongs on permits and must be one of %s", p.ID, strings.Join(s.spec.Recipients, ", "))
	}
	if p.Permit {
		if !slices.Contains(s.spec.Outcomes, p.Outcome) {
			errs.add(file, line, "permit %q: @outcome must be one of %s", p.ID, strings.Join(s.spec.Outcomes, ", "))
		}
		if !slices.Contains(s.spec.Scopes, p.Scope) {
			errs.add(file, line, "permit %q: @scope must be one of %s", p.ID, strings.Join(s.spec.Scopes, ", "))
		}
	} else {
		if p.Outcome != "" || p.Scope != "" {
			errs.add(file, line, "forbid %q: @outcome and @scope belong on permits; a forbid always refuses", p.ID)
		}
		if p.Reason != "" && !slices.Contains(s.spec.RefusalReasons, p.Reason) {
			errs.add(file, line, "forbid %q: @reason must be one of %s", p.ID, strings.Join(s.spec.RefusalReasons, ", "))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ann)) {
		if !knownAnnotation(string(k)) {
			errs.add(file, line, "policy %q: unknown annotation @%s", p.ID, k)
		}
	}
	return p
}

// checkRequirements reads @requirement ("D1, D8") into p and, for a set
// read out to callers, checks that it is there and that no sentence says a
// code: the caller hears "we will send you the EAN by text message", the
// auditor reads D4 beside it.
func (s *Set) checkRequirements(errs *loadErrors, file string, line int, p *Policy, raw string) {
	if raw != "" {
		for _, code := range strings.Split(raw, ",") {
			code = strings.TrimSpace(code)
			if !requirementPattern.MatchString(code) {
				errs.add(file, line, "policy %q: @requirement %q: write requirement codes such as \"D4\" or \"D1, D8\"", p.ID, code)
				continue
			}
			p.Requirements = append(p.Requirements, code)
		}
	}
	if !s.spec.ReadOut {
		return
	}
	if raw == "" {
		errs.add(file, line, "policy %q has no @requirement annotation (the requirements it implements, e.g. \"D4\")", p.ID)
	}
	for i, lang := range Languages {
		if code := codeInText.FindString(p.Messages[i]); code != "" {
			errs.add(file, line, "policy %q: @%s_%s names the requirement %s: the sentence is read out to the caller; put codes in @requirement", p.ID, AnnotationReason, lang, code)
		}
	}
}

func knownAnnotation(k string) bool {
	switch k {
	case AnnotationID, AnnotationReason, AnnotationOutcome, AnnotationScope, AnnotationRecipient, AnnotationRequirement:
		return true
	}
	for _, lang := range Languages {
		if k == AnnotationReason+"_"+lang {
			return true
		}
	}
	return false
}

// unknownEnumValues returns the entity literals of a policy whose type is an
// enumeration of the schema but whose value is not one of it: the validator
// of cedar-go v1.9.1 checks the type, not the value, and a misspelt value
// (Occupancy::"curent") would silently never match.
func (s *Set) unknownEnumValues(cp *cedar.Policy) []types.EntityUID {
	b, err := cp.MarshalJSON()
	if err != nil {
		return nil
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil
	}
	var bad []types.EntityUID
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			typ, okT := v["type"].(string)
			id, okI := v["id"].(string)
			if okT && okI && len(v) == 2 {
				uid := types.NewEntityUID(types.EntityType(typ), types.String(id))
				if enum, ok := s.schema.Enums[uid.Type]; ok && !slices.Contains(enum.Values, uid) {
					bad = append(bad, uid)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(tree)
	return bad
}

// splitValidation turns a validator error (possibly several joined) into one
// message per problem, without the "for policy `id`, " prefix.
func splitValidation(err error) []string {
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "for policy `") {
			if i := strings.Index(line, "`, "); i >= 0 {
				line = line[i+3:]
			}
		}
		out = append(out, line)
	}
	return out
}

var parsePos = regexp.MustCompile(`<input>:(\d+):(\d+)`)

var backticked = regexp.MustCompile("`([^`]+)`")

// lineOf finds the line, inside a policy's text starting at line start, of the
// first name quoted in msg (`like_this`) that occurs in the text: the
// validator says what is wrong but not where, and a reviewer wants the line
// of the misspelt attribute, not of the policy. Falls back to start.
func lineOf(text []byte, start int, msg, id string) int {
	for _, m := range backticked.FindAllStringSubmatch(msg, -1) {
		name := m[1]
		if name == id {
			continue
		}
		// Attribute paths are reported whole (a.b); look for the last part.
		candidates := []string{name}
		if i := strings.LastIndex(name, "."); i >= 0 {
			candidates = append(candidates, name[i+1:])
		}
		for _, c := range candidates {
			if i := indexWord(text, c); i >= 0 {
				return start + bytes.Count(text[:i], []byte("\n"))
			}
		}
	}
	return start
}

// indexWord returns the offset of the first occurrence of w in text that is
// not inside an annotation or a comment line, or -1.
func indexWord(text []byte, w string) int {
	off := 0
	for _, line := range bytes.SplitAfter(text, []byte("\n")) {
		trimmed := bytes.TrimSpace(line)
		if !bytes.HasPrefix(trimmed, []byte("@")) && !bytes.HasPrefix(trimmed, []byte("//")) {
			if i := bytes.Index(line, []byte(w)); i >= 0 {
				return off + i
			}
		}
		off += len(line)
	}
	return -1
}

// Open loads a policy set from dir, a reviewed copy of a shipped directory
// (the --policy-dir settings), whose files messages name by their path; or,
// when dir is empty, the set embedded in the binary, named origin.
func Open(dir string, embedded fs.FS, origin string, spec Spec) (*Set, error) {
	if dir == "" {
		return Load(embedded, origin, spec)
	}
	return Load(os.DirFS(dir), dir, spec)
}
