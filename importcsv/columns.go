package importcsv

// Kind is what a file holds. Each kind has its own columns (docs/import.md).
type Kind string

const (
	Suppliers     Kind = "suppliers"
	CPAS          Kind = "cpas"
	AccessPoints  Kind = "access_points"
	Meters        Kind = "meters"
	Customers     Kind = "customers"
	Occupancies   Kind = "occupancies"
	SupplyPeriods Kind = "supply_periods"
	Mandates      Kind = "mandates"
	Readings      Kind = "readings"
)

// Kinds lists every kind in the order files are read: a file may refer to
// records of the kinds before it.
var Kinds = []Kind{Suppliers, CPAS, AccessPoints, Meters, Customers, Occupancies, SupplyPeriods, Mandates, Readings}

// Column is one column of a file kind.
type Column struct {
	Name     string
	Required bool // the header must have it and every row must fill it
	Doc      string
}

// Columns lists the columns of each kind, in the order docs/import.md shows them.
var Columns = map[Kind][]Column{
	Suppliers: {
		{"id", true, "the supplier's reference"},
		{"name", true, "the supplier's name"},
	},
	CPAS: {
		{"id", true, "the CPAS's reference"},
		{"name", true, `its name, e.g. "CPAS de Namur"`},
		{"town", false, "its town"},
	},
	AccessPoints: {
		{"ean", true, "18 digits starting with 5414, spaces allowed"},
		{"energy", true, "electricity or gas"},
		{"regime", true, "annual, monthly, remote (remote reading without smart meter) or smart"},
		{"street", true, "installation address: street"},
		{"number", true, "house number"},
		{"box", false, "box (bte), if any"},
		{"postcode", true, "four digits"},
		{"town", true, "town"},
		{"meter_number", true, "the meter in place now"},
		{"meter_installed_on", true, "the day it was installed"},
	},
	Meters: {
		{"ean", true, "an access point of the access points file"},
		{"meter_number", true, "a former meter of that access point"},
		{"installed_on", true, "the day it was installed"},
		{"removed_on", true, "the day it was removed"},
	},
	Customers: {
		{"id", true, "the customer reference"},
		{"given_name", false, "given name"},
		{"family_name", true, "family name, or the organisation's name"},
		{"language", false, "fr (default), nl, de or en"},
		{"mobile", false, "mobile number, Belgian or international (+...)"},
		{"mobile_registered_on", false, "the day the mobile number was registered; required with a mobile"},
		{"email", false, "e-mail address"},
		{"street", true, "postal address: street"},
		{"number", true, "house number"},
		{"box", false, "box (bte), if any"},
		{"postcode", true, "four digits"},
		{"town", true, "town"},
		{"protection", false, "staff or protected: every view of the customer raises an alert (issue 16)"},
	},
	Occupancies: {
		{"customer_id", true, "the customer"},
		{"ean", true, "the access point"},
		{"move_in", true, "move-in day"},
		{"move_out", false, "move-out day, empty while current"},
		{"move_in_day_kwh", false, "index at move-in: day register (kWh)"},
		{"move_in_night_kwh", false, "night register (kWh)"},
		{"move_in_excl_night_kwh", false, "exclusive-night register (kWh)"},
		{"move_in_gas_m3", false, "gas (m³)"},
		{"move_out_day_kwh", false, "index at move-out: day register (kWh)"},
		{"move_out_night_kwh", false, "night register (kWh)"},
		{"move_out_excl_night_kwh", false, "exclusive-night register (kWh)"},
		{"move_out_gas_m3", false, "gas (m³)"},
	},
	SupplyPeriods: {
		{"ean", true, "the access point"},
		{"supplier_id", true, "the supplier"},
		{"starts_on", true, "first day of supply"},
		{"ends_on", false, "day after the last day of supply, empty while current"},
	},
	Mandates: {
		{"id", true, "the mandate reference"},
		{"customer_id", true, "the customer who gives the mandate"},
		{"mandatary_name", true, "who holds it (for a CPAS, the CPAS's name)"},
		{"cpas_id", false, "the CPAS, when the mandatary is a CPAS"},
		{"scope", true, "all, consumption or case"},
		{"valid_from", true, "first day"},
		{"valid_to", false, "day it ends, empty until revoked (CPAS permanent mandates)"},
	},
	Readings: {
		{"ean", true, "the access point"},
		{"date", true, "day of the reading"},
		{"meter_number", false, "the meter read"},
		{"source", true, "customer, contact_center, technician, remote or estimated"},
		{"regime", true, "the reading regime in force: annual, monthly, remote or smart"},
		{"day_kwh", false, "day register (kWh)"},
		{"night_kwh", false, "night register (kWh)"},
		{"excl_night_kwh", false, "exclusive-night register (kWh)"},
		{"gas_m3", false, "gas (m³)"},
	},
}

// crossField is the column a row's cross-field error (an end before a
// start, a missing registration day) is reported against.
var crossField = map[Kind]string{
	Suppliers: "name", CPAS: "name", AccessPoints: "meter_installed_on", Meters: "removed_on",
	Customers: "mobile_registered_on", Occupancies: "move_out", SupplyPeriods: "ends_on",
	Mandates: "valid_to", Readings: "date",
}

// batchField names the coupole.Batch field each kind fills.
var batchField = map[Kind]string{
	Suppliers: "Suppliers", CPAS: "CPAS", AccessPoints: "AccessPoints", Customers: "Customers",
	Occupancies: "Occupancies", SupplyPeriods: "SupplyPeriods", Mandates: "Mandates", Readings: "Readings",
}
