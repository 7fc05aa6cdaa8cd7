package email

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coupole/coupole"
)

// TestCatalogueIsComplete: every language has every wording, with the same
// placeholders as French, the reference language (DESIGN.md, convention 8).
func TestCatalogueIsComplete(t *testing.T) {
	fr := reflect.ValueOf(catalogue[coupole.French])
	for _, lang := range coupole.Languages {
		w, ok := catalogue[lang]
		if !ok {
			t.Errorf("no wording in %s", lang)
			continue
		}
		v := reflect.ValueOf(w)
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			var got, ref []string
			switch f := v.Field(i); f.Kind() {
			case reflect.String:
				got, ref = []string{f.String()}, []string{fr.Field(i).String()}
			case reflect.Slice:
				for j := range f.Len() {
					got = append(got, f.Index(j).String())
				}
				for j := range fr.Field(i).Len() {
					ref = append(ref, fr.Field(i).Index(j).String())
				}
			}
			if len(got) != len(ref) {
				t.Errorf("%s.%s has %d paragraphs, French %d", lang, name, len(got), len(ref))
				continue
			}
			for j := range got {
				if strings.TrimSpace(got[j]) == "" {
					t.Errorf("%s.%s is empty", lang, name)
				}
				if strings.Count(got[j], "%s") != strings.Count(ref[j], "%s") {
					t.Errorf("%s.%s: %q has not the placeholders of French %q", lang, name, got[j], ref[j])
				}
			}
		}
	}
}
