package sqlstore

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/textfold"
)

// AccessPointsByAddress implements coupole.GridStore.
//
// The street is searched the way people say it (issue 15, item 6): first
// as typed, a prefix of the folded street key (one index range); when that
// finds nothing, the postcode's streets are matched word by word, as typed
// and with abbreviations expanded ("r.", "av.", "bd"), with and without
// their type and articles ("Sainte-Walburge" finds "Rue
// Sainte-Walburge", "eglise" finds "Rue de l'Église"; textfold.StreetMatches).
// A house number may be a range ("10-20", "10 à 20"): the numbers whose
// leading digits fall in it.
func (db *DB) AccessPointsByAddress(ctx context.Context, q coupole.AddressQuery) ([]coupole.AccessPoint, error) {
	postcode := strings.TrimSpace(q.Postcode)
	if err := coupole.ValidatePostcode(postcode); err != nil {
		return nil, err
	}
	street := textfold.Fold(q.StreetPrefix)
	if street == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "address search: the beginning of the street name is required")
	}
	number := strings.TrimSpace(q.Number)
	lo, hi, isRange := numberRange(number)
	limit := searchLimit(q.Limit)
	fetch := limit
	if isRange {
		number, fetch = "", maxSearchLimit // filtered below
	}
	aps, err := db.accessPointsOnStreetPrefix(ctx, postcode, street, number, fetch)
	if err != nil || len(aps) > 0 {
		return inRange(aps, isRange, lo, hi, limit), err
	}
	// As typed, and with its abbreviations expanded ("bd" is
	// "boulevard", but "boulevard d'av" is on its way to "Avroy").
	keys, err := db.streetsMatching(ctx, postcode, street, textfold.StreetWords(q.StreetPrefix))
	if err != nil || len(keys) == 0 {
		return []coupole.AccessPoint{}, err
	}
	sqlq := `SELECT ` + accessPointCols + ` FROM access_points WHERE postcode = $1 AND street_key IN (`
	args := []any{postcode}
	for i, k := range keys {
		if i > 0 {
			sqlq += ", "
		}
		args = append(args, k)
		sqlq += "$" + strconv.Itoa(len(args))
	}
	sqlq += `)`
	if number != "" {
		n := len(args)
		sqlq += ` AND house_number IN ($` + strconv.Itoa(n+1) + `, $` + strconv.Itoa(n+2) + `, $` + strconv.Itoa(n+3) + `)`
		args = append(args, number, strings.ToUpper(number), strings.ToLower(number))
	}
	sqlq += ` ORDER BY postcode, street_key, house_number, ean LIMIT ` + itoa(fetch)
	aps, err = db.accessPoints(ctx, sqlq, args...)
	return inRange(aps, isRange, lo, hi, limit), err
}

// accessPointsOnStreetPrefix is the search by the folded street as typed: a
// prefix of the street key, one range of the address index.
func (db *DB) accessPointsOnStreetPrefix(ctx context.Context, postcode, street, number string, limit int) ([]coupole.AccessPoint, error) {
	lo, hi := prefixRange(street)
	sqlq := `SELECT ` + accessPointCols + ` FROM access_points
		WHERE postcode = $1 AND street_key >= $2 AND street_key < $3`
	args := []any{postcode, lo, hi}
	order := ` ORDER BY postcode, street_key, house_number, ean`
	if number != "" {
		// "7b" or "7B": the number as typed and in both cases, so that
		// the index on the number serves the equality; ordered as that
		// index is, so that no sort is needed either.
		sqlq += ` AND house_number IN ($4, $5, $6)`
		args = append(args, number, strings.ToUpper(number), strings.ToLower(number))
		order = ` ORDER BY postcode, house_number, street_key, ean`
	}
	return db.accessPoints(ctx, sqlq+order+` LIMIT `+itoa(limit), args...)
}

// maxStreetsMatched bounds the streets one search may name: a few letters
// matching more streets than this is a search to make more precise.
const maxStreetsMatched = 20

// streetsMatching returns the street keys of postcode that the typed street
// names, read from the address index (postcode, street_key, …) alone.
func (db *DB) streetsMatching(ctx context.Context, postcode string, typed ...string) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT street_key FROM access_points WHERE postcode = $1 ORDER BY street_key`, postcode)
	if err != nil {
		return nil, storageError(err, "search streets")
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, storageError(err, "search streets")
		}
		if slices.ContainsFunc(typed, func(t string) bool { return textfold.StreetMatches(t, k) }) {
			keys = append(keys, k)
			if len(keys) == maxStreetsMatched {
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "search streets")
	}
	return keys, nil
}

// numberRe reads a house number range: "10-20", "10 - 20", "10 à 20",
// "10 tot 20", "10 bis 20", "10 to 20".
var numberRe = regexp.MustCompile(`^(\d+)\s*(?:-|–|à|a|tot|bis|to)\s*(\d+)$`)

func numberRange(s string) (lo, hi int, ok bool) {
	m := numberRe.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, 0, false
	}
	lo, _ = strconv.Atoi(m[1])
	hi, _ = strconv.Atoi(m[2])
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, true
}

// inRange keeps, when isRange, the access points whose house number's
// leading digits are in [lo, hi], at most limit of them.
func inRange(aps []coupole.AccessPoint, isRange bool, lo, hi, limit int) []coupole.AccessPoint {
	if !isRange {
		return aps
	}
	out := []coupole.AccessPoint{}
	for _, ap := range aps {
		n := ap.Address.Number
		end := 0
		for end < len(n) && n[end] >= '0' && n[end] <= '9' {
			end++
		}
		if v, err := strconv.Atoi(n[:end]); err == nil && v >= lo && v <= hi {
			out = append(out, ap)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
