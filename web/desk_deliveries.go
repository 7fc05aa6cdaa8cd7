package web

import (
	"encoding/json"
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// The live status of the call's deliveries (issue 15, deliver 1): the
// timeline shows each SMS, letter and e-mail created in the call with its
// status, and desk.js asks this endpoint every few seconds while one of
// them is not final, updating the badges in place — no reload, nothing
// else on the page touched. The answer holds ids, statuses and their
// words in the staff member's language: no recipient, no content.

// deliveryStatusPoll is how often desk.js asks, in milliseconds: the
// outbound worker polls its outbox every second or so; a status a few
// seconds old is fresh enough to tell the caller "it is sent".
const deliveryStatusPoll = 3000

type deliveryStatusJSON struct {
	interaction.DeliveryStatus
	Label string `json:"label"` // the status in words, in the screen's language
}

func (a *StaffAccess) handleDeliveryStatuses(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	ds, err := svc.DeliveryStatuses(r.Context(), actor(r, p), r.PathValue("id"))
	if err != nil {
		code := coupole.ErrorCode(err)
		writeProblemStatus(w, Status(code), code, coupole.ErrorMessage(err))
		return
	}
	out := struct {
		Deliveries []deliveryStatusJSON `json:"deliveries"`
	}{Deliveries: make([]deliveryStatusJSON, 0, len(ds))}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, deliveryStatusJSON{DeliveryStatus: d, Label: Message(lang, "deliveries.status."+d.Status)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
