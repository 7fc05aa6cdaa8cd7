package report

import "github.com/coupole/coupole"

func renderPDF(v *view) ([]byte, error) {
	return nil, coupole.Errorf(coupole.EINVALID, "report: pdf is not available yet")
}
