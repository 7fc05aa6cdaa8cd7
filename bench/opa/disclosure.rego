# The disclosure rules D1–D10 of policy/disclosure/*.cedar, written in Rego for
# the side-by-side benchmark only (bench/opa; the product never uses OPA).
# Each rule carries the id of its Cedar twin and its rank in Cedar's reading
# order, so that both engines choose the same reason and list the same ids.
package coupole.disclosure

personal if input.item in {"ean", "supplier", "consumption_history", "case_status", "meter_reading"}

# The items a mandate of scope "consumption" or "case" covers.
consumption_mandate if input.item in {"consumption_history", "meter_reading"}

case_mandate if input.item == "case_status"

outside_mandate if {
	input.facts.mandate_scope == "consumption"
	not consumption_mandate
}

outside_mandate if {
	input.facts.mandate_scope == "case"
	not case_mandate
}

occupant_side if input.requester in {"customer", "mandatary"}

written if input.channel in {"email", "letter", "web_form"}

# --- permits (10-public-info … 80-meter-reading) ---

permit contains ["01", "public-info-to-anyone", "oral", "none", "public_info"] if input.item == "public_info"

permit contains ["02", "supplier-to-cms-portal", "cms_portal", "none", "supplier_to_cms"] if {
	input.requester == "supplier"
	personal
}

permit contains ["03", "ean-by-sms", "sms", "own_occupancy", "ean_by_sms"] if {
	input.item == "ean"
	occupant_side
	not written
	input.facts.registered_mobile
	input.facts.ean_count <= 2
}

permit contains ["04", "ean-by-letter-written-request", "letter", "own_occupancy", "ean_by_letter"] if {
	input.item == "ean"
	occupant_side
	written
	input.facts.ean_count <= 2
}

permit contains ["05", "ean-by-letter-no-mobile", "letter", "own_occupancy", "ean_by_letter"] if {
	input.item == "ean"
	occupant_side
	not input.facts.registered_mobile
	input.facts.ean_count <= 2
}

permit contains ["06", "ean-many-to-back-office", "back_office_case", "own_occupancy", "ean_many_case"] if {
	input.item == "ean"
	occupant_side
	input.facts.ean_count > 2
}

permit contains ["07", "supplier-question-by-letter", "letter", "own_occupancy", "supplier_by_letter"] if {
	input.item == "supplier"
	occupant_side
}

permit contains ["08", "history-remote-on-website", "website", "own_occupancy", "history_on_website"] if {
	input.item == "consumption_history"
	occupant_side
	input.facts.reading_regime == "remote"
}

permit contains ["09", "history-smart-on-portal", "customer_portal", "own_occupancy", "history_on_portal"] if {
	input.item == "consumption_history"
	occupant_side
	input.facts.reading_regime == "smart"
}

permit contains ["10", "history-read-out", "oral", "own_occupancy", "history_own_occupancy"] if {
	input.item == "consumption_history"
	occupant_side
	input.facts.reading_regime in {"annual", "monthly"}
}

permit contains ["11", "case-status-told", "oral", "own_occupancy", "case_status_own_occupancy"] if {
	input.item == "case_status"
	occupant_side
}

permit contains ["12", "cpas-line-beneficiary", "oral", "own_occupancy", "cpas_beneficiary"] if {
	input.requester == "cpas"
	input.item in {"case_status", "supplier", "consumption_history"}
	input.channel == "cpas_line"
	input.facts.mandate == "valid"
}

permit contains ["13", "reading-from-current-occupant", "oral", "own_occupancy", "reading_taken"] if {
	input.item == "meter_reading"
	occupant_side
	input.facts.occupancy == "current"
}

permit contains ["14", "reading-from-cpas-line", "oral", "own_occupancy", "reading_taken"] if {
	input.item == "meter_reading"
	input.requester == "cpas"
	input.channel == "cpas_line"
	input.facts.mandate == "valid"
	input.facts.occupancy == "current"
}

# --- forbids (90-refusals, in file order) ---

forbid contains ["15", "cpas-line-reserved", "wrong_channel"] if {
	personal
	input.channel == "cpas_line"
	input.requester != "cpas"
}

forbid contains ["16", "cpas-off-line-unknown", "no_relation"] if {
	personal
	input.requester == "cpas"
	input.channel != "cpas_line"
}

forbid contains ["17", "mandate-expired", "mandate_invalid"] if {
	personal
	input.requester in {"mandatary", "cpas"}
	input.facts.mandate == "expired"
}

forbid contains ["18", "mandate-scope", "mandate_invalid"] if {
	personal
	input.requester in {"mandatary", "cpas"}
	input.facts.mandate == "valid"
	outside_mandate
}

forbid contains ["19", "landlord-consumption-private", "private_data"] if {
	input.requester == "landlord"
	input.item == "consumption_history"
}

forbid contains ["20", "no-relation-third-party", "no_relation"] if {
	personal
	input.requester in {"landlord", "third_party"}
}

forbid contains ["21", "no-mandate", "no_relation"] if {
	personal
	input.requester in {"mandatary", "cpas"}
	input.facts.mandate == "none"
}

forbid contains ["22", "verify-meter-first", "not_verified"] if {
	personal
	occupant_side
	not input.facts.meter_verified
}

forbid contains ["23", "no-occupancy", "no_relation"] if {
	personal
	occupant_side
	input.facts.occupancy == "none"
}

forbid contains ["24", "reading-current-occupancy-only", "no_relation"] if {
	input.item == "meter_reading"
	input.facts.occupancy != "current"
}

forbid contains ["25", "reading-not-from-supplier", "no_relation"] if {
	input.item == "meter_reading"
	input.requester == "supplier"
}

# --- decision: a forbid wins; else the first permit; else deny by default ---

forbids := sort([f | some f in forbid])

permits := sort([p | some p in permit])

decision := {
	"outcome": "refuse",
	"reason": forbids[0][2],
	"scope": "none",
	"policies": [f[1] | some f in forbids],
} if count(forbids) > 0

decision := {
	"outcome": permits[0][2],
	"reason": permits[0][4],
	"scope": permits[0][3],
	"policies": [p[1] | some p in permits; p[2] == permits[0][2]],
} if {
	count(forbids) == 0
	count(permits) > 0
}

decision := {"outcome": "refuse", "reason": "not_allowed", "scope": "none", "policies": []} if {
	count(forbids) == 0
	count(permits) == 0
}
